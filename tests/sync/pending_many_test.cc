// Thousands of change sets that come out of order: each waits on disk until
// what it builds on has come, and they all apply once it has. Applying them
// used to read every waiting change set again for each one applied.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "support/sync_nodes.h"

using namespace qun;
using namespace qun::testing;

namespace {

int Waiting(Node& n) {
  auto s = n.store->db().Prepare("SELECT count(*) FROM change_set WHERE state = 'pending'");
  REQUIRE(s.ok());
  REQUIRE(*s->Step());
  return static_cast<int>(s->Int(0));
}

uint64_t AppliedOf(Node& n, const Node& author) {
  auto v = n.sets->Vector();
  REQUIRE(v.ok());
  auto it = v->find(author.id->public_key());
  return it == v->end() ? 0 : it->second;
}

}  // namespace

TEST_CASE("thousands of change sets in reverse order wait, then all apply when the first comes") {
  auto nodes = Founded(Keyring::New(), 2);
  Node &a = *nodes[0], &b = *nodes[1];
  uint64_t before = AppliedOf(b, a);
  const int n = 3000;
  for (int i = 0; i < n; ++i) {
    a.Write("member edit", [&](core::WriteTxn& t) {
      REQUIRE(
          t.Set("person", "p" + std::to_string(i % 50), "city", "城市" + std::to_string(i)).ok());
    });
    REQUIRE(a.sets->SealLocal().ok());
  }
  std::vector<std::string> sets = a.Outbox(*b.sets->Vector());
  REQUIRE(sets.size() == n);
  std::reverse(sets.begin(), sets.end());
  for (size_t i = 0; i + 1 < sets.size(); ++i) REQUIRE(b.Take(sets[i]) == Outcome::kPending);
  CHECK(Waiting(b) == n - 1);
  CHECK(AppliedOf(b, a) == before);
  CHECK(b.Take(sets.back()) == Outcome::kApplied);
  CHECK(Waiting(b) == 0);
  CHECK(AppliedOf(b, a) == before + n);
  CHECK(b.Hash() == a.Hash());
}

TEST_CASE("two admins answering each other: thousands of change sets in any order converge") {
  auto nodes = Founded(Keyring::New(), 4);
  Node &a = *nodes[0], &b = *nodes[1], &c = *nodes[2], &d = *nodes[3];
  // Each change set builds on the other admin's last one, so no author's
  // chain can go far without the other's.
  const int rounds = 1000;
  for (int i = 0; i < rounds; ++i) {
    a.Write("member edit", [&](core::WriteTxn& t) {
      REQUIRE(t.Set("person", "p1", "city", "北京" + std::to_string(i)).ok());
    });
    a.SendTo(b);
    b.Write("member edit", [&](core::WriteTxn& t) {
      REQUIRE(t.Set("person", "p1", "notes", "备注" + std::to_string(i)).ok());
    });
    b.SendTo(a);
  }
  REQUIRE(a.Hash() == b.Hash());
  std::vector<std::string> sets = a.Outbox(*c.sets->Vector());
  REQUIRE(sets.size() == 2 * rounds);
  std::mt19937 rng(20261203);
  std::shuffle(sets.begin(), sets.end(), rng);
  for (const std::string& cs : sets) c.Take(cs);
  CHECK(Waiting(c) == 0);
  CHECK(AppliedOf(c, a) == AppliedOf(a, a));
  CHECK(AppliedOf(c, b) == AppliedOf(a, b));
  CHECK(c.Hash() == a.Hash());
  // Reversed, the worst order: nothing applies until the very first comes,
  // then the two chains unblock each other one change set at a time.
  sets = a.Outbox(*d.sets->Vector());
  std::reverse(sets.begin(), sets.end());
  for (size_t i = 0; i + 1 < sets.size(); ++i) REQUIRE(d.Take(sets[i]) == Outcome::kPending);
  CHECK(d.Take(sets.back()) == Outcome::kApplied);
  CHECK(Waiting(d) == 0);
  CHECK(d.Hash() == a.Hash());
}
