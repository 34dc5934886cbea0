// Thin RAII wrappers over the SQLite C API.
//
// Database owns one sqlite3 connection, Statement one prepared statement;
// both are move-only and close their handle on destruction. Every SQLite
// return code is turned into a Status here (see ToStatus), so no raw SQLite
// message reaches a user without a sentence saying what to do.
//
// A Database and its Statements belong to one thread at a time.
#pragma once

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "core/value.h"

namespace qun::core {

// Converts a SQLite result code into a Status whose message names `path` and
// tells the user what to do (wait for another process, restore a backup...).
Status SqliteStatus(int rc, sqlite3* db, std::string_view what, std::string_view path);

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3_stmt* stmt, sqlite3* db, std::string path)
      : stmt_(stmt), db_(db), path_(std::move(path)) {}
  Statement(Statement&& o) noexcept { *this = std::move(o); }
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binding is 1-based, like SQLite. Values are copied (SQLITE_TRANSIENT).
  // Binding a statement that has run rewinds it first (SQLite refuses a
  // bind until then), keeping its other bindings: a loop binds and steps
  // again without a Reset() of its own.
  Statement& Bind(int index, const Value& v);
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, const std::string& text) {
    return Bind(index, std::string_view(text));
  }
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, int64_t i);
  Statement& Bind(int index, int i) { return Bind(index, static_cast<int64_t>(i)); }
  Statement& BindNull(int index);

  // Advances: true when a row is available, false when done.
  Result<bool> Step();
  // Runs a statement that returns no rows (or ignores them) and resets it.
  Status Run();
  void Reset();

  bool IsNull(int col) const;
  int64_t Int(int col) const;
  double Real(int col) const;
  std::string Text(int col) const;
  std::optional<std::string> OptText(int col) const;
  Value GetValue(int col) const;
  // The bytes of a blob (or text) column without a copy; valid until the
  // next Step() or Reset().
  std::string_view BlobView(int col) const;

 private:
  void Rewind();

  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;  // borrowed from the owning Database
  std::string path_;
  bool stepped_ = false;  // stepped since the last reset
};

class Database {
 public:
  // Opens (creating when `create`) the database file at `path`.
  static Result<std::unique_ptr<Database>> Open(const std::string& path, bool create,
                                                int busy_timeout_ms);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  // A cached prepared statement, reset and with bindings cleared, that
  // resets itself again (and so releases its read of the database) when it
  // goes out of scope: no Reset() to forget on an early return. The cache
  // lives as long as the Database; for statements run often.
  class CachedStatement;
  Result<CachedStatement> Use(const std::string& sql);

  int64_t Changes() const { return sqlite3_changes64(db_); }
  // The row id of the last row inserted on this connection.
  int64_t LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
  // Whether a transaction (or savepoint) is open on this connection.
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path);
  // The statement in the cache; only Use hands it out, inside its guard.
  Result<Statement*> Cached(const std::string& sql);

  sqlite3* db_;
  std::string path_;
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

class Database::CachedStatement {
 public:
  explicit CachedStatement(Statement* s) : s_(s) {}
  CachedStatement(CachedStatement&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  CachedStatement& operator=(CachedStatement&& o) noexcept {
    std::swap(s_, o.s_);
    return *this;
  }
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;
  ~CachedStatement() {
    if (s_) s_->Reset();
  }
  Statement* operator->() const { return s_; }
  Statement& operator*() const { return *s_; }

 private:
  Statement* s_;  // owned by the Database's cache
};
using CachedStatement = Database::CachedStatement;

inline Result<CachedStatement> Database::Use(const std::string& sql) {
  QUN_ASSIGN_OR_RETURN(Statement * s, Cached(sql));
  return CachedStatement(s);
}

// What SQLite's integrity check finds wrong with the file (at most
// `max_problems` lines): none when it is sound. Reads every page.
Result<std::vector<std::string>> IntegrityProblems(Database& db, int max_problems = 20);

// BEGIN IMMEDIATE ... COMMIT on a Database, rolled back unless committed.
// IMMEDIATE takes the write lock at once, so a second writer waits (busy
// timeout) instead of failing halfway. Inside a transaction already open (a
// Batch), it is a savepoint of it instead. Borrows the Database.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) {}
  ~Transaction() {
    if (open_) (void)db_.Exec(nested_ ? "ROLLBACK TO qun_tx; RELEASE qun_tx" : "ROLLBACK");
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Status Begin() {
    nested_ = db_.InTransaction();
    QUN_RETURN_IF_ERROR(db_.Exec(nested_ ? "SAVEPOINT qun_tx" : "BEGIN IMMEDIATE"));
    open_ = true;
    return Status::Ok();
  }
  // Inside a batch, foreign keys are checked only when the batch commits;
  // a savepoint that breaks one is refused here instead, so that it alone
  // is rolled back, not the whole batch.
  Status Commit() {
    if (nested_) {
      int pending = 0, high = 0;
      sqlite3_db_status(db_.handle(), SQLITE_DBSTATUS_DEFERRED_FKS, &pending, &high, 0);
      if (pending > 0)
        return Status::Internal("a database constraint failed (FOREIGN KEY constraint failed)");
    }
    QUN_RETURN_IF_ERROR(db_.Exec(nested_ ? "RELEASE qun_tx" : "COMMIT"));
    open_ = false;
    return Status::Ok();
  }

 private:
  Database& db_;
  bool open_ = false;
  bool nested_ = false;
};

// Groups many small transactions (one per received change set) into fewer
// commits, each holding the write lock for about `max_ms` at most: fewer
// fsyncs and page writes, while other qun commands still get the lock in
// well under their busy timeout. Transactions begun inside become
// savepoints. Rolled back unless finished.
class Batch {
 public:
  // After each commit the batch pauses this long before it takes the lock
  // again, so that a waiting writer gets it.
  static constexpr int kGiveWayMs = 110;

  Batch(Database& db, int64_t max_ms) : db_(db), max_ms_(max_ms) {}
  // Commits what is open when it has been open for max_ms, then opens anew.
  Status Step();
  Status Finish();

 private:
  Database& db_;
  int64_t max_ms_;
  std::unique_ptr<Transaction> open_;
  int64_t opened_at_ms_ = 0;
};

// A public key stored as a blob; Corruption when the blob is not one.
Result<std::array<uint8_t, 32>> KeyFromValue(const Value& v);

}  // namespace qun::core
