#include "sync/held.h"

#include <doctest/doctest.h>

#include "support/test_store.h"
#include "sync/forks.h"

using namespace qun;
using sync::ChangeSetState;

TEST_CASE("change set states keep the texts every database and protocol.md holds") {
  // On disk in every node's database: renaming one would strand them.
  CHECK(sync::StateText(ChangeSetState::kApplied) == "applied");
  CHECK(sync::StateText(ChangeSetState::kPending) == "pending");
  CHECK(sync::StateText(ChangeSetState::kNewer) == "newer");
  CHECK(sync::StateText(ChangeSetState::kEquivocation) == "equivocation");
  CHECK(sync::StateText(ChangeSetState::kRejected) == "rejected");
  for (ChangeSetState s : {ChangeSetState::kApplied, ChangeSetState::kPending,
                           ChangeSetState::kNewer, ChangeSetState::kEquivocation,
                           ChangeSetState::kRejected})
    CHECK(sync::StateFromText(sync::StateText(s)) == s);
  CHECK_FALSE(sync::StateFromText("Applied"));
  CHECK(sync::WithStates("state IN ({pending}, {newer})") == "state IN ('pending', 'newer')");
}

TEST_CASE("change sets are counted by state") {
  qun::testing::TestStore t;
  core::Database& db = t.store->db();
  REQUIRE(db.Exec("INSERT INTO change_set(author, seq, hash, bytes, state) VALUES "
                  "(x'01', 1, x'01', x'', 'applied'), (x'01', 2, x'02', x'', 'pending'), "
                  "(x'02', 1, x'03', x'', 'equivocation')")
              .ok());
  auto n = sync::CountInStates(db, {ChangeSetState::kApplied, ChangeSetState::kEquivocation});
  REQUIRE(n.ok());
  CHECK(*n == 2);
  auto none = sync::CountInStates(db, {ChangeSetState::kRejected});
  REQUIRE(none.ok());
  CHECK(*none == 0);
}

TEST_CASE("a fork's resolution row is named by the node and the seq") {
  core::PublicKey k{};
  k[0] = 0xab;
  CHECK(sync::ForkRowId(k, 7) == core::ToHex(k) + ":7");
}
