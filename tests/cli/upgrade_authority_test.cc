// Ops that an older version of Qun kept without applying, because it did not
// know their fields, are decided by the authority rules when a newer version
// learns those fields: a node upgraded with them ends where a node that
// received them after upgrading does (docs/security.md, "Fields this version
// does not know").
#include <doctest/doctest.h>

#include <string>

#include "support/cli_runner.h"
#include "support/cli_steps.h"
#include "support/direct_sql.h"

using qun::testing::NodeId;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::StateHashOf;
using qun::testing::TempHome;
using qun::testing::TwoHomes;

namespace {

void Sql(const TempHome& home, const std::string& sql) {
  qun::testing::ExecSql(home.InHome("community.db"), sql);
}

int64_t Count(const TempHome& home, const std::string& sql) {
  return qun::testing::QueryInt(home.InHome("community.db"), sql);
}

}  // namespace

TEST_CASE("ops an older version kept unchecked are decided when a newer one learns their fields") {
  TwoHomes h("测试社区", {"--role", "viewer"});
  Ok(h.a, {"member", "add", "张伟", "--phone", "13800000001"});
  std::string person = OkJson(h.a, {"member", "show", "张伟"}).at("id");
  std::string b = NodeId(h.b), a = NodeId(h.a);

  // The viewer's first change (its join, not sealed yet) is replaced by a
  // ban, as a hostile node can do to its own writes before they are signed.
  Sql(h.b,
      "CREATE TEMP TABLE mine AS SELECT o.txn AS txn, o.hlc AS hlc, o.author AS author FROM "
      "op o JOIN op_author w ON w.id = o.author WHERE w.pubkey = x'" +
          b +
          "' AND NOT EXISTS (SELECT 1 FROM change_set c WHERE c.txn = o.txn) LIMIT 1;"
          "DELETE FROM op WHERE txn = (SELECT txn FROM mine);"
          "INSERT INTO op(txn, tbl, row_id, col, value, hlc, author) SELECT txn, 'ban', "
          "'00112233445566778899aabbccddeeff', c.col, c.value, hlc, author FROM mine, "
          "(SELECT 'person_id' AS col, '" +
          person +
          "' AS value UNION ALL SELECT 'active', 1 UNION ALL SELECT 'reason', 'planted by "
          "a viewer') c;");
  h.Send(h.b, h.a);
  // This version knows bans: refused on arrival.
  CHECK(Count(h.a, "SELECT count(*) FROM op_txn WHERE refused IS NOT NULL") == 1);
  CHECK(Count(h.a, "SELECT count(*) FROM ban WHERE deleted = 0") == 0);
  std::string decided = StateHashOf(h.a);

  // What a node of schema 8 that did not know bans would hold instead: the
  // change set applied, its ops logged, none merged (nothing checked them).
  // The founder's own name stands for a field that is learned and counts.
  Sql(h.a,
      "UPDATE op_txn SET refused = NULL; DELETE FROM ban;"
      "UPDATE node SET name = NULL WHERE id = '" +
          a + "'; DELETE FROM field_clock WHERE tbl = 'node' AND row_id = '" + a +
          "' AND col = 'name';"
          "ALTER TABLE invite_code DROP COLUMN invite; ALTER TABLE op_txn DROP COLUMN "
          "continues; PRAGMA user_version = 8;");
  REQUIRE(Count(h.a, "SELECT count(*) FROM node WHERE name IS NULL AND id = '" + a + "'") == 1);

  // Upgrading decides them as if they had just arrived.
  CHECK(StateHashOf(h.a) == decided);
  CHECK(Count(h.a, "SELECT count(*) FROM ban WHERE deleted = 0") == 0);
  CHECK(Count(h.a, "SELECT count(*) FROM op_txn WHERE refused IS NOT NULL") == 1);
  CHECK(Count(h.a, "SELECT count(*) FROM node WHERE name = '小林'") == 1);
  CHECK(Count(h.a, "SELECT count(*) FROM meta WHERE key IN ('ops_learned', 'authority_dirty')") ==
        0);
  CHECK(qun::testing::Contains(Ok(h.a, {"status", "--rejected"}).out, "ban"));
  Ok(h.a, {"check"});
}
