// qun_community_bench (run as bench/run): a whole community written, sealed,
// applied and synced, each stage next to the raw limit of the layer under
// it, measured in the same run.
//
// The community is bench/workload.h's, at --scale S (1 = 1,000 groups,
// 200,000 people, 500,000 memberships, 2,000,000 activity facts). Its ten
// admins ("authors") are real nodes made with the qun CLI: the founder, and
// nine admins it invites, each admin of its own groups. Two more nodes join:
// "hub", which takes in every author's change sets (the apply stage) and then
// serves them, and "newcomer", a new co-admin whose first sync takes the
// whole community from hub over loopback. A small pair, "c" and "d", holds
// 1,000 ops for the no-op sync at a small history.
//
// Stages, in order, each heavy one in a child process so that its peak RSS
// is its own (bench/support.h):
//   1. local writes: every author writes its part through WriteTxn, the one
//      write path; `qun import members` writes a member sheet. Baseline: the
//      same rows upserted into the same tables with raw prepared statements
//      in one transaction.
//   2. change-set build: each author seals its writes (encode, encrypt,
//      sign). Baseline: libsodium's AEAD and Ed25519 on the same bytes.
//   3. apply: hub receives every author's change sets from bundle files as
//      `qun bundle import` does (verify, decrypt, decode, merge). Baseline: a
//      raw last-writer-wins upsert of the same fields.
//   4. initial sync: `qun sync` on newcomer from `qun serve` on hub.
//      Baselines: the raw upsert rate, ZeroMQ over loopback.
//   5. no-op sync at a small and at the whole history; 6. an incremental
//      sync of 100 new ops; 7. reports on the whole workload against
//      hand-written SQL.
//
// A measurement, not a test: it checks that every node that has seen the
// same change sets has the same state hash, but never judges a time.
#include <sodium.h>

#include <map>
#include <thread>

#include "base/dates.h"
#include "bench/qun_cli.h"
#include "bench/raw_sqlite.h"
#include "bench/report_stage.h"
#include "bench/workload.h"
#include "bench/zmq_baseline.h"
#include "core/db.h"
#include "core/home.h"
#include "core/identity.h"
#include "core/ids.h"
#include "core/state_hash.h"
#include "core/store.h"
#include "sync/bundle.h"
#include "sync/change_set.h"
#include "sync/change_set_store.h"
#include "sync/community.h"

namespace qun::bench {
namespace {

struct Options {
  double scale = 1.0;
  int runs = 9;       // no-op syncs per pair
  bool keep = false;  // leave the temporary folder
  std::string qun;
};

// The ops of the small history of the no-op comparison.
constexpr int64_t kSmallHistory = 1'000;
// The new ops of the incremental sync.
constexpr int64_t kIncrementalOps = 100;
constexpr size_t kLargeMessage = 64 * 1024;

// ---------------------------------------------------------------------------
// Nodes

// A node's store, identity and change sets, opened in-process (in a child).
struct OpenNode {
  std::unique_ptr<core::Store> store;
  std::unique_ptr<core::Identity> id;
  // Held by pointer: the change sets keep a reference to it, and an
  // OpenNode is moved.
  std::unique_ptr<sync::Community> community;
  std::unique_ptr<sync::ChangeSetStore> sets;

  static Result<OpenNode> Open(const std::string& home) {
    OpenNode n;
    QUN_ASSIGN_OR_RETURN(n.store, core::Store::Open(core::DatabasePath(home), {}));
    QUN_ASSIGN_OR_RETURN(n.id, core::Identity::Load(home));
    QUN_ASSIGN_OR_RETURN(sync::Community community, sync::LoadCommunity(*n.store, home));
    n.community = std::make_unique<sync::Community>(std::move(community));
    n.sets = std::make_unique<sync::ChangeSetStore>(*n.store, *n.community, *n.id);
    return n;
  }
};

// Writes transactions through WriteTxn, timing only the writing.
struct Writer {
  OpenNode& node;
  double seconds = 0;
  int64_t ops = 0, txns = 0, rows = 0;

  Status Write(const WorkloadTxn& txn) {
    auto start = Clock::now();
    QUN_ASSIGN_OR_RETURN(auto w, node.store->Begin(node.id->public_key(), txn.what));
    std::string_view last_table, last_row;
    for (const FieldWrite& f : txn.writes) {
      QUN_ASSIGN_OR_RETURN(bool wrote, w->Set(f.table, f.row_id, f.column, f.value));
      (void)wrote;
      if (f.table != last_table || f.row_id != last_row) ++rows;
      last_table = f.table;
      last_row = f.row_id;
    }
    ops += w->ops_written();
    QUN_RETURN_IF_ERROR(w->Commit());
    ++txns;
    seconds += Seconds(start);
    return Status::Ok();
  }
};

// Every change set `node` holds beyond `before` into a bundle file.
Result<std::pair<uint64_t, uint64_t>> ExportNew(OpenNode& node, const sync::VersionVector& before,
                                                const std::string& path) {
  QUN_ASSIGN_OR_RETURN(auto writer, sync::BundleWriter::Create(path, node.community->id));
  uint64_t bytes = 0;
  QUN_RETURN_IF_ERROR(node.sets->ForEachMissing(before, [&](std::string_view cs) {
    bytes += cs.size();
    return writer->Add(cs);
  }));
  uint64_t count = writer->count();
  QUN_RETURN_IF_ERROR(writer->Finish());
  return std::make_pair(count, bytes);
}

// Gives `to` every change set of `from` it lacks, in-process.
Status Deliver(OpenNode& from, OpenNode& to) {
  QUN_RETURN_IF_ERROR(from.sets->SealLocal().status());
  QUN_ASSIGN_OR_RETURN(sync::VersionVector theirs, to.sets->Vector());
  QUN_RETURN_IF_ERROR(from.sets->ForEachMissing(
      theirs, [&](std::string_view cs) { return to.sets->Receive(std::string(cs)).status(); }));
  return to.sets->EnsureDecided();
}

// ---------------------------------------------------------------------------
// Figures of each stage: trivially copyable, as InChild passes them back.

struct AuthorFigures {
  double write_s = 0, seal_s = 0, raw_crypto_s = 0;
  int64_t ops = 0, txns = 0, rows = 0, change_sets = 0;
  uint64_t change_set_bytes = 0;
};

struct ApplyFigures {
  double receive_s = 0, verify_s = 0, open_s = 0;
  int64_t change_sets = 0, applied = 0, ops = 0;
  uint64_t bytes = 0;
};

struct RawFigures {
  double seconds = 0;
  int64_t count = 0;
};

// One author's local writes and sealing, in its own process.
Result<AuthorFigures> WriteAuthor(const Workload& work, int author, const std::string& home,
                                  const std::string& bundle) {
  QUN_RETURN_IF_ERROR(core::InitSodium());
  QUN_ASSIGN_OR_RETURN(OpenNode node, OpenNode::Open(home));
  QUN_ASSIGN_OR_RETURN(sync::VersionVector before, node.sets->Vector());
  // What `qun join` sealed (the node's name) goes to hub with the rest;
  // only the founder's setup, which hub already has, is left out.
  if (author != 0) before.erase(node.id->public_key());
  Writer writer{node};
  // As a bulk load writes: each WriteTxn its own transaction of the op log
  // (so its own change set), committed to disk in batches of about two
  // seconds, as an import of change sets commits.
  {
    core::Batch batch(node.store->db(), sync::kImportBatchMs);
    for (Phase phase : {Phase::kBase, Phase::kEdits})
      QUN_RETURN_IF_ERROR(work.ForEachTxn(author, phase, [&](const WorkloadTxn& txn) {
        auto t = Clock::now();
        QUN_RETURN_IF_ERROR(batch.Step());
        writer.seconds += Seconds(t);
        return writer.Write(txn);
      }));
    auto t = Clock::now();
    QUN_RETURN_IF_ERROR(batch.Finish());
    writer.seconds += Seconds(t);
  }
  AuthorFigures f;
  f.write_s = writer.seconds;
  f.ops = writer.ops;
  f.txns = writer.txns;
  f.rows = writer.rows;
  auto start = Clock::now();
  QUN_ASSIGN_OR_RETURN(int sealed, node.sets->SealLocal());
  f.seal_s = Seconds(start);
  f.change_sets = sealed;
  QUN_ASSIGN_OR_RETURN(auto exported, ExportNew(node, before, bundle));
  f.change_set_bytes = exported.second;
  // The baseline: XChaCha20-Poly1305 over as many bytes as each change
  // set's ciphertext, then Ed25519 over the result, with libsodium alone.
  QUN_ASSIGN_OR_RETURN(auto reader, sync::BundleReader::Open(bundle));
  std::array<uint8_t, crypto_aead_xchacha20poly1305_ietf_KEYBYTES> key{};
  randombytes_buf(key.data(), key.size());
  std::array<uint8_t, crypto_sign_PUBLICKEYBYTES> pk{};
  std::array<uint8_t, crypto_sign_SECRETKEYBYTES> sk{};
  crypto_sign_keypair(pk.data(), sk.data());
  std::string cipher;
  while (true) {
    QUN_ASSIGN_OR_RETURN(std::optional<std::string> bytes, reader->Next());
    if (!bytes) break;
    QUN_ASSIGN_OR_RETURN(sync::ChangeSet cs, sync::ChangeSet::Decode(*bytes));
    const std::string& plain = cs.ciphertext;  // stands in for the plaintext: same size
    auto t = Clock::now();
    sync::Nonce nonce;
    randombytes_buf(nonce.data(), nonce.size());
    cipher.resize(plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<uint8_t*>(cipher.data()), &written,
                                               reinterpret_cast<const uint8_t*>(plain.data()),
                                               plain.size(),
                                               reinterpret_cast<const uint8_t*>(cs.header.data()),
                                               cs.header.size(), nullptr, nonce.data(), key.data());
    std::array<uint8_t, crypto_sign_BYTES> sig{};
    crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const uint8_t*>(cipher.data()),
                         written, sk.data());
    f.raw_crypto_s += Seconds(t);
  }
  sodium_memzero(sk.data(), sk.size());
  return f;
}

// Hub takes in every author's bundle, as `qun bundle import` does.
Result<ApplyFigures> ApplyAll(const std::string& hub, const std::vector<std::string>& bundles) {
  QUN_RETURN_IF_ERROR(core::InitSodium());
  QUN_ASSIGN_OR_RETURN(OpenNode node, OpenNode::Open(hub));
  ApplyFigures f;
  QUN_ASSIGN_OR_RETURN(int64_t ops_before, [&]() -> Result<int64_t> {
    QUN_ASSIGN_OR_RETURN(core::Statement s, node.store->db().Prepare("SELECT count(*) FROM op"));
    QUN_RETURN_IF_ERROR(s.Step().status());
    return s.Int(0);
  }());
  auto start = Clock::now();
  {
    core::Batch batch(node.store->db(), sync::kImportBatchMs);
    for (const std::string& path : bundles) {
      QUN_ASSIGN_OR_RETURN(auto reader, sync::BundleReader::Open(path));
      while (true) {
        QUN_ASSIGN_OR_RETURN(std::optional<std::string> bytes, reader->Next());
        if (!bytes) break;
        QUN_RETURN_IF_ERROR(batch.Step());
        ++f.change_sets;
        f.bytes += bytes->size();
        QUN_ASSIGN_OR_RETURN(sync::Received r, node.sets->Receive(*bytes));
        // Every change set must take: the workload only writes what its
        // author may, and each author's change sets come in order.
        if (r.outcome != sync::Outcome::kApplied)
          return Status::Internal(fmt::format("hub did not apply change set {} of {}: {}: {}",
                                              r.seq, path, sync::OutcomeName(r.outcome), r.reason));
        ++f.applied;
      }
    }
    QUN_RETURN_IF_ERROR(batch.Finish());
    QUN_RETURN_IF_ERROR(node.sets->EnsureDecided());
  }
  f.receive_s = Seconds(start);
  QUN_ASSIGN_OR_RETURN(core::Statement s, node.store->db().Prepare("SELECT count(*) FROM op"));
  QUN_RETURN_IF_ERROR(s.Step().status());
  f.ops = s.Int(0) - ops_before;
  // The share of verifying and opening, timed again on their own.
  const core::CommunityKey& key = node.community->keys.back();
  for (const std::string& path : bundles) {
    QUN_ASSIGN_OR_RETURN(auto reader, sync::BundleReader::Open(path));
    while (true) {
      QUN_ASSIGN_OR_RETURN(std::optional<std::string> bytes, reader->Next());
      if (!bytes) break;
      auto t = Clock::now();
      QUN_ASSIGN_OR_RETURN(sync::ChangeSet cs, sync::ChangeSet::Decode(*bytes));
      QUN_ASSIGN_OR_RETURN(sync::ChangeSetHeader header, sync::Verify(cs));
      f.verify_s += Seconds(t);
      t = Clock::now();
      QUN_RETURN_IF_ERROR(sync::Open(cs, header, key).status());
      f.open_s += Seconds(t);
    }
  }
  return f;
}

// The workload's rows, raw, into a database whose schema Qun made.
Result<RawFigures> RawRowsOf(const Workload& work, const std::string& path) {
  { QUN_ASSIGN_OR_RETURN(auto schema, core::Store::Create(path, {})); }
  QUN_ASSIGN_OR_RETURN(auto raw, RawRows::Open(path));
  for (int a = 0; a < work.shape().authors; ++a)
    for (Phase phase : {Phase::kBase, Phase::kEdits})
      QUN_RETURN_IF_ERROR(
          work.ForEachTxn(a, phase, [&](const WorkloadTxn& txn) { return raw->Write(txn); }));
  QUN_RETURN_IF_ERROR(raw->Commit());
  return RawFigures{raw->seconds(), raw->rows()};
}

// The workload's field writes, raw last-writer-wins.
Result<RawFigures> RawFieldsOf(const Workload& work, const std::string& path) {
  QUN_ASSIGN_OR_RETURN(auto raw, RawFields::Open(path, sync::kImportBatchMs));
  for (const WorkloadTxn& txn : work.GroupTxns()) QUN_RETURN_IF_ERROR(raw->Write(txn));
  for (int a = 0; a < work.shape().authors; ++a)
    for (Phase phase : {Phase::kBase, Phase::kEdits})
      QUN_RETURN_IF_ERROR(
          work.ForEachTxn(a, phase, [&](const WorkloadTxn& txn) { return raw->Write(txn); }));
  QUN_RETURN_IF_ERROR(raw->Finish());
  return RawFigures{raw->seconds(), raw->fields()};
}

// ---------------------------------------------------------------------------
// The member sheet of the CLI import

// A sheet as `qun import members` reads it, and the same rows as the raw
// baseline writes them (a person, their handles and tags, and the
// membership in `group_id`).
struct Sheet {
  std::string csv;
  WorkloadTxn rows{"sheet", {}};
  int64_t lines = 0;
};

Sheet MakeSheet(int64_t lines, const std::string& group_id) {
  static constexpr const char* kNames[] = {"林小雨",    "陈思远", "Grace Tan", "王浩然", "赵一诺",
                                           "Kevin Liu", "周子涵", "吴欣怡",    "孙宇轩", "郭雨桐"};
  static constexpr const char* kCities[] = {"北京", "上海", "深圳", "成都", "London", "新加坡"};
  static constexpr const char* kTags[] = {"摄影", "徒步", "读书会", "志愿者", "新人"};
  Sheet s;
  s.lines = lines;
  s.csv = "display_name,nickname,wechat,phone,city,tags,notes\n";
  for (int64_t i = 0; i < lines; ++i) {
    std::string name = fmt::format("{}{}", kNames[i % 10], i);
    std::string nick = fmt::format("{}-{}", kCities[i % 6], i);
    std::string wechat = fmt::format("sheet_wx_{:07d}", i);
    std::string phone = fmt::format("139{:08d}", i);
    std::string city = kCities[(i / 10) % 6];
    std::string tag1 = kTags[i % 5], tag2 = kTags[(i / 5) % 5];
    std::string notes = fmt::format("第{}行，来自表格导入", i + 1);
    s.csv += fmt::format("{},{},{},{},{},{};{},{}\n", name, nick, wechat, phone, city, tag1, tag2,
                         notes);
    std::string person = core::DerivedId("person", "wechat:" + wechat);
    auto& w = s.rows.writes;
    w.push_back({"person", person, "created_at", int64_t{1'700'000'000'000} + i});
    w.push_back({"person", person, "display_name", name});
    w.push_back({"person", person, "nickname", nick});
    w.push_back({"person", person, "city", city});
    w.push_back({"person", person, "notes", notes});
    w.push_back({"person", person, "deleted", int64_t{0}});
    for (const auto& [kind, value] :
         {std::pair<std::string, std::string>{"wechat", wechat}, {"phone", "+86" + phone}}) {
      std::string row = core::DerivedId("handle", kind + ":" + value);
      w.push_back({"person_handle", row, "person_id", person});
      w.push_back({"person_handle", row, "kind", kind});
      w.push_back({"person_handle", row, "value", value});
      w.push_back({"person_handle", row, "deleted", int64_t{0}});
    }
    for (const std::string& tag : {tag1, tag2}) {
      if (tag == tag2 && tag1 == tag2) break;
      std::string row = core::DerivedId("tag", person + '\0' + tag);
      w.push_back({"person_tag", row, "person_id", person});
      w.push_back({"person_tag", row, "tag", tag});
      w.push_back({"person_tag", row, "deleted", int64_t{0}});
    }
    std::string m = core::DerivedId("membership", group_id + '\0' + person);
    w.push_back({"membership", m, "group_id", group_id});
    w.push_back({"membership", m, "person_id", person});
    w.push_back({"membership", m, "role", std::string("member")});
    w.push_back({"membership", m, "status", std::string("active")});
    w.push_back({"membership", m, "status_at", int64_t{1'700'000'000'000}});
    w.push_back({"membership", m, "joined_at", int64_t{1'700'000'000'000}});
    w.push_back({"membership", m, "deleted", int64_t{0}});
  }
  return s;
}

Result<RawFigures> RawSheet(const Sheet& sheet, const std::string& path) {
  { QUN_ASSIGN_OR_RETURN(auto schema, core::Store::Create(path, {})); }
  QUN_ASSIGN_OR_RETURN(auto raw, RawRows::Open(path));
  QUN_RETURN_IF_ERROR(raw->Write(sheet.rows));
  QUN_RETURN_IF_ERROR(raw->Commit());
  return RawFigures{raw->seconds(), raw->rows()};
}

// ---------------------------------------------------------------------------
// The run

uint64_t FileBytes(const std::string& path) {
  uint64_t total = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    auto n = std::filesystem::file_size(path + suffix, ec);
    if (!ec) total += n;
  }
  return total;
}

void RemoveDatabase(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

Result<int64_t> CountOps(const std::string& home) {
  QUN_ASSIGN_OR_RETURN(auto store, core::Store::Open(core::DatabasePath(home), {}));
  QUN_ASSIGN_OR_RETURN(core::Statement s, store->db().Prepare("SELECT count(*) FROM op"));
  QUN_RETURN_IF_ERROR(s.Step().status());
  return s.Int(0);
}

// A table row: a heading when everything but the stage is empty.
struct Row {
  std::string stage, qun, baseline, ratio, target, rss;
};

void PrintTable(const std::vector<Row>& rows) {
  Row head{"stage", "qun", "raw baseline, same run", "ratio", "target", "peak RSS"};
  std::array<size_t, 5> width{};
  auto measure = [&](const Row& r) {
    width[0] = std::max(width[0], r.stage.size());
    width[1] = std::max(width[1], r.qun.size());
    width[2] = std::max(width[2], r.baseline.size());
    width[3] = std::max(width[3], r.ratio.size());
    width[4] = std::max(width[4], r.target.size());
  };
  measure(head);
  for (const Row& r : rows) measure(r);
  auto pad = [](const std::string& s, size_t w) {
    return s + std::string(w > s.size() ? w - s.size() : 0, ' ');
  };
  auto line = [&](const Row& r) {
    fmt::print("| {} | {} | {} | {} | {} | {} |\n", pad(r.stage, width[0]), pad(r.qun, width[1]),
               pad(r.baseline, width[2]), pad(r.ratio, width[3]), pad(r.target, width[4]), r.rss);
  };
  line(head);
  fmt::print("|{}|{}|{}|{}|{}|---|\n", std::string(width[0] + 2, '-'),
             std::string(width[1] + 2, '-'), std::string(width[2] + 2, '-'),
             std::string(width[3] + 2, '-'), std::string(width[4] + 2, '-'));
  for (const Row& r : rows) line(r);
}

// Figures of one child process: what it returned and its peak RSS.
template <typename T>
struct Measured {
  T value;
  double rss_mib = 0;
};

template <typename T>
Result<Measured<T>> Measure(const std::function<Result<T>()>& work) {
  // InChild passes T back; the RSS comes from wait4 on the child.
  double rss = 0;
  QUN_ASSIGN_OR_RETURN(T value, InChild<T>(work, &rss));
  return Measured<T>{value, rss};
}

std::string Rate(double count, double seconds, const char* unit) {
  return fmt::format("{} {}/s", PerSecond(count, seconds), unit);
}

std::string Ratio(double figure, double baseline) {
  return baseline > 0 ? fmt::format("{:.0f}%", 100 * figure / baseline) : "-";
}

std::string Mibs(double mib) { return fmt::format("{:.0f} MiB", mib); }

Status Run(const Options& opt, const TempDir& tmp) {
  const QunRunner q{opt.qun, &tmp};
  const Workload work(WorkloadShape::AtScale(opt.scale));
  const WorkloadShape& shape = work.shape();
  const int authors = shape.authors;
  auto step = [](const std::string& what) {
    fmt::print("- {}\n", what);
    std::fflush(stdout);
  };
  auto total_start = Clock::now();

  // Nodes, made with the CLI as admins make them.
  step(
      fmt::format("making the founder, {} admins, hub and newcomer with the qun CLI", authors - 1));
  auto home = [&](const std::string& name) { return tmp / name; };
  const std::string founder = home("author0");
  QUN_RETURN_IF_ERROR(
      RunQun(q, {"--home", founder, "init", "--name", "Bench", "--admin", "Founder"}).status());
  QUN_RETURN_IF_ERROR(InChild<int>([&]() -> Result<int> {
                        QUN_ASSIGN_OR_RETURN(OpenNode f, OpenNode::Open(founder));
                        Writer w{f};
                        for (const WorkloadTxn& txn : work.GroupTxns())
                          QUN_RETURN_IF_ERROR(w.Write(txn));
                        return f.sets->SealLocal();
                      }).status());
  auto join = [&](const std::string& name, const std::string& admin,
                  std::vector<std::string> invite_args) -> Status {
    const std::string h = home(name);
    QUN_RETURN_IF_ERROR(RunQun(q, {"--home", h, "init", "--join", "--admin", admin}).status());
    const std::string file = h + ".invite.qun";
    std::vector<std::string> args{"--home", founder, "invite", NodeId(h),
                                  "-o",     file,    "--name", admin};
    args.insert(args.end(), invite_args.begin(), invite_args.end());
    QUN_RETURN_IF_ERROR(RunQun(q, args).status());
    return RunQun(q, {"--home", h, "join", file}).status();
  };
  std::vector<std::string> author_homes{founder};
  for (int a = 1; a < authors; ++a) {
    std::vector<std::string> roles{"--role", "admin"};
    for (const WorkloadGroup& g : work.groups())
      if (g.owner == a) {
        roles.push_back("--group");
        roles.push_back(g.id);
      }
    QUN_RETURN_IF_ERROR(join(fmt::format("author{}", a), fmt::format("Admin{}", a), roles));
    author_homes.push_back(home(fmt::format("author{}", a)));
  }
  QUN_RETURN_IF_ERROR(join("hub", "Hub", {"--role", "admin", "--group", work.groups()[0].id}));
  QUN_RETURN_IF_ERROR(join("newcomer", "Newcomer", {"--role", "viewer"}));
  const std::string hub = home("hub"), newcomer = home("newcomer");
  // Every admin and hub start from the founder's groups and roles.
  QUN_RETURN_IF_ERROR(InChild<int>([&]() -> Result<int> {
                        QUN_ASSIGN_OR_RETURN(OpenNode f, OpenNode::Open(founder));
                        std::vector<std::string> to(author_homes.begin() + 1, author_homes.end());
                        to.push_back(hub);
                        for (const std::string& h : to) {
                          QUN_ASSIGN_OR_RETURN(OpenNode n, OpenNode::Open(h));
                          QUN_RETURN_IF_ERROR(Deliver(f, n));
                        }
                        return 0;
                      }).status());

  // 1 and 2: local writes and sealing, each author in its own process.
  step(fmt::format("local writes: {} authors write {} groups' people, memberships and activity",
                   authors, Grouped(static_cast<uint64_t>(shape.groups))));
  AuthorFigures total;
  double author_rss = 0;
  std::vector<std::string> bundles;
  for (int a = 0; a < authors; ++a) {
    const std::string bundle = tmp / fmt::format("author{}.qun", a);
    QUN_ASSIGN_OR_RETURN(auto m, Measure<AuthorFigures>([&] {
                           return WriteAuthor(work, a, author_homes[a], bundle);
                         }));
    total.write_s += m.value.write_s;
    total.seal_s += m.value.seal_s;
    total.raw_crypto_s += m.value.raw_crypto_s;
    total.ops += m.value.ops;
    total.txns += m.value.txns;
    total.rows += m.value.rows;
    total.change_sets += m.value.change_sets;
    total.change_set_bytes += m.value.change_set_bytes;
    author_rss = std::max(author_rss, m.rss_mib);
    bundles.push_back(bundle);
  }
  QUN_ASSIGN_OR_RETURN(auto raw_rows,
                       Measure<RawFigures>([&] { return RawRowsOf(work, tmp / "raw-rows.db"); }));
  RemoveDatabase(tmp / "raw-rows.db");

  step("CLI import: `qun import members` of a member sheet");
  const int64_t sheet_lines = std::max<int64_t>(200, static_cast<int64_t>(20'000 * opt.scale));
  const Sheet sheet = MakeSheet(sheet_lines, work.groups()[0].id);
  {
    std::ofstream out(tmp / "sheet.csv", std::ios::binary);
    out << sheet.csv;
  }
  QUN_ASSIGN_OR_RETURN(Ran import, RunQun(q, {"--home", home("sheet"), "init", "--name", "Sheet",
                                              "--admin", "Sheet"}));
  QUN_RETURN_IF_ERROR(RunQun(q, {"--home", home("sheet"), "group", "add", "导入群"}).status());
  QUN_RETURN_IF_ERROR(RunQun(q, {"--home", home("sheet"), "group", "edit", "导入群", "--capacity",
                                 std::to_string(sheet_lines)})
                          .status());
  QUN_ASSIGN_OR_RETURN(import, RunQun(q, {"--home", home("sheet"), "import", "members",
                                          tmp / "sheet.csv", "--group", "导入群"}));
  QUN_ASSIGN_OR_RETURN(auto raw_sheet,
                       Measure<RawFigures>([&] { return RawSheet(sheet, tmp / "raw-sheet.db"); }));
  RemoveDatabase(tmp / "raw-sheet.db");

  // 3: apply.
  step("apply: hub takes in every author's change sets");
  QUN_ASSIGN_OR_RETURN(auto apply, Measure<ApplyFigures>([&] { return ApplyAll(hub, bundles); }));
  QUN_ASSIGN_OR_RETURN(auto raw_fields, Measure<RawFigures>([&] {
                         return RawFieldsOf(work, tmp / "raw-fields.db");
                       }));
  RemoveDatabase(tmp / "raw-fields.db");
  for (const std::string& b : bundles) std::remove(b.c_str());

  // 4: initial sync, and ZeroMQ's own rate.
  step("initial sync: `qun serve` on hub, `qun --json sync` on newcomer");
  SyncRun initial;
  std::string endpoint;
  double serve_rss = 0;
  {
    QUN_ASSIGN_OR_RETURN(auto serve, StartServe(q, hub, &endpoint));
    QUN_RETURN_IF_ERROR(SetPeer(q, newcomer, "hub", endpoint, hub));
    QUN_ASSIGN_OR_RETURN(initial, Sync(q, newcomer, "hub"));
    QUN_ASSIGN_OR_RETURN(Ended ended, StopServe(*serve));
    serve_rss = ended.peak_rss_mib();
  }
  QUN_ASSIGN_OR_RETURN(std::string hash_hub, StateHash(q, hub));
  QUN_ASSIGN_OR_RETURN(std::string hash_newcomer, StateHash(q, newcomer));
  if (hash_hub != hash_newcomer)
    return Status::Internal(fmt::format(
        "the initial sync did not give newcomer hub's state: state hash {} on hub, {} on newcomer",
        hash_hub, hash_newcomer));
  Stream zmq_large;
  double connect_s = 0;
  {
    const CurveKeys keys = NewCurveKeys();
    QUN_ASSIGN_OR_RETURN(Sink sink, StartSink(&keys));
    const uint64_t count = std::max<uint64_t>(1'024, initial.wire() / kLargeMessage);
    QUN_ASSIGN_OR_RETURN(zmq_large, InChild<Stream>([&] {
                           return StreamTo(sink.endpoint, &keys, kLargeMessage, count);
                         }));
    QUN_ASSIGN_OR_RETURN(connect_s,
                         InChild<double>([&] { return ConnectAndPing(sink.endpoint, &keys, 21); }));
  }

  // 5: no-op syncs, small and whole history.
  step(fmt::format("no-op syncs: {} at {} ops of history and {} at the whole workload", opt.runs,
                   Grouped(kSmallHistory), opt.runs));
  const std::string c = home("c"), d = home("d");
  QUN_RETURN_IF_ERROR(MakePair(q, c, d));
  QUN_RETURN_IF_ERROR(
      InChild<int>([&]() -> Result<int> {
        QUN_ASSIGN_OR_RETURN(OpenNode n, OpenNode::Open(c));
        Writer w{n};
        for (int64_t i = 0; w.ops < kSmallHistory; ++i) {
          WorkloadTxn txn{"small", {}};
          std::string id = core::DerivedId("person", std::to_string(i));
          txn.writes.push_back({"person", id, "display_name", fmt::format("人{}", i)});
          txn.writes.push_back({"person", id, "city", std::string("北京")});
          txn.writes.push_back({"person", id, "deleted", int64_t{0}});
          QUN_RETURN_IF_ERROR(w.Write(txn));
        }
        return n.sets->SealLocal();
      }).status());
  struct NoOp {
    double wall_s = 0, sync_s = 0;
    uint64_t wire = 0;
  } noop[2];
  for (int i = 0; i < 2; ++i) {
    const std::string& server = i == 0 ? c : hub;
    const std::string& client = i == 0 ? d : newcomer;
    QUN_ASSIGN_OR_RETURN(auto serve, StartServe(q, server, &endpoint));
    QUN_RETURN_IF_ERROR(SetPeer(q, client, "hub", endpoint, server));
    if (i == 0) QUN_RETURN_IF_ERROR(Sync(q, client, "hub").status());
    std::vector<double> wall, in_sync, wire;
    for (int r = 0; r < opt.runs; ++r) {
      QUN_ASSIGN_OR_RETURN(SyncRun s, Sync(q, client, "hub"));
      if (s.sent != 0 || s.received != 0)
        return Status::Internal(
            fmt::format("a sync expected to move nothing sent {} and received {} change sets",
                        s.sent, s.received));
      wall.push_back(s.wall_s);
      in_sync.push_back(s.sync_s);
      wire.push_back(static_cast<double>(s.wire()));
    }
    noop[i] = {Median(wall), Median(in_sync), static_cast<uint64_t>(Median(wire))};
    QUN_RETURN_IF_ERROR(StopServe(*serve).status());
  }
  QUN_ASSIGN_OR_RETURN(const int64_t history, CountOps(hub));

  // 6: incremental sync of 100 new ops written on hub.
  step(fmt::format("incremental sync: {} new ops on hub", kIncrementalOps));
  QUN_ASSIGN_OR_RETURN(
      uint64_t new_bytes, InChild<uint64_t>([&]() -> Result<uint64_t> {
        QUN_ASSIGN_OR_RETURN(OpenNode n, OpenNode::Open(hub));
        QUN_ASSIGN_OR_RETURN(sync::VersionVector before, n.sets->Vector());
        Writer w{n};
        WorkloadTxn txn{"incremental", {}};
        for (int64_t i = 0; i < kIncrementalOps; ++i)
          txn.writes.push_back({"person", core::DerivedId("person", fmt::format("new {}", i)),
                                "display_name", fmt::format("新人{}", i)});
        QUN_RETURN_IF_ERROR(w.Write(txn));
        QUN_RETURN_IF_ERROR(n.sets->SealLocal().status());
        uint64_t bytes = 0;
        QUN_RETURN_IF_ERROR(n.sets->ForEachMissing(before, [&](std::string_view cs) {
          bytes += cs.size();
          return Status::Ok();
        }));
        return bytes;
      }));
  SyncRun incremental;
  {
    QUN_ASSIGN_OR_RETURN(auto serve, StartServe(q, hub, &endpoint));
    QUN_RETURN_IF_ERROR(SetPeer(q, newcomer, "hub", endpoint, hub));
    QUN_ASSIGN_OR_RETURN(incremental, Sync(q, newcomer, "hub"));
    QUN_RETURN_IF_ERROR(StopServe(*serve).status());
  }

  // 7: reports on the whole workload, on newcomer's copy.
  step("reports: `qun report inactive` and `qun report health` on every group");
  QUN_ASSIGN_OR_RETURN(auto reports, Measure<ReportTimes>([&]() -> Result<ReportTimes> {
                         QUN_ASSIGN_OR_RETURN(auto store,
                                              core::Store::Open(core::DatabasePath(newcomer), {}));
                         return TimeReports(*store, *core::ParseDayNumber(kAsOfDay));
                       }));

  // The table.
  const double total_s = Seconds(total_start);
  const double writes_rate = static_cast<double>(total.rows) / total.write_s;
  const double raw_rows_rate = static_cast<double>(raw_rows.value.count) / raw_rows.value.seconds;
  const double sheet_rate = static_cast<double>(sheet.lines) / import.ended.seconds;
  const double raw_sheet_rate = static_cast<double>(sheet.lines) / raw_sheet.value.seconds;
  const double build_rate = static_cast<double>(total.change_set_bytes) / total.seal_s;
  const double crypto_rate = static_cast<double>(total.change_set_bytes) / total.raw_crypto_s;
  const double apply_rate = static_cast<double>(apply.value.ops) / apply.value.receive_s;
  const double raw_fields_rate =
      static_cast<double>(raw_fields.value.count) / raw_fields.value.seconds;
  QUN_ASSIGN_OR_RETURN(const int64_t synced_ops, CountOps(newcomer));
  const double sync_rate = static_cast<double>(synced_ops) / initial.wall_s;
  auto mib_s = [](double bytes, double s) { return fmt::format("{:.1f} MiB/s", Mib(bytes) / s); };
  auto ms = [](double s) { return fmt::format("{:.1f} ms", 1000 * s); };

  std::vector<Row> rows;
  rows.push_back({"local writes, API (WriteTxn)",
                  fmt::format("{} ({} ops/s)", Rate(total.rows, total.write_s, "rows"),
                              PerSecond(total.ops, total.write_s)),
                  fmt::format("raw upsert of the same rows: {}",
                              Rate(raw_rows.value.count, raw_rows.value.seconds, "rows")),
                  Ratio(writes_rate, raw_rows_rate), ">= 50%", Mibs(author_rss)});
  rows.push_back(
      {"local writes, CLI `qun import members`",
       fmt::format("{} ({} lines, {:.1f} s)", Rate(sheet.lines, import.ended.seconds, "lines"),
                   Grouped(sheet.lines), import.ended.seconds),
       fmt::format("raw upsert of the same rows: {}",
                   Rate(sheet.lines, raw_sheet.value.seconds, "lines")),
       Ratio(sheet_rate, raw_sheet_rate), ">= 50%", Mibs(import.ended.peak_rss_mib())});
  rows.push_back({"change-set build: encode + encrypt + sign",
                  fmt::format("{} ({} change sets/s)", mib_s(total.change_set_bytes, total.seal_s),
                              PerSecond(total.change_sets, total.seal_s)),
                  fmt::format("libsodium AEAD + Ed25519: {}",
                              mib_s(total.change_set_bytes, total.raw_crypto_s)),
                  Ratio(build_rate, crypto_rate), "report", Mibs(author_rss)});
  rows.push_back(
      {"apply: verify + decrypt + decode + merge",
       fmt::format("{} ({} change sets)", Rate(apply.value.ops, apply.value.receive_s, "ops"),
                   Grouped(apply.value.applied)),
       fmt::format("raw LWW upsert of the same fields: {}",
                   Rate(raw_fields.value.count, raw_fields.value.seconds, "fields")),
       Ratio(apply_rate, raw_fields_rate), ">= 50%", Mibs(apply.rss_mib)});
  rows.push_back({"  of which verify / decrypt + decode",
                  fmt::format("{:.0f}% / {:.0f}% of the apply time",
                              100 * apply.value.verify_s / apply.value.receive_s,
                              100 * apply.value.open_s / apply.value.receive_s),
                  "", "", "", ""});
  rows.push_back({"initial sync over loopback, end to end",
                  fmt::format("{} ({:.1f} s, {})", Rate(synced_ops, initial.wall_s, "ops"),
                              initial.wall_s, Bytes(initial.wire())),
                  fmt::format("raw LWW upsert: {}",
                              Rate(raw_fields.value.count, raw_fields.value.seconds, "fields")),
                  Ratio(sync_rate, raw_fields_rate), ">= 35%",
                  fmt::format("sync {}, serve {}", Mibs(initial.peak_rss_mib), Mibs(serve_rss))});
  rows.push_back(
      {"  wire rate", mib_s(initial.wire(), initial.wall_s),
       fmt::format("ZeroMQ CURVE 64 KiB loopback: {}", mib_s(zmq_large.bytes, zmq_large.seconds)),
       Ratio(initial.wire() / initial.wall_s, zmq_large.bytes / zmq_large.seconds), "report", ""});
  rows.push_back({fmt::format("no-op sync, {} ops of history", Grouped(kSmallHistory)),
                  fmt::format("{} ({} in the sync, {})", ms(noop[0].wall_s), ms(noop[0].sync_s),
                              Bytes(noop[0].wire)),
                  fmt::format("CURVE connect + 1 round trip: {}", ms(connect_s)), "", "", ""});
  rows.push_back({fmt::format("no-op sync, {} ops of history", Grouped(history)),
                  fmt::format("{} ({} in the sync, {})", ms(noop[1].wall_s), ms(noop[1].sync_s),
                              Bytes(noop[1].wire)),
                  "-", fmt::format("x{:.2f}", noop[1].wall_s / noop[0].wall_s), "<= x2", ""});
  rows.push_back(
      {fmt::format("incremental sync, {} new ops", kIncrementalOps),
       fmt::format("{} on the wire ({})", Bytes(incremental.wire()), ms(incremental.wall_s)),
       fmt::format("their change set: {}; no-op sync: {}", Bytes(new_bytes), Bytes(noop[1].wire)),
       fmt::format("x{:.2f}", static_cast<double>(incremental.wire()) /
                                  static_cast<double>(new_bytes + noop[1].wire)),
       "O(new ops + authors)", ""});
  const ReportTimes& rt = reports.value;
  rows.push_back({fmt::format("report inactive, {} groups", Grouped(rt.groups)),
                  fmt::format("{} ({} people)", ms(rt.qun_inactive_s), Grouped(rt.inactive_rows)),
                  fmt::format("hand-written SQL: {}", ms(rt.sql_inactive_s)),
                  Ratio(rt.sql_inactive_s, rt.qun_inactive_s), ">= 80%", Mibs(reports.rss_mib)});
  rows.push_back({fmt::format("report health, {} groups", Grouped(rt.groups)),
                  fmt::format("{} ({} weeks)", ms(rt.qun_health_s), Grouped(rt.health_weeks)),
                  fmt::format("hand-written SQL: {}", ms(rt.sql_health_s)),
                  Ratio(rt.sql_health_s, rt.qun_health_s), ">= 80%", ""});
  const uint64_t hub_bytes = FileBytes(core::DatabasePath(hub));
  rows.push_back(
      {"database on disk (hub)",
       fmt::format("{} ({} B/op)", Bytes(hub_bytes),
                   hub_bytes / static_cast<uint64_t>(std::max<int64_t>(history, 1))),
       fmt::format("change sets: {} B/op",
                   total.change_set_bytes / static_cast<uint64_t>(std::max<int64_t>(total.ops, 1))),
       "", "report", ""});

  fmt::print("\n");
  PrintTable(rows);
  fmt::print(
      "\nworkload: {} groups, {} people, {} memberships, {} activity facts by {} authors; {} ops "
      "in {} change sets ({}), {:.0f}% of fields edited concurrently by two authors\n",
      Grouped(shape.groups), Grouped(shape.people), Grouped(shape.memberships),
      Grouped(shape.facts), authors, Grouped(total.ops), Grouped(total.change_sets),
      Bytes(total.change_set_bytes), 5.0);
  fmt::print(
      "check: hub applied {} change sets; newcomer has hub's state (hash {}); {:.0f} s in all\n",
      Grouped(apply.value.applied), hash_hub.substr(0, 16), total_s);
  return Status::Ok();
}

const char kUsage[] =
    "usage: bench/run [--scale S] [--runs K] [--keep] [--qun PATH]\n"
    "  --scale S   the community's size: 1 = 1,000 groups, 200,000 people, 500,000\n"
    "              memberships, 2,000,000 activity facts (default 1; 0.01 for a smoke run)\n"
    "  --runs K    no-op syncs per history (default 9)\n"
    "  --keep      leave the temporary folder with every node, to look at after\n"
    "  --qun PATH  the qun binary (default: ../cli/qun next to this program)\n"
    "Nodes go in a temporary folder under $TMPDIR (else /tmp), removed at exit.\n";

std::string DefaultQun() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  return (self.parent_path() / ".." / "cli" / "qun").lexically_normal().string();
}

}  // namespace
}  // namespace qun::bench

int main(int argc, char** argv) {
  using namespace qun::bench;
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (arg == "--keep") {
      opt.keep = true;
    } else if (arg == "--qun") {
      const char* v = value();
      if (!v) {
        std::fprintf(stderr, "qun_community_bench: --qun needs a path\n%s", kUsage);
        return 2;
      }
      opt.qun = v;
    } else if (arg == "--scale") {
      const char* v = value();
      char* end = nullptr;
      double s = v ? std::strtod(v, &end) : 0;
      if (!v || end == v || *end != '\0' || !(s > 0) || s > 10) {
        std::fprintf(stderr,
                     "qun_community_bench: --scale needs a number above 0 and at most 10, such "
                     "as 0.01, 0.1 or 1\n%s",
                     kUsage);
        return 2;
      }
      opt.scale = s;
    } else if (arg == "--runs") {
      const char* v = value();
      int n = v ? std::atoi(v) : 0;
      if (n < 1 || n > 1000) {
        std::fprintf(stderr, "qun_community_bench: --runs needs a whole number from 1 to 1000\n%s",
                     kUsage);
        return 2;
      }
      opt.runs = n;
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "qun_community_bench: unknown argument %s\n%s", argv[i], kUsage);
      return 2;
    }
  }
  if (opt.qun.empty()) opt.qun = DefaultQun();
  if (access(opt.qun.c_str(), X_OK) != 0) {
    std::fprintf(stderr,
                 "qun_community_bench: cannot run qun at %s; build it (cmake --build build) or "
                 "give --qun PATH\n",
                 opt.qun.c_str());
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  HandleStopSignals(true);
  qun::Status s = [&]() -> qun::Status {
    QUN_RETURN_IF_ERROR(qun::core::InitSodium());
    QUN_ASSIGN_OR_RETURN(auto tmp, TempDir::Create());
    if (opt.keep) tmp->Keep();
    fmt::print("qun bench at scale {}: nodes in {} ({}); {} CPU cores\n", opt.scale, tmp->path(),
               opt.keep ? "kept" : "removed at exit", std::thread::hardware_concurrency());
    // A copy of qun, so that a rebuild during the run changes nothing.
    Options run = opt;
    run.qun = *tmp / "qun";
    std::error_code ec;
    std::filesystem::copy_file(std::filesystem::absolute(opt.qun), run.qun, ec);
    if (ec) return qun::Status::IOError(fmt::format("cannot copy {}: {}", opt.qun, ec.message()));
    return Run(run, *tmp);
  }();
  if (!s.ok()) {
    std::fflush(stdout);
    std::fprintf(stderr, "qun_community_bench: %s\n", s.message().c_str());
    return 1;
  }
  return 0;
}
