// Community operations written on several nodes at once merge the same way
// everywhere: concurrent approve and reject of one application resolve
// whole, and concurrent check-ins are all kept.
#include <doctest/doctest.h>

#include "base/dates.h"
#include "community/activity.h"
#include "community/admission.h"
#include "support/sync_nodes.h"

using namespace qun;
using namespace qun::testing;

namespace {

struct Setup {
  Keyring ring = Keyring::New();
  std::vector<std::unique_ptr<Node>> nodes;
  std::string group;
  std::vector<std::string> people;

  explicit Setup(int n, std::vector<uint64_t> clocks = {}) {
    nodes = Founded(ring, n, clocks);
    Node& a = *nodes[0];
    a.Write("setup", [&](core::WriteTxn& t) {
      core::GroupInput g;
      g.name = "读书会";
      g.questions = std::vector<std::string>{"你是谁"};
      group = *a.reg->AddGroup(t, g);
      for (auto [name, wx] : {std::pair{"张伟", "zw1"}, {"李娜", "ln2"}, {"王芳", "wf3"}}) {
        people.push_back(*a.reg->AddPerson(t, Person(name, wx)));
      }
      for (int i = 0; i < 2; ++i) REQUIRE(a.reg->Join(t, group, people[i], "member", {}).ok());
      core::Admission adm(*a.reg, *a.store);
      core::ApplyInput in;
      in.answers = {"学生"};
      REQUIRE(adm.Apply(t, group, people[2], in).ok());
    });
    for (size_t i = 1; i < nodes.size(); ++i) a.SendTo(*nodes[i]);
  }
  void SyncAll() {
    for (int round = 0; round < 2; ++round)
      for (auto& from : nodes)
        for (auto& to : nodes)
          if (from != to) from->SendTo(*to);
  }
};

}  // namespace

TEST_CASE("a concurrent approve and reject of one application resolve whole, alike everywhere") {
  // Each order of clocks: the later decision wins, on every node.
  for (bool approve_later : {false, true}) {
    CAPTURE(approve_later);
    const uint64_t early = 1'700'000'000'000, late = 1'700'000'009'000;
    Setup s(3, {early, approve_later ? early : late, approve_later ? late : early});
    Node& b = *s.nodes[1];
    Node& c = *s.nodes[2];
    b.clock.Advance(60'000);
    c.clock.Advance(60'000);
    b.Write("admission reject", [&](core::WriteTxn& t) {
      core::Admission adm(*b.reg, *b.store);
      REQUIRE(adm.Reject(t, s.group, s.people[2], "名额已满", b.id->node_id()).ok());
    });
    c.Write("admission approve", [&](core::WriteTxn& t) {
      core::Admission adm(*c.reg, *c.store);
      REQUIRE(adm.Approve(t, s.group, s.people[2], {}, c.id->node_id()).ok());
    });
    s.SyncAll();
    std::string hash = s.nodes[0]->Hash();
    for (auto& n : s.nodes) {
      CHECK(n->Hash() == hash);
      core::Admission adm(*n->reg, *n->store);
      auto a = **adm.Get(s.group, s.people[2]);
      // The membership and the decision tell one story.
      if (approve_later) {
        CHECK(a.status == "approved");
        CHECK(a.membership_status == "active");
        CHECK(a.decided_by == c.id->node_id());
        CHECK(a.reason.empty());
      } else {
        CHECK(a.status == "rejected");
        CHECK(a.membership_status == "rejected");
        CHECK(a.decided_by == b.id->node_id());
        CHECK(a.reason == "名额已满");
      }
    }
  }
}

TEST_CASE("an approve and a reject in the same millisecond on two nodes still resolve whole") {
  // Same clocks: the two decisions' HLCs tie, and the author decides; the
  // membership and the decision must come from the same one.
  for (int run = 0; run < 6; ++run) {
    CAPTURE(run);
    const uint64_t t = 1'700'000'000'000;
    Setup s(3, {t, t, t});
    Node& b = *s.nodes[1];
    Node& c = *s.nodes[2];
    b.clock.Set(t + 60'000);
    c.clock.Set(t + 60'000);
    b.Write("admission reject", [&](core::WriteTxn& tx) {
      core::Admission adm(*b.reg, *b.store);
      REQUIRE(adm.Reject(tx, s.group, s.people[2], "名额已满", b.id->node_id()).ok());
    });
    c.Write("admission approve", [&](core::WriteTxn& tx) {
      core::Admission adm(*c.reg, *c.store);
      REQUIRE(adm.Approve(tx, s.group, s.people[2], {}, c.id->node_id()).ok());
    });
    s.SyncAll();
    for (auto& n : s.nodes) {
      CHECK(n->Hash() == s.nodes[0]->Hash());
      core::Admission adm(*n->reg, *n->store);
      auto a = **adm.Get(s.group, s.people[2]);
      bool approved = a.membership_status == "active";
      CHECK(a.status == (approved ? "approved" : "rejected"));
      CHECK(a.decided_by == (approved ? c.id->node_id() : b.id->node_id()));
    }
  }
}

TEST_CASE("check-ins and homework recorded on several nodes at once are all kept") {
  Setup s(3);
  int64_t today = core::LocalDay(1'700'000'000'000);
  // The same person's check-in recorded by two admins, and others'.
  for (int i = 0; i < 3; ++i) {
    Node& n = *s.nodes[i];
    n.Write("checkin", [&](core::WriteTxn& t) {
      core::Activity act(*n.reg, *n.store);
      REQUIRE(act.CheckIn(t, s.group, s.people[0], today, "节点" + std::to_string(i)).ok());
      if (i == 2) REQUIRE(act.CheckIn(t, s.group, s.people[1], today - 1, "").ok());
    });
  }
  s.SyncAll();
  for (auto& n : s.nodes) {
    core::Activity act(*n->reg, *n->store);
    core::ActivityFilter f;
    f.kind = "checkin";
    CHECK(act.List(f)->size() == 4);
    // A day counts once in a streak, however many admins recorded it.
    auto streaks = *act.Streaks(s.group, today);
    REQUIRE(streaks.size() == 2);
    CHECK(streaks[0].total == 1);
    CHECK(streaks[1].total == 1);
    CHECK(n->Hash() == s.nodes[0]->Hash());
  }
}
