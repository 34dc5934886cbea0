#include "community/activity.h"

#include <doctest/doctest.h>

#include "base/dates.h"
#include "core/ids.h"
#include "support/test_store.h"

using namespace qun;
using qun::testing::TestStore;

TEST_CASE("a streak forgives one missed day, not two") {
  auto s = core::StreakOf({10, 11, 13, 14}, 14);
  CHECK(s.current == 4);  // 12 missed: forgiven
  CHECK(s.longest == 4);
  CHECK(s.total == 4);
  s = core::StreakOf({10, 11, 14, 15}, 15);
  CHECK(s.current == 2);  // 12 and 13 missed: broken
  CHECK(s.longest == 2);
  CHECK(core::StreakOf({10, 11, 12}, 14).current == 3);  // 13 missed: still alive on 14
  CHECK(core::StreakOf({10, 11, 12}, 15).current == 0);
  CHECK(core::StreakOf({10, 11, 12}, 15).longest == 3);
  CHECK(core::StreakOf({}, 15).current == 0);
  CHECK(core::StreakOf({10, 20}, 11).total == 1);  // days after the day asked about are not counted
  CHECK(core::StreakOf({10, 12, 14, 16}, 16, 0).current == 1);  // no grace
}

namespace {

struct Group {
  TestStore ts;
  core::Registry reg{*ts.store};
  core::Activity activity{reg, *ts.store};
  std::string group;
  std::vector<std::string> people;
  Group() {
    auto t = ts.Begin();
    core::GroupInput g;
    g.name = "早起打卡群";
    group = *reg.AddGroup(*t, g);
    for (const char* name : {"张伟", "李娜", "外人"}) {
      core::PersonInput p;
      p.display_name = name;
      people.push_back(*reg.AddPerson(*t, p));
    }
    REQUIRE(reg.Join(*t, group, people[0], "member", std::nullopt).ok());
    REQUIRE(reg.Join(*t, group, people[1], "member", std::nullopt).ok());
    REQUIRE(t->Commit().ok());
  }
  int64_t Today() { return core::LocalDay(core::NowMs(*ts.store)); }
  Result<std::string> CheckIn(int i, int64_t day) {
    Result<std::string> out = Status::Internal("not run");
    auto t = ts.Begin();
    out = activity.CheckIn(*t, group, people[i], day, "");
    if (out.ok()) REQUIRE(t->Commit().ok());
    return out;
  }
};

}  // namespace

TEST_CASE("check-ins: members only, once per day on this node, none in the future") {
  Group g;
  int64_t today = g.Today();
  REQUIRE(g.CheckIn(0, today).ok());
  REQUIRE(g.CheckIn(0, today - 1).ok());
  auto twice = g.CheckIn(0, today);
  CHECK(twice.status().code() == Status::Code::kConflict);
  CHECK(twice.status().message().find("already checked in") != std::string::npos);
  auto outsider = g.CheckIn(2, today);
  CHECK(outsider.status().code() == Status::Code::kNotFound);
  CHECK(outsider.status().message().find("qun member join") != std::string::npos);
  CHECK(g.CheckIn(1, today + 1).status().code() == Status::Code::kInvalidArgument);
  CHECK(g.ts.Int("SELECT count(*) FROM activity") == 2);

  auto streaks = *g.activity.Streaks(g.group, today);
  REQUIRE(streaks.size() == 2);
  CHECK(streaks[0].person_name == "张伟");
  CHECK(streaks[0].current == 2);
  CHECK(streaks[1].current == 0);

  // Undone by mistake: gone from lists and streaks.
  auto t = g.ts.Begin();
  REQUIRE(g.activity.Remove(*t, (*g.activity.List({}))[0].id).ok());
  REQUIRE(t->Commit().ok());
  CHECK(g.activity.List({})->size() == 1);
}

TEST_CASE("a stated fact is recorded once per person, kind, day and source") {
  Group g;
  int64_t day = g.Today() - 10;
  auto once = [&](int who, int64_t d, const std::string& source) {
    auto t = g.ts.Begin();
    auto r = g.activity.RecordStated(*t, g.group, g.people[who], "talk", d, source);
    if (r.ok()) REQUIRE(t->Commit().ok());
    return r;
  };
  CHECK(*once(0, day, "sheet") == true);
  CHECK(*once(0, day, "sheet") == false);  // the same sheet again
  CHECK(*once(0, day, "chat") == true);    // another source states it too
  CHECK(*once(0, day - 1, "sheet") == true);
  CHECK(*once(1, day, "sheet") == true);
  CHECK(g.ts.Int("SELECT count(*) FROM activity") == 4);
  std::string id = (*g.activity.List({}))[0].id;
  // Removed by an admin: not brought back by the next import.
  {
    auto t = g.ts.Begin();
    REQUIRE(g.activity.Remove(*t, id).ok());
    REQUIRE(t->Commit().ok());
  }
  CHECK(g.activity.List({})->size() == 3);
  for (int who : {0, 1})
    for (int64_t d : {day, day - 1}) (void)once(who, d, "sheet");
  CHECK(g.activity.List({})->size() == 4);  // 李娜 on day - 1 is new; the removed one stays gone
  // Not for outsiders, not in the future, only known kinds.
  CHECK(once(2, day, "sheet").status().code() == Status::Code::kNotFound);
  CHECK(once(0, g.Today() + 1, "sheet").status().code() == Status::Code::kInvalidArgument);
  auto t = g.ts.Begin();
  CHECK_FALSE(g.activity.RecordStated(*t, g.group, g.people[0], "gossip", day, "sheet").ok());
}

TEST_CASE("homework after the deadline is recorded as late, and the first submission decides") {
  Group g;
  int64_t now = core::NowMs(*g.ts.store);
  std::string topic;
  {
    auto t = g.ts.Begin();
    topic = *g.activity.AddTopic(*t, g.group, "第1周：晨读", now - 3'600'000);
    REQUIRE(t->Commit().ok());
  }
  auto submit = [&](int i, int64_t at) {
    auto t = g.ts.Begin();
    auto r = g.activity.Submit(*t, topic, g.people[i], "作业", at);
    if (r.ok()) REQUIRE(t->Commit().ok());
    return r;
  };
  auto on_time = submit(0, now - 7'200'000);
  REQUIRE(on_time.ok());
  CHECK_FALSE(on_time->late);
  auto second = submit(0, now);
  REQUIRE(second.ok());
  CHECK(second->late);
  CHECK(second->count == 2);
  CHECK(submit(2, now).status().code() == Status::Code::kNotFound);  // not a member
  auto status = *g.activity.TopicStatus(topic);
  REQUIRE(status.size() == 2);
  CHECK(status[0].person_name == "张伟");
  CHECK(status[0].state == "on time");
  CHECK(status[1].person_name == "李娜");
  CHECK(status[1].state == "missing");
  auto late = submit(1, now);
  REQUIRE(late.ok());
  CHECK(late->late);
  status = *g.activity.TopicStatus(topic);
  CHECK(status[1].state == "late");
  CHECK(g.activity.ListTopics(g.group)->at(0).submissions == 2);
}

TEST_CASE("homework rows written under another group never count toward a topic") {
  Group g;
  std::string other;
  std::string topic;
  int64_t now = core::NowMs(*g.ts.store);
  {
    auto t = g.ts.Begin();
    core::GroupInput in;
    in.name = "别的群";
    other = *g.reg.AddGroup(*t, in);
    topic = *g.activity.AddTopic(*t, g.group, "第2周", now + 3'600'000);
    // An admin of the other group names this topic in a row of its own.
    std::string rogue = core::GroupRowId(other, core::RandomId());
    REQUIRE(t->Set("activity", rogue, "person_id", g.people[2]).ok());
    REQUIRE(t->Set("activity", rogue, "kind", std::string("homework")).ok());
    REQUIRE(t->Set("activity", rogue, "day", core::DayText(core::LocalDay(now))).ok());
    REQUIRE(t->Set("activity", rogue, "at", now).ok());
    REQUIRE(t->Set("activity", rogue, "ref", topic).ok());
    REQUIRE(t->Set("activity", rogue, "deleted", int64_t{0}).ok());
    REQUIRE(t->Commit().ok());
  }
  CHECK(g.activity.ListTopics(g.group)->at(0).submissions == 0);
  auto status = *g.activity.TopicStatus(topic);
  CHECK(status.size() == 2);  // the two members, both missing; not 外人
  for (const auto& e : status) CHECK(e.state == "missing");
}
