// The raw SQLite baselines: what plain SQLite needs to store the same data,
// with nothing of Qun's around it (no op log, no clocks, no checks).
//
// Both use Qun's pragmas (WAL, synchronous=FULL, a 64 MiB page cache,
// temporary tables in memory), so that the gap to Qun is what Qun adds, not
// a different durability.
#pragma once

#include <sqlite3.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/support.h"
#include "bench/workload.h"

namespace qun::bench {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using RawDb = std::unique_ptr<sqlite3, SqliteCloser>;
using RawStmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

inline Status RawExec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK) return Status::Ok();
  return Status::Internal(fmt::format("raw SQLite: {}: {}", sql, sqlite3_errmsg(db)));
}

inline Result<RawDb> RawOpen(const std::string& path) {
  sqlite3* handle = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  RawDb db(handle);
  if (rc != SQLITE_OK) return Status::Internal(fmt::format("raw SQLite: cannot open {}", path));
  QUN_RETURN_IF_ERROR(RawExec(db.get(),
                              "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                              "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY"));
  return db;
}

inline Result<RawStmt> RawPrepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
    return Status::Internal(fmt::format("raw SQLite: {}: {}", sql, sqlite3_errmsg(db)));
  return RawStmt(s);
}

inline void RawBind(sqlite3_stmt* s, int index, const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) {
    sqlite3_bind_int64(s, index, *i);
  } else if (const auto* t = std::get_if<std::string>(&v)) {
    sqlite3_bind_text(s, index, t->data(), static_cast<int>(t->size()), SQLITE_STATIC);
  } else if (const auto* d = std::get_if<double>(&v)) {
    sqlite3_bind_double(s, index, *d);
  } else if (const auto* b = std::get_if<qun::Bytes>(&v)) {
    sqlite3_bind_blob(s, index, b->data.data(), static_cast<int>(b->data.size()), SQLITE_STATIC);
  } else {
    sqlite3_bind_null(s, index);
  }
}

inline Status RawStep(sqlite3* db, sqlite3_stmt* s) {
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return Status::Internal(fmt::format("raw SQLite: {}", sqlite3_errmsg(db)));
  return Status::Ok();
}

// The rows of transactions written into Qun's own domain tables (a
// database whose schema Qun made, opened here without Qun) with one
// prepared upsert per table and set of columns, all in one transaction: the
// "raw inserts of the same rows" of the local-writes stage. `rows` counts
// the upserts. Only the time inside `write` counts, not generating the
// rows.
class RawRows {
 public:
  static Result<std::unique_ptr<RawRows>> Open(const std::string& path) {
    QUN_ASSIGN_OR_RETURN(RawDb db, RawOpen(path));
    auto out = std::unique_ptr<RawRows>(new RawRows(std::move(db)));
    QUN_RETURN_IF_ERROR(RawExec(out->db_.get(), "BEGIN IMMEDIATE"));
    return out;
  }

  Status Write(const WorkloadTxn& txn) {
    auto start = Clock::now();
    // The writes of one row are together and in order in every workload
    // transaction but the edits, whose rows each take one write.
    for (size_t i = 0; i < txn.writes.size();) {
      size_t end = i + 1;
      while (end < txn.writes.size() && txn.writes[end].row_id == txn.writes[i].row_id &&
             txn.writes[end].table == txn.writes[i].table)
        ++end;
      std::string key = txn.writes[i].table;
      for (size_t k = i; k < end; ++k) key += std::string(",") + txn.writes[k].column;
      auto found = statements_.find(key);
      if (found == statements_.end()) {
        std::string columns, values, updates;
        for (size_t k = i; k < end; ++k) {
          columns += std::string(", ") + txn.writes[k].column;
          values += ", ?";
          updates += fmt::format("{}{} = excluded.{}", k == i ? "" : ", ", txn.writes[k].column,
                                 txn.writes[k].column);
        }
        QUN_ASSIGN_OR_RETURN(
            RawStmt s,
            RawPrepare(db_.get(), fmt::format("INSERT INTO {}(id{}) VALUES (?{}) ON CONFLICT(id) "
                                              "DO UPDATE SET {}",
                                              txn.writes[i].table, columns, values, updates)));
        found = statements_.emplace(key, std::move(s)).first;
      }
      sqlite3_stmt* s = found->second.get();
      const std::string& id = txn.writes[i].row_id;
      sqlite3_bind_text(s, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
      for (size_t k = i; k < end; ++k) RawBind(s, static_cast<int>(k - i) + 2, txn.writes[k].value);
      QUN_RETURN_IF_ERROR(RawStep(db_.get(), s));
      ++rows_;
      i = end;
    }
    seconds_ += Seconds(start);
    return Status::Ok();
  }

  Status Commit() {
    auto start = Clock::now();
    QUN_RETURN_IF_ERROR(RawExec(db_.get(), "COMMIT"));
    seconds_ += Seconds(start);
    return Status::Ok();
  }

  double seconds() const { return seconds_; }
  int64_t rows() const { return rows_; }

 private:
  explicit RawRows(RawDb db) : db_(std::move(db)) {}
  RawDb db_;
  std::map<std::string, RawStmt> statements_;
  double seconds_ = 0;
  int64_t rows_ = 0;
};

// The same field writes upserted, last writer wins by a clock column, into
// one plain table keyed by (table, row, column), committed about every
// `commit_ms` as an import commits: the "raw LWW upsert of the same fields"
// that applying change sets is compared with.
class RawFields {
 public:
  static Result<std::unique_ptr<RawFields>> Open(const std::string& path, int64_t commit_ms) {
    QUN_ASSIGN_OR_RETURN(RawDb db, RawOpen(path));
    QUN_RETURN_IF_ERROR(RawExec(db.get(),
                                "CREATE TABLE field (tbl TEXT NOT NULL, row_id TEXT NOT NULL, "
                                "col TEXT NOT NULL, value, hlc INTEGER NOT NULL, "
                                "PRIMARY KEY (tbl, row_id, col)) WITHOUT ROWID"));
    QUN_ASSIGN_OR_RETURN(
        RawStmt upsert,
        RawPrepare(db.get(),
                   "INSERT INTO field(tbl, row_id, col, value, hlc) VALUES (?1, ?2, ?3, ?4, ?5) "
                   "ON CONFLICT(tbl, row_id, col) DO UPDATE SET value = excluded.value, "
                   "hlc = excluded.hlc WHERE excluded.hlc > field.hlc"));
    auto out = std::unique_ptr<RawFields>(new RawFields(std::move(db), std::move(upsert)));
    out->commit_ms_ = commit_ms;
    return out;
  }

  Status Write(const WorkloadTxn& txn) {
    auto start = Clock::now();
    if (!open_) {
      QUN_RETURN_IF_ERROR(RawExec(db_.get(), "BEGIN IMMEDIATE"));
      open_ = true;
      batch_s_ = 0;
    }
    sqlite3_stmt* s = upsert_.get();
    for (const FieldWrite& w : txn.writes) {
      sqlite3_bind_text(s, 1, w.table, -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 2, w.row_id.data(), static_cast<int>(w.row_id.size()), SQLITE_STATIC);
      sqlite3_bind_text(s, 3, w.column, -1, SQLITE_STATIC);
      RawBind(s, 4, w.value);
      sqlite3_bind_int64(s, 5, ++clock_);
      QUN_RETURN_IF_ERROR(RawStep(db_.get(), s));
      ++fields_;
    }
    // The batch is measured in time spent writing, not in time generating.
    batch_s_ += Seconds(start);
    if (batch_s_ * 1000 >= static_cast<double>(commit_ms_)) {
      QUN_RETURN_IF_ERROR(RawExec(db_.get(), "COMMIT"));
      open_ = false;
    }
    seconds_ += Seconds(start);
    return Status::Ok();
  }

  Status Finish() {
    auto start = Clock::now();
    if (open_) QUN_RETURN_IF_ERROR(RawExec(db_.get(), "COMMIT"));
    open_ = false;
    seconds_ += Seconds(start);
    return Status::Ok();
  }

  double seconds() const { return seconds_; }
  int64_t fields() const { return fields_; }

 private:
  RawFields(RawDb db, RawStmt upsert) : db_(std::move(db)), upsert_(std::move(upsert)) {}
  RawDb db_;
  RawStmt upsert_;
  int64_t commit_ms_ = 2000;
  bool open_ = false;
  double batch_s_ = 0;
  int64_t clock_ = 0;
  double seconds_ = 0;
  int64_t fields_ = 0;
};

}  // namespace qun::bench
