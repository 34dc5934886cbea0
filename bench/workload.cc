#include "bench/workload.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <utility>

#include "base/dates.h"
#include "core/ids.h"

namespace qun::bench {
namespace {

constexpr const char* kFamily[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                   "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高"};
constexpr const char* kGiven[] = {"伟",   "芳",   "娜",   "敏",   "静",   "丽",   "强",
                                  "磊",   "洋",   "艳",   "勇",   "军",   "杰",   "娟",
                                  "涛",   "明",   "超",   "秀英", "霞",   "平",   "子涵",
                                  "欣怡", "梓萱", "浩然", "宇轩", "思远", "雨桐", "一诺"};
constexpr const char* kLatin[] = {"Alice", "Ben",   "Chloe",  "David", "Emma",  "Felix",
                                  "Grace", "Henry", "Iris",   "Jack",  "Kevin", "Lily",
                                  "Mia",   "Noah",  "Olivia", "Peter", "Ruby",  "Sam"};
constexpr const char* kSurname[] = {"Chen", "Wong", "Lee", "Smith", "Tan", "Nguyen", "Kim", "Liu"};
constexpr const char* kCities[] = {
    "北京", "上海", "广州", "深圳", "杭州",      "成都",   "武汉",   "南京",    "西安",   "苏州",
    "天津", "重庆", "长沙", "青岛", "Vancouver", "London", "Sydney", "Toronto", "新加坡", "东京"};
constexpr const char* kTags[] = {"摄影", "徒步",   "读书会", "志愿者", "新人",   "骨干",
                                 "家长", "程序员", "设计",   "跑步",   "羽毛球", "英语角"};
constexpr const char* kTopics[] = {"周末徒步", "读书分享", "新人见面会", "羽毛球约球",
                                   "城市夜跑", "摄影外拍", "英语角",     "亲子活动"};
constexpr const char* kPlaces[] = {"奥森南门",     "图书馆三楼",  "星巴克(国贸店)",
                                   "线上腾讯会议", "体育馆2号场", "公园东门"};
constexpr const char* kWork[] = {"互联网公司", "高校", "医院", "外企", "银行",
                                 "初创团队",   "NGO",  "工厂", "媒体", "自由职业"};

template <size_t N>
const char* Pick(std::mt19937_64& rng, const char* const (&list)[N]) {
  return list[rng() % N];
}

// A 32-hex local id from the generator (the domain code uses RandomId;
// here it must replay).
std::string HexId(std::mt19937_64& rng) { return fmt::format("{:016x}{:016x}", rng(), rng()); }

// Independent generators per author and purpose, so that generating one
// author's edits never depends on how far another's stream went.
std::mt19937_64 Rng(uint64_t seed, int author, char purpose) {
  std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                    static_cast<uint32_t>(author), static_cast<uint32_t>(purpose)};
  return std::mt19937_64(seq);
}

int64_t Scaled(int64_t n, double scale) {
  return std::max<int64_t>(1, static_cast<int64_t>(std::llround(static_cast<double>(n) * scale)));
}

constexpr int64_t kDayMs = 24 * 60 * 60 * 1000;
constexpr size_t kImportPeople = 200;  // people per member-sheet import
constexpr size_t kJoinsPerTxn = 10;
constexpr size_t kEditsPerTxn = 10;
constexpr size_t kSignupsPerEvent = 25;

}  // namespace

WorkloadShape WorkloadShape::AtScale(double scale) {
  WorkloadShape s;
  s.scale = scale;
  s.groups = std::max<int64_t>(Scaled(s.groups, scale), 3 * s.authors);
  s.people = Scaled(s.people, scale);
  s.memberships = Scaled(s.memberships, scale);
  s.facts = Scaled(s.facts, scale);
  return s;
}

// One author's people and memberships: what every phase of it derives from.
struct Workload::Cluster {
  struct Person {
    std::string id, handle, name, city;
  };
  struct Membership {
    std::string id, group_id, person_id;
    size_t person = 0;  // index in `people`
  };
  std::vector<Person> people;
  // The person's first membership comes with the import; the rest are joins.
  std::vector<Membership> memberships;
  std::vector<size_t> first;                 // index in `memberships` of each person's first
  std::vector<size_t> groups;                // indexes in Workload::groups_ of the author's groups
  std::vector<std::vector<size_t>> members;  // per group of `groups`: indexes in `people`
};

Workload::Workload(const WorkloadShape& shape) : shape_(shape) {
  for (int64_t g = 0; g < shape_.groups; ++g) {
    WorkloadGroup group;
    group.id = core::DerivedId("bench group", std::to_string(g));
    group.name = fmt::format("{}{}群{}", kCities[g % std::size(kCities)],
                             kTopics[(g / std::size(kCities)) % std::size(kTopics)], g);
    group.owner = static_cast<int>(g % shape_.authors);
    groups_.push_back(std::move(group));
  }
}

std::vector<WorkloadTxn> Workload::GroupTxns() const {
  std::vector<WorkloadTxn> out;
  for (size_t i = 0; i < groups_.size(); ++i) {
    if (i % 100 == 0) out.push_back({"groups", {}});
    const WorkloadGroup& g = groups_[i];
    auto& w = out.back().writes;
    w.push_back({"chat_group", g.id, "name", g.name});
    w.push_back({"chat_group", g.id, "kind", std::string(i % 7 == 0 ? "announcement" : "chat")});
    w.push_back({"chat_group", g.id, "platform", std::string("wechat")});
    w.push_back({"chat_group", g.id, "capacity", int64_t{500}});
    w.push_back({"chat_group", g.id, "admission", std::string("open")});
    w.push_back({"chat_group", g.id, "status", std::string("active")});
    w.push_back({"chat_group", g.id, "created_at", int64_t{1'700'000'000'000}});
    w.push_back({"chat_group", g.id, "deleted", int64_t{0}});
  }
  return out;
}

Workload::Cluster Workload::MakeCluster(int author) const {
  Cluster c;
  std::mt19937_64 rng = Rng(shape_.seed, author, 'C');
  for (size_t g = static_cast<size_t>(author); g < groups_.size();
       g += static_cast<size_t>(shape_.authors))
    c.groups.push_back(g);
  c.members.resize(c.groups.size());
  // Memberships per person: 1 to 4, 2.5 on average (memberships / people
  // at scale 1), never more than the author's groups.
  const double per_person =
      static_cast<double>(shape_.memberships) / static_cast<double>(shape_.people);
  const int max_per_person = std::min<int>(4, static_cast<int>(c.groups.size()));
  for (int64_t p = author; p < shape_.people; p += shape_.authors) {
    Cluster::Person person;
    bool latin = rng() % 5 == 0;
    person.name = latin ? fmt::format("{} {}", Pick(rng, kLatin), Pick(rng, kSurname))
                        : fmt::format("{}{}", Pick(rng, kFamily), Pick(rng, kGiven));
    person.handle = fmt::format("wx_{}_{:06d}", author, p);
    person.id = core::DerivedId("person", "wechat:" + person.handle);
    person.city = Pick(rng, kCities);
    size_t index = c.people.size();
    c.people.push_back(std::move(person));
    // 1 + a binomial(3, (per_person - 1) / 3): mean per_person.
    int count = 1;
    double p_more = std::clamp((per_person - 1.0) / 3.0, 0.0, 1.0);
    for (int k = 0; k < 3; ++k)
      if (std::uniform_real_distribution<double>(0, 1)(rng) < p_more) ++count;
    count = std::min(count, max_per_person);
    std::set<size_t> chosen;
    while (static_cast<int>(chosen.size()) < count) chosen.insert(rng() % c.groups.size());
    bool is_first = true;
    for (size_t g : chosen) {
      Cluster::Membership m;
      m.group_id = groups_[c.groups[g]].id;
      m.person_id = c.people[index].id;
      m.id = core::DerivedId("membership", m.group_id + '\0' + m.person_id);
      m.person = index;
      if (is_first) c.first.push_back(c.memberships.size());
      is_first = false;
      c.members[g].push_back(index);
      c.memberships.push_back(std::move(m));
    }
  }
  return c;
}

Status Workload::ForEachTxn(int author, Phase phase,
                            const std::function<Status(const WorkloadTxn&)>& fn) const {
  const Cluster c = MakeCluster(author);
  const int64_t as_of = *core::ParseDayNumber(kAsOfDay);
  if (phase == Phase::kBase) {
    std::mt19937_64 rng = Rng(shape_.seed, author, 'B');
    auto membership = [&](std::vector<FieldWrite>& w, const Cluster::Membership& m) {
      int64_t joined = (as_of - 1 - static_cast<int64_t>(rng() % 365)) * kDayMs +
                       static_cast<int64_t>(rng() % kDayMs);
      w.push_back({"membership", m.id, "group_id", m.group_id});
      w.push_back({"membership", m.id, "person_id", m.person_id});
      w.push_back({"membership", m.id, "role", std::string("member")});
      w.push_back({"membership", m.id, "status", std::string("active")});
      w.push_back({"membership", m.id, "status_at", joined});
      w.push_back({"membership", m.id, "joined_at", joined});
      // A third were invited by someone already in the sheet before them.
      if (m.person > 0 && rng() % 3 == 0)
        w.push_back({"membership", m.id, "invited_by", c.people[rng() % m.person].id});
      w.push_back({"membership", m.id, "deleted", int64_t{0}});
    };
    // Member sheets: people with their handle, tags and first membership.
    for (size_t start = 0; start < c.people.size(); start += kImportPeople) {
      WorkloadTxn txn{"import", {}};
      auto& w = txn.writes;
      for (size_t i = start; i < std::min(c.people.size(), start + kImportPeople); ++i) {
        const Cluster::Person& p = c.people[i];
        w.push_back(
            {"person", p.id, "created_at", int64_t{1'700'000'000'000} + static_cast<int64_t>(i)});
        w.push_back({"person", p.id, "display_name", p.name});
        if (rng() % 2 == 0)
          w.push_back(
              {"person", p.id, "nickname", fmt::format("{}{}", Pick(rng, kGiven), rng() % 1000)});
        w.push_back({"person", p.id, "city", p.city});
        if (rng() % 5 == 0)
          w.push_back({"person", p.id, "notes",
                       fmt::format("{}，在{}工作，欢迎私聊交流。", p.city, Pick(rng, kWork))});
        w.push_back({"person", p.id, "deleted", int64_t{0}});
        std::string handle_row = core::DerivedId("handle", "wechat:" + p.handle);
        w.push_back({"person_handle", handle_row, "person_id", p.id});
        w.push_back({"person_handle", handle_row, "kind", std::string("wechat")});
        w.push_back({"person_handle", handle_row, "value", p.handle});
        w.push_back({"person_handle", handle_row, "deleted", int64_t{0}});
        std::set<const char*> tags;
        for (uint64_t k = rng() % 3; k > 0; --k) tags.insert(Pick(rng, kTags));
        for (const char* tag : tags) {
          std::string tag_row = core::DerivedId("tag", p.id + '\0' + tag);
          w.push_back({"person_tag", tag_row, "person_id", p.id});
          w.push_back({"person_tag", tag_row, "tag", std::string(tag)});
          w.push_back({"person_tag", tag_row, "deleted", int64_t{0}});
        }
        membership(w, c.memberships[c.first[i]]);
      }
      QUN_RETURN_IF_ERROR(fn(txn));
    }
    // Joins to further groups, ten at a time.
    {
      WorkloadTxn txn{"join", {}};
      size_t in_txn = 0;
      for (size_t i = 0; i < c.memberships.size(); ++i) {
        if (c.first[c.memberships[i].person] == i) continue;
        membership(txn.writes, c.memberships[i]);
        if (++in_txn == kJoinsPerTxn) {
          QUN_RETURN_IF_ERROR(fn(txn));
          txn.writes.clear();
          in_txn = 0;
        }
      }
      if (in_txn > 0) QUN_RETURN_IF_ERROR(fn(txn));
    }
    // Activity: this author's share of the facts, spread over its groups by
    // their member counts; a fifth are sign-ups to events.
    const int64_t author_facts =
        shape_.facts / shape_.authors + (author < shape_.facts % shape_.authors ? 1 : 0);
    int64_t memberships = static_cast<int64_t>(c.memberships.size());
    for (size_t g = 0; g < c.groups.size(); ++g) {
      const std::vector<size_t>& members = c.members[g];
      if (members.empty()) continue;
      const std::string& group_id = groups_[c.groups[g]].id;
      const int64_t facts =
          author_facts * static_cast<int64_t>(members.size()) / std::max<int64_t>(memberships, 1);
      const int64_t signups = facts / 5, checkins = facts - signups;
      // Events with their sign-up lists (接龙): each list one transaction.
      const size_t per_event = std::min(kSignupsPerEvent, members.size());
      int64_t left = signups;
      while (left > 0) {
        WorkloadTxn event{"event", {}};
        std::string event_id = core::GroupRowId(group_id, HexId(rng));
        int64_t starts =
            (as_of - static_cast<int64_t>(rng() % shape_.days)) * kDayMs + 19 * 60 * 60 * 1000;
        auto& e = event.writes;
        e.push_back({"event", event_id, "title", std::string(Pick(rng, kTopics))});
        e.push_back({"event", event_id, "starts_at", starts});
        e.push_back({"event", event_id, "place", std::string(Pick(rng, kPlaces))});
        e.push_back({"event", event_id, "mode", std::string("offline")});
        e.push_back({"event", event_id, "capacity", static_cast<int64_t>(per_event)});
        e.push_back({"event", event_id, "status", std::string("open")});
        e.push_back({"event", event_id, "created_at", starts - 7 * kDayMs});
        e.push_back({"event", event_id, "deleted", int64_t{0}});
        QUN_RETURN_IF_ERROR(fn(event));
        WorkloadTxn list{"signups", {}};
        size_t n = static_cast<size_t>(std::min<int64_t>(left, static_cast<int64_t>(per_event)));
        std::set<size_t> who;
        while (who.size() < n) who.insert(members[rng() % members.size()]);
        int64_t at = starts - 5 * kDayMs;
        for (size_t person : who) {
          const std::string& person_id = c.people[person].id;
          std::string id =
              core::GroupRowId(group_id, core::DerivedId("signup", event_id + " " + person_id));
          auto& s = list.writes;
          s.push_back({"signup", id, "event_id", event_id});
          s.push_back({"signup", id, "person_id", person_id});
          s.push_back({"signup", id, "guests", static_cast<int64_t>(rng() % 4 == 0 ? 1 : 0)});
          s.push_back(
              {"signup", id, "signed_at", at += 60'000 + static_cast<int64_t>(rng() % 600'000)});
          s.push_back({"signup", id, "status", std::string("in")});
          s.push_back({"signup", id, "deleted", int64_t{0}});
        }
        left -= static_cast<int64_t>(n);
        QUN_RETURN_IF_ERROR(fn(list));
      }
      // Check-ins: one transaction per group and day.
      for (int d = 0; d < shape_.days; ++d) {
        int64_t today = checkins / shape_.days + (d < checkins % shape_.days ? 1 : 0);
        if (today == 0) continue;
        WorkloadTxn txn{"checkins", {}};
        const int64_t day = as_of - shape_.days + 1 + d;
        const std::string day_text = core::DayText(day);
        for (int64_t k = 0; k < today; ++k) {
          // Some members check in far more than others.
          size_t pick =
              static_cast<size_t>(std::pow(std::uniform_real_distribution<double>(0, 1)(rng), 2.0) *
                                  static_cast<double>(members.size()));
          const std::string& person_id = c.people[members[std::min(pick, members.size() - 1)]].id;
          std::string id = core::GroupRowId(group_id, HexId(rng));
          auto& w = txn.writes;
          w.push_back({"activity", id, "person_id", person_id});
          w.push_back({"activity", id, "kind", std::string("checkin")});
          w.push_back({"activity", id, "day", day_text});
          w.push_back({"activity", id, "at",
                       day * kDayMs + 8 * 60 * 60 * 1000 +
                           static_cast<int64_t>(rng() % (12 * 60 * 60 * 1000))});
          w.push_back({"activity", id, "deleted", int64_t{0}});
        }
        QUN_RETURN_IF_ERROR(fn(txn));
      }
    }
    return Status::Ok();
  }

  // Phase::kEdits. Which fields are edited is drawn from the owning
  // author's own generator, so that both writers of a field agree on it;
  // `side` 0 is the owning author, 1 the other writer.
  WorkloadTxn txn{"edits", {}};
  auto flush = [&](bool last) -> Status {
    if (txn.writes.empty() || (!last && txn.writes.size() < kEditsPerTxn)) return Status::Ok();
    QUN_RETURN_IF_ERROR(fn(txn));
    txn.writes.clear();
    return Status::Ok();
  };
  auto edits_of = [&](int owner, const Cluster& cluster, bool people, int side) -> Status {
    std::mt19937_64 pick = Rng(shape_.seed, owner, people ? 'P' : 'M');
    size_t n = people ? cluster.people.size() : cluster.memberships.size();
    for (size_t i = 0; i < n; ++i) {
      if (pick() % 20 != 0) continue;  // 5%
      uint64_t what = pick();
      if (people) {
        static constexpr const char* kColumns[] = {"city", "nickname", "notes"};
        const char* column = kColumns[what % 3];
        std::string value =
            column == kColumns[0]
                ? std::string(
                      kCities[(what / 3 + static_cast<uint64_t>(side) * 7) % std::size(kCities)])
                : fmt::format("{} ({}改)", column == kColumns[1] ? "新昵称" : "备注",
                              side == 0 ? "本群管理员" : "邻群管理员");
        txn.writes.push_back({"person", cluster.people[i].id, column, std::move(value)});
      } else {
        txn.writes.push_back({"membership", cluster.memberships[i].id, "status",
                              std::string(side == 0 ? "muted" : "left")});
      }
      QUN_RETURN_IF_ERROR(flush(false));
    }
    return Status::Ok();
  };
  QUN_RETURN_IF_ERROR(edits_of(author, c, true, 0));
  // The founder cannot be second writer of its own memberships' status.
  if (author != 0) QUN_RETURN_IF_ERROR(edits_of(author, c, false, 0));
  int before = (author + shape_.authors - 1) % shape_.authors;
  QUN_RETURN_IF_ERROR(edits_of(before, MakeCluster(before), true, 1));
  if (author == 0)
    for (int other = 1; other < shape_.authors; ++other)
      QUN_RETURN_IF_ERROR(edits_of(other, MakeCluster(other), false, 1));
  return flush(true);
}

Workload::Count Workload::CountOf(int author, Phase phase) const {
  Count n;
  (void)ForEachTxn(author, phase, [&](const WorkloadTxn& txn) {
    ++n.txns;
    n.writes += static_cast<int64_t>(txn.writes.size());
    std::set<std::pair<std::string_view, std::string_view>> rows;
    for (const FieldWrite& w : txn.writes) rows.insert({w.table, w.row_id});
    n.rows += static_cast<int64_t>(rows.size());
    return Status::Ok();
  });
  return n;
}

}  // namespace qun::bench
