// A write transaction too large for one change set (a big sheet imported at
// once) is sealed as a run of change sets, every one but the last marked
// `continues`; every node applies the run together or not at all
// (docs/protocol.md, "Transactions in parts").
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "community/registry.h"
#include "support/sync_nodes.h"
#include "sync/change_set.h"

using namespace qun;
using namespace qun::testing;
using sync::Outcome;

namespace {

constexpr int64_t kPart = 4096;

// One transaction adding `n` people, each with a long introduction.
void ImportPeople(Node& node, int n) {
  node.Write("member import", [&](core::WriteTxn& t) {
    for (int i = 0; i < n; ++i) {
      std::string handle = "p" + std::to_string(i);
      core::PersonInput in = Person(("成员" + std::to_string(i)).c_str(), handle.c_str());
      in.intro = std::string(300, 'a' + i % 26);
      REQUIRE(node.reg->AddPerson(t, in).ok());
    }
  });
}

sync::ChangeSetHeader HeaderOf(const std::string& bytes) {
  auto cs = sync::ChangeSet::Decode(bytes);
  REQUIRE(cs.ok());
  auto header = sync::ReadHeader(*cs);
  REQUIRE(header.ok());
  return *header;
}

size_t People(Node& node) { return node.reg->ListPeople({})->size(); }

}  // namespace

TEST_CASE("a transaction too large for one change set is sealed in parts, each within bounds") {
  auto ring = Keyring::New();
  Node a(ring, 1'700'000'000'000, nullptr, Community(), false, kPart);
  ImportPeople(a, 40);
  std::vector<std::string> sets = a.Outbox();
  REQUIRE(sets.size() >= 4);
  for (size_t i = 0; i < sets.size(); ++i) {
    sync::ChangeSetHeader h = HeaderOf(sets[i]);
    CHECK(h.seq == i + 1);
    CHECK(h.continues == (i + 1 < sets.size()));
    // The ops of a part stay within the part size; the rest is the header,
    // the note, the signature and the tag.
    CHECK(sets[i].size() < static_cast<size_t>(kPart) + 1024);
  }
  // A small transaction after it is a change set of its own.
  a.Write("member add",
          [&](core::WriteTxn& t) { REQUIRE(a.reg->AddPerson(t, Person("张伟", "zw")).ok()); });
  std::vector<std::string> after = a.Outbox();
  REQUIRE(after.size() == sets.size() + 1);
  CHECK_FALSE(HeaderOf(after.back()).continues);
}

TEST_CASE("the parts of a transaction apply together, and none while one is missing") {
  auto ring = Keyring::New();
  Node a(ring, 1'700'000'000'000, nullptr, Community(), false, kPart);
  Node b(ring, 1'700'000'000'000, &a), c(ring, 1'700'000'000'000, &a);
  ImportPeople(a, 40);
  a.Write("member add",
          [&](core::WriteTxn& t) { REQUIRE(a.reg->AddPerson(t, Person("张伟", "zw")).ok()); });
  std::vector<std::string> sets = a.Outbox();
  REQUIRE(sets.size() >= 5);
  const size_t last_part = sets.size() - 2;  // the small change set follows

  // Everything but the transaction's last part: nothing of it counts, not
  // even its first part, whose turn has come.
  for (size_t i = 0; i < sets.size(); ++i) {
    if (i == last_part) continue;
    CHECK(b.Take(sets[i]) == Outcome::kPending);
  }
  CHECK(People(b) == 0);
  auto first = b.sets->Recheck(sync::ChangeSet::Decode(sets[0])->ComputeHash());
  REQUIRE(first.ok());
  REQUIRE(first->has_value());
  CHECK((*first)->outcome == Outcome::kPending);
  CHECK((*first)->reason.find("rest of its transaction") != std::string::npos);

  // The last part comes: all of it applies, and what waited behind it.
  CHECK(b.Take(sets[last_part]) == Outcome::kApplied);
  CHECK(People(b) == 41);
  CHECK(b.Hash() == a.Hash());
  for (const auto& cs : sets) CHECK(b.Take(cs) == Outcome::kAlreadyHeld);

  // In any order, the same.
  std::mt19937 shuffle(7);
  std::shuffle(sets.begin(), sets.end(), shuffle);
  for (const auto& cs : sets) c.Take(cs);
  CHECK(c.Hash() == a.Hash());
}

TEST_CASE("a transaction whose parts cannot be opened is refused whole, at its first part") {
  auto ring = Keyring::New();
  Node a(ring, 1'700'000'000'000, nullptr, Community(), false, kPart);
  ImportPeople(a, 40);
  std::vector<std::string> sets = a.Outbox();
  REQUIRE(sets.size() >= 3);
  // A node of the same community id holding another key: the parts verify
  // (their author signed them) but cannot be opened.
  Node lacking(Keyring::New(), 1'700'000'000'000, &a);
  for (const auto& cs : sets) lacking.Take(cs);
  CHECK(People(lacking) == 0);
  auto r = lacking.sets->Recheck(sync::ChangeSet::Decode(sets[0])->ComputeHash());
  REQUIRE(r.ok());
  REQUIRE(r->has_value());
  CHECK((*r)->outcome == Outcome::kRejected);
  CHECK((*r)->reason.find("no part of it was applied") != std::string::npos);
}
