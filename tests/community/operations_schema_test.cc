// The ground community operations stand on (migration 007): group-scoped
// row ids, calendar days, references to a group's rows, the content index,
// and the waitlist of a full group.
#include <doctest/doctest.h>
#include <sodium.h>
#include <stdlib.h>

#include <filesystem>

#include "base/dates.h"
#include "community/group_rows.h"
#include "community/registry.h"
#include "core/ids.h"
#include "support/temp_dir.h"
#include "support/test_store.h"

using namespace qun;
using qun::testing::TestStore;

namespace {

// Runs with TZ set, restoring it afterwards.
struct TimeZone {
  std::string old;
  bool had = false;
  explicit TimeZone(const char* tz) {
    if (const char* o = getenv("TZ")) {
      old = o;
      had = true;
    }
    setenv("TZ", tz, 1);
    tzset();
  }
  ~TimeZone() {
    if (had)
      setenv("TZ", old.c_str(), 1);
    else
      unsetenv("TZ");
    tzset();
  }
};

}  // namespace

TEST_CASE("a group's row id carries the group, and nothing else passes for one") {
  std::string g = core::RandomId(), local = core::RandomId();
  std::string id = core::GroupRowId(g, local);
  CHECK(id.size() == 65);
  CHECK(core::GroupOfRowId(id) == g);
  CHECK(core::LocalOfRowId(id) == local);
  CHECK(core::ShortRowId(id) == local.substr(0, 8));
  CHECK(core::GroupOfRowId(g).empty());                      // a plain id
  CHECK(core::GroupOfRowId(g + "." + g.substr(1)).empty());  // short local part
  CHECK(core::GroupOfRowId(g + ":" + local).empty());        // wrong separator
  std::string upper = id;
  upper[0] = 'A';
  CHECK(core::GroupOfRowId(upper).empty());
  CHECK(core::LocalOfRowId(g) == g);
}

TEST_CASE("calendar days: real dates only, and the local day of an instant") {
  CHECK(core::ParseDayNumber("1970-01-01") == 0);
  CHECK(core::ParseDayNumber("2026-11-23") == 20780);
  CHECK(core::DayText(20780) == "2026-11-23");
  CHECK(core::ParseDayNumber("2024-02-29").has_value());
  CHECK_FALSE(core::ParseDayNumber("2026-02-29").has_value());
  CHECK_FALSE(core::ParseDayNumber("2026-13-01").has_value());
  CHECK_FALSE(core::ParseDayNumber("2026-1-01").has_value());
  CHECK_FALSE(core::ParseDayNumber("２０２６-11-23").has_value());
  CHECK(core::Weekday(20780) == 0);  // 2026-11-23 is a Monday
  CHECK(*core::ParseDayArg("yesterday", 20780) == 20779);
  auto bad = core::ParseDayArg("23/11/2026", 20780);
  CHECK(bad.status().code() == Status::Code::kInvalidArgument);
  CHECK(bad.status().message().find("YYYY-MM-DD") != std::string::npos);
  CHECK(*core::ParseDays("60d") == 60);
  CHECK(*core::ParseDays("8w") == 56);
  CHECK(*core::ParseDays("14") == 14);
  CHECK_FALSE(core::ParseDays("-3d").ok());
  CHECK_FALSE(core::ParseDays("d").ok());

  TimeZone shanghai("Asia/Shanghai");
  // 2026-11-23 23:30 in Shanghai is 15:30 UTC the same day; 00:30 the next
  // day in Shanghai is still the 23rd in UTC.
  int64_t late = *core::ParseLocalTime("2026-11-23 23:30");
  CHECK(late == core::LocalMidnightMs(20780) + (23 * 60 + 30) * 60'000);
  CHECK(late == 1'795'447'800'000);  // 15:30 UTC
  CHECK(core::LocalDay(late) == 20780);
  CHECK(core::LocalDay(late + 3'600'000) == 20781);
  CHECK(core::FormatLocalTime(late) == "2026-11-23 23:30");
  CHECK(*core::ParseLocalTime("2026-11-23T23:30") == late);
  CHECK_FALSE(core::ParseLocalTime("2026-11-23 24:00").ok());
  CHECK_FALSE(core::ParseLocalTime("tomorrow").ok());
}

TEST_CASE("a group's rows are found by local id prefix or title, within the group when asked") {
  TestStore ts;
  core::Registry reg(*ts.store);
  std::string g1, g2;
  {
    auto t = ts.Begin();
    core::GroupInput a, b;
    a.name = "读书会";
    b.name = "徒步群";
    g1 = *reg.AddGroup(*t, a);
    g2 = *reg.AddGroup(*t, b);
    REQUIRE(t->Commit().ok());
  }
  std::string e1 = core::GroupRowId(g1, "aaaa1111" + std::string(24, '0'));
  std::string e2 = core::GroupRowId(g2, "aaaa2222" + std::string(24, '0'));
  std::string e3 = core::GroupRowId(g2, "bbbb3333" + std::string(24, '0'));
  {
    auto t = ts.Begin();
    for (auto [id, title] : {std::pair{e1, "周六活动"}, {e2, "周六活动"}, {e3, "爬山"}}) {
      REQUIRE(t->Set("event", id, "title", std::string(title)).ok());
      REQUIRE(t->Set("event", id, "deleted", int64_t{0}).ok());
    }
    REQUIRE(t->Commit().ok());
  }
  core::GroupRowKind kind{"event", "title", "event", "qun event list"};
  core::Database& db = ts.store->db();
  CHECK(*core::ResolveGroupRow(db, kind, "aaaa1") == e1);
  CHECK(*core::ResolveGroupRow(db, kind, "爬山") == e3);
  CHECK(*core::ResolveGroupRow(db, kind, e2) == e2);
  auto ambiguous = core::ResolveGroupRow(db, kind, "aaaa");
  CHECK(ambiguous.status().code() == Status::Code::kConflict);
  CHECK(ambiguous.status().message().find("aaaa1111") != std::string::npos);
  auto same_title = core::ResolveGroupRow(db, kind, "周六活动");
  CHECK(same_title.status().code() == Status::Code::kConflict);
  CHECK(*core::ResolveGroupRow(db, kind, "周六活动", g2) == e2);
  CHECK(*core::ResolveGroupRow(db, kind, "aaaa", g1) == e1);
  auto missing = core::ResolveGroupRow(db, kind, "爬山", g1);
  CHECK(missing.status().code() == Status::Code::kNotFound);
  CHECK(missing.status().message().find("qun event list") != std::string::npos);
}

TEST_CASE("the content index finds Chinese text of three or more characters and follows edits") {
  TestStore ts;
  std::string id = core::GroupRowId(core::RandomId(), core::RandomId());
  auto set = [&](const char* col, const std::string& v) {
    auto t = ts.Begin();
    REQUIRE(t->Set("content", id, col, v).ok());
    REQUIRE(t->Commit().ok());
  };
  set("title", "人像摄影入门：自然光的用法");
  auto hits = [&](const std::string& q) {
    return ts.Int("SELECT count(*) FROM content_fts WHERE content_fts MATCH '\"" + q + "\"'");
  };
  CHECK(hits("自然光") == 1);
  CHECK(hits("摄影入门") == 1);
  CHECK(hits("闪光灯") == 0);
  set("title", "闪光灯的用法");
  CHECK(hits("自然光") == 0);
  CHECK(hits("闪光灯") == 1);
  set("body", "Flash photography basics");
  CHECK(hits("photography") == 1);
}

TEST_CASE("a full group keeps a waitlist and promotes it in order when a place frees") {
  TestStore ts;
  core::Registry reg(*ts.store);
  std::string g;
  std::vector<std::string> people;
  {
    auto t = ts.Begin();
    core::GroupInput in;
    in.name = "小班课";
    in.capacity = 2;
    g = *reg.AddGroup(*t, in);
    for (const char* name : {"甲", "乙", "丙", "丁"}) {
      core::PersonInput p;
      p.display_name = name;
      people.push_back(*reg.AddPerson(*t, p));
    }
    REQUIRE(t->Commit().ok());
  }
  auto join = [&](int i, bool waitlist) {
    auto t = ts.Begin();
    Status st = reg.Join(*t, g, people[i], "member", std::nullopt, waitlist);
    if (st.ok()) REQUIRE(t->Commit().ok());
    ts.clock.Advance(1000);
    return st;
  };
  auto status = [&](int i) { return (*reg.GetMembership(g, people[i]))->status; };
  REQUIRE(join(0, false).ok());
  REQUIRE(join(1, false).ok());
  Status full = join(2, false);
  CHECK(full.code() == Status::Code::kConflict);
  CHECK(full.message().find("--waitlist") != std::string::npos);
  REQUIRE(join(3, true).ok());  // 丁 waits first
  REQUIRE(join(2, true).ok());
  CHECK(status(3) == "waitlisted");
  CHECK(status(2) == "waitlisted");
  CHECK(join(2, true).code() == Status::Code::kConflict);  // already waiting

  {  // 甲 leaves: 丁, first on the waitlist, takes the place.
    auto t = ts.Begin();
    REQUIRE(reg.SetMembershipStatus(*t, g, people[0], "left").ok());
    REQUIRE(t->Commit().ok());
  }
  CHECK(status(3) == "active");
  CHECK(status(2) == "waitlisted");
  CHECK((*reg.GetMembership(g, people[3]))->status_at > 0);
  {  // A muted member keeps their place.
    auto t = ts.Begin();
    REQUIRE(reg.SetMembershipStatus(*t, g, people[1], "muted").ok());
    REQUIRE(t->Commit().ok());
  }
  CHECK(status(2) == "waitlisted");
  {  // Raising the capacity does not promote by itself; PromoteWaitlist does.
    auto t = ts.Begin();
    core::GroupInput in;
    in.capacity = 3;
    REQUIRE(reg.EditGroup(*t, g, in).ok());
    auto promoted = reg.PromoteWaitlist(*t, g);
    REQUIRE(promoted.ok());
    CHECK(*promoted == std::vector<std::string>{people[2]});
    REQUIRE(t->Commit().ok());
  }
  CHECK(status(2) == "active");
}

TEST_CASE("those already waiting get a free place before a newcomer does") {
  TestStore ts;
  core::Registry reg(*ts.store);
  std::string g;
  std::vector<std::string> people;
  auto t = ts.Begin();
  core::GroupInput in;
  in.name = "小班课";
  in.capacity = 2;
  g = *reg.AddGroup(*t, in);
  for (const char* name : {"甲", "乙", "丙"}) {
    core::PersonInput p;
    p.display_name = name;
    people.push_back(*reg.AddPerson(*t, p));
  }
  REQUIRE(reg.Join(*t, g, people[0], "member", std::nullopt).ok());
  // 乙 waits while a place is free: what a merge of two laptops' changes
  // can leave (each freed a place and promoted the same person).
  REQUIRE(reg.SetMembershipStatus(*t, g, people[1], "applicant").ok());
  REQUIRE(t->Set("membership", core::Registry::MembershipId(g, people[1]), "status",
                 std::string("waitlisted"))
              .ok());
  Status newcomer = reg.Join(*t, g, people[2], "member", std::nullopt);
  CHECK(newcomer.code() == Status::Code::kConflict);  // the free place went to 乙
  CHECK((*reg.GetMembership(g, people[1]))->status == "active");
  REQUIRE(reg.Join(*t, g, people[2], "member", std::nullopt, true).ok());
  CHECK((*reg.GetMembership(g, people[2]))->status == "waitlisted");
  REQUIRE(t->Commit().ok());
}

TEST_CASE("a database of schema version 6 opens with its data, and takes the new records") {
  testing::TempDir dir;
  std::filesystem::copy_file(std::string(QUN_TEST_DATA) + "/../compat/db/v6-community.db",
                             dir / "community.db");
  auto store = core::Store::Open(dir / "community.db", {});
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  core::Registry reg(**store);
  auto g = reg.ResolveGroup("读书会");
  REQUIRE(g.ok());
  auto group = *reg.GetGroup(*g);
  CHECK(group.capacity == 2);
  CHECK(group.admission == "application");
  CHECK(group.questions.empty());
  CHECK(group.warning_limit == core::kDefaultWarningLimit);
  CHECK(group.active_members == 1);
  auto zw = *reg.ResolvePerson("zw_v6");
  auto wf = *reg.ResolvePerson("+8613800000006");
  auto m = *reg.GetMembership(*g, wf);
  REQUIRE(m.has_value());
  CHECK(m->status == "left");
  CHECK(m->status_at == 0);  // not recorded before version 7
  CHECK(reg.RequireMember(*g, zw).ok());
  CHECK(reg.RequireMember(*g, wf).status().code() == Status::Code::kConflict);
  // A new kind of record is written through the same path.
  // The founder writes it (the database's own node; its roles are checked).
  auto founder = *(*store)->GetMeta("founder");
  REQUIRE(founder.has_value());
  core::PublicKey me{};
  REQUIRE(sodium_hex2bin(me.data(), me.size(), founder->data(), founder->size(), nullptr, nullptr,
                         nullptr) == 0);
  auto t = (*store)->Begin(me, "checkin");
  REQUIRE(t.ok());
  std::string fact = core::GroupRowId(*g, core::RandomId());
  REQUIRE((*t)->Set("activity", fact, "person_id", zw).ok());
  REQUIRE((*t)->Set("activity", fact, "kind", std::string("checkin")).ok());
  REQUIRE((*t)->Commit().ok());
  auto s = (*store)->db().Prepare("SELECT group_id, kind FROM activity");
  REQUIRE(*s->Step());
  CHECK(s->Text(0) == *g);
  CHECK(s->Text(1) == "checkin");
}
