// The lookups Qun makes for every change set applied, every sync and every
// line of an imported sheet must search an index. Each of these once read
// every row instead and made a stage grow with the square of the history
// (docs/performance.md); the query plans are checked here because a test
// on time could not be trusted on a shared machine.
#include <doctest/doctest.h>

#include <string>

#include "support/test_store.h"
#include "sync/change_set_store.h"

using qun::testing::TestStore;

namespace {

std::string Plan(TestStore& t, const std::string& sql) {
  auto s = t.store->db().Prepare("EXPLAIN QUERY PLAN " + sql);
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  std::string plan;
  while (true) {
    auto row = s->Step();
    REQUIRE(row.ok());
    if (!*row) break;
    plan += s->Text(3) + "\n";
  }
  return plan;
}

bool Has(const std::string& plan, const std::string& part) {
  return plan.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("a node's version vector and an author's equivocations come from an index alone") {
  TestStore t;
  // ReadVector (sync/held.cc), at the start of every sync.
  // A search per author, never a scan of the change sets or of an index.
  std::string vector = Plan(t, qun::sync::kVectorQuery);
  CHECK(Has(vector, "SEARCH change_set USING COVERING INDEX change_set_by_author (author>?)"));
  CHECK(Has(vector, "COVERING INDEX change_set_by_author_state (author=? AND state=?)"));
  CHECK(!Has(vector, "SCAN change_set"));
  // Quarantined, before each change set is applied.
  std::string quarantined =
      Plan(t, "SELECT DISTINCT seq FROM change_set WHERE author = ? AND state = 'equivocation'");
  CHECK(Has(quarantined, "COVERING INDEX change_set_by_author_state (author=? AND state=?)"));
  // AppliedSeq, for each change set received.
  std::string applied =
      Plan(t, "SELECT coalesce(max(seq), 0) FROM change_set WHERE author=? AND state='applied'");
  CHECK(Has(applied, "COVERING INDEX change_set_by_author_state (author=? AND state=?)"));
  // ApplyPending, after each change set applied while others wait: the
  // waiting ones, never every change set; then each author's next ones.
  std::string waiting =
      Plan(t, "SELECT DISTINCT author FROM change_set WHERE state IN ('pending', 'newer')");
  CHECK(Has(waiting, "SEARCH change_set USING INDEX change_set_by_state (state=?)"));
  CHECK(!Has(waiting, "SCAN change_set"));
  std::string next = Plan(t,
                          "SELECT id, bytes FROM change_set WHERE author = ? AND seq = ? AND state "
                          "IN ('pending', 'newer') ORDER BY id");
  CHECK(Has(next, "SEARCH change_set USING INDEX change_set_by_author"));
}

TEST_CASE("a person's membership of a group and a group's waitlist are searches") {
  TestStore t;
  const std::string from =
      "SELECT m.id FROM membership m JOIN person p ON p.id=m.person_id JOIN chat_group g ON "
      "g.id=m.group_id WHERE m.deleted=0 AND p.deleted=0 AND g.deleted=0 AND m.group_id=? ";
  CHECK(Has(Plan(t, from + "AND m.person_id=?"),
            "INDEX membership_by_group_person (group_id=? AND person_id=?)"));
  CHECK(Has(Plan(t, from + "AND m.status=?"),
            "INDEX membership_by_group_status (group_id=? AND status=?)"));
}
