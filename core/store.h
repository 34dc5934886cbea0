// Store: one community database on disk, opened and migrated.
//
// Opening sets the pragmas Qun relies on (WAL, foreign keys, full sync so that
// an acknowledged write survives a power cut, a busy timeout so that two
// `qun` processes take turns instead of failing), checks that the file is a
// Qun database of a schema version this binary understands, and applies any
// missing migrations.
//
// All writes to domain data go through Begin() (see oplog.h). A Store is a
// resource type and belongs to one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "core/db.h"
#include "core/hlc.h"
#include "core/identity.h"
#include "core/meta_keys.h"

namespace qun::core {


class WriteTxn;

// How large one part of a write transaction may grow, in bytes of its ops
// as a change set encodes them (an upper bound, see EncodedSizeBound). A
// transaction larger than this (a big sheet imported at once) is kept as
// several parts, each its own change set, that every node applies together
// or not at all (docs/protocol.md, "Transactions in parts"): a change set
// must stay under the 64 MiB that bundles and the network carry, with room
// for its header, and a smaller one costs a receiver less memory at once.
inline constexpr int64_t kDefaultPartBytes = 16 << 20;

struct StoreOptions {
  int busy_timeout_ms = 5000;
  PhysicalClock* clock = nullptr;  // borrowed; nullptr means the system clock
  int64_t part_bytes = kDefaultPartBytes;
};

class Store {
 public:
  // 'QUN1' in the SQLite header's application_id field, so other tools (and
  // Qun itself) can tell a Qun database from any other SQLite file.
  static constexpr int32_t kApplicationId = 0x51554E31;

  // Creates a new database at `path`; fails if one exists.
  static Result<std::unique_ptr<Store>> Create(const std::string& path, StoreOptions options);
  // Opens an existing database (":memory:" opens a fresh in-memory one).
  static Result<std::unique_ptr<Store>> Open(const std::string& path, StoreOptions options);
  // Opens an in-memory database holding a copy of `image`, the bytes of a
  // Qun database (as Image() gives them). Tests and fuzz targets make many
  // nodes from one prepared node this way, without building the schema and
  // applying the same change sets each time.
  static Result<std::unique_ptr<Store>> OpenImage(std::string_view image, StoreOptions options);
  // The database as the bytes of a database file.
  Result<std::string> Image();

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Starts the one write path: a transaction whose field writes are applied to
  // the domain tables and appended to the op log together. `note` says what
  // the user did ("member add"), for `qun log`.
  Result<std::unique_ptr<WriteTxn>> Begin(const PublicKey& author, std::string note);

  // Moves the clock above every timestamp stored in the database: the saved
  // high-water mark and the newest op. Done on open, and by each write
  // transaction once it holds the lock, since another qun process may have
  // written in between.
  Status CatchUpClock();

  // This node's own settings (never synced): the community id it belongs to.
  Status SetMeta(const std::string& key, const std::string& value);
  Result<std::optional<std::string>> GetMeta(const std::string& key);
  Status DeleteMeta(const std::string& key);

  Database& db() { return *db_; }
  HlcClock& clock() { return hlc_; }
  int schema_version() const { return schema_version_; }
  static int LatestSchemaVersion();
  const std::string& path() const { return db_->path(); }
  int64_t part_bytes() const { return part_bytes_; }

 private:
  Store(std::unique_ptr<Database> db, StoreOptions options);
  static Result<std::unique_ptr<Store>> OpenImpl(const std::string& path, bool create,
                                                 StoreOptions options);
  Status Setup();
  Status Migrate();
  // After a migration: merges the ops an older version kept unapplied, or in
  // a community marks them to be decided first (kOpsLearnedKey).
  Status LearnUnappliedOps();

  std::unique_ptr<Database> db_;
  int64_t part_bytes_ = kDefaultPartBytes;
  SystemClock system_clock_;
  HlcClock hlc_;
  int schema_version_ = 0;
};

}  // namespace qun::core
