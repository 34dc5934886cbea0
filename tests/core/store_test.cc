#include "core/store.h"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include "core/ids.h"
#include "core/migrations.h"
#include "core/oplog.h"
#include "support/temp_dir.h"
#include "support/test_store.h"

using namespace qun;
using testing::TempDir;

namespace {

void Sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("migrations are numbered from 1 without gaps") {
  const auto& all = core::Migrations();
  REQUIRE_FALSE(all.empty());
  for (size_t i = 0; i < all.size(); ++i) CHECK(all[i].version == static_cast<int>(i + 1));
  CHECK(core::Store::LatestSchemaVersion() == all.back().version);
}

TEST_CASE("a new database gets the latest schema, WAL, foreign keys and Qun's application id") {
  TempDir dir;
  auto store = core::Store::Create(dir / "community.db", {});
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  CHECK((*store)->schema_version() == core::Store::LatestSchemaVersion());
  auto pragma = [&](const char* sql) {
    auto s = (*store)->db().Prepare(sql);
    REQUIRE(s.ok());
    REQUIRE(*s->Step());
    return s->Text(0);
  };
  CHECK(pragma("PRAGMA journal_mode") == "wal");
  CHECK(pragma("PRAGMA foreign_keys") == "1");
  CHECK(pragma("PRAGMA application_id") == std::to_string(core::Store::kApplicationId));
  CHECK(pragma("PRAGMA user_version") == std::to_string(core::Store::LatestSchemaVersion()));
}

TEST_CASE("creating a database where one exists is refused") {
  TempDir dir;
  REQUIRE(core::Store::Create(dir / "community.db", {}).ok());
  auto again = core::Store::Create(dir / "community.db", {});
  CHECK(again.status().code() == Status::Code::kConflict);
}

TEST_CASE("opening a missing database says to run qun init") {
  TempDir dir;
  auto store = core::Store::Open(dir / "community.db", {});
  CHECK(store.status().code() == Status::Code::kNotFound);
  CHECK(store.status().message().find("qun init") != std::string::npos);
}

TEST_CASE("a database from a newer Qun is refused, not modified") {
  TempDir dir;
  { REQUIRE(core::Store::Create(dir / "community.db", {}).ok()); }
  Sql(dir / "community.db", "PRAGMA user_version=99");
  auto store = core::Store::Open(dir / "community.db", {});
  CHECK(store.status().code() == Status::Code::kIncompatible);
  CHECK(store.status().message().find("upgrade qun") != std::string::npos);
  Sql(dir / "community.db", "SELECT 1");  // still a readable database
}

TEST_CASE("another program's SQLite database is not taken for a Qun database") {
  TempDir dir;
  Sql(dir / "community.db", "CREATE TABLE contacts(name TEXT); INSERT INTO contacts VALUES('x')");
  auto store = core::Store::Open(dir / "community.db", {});
  CHECK(store.status().code() == Status::Code::kCorruption);
  CHECK(store.status().message().find("another program") != std::string::npos);
}

TEST_CASE("a damaged database file gives a corruption error that mentions a backup") {
  TempDir dir;
  dir.Write("community.db", std::string(8192, '\x5a'));
  auto store = core::Store::Open(dir / "community.db", {});
  CHECK(store.status().code() == Status::Code::kCorruption);
  CHECK(store.status().message().find("backup") != std::string::npos);
}

TEST_CASE("a database locked by another writer gives a busy error after the timeout") {
  TempDir dir;
  { REQUIRE(core::Store::Create(dir / "community.db", {}).ok()); }
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open((dir / "community.db").c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);
  core::StoreOptions options;
  options.busy_timeout_ms = 50;
  auto store = core::Store::Open(dir / "community.db", options);
  Status s = store.status();
  if (store.ok()) {
    auto txn = (*store)->Begin(testing::Key(1), "test");
    s = txn.status();
  }
  CHECK(s.code() == Status::Code::kBusy);
  CHECK(s.message().find("another qun process") != std::string::npos);
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  auto again = core::Store::Open(dir / "community.db", options);
  REQUIRE(again.ok());
  CHECK((*again)->Begin(testing::Key(1), "test").ok());
}

TEST_CASE("the clock resumes above the last write after reopening") {
  TempDir dir;
  core::FakeClock clock(1'000'000);
  core::StoreOptions options;
  options.clock = &clock;
  core::Hlc last;
  {
    auto store = core::Store::Create(dir / "community.db", options);
    REQUIRE(store.ok());
    auto txn = (*store)->Begin(testing::Key(1), "t");
    REQUIRE(txn.ok());
    REQUIRE((*txn)->Set("person", "p", "city", std::string("x")).ok());
    REQUIRE((*txn)->Commit().ok());
    last = (*store)->clock().last();
  }
  clock.Set(10);  // the wall clock went far back while the node was off
  auto store = core::Store::Open(dir / "community.db", options);
  REQUIRE(store.ok());
  CHECK((*store)->clock().Now() > last);
}

TEST_CASE("two processes writing one database with a stalled clock never reuse a timestamp") {
  TempDir dir;
  core::FakeClock clock(5'000'000);  // both see the same, unmoving wall clock
  core::StoreOptions options;
  options.clock = &clock;
  { REQUIRE(core::Store::Create(dir / "community.db", options).ok()); }
  auto first = core::Store::Open(dir / "community.db", options);
  auto second = core::Store::Open(dir / "community.db", options);
  REQUIRE((first.ok() && second.ok()));
  auto write = [](core::Store& store, const char* city) {
    auto txn = store.Begin(testing::Key(1), "t");
    REQUIRE(txn.ok());
    auto w = (*txn)->Set("person", "p", "city", std::string(city));
    REQUIRE_MESSAGE(w.ok(), w.status().message());
    REQUIRE((*txn)->Commit().ok());
  };
  write(**first, "北京");
  write(**second, "上海");  // opened before the first write, still orders after it
  write(**first, "广州");
  auto check = core::Store::Open(dir / "community.db", options);
  auto s = (*check)->db().Prepare("SELECT city, (SELECT count(DISTINCT hlc) FROM op) FROM person");
  REQUIRE(s.ok());
  REQUIRE(*s->Step());
  CHECK(s->Text(0) == "广州");
  CHECK(s->Int(1) == 3);
}

TEST_CASE("an empty database file is reported as damaged, not turned into a new database") {
  TempDir dir;
  dir.Write("community.db", "");
  auto store = core::Store::Open(dir / "community.db", {});
  CHECK(store.status().code() == Status::Code::kCorruption);
  CHECK(store.status().message().find("empty") != std::string::npos);
}

TEST_CASE("a node copied from a database image holds the same data and goes on on its own") {
  core::FakeClock clock(1'000'000);
  core::StoreOptions options;
  options.clock = &clock;
  auto original = core::Store::Open(":memory:", options);
  REQUIRE(original.ok());
  auto write = [&](core::Store& store, const char* city) {
    auto txn = store.Begin(testing::Key(1), "member edit");
    REQUIRE(txn.ok());
    REQUIRE((*txn)->Set("person", "p", "city", std::string(city)).ok());
    REQUIRE((*txn)->Commit().ok());
  };
  write(**original, "北京");
  auto image = (*original)->Image();
  REQUIRE(image.ok());
  auto copy = core::Store::OpenImage(*image, options);
  REQUIRE_MESSAGE(copy.ok(), copy.status().message());
  CHECK((*copy)->schema_version() == core::Store::LatestSchemaVersion());
  auto city = [](core::Store& store) {
    auto s = store.db().Prepare("SELECT city FROM person WHERE id = 'p'");
    REQUIRE(s.ok());
    REQUIRE(*s->Step());
    return s->Text(0);
  };
  CHECK(city(**copy) == "北京");
  // Its clock resumes above what the image holds; the two go apart.
  CHECK((*copy)->clock().Now() > (*original)->clock().last());
  write(**copy, "上海");
  CHECK(city(**copy) == "上海");
  CHECK(city(**original) == "北京");
}

TEST_CASE("an image that is not a Qun database is refused") {
  auto store = core::Store::OpenImage(std::string(8192, 'x'), {});
  CHECK_FALSE(store.ok());
  CHECK(store.status().code() == Status::Code::kCorruption);
}

TEST_CASE("the content index finds Chinese text of three or more characters and follows edits") {
  testing::TestStore ts;
  std::string id = core::GroupRowId(core::RandomId(), core::RandomId());
  auto set = [&](const char* col, const std::string& v) {
    auto t = ts.Begin();
    REQUIRE(t->Set("content", id, col, v).ok());
    REQUIRE(t->Commit().ok());
  };
  set("title", "人像摄影入门：自然光的用法");
  auto hits = [&](const std::string& q) {
    return ts.Int("SELECT count(*) FROM content_fts WHERE content_fts MATCH '\"" + q + "\"'");
  };
  CHECK(hits("自然光") == 1);
  CHECK(hits("摄影入门") == 1);
  CHECK(hits("闪光灯") == 0);
  set("title", "闪光灯的用法");
  CHECK(hits("自然光") == 0);
  CHECK(hits("闪光灯") == 1);
  set("body", "Flash photography basics");
  CHECK(hits("photography") == 1);
}
