// The engagement and health reports (community/reports.h): who holds a place,
// how facts are counted, the grace of newcomers, weeks, and the index the
// reports read from.
#include "community/reports.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <initializer_list>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "base/dates.h"
#include "core/ids.h"
#include "support/temp_dir.h"
#include "support/test_store.h"

using namespace qun;
using qun::testing::TestStore;

namespace {

using Fields = std::initializer_list<std::pair<const char*, Value>>;

// A group with members in every situation the reports tell apart, written
// field by field (no community: no roles checked), as of 2026-11-30.
struct Community {
  TestStore ts;
  core::Registry reg{*ts.store};
  core::Reports reports{reg, *ts.store};
  const int64_t as_of = *core::ParseDayNumber("2026-11-30");
  const std::string group = core::DerivedId("group", "读书会");
  std::map<std::string, std::string> person;  // name -> id

  void Row(core::WriteTxn& t, const char* table, const std::string& id, Fields fields) {
    for (const auto& [column, value] : fields) REQUIRE(t.Set(table, id, column, value).ok());
  }
  // Noon of a day, local time: the same local day in any time zone.
  int64_t Noon(int64_t day) { return core::LocalMidnightMs(day) + 12 * 60 * 60 * 1000; }
  void Member(core::WriteTxn& t, const std::string& name, const std::string& status,
              int64_t joined_day, int64_t status_day = 0) {
    std::string id = core::DerivedId("person", name);
    person[name] = id;
    Row(t, "person", id, {{"display_name", name}, {"deleted", int64_t{0}}});
    if (status.empty()) return;  // not a member
    std::string m = core::Registry::MembershipId(group, id);
    Row(t, "membership", m,
        {{"group_id", group},
         {"person_id", id},
         {"role", std::string("member")},
         {"status", status},
         {"joined_at", Noon(joined_day)},
         {"deleted", int64_t{0}}});
    if (status_day) Row(t, "membership", m, {{"status_at", Noon(status_day)}});
  }
  void Fact(core::WriteTxn& t, const std::string& name, const std::string& kind,
            const std::string& day, Value ref = std::monostate{}, int64_t deleted = 0) {
    Row(t, "activity", core::GroupRowId(group, core::RandomId()),
        {{"person_id", person.at(name)},
         {"kind", kind},
         {"day", day},
         {"ref", std::move(ref)},
         {"deleted", deleted}});
  }
  std::string Day(int64_t days_before) { return core::DayText(as_of - days_before); }

  Community() {
    auto t = ts.Begin();
    Row(*t, "chat_group", group,
        {{"name", std::string("读书会")},
         {"level_window_days", int64_t{10}},
         {"level_core", int64_t{3}},
         {"level_active", int64_t{2}},
         {"deleted", int64_t{0}}});
    Member(*t, "张伟", "active", as_of - 200);         // active lately
    Member(*t, "李娜", "active", as_of - 300);         // active long ago
    Member(*t, "王芳", "active", as_of - 100);         // never active
    Member(*t, "刘洋", "active", as_of - 5);           // new, not active yet
    Member(*t, "陈静", "muted", as_of - 1);            // muted: still holds a place
    Member(*t, "赵磊", "left", as_of - 3, as_of - 2);  // joined and left this week
    Member(*t, "孙丽", "waitlisted", as_of - 1);       // waiting: never let in
    Member(*t, "外人", "", 0);                         // not a member
    Member(*t, "周杰", "active", as_of - 1);           // removed person: no member
    Row(*t, "person", person["周杰"], {{"deleted", int64_t{1}}});

    // 张伟: two check-ins and a homework; the same check-in recorded
    // again (no subject and an empty one are one subject), one undone, one
    // on a day that does not exist, one after the day asked about.
    Fact(*t, "张伟", "checkin", Day(0));
    Fact(*t, "张伟", "checkin", Day(1));
    Fact(*t, "张伟", "checkin", Day(1), std::string(""));
    Fact(*t, "张伟", "homework", Day(1), std::string("topic-1"));
    Fact(*t, "张伟", "checkin", Day(2), std::monostate{}, 1);
    Fact(*t, "张伟", "checkin", "2026-02-30");
    Fact(*t, "张伟", "checkin", core::DayText(as_of + 1));
    Fact(*t, "李娜", "checkin", Day(40));
    Fact(*t, "李娜", "checkin", Day(41));
    Fact(*t, "陈静", "talk", Day(2));
    Fact(*t, "赵磊", "checkin", Day(3));
    Fact(*t, "外人", "checkin", Day(3));
    REQUIRE(t->Commit().ok());
  }
};

std::vector<std::string> Names(const std::vector<core::Engagement>& list) {
  std::vector<std::string> out;
  for (const auto& e : list) out.push_back(e.person_name);
  return out;
}

}  // namespace

TEST_CASE("engagement counts each fact once, in the group's window, for members holding a place") {
  Community c;
  auto all = c.reports.Engagements(c.group, c.as_of);
  REQUIRE_MESSAGE(all.ok(), all.status().message());
  // Equal activity: pinyin order (li, liu, wang).
  CHECK(Names(*all) == std::vector<std::string>{"张伟", "陈静", "李娜", "刘洋", "王芳"});
  const core::Engagement& zw = (*all)[0];
  CHECK(zw.facts == 3);  // check-ins on two days and a homework
  CHECK(zw.days_active == 2);
  CHECK(zw.facts_ever == 3);
  CHECK(zw.last_day == c.Day(0));
  CHECK(zw.joined_day == c.Day(200));
  CHECK(zw.level == "core");
  CHECK(zw.role == "member");
  CHECK(zw.status == "active");
  const core::Engagement& cj = (*all)[1];
  CHECK(cj.status == "muted");
  CHECK(cj.level == "observer");
  const core::Engagement& ln = (*all)[2];
  CHECK(ln.facts == 0);  // outside the 10-day window
  CHECK(ln.facts_ever == 2);
  CHECK(ln.last_day == c.Day(40));
  CHECK(ln.level == "lurker");
  CHECK((*all)[4].last_day.empty());
  CHECK(c.reports.Engagements(core::DerivedId("group", "nowhere"), c.as_of).status().code() ==
        Status::Code::kNotFound);
}

TEST_CASE("inactive: no activity, nor joining, within the days — never active first") {
  Community c;
  auto inactive = c.reports.Inactive(c.group, 30, c.as_of);
  REQUIRE_MESSAGE(inactive.ok(), inactive.status().message());
  // 刘洋 joined five days ago: not inactive on day one.
  CHECK(Names(*inactive) == std::vector<std::string>{"王芳", "李娜"});
  CHECK((*inactive)[1].facts_ever == 2);
  CHECK((*inactive)[1].last_day == c.Day(40));
  CHECK((*inactive)[0].joined_day == c.Day(100));
  // The day counts are strict: 40 days since is not more than 40.
  CHECK(Names(*c.reports.Inactive(c.group, 40, c.as_of)) == std::vector<std::string>{"王芳"});
  CHECK(Names(*c.reports.Inactive(c.group, 4, c.as_of)) ==
        std::vector<std::string>{"刘洋", "王芳", "李娜"});
  // As of a day before any of it, the facts after it do not count.
  auto earlier = c.reports.Inactive(c.group, 30, c.as_of - 45);
  REQUIRE(earlier.ok());
  CHECK(Names(*earlier) == std::vector<std::string>{"李娜", "王芳", "张伟"});
  for (const auto& e : *earlier) CHECK(e.last_day.empty());
}

TEST_CASE("health: levels, waiting, and joined, left and activity week by week") {
  Community c;
  auto h = c.reports.Health(c.group, 2, c.as_of);
  REQUIRE_MESSAGE(h.ok(), h.status().message());
  CHECK(h->group_name == "读书会");
  CHECK(h->capacity == core::kDefaultCapacity);
  CHECK(h->members == 5);
  CHECK(h->waitlisted == 1);
  CHECK(h->active_members == 2);
  CHECK(h->levels ==
        std::map<std::string, int64_t>{{"core", 1}, {"active", 0}, {"observer", 1}, {"lurker", 3}});
  REQUIRE(h->weeks.size() == 2);
  const int64_t first_monday = c.as_of - core::Weekday(c.as_of) - 7;
  CHECK(h->weeks[0].start == core::DayText(first_monday));
  CHECK(h->weeks[1].start == core::DayText(first_monday + 7));
  // What each week should hold, from the days above.
  std::vector<core::Week> want(2);
  auto at = [&](int64_t days_before) -> core::Week* {
    int64_t day = c.as_of - days_before;
    return day < first_monday ? nullptr : &want[static_cast<size_t>((day - first_monday) / 7)];
  };
  for (int64_t joined : {5, 1, 3})  // 刘洋, 陈静, 赵磊; not 孙丽 (waiting) nor 周杰 (removed)
    if (core::Week* w = at(joined)) ++w->joined;
  if (core::Week* w = at(2)) ++w->left;  // 赵磊
  std::map<core::Week*, std::set<std::string>> people;
  for (auto [days_before, who, kind] :
       std::initializer_list<std::tuple<int64_t, const char*, const char*>>{{0, "张伟", "checkin"},
                                                                            {1, "张伟", "checkin"},
                                                                            {1, "张伟", "homework"},
                                                                            {2, "陈静", "talk"},
                                                                            {3, "赵磊", "checkin"},
                                                                            {3, "外人", "checkin"}})
    if (core::Week* w = at(days_before)) {
      ++w->facts;
      ++w->by_kind[kind];
      people[w].insert(who);
    }
  for (auto& [w, set] : people) w->active_people = static_cast<int64_t>(set.size());
  for (size_t i = 0; i < 2; ++i) {
    CAPTURE(i);
    CHECK(h->weeks[i].joined == want[i].joined);
    CHECK(h->weeks[i].left == want[i].left);
    CHECK(h->weeks[i].facts == want[i].facts);
    CHECK(h->weeks[i].active_people == want[i].active_people);
    CHECK(h->weeks[i].by_kind == want[i].by_kind);
  }
}

TEST_CASE("the weeks alone are health's weeks") {
  Community c;
  for (int64_t weeks : {1, 2, 8}) {
    auto h = c.reports.Health(c.group, weeks, c.as_of);
    auto w = c.reports.Weeks(c.group, weeks, c.as_of);
    REQUIRE(h.ok());
    REQUIRE_MESSAGE(w.ok(), w.status().message());
    REQUIRE(w->size() == h->weeks.size());
    for (size_t i = 0; i < w->size(); ++i) {
      CHECK((*w)[i].start == h->weeks[i].start);
      CHECK((*w)[i].joined == h->weeks[i].joined);
      CHECK((*w)[i].left == h->weeks[i].left);
      CHECK((*w)[i].facts == h->weeks[i].facts);
      CHECK((*w)[i].active_people == h->weeks[i].active_people);
      CHECK((*w)[i].by_kind == h->weeks[i].by_kind);
    }
  }
}

TEST_CASE("the reports read a group's facts from their own index, also in an upgraded database") {
  testing::TempDir dir;
  std::filesystem::copy_file(std::string(QUN_TEST_DATA) + "/../compat/db/v6-community.db",
                             dir / "community.db");
  auto store = core::Store::Open(dir / "community.db", {});
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  auto s = (*store)->db().Prepare(
      "EXPLAIN QUERY PLAN SELECT DISTINCT person_id, day, kind, coalesce(ref,'') FROM activity "
      "WHERE group_id=? AND deleted=0 AND day BETWEEN ? AND ? ORDER BY person_id, day");
  REQUIRE(s.ok());
  std::string plan;
  while (*s->Step()) plan += s->Text(3) + "\n";
  CHECK(plan.find("activity_facts") != std::string::npos);
  CHECK(plan.find("TEMP B-TREE") == std::string::npos);  // no sort
  core::Registry reg(**store);
  core::Reports reports(reg, **store);
  auto g = reg.ResolveGroup("读书会");
  REQUIRE(g.ok());
  CHECK(reports.Health(*g, 8, *core::ParseDayNumber("2026-11-30")).ok());
}
