// Sign-up lists and votes taken by several admins offline merge into the
// same list, waitlist and results on every node.
#include <doctest/doctest.h>

#include <map>

#include "community/events.h"
#include "community/polls.h"
#include "support/sync_nodes.h"

using namespace qun;
using namespace qun::testing;

namespace {

// Every node gives every other what it lacks, until all hold the same.
void ExchangeAll(const std::vector<std::unique_ptr<Node>>& nodes) {
  for (int round = 0; round < 2; ++round)
    for (auto& from : nodes)
      for (auto& to : nodes)
        if (from != to) from->SendTo(*to);
}

struct EventWorld {
  std::vector<std::unique_ptr<Node>> nodes;
  std::string group, event;
  std::map<std::string, std::string> people;  // name -> id

  // `capacity` none: no limit.
  EventWorld(int n, std::optional<int64_t> capacity, const std::vector<uint64_t>& clocks = {})
      : nodes(Founded(Keyring::New(), n, clocks)) {
    Node& a = *nodes[0];
    a.Write("setup", [&](core::WriteTxn& t) {
      core::GroupInput g;
      g.name = "读书会";
      group = *a.reg->AddGroup(t, g);
      int i = 0;
      for (const char* name : {"张伟", "李娜", "王芳", "赵强", "刘洋"}) {
        std::string wx = "wx" + std::to_string(i++);
        auto id = a.reg->AddPerson(t, Person(name, wx.c_str()));
        REQUIRE(id.ok());
        REQUIRE(a.reg->Join(t, group, *id, "member", std::nullopt).ok());
        people[name] = *id;
      }
      core::Events events(*a.reg, *a.store);
      core::EventInput in;
      in.title = "周六读书会";
      in.starts_at = 1'800'000'000'000;
      in.capacity = capacity;
      event = *events.Add(t, group, in);
    });
    ExchangeAll(nodes);
  }

  void Signup(Node& n, const char* name, int64_t guests = 0, const std::string& note = "") {
    n.Write("event signup", [&](core::WriteTxn& t) {
      core::Events events(*n.reg, *n.store);
      auto r = events.Signup(t, event, people.at(name), guests, note);
      REQUIRE_MESSAGE(r.ok(), r.status().message());
    });
  }
  void Withdraw(Node& n, const char* name) {
    n.Write("event withdraw", [&](core::WriteTxn& t) {
      core::Events events(*n.reg, *n.store);
      auto r = events.Withdraw(t, event, people.at(name));
      REQUIRE_MESSAGE(r.ok(), r.status().message());
    });
  }

  // The list as a node computes it: "张伟+1" per sign-up, the waitlist
  // after a "|".
  std::string ListOn(Node& n) {
    core::Events events(*n.reg, *n.store);
    auto e = events.Get(event);
    REQUIRE(e.ok());
    auto l = events.Signups(*e);
    REQUIRE(l.ok());
    std::string out;
    for (const auto& s : l->in)
      out += s.name + (s.guests ? "+" + std::to_string(s.guests) : "") + " ";
    out += "|";
    for (const auto& s : l->waitlist) out += " " + s.name;
    return out;
  }

  // The list on node 0, after checking every node computes the same one
  // and holds the same state.
  std::string SameEverywhere() {
    std::string list = ListOn(*nodes[0]);
    for (size_t i = 1; i < nodes.size(); ++i) {
      CHECK(ListOn(*nodes[i]) == list);
      CHECK(nodes[i]->Hash() == nodes[0]->Hash());
    }
    return list;
  }
};

}  // namespace

TEST_CASE("concurrent sign-ups by three admins merge into one order and waitlist everywhere") {
  EventWorld c(3, 3, {1'700'000'000'000, 1'700'000'000'300, 1'700'000'000'600});
  Node &a = *c.nodes[0], &b = *c.nodes[1], &d = *c.nodes[2];
  // Offline, each admin takes sign-ups; by the clocks, a's come first,
  // then b's, then d's.
  c.Signup(a, "张伟");
  c.Signup(b, "李娜", 1);
  c.Signup(d, "王芳");
  c.Signup(d, "赵强");
  // Before syncing, each sees only its own.
  CHECK(c.ListOn(b) == "李娜+1 |");
  ExchangeAll(c.nodes);
  // Three places: 张伟 (1) and 李娜 with a guest (2) fill them.
  CHECK(c.SameEverywhere() == "张伟 李娜+1 | 王芳 赵强");
}

TEST_CASE("sign-ups made at the same instant on two nodes are ordered by id, the same everywhere") {
  EventWorld c(2, std::nullopt);
  Node &a = *c.nodes[0], &b = *c.nodes[1];
  // Same clocks: the signed_at values tie.
  a.clock.Set(1'750'000'000'000);
  b.clock.Set(1'750'000'000'000);
  c.Signup(a, "张伟");
  c.Signup(b, "李娜");
  ExchangeAll(c.nodes);
  std::string list = c.SameEverywhere();
  core::Events events(*a.reg, *a.store);
  auto l = events.Signups(*events.Get(c.event));
  REQUIRE(l->in.size() == 2);
  CHECK(l->in[0].signed_at == l->in[1].signed_at);
  CHECK(l->in[0].id < l->in[1].id);
}

TEST_CASE("one person signed up concurrently by two admins is one sign-up") {
  EventWorld c(2, 2, {1'700'000'000'000, 1'700'000'001'000});
  Node &a = *c.nodes[0], &b = *c.nodes[1];
  c.Signup(a, "张伟", 1);
  c.Signup(b, "张伟", 0, "晚到");
  c.Signup(b, "李娜");
  ExchangeAll(c.nodes);
  auto count = [&](Node& n) {
    auto s = n.store->db().Prepare("SELECT count(*) FROM signup WHERE deleted = 0");
    REQUIRE(s.ok());
    REQUIRE(*s->Step());
    return s->Int(0);
  };
  CHECK(count(a) == 2);
  CHECK(count(b) == 2);
  // b wrote later: its fields win, so 张伟 comes without a guest and 李娜
  // still fits.
  std::string list = c.SameEverywhere();
  CHECK(list == "张伟 李娜 |");
}

TEST_CASE("a withdrawal on one node and a sign-up on another merge: the waitlist moves up") {
  EventWorld c(2, 2);
  Node &a = *c.nodes[0], &b = *c.nodes[1];
  c.Signup(a, "张伟");
  c.Signup(a, "李娜");
  c.Signup(a, "王芳");
  ExchangeAll(c.nodes);
  CHECK(c.SameEverywhere() == "张伟 李娜 | 王芳");
  // Offline: a takes 张伟 off; b signs 赵强 up (onto b's waitlist).
  c.Withdraw(a, "张伟");
  c.Signup(b, "赵强");
  CHECK(c.ListOn(a) == "李娜 王芳 |");
  CHECK(c.ListOn(b) == "张伟 李娜 | 王芳 赵强");
  ExchangeAll(c.nodes);
  CHECK(c.SameEverywhere() == "李娜 王芳 | 赵强");
}

TEST_CASE("a withdrawal and a re-sign-up of the same person on two nodes resolve to the later") {
  EventWorld c(2, std::nullopt, {1'700'000'000'000, 1'700'000'000'000});
  Node &a = *c.nodes[0], &b = *c.nodes[1];
  c.Signup(a, "张伟");
  c.Signup(a, "李娜");
  ExchangeAll(c.nodes);
  c.Withdraw(a, "张伟");
  b.clock.Advance(5'000);  // b acts later
  c.Withdraw(b, "张伟");
  c.Signup(b, "张伟", 0, "又能来了");
  ExchangeAll(c.nodes);
  CHECK(c.SameEverywhere() == "李娜 张伟 |");
}

TEST_CASE("concurrent votes by the same person resolve to the latest on every node") {
  auto nodes = Founded(Keyring::New(), 2, {1'700'000'000'000, 1'700'000'001'000});
  Node &a = *nodes[0], &b = *nodes[1];
  std::string group, poll, zw, ln;
  a.Write("setup", [&](core::WriteTxn& t) {
    core::GroupInput g;
    g.name = "读书会";
    group = *a.reg->AddGroup(t, g);
    zw = *a.reg->AddPerson(t, Person("张伟", "zw"));
    ln = *a.reg->AddPerson(t, Person("李娜", "ln"));
    REQUIRE(a.reg->Join(t, group, zw, "member", std::nullopt).ok());
    REQUIRE(a.reg->Join(t, group, ln, "member", std::nullopt).ok());
    core::Polls polls(*a.reg, *a.store);
    core::PollInput in;
    in.question = "周六去哪儿？";
    in.options = {"公园", "图书馆", "线上"};
    poll = *polls.Add(t, group, in);
  });
  a.SendTo(b);
  auto vote = [&](Node& n, const std::string& person, int choice) {
    n.Write("poll vote", [&](core::WriteTxn& t) {
      core::Polls polls(*n.reg, *n.store);
      REQUIRE(polls.Vote(t, poll, person, choice).ok());
    });
  };
  vote(a, zw, 0);  // a's clock is a second behind b's
  vote(b, zw, 2);
  vote(a, ln, 1);
  b.SendTo(a);
  a.SendTo(b);
  CHECK(a.Hash() == b.Hash());
  for (Node* n : {&a, &b}) {
    core::Polls polls(*n->reg, *n->store);
    auto r = polls.Results(*polls.Get(poll));
    REQUIRE(r.ok());
    CHECK(r->counts == std::vector<int64_t>{0, 1, 1});
    CHECK(r->total == 2);
  }
}
