#include "core/reports.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>

#include "core/dates.h"
#include "core/text.h"

namespace qun::core {

const std::vector<std::string> kLevels = {"core", "active", "observer", "lurker"};

namespace {

// One counted fact: a kind of activity by a person on a day about a
// subject. Facts recorded twice (two admins, one check-in) count once.
struct Fact {
  std::string person_id, kind;
  int64_t day = 0;
};

Result<std::vector<Fact>> GroupFacts(Database& db, const std::string& group_id, int64_t until) {
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      db.Prepare("SELECT person_id, kind, day FROM activity WHERE group_id=? AND deleted=0 AND "
                 "day<=? GROUP BY person_id, kind, day, coalesce(ref,'')"));
  s.Bind(1, group_id).Bind(2, DayText(until));
  std::vector<Fact> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    auto day = ParseDayNumber(s.Text(2));
    if (!day) continue;  // a damaged day from elsewhere counts nowhere
    out.push_back({s.Text(0), s.Text(1), *day});
  }
  return out;
}

std::string LevelOf(const Group& g, int64_t facts) {
  if (facts >= g.level_core) return "core";
  if (facts >= g.level_active) return "active";
  if (facts >= 1) return "observer";
  return "lurker";
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
  std::string offer = text::AsciiLower(offer_in), need = text::AsciiLower(need_in);
  if (offer.empty() || need.empty()) return false;
  if (offer == need) return true;
  const std::string& shorter = offer.size() < need.size() ? offer : need;
  const std::string& longer = offer.size() < need.size() ? need : offer;
  return Chars(shorter) >= 2 && longer.find(shorter) != std::string::npos;
}

Result<std::vector<Engagement>> Reports::Engagements(const std::string& group_id, int64_t as_of) {
  QUN_ASSIGN_OR_RETURN(Group g, registry_.GetGroup(group_id));
  QUN_ASSIGN_OR_RETURN(auto members, registry_.Members(group_id));
  std::map<std::string, Engagement> by_person;
  for (const Membership& m : members) {
    Engagement e;
    e.person_id = m.person_id;
    e.person_name = m.person_name;
    e.role = m.role;
    e.status = m.status;
    if (m.joined_at) e.joined_day = DayText(LocalDay(m.joined_at));
    by_person[m.person_id] = e;
  }
  QUN_ASSIGN_OR_RETURN(auto facts, GroupFacts(store_.db(), group_id, as_of));
  int64_t from = as_of - g.level_window_days + 1;
  std::map<std::string, std::set<int64_t>> days_in_window;
  std::map<std::string, int64_t> last;
  for (const Fact& f : facts) {
    auto it = by_person.find(f.person_id);
    if (it == by_person.end()) continue;
    ++it->second.facts_ever;
    last[f.person_id] = std::max(last[f.person_id], f.day);
    if (f.day < from) continue;
    ++it->second.facts;
    days_in_window[f.person_id].insert(f.day);
  }
  std::vector<Engagement> out;
  for (auto& [id, e] : by_person) {
    e.days_active = static_cast<int64_t>(days_in_window[id].size());
    if (e.facts_ever) e.last_day = DayText(last[id]);
    e.level = LevelOf(g, e.facts);
    out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const Engagement& a, const Engagement& b) {
    if (a.facts != b.facts) return a.facts > b.facts;
    if (a.days_active != b.days_active) return a.days_active > b.days_active;
    if (a.person_name != b.person_name) return a.person_name < b.person_name;
    return a.person_id < b.person_id;
  });
  return out;
}

Result<std::vector<Engagement>> Reports::Inactive(const std::string& group_id, int64_t days,
                                                  int64_t as_of) {
  QUN_ASSIGN_OR_RETURN(auto all, Engagements(group_id, as_of));
  std::vector<Engagement> out;
  for (const Engagement& e : all) {
    // Active last, or joined last: a newcomer is not inactive on day one.
    int64_t since = std::max(ParseDayNumber(e.last_day).value_or(INT64_MIN),
                             ParseDayNumber(e.joined_day).value_or(INT64_MIN));
    if (since == INT64_MIN || as_of - since > days) out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const Engagement& a, const Engagement& b) {
    if (a.last_day != b.last_day) return a.last_day < b.last_day;  // never active first
    if (a.person_name != b.person_name) return a.person_name < b.person_name;
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
    if (a.person_name != b.person_name) return a.person_name < b.person_name;
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
                                           "ORDER BY display_name, id"));
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
                                       "ORDER BY display_name, id"));
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
      if (a.person_name != b.person_name) return a.person_name < b.person_name;
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

Result<GroupHealth> Reports::Health(const std::string& group_id, int64_t weeks, int64_t as_of) {
  QUN_ASSIGN_OR_RETURN(Group g, registry_.GetGroup(group_id));
  GroupHealth h;
  h.group_id = group_id;
  h.group_name = g.name;
  h.capacity = g.capacity;
  QUN_ASSIGN_OR_RETURN(auto engaged, Engagements(group_id, as_of));
  h.members = static_cast<int64_t>(engaged.size());
  for (const std::string& level : kLevels) h.levels[level] = 0;
  for (const Engagement& e : engaged) {
    ++h.levels[e.level];
    if (e.facts) ++h.active_members;
  }
  h.active_ratio = h.members ? static_cast<double>(h.active_members) / h.members : 0;

  int64_t last_monday = as_of - Weekday(as_of);
  int64_t first_monday = last_monday - 7 * (weeks - 1);
  for (int64_t w = 0; w < weeks; ++w) {
    Week week;
    week.start = DayText(first_monday + 7 * w);
    h.weeks.push_back(week);
  }
  auto week_of = [&](int64_t day) -> Week* {
    if (day < first_monday || day > as_of) return nullptr;
    return &h.weeks[static_cast<size_t>((day - first_monday) / 7)];
  };
  MembershipFilter mf;
  mf.group_id = group_id;
  QUN_ASSIGN_OR_RETURN(auto members, registry_.ListMemberships(mf));
  for (const Membership& m : members) {
    if (m.status == "waitlisted") ++h.waitlisted;
    // Joined: let in (not an applicant, waiting or rejected).
    bool was_in = HoldsPlace(m.status) || m.status == "left" || m.status == "removed" ||
                  m.status == "purged" || m.status == "banned";
    if (was_in && m.joined_at)
      if (Week* w = week_of(LocalDay(m.joined_at))) ++w->joined;
    if (!HoldsPlace(m.status) && was_in && m.status_at)
      if (Week* w = week_of(LocalDay(m.status_at))) ++w->left;
  }
  QUN_ASSIGN_OR_RETURN(auto facts, GroupFacts(store_.db(), group_id, as_of));
  std::map<size_t, std::set<std::string>> people;
  for (const Fact& f : facts) {
    Week* w = week_of(f.day);
    if (!w) continue;
    ++w->facts;
    ++w->by_kind[f.kind];
    people[static_cast<size_t>(w - h.weeks.data())].insert(f.person_id);
  }
  for (auto& [i, set] : people) h.weeks[i].active_people = static_cast<int64_t>(set.size());
  return h;
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
    if (a.group_name != b.group_name) return a.group_name < b.group_name;
    return a.person_name < b.person_name;
  });
  return out;
}

}  // namespace qun::core
