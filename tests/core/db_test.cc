#include "core/db.h"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "core/store.h"
#include "support/temp_dir.h"

using namespace qun;
using testing::TempDir;

namespace {

int64_t Count(core::Database& db) {
  auto s = db.Prepare("SELECT count(*) FROM meta WHERE key LIKE 't%'");
  REQUIRE(s.ok());
  REQUIRE(*s->Step());
  return s->Int(0);
}

Status Put(core::Database& db, const std::string& key) {
  return db.Exec("INSERT INTO meta(key, value) VALUES ('" + key + "', 1)");
}

// How many rows another connection sees: what has been committed.
int64_t CommittedCount(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT count(*) FROM meta WHERE key LIKE 't%'", -1, &s,
                             nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  int64_t n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return n;
}

}  // namespace

TEST_CASE("a transaction inside a batch is a savepoint: rolling it back keeps the batch") {
  TempDir dir;
  auto store = core::Store::Create(dir / "community.db", {});
  REQUIRE(store.ok());
  core::Database& db = (*store)->db();
  core::Batch batch(db, 60'000);
  REQUIRE(batch.Step().ok());
  {
    core::Transaction kept(db);
    REQUIRE(kept.Begin().ok());
    REQUIRE(Put(db, "t1").ok());
    REQUIRE(kept.Commit().ok());
  }
  {
    core::Transaction dropped(db);
    REQUIRE(dropped.Begin().ok());
    REQUIRE(Put(db, "t2").ok());
  }  // not committed: rolled back to its savepoint
  CHECK(Count(db) == 1);
  CHECK(CommittedCount(dir / "community.db") == 0);  // the batch is still open
  REQUIRE(batch.Finish().ok());
  CHECK(CommittedCount(dir / "community.db") == 1);
}

TEST_CASE("a batch commits once it has been open for its time, and never holds on longer") {
  TempDir dir;
  auto store = core::Store::Create(dir / "community.db", {});
  REQUIRE(store.ok());
  core::Database& db = (*store)->db();
  core::Batch batch(db, 200);
  REQUIRE(batch.Step().ok());
  REQUIRE(Put(db, "t1").ok());
  REQUIRE(batch.Step().ok());  // too soon: still the same transaction
  CHECK(CommittedCount(dir / "community.db") == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  REQUIRE(batch.Step().ok());  // committed, and a new one opened
  CHECK(CommittedCount(dir / "community.db") == 1);
  REQUIRE(Put(db, "t2").ok());
  REQUIRE(batch.Finish().ok());
  CHECK(CommittedCount(dir / "community.db") == 2);
  {
    // A batch left unfinished (an import that failed) rolls back its open
    // part; what it committed before stays.
    core::Batch abandoned(db, 60'000);
    REQUIRE(abandoned.Step().ok());
    REQUIRE(Put(db, "t3").ok());
  }
  CHECK(Count(db) == 2);
  CHECK(CommittedCount(dir / "community.db") == 2);
}

namespace {

// Whether any statement of the connection is halfway through its rows (and
// so holds a read of the database open).
bool AnyStatementBusy(core::Database& db) {
  for (sqlite3_stmt* s = sqlite3_next_stmt(db.handle(), nullptr); s;
       s = sqlite3_next_stmt(db.handle(), s))
    if (sqlite3_stmt_busy(s)) return true;
  return false;
}

}  // namespace

TEST_CASE("a statement bound again after it ran gives the new binding's answer") {
  TempDir dir;
  auto db = core::Database::Open(dir.path() + "/t.db", true, 1000);
  REQUIRE(db.ok());
  auto s = (*db)->Prepare("SELECT ?1 + 1 UNION ALL SELECT ?1 + 2");
  REQUIRE(s.ok());
  for (int64_t base : {1, 41, 100}) {
    // The first time halfway (one row of two), then past its end.
    s->Bind(1, base);
    REQUIRE(*s->Step());
    CHECK(s->Int(0) == base + 1);
    if (base != 1) {
      REQUIRE(*s->Step());
      CHECK(s->Int(0) == base + 2);
      CHECK_FALSE(*s->Step());
    }
  }
}

TEST_CASE("a cached statement left halfway lets go of its read when its guard goes") {
  TempDir dir;
  auto db = core::Database::Open(dir.path() + "/t.db", true, 1000);
  REQUIRE(db.ok());
  REQUIRE((*db)->Exec("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3)").ok());
  auto read_one = [&]() -> Result<int64_t> {
    QUN_ASSIGN_OR_RETURN(core::CachedStatement s, (*db)->Use("SELECT x FROM t ORDER BY x"));
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    CHECK(row);
    CHECK(AnyStatementBusy(**db));  // halfway: two rows left
    return s->Int(0);               // an early way out, no Reset() written
  };
  auto first = read_one();
  REQUIRE(first.ok());
  CHECK(*first == 1);
  CHECK_FALSE(AnyStatementBusy(**db));
  // And the next use starts from its first row again.
  auto again = read_one();
  REQUIRE(again.ok());
  CHECK(*again == 1);
}
