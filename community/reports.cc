#include "community/reports.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "base/chinese.h"
#include "base/dates.h"
#include "base/i18n.h"
#include "base/text.h"

namespace qun::core {

const std::vector<std::string> kLevels = {"core", "active", "observer", "lurker"};

namespace {

// A group's settings as the reports use them: Registry::GetGroup also
// counts the members and reads the group's clock, work no report needs.
struct GroupSettings {
  std::string name;
  int64_t capacity = kDefaultCapacity;
  int64_t window_days = kDefaultLevelWindowDays;
  int64_t level_core = kDefaultLevelCore;
  int64_t level_active = kDefaultLevelActive;
};

Result<GroupSettings> ReadSettings(Database& db, const std::string& group_id) {
  QUN_ASSIGN_OR_RETURN(CachedStatement s,
                       db.Use("SELECT name, capacity, level_window_days, level_core, "
                              "level_active FROM chat_group WHERE id=?"));
  s->Bind(1, group_id);
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return Status::NotFound(i18n::Format(_("no group with id {}"), group_id));
  auto setting = [&s](int col, int64_t fallback) {
    return s->IsNull(col) ? fallback : s->Int(col);
  };
  GroupSettings g;
  g.name = s->Text(0);
  g.capacity = setting(1, kDefaultCapacity);
  g.window_days = setting(2, kDefaultLevelWindowDays);
  g.level_core = setting(3, kDefaultLevelCore);
  g.level_active = setting(4, kDefaultLevelActive);
  return g;
}

// A membership of a group (any status), as Registry::ListMemberships has
// it: neither it, the person nor the group removed.
struct MemberRow {
  std::string id, person_id, person_name, role, status;
  int64_t joined_at = 0, status_at = 0;
};

Result<std::vector<MemberRow>> GroupMemberships(Database& db, const std::string& group_id) {
  QUN_ASSIGN_OR_RETURN(
      CachedStatement s,
      db.Use("SELECT m.id, m.person_id, coalesce(p.display_name,''), "
             "coalesce(m.role,'member'), coalesce(m.status,'active'), coalesce(m.joined_at,0), "
             "coalesce(m.status_at,0) FROM membership m JOIN person p ON p.id=m.person_id "
             "JOIN chat_group g ON g.id=m.group_id "
             "WHERE m.group_id=? AND m.deleted=0 AND p.deleted=0 AND g.deleted=0"));
  s->Bind(1, group_id);
  std::vector<MemberRow> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.push_back(
        {s->Text(0), s->Text(1), s->Text(2), s->Text(3), s->Text(4), s->Int(5), s->Int(6)});
  }
  return out;
}

// The memberships that hold a place, one per person. Were a person's
// membership of the group recorded twice, the one with the greatest id
// counts, as it always has (Registry::Members lists them by name, then id,
// and the reports kept the last).
std::vector<const MemberRow*> Holders(const std::vector<MemberRow>& rows) {
  std::vector<const MemberRow*> out;
  std::unordered_map<std::string_view, size_t> at;
  for (const MemberRow& m : rows) {
    if (!HoldsPlace(m.status)) continue;
    auto [it, fresh] = at.emplace(m.person_id, out.size());
    if (fresh)
      out.push_back(&m);
    else if (m.id > out[it->second]->id)
      out[it->second] = &m;
  }
  return out;
}

// Calls fn(person_id, day, kind) for each counted fact of the group with a
// day from `from` (none: since ever) to `until`: each kind of activity once
// per person, day and subject (ref), so that a fact two admins both
// recorded counts once. The facts come from the index activity_facts
// (008_report_index.sql), person by person and, for a person, by day; the
// views last for the call. A damaged day from elsewhere counts nowhere.
template <typename Fn>
Status ForEachFact(Database& db, const std::string& group_id, std::optional<int64_t> from,
                   int64_t until, Fn&& fn) {
  QUN_ASSIGN_OR_RETURN(
      CachedStatement s,
      db.Use("SELECT DISTINCT person_id, day, kind, coalesce(ref,'') FROM activity "
             "WHERE group_id=? AND deleted=0 AND day BETWEEN ? AND ? ORDER BY person_id, day"));
  s->Bind(1, group_id).Bind(2, from ? DayText(*from) : std::string()).Bind(3, DayText(until));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    std::optional<int64_t> day = ParseDayNumber(s->BlobView(1));
    if (!day) continue;
    fn(s->BlobView(0), *day, s->BlobView(2));
  }
  return Status::Ok();
}

// Which person a run of facts is about: ForEachFact gives a person's facts
// together, so the lookup is once per person, not per fact.
class PersonRuns {
 public:
  // The dense number of `person` (the same for the same id whenever it
  // comes back), and whether it is another person than the last call's.
  size_t Of(std::string_view person) {
    if (have_ && person == current_) return number_;
    have_ = true;
    current_.assign(person);
    number_ = numbers_.emplace(current_, numbers_.size()).first->second;
    return number_;
  }
  const std::string& current() const { return current_; }

 private:
  bool have_ = false;
  std::string current_;
  size_t number_ = 0;
  std::unordered_map<std::string, size_t> numbers_;
};

// A member's facts, counted.
struct Tally {
  int64_t facts = 0;         // in the level window
  int64_t days_active = 0;   // distinct days with a fact, in the window
  int64_t facts_ever = 0;    // up to the day asked about
  int64_t last = INT64_MIN;  // the day of the latest fact
  int64_t last_window_day = INT64_MIN;
};

// Counts each holder's facts up to `as_of`, the level window starting on
// `window_from`; facts from before `from` (none: every fact) are not read.
// tallies[i] is holders[i]'s.
Result<std::vector<Tally>> TallyFacts(Database& db, const std::string& group_id,
                                      const std::vector<const MemberRow*>& holders,
                                      std::optional<int64_t> from, int64_t window_from,
                                      int64_t as_of) {
  std::vector<Tally> tallies(holders.size());
  std::unordered_map<std::string_view, size_t> index;
  for (size_t i = 0; i < holders.size(); ++i) index.emplace(holders[i]->person_id, i);
  PersonRuns runs;
  size_t run = SIZE_MAX;
  Tally* t = nullptr;
  QUN_RETURN_IF_ERROR(ForEachFact(db, group_id, from, as_of,
                                  [&](std::string_view person, int64_t day, std::string_view) {
                                    if (size_t n = runs.Of(person); n != run) {
                                      run = n;
                                      auto it = index.find(runs.current());
                                      t = it == index.end() ? nullptr : &tallies[it->second];
                                    }
                                    if (!t) return;  // not a member holding a place
                                    ++t->facts_ever;
                                    t->last = std::max(t->last, day);
                                    if (day < window_from) return;
                                    ++t->facts;
                                    // A person's facts come by day: a new day is one not seen just
                                    // before.
                                    if (day != t->last_window_day) ++t->days_active;
                                    t->last_window_day = day;
                                  }));
  return tallies;
}

std::string LevelOf(const GroupSettings& g, int64_t facts) {
  if (facts >= g.level_core) return "core";
  if (facts >= g.level_active) return "active";
  if (facts >= 1) return "observer";
  return "lurker";
}

Engagement MakeEngagement(const GroupSettings& g, const MemberRow& m, const Tally& t,
                          std::string joined_day) {
  Engagement e;
  e.person_id = m.person_id;
  e.person_name = m.person_name;
  e.role = m.role;
  e.status = m.status;
  e.facts = t.facts;
  e.days_active = t.days_active;
  e.facts_ever = t.facts_ever;
  if (t.facts_ever) e.last_day = DayText(t.last);
  e.joined_day = std::move(joined_day);
  e.level = LevelOf(g, t.facts);
  return e;
}

std::string JoinedDay(const MemberRow& m) {
  return m.joined_at ? DayText(LocalDay(m.joined_at)) : std::string();
}

// The members holding a place with their counted facts, as of `as_of`.
struct Counted {
  GroupSettings group;
  std::vector<MemberRow> rows;
  std::vector<const MemberRow*> holders;
  std::vector<Tally> tallies;  // of holders, in the same order
};

Result<Counted> CountMembers(Database& db, const std::string& group_id, int64_t as_of) {
  Counted c;
  QUN_ASSIGN_OR_RETURN(c.group, ReadSettings(db, group_id));
  QUN_ASSIGN_OR_RETURN(c.rows, GroupMemberships(db, group_id));
  c.holders = Holders(c.rows);
  QUN_ASSIGN_OR_RETURN(c.tallies, TallyFacts(db, group_id, c.holders, std::nullopt,
                                             as_of - c.group.window_days + 1, as_of));
  return c;
}

size_t Chars(const std::string& s) { return text::CodePoints(s).size(); }

}  // namespace

std::vector<std::string> Terms(const std::string& input) {
  static const std::vector<std::string_view> kSeparators = {
      ",", "，", "、", ";", "；", "/", "／", "|", "｜", "\n", "\r", "\t", " ", "　", "。"};
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    std::string t = text::Trim(cur);
    if (!t.empty() && std::none_of(out.begin(), out.end(), [&](const std::string& o) {
          return text::AsciiLower(o) == text::AsciiLower(t);
        }))
      out.push_back(t);
    cur.clear();
  };
  size_t i = 0;
  while (i < input.size()) {
    bool cut = false;
    for (std::string_view sep : kSeparators)
      if (input.compare(i, sep.size(), sep) == 0) {
        flush();
        i += sep.size();
        cut = true;
        break;
      }
    if (!cut) cur += input[i++];
  }
  flush();
  return out;
}

bool Answers(const std::string& offer_in, const std::string& need_in) {
  std::string offer = text::FoldForSearch(offer_in), need = text::FoldForSearch(need_in);
  if (offer.empty() || need.empty()) return false;
  if (offer == need) return true;
  const std::string& shorter = offer.size() < need.size() ? offer : need;
  const std::string& longer = offer.size() < need.size() ? need : offer;
  if (Chars(shorter) >= 2 && longer.find(shorter) != std::string::npos) return true;
  // A word of two characters or more in common (设计外包 and 免费设计咨询
  // share 设计), other than the words that say how rather than what.
  static const std::set<std::string> kHow = {"免费", "有偿", "付费", "服务", "需要", "提供",
                                             "寻找", "合作", "相关", "经验", "咨询", "帮助",
                                             "长期", "兼职", "全职", "资源", "介绍", "可以"};
  std::vector<std::string> offered = text::Words(offer);
  for (const std::string& w : text::Words(need))
    if (Chars(w) >= 2 && !kHow.count(w) &&
        std::find(offered.begin(), offered.end(), w) != offered.end())
      return true;
  return false;
}

Result<std::vector<Engagement>> Reports::Engagements(const std::string& group_id, int64_t as_of) {
  QUN_ASSIGN_OR_RETURN(Counted c, CountMembers(store_.db(), group_id, as_of));
  std::vector<Engagement> out;
  out.reserve(c.holders.size());
  for (size_t i = 0; i < c.holders.size(); ++i)
    out.push_back(MakeEngagement(c.group, *c.holders[i], c.tallies[i], JoinedDay(*c.holders[i])));
  std::sort(out.begin(), out.end(), [](const Engagement& a, const Engagement& b) {
    if (a.facts != b.facts) return a.facts > b.facts;
    if (a.days_active != b.days_active) return a.days_active > b.days_active;
    if (int c = text::PinyinCompare(a.person_name, b.person_name)) return c < 0;
    return a.person_id < b.person_id;
  });
  return out;
}

Result<std::vector<Engagement>> Reports::Inactive(const std::string& group_id, int64_t days,
                                                  int64_t as_of) {
  QUN_ASSIGN_OR_RETURN(Counted c, CountMembers(store_.db(), group_id, as_of));
  // Inactive: neither active nor joined on or after this day.
  const int64_t cutoff = as_of - days;
  std::vector<Engagement> out;
  for (size_t i = 0; i < c.holders.size(); ++i) {
    const Tally& t = c.tallies[i];
    // Active since: most members, decided without their joining day (a
    // local time, so not free to work out).
    if (t.facts_ever && t.last >= cutoff) continue;
    // Active last, or joined last: a newcomer is not inactive on day one.
    // The joining day as the report prints it.
    std::string joined = JoinedDay(*c.holders[i]);
    int64_t since =
        std::max(t.facts_ever ? t.last : INT64_MIN, ParseDayNumber(joined).value_or(INT64_MIN));
    if (since == INT64_MIN || since < cutoff)
      out.push_back(MakeEngagement(c.group, *c.holders[i], t, std::move(joined)));
  }
  std::sort(out.begin(), out.end(), [](const Engagement& a, const Engagement& b) {
    if (a.last_day != b.last_day) return a.last_day < b.last_day;  // never active first
    if (int c = text::PinyinCompare(a.person_name, b.person_name)) return c < 0;
    return a.person_id < b.person_id;
  });
  return out;
}

Result<std::vector<Engagement>> Reports::Lurkers(const std::string& group_id, int64_t grace_days,
                                                 int64_t as_of) {
  QUN_ASSIGN_OR_RETURN(auto all, Engagements(group_id, as_of));
  std::vector<Engagement> out;
  for (const Engagement& e : all) {
    if (e.facts_ever) continue;
    auto joined = ParseDayNumber(e.joined_day);
    if (joined && as_of - *joined <= grace_days) continue;
    out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const Engagement& a, const Engagement& b) {
    if (a.joined_day != b.joined_day) return a.joined_day < b.joined_day;
    if (int c = text::PinyinCompare(a.person_name, b.person_name)) return c < 0;
    return a.person_id < b.person_id;
  });
  return out;
}

Result<std::vector<Engagement>> Reports::CoreCandidates(const std::string& group_id, int64_t as_of,
                                                        size_t top) {
  QUN_ASSIGN_OR_RETURN(auto all, Engagements(group_id, as_of));
  std::vector<Engagement> out;
  for (const Engagement& e : all) {
    if (e.role == "admin" || e.role == "owner") continue;
    if (e.level != "core" && e.level != "active") continue;
    out.push_back(e);
    if (out.size() == top) break;
  }
  return out;
}

Result<std::vector<Referral>> Reports::Referrals() {
  QUN_ASSIGN_OR_RETURN(Statement s,
                       store_.db().Prepare("SELECT id, coalesce(display_name,''), "
                                           "coalesce(referred_by,'') FROM person WHERE deleted=0 "
                                           "ORDER BY display_name COLLATE PINYIN, id"));
  std::map<std::string, Referral> people;
  std::vector<std::string> order;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    Referral r;
    r.person_id = s.Text(0);
    r.person_name = s.Text(1);
    r.referred_by = s.Text(2);
    order.push_back(r.person_id);
    people[r.person_id] = r;
  }
  // A referrer who is gone (removed) leaves a root; children in name order.
  for (const std::string& id : order) {
    Referral& r = people[id];
    if (r.referred_by == id || !people.count(r.referred_by)) r.referred_by.clear();
    if (!r.referred_by.empty()) people[r.referred_by].children.push_back(id);
  }
  // Referral data merged from two admins may hold a cycle (each wrote one
  // side of it); the person of the cycle with the smallest id is cut loose
  // as a root, so every node draws the same tree.
  for (const std::string& id : order) {
    std::set<std::string> seen;
    std::string at = id;
    while (!at.empty() && !seen.count(at)) {
      seen.insert(at);
      at = people[at].referred_by;
    }
    if (at.empty()) continue;
    std::string smallest = at;
    for (std::string x = people[at].referred_by; x != at; x = people[x].referred_by)
      smallest = std::min(smallest, x);
    Referral& cut = people[smallest];
    auto& siblings = people[cut.referred_by].children;
    siblings.erase(std::remove(siblings.begin(), siblings.end(), smallest), siblings.end());
    cut.referred_by.clear();
  }
  std::vector<Referral> out;
  std::function<int64_t(const std::string&, int64_t)> walk = [&](const std::string& id,
                                                                 int64_t depth) -> int64_t {
    Referral& r = people[id];
    r.depth = depth;
    r.direct = static_cast<int64_t>(r.children.size());
    size_t at = out.size();
    out.push_back(r);
    int64_t total = 0;
    for (const std::string& c : r.children) total += 1 + walk(c, depth + 1);
    out[at].total = total;
    return total;
  };
  for (const std::string& id : order) {
    const Referral& r = people[id];
    // Only people in a referral relation: roots that referred someone.
    if (r.referred_by.empty() && !r.children.empty()) walk(id, 0);
  }
  return out;
}

Result<Matches> Reports::MatchFor(const std::string& person_id, size_t top) {
  QUN_ASSIGN_OR_RETURN(Person me, registry_.GetPerson(person_id));
  QUN_ASSIGN_OR_RETURN(
      Statement s, store_.db().Prepare("SELECT id, coalesce(display_name,''), coalesce(needs,''), "
                                       "coalesce(offers,'') FROM person WHERE deleted=0 AND id<>? "
                                       "ORDER BY display_name COLLATE PINYIN, id"));
  s.Bind(1, person_id);
  struct Other {
    std::string id, name;
    std::vector<std::string> needs, offers;
    std::set<std::string> tags;
  };
  std::vector<Other> others;
  std::map<std::string, size_t> index;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    index[s.Text(0)] = others.size();
    others.push_back({s.Text(0), s.Text(1), Terms(s.Text(2)), Terms(s.Text(3)), {}});
  }
  QUN_ASSIGN_OR_RETURN(Statement t, store_.db().Prepare("SELECT person_id, tag FROM person_tag "
                                                        "WHERE deleted=0"));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, t.Step());
    if (!row) break;
    auto it = index.find(t.Text(0));
    if (it != index.end()) others[it->second].tags.insert(t.Text(1));
  }
  std::set<std::string> my_tags(me.tags.begin(), me.tags.end());
  std::vector<std::string> my_needs = Terms(me.needs), my_offers = Terms(me.offers);
  Matches out;
  for (const Other& o : others) {
    Match common{o.id, o.name, {}, {}};
    for (const std::string& tag : o.tags)
      if (my_tags.count(tag)) common.common_tags.push_back(tag);
    if (!common.common_tags.empty()) out.common_tags.push_back(common);
    Match theirs{o.id, o.name, {}, {}};
    for (const std::string& offer : o.offers)
      for (const std::string& need : my_needs)
        if (Answers(offer, need)) theirs.terms.emplace_back(offer, need);
    if (!theirs.terms.empty()) out.offers_my_needs.push_back(theirs);
    Match mine{o.id, o.name, {}, {}};
    for (const std::string& need : o.needs)
      for (const std::string& offer : my_offers)
        if (Answers(offer, need)) mine.terms.emplace_back(need, offer);
    if (!mine.terms.empty()) out.needs_my_offers.push_back(mine);
  }
  auto by = [](auto size_of) {
    return [size_of](const Match& a, const Match& b) {
      if (size_of(a) != size_of(b)) return size_of(a) > size_of(b);
      if (int c = text::PinyinCompare(a.person_name, b.person_name)) return c < 0;
      return a.person_id < b.person_id;
    };
  };
  auto tags = [](const Match& m) { return m.common_tags.size(); };
  auto terms = [](const Match& m) { return m.terms.size(); };
  std::sort(out.common_tags.begin(), out.common_tags.end(), by(tags));
  std::sort(out.offers_my_needs.begin(), out.offers_my_needs.end(), by(terms));
  std::sort(out.needs_my_offers.begin(), out.needs_my_offers.end(), by(terms));
  for (auto* list : {&out.common_tags, &out.offers_my_needs, &out.needs_my_offers})
    if (list->size() > top) list->resize(top);
  return out;
}

namespace {

// Health, or its weeks alone (`with_levels` false: no member's engagement
// worked out, what `qun report activity` needs).
Result<GroupHealth> HealthOf(Database& db, const std::string& group_id, int64_t weeks,
                             int64_t as_of, bool with_levels) {
  QUN_ASSIGN_OR_RETURN(GroupSettings g, ReadSettings(db, group_id));
  GroupHealth h;
  h.group_id = group_id;
  h.group_name = g.name;
  h.capacity = g.capacity;
  for (const std::string& level : kLevels) h.levels[level] = 0;

  int64_t last_monday = as_of - Weekday(as_of);
  int64_t first_monday = last_monday - 7 * (weeks - 1);
  for (int64_t w = 0; w < weeks; ++w) {
    Week week;
    week.start = DayText(first_monday + 7 * w);
    h.weeks.push_back(week);
  }
  auto week_index = [&](int64_t day) -> std::optional<size_t> {
    if (day < first_monday || day > as_of) return std::nullopt;
    return static_cast<size_t>((day - first_monday) / 7);
  };
  // The week of an instant. Its local day is at most a day from its UTC
  // day (time zones run from UTC-12 to UTC+14), so most instants are
  // placed outside the weeks without asking the time zone.
  constexpr int64_t kDayMs = 24 * 60 * 60 * 1000;
  auto week_of_instant = [&](int64_t unix_ms) -> Week* {
    int64_t utc_day = unix_ms >= 0 ? unix_ms / kDayMs : (unix_ms - kDayMs + 1) / kDayMs;
    if (utc_day < first_monday - 1 || utc_day > as_of + 1) return nullptr;
    auto i = week_index(LocalDay(unix_ms));
    return i ? &h.weeks[*i] : nullptr;
  };

  QUN_ASSIGN_OR_RETURN(auto rows, GroupMemberships(db, group_id));
  for (const MemberRow& m : rows) {
    if (m.status == "waitlisted") ++h.waitlisted;
    // Joined: let in (not an applicant, waiting or rejected).
    bool was_in = HoldsPlace(m.status) || m.status == "left" || m.status == "removed" ||
                  m.status == "purged" || m.status == "banned";
    if (was_in && m.joined_at)
      if (Week* w = week_of_instant(m.joined_at)) ++w->joined;
    if (!HoldsPlace(m.status) && was_in && m.status_at)
      if (Week* w = week_of_instant(m.status_at)) ++w->left;
  }

  // One pass over the facts from the earlier of the level window and the
  // first week: each member's facts in the window, and each week's.
  std::vector<const MemberRow*> holders;
  std::vector<int64_t> facts;  // holders[i]'s in the level window
  std::unordered_map<std::string_view, size_t> holder_index;
  const int64_t window_from = as_of - g.window_days + 1;
  if (with_levels) {
    holders = Holders(rows);
    facts.assign(holders.size(), 0);
    for (size_t i = 0; i < holders.size(); ++i) holder_index.emplace(holders[i]->person_id, i);
  }
  // Activity by kind: kinds[k] and its count per week. Few kinds, and most
  // facts of one, so a fact's kind is looked up from the last one's.
  std::vector<std::pair<std::string, std::vector<int64_t>>> kinds;
  size_t kind = SIZE_MAX;
  // Active people: the last person counted in each week.
  std::vector<size_t> counted_in(h.weeks.size(), SIZE_MAX);
  PersonRuns runs;
  size_t run = SIZE_MAX;
  int64_t* member_facts = nullptr;
  const int64_t from = with_levels ? std::min(window_from, first_monday) : first_monday;
  QUN_RETURN_IF_ERROR(ForEachFact(
      db, group_id, from, as_of,
      [&](std::string_view person, int64_t day, std::string_view kind_text) {
        size_t n = runs.Of(person);
        if (with_levels && n != run) {
          auto it = holder_index.find(runs.current());
          member_facts = it == holder_index.end() ? nullptr : &facts[it->second];
        }
        run = n;
        if (member_facts && day >= window_from) ++*member_facts;
        auto w = week_index(day);
        if (!w) return;
        ++h.weeks[*w].facts;
        if (counted_in[*w] != n) {
          counted_in[*w] = n;
          ++h.weeks[*w].active_people;
        }
        if (kind == SIZE_MAX || kinds[kind].first != kind_text) {
          kind = 0;
          while (kind < kinds.size() && kinds[kind].first != kind_text) ++kind;
          if (kind == kinds.size())
            kinds.emplace_back(std::string(kind_text), std::vector<int64_t>(h.weeks.size(), 0));
        }
        ++kinds[kind].second[*w];
      }));
  for (const auto& [name, per_week] : kinds)
    for (size_t w = 0; w < per_week.size(); ++w)
      if (per_week[w]) h.weeks[w].by_kind[name] += per_week[w];

  h.members = static_cast<int64_t>(holders.size());
  for (int64_t n : facts) {
    ++h.levels[LevelOf(g, n)];
    if (n) ++h.active_members;
  }
  h.active_ratio = h.members ? static_cast<double>(h.active_members) / h.members : 0;
  return h;
}

}  // namespace

Result<GroupHealth> Reports::Health(const std::string& group_id, int64_t weeks, int64_t as_of) {
  return HealthOf(store_.db(), group_id, weeks, as_of, true);
}

Result<std::vector<Week>> Reports::Weeks(const std::string& group_id, int64_t weeks,
                                         int64_t as_of) {
  QUN_ASSIGN_OR_RETURN(GroupHealth h, HealthOf(store_.db(), group_id, weeks, as_of, false));
  return std::move(h.weeks);
}

Result<std::vector<Expiring>> Reports::ExpiringDues(const std::optional<std::string>& group_id,
                                                    int64_t days, int64_t as_of) {
  MembershipFilter mf;
  mf.group_id = group_id;
  QUN_ASSIGN_OR_RETURN(auto members, registry_.ListMemberships(mf));
  std::vector<Expiring> out;
  for (const Membership& m : members) {
    if (!HoldsPlace(m.status) || m.paid_until.empty()) continue;
    auto until = ParseDayNumber(m.paid_until);
    if (!until || *until - as_of > days) continue;
    out.push_back(
        {m.group_id, m.group_name, m.person_id, m.person_name, m.paid_until, *until - as_of});
  }
  std::sort(out.begin(), out.end(), [](const Expiring& a, const Expiring& b) {
    if (a.paid_until != b.paid_until) return a.paid_until < b.paid_until;
    if (int c = text::PinyinCompare(a.group_name, b.group_name)) return c < 0;
    return text::PinyinCompare(a.person_name, b.person_name) < 0;
  });
  return out;
}

}  // namespace qun::core
