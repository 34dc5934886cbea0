// Reading and writing a node's database directly, as no qun command would:
// for tests that look at what was committed, or plant what another version
// or a hostile node would have left there.
//
// Header-only, like cli/cli_runner.h.
#pragma once

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace qun::testing {

// The first column of the first row of `sql`, read-only.
inline int64_t QueryInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE_MESSAGE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK,
                  sqlite3_errmsg(db));
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  int64_t v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

// Runs `sql` (several statements may follow each other) on the database.
inline void ExecSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, message);
}

}  // namespace qun::testing
