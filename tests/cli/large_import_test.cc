// A sheet too large for one change set: the import is one transaction kept
// in parts, each its own change set, that sync through `qun serve` and
// travel in bundles like any other, and apply together on every node
// (docs/protocol.md, "Transactions in parts"). QUN_PART_BYTES makes the
// parts small, so that 240 people make many of them.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/background.h"
#include "support/cli_runner.h"
#include "support/cli_steps.h"
#include "support/direct_sql.h"

using nlohmann::json;
using qun::testing::CliOptions;
using qun::testing::CliResult;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::Server;
using qun::testing::StateHashOf;
using qun::testing::TempHome;

namespace {

int64_t Count(const TempHome& home, const std::string& sql) {
  return qun::testing::QueryInt(home.InHome("community.db"), sql);
}

}  // namespace

TEST_CASE("a sheet too large for one change set syncs through serve and bundles, whole") {
  TempHome a, b, c;
  CliOptions small;
  small.env["QUN_PART_BYTES"] = "32768";
  Ok(a, {"init", "--name", "湾区读书会", "--admin", "王芳"});
  Ok(a, {"group", "add", "G1", "--capacity", "1000"});
  CliResult imported = a.Qun(
      {"import", "members", std::string(QUN_TEST_DATA) + "/members-sample.csv", "--group", "G1"},
      small);
  REQUIRE_EXIT(imported, 0);
  int64_t people = Count(a, "SELECT count(*) FROM person WHERE deleted = 0");
  CHECK(people >= 200);
  // One transaction, kept in parts.
  int64_t parts = Count(a, "SELECT count(*) FROM op_txn WHERE continues = 1");
  CHECK(parts >= 3);
  CHECK(Count(a, "SELECT count(DISTINCT note) FROM op_txn WHERE continues = 1") == 1);
  // Sealed, each part is a change set of its own, within twice the part
  // size (a part ends where a row of the sheet begins), padding and header
  // included; and no row of the sheet is cut in two.
  Ok(a, {"check"});
  CHECK(Count(a, "SELECT count(*) FROM change_set WHERE length(bytes) > 70000") == 0);
  CHECK(Count(a,
              "SELECT count(*) FROM (SELECT row_id FROM op WHERE tbl = 'person' GROUP BY "
              "row_id HAVING count(DISTINCT txn) > 1)") == 0);

  // Through `qun serve`, to a node that joins by code.
  Server server = Server::Start(a, "a");
  std::string code =
      OkJson(a, {"invite", "--code", "--address", server.address()}).at("code").get<std::string>();
  Ok(b, {"join", code});
  CHECK(StateHashOf(b) == StateHashOf(a));
  CHECK(Count(b, "SELECT count(*) FROM person WHERE deleted = 0") == people);
  CHECK(Count(b, "SELECT count(*) FROM op_txn WHERE continues = 1") == parts);

  // In a bundle, to a node that joins by file.
  Ok(c, {"init", "--join", "--admin", "陈"});
  Ok(a, {"invite", qun::testing::NodeId(c), "-o", a.Beside("c.invite")});
  Ok(c, {"join", a.Beside("c.invite")});
  Ok(c, {"bundle", "vector", "-o", c.Beside("c.vector")});
  Ok(a, {"bundle", "export", "--for", c.Beside("c.vector"), "-o", a.Beside("to-c.qunb")});
  Ok(c, {"bundle", "import", a.Beside("to-c.qunb")});
  CHECK(Count(c, "SELECT count(*) FROM person WHERE deleted = 0") == people);
  CHECK(Count(c, "SELECT count(*) FROM change_set WHERE state != 'applied'") == 0);
  Ok(c, {"check"});
}

TEST_CASE("rows an import rejects after writing them take back the part they began") {
  // The group takes 100: each later row writes its person, then is rejected
  // at the join and rolled back, at times just as a new part began.
  TempHome a, b;
  CliOptions small;
  small.env["QUN_PART_BYTES"] = "8192";
  Ok(a, {"init", "--name", "湾区读书会", "--admin", "王芳"});
  Ok(a, {"group", "add", "G1", "--capacity", "100"});
  CliResult imported =
      a.Qun({"import", "members", std::string(QUN_TEST_DATA) + "/members-sample.csv", "--group",
             "G1", "--skip-bad"},
            small);
  REQUIRE_EXIT(imported, 0);
  CHECK(qun::testing::Contains(imported.out, "the group 'G1' is full"));
  CHECK(Count(a, "SELECT count(*) FROM person WHERE deleted = 0") == 100);
  CHECK(Count(a, "SELECT count(*) FROM op_txn WHERE continues = 1") >= 3);
  // The last part ends the transaction; no part is empty.
  CHECK(Count(a, "SELECT continues FROM op_txn ORDER BY seq DESC LIMIT 1") == 0);
  CHECK(Count(a,
              "SELECT count(*) FROM op_txn t WHERE NOT EXISTS (SELECT 1 FROM op o WHERE "
              "o.txn = t.id)") == 0);
  Ok(a, {"check"});
  Ok(b, {"init", "--join", "--admin", "李娜"});
  Ok(a, {"invite", qun::testing::NodeId(b), "-o", a.Beside("b.invite")});
  Ok(b, {"join", a.Beside("b.invite")});
  Ok(b, {"bundle", "vector", "-o", b.Beside("b.vector")});
  Ok(a, {"bundle", "export", "--for", b.Beside("b.vector"), "-o", a.Beside("to-b.qunb")});
  Ok(b, {"bundle", "import", a.Beside("to-b.qunb")});
  CHECK(Count(b, "SELECT count(*) FROM person WHERE deleted = 0") == 100);
  CHECK(Count(b, "SELECT count(*) FROM membership WHERE deleted = 0") == 100);
  Ok(b, {"check"});
}
