// Events, sign-up lists with their waitlist, attendance and chat imports
// (community/events.h).
#include "community/events.h"

#include <doctest/doctest.h>

#include "base/dates.h"
#include "base/when.h"
#include "core/ids.h"
#include "support/test_store.h"

using namespace qun;
using namespace qun::testing;

namespace {

struct Fixture {
  TestStore ts;
  core::Registry reg{*ts.store};
  core::Events events{reg, *ts.store};
  std::string group;

  Fixture() {
    auto t = ts.Begin();
    core::GroupInput g;
    g.name = "读书会";
    group = *reg.AddGroup(*t, g);
    REQUIRE(t->Commit().ok());
  }

  // A person in the group (or only in the registry when `join` is false).
  std::string Person(const std::string& name, bool join = true, const std::string& nickname = "") {
    auto t = ts.Begin();
    core::PersonInput in;
    in.display_name = name;
    if (!nickname.empty()) in.nickname = nickname;
    auto id = reg.AddPerson(*t, in);
    REQUIRE_MESSAGE(id.ok(), id.status().message());
    if (join) REQUIRE(reg.Join(*t, group, *id, "member", std::nullopt).ok());
    REQUIRE(t->Commit().ok());
    return *id;
  }

  std::string Event(std::optional<int64_t> capacity, const std::string& at = "2026-11-28 14:00") {
    auto t = ts.Begin();
    core::EventInput in;
    in.title = "周六读书会";
    in.starts_at = *core::ParseLocalTime(at);
    in.capacity = capacity;
    in.place = "静安图书馆";
    auto id = events.Add(*t, group, in);
    REQUIRE_MESSAGE(id.ok(), id.status().message());
    REQUIRE(t->Commit().ok());
    return *id;
  }

  Result<core::SignupResult> Signup(const std::string& event, const std::string& person,
                                    int64_t guests = 0, const std::string& note = "") {
    auto t = ts.Begin();
    auto r = events.Signup(*t, event, person, guests, note);
    if (r.ok()) REQUIRE(t->Commit().ok());
    ts.clock.Advance(1000);
    return r;
  }

  core::SignupList List(const std::string& event) {
    auto e = events.Get(event);
    REQUIRE(e.ok());
    auto l = events.Signups(*e);
    REQUIRE(l.ok());
    return *l;
  }

  int64_t Ops() { return ts.Int("SELECT count(*) FROM op"); }
};

std::vector<std::string> People(const std::vector<core::Signup>& v) {
  std::vector<std::string> out;
  for (const auto& s : v) out.push_back(s.person_id);
  return out;
}

core::Signup At(int64_t signed_at, const std::string& id, int64_t guests = 0,
                const std::string& status = "in") {
  core::Signup s;
  s.id = id;
  s.person_id = id;
  s.signed_at = signed_at;
  s.guests = guests;
  s.status = status;
  return s;
}

}  // namespace

TEST_CASE("places fill in order — the first that does not fit and everyone after wait") {
  core::SignupList l;
  core::PlaceSignups(
      {At(1, "a"), At(2, "b", 2), At(3, "c"), At(4, "d", 0, "withdrawn"), At(5, "e")}, int64_t{3},
      l);
  CHECK(People(l.in) == std::vector<std::string>{"a"});
  // b needs 3 places with 2 free: b waits whole, and c and e, who would
  // fit, do not jump ahead of it.
  CHECK(People(l.waitlist) == std::vector<std::string>{"b", "c", "e"});
  CHECK(l.waitlist[2].position == 3);
  CHECK(People(l.withdrawn) == std::vector<std::string>{"d"});
  CHECK(l.places_taken == 1);

  core::SignupList unlimited;
  core::PlaceSignups({At(1, "a", 5), At(2, "b", 9)}, std::nullopt, unlimited);
  CHECK(unlimited.in.size() == 2);
  CHECK(unlimited.waitlist.empty());
  CHECK(unlimited.places_taken == 16);
}

TEST_CASE("sign-ups beyond the capacity go on the waitlist, with their position") {
  Fixture f;
  std::string ev = f.Event(3);
  std::string a = f.Person("张伟"), b = f.Person("李娜"), c = f.Person("王芳");
  auto r1 = f.Signup(ev, a);
  REQUIRE(r1.ok());
  CHECK_FALSE(r1->waitlisted);
  CHECK(r1->position == 1);
  auto r2 = f.Signup(ev, b, 1, "带孩子");
  REQUIRE(r2.ok());
  CHECK(r2->position == 2);
  CHECK(r2->places_taken == 3);
  auto r3 = f.Signup(ev, c);
  REQUIRE(r3.ok());
  CHECK(r3->waitlisted);
  CHECK(r3->position == 1);
  core::SignupList l = f.List(ev);
  CHECK(People(l.in) == std::vector<std::string>{a, b});
  CHECK(People(l.waitlist) == std::vector<std::string>{c});
  CHECK(l.in[1].note == "带孩子");
  CHECK(l.in[1].guests == 1);
  CHECK(l.in[0].name == "张伟");
}

TEST_CASE("a withdrawal moves the first on the waitlist up — signing up again goes to the end") {
  Fixture f;
  std::string ev = f.Event(2);
  std::string a = f.Person("张伟"), b = f.Person("李娜"), c = f.Person("王芳");
  REQUIRE(f.Signup(ev, a).ok());
  REQUIRE(f.Signup(ev, b).ok());
  REQUIRE(f.Signup(ev, c).ok());
  {
    auto t = f.ts.Begin();
    auto r = f.events.Withdraw(*t, ev, a);
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(r->moved_up == std::vector<std::string>{c});
    REQUIRE(t->Commit().ok());
  }
  core::SignupList l = f.List(ev);
  CHECK(People(l.in) == std::vector<std::string>{b, c});
  CHECK(People(l.withdrawn) == std::vector<std::string>{a});
  auto again = f.Signup(ev, a);
  REQUIRE(again.ok());
  CHECK(again->waitlisted);
  l = f.List(ev);
  CHECK(People(l.waitlist) == std::vector<std::string>{a});
  // Withdrawing twice, or someone never signed up, says so.
  {
    auto t = f.ts.Begin();
    REQUIRE(f.events.Withdraw(*t, ev, a).ok());
    REQUIRE(t->Commit().ok());
  }
  std::string d = f.Person("赵强");
  auto t = f.ts.Begin();
  int64_t before = f.Ops();
  auto twice = f.events.Withdraw(*t, ev, a);
  CHECK(twice.status().code() == Status::Code::kConflict);
  auto never = f.events.Withdraw(*t, ev, d);
  CHECK(never.status().code() == Status::Code::kNotFound);
  CHECK(never.status().message().find("not signed up") != std::string::npos);
  CHECK(f.Ops() == before);
}

TEST_CASE("signing up twice is a conflict that names the position — nothing is written") {
  Fixture f;
  std::string ev = f.Event(1);
  std::string a = f.Person("张伟"), b = f.Person("李娜");
  REQUIRE(f.Signup(ev, a).ok());
  REQUIRE(f.Signup(ev, b).ok());
  int64_t before = f.Ops();
  auto again = f.Signup(ev, a);
  CHECK(again.status().code() == Status::Code::kConflict);
  CHECK(again.status().message().find("already signed up") != std::string::npos);
  CHECK(again.status().message().find("position 1") != std::string::npos);
  auto waiting = f.Signup(ev, b);
  CHECK(waiting.status().message().find("waitlist at position 1") != std::string::npos);
  CHECK(f.Ops() == before);
}

TEST_CASE("only members holding a place in the event's group can sign up") {
  Fixture f;
  std::string ev = f.Event(std::nullopt);
  std::string outsider = f.Person("路人", false);
  auto r = f.Signup(ev, outsider);
  CHECK(r.status().code() == Status::Code::kNotFound);
  CHECK(r.status().message().find("is not in the group") != std::string::npos);
  std::string gone = f.Person("李娜");
  {
    auto t = f.ts.Begin();
    REQUIRE(f.reg.SetMembershipStatus(*t, f.group, gone, "left").ok());
    REQUIRE(t->Commit().ok());
  }
  CHECK(f.Signup(ev, gone).status().code() == Status::Code::kConflict);
  CHECK(f.ts.Int("SELECT count(*) FROM signup") == 0);
}

TEST_CASE("a closed or cancelled event refuses sign-ups with a clear message") {
  Fixture f;
  std::string ev = f.Event(10);
  std::string a = f.Person("张伟");
  for (const char* status : {"closed", "cancelled"}) {
    auto t = f.ts.Begin();
    core::EventInput in;
    in.status = status;
    REQUIRE(f.events.Edit(*t, ev, in).ok());
    REQUIRE(t->Commit().ok());
    auto r = f.Signup(ev, a);
    CHECK(r.status().code() == Status::Code::kConflict);
    CHECK(r.status().message().find("--status open") != std::string::npos);
  }
  CHECK(f.ts.Int("SELECT count(*) FROM signup") == 0);
}

TEST_CASE("bad event input is refused: no title, no start, an end before the start, bad values") {
  Fixture f;
  auto t = f.ts.Begin();
  core::EventInput in;
  in.starts_at = *core::ParseLocalTime("2026-11-28 14:00");
  CHECK(f.events.Add(*t, f.group, in).status().code() == Status::Code::kInvalidArgument);
  in.title = "读书会";
  in.ends_at = *core::ParseLocalTime("2026-11-28 13:00");
  auto early = f.events.Add(*t, f.group, in);
  CHECK(early.status().code() == Status::Code::kInvalidArgument);
  CHECK(early.status().message().find("after the start") != std::string::npos);
  in.ends_at.reset();
  in.mode = "hybrid";
  CHECK(f.events.Add(*t, f.group, in).status().code() == Status::Code::kInvalidArgument);
  in.mode.reset();
  in.capacity = -2;
  CHECK(f.events.Add(*t, f.group, in).status().code() == Status::Code::kInvalidArgument);
  in.capacity.reset();
  in.starts_at.reset();
  CHECK(f.events.Add(*t, f.group, in).status().code() == Status::Code::kInvalidArgument);
  CHECK(t->ops_written() == 0);
}

TEST_CASE("editing changes only the fields given — capacity 0 and end 0 remove them") {
  Fixture f;
  std::string ev = f.Event(2);
  {
    auto t = f.ts.Begin();
    core::EventInput in;
    in.ends_at = *core::ParseLocalTime("2026-11-28 16:00");
    in.mode = "online";
    REQUIRE(f.events.Edit(*t, ev, in).ok());
    REQUIRE(t->Commit().ok());
  }
  auto e = f.events.Get(ev);
  CHECK(e->ends_at == *core::ParseLocalTime("2026-11-28 16:00"));
  CHECK(e->mode == "online");
  CHECK(e->place == "静安图书馆");
  CHECK(e->capacity == int64_t{2});
  {
    auto t = f.ts.Begin();
    core::EventInput in;
    in.capacity = 0;
    in.ends_at = 0;
    in.place = "";
    REQUIRE(f.events.Edit(*t, ev, in).ok());
    REQUIRE(t->Commit().ok());
  }
  e = f.events.Get(ev);
  CHECK_FALSE(e->capacity.has_value());
  CHECK(e->ends_at == 0);
  CHECK(e->place.empty());
  // Moving the start after the end is refused.
  auto t = f.ts.Begin();
  core::EventInput in;
  in.ends_at = *core::ParseLocalTime("2026-11-28 16:00");
  in.starts_at = *core::ParseLocalTime("2026-11-28 17:00");
  CHECK(f.events.Edit(*t, ev, in).code() == Status::Code::kInvalidArgument);
}

TEST_CASE("the list shows upcoming events — --all adds past and cancelled ones") {
  Fixture f;
  f.ts.clock.Set(static_cast<uint64_t>(*core::ParseLocalTime("2026-11-20 12:00")));
  std::string past = f.Event(std::nullopt, "2026-11-01 10:00");
  std::string today = f.Event(std::nullopt, "2026-11-20 09:00");
  std::string later = f.Event(std::nullopt, "2026-12-05 10:00");
  std::string cancelled = f.Event(std::nullopt, "2026-12-06 10:00");
  {
    auto t = f.ts.Begin();
    core::EventInput in;
    in.status = "cancelled";
    REQUIRE(f.events.Edit(*t, cancelled, in).ok());
    REQUIRE(t->Commit().ok());
  }
  int64_t now = core::NowMs(*f.ts.store);
  auto upcoming = f.events.List(std::nullopt, false, now);
  REQUIRE(upcoming.ok());
  REQUIRE(upcoming->size() == 2);
  CHECK((*upcoming)[0].id == today);
  CHECK((*upcoming)[1].id == later);
  auto all = f.events.List(f.group, true, now);
  REQUIRE(all->size() == 4);
  CHECK((*all)[0].id == past);
}

TEST_CASE("attendance is a fact for the event's day — twice writes nothing — absent tombstones it") {
  Fixture f;
  std::string ev = f.Event(5);
  std::string a = f.Person("张伟"), walk_in = f.Person("李娜"), outsider = f.Person("路人", false);
  REQUIRE(f.Signup(ev, a).ok());
  auto mark = [&](const std::string& p, bool attended) {
    auto t = f.ts.Begin();
    auto r = f.events.MarkAttendance(*t, ev, p, attended);
    if (r.ok()) REQUIRE(t->Commit().ok());
    return r;
  };
  CHECK(*mark(a, true));
  CHECK_FALSE(*mark(a, true));
  CHECK(*mark(walk_in, true));
  CHECK(mark(outsider, true).status().code() == Status::Code::kNotFound);
  CHECK(f.ts.Int("SELECT count(*) FROM activity WHERE kind = 'attendance' AND deleted = 0") == 2);
  CHECK(f.ts.Int("SELECT count(*) FROM activity WHERE day = '2026-11-28'") == 2);
  core::SignupList l = f.List(ev);
  CHECK(l.in[0].attended);
  REQUIRE(l.walk_ins.size() == 1);
  CHECK(l.walk_ins[0].name == "李娜");
  CHECK(*mark(a, false));
  CHECK_FALSE(*mark(a, false));
  l = f.List(ev);
  CHECK_FALSE(l.in[0].attended);
  CHECK(l.attended.size() == 1);
}

TEST_CASE("attendance at a cancelled event is refused") {
  Fixture f;
  std::string ev = f.Event(5);
  std::string a = f.Person("张伟");
  auto t = f.ts.Begin();
  core::EventInput in;
  in.status = "cancelled";
  REQUIRE(f.events.Edit(*t, ev, in).ok());
  auto r = f.events.MarkAttendance(*t, ev, a, true);
  CHECK(r.status().code() == Status::Code::kConflict);
}

TEST_CASE("the retrospective replaces the old one — an empty one is refused") {
  Fixture f;
  std::string ev = f.Event(5);
  auto t = f.ts.Begin();
  REQUIRE(f.events.SetRetro(*t, ev, "  来了18人，下次换大一点的场地\n").ok());
  CHECK(f.events.SetRetro(*t, ev, " \n").code() == Status::Code::kInvalidArgument);
  REQUIRE(t->Commit().ok());
  CHECK(f.events.Get(ev)->retro == "来了18人，下次换大一点的场地");
}

TEST_CASE("a pasted list signs up matched people in its order — a second import adds nothing") {
  Fixture f;
  std::string ev = f.Event(3);
  std::string a = f.Person("张伟"), b = f.Person("李娜", true, "娜娜"), c = f.Person("王芳"),
              d = f.Person("赵强");
  REQUIRE(f.Signup(ev, c).ok());  // already on the list before the paste
  std::string pasted =
      "#接龙\n周六读书会\n\n1. 娜娜 +1\n2. 张伟 晚到\n3. 小明\n4. 王芳\n候补:\n1. 赵强\n";
  auto e = f.events.Get(ev);
  auto plan = f.events.PlanChatImport(*e, pasted);
  REQUIRE_MESSAGE(plan.ok(), plan.status().message());
  REQUIRE(plan->to_add.size() == 3);
  CHECK(plan->matches[plan->to_add[0]].person_id == b);
  CHECK(plan->matches[plan->to_add[1]].note == "晚到");
  REQUIRE(plan->already.size() == 1);
  CHECK(plan->matches[plan->already[0]].person_id == c);
  CHECK(plan->matches[2].kind == core::ChatMatch::Kind::kUnmatched);
  CHECK(plan->matches[2].entry.line == 6);
  {
    auto t = f.ts.Begin();
    REQUIRE(f.events.ApplyChatImport(*t, *e, *plan).ok());
    REQUIRE(t->Commit().ok());
  }
  core::SignupList l = f.List(ev);
  // 王芳 signed up first; then the paste in its order: 李娜 (+1), 张伟,
  // then 赵强 from the 候补 block. Three places: 张伟 and 赵强 wait.
  CHECK(People(l.in) == std::vector<std::string>{c, b});
  CHECK(People(l.waitlist) == std::vector<std::string>{a, d});
  CHECK(l.in[1].guests == 1);
  int64_t before = f.Ops();
  auto again = f.events.PlanChatImport(*e, pasted);
  CHECK(again->to_add.empty());
  CHECK(again->already.size() == 4);
  CHECK(f.Ops() == before);
}

TEST_CASE("the chat text lists people by their group or chat nickname") {
  Fixture f;
  std::string ev = f.Event(1);
  std::string a = f.Person("张伟", true, "阿伟"), b = f.Person("李娜");
  REQUIRE(f.Signup(ev, a, 0, "带书").ok());
  REQUIRE(f.Signup(ev, b).ok());
  auto text = f.events.ChatText(*f.events.Get(ev));
  REQUIRE(text.ok());
  CHECK(text->find("1. 阿伟 带书\n候补:\n1. 李娜\n") != std::string::npos);
  CHECK(text->find("报名上限 1 人") != std::string::npos);
}

TEST_CASE("a sign-up's id derives from the event and the person, in the event's group") {
  std::string group(32, 'a');
  std::string event = core::GroupRowId(group, std::string(32, 'b'));
  std::string id = core::Events::SignupId(event, std::string(32, 'c'));
  CHECK(id == core::Events::SignupId(event, std::string(32, 'c')));
  CHECK(id != core::Events::SignupId(event, std::string(32, 'd')));
  CHECK(core::GroupOfRowId(id) == group);
}
