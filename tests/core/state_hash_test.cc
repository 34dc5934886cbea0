#include "core/state_hash.h"

#include <doctest/doctest.h>

#include <set>

#include "support/test_store.h"

using namespace qun;
using testing::TestStore;

namespace {
std::string Hash(TestStore& t) {
  auto h = core::StateHash(t.store->db());
  REQUIRE(h.ok());
  return *h;
}
void Write(TestStore& t, const char* row, const char* col, Value v) {
  auto txn = t.Begin();
  REQUIRE(txn->Set("person", row, col, v).ok());
  REQUIRE(txn->Commit().ok());
}
}  // namespace

TEST_CASE("the state hash depends on the data, not on how or when it was written") {
  TestStore a, b;
  CHECK(Hash(a) == Hash(b));
  CHECK(Hash(a).size() == 64);
  Write(a, "p1", "city", std::string("北京"));
  Write(a, "p2", "city", std::string("上海"));
  CHECK(Hash(a) != Hash(b));
  b.clock.Advance(5000);  // other times, other order, an extra overwritten value
  Write(b, "p2", "city", std::string("x"));
  Write(b, "p2", "city", std::string("上海"));
  Write(b, "p1", "city", std::string("北京"));
  CHECK(Hash(a) == Hash(b));
}

TEST_CASE("the state hash tells null, empty text, text and numbers apart") {
  TestStore a, b, c, d;
  for (TestStore* t : {&a, &b, &c, &d}) Write(*t, "p1", "display_name", std::string("x"));
  Write(b, "p1", "notes", std::string(""));
  Write(c, "p1", "notes", std::string("1"));
  Write(d, "p1", "created_at", int64_t{1});  // an integer column keeps its type
  std::set<std::string> hashes = {Hash(a), Hash(b), Hash(c), Hash(d)};
  CHECK(hashes.size() == 4);
}
