#include "core/store.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "base/i18n.h"
#include "core/migrations.h"
#include "core/oplog.h"

namespace qun::core {

Store::Store(std::unique_ptr<Database> db, StoreOptions options)
    : db_(std::move(db)),
      part_bytes_(std::max<int64_t>(options.part_bytes, 1)),
      hlc_(options.clock ? options.clock : &system_clock_, Hlc{}) {}

Store::~Store() = default;

int Store::LatestSchemaVersion() { return Migrations().empty() ? 0 : Migrations().back().version; }

Result<std::unique_ptr<Store>> Store::Create(const std::string& path, StoreOptions options) {
  struct stat st;
  if (path != ":memory:" && stat(path.c_str(), &st) == 0)
    return Status::Conflict(
        i18n::Format(_("a database already exists at {}; this home already holds a node"), path));
  return OpenImpl(path, true, options);
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, StoreOptions options) {
  struct stat st;
  if (path != ":memory:" && stat(path.c_str(), &st) != 0)
    return Status::NotFound(
        i18n::Format(_("no community database at {}; run `qun init --name NAME` first, or pass "
                       "the right --home DIR"),
                     path));
  // SQLite would quietly make an empty file into a new database; for Qun an
  // empty community.db means one was lost (a failed copy, a full disk).
  if (path != ":memory:" && st.st_size == 0)
    return Status::Corruption(
        i18n::Format(_("the database {} is an empty file; restore it from a backup, or move it "
                       "away and run `qun init` to start a new node"),
                     path));
  return OpenImpl(path, path == ":memory:", options);
}

Result<std::unique_ptr<Store>> Store::OpenImage(std::string_view image, StoreOptions options) {
  QUN_ASSIGN_OR_RETURN(auto db, Database::Open(":memory:", true, options.busy_timeout_ms));
  // SQLite takes the copy over and frees it with the connection.
  auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(image.size()));
  if (!copy) return Status::Internal(_("out of memory for a database image"));
  std::memcpy(copy, image.data(), image.size());
  int rc = sqlite3_deserialize(db->handle(), "main", copy, static_cast<sqlite3_int64>(image.size()),
                               static_cast<sqlite3_int64>(image.size()),
                               SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE);
  if (rc != SQLITE_OK)
    return Status::Corruption(
        i18n::Format(_("cannot load a database image: {}"), sqlite3_errstr(rc)));
  std::unique_ptr<Store> store(new Store(std::move(db), options));
  QUN_RETURN_IF_ERROR(store->Setup());
  return store;
}

Result<std::string> Store::Image() {
  sqlite3_int64 size = 0;
  unsigned char* bytes = sqlite3_serialize(db_->handle(), "main", &size, 0);
  if (!bytes) return Status::Internal(_("cannot copy the database into memory"));
  std::string out(reinterpret_cast<const char*>(bytes), static_cast<size_t>(size));
  sqlite3_free(bytes);
  return out;
}

Result<std::unique_ptr<Store>> Store::OpenImpl(const std::string& path, bool create,
                                               StoreOptions options) {
  QUN_ASSIGN_OR_RETURN(auto db, Database::Open(path, create, options.busy_timeout_ms));
  std::unique_ptr<Store> store(new Store(std::move(db), options));
  QUN_RETURN_IF_ERROR(store->Setup());
  return store;
}

Status Store::Setup() {
  // Reading the header first turns "not a database" into a clear error before
  // any pragma tries to change the file.
  QUN_ASSIGN_OR_RETURN(auto app, db_->Prepare("PRAGMA application_id"));
  QUN_ASSIGN_OR_RETURN(bool has_row, app.Step());
  int64_t app_id = has_row ? app.Int(0) : 0;
  QUN_ASSIGN_OR_RETURN(auto ver, db_->Prepare("PRAGMA user_version"));
  QUN_ASSIGN_OR_RETURN(has_row, ver.Step());
  schema_version_ = has_row ? static_cast<int>(ver.Int(0)) : 0;
  QUN_ASSIGN_OR_RETURN(auto tables, db_->Prepare("SELECT count(*) FROM sqlite_master"));
  QUN_ASSIGN_OR_RETURN(has_row, tables.Step());
  int64_t table_count = has_row ? tables.Int(0) : 0;
  // Finished statements would keep a read transaction open; WAL needs none.
  app.Reset();
  ver.Reset();
  tables.Reset();

  if (app_id != kApplicationId && (app_id != 0 || table_count != 0))
    return Status::Corruption(
        i18n::Format(_("{} is an SQLite database of another program, not a Qun database; pass "
                       "the right --home DIR"),
                     path()));
  if (schema_version_ > LatestSchemaVersion())
    return Status::Incompatible(
        i18n::Format(_("the database {} has schema version {}, newer than this qun understands "
                       "(up to {}); it was written by a newer Qun: upgrade qun to open it"),
                     path(), schema_version_, LatestSchemaVersion()));

  QUN_RETURN_IF_ERROR(db_->Exec("PRAGMA journal_mode=WAL"));
  QUN_RETURN_IF_ERROR(db_->Exec("PRAGMA synchronous=FULL"));
  QUN_RETURN_IF_ERROR(db_->Exec("PRAGMA foreign_keys=ON"));
  // Large imports run as one transaction with a savepoint per row: keep their
  // pages and the savepoint journal in memory rather than spilling them to
  // disk page by page (tens of writes per row otherwise).
  QUN_RETURN_IF_ERROR(db_->Exec("PRAGMA cache_size=-65536"));
  QUN_RETURN_IF_ERROR(db_->Exec("PRAGMA temp_store=MEMORY"));
  QUN_RETURN_IF_ERROR(Migrate());

  return CatchUpClock();
}

Status Store::SetMeta(const std::string& key, const std::string& value) {
  QUN_ASSIGN_OR_RETURN(CachedStatement s, db_->Use("INSERT INTO meta(key, value) VALUES (?, ?) "
                                                   "ON CONFLICT(key) DO UPDATE SET "
                                                   "value=excluded.value"));
  s->Bind(1, key).Bind(2, value);
  return s->Run();
}

Result<std::optional<std::string>> Store::GetMeta(const std::string& key) {
  QUN_ASSIGN_OR_RETURN(CachedStatement s, db_->Use("SELECT value FROM meta WHERE key=?"));
  s->Bind(1, key);
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  std::optional<std::string> out;
  if (row) out = s->Text(0);
  return out;
}

Status Store::DeleteMeta(const std::string& key) {
  QUN_ASSIGN_OR_RETURN(CachedStatement s, db_->Use("DELETE FROM meta WHERE key=?"));
  s->Bind(1, key);
  return s->Run();
}

Status Store::CatchUpClock() {
  // This node's own clock as last saved, and the effective times it has seen
  // from others. Not the raw times of received ops: a far-ahead author would
  // drag this node's clock along (docs/correctness.md, "Clocks that run
  // ahead"). Databases from before schema 3 have only their own ops.
  QUN_ASSIGN_OR_RETURN(CachedStatement high,
                       db_->Use("SELECT max(coalesce((SELECT value FROM meta WHERE key='hlc'), 0), "
                                "coalesce((SELECT value FROM meta WHERE key='frontier'), 0), "
                                "coalesce((SELECT value FROM meta WHERE key='own_max'), 0), "
                                "CASE WHEN EXISTS (SELECT 1 FROM meta WHERE key='frontier') THEN 0 "
                                "ELSE coalesce((SELECT max(hlc) FROM op), 0) END)"));
  QUN_ASSIGN_OR_RETURN(bool row, high->Step());
  if (row) hlc_.Observe(Hlc{static_cast<uint64_t>(high->Int(0))});
  return Status::Ok();
}

Status Store::Migrate() {
  if (schema_version_ == LatestSchemaVersion()) return Status::Ok();
  QUN_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  for (const Migration& m : Migrations()) {
    if (m.version <= schema_version_) continue;
    Status s = db_->Exec(m.sql);
    if (!s.ok()) {
      (void)db_->Exec("ROLLBACK");
      return s.WithContext(i18n::Format(_("applying schema migration {}"), m.file));
    }
  }
  // Ops that an older version kept without applying (tables or columns it did
  // not know) take effect now that the schema has them. In a community, not
  // here: the older version did not check who wrote them, so they must be
  // decided by the authority rules first, as if they had just arrived
  // (sync/change_set_store.h, EnsureDecided); until then nothing of them
  // counts. A database of no community has no authority rules.
  Status s = LearnUnappliedOps();
  if (s.ok())
    s = db_->Exec(fmt::format("PRAGMA user_version={}; PRAGMA application_id={};",
                              LatestSchemaVersion(), kApplicationId));
  if (s.ok()) s = db_->Exec("COMMIT");
  if (!s.ok()) {
    (void)db_->Exec("ROLLBACK");
    return s;
  }
  schema_version_ = LatestSchemaVersion();
  return Status::Ok();
}

Status Store::LearnUnappliedOps() {
  QUN_ASSIGN_OR_RETURN(auto founder, GetMeta(kFounderKey));
  if (!founder) return MergeUnappliedOps(*db_).status();
  QUN_ASSIGN_OR_RETURN(int64_t unapplied, CountUnappliedOps(*db_));
  if (unapplied == 0) return Status::Ok();
  QUN_RETURN_IF_ERROR(SetMeta(kOpsLearnedKey, "1"));
  return SetMeta(kAuthorityDirtyKey, "1");
}

Result<std::unique_ptr<WriteTxn>> Store::Begin(const PublicKey& author, std::string note) {
  return WriteTxn::Begin(this, author, std::move(note));
}

}  // namespace qun::core
