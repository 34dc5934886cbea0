// Thousands of change sets that come out of order: each waits on disk until
// what it builds on has come, and they all apply once it has. Applying them
// used to read every waiting change set again for each one applied.
#include <doctest/doctest.h>
#include <malloc.h>

#include <algorithm>
#include <fstream>
#include <random>

#include "support/sync_nodes.h"
#include "sync/bundle.h"

using namespace qun;
using namespace qun::testing;

namespace {

// AddressSanitizer keeps freed memory back for a while: there, resident
// memory says nothing of what the code holds on to.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kKeepsFreedMemory = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kKeepsFreedMemory = true;
#else
constexpr bool kKeepsFreedMemory = false;
#endif
#else
constexpr bool kKeepsFreedMemory = false;
#endif

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

// This process's resident memory now, in KiB (VmRSS).
long ResidentKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  FAIL("no VmRSS in /proc/self/status");
  return 0;
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

TEST_CASE("what waits is kept on disk: memory does not grow with the change sets waiting") {
  auto ring = Keyring::New();
  Node a(ring);
  Node b(ring, 1'700'000'000'000, &a, Community(), /*on_disk=*/true);
  a.Invite(b);
  a.SendTo(b);
  // 2,000 change sets of about 16 KiB each, 32 MiB in all, written to a
  // bundle in reverse order so that the test itself holds one at a time.
  const int n = 2000;
  std::string notes;
  // Just under the 16 KiB a person's notes may hold (core/field_text.h).
  while (notes.size() < 16 * 1024 - 64) notes += "活动记录与备注。";
  for (int i = 0; i < n; ++i) {
    a.Write("member edit", [&](core::WriteTxn& t) {
      REQUIRE(
          t.Set("person", "p" + std::to_string(i % 50), "notes", notes + std::to_string(i)).ok());
    });
    REQUIRE(a.sets->SealLocal().ok());
  }
  std::string path = b.dir.path() + "/reversed.qun";
  {
    std::vector<std::string> sets = a.Outbox(*b.sets->Vector());
    REQUIRE(sets.size() == n);
    auto writer = sync::BundleWriter::Create(path, a.community.id);
    REQUIRE(writer.ok());
    for (auto it = sets.rbegin(); it != sets.rend(); ++it) REQUIRE((*writer)->Add(*it).ok());
    REQUIRE((*writer)->Finish().ok());
  }
  // SQLite's page cache (64 MiB in Qun) is the one thing that grows with
  // the database; a small one shows what else does.
  REQUIRE(b.store->db().Exec("PRAGMA cache_size=-4096").ok());
  malloc_trim(0);
  auto reader = sync::BundleReader::Open(path);
  REQUIRE(reader.ok());
  long base = ResidentKiB(), highest = base;
  int taken = 0;
  while (true) {
    auto next = (*reader)->Next();
    REQUIRE(next.ok());
    if (!*next) break;
    Outcome o = b.Take(**next);
    CHECK(o == (++taken < n ? Outcome::kPending : Outcome::kApplied));
    if (taken % 100 == 0 || taken == n) highest = std::max(highest, ResidentKiB());
  }
  CHECK(taken == n);
  CHECK(Waiting(b) == 0);
  CHECK(b.Hash() == a.Hash());
  MESSAGE("resident memory: " << base << " KiB before, at most " << highest << " KiB while " << n
                              << " change sets came and applied");
  // The page cache plus a margin, well under the 32 MiB that came.
  if (!kKeepsFreedMemory) CHECK(highest - base < 16 * 1024);
}
