#include "core/db.h"

#include <fmt/format.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <chrono>
#include <unordered_map>

#include "base/chinese.h"
#include "base/i18n.h"
#include "core/hlc.h"

namespace qun::core {

namespace {

// Free space below which an I/O error is taken for a full disk: SQLite
// needs a 32 KiB -shm and WAL pages to do anything at all.
constexpr unsigned long long kNearlyFullBytes = 1 << 20;

// Whether an SQLITE_IOERR is a disk without room. SQLite returns
// SQLITE_FULL only where it checks for it; a write that found no room
// elsewhere (growing the -shm file when a command opens the database, a
// WAL page) comes back as an I/O error, its errno ENOSPC. That errno is
// read after the failing call and may have been overwritten by then, so the
// free space on the file's disk is asked too.
bool DiskFull(sqlite3* db, std::string_view path) {
  if (db) {
    int err = sqlite3_system_errno(db);
    if (err == ENOSPC || err == EDQUOT) return true;
  }
  std::string where(path);
  struct statvfs st;
  if (statvfs(where.c_str(), &st) != 0) {
    size_t slash = where.rfind('/');
    where = slash == std::string::npos ? "." : slash == 0 ? "/" : where.substr(0, slash);
    if (statvfs(where.c_str(), &st) != 0) return false;
  }
  return static_cast<unsigned long long>(st.f_bavail) * st.f_frsize < kNearlyFullBytes;
}

}  // namespace

Status SqliteStatus(int rc, sqlite3* db, std::string_view what, std::string_view path) {
  std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return Status::Ok();
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Busy(i18n::Format(
          _("the database {} is in use by another qun process and stayed locked while we waited; "
            "wait for that command to finish (or stop it) and try again"),
          path));
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return Status::Corruption(i18n::Format(
          _("the database {} is damaged or is not a Qun database ({}); restore it from a backup, "
            "or move it away and run `qun init` to start a new node"),
          path, detail));
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return Status::IOError(i18n::Format(
          _("cannot open or write the database {} ({}); check that the folder exists and that you "
            "may write to it and to the files beside it of the same name ending in -wal and -shm, "
            "or choose another home with --home DIR"),
          path, detail));
    case SQLITE_FULL:
      return Status::IOError(
          i18n::Format(_("the disk holding {} is full; free some space and try again"), path));
    case SQLITE_IOERR:
      // The same full disk as SQLITE_FULL, with the same remedy.
      if (DiskFull(db, path))
        return Status::IOError(
            i18n::Format(_("the disk holding {} is full; free some space and try again"), path));
      return Status::IOError(i18n::Format(
          _("reading or writing {} failed ({}); check the disk and try again"), path, detail));
    case SQLITE_CONSTRAINT:
      return Status::Internal(fmt::format("{}: a database constraint failed ({})", what, detail));
    default:
      return Status::Internal(fmt::format("{}: {} (SQLite code {})", what, detail, rc));
  }
}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    if (stmt_) sqlite3_finalize(stmt_);
    stmt_ = o.stmt_;
    db_ = o.db_;
    path_ = std::move(o.path_);
    stepped_ = o.stepped_;
    o.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement& Statement::Bind(int index, const Value& v) {
  struct Visitor {
    sqlite3_stmt* s;
    int i;
    void operator()(std::monostate) const { sqlite3_bind_null(s, i); }
    void operator()(int64_t x) const { sqlite3_bind_int64(s, i, x); }
    void operator()(double x) const { sqlite3_bind_double(s, i, x); }
    void operator()(const std::string& x) const {
      sqlite3_bind_text(s, i, x.data(), static_cast<int>(x.size()), SQLITE_TRANSIENT);
    }
    void operator()(const Bytes& x) const {
      sqlite3_bind_blob(s, i, x.data.data(), static_cast<int>(x.data.size()), SQLITE_TRANSIENT);
    }
  };
  Rewind();
  std::visit(Visitor{stmt_, index}, v);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  Rewind();
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::Bind(int index, int64_t i) {
  Rewind();
  sqlite3_bind_int64(stmt_, index, i);
  return *this;
}

Statement& Statement::BindNull(int index) {
  Rewind();
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::Step() {
  stepped_ = true;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status s = SqliteStatus(rc, db_, sqlite3_sql(stmt_), path_);
  sqlite3_reset(stmt_);
  stepped_ = false;
  return s;
}

Status Statement::Run() {
  auto r = Step();
  Reset();
  return r.status();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  stepped_ = false;
}

void Statement::Rewind() {
  if (!stepped_) return;
  sqlite3_reset(stmt_);
  stepped_ = false;
}

bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::Real(int col) const { return sqlite3_column_double(stmt_, col); }

std::string Statement::Text(int col) const {
  const unsigned char* t = sqlite3_column_text(stmt_, col);
  if (!t) return {};
  return std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(stmt_, col));
}

std::optional<std::string> Statement::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

std::string_view Statement::BlobView(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string_view(static_cast<const char*>(p), static_cast<size_t>(n))
           : std::string_view();
}

Value Statement::GetValue(int col) const {
  switch (sqlite3_column_type(stmt_, col)) {
    case SQLITE_INTEGER:
      return Int(col);
    case SQLITE_FLOAT:
      return Real(col);
    case SQLITE_TEXT:
      return Text(col);
    case SQLITE_BLOB: {
      const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, col));
      return Bytes{std::vector<uint8_t>(p, p + sqlite3_column_bytes(stmt_, col))};
    }
    default:
      return std::monostate{};
  }
}

namespace {
int PinyinCollation(void*, int na, const void* a, int nb, const void* b) {
  return text::PinyinCompare(std::string_view(static_cast<const char*>(a), na),
                             std::string_view(static_cast<const char*>(b), nb));
}
}  // namespace

struct Database::Cache {
  std::unordered_map<std::string, Statement> statements;
};

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, bool create,
                                                 int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<Database> db(new Database(raw, path));
  if (rc != SQLITE_OK) return SqliteStatus(rc, raw, "open", path);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  // Names sort as Chinese readers look for them (阿明, 李娜, 张伟): queries
  // that list names say ORDER BY ... COLLATE PINYIN. Only queries use it;
  // no index or view is built on it, so the file stays readable by any
  // SQLite.
  rc = sqlite3_create_collation_v2(raw, "PINYIN", SQLITE_UTF8, nullptr, &PinyinCollation, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(rc, raw, "collation", path);
  db->cache_ = std::make_unique<Cache>();
  return db;
}

Database::Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

Database::~Database() {
  cache_.reset();  // statements must be finalized before the connection closes
  if (db_) sqlite3_close_v2(db_);
}

Status Database::Exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (err) sqlite3_free(err);
  return SqliteStatus(rc, db_, sql.substr(0, 60), path_);
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(rc, db_, sql, path_);
  return Statement(stmt, db_, path_);
}

Result<Statement*> Database::Cached(const std::string& sql) {
  auto it = cache_->statements.find(sql);
  if (it == cache_->statements.end()) {
    QUN_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
    it = cache_->statements.emplace(sql, std::move(stmt)).first;
  }
  it->second.Reset();
  return &it->second;
}

Result<std::array<uint8_t, 32>> KeyFromValue(const Value& v) {
  auto* b = std::get_if<Bytes>(&v);
  std::array<uint8_t, 32> key{};
  if (!b || b->data.size() != key.size())
    return Status::Corruption(_("a stored public key is damaged (not 32 bytes)"));
  std::copy(b->data.begin(), b->data.end(), key.begin());
  return key;
}

namespace {
int64_t SteadyMs() { return SteadyClockMs(); }
}  // namespace

Status Batch::Step() {
  if (open_ && SteadyMs() - opened_at_ms_ < max_ms_) return Status::Ok();
  if (open_) {
    QUN_RETURN_IF_ERROR(open_->Commit());
    open_.reset();
    // Give way: another qun process waiting for the lock retries every 100 ms
    // at most (SQLite's busy handler); taking the lock again at once would
    // make it wait out the whole import.
    sqlite3_sleep(kGiveWayMs);
  }
  auto t = std::make_unique<Transaction>(db_);
  QUN_RETURN_IF_ERROR(t->Begin());
  open_ = std::move(t);
  opened_at_ms_ = SteadyMs();
  return Status::Ok();
}

Status Batch::Finish() {
  if (!open_) return Status::Ok();
  Status s = open_->Commit();
  open_.reset();
  return s;
}

Result<std::vector<std::string>> IntegrityProblems(Database& db, int max_problems) {
  QUN_ASSIGN_OR_RETURN(Statement s,
                       db.Prepare(fmt::format("PRAGMA integrity_check({})", max_problems)));
  std::vector<std::string> problems;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    std::string line = s.Text(0);
    if (line != "ok") problems.push_back(std::move(line));
  }
  return problems;
}

}  // namespace qun::core
