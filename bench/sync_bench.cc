// qun_bench: how fast one node exports its changes and another imports them,
// next to what raw SQLite does with the same field writes.
//
// The workload is field writes to people (display name, city, nickname,
// notes; Chinese text), written through core::WriteTxn in transactions of
// --batch ops, so each transaction becomes one change set. Node A writes,
// seals (ChangeSetStore::SealLocal) and exports them to a bundle file; node B,
// another identity of the same community whose founder is A, imports the
// bundle by streaming it through ChangeSetStore::Receive. In between, the
// stages of the import are timed one by one over the same change sets, and the
// same fields are upserted into a plain SQLite table with the pragmas Qun
// uses, as the baseline the import is compared with.
//
// Every store is an on-disk SQLite file in a fresh temporary folder (under
// $TMPDIR, else /tmp), removed at exit. This is a measurement, not a test: it
// checks that the import is correct (every change set applied, the same state
// hash on every node) but never judges the times.
#include <fmt/format.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/community_key.h"
#include "core/db.h"
#include "core/identity.h"
#include "core/ids.h"
#include "core/oplog.h"
#include "core/state_hash.h"
#include "core/store.h"
#include "sync/bundle.h"
#include "sync/change_set.h"
#include "sync/change_set_store.h"
#include "sync/community.h"

namespace qun::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int64_t ops = 1'000'000;
  int64_t batch = 1'000;
};

constexpr int64_t kQuickOps = 20'000;
constexpr uint64_t kSeed = 20240917;
// The import should reach at least this share of the raw upsert rate.
constexpr double kTargetRatio = 0.50;

// ---------------------------------------------------------------------------
// Measuring

// Adds up the time spent in one stage over many calls.
class Stopwatch {
 public:
  template <typename Fn>
  auto Time(Fn&& fn) {
    auto start = Clock::now();
    struct Stop {
      Stopwatch* w;
      Clock::time_point start;
      ~Stop() { w->total_ += Clock::now() - start; }
    } stop{this, start};
    return fn();
  }
  double seconds() const { return std::chrono::duration<double>(total_).count(); }

 private:
  Clock::duration total_{};
};

// 1234567 -> "1,234,567".
std::string Grouped(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

double Rate(int64_t ops, double seconds) {
  return seconds > 0 ? static_cast<double>(ops) / seconds : 0;
}

void PrintStage(const char* name, int64_t ops, double seconds, const char* what) {
  fmt::print("  {:<10} {:>8.3f} s {:>13} ops/s   {}\n", name, seconds,
             Grouped(static_cast<uint64_t>(Rate(ops, seconds))), what);
}

// The process's peak resident set size so far, in MiB (ru_maxrss is KiB on
// Linux).
double PeakRssMib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// Bytes this process has handed to write() and friends so far (wchar in
// /proc/self/io): what SQLite writes to its WAL and database files. 0 when
// the kernel does not say.
uint64_t BytesWritten() {
  std::FILE* f = std::fopen("/proc/self/io", "r");
  if (!f) return 0;
  char line[128];
  uint64_t out = 0;
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, "wchar:", 6) == 0) out = std::strtoull(line + 6, nullptr, 10);
  std::fclose(f);
  return out;
}

void PrintWritten(uint64_t bytes, int64_t ops) {
  if (bytes == 0) return;
  fmt::print("  {:<10} {} bytes per op written to files (WAL, database)\n", "",
             Grouped(bytes / static_cast<uint64_t>(ops)));
}

// Lowers the peak RSS the kernel reports to the current RSS (Linux 4.0 and
// later), so that the peak of a later stage is its own. False when the
// kernel does not allow it; the later peak then includes the earlier ones.
bool ResetPeakRss() {
  std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
  if (!f) return false;
  bool ok = std::fputs("5", f) >= 0;
  return std::fclose(f) == 0 && ok;
}

// ---------------------------------------------------------------------------
// The workload

struct FieldWrite {
  std::string row_id;
  const char* column;
  std::string value;
};

// A deterministic stream of field writes: new people get their four fields in
// turn; one write in ten edits the nickname or notes of a person written
// earlier, always to a new value (so every write is an op). The same seed
// gives the same stream, for Qun and for the raw baseline.
class Workload {
 public:
  explicit Workload(uint64_t seed) : rng_(seed) {}

  FieldWrite Next() {
    ++written_;
    if (complete_ > 0 && Pick(10) == 0) {
      uint64_t who = Pick(complete_);
      bool notes = Pick(2) == 0;
      std::string value =
          notes ? fmt::format("{}月{}日更新：搬到{}，在找{}方向的合作（第{}次修改）", 1 + Pick(12),
                              1 + Pick(28), Of(kCities), Of(kTopics), written_)
                : fmt::format("{}{}_{}", Of(kNickPrefixes), Of(kGiven), written_);
      return {PersonId(who), notes ? "notes" : "nickname", std::move(value)};
    }
    FieldWrite w{PersonId(next_person_), kColumns[next_field_], ""};
    switch (next_field_) {
      case 0:
        w.value = std::string(Of(kSurnames)) + Of(kGiven);
        break;
      case 1:
        w.value = Of(kCities);
        break;
      case 2:
        w.value = fmt::format("{}{}{}", Of(kNickPrefixes), Of(kGiven), Pick(1000));
        break;
      default:
        w.value = fmt::format("在{}做{}，想认识{}方向的朋友。微信群里叫我{}就好。", Of(kCities),
                              Of(kJobs), Of(kTopics), Of(kGiven));
        break;
    }
    if (++next_field_ == 4) {
      next_field_ = 0;
      ++next_person_;
      complete_ = next_person_;
    }
    return w;
  }

  std::vector<FieldWrite> Batch(int64_t n) {
    std::vector<FieldWrite> out;
    out.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) out.push_back(Next());
    return out;
  }

 private:
  static constexpr const char* kColumns[] = {"display_name", "city", "nickname", "notes"};
  static constexpr const char* kSurnames[] = {"张", "王", "李", "赵", "刘", "陈", "杨", "黄",
                                              "周", "吴", "林", "郭", "何", "高", "罗", "Smith "};
  static constexpr const char* kGiven[] = {"伟", "芳", "娜", "敏", "静",   "磊",   "洋",    "艳",
                                           "勇", "军", "杰", "婷", "小明", "晓红", "Alice", "Bob"};
  static constexpr const char* kCities[] = {
      "北京", "上海", "深圳",          "杭州",   "成都",   "广州", "南京",    "武汉",
      "西安", "苏州", "San Francisco", "Berlin", "新加坡", "香港", "Toronto", "厦门"};
  static constexpr const char* kNickPrefixes[] = {"阿", "小", "老", "大", "wx_", "the_"};
  static constexpr const char* kJobs[] = {"产品经理", "后端开发", "设计", "投资", "运营",
                                          "硬件创业", "研究生",   "律师", "医生", "摄影"};
  static constexpr const char* kTopics[] = {"人工智能", "跨境电商", "开源", "户外", "读书会",
                                            "出海",     "芯片",     "咖啡", "教育", "Web3"};

  uint64_t Pick(uint64_t n) { return rng_() % n; }
  template <size_t N>
  const char* Of(const char* const (&list)[N]) {
    return list[Pick(N)];
  }
  static std::string PersonId(uint64_t index) {
    return core::DerivedId("person", "bench-" + std::to_string(index));
  }

  std::mt19937_64 rng_;
  uint64_t written_ = 0;
  uint64_t next_person_ = 0;  // the person whose fields are being written
  int next_field_ = 0;
  uint64_t complete_ = 0;  // people with all four fields written
};

// ---------------------------------------------------------------------------
// Nodes

// A folder from mkdtemp, removed with everything in it when destroyed.
class TempDir {
 public:
  static Result<std::unique_ptr<TempDir>> Create() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/qun-bench-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr)
      return Status::IOError(
          fmt::format("cannot create a temporary folder {}: {}", pattern, std::strerror(errno)));
    return std::unique_ptr<TempDir>(new TempDir(pattern));
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// The shared secrets of the community, so that each node holds its own copy
// of the key.
struct CommunitySecrets {
  sync::CommunityId id{};
  std::array<uint8_t, core::CommunityKey::kSize> key{};
};

// One node in its own folder: identity, on-disk store, community, change sets.
struct Node {
  std::string home;
  std::unique_ptr<core::Identity> id;
  std::unique_ptr<core::Store> store;
  sync::Community community;
  std::unique_ptr<sync::ChangeSetStore> sets;

  // A node of the community whose founder is `founder` (itself when null).
  static Result<std::unique_ptr<Node>> Create(const std::string& home,
                                              const CommunitySecrets& secrets,
                                              const core::PublicKey* founder) {
    std::error_code ec;
    std::filesystem::create_directory(home, ec);
    if (ec) return Status::IOError(fmt::format("cannot create {}: {}", home, ec.message()));
    auto node = std::make_unique<Node>();
    node->home = home;
    QUN_ASSIGN_OR_RETURN(node->id, core::Identity::Create(home));
    QUN_ASSIGN_OR_RETURN(node->store, core::Store::Create(home + "/community.db", {}));
    node->community.id = secrets.id;
    node->community.founder = founder ? *founder : node->id->public_key();
    node->community.keys.push_back(core::CommunityKey::FromBytes(0, secrets.key.data()));
    QUN_RETURN_IF_ERROR(
        sync::SaveCommunityMeta(*node->store, node->community.id, node->community.founder));
    node->sets = std::make_unique<sync::ChangeSetStore>(*node->store, node->community, *node->id);
    return node;
  }

  // Closes the database; the identity stays.
  void Close() {
    sets.reset();
    store.reset();
  }
};

using core::Transaction;

Result<int64_t> Count(core::Database& db, const std::string& sql) {
  QUN_ASSIGN_OR_RETURN(core::Statement s, db.Prepare(sql));
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

std::string Mib(uint64_t bytes) {
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

// ---------------------------------------------------------------------------
// Stages

struct ExportResult {
  double write_s = 0, seal_s = 0, export_s = 0;
  uint64_t change_sets = 0;
  uint64_t bundle_bytes = 0;
  std::string state_hash;
};

// Node A writes the workload, seals it into change sets and exports them.
Status Export(const Options& opt, Node& a, const std::string& bundle_path, ExportResult* out) {
  Workload work(kSeed);
  Stopwatch write;
  for (int64_t done = 0; done < opt.ops; done += opt.batch) {
    std::vector<FieldWrite> batch = work.Batch(std::min(opt.batch, opt.ops - done));
    QUN_RETURN_IF_ERROR(write.Time([&]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto txn, a.store->Begin(a.id->public_key(), "bench import"));
      for (const FieldWrite& w : batch) {
        QUN_ASSIGN_OR_RETURN(bool wrote, txn->Set("person", w.row_id, w.column, w.value));
        if (!wrote)
          return Status::Internal(
              fmt::format("the workload wrote {}.{} = {} twice", w.row_id, w.column, w.value));
      }
      return txn->Commit();
    }));
  }
  out->write_s = write.seconds();

  Stopwatch seal;
  QUN_ASSIGN_OR_RETURN(int sealed, seal.Time([&] { return a.sets->SealLocal(); }));
  out->seal_s = seal.seconds();
  int64_t expected = (opt.ops + opt.batch - 1) / opt.batch;
  if (sealed != expected)
    return Status::Internal(
        fmt::format("node A sealed {} change sets, expected {}", sealed, expected));

  Stopwatch exp;
  QUN_RETURN_IF_ERROR(exp.Time([&]() -> Status {
    QUN_ASSIGN_OR_RETURN(auto writer, sync::BundleWriter::Create(bundle_path, a.community.id));
    QUN_RETURN_IF_ERROR(a.sets->ForEachMissing({}, [&](std::string_view cs) {
      out->bundle_bytes += cs.size();
      return writer->Add(cs);
    }));
    out->change_sets = writer->count();
    return writer->Finish();
  }));
  out->export_s = exp.seconds();
  QUN_ASSIGN_OR_RETURN(out->state_hash, core::StateHash(a.store->db()));
  return Status::Ok();
}

struct StageResult {
  double decode_s = 0, hash_s = 0, sign_s = 0, encrypt_s = 0, seal_s = 0, verify_s = 0,
         decrypt_s = 0, open_s = 0, merge_s = 0;
  int64_t ops = 0;
  std::string state_hash;
};

// Merges one change set's ops into `store` the way ChangeSetStore applies
// one: a transaction with its op_txn row and core::ApplyOp for every op.
// Without the bookkeeping around it (keeping the bytes, chain checks).
Status MergeOnly(core::Store& store, const sync::ChangeSetHeader& header,
                 const sync::Payload& payload) {
  core::Database& db = store.db();
  Transaction tx(db);
  QUN_RETURN_IF_ERROR(tx.Begin());
  QUN_ASSIGN_OR_RETURN(int64_t author_id, core::AuthorId(db, header.author));
  core::Hlc latest;
  for (const core::Op& op : payload.ops) latest = std::max(latest, op.hlc);
  QUN_ASSIGN_OR_RETURN(core::Statement * txn,
                       db.Cached("INSERT INTO op_txn(author, seq, hlc, note, ceiling) VALUES "
                                 "(?, ?, ?, ?, NULL)"));
  txn->Bind(1, author_id)
      .Bind(2, static_cast<int64_t>(header.seq))
      .Bind(3, static_cast<int64_t>(latest.packed))
      .Bind(4, payload.note);
  QUN_RETURN_IF_ERROR(txn->Run());
  int64_t txn_id = sqlite3_last_insert_rowid(db.handle());
  for (const core::Op& op : payload.ops)
    QUN_RETURN_IF_ERROR(core::ApplyOp(db, op, txn_id, author_id, std::nullopt).status());
  return tx.Commit();
}

// Times each stage of sealing and importing, one change set of the bundle at
// a time. Merge applies the ops to node C's store.
Status Stages(const std::string& bundle_path, const core::Identity& author,
              const core::CommunityKey& key, core::Store& merge_into, StageResult* out) {
  Stopwatch decode, hash, sign, encrypt, seal, verify, decrypt, open, merge;
  QUN_ASSIGN_OR_RETURN(auto reader, sync::BundleReader::Open(bundle_path));
  // Committed in batches, as an import commits (each change set's
  // transaction is a savepoint inside).
  core::Batch batch(merge_into.db(), sync::kImportBatchMs);
  std::string plain, cipher;
  while (true) {
    QUN_ASSIGN_OR_RETURN(std::optional<std::string> bytes, reader->Next());
    if (!bytes) break;
    QUN_ASSIGN_OR_RETURN(sync::ChangeSet cs,
                         decode.Time([&] { return sync::ChangeSet::Decode(*bytes); }));
    hash.Time([&] { return cs.ComputeHash(); });
    QUN_ASSIGN_OR_RETURN(sync::ChangeSetHeader header,
                         verify.Time([&] { return sync::Verify(cs); }));

    // Raw libsodium: decrypt the ciphertext, then encrypt the same plaintext
    // again under a fresh nonce.
    plain.resize(cs.ciphertext.size());
    unsigned long long plain_size = 0;
    int rc = decrypt.Time([&] {
      return crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<uint8_t*>(plain.data()), &plain_size, nullptr,
          reinterpret_cast<const uint8_t*>(cs.ciphertext.data()), cs.ciphertext.size(),
          reinterpret_cast<const uint8_t*>(cs.header.data()), cs.header.size(), header.nonce.data(),
          key.data());
    });
    if (rc != 0) return Status::Corruption("a change set of the bundle does not decrypt");
    cipher.resize(plain_size + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    encrypt.Time([&] {
      sync::Nonce nonce;
      randombytes_buf(nonce.data(), nonce.size());
      unsigned long long written = 0;
      return crypto_aead_xchacha20poly1305_ietf_encrypt(
          reinterpret_cast<uint8_t*>(cipher.data()), &written,
          reinterpret_cast<const uint8_t*>(plain.data()), plain_size,
          reinterpret_cast<const uint8_t*>(cs.header.data()), cs.header.size(), nullptr,
          nonce.data(), key.data());
    });
    sodium_memzero(plain.data(), plain.size());
    sign.Time([&] { return author.Sign(cs.SignedMessage()); });

    QUN_ASSIGN_OR_RETURN(sync::Payload payload,
                         open.Time([&] { return sync::Open(cs, header, key); }));
    QUN_RETURN_IF_ERROR(
        seal.Time([&] { return sync::Seal(header, payload, key, author); }).status());
    QUN_RETURN_IF_ERROR(merge.Time([&]() -> Status {
      QUN_RETURN_IF_ERROR(batch.Step());
      return MergeOnly(merge_into, header, payload);
    }));
    out->ops += static_cast<int64_t>(payload.ops.size());
  }
  QUN_RETURN_IF_ERROR(merge.Time([&] { return batch.Finish(); }));
  out->decode_s = decode.seconds();
  out->hash_s = hash.seconds();
  out->sign_s = sign.seconds();
  out->encrypt_s = encrypt.seconds();
  out->seal_s = seal.seconds();
  out->verify_s = verify.seconds();
  out->decrypt_s = decrypt.seconds();
  out->open_s = open.seconds();
  out->merge_s = merge.seconds();
  QUN_ASSIGN_OR_RETURN(out->state_hash, core::StateHash(merge_into.db()));
  return Status::Ok();
}

struct ImportResult {
  double import_s = 0;
  int64_t ops = 0;
  uint64_t applied = 0;
  std::string state_hash;
};

// Node B imports the bundle as `qun bundle import` does: streamed, one
// change set at a time, through ChangeSetStore::Receive, committed in batches
// of about kImportBatchMs.
Status Import(const std::string& bundle_path, Node& b, ImportResult* out) {
  Stopwatch import;
  QUN_RETURN_IF_ERROR(import.Time([&]() -> Status {
    QUN_ASSIGN_OR_RETURN(auto reader, sync::BundleReader::Open(bundle_path));
    if (reader->community() != b.community.id)
      return Status::Internal("the bundle is of another community");
    core::Batch batch(b.store->db(), sync::kImportBatchMs);
    while (true) {
      QUN_ASSIGN_OR_RETURN(std::optional<std::string> bytes, reader->Next());
      if (!bytes) break;
      QUN_RETURN_IF_ERROR(batch.Step());
      QUN_ASSIGN_OR_RETURN(sync::Received r, b.sets->Receive(*bytes));
      if (r.outcome != sync::Outcome::kApplied)
        return Status::Internal(fmt::format("change set {} was {}, not applied: {}", r.seq,
                                            sync::OutcomeName(r.outcome), r.reason));
      ++out->applied;
    }
    return batch.Finish();
  }));
  out->import_s = import.seconds();
  QUN_ASSIGN_OR_RETURN(out->ops, Count(b.store->db(), "SELECT count(*) FROM op"));
  QUN_ASSIGN_OR_RETURN(out->state_hash, core::StateHash(b.store->db()));
  return Status::Ok();
}

// One sqlite3 connection, closed on destruction.
struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

Status SqliteError(sqlite3* db, const char* what) {
  return Status::Internal(fmt::format("raw baseline: {}: {}", what, sqlite3_errmsg(db)));
}

Status ExecRaw(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return SqliteError(db, sql);
  return Status::Ok();
}

// The same field writes as a last-writer-wins upsert into one plain table,
// with the pragmas Qun sets and one commit per batch. Returns the seconds.
Result<double> RawBaseline(const Options& opt, const std::string& path) {
  sqlite3* handle = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<sqlite3, SqliteCloser> db(handle);
  if (rc != SQLITE_OK) return SqliteError(handle, "open");
  QUN_RETURN_IF_ERROR(ExecRaw(db.get(),
                              "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                              "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"));
  QUN_RETURN_IF_ERROR(ExecRaw(db.get(),
                              "CREATE TABLE t (tbl TEXT NOT NULL, row_id TEXT NOT NULL, col TEXT "
                              "NOT NULL, value, hlc INTEGER NOT NULL, author BLOB NOT NULL, "
                              "PRIMARY KEY (tbl, row_id, col)) WITHOUT ROWID"));
  sqlite3_stmt* raw = nullptr;
  const char* kUpsert =
      "INSERT INTO t(tbl, row_id, col, value, hlc, author) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
      "ON CONFLICT(tbl, row_id, col) DO UPDATE SET value=excluded.value, hlc=excluded.hlc, "
      "author=excluded.author WHERE excluded.hlc > t.hlc";
  if (sqlite3_prepare_v2(db.get(), kUpsert, -1, &raw, nullptr) != SQLITE_OK)
    return SqliteError(db.get(), "prepare");
  std::unique_ptr<sqlite3_stmt, StmtFinalizer> upsert(raw);

  core::PublicKey author;
  randombytes_buf(author.data(), author.size());
  int64_t hlc = int64_t{1'700'000'000'000} << core::Hlc::kCounterBits;
  Workload work(kSeed);
  Stopwatch time;
  for (int64_t done = 0; done < opt.ops; done += opt.batch) {
    std::vector<FieldWrite> batch = work.Batch(std::min(opt.batch, opt.ops - done));
    QUN_RETURN_IF_ERROR(time.Time([&]() -> Status {
      QUN_RETURN_IF_ERROR(ExecRaw(db.get(), "BEGIN IMMEDIATE"));
      for (const FieldWrite& w : batch) {
        sqlite3_stmt* s = upsert.get();
        sqlite3_bind_text(s, 1, "person", -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, w.row_id.data(), static_cast<int>(w.row_id.size()), SQLITE_STATIC);
        sqlite3_bind_text(s, 3, w.column, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, w.value.data(), static_cast<int>(w.value.size()), SQLITE_STATIC);
        sqlite3_bind_int64(s, 5, ++hlc);
        sqlite3_bind_blob(s, 6, author.data(), static_cast<int>(author.size()), SQLITE_STATIC);
        int step = sqlite3_step(s);
        sqlite3_reset(s);
        if (step != SQLITE_DONE) {
          (void)ExecRaw(db.get(), "ROLLBACK");
          return SqliteError(db.get(), "upsert");
        }
      }
      return ExecRaw(db.get(), "COMMIT");
    }));
  }
  return time.seconds();
}

void RemoveDatabase(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

// ---------------------------------------------------------------------------

Status Run(const Options& opt) {
  QUN_RETURN_IF_ERROR(core::InitSodium());
  QUN_ASSIGN_OR_RETURN(auto tmp, TempDir::Create());
  int64_t change_sets = (opt.ops + opt.batch - 1) / opt.batch;
  fmt::print("qun_bench: {} ops in {} change sets of up to {} ops\n", Grouped(opt.ops),
             Grouped(change_sets), Grouped(opt.batch));
  fmt::print(
      "workload: person rows, fields display_name/city/nickname/notes (Chinese text), "
      "1 write in 10 an edit\n");
  fmt::print("stores on disk in {} (removed at exit); SQLite {}\n\n", tmp->path(),
             sqlite3_libversion());
  std::fflush(stdout);

  CommunitySecrets secrets;
  randombytes_buf(secrets.id.data(), secrets.id.size());
  randombytes_buf(secrets.key.data(), secrets.key.size());
  const std::string bundle = *tmp / "export.qunbundle";

  // Export: node A, the founder.
  QUN_ASSIGN_OR_RETURN(auto a, Node::Create(*tmp / "a", secrets, nullptr));
  ExportResult ex;
  QUN_RETURN_IF_ERROR(Export(opt, *a, bundle, &ex));
  a->Close();
  RemoveDatabase(a->home + "/community.db");
  fmt::print("export (node A)\n");
  PrintStage("write", opt.ops, ex.write_s, "WriteTxn::Set, one WriteTxn per batch (local writes)");
  PrintStage("seal", opt.ops, ex.seal_s,
             "ChangeSetStore::SealLocal: read ops, encode, encrypt, sign, keep");
  PrintStage("bundle", opt.ops, ex.export_s, "ForEachMissing into a BundleWriter file");
  fmt::print("  bundle: {} change sets, {} ({} bytes per op)\n", Grouped(ex.change_sets),
             Mib(ex.bundle_bytes), ex.bundle_bytes / static_cast<uint64_t>(opt.ops));
  fmt::print("  peak RSS after export: {:.1f} MiB\n\n", PeakRssMib());
  std::fflush(stdout);

  // The stages one by one; merge applies the ops to node C's store.
  StageResult st;
  uint64_t written = BytesWritten();
  {
    QUN_ASSIGN_OR_RETURN(auto c, Node::Create(*tmp / "c", secrets, &a->id->public_key()));
    QUN_RETURN_IF_ERROR(Stages(bundle, *a->id, a->community.Current(), *c->store, &st));
    c->Close();
    RemoveDatabase(c->home + "/community.db");
  }
  written = BytesWritten() - written;
  fmt::print("stages (each timed alone, one change set at a time from the bundle)\n");
  PrintStage("sign", st.ops, st.sign_s, "Identity::Sign of the signed message (Ed25519)");
  PrintStage("encrypt", st.ops, st.encrypt_s,
             "crypto_aead_xchacha20poly1305_ietf_encrypt of the payload (raw libsodium)");
  PrintStage("seal", st.ops, st.seal_s, "sync::Seal: encode payload, encrypt, sign");
  PrintStage("decode", st.ops, st.decode_s, "ChangeSet::Decode of the bytes");
  PrintStage("hash", st.ops, st.hash_s, "ChangeSet::ComputeHash (BLAKE2b)");
  PrintStage("verify", st.ops, st.verify_s, "sync::Verify: decode header, check signature");
  PrintStage("decrypt", st.ops, st.decrypt_s,
             "crypto_aead_xchacha20poly1305_ietf_decrypt (raw libsodium)");
  PrintStage("open", st.ops, st.open_s, "sync::Open: decrypt, decode payload");
  PrintStage("merge", st.ops, st.merge_s,
             "core::ApplyOp of every op, a transaction per change set, committed in batches");
  PrintWritten(written, st.ops);
  fmt::print("\n");
  std::fflush(stdout);

  // The raw baseline.
  const std::string raw_path = *tmp / "raw.db";
  written = BytesWritten();
  QUN_ASSIGN_OR_RETURN(double raw_s, RawBaseline(opt, raw_path));
  written = BytesWritten() - written;
  RemoveDatabase(raw_path);
  fmt::print("raw SQLite baseline (same fields, same pragmas, one commit per batch)\n");
  PrintStage("upsert", opt.ops, raw_s,
             "prepared INSERT ... ON CONFLICT DO UPDATE ... WHERE excluded.hlc > t.hlc");
  PrintWritten(written, opt.ops);
  fmt::print("\n");
  std::fflush(stdout);

  // Import: node B, a second admin of the same community.
  bool reset = ResetPeakRss();
  QUN_ASSIGN_OR_RETURN(auto b, Node::Create(*tmp / "b", secrets, &a->id->public_key()));
  ImportResult im;
  written = BytesWritten();
  QUN_RETURN_IF_ERROR(Import(bundle, *b, &im));
  written = BytesWritten() - written;
  fmt::print("import (node B: fresh store, bundle streamed through ChangeSetStore::Receive)\n");
  PrintStage("import", opt.ops, im.import_s, "verify + decrypt + merge, end to end");
  PrintWritten(written, opt.ops);
  // The import verifies and opens each change set and merges its ops; what
  // is left is its bookkeeping (keeping the bytes, a second decode and
  // verify when applying, two commits per change set). The stages ran on
  // another store, so a small remainder can come out below zero: noise.
  double rest = std::max(0.0, im.import_s - st.verify_s - st.open_s - st.merge_s);
  auto share = [&](double s) { return 100 * s / im.import_s; };
  fmt::print(
      "  share of the import, estimated from the stages above (another store): verify {:.0f}%, "
      "open {:.0f}%, "
      "merge {:.0f}%, the rest {:.0f}%\n",
      share(st.verify_s), share(st.open_s), share(st.merge_s), share(rest));
  fmt::print("  peak RSS during import: {:.1f} MiB{}\n", PeakRssMib(),
             reset ? "" : " (the process peak: it could not be reset after export)");
  bool same = im.state_hash == ex.state_hash && st.state_hash == ex.state_hash;
  fmt::print("  check: {} of {} change sets applied, {} ops in B's log, state hash {}\n\n",
             Grouped(im.applied), Grouped(ex.change_sets), Grouped(im.ops),
             same ? "equal on A, B and C" : "DIFFERS");
  if (!same || static_cast<int64_t>(im.applied) != change_sets)
    return Status::Internal("the import did not reproduce node A's state");

  double import_rate = Rate(opt.ops, im.import_s), raw_rate = Rate(opt.ops, raw_s);
  double ratio = raw_rate > 0 ? import_rate / raw_rate : 0;
  fmt::print("import / raw upsert: {} / {} ops/s = {:.1f}%  (target >= {:.0f}%: {})\n",
             Grouped(static_cast<uint64_t>(import_rate)), Grouped(static_cast<uint64_t>(raw_rate)),
             100 * ratio, 100 * kTargetRatio, ratio >= kTargetRatio ? "met" : "not met");
  return Status::Ok();
}

const char kUsage[] =
    "usage: qun_bench [--ops N] [--batch M] [--quick]\n"
    "  --ops N     field writes to export and import (default 1000000)\n"
    "  --batch M   ops per write transaction, so per change set (default 1000)\n"
    "  --quick     20000 ops, for a smoke run (--ops still wins)\n"
    "Stores go in a temporary folder under $TMPDIR (else /tmp), removed at exit.\n";

std::optional<int64_t> ParseCount(const char* s) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v <= 0 || v > 1'000'000'000) return std::nullopt;
  return v;
}

}  // namespace
}  // namespace qun::bench

int main(int argc, char** argv) {
  using namespace qun::bench;
  Options opt;
  std::optional<int64_t> ops;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--quick") {
      quick = true;
    } else if ((arg == "--ops" || arg == "--batch") && i + 1 < argc) {
      std::optional<int64_t> n = ParseCount(argv[++i]);
      if (!n) {
        std::fprintf(stderr, "qun_bench: %s needs a whole number from 1 to 1000000000\n%s",
                     std::string(arg).c_str(), kUsage);
        return 2;
      }
      if (arg == "--ops")
        ops = *n;
      else
        opt.batch = *n;
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "qun_bench: unknown argument %s\n%s", argv[i], kUsage);
      return 2;
    }
  }
  opt.ops = ops ? *ops : quick ? kQuickOps : opt.ops;
  qun::Status s = Run(opt);
  if (!s.ok()) {
    std::fflush(stdout);
    std::fprintf(stderr, "qun_bench: %s\n", s.message().c_str());
    return 1;
  }
  return 0;
}
