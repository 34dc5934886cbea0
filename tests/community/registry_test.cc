#include "community/registry.h"

#include <doctest/doctest.h>

#include "core/ids.h"
#include "support/test_store.h"

using namespace qun;
using testing::TestStore;

namespace {

struct Fixture : TestStore {
  core::Registry reg{*store};

  std::string AddGroup(const std::string& name, int64_t capacity = 500) {
    auto txn = Begin("group add");
    core::GroupInput in;
    in.name = name;
    in.capacity = capacity;
    auto id = reg.AddGroup(*txn, in);
    REQUIRE_MESSAGE(id.ok(), id.status().message());
    REQUIRE(txn->Commit().ok());
    return *id;
  }
  Result<std::string> AddPerson(const std::string& name, std::vector<core::Handle> handles = {},
                                std::vector<std::string> tags = {}) {
    auto txn = Begin("member add");
    core::PersonInput in;
    in.display_name = name;
    in.add_handles = std::move(handles);
    in.add_tags = std::move(tags);
    auto id = reg.AddPerson(*txn, in);
    if (id.ok()) REQUIRE(txn->Commit().ok());
    return id;
  }
  Status Join(const std::string& g, const std::string& p, const std::string& role = "member") {
    auto txn = Begin("member join");
    Status s = reg.Join(*txn, g, p, role, std::nullopt);
    if (s.ok()) REQUIRE(txn->Commit().ok());
    return s;
  }
};

core::Handle H(const char* kind, const char* value) { return *core::NormalizeHandle(kind, value); }

}  // namespace

TEST_CASE("contact handles are normalized so the same person matches however it is typed") {
  CHECK(H("phone", " +86 138-0000 0000 ").value == "+8613800000000");
  CHECK(H("email", "Alice@Example.ORG").value == "alice@example.org");
  CHECK(H("wechat", " wx_1 ").value == "wx_1");
  CHECK(core::NormalizeHandle("phone", "call me").status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(core::NormalizeHandle("email", "no-at-sign").status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(core::NormalizeHandle("fax", "123").status().message().find("wechat, phone, email") !=
        std::string::npos);
}

TEST_CASE("a person added with a handle gets an id derived from it, the same on every node") {
  Fixture a, b;
  auto id_a = a.AddPerson("张伟", {H("wechat", "zw_1")});
  auto id_b = b.AddPerson("Zhang Wei", {H("wechat", "zw_1")});
  REQUIRE(id_a.ok());
  REQUIRE(id_b.ok());
  CHECK(*id_a == *id_b);
  auto id_c = a.AddPerson("无联系方式");
  REQUIRE(id_c.ok());
  CHECK(core::LooksLikeId(*id_c));
  CHECK(*id_c != *id_a);
}

TEST_CASE("a handle belongs to one person: a second person with it is refused") {
  Fixture f;
  REQUIRE(f.AddPerson("张伟", {H("wechat", "zw_1")}).ok());
  auto dup = f.AddPerson("李娜", {H("phone", "13800000000"), H("wechat", "zw_1")});
  CHECK(dup.status().code() == Status::Code::kConflict);
  CHECK(dup.status().message().find("张伟") != std::string::npos);
  CHECK(f.Int("SELECT count(*) FROM person") == 1);
}

TEST_CASE("group names are unique regardless of ASCII case") {
  Fixture f;
  f.AddGroup("Shanghai Founders");
  auto txn = f.Begin();
  core::GroupInput in;
  in.name = "shanghai founders";
  auto dup = f.reg.AddGroup(*txn, in);
  CHECK(dup.status().code() == Status::Code::kConflict);
}

TEST_CASE("enum fields accept only their listed values") {
  Fixture f;
  auto txn = f.Begin();
  core::GroupInput in;
  in.name = "g";
  in.kind = "party";
  auto bad = f.reg.AddGroup(*txn, in);
  CHECK(bad.status().code() == Status::Code::kInvalidArgument);
  CHECK(bad.status().message().find("exchange, course, regional") != std::string::npos);
}

TEST_CASE("references resolve by id prefix, name, nickname or handle, and report ambiguity") {
  Fixture f;
  auto zw = f.AddPerson("张伟", {H("wechat", "zw_1")});
  auto a1 = f.AddPerson("Alice Chen", {H("email", "a1@example.org")});
  auto a2 = f.AddPerson("Alice Chen", {H("email", "a2@example.org")});
  REQUIRE((zw.ok() && a1.ok() && a2.ok()));
  CHECK(*f.reg.ResolvePerson("张伟") == *zw);
  CHECK(*f.reg.ResolvePerson(zw->substr(0, 6)) == *zw);
  CHECK(*f.reg.ResolvePerson("zw_1") == *zw);
  CHECK(*f.reg.ResolvePerson("A2@example.org") == *a2);
  auto amb = f.reg.ResolvePerson("Alice Chen");
  CHECK(amb.status().code() == Status::Code::kConflict);
  CHECK(amb.status().message().find("ambiguous") != std::string::npos);
  CHECK(f.reg.ResolvePerson("nobody").status().code() == Status::Code::kNotFound);
}

TEST_CASE("tags are rows of their own: adding and removing one leaves the others") {
  Fixture f;
  auto id = f.AddPerson("王芳", {}, {"摄影", "跑步"});
  REQUIRE(id.ok());
  auto txn = f.Begin();
  core::PersonInput in;
  in.add_tags = {"读书"};
  in.remove_tags = {"跑步"};
  REQUIRE(f.reg.EditPerson(*txn, *id, in).ok());
  REQUIRE(txn->Commit().ok());
  auto p = f.reg.GetPerson(*id);
  REQUIRE(p.ok());
  CHECK(p->tags == std::vector<std::string>{"摄影", "读书"});
  // The removed tag is a tombstone, not a deleted row.
  CHECK(f.Int("SELECT count(*) FROM person_tag WHERE deleted=1") == 1);
}

TEST_CASE("a removed person disappears from lists and comes back when added again") {
  Fixture f;
  auto id = f.AddPerson("陈静", {H("wechat", "cj_9")});
  REQUIRE(id.ok());
  {
    auto txn = f.Begin();
    REQUIRE(f.reg.RemovePerson(*txn, *id).ok());
    REQUIRE(txn->Commit().ok());
  }
  CHECK(f.reg.ListPeople({})->empty());
  CHECK(f.reg.ResolvePerson("cj_9").status().code() == Status::Code::kNotFound);
  auto again = f.AddPerson("陈静", {H("wechat", "cj_9")});
  REQUIRE(again.ok());
  CHECK(*again == *id);
  CHECK(f.reg.ListPeople({})->size() == 1);
}

TEST_CASE("a full group refuses new members and says how to raise its capacity") {
  Fixture f;
  std::string g = f.AddGroup("小群", 1);
  auto p1 = f.AddPerson("甲");
  auto p2 = f.AddPerson("乙");
  REQUIRE(f.Join(g, *p1).ok());
  Status full = f.Join(g, *p2);
  CHECK(full.code() == Status::Code::kConflict);
  CHECK(full.message().find("--capacity") != std::string::npos);
  // Leaving frees the place.
  auto txn = f.Begin();
  REQUIRE(f.reg.SetMembershipStatus(*txn, g, *p1, "left").ok());
  REQUIRE(txn->Commit().ok());
  CHECK(f.Join(g, *p2).ok());
}

TEST_CASE("membership lists filter by group, status and role") {
  Fixture f;
  std::string g1 = f.AddGroup("一群"), g2 = f.AddGroup("二群");
  auto p = f.AddPerson("赵雨", {}, {"英语"});
  auto q = f.AddPerson("Bob");
  REQUIRE(f.Join(g1, *p, "admin").ok());
  REQUIRE(f.Join(g2, *p).ok());
  REQUIRE(f.Join(g1, *q).ok());
  core::MembershipFilter by_person;
  by_person.person_id = *p;
  CHECK(f.reg.ListMemberships(by_person)->size() == 2);
  core::PersonFilter admins;
  admins.group_id = g1;
  admins.role = "admin";
  auto list = f.reg.ListPeople(admins);
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].display_name == "赵雨");
  core::PersonFilter tagged;
  tagged.tag = "英语";
  CHECK(f.reg.ListPeople(tagged)->size() == 1);
  CHECK(f.Join(g1, *p).code() == Status::Code::kConflict);  // already active
}

TEST_CASE("a handle given up by one person can be used by someone new") {
  Fixture f;
  auto jia = f.AddPerson("甲", {H("wechat", "typo1")});
  REQUIRE(jia.ok());
  {
    auto txn = f.Begin();
    core::PersonInput in;
    in.remove_handles = {H("wechat", "typo1")};
    in.add_handles = {H("wechat", "right1")};
    REQUIRE(f.reg.EditPerson(*txn, *jia, in).ok());
    REQUIRE(txn->Commit().ok());
  }
  auto yi = f.AddPerson("乙", {H("wechat", "typo1")});
  REQUIRE_MESSAGE(yi.ok(), yi.status().message());
  CHECK(*yi != *jia);
  CHECK(*f.reg.ResolvePerson("typo1") == *yi);
  CHECK(*f.reg.ResolvePerson("right1") == *jia);
}

TEST_CASE("a removed person comes back when added again with any handle they held") {
  Fixture f;
  auto id = f.AddPerson("甲", {H("phone", "13800000001")});
  REQUIRE(id.ok());
  {
    auto txn = f.Begin();
    core::PersonInput in;
    in.add_handles = {H("wechat", "jia1")};
    in.city = "成都";
    REQUIRE(f.reg.EditPerson(*txn, *id, in).ok());
    REQUIRE(f.reg.RemovePerson(*txn, *id).ok());
    REQUIRE(txn->Commit().ok());
  }
  auto again = f.AddPerson("甲", {H("wechat", "jia1")});
  REQUIRE(again.ok());
  CHECK(*again == *id);
  CHECK(f.reg.GetPerson(*id)->city == "成都");
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
