#include "sync/relay_store.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "base/i18n.h"

namespace qun::sync {
namespace {

std::string Short(const core::PublicKey& k) { return core::ToHex(k).substr(0, 8); }

// The relay's schema. Its own file and version, apart from a node's
// database: a relay holds no community data at all.
constexpr int kRelaySchemaVersion = 1;
constexpr char kRelaySchema[] = R"sql(
CREATE TABLE relayed (
  id        INTEGER PRIMARY KEY,   -- the order change sets arrived in
  community BLOB NOT NULL,
  author    BLOB NOT NULL,
  seq       INTEGER NOT NULL,
  hash      BLOB NOT NULL UNIQUE,
  bytes     BLOB NOT NULL,
  evidence  INTEGER NOT NULL DEFAULT 0  -- 1: a twin of a held (author, seq)
);
CREATE UNIQUE INDEX relayed_chain ON relayed (community, author, seq) WHERE evidence = 0;
CREATE INDEX relayed_by_author ON relayed (community, author, seq);
)sql";

}  // namespace

Result<std::unique_ptr<RelayStore>> RelayStore::Open(const std::string& path, int busy_timeout_ms) {
  QUN_ASSIGN_OR_RETURN(auto db, core::Database::Open(path, true, busy_timeout_ms));
  // What it holds is encrypted, but who wrote how much and when is not:
  // for the relay's operator only.
  chmod(path.c_str(), 0600);
  QUN_ASSIGN_OR_RETURN(core::Statement v, db->Prepare("PRAGMA user_version"));
  QUN_ASSIGN_OR_RETURN(bool row, v.Step());
  int64_t version = row ? v.Int(0) : 0;
  v.Reset();
  if (version > kRelaySchemaVersion)
    return Status::Incompatible(
        i18n::Format(_("{} was written by a newer qun (relay schema {}); upgrade qun to use it"),
                     path, version));
  if (version == 0) {
    core::Transaction tx(*db);
    QUN_RETURN_IF_ERROR(tx.Begin());
    QUN_RETURN_IF_ERROR(db->Exec(kRelaySchema));
    QUN_RETURN_IF_ERROR(db->Exec(fmt::format("PRAGMA user_version = {}", kRelaySchemaVersion)));
    QUN_RETURN_IF_ERROR(tx.Commit());
  }
  return std::unique_ptr<RelayStore>(new RelayStore(std::move(db)));
}

Result<Heads> RelayStore::ReadHeads(const CommunityId& community) {
  QUN_ASSIGN_OR_RETURN(core::CachedStatement s,
                       db_->Use("SELECT author, coalesce(max(CASE WHEN evidence = 0 THEN seq "
                                "END), 0), max(evidence) FROM relayed WHERE community=? GROUP "
                                "BY author ORDER BY author"));
  s->Bind(1, Blob(community));
  Heads out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    Head h;
    QUN_ASSIGN_OR_RETURN(h.author, core::KeyFromValue(s->GetValue(0)));
    h.seq = static_cast<uint64_t>(s->Int(1));
    h.forked = s->Int(2) != 0;
    out.push_back(h);
  }
  // Only evidence held of an author: seq 0, no hash.
  for (Head& h : out) {
    if (h.seq == 0) continue;
    QUN_ASSIGN_OR_RETURN(core::CachedStatement hash,
                         db_->Use("SELECT hash FROM relayed WHERE community=? AND author=? AND "
                                  "seq=? AND evidence=0"));
    hash->Bind(1, Blob(community)).Bind(2, Blob(h.author)).Bind(3, static_cast<int64_t>(h.seq));
    QUN_ASSIGN_OR_RETURN(bool row, hash->Step());
    std::string_view bytes = row ? hash->BlobView(0) : std::string_view();
    if (bytes.size() == h.hash.size()) std::memcpy(h.hash.data(), bytes.data(), bytes.size());
  }
  return out;
}

Result<std::vector<int64_t>> RelayStore::MissingIds(const CommunityId& community,
                                                    const Heads& theirs) {
  VersionVector their_vector = ToVector(theirs);
  std::set<core::PublicKey> known_forked;
  for (const Head& h : theirs)
    if (h.forked) known_forked.insert(h.author);
  QUN_ASSIGN_OR_RETURN(Heads mine, ReadHeads(community));
  std::vector<std::pair<int64_t, bool>> rows;  // (id, evidence)
  std::map<core::PublicKey, const Head*> their_heads;
  for (const Head& h : theirs) their_heads[h.author] = &h;
  for (const Head& h : mine) {
    auto it = their_vector.find(h.author);
    uint64_t their_seq = it == their_vector.end() ? 0 : it->second;
    if (h.seq > their_seq) {
      QUN_ASSIGN_OR_RETURN(core::CachedStatement range,
                           db_->Use("SELECT id FROM relayed WHERE community=? AND author=? AND "
                                    "seq>? AND evidence=0"));
      range->Bind(1, Blob(community))
          .Bind(2, Blob(h.author))
          .Bind(3, static_cast<int64_t>(their_seq));
      while (true) {
        QUN_ASSIGN_OR_RETURN(bool row, range->Step());
        if (!row) break;
        rows.emplace_back(range->Int(0), false);
      }
    }
    if (h.forked && !known_forked.count(h.author)) {
      // Both twins of each fork the other side does not know of: it may
      // hold either one.
      QUN_ASSIGN_OR_RETURN(
          core::CachedStatement twins,
          db_->Use("SELECT id FROM relayed WHERE community=?1 AND author=?2 AND seq IN (SELECT "
                   "seq FROM relayed WHERE community=?1 AND author=?2 AND evidence=1)"));
      twins->Bind(1, Blob(community)).Bind(2, Blob(h.author));
      while (true) {
        QUN_ASSIGN_OR_RETURN(bool row, twins->Step());
        if (!row) break;
        rows.emplace_back(twins->Int(0), true);
      }
    } else if (!h.forked && their_seq > 0 && their_seq <= h.seq && !known_forked.count(h.author)) {
      // Their head with another hash than the change set held here at that
      // seq: a fork nobody has noticed yet. Send this twin as evidence.
      const Head& head = *their_heads[h.author];
      QUN_ASSIGN_OR_RETURN(core::CachedStatement at,
                           db_->Use("SELECT id, hash FROM relayed WHERE community=? AND "
                                    "author=? AND seq=? AND evidence=0"));
      at->Bind(1, Blob(community)).Bind(2, Blob(h.author)).Bind(3, static_cast<int64_t>(their_seq));
      QUN_ASSIGN_OR_RETURN(bool row, at->Step());
      if (row &&
          at->BlobView(1) !=
              std::string_view(reinterpret_cast<const char*>(head.hash.data()), head.hash.size()))
        rows.emplace_back(at->Int(0), true);
    }
  }
  // In the order they arrived, which is an order their senders could apply
  // them in; evidence last.
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second, a.first) < std::tie(b.second, b.first);
  });
  std::vector<int64_t> ids;
  ids.reserve(rows.size());
  for (const auto& r : rows) ids.push_back(r.first);
  return ids;
}

Result<std::string> RelayStore::ChangeSetBytes(int64_t id) {
  return ReadChangeSetBytes(*db_, "relayed", id);
}

Result<Received> RelayStore::Receive(const CommunityId& community, std::string_view bytes) {
  Received r;
  std::optional<Checked> checked = CheckReceived(bytes, community, &r);
  if (!checked) return r;
  const ChangeSetHeader* header = &checked->header;
  bool same = false, twin = false, has_evidence = false;
  std::string previous;
  {
    QUN_ASSIGN_OR_RETURN(
        core::CachedStatement held,
        db_->Use("SELECT (SELECT count(*) FROM relayed WHERE hash=?), (SELECT hash FROM relayed "
                 "WHERE community=? AND author=? AND seq=? AND evidence=0), (SELECT hash FROM "
                 "relayed WHERE community=? AND author=? AND seq=? AND evidence=0), (SELECT "
                 "count(*) FROM relayed WHERE community=? AND author=? AND seq=? AND evidence=1)"));
    held->Bind(1, Blob(r.hash))
        .Bind(2, Blob(community))
        .Bind(3, Blob(r.author))
        .Bind(4, static_cast<int64_t>(r.seq))
        .Bind(5, Blob(community))
        .Bind(6, Blob(r.author))
        .Bind(7, static_cast<int64_t>(r.seq - 1))
        .Bind(8, Blob(community))
        .Bind(9, Blob(r.author))
        .Bind(10, static_cast<int64_t>(r.seq));
    QUN_ASSIGN_OR_RETURN(bool row, held->Step());
    same = row && held->Int(0) > 0;
    twin = row && !held->BlobView(1).empty();
    previous = std::string(row ? held->BlobView(2) : std::string_view());
    has_evidence = row && held->Int(3) > 0;
  }
  if (same) {
    r.outcome = Outcome::kAlreadyHeld;
    return r;
  }
  int evidence = 0;
  if (twin) {
    // One piece of evidence per (author, seq) is enough to show the fork;
    // more would only let an equivocator fill the relay's disk.
    if (has_evidence) {
      r.reason = "a third change set with this seq: the relay keeps one twin as evidence";
      return r;
    }
    evidence = 1;
    r.outcome = Outcome::kEquivocation;
    r.reason =
        fmt::format("{} signed two different change sets with seq {}", Short(r.author), r.seq);
  } else if (header->seq > 1) {
    if (previous.empty()) {
      r.outcome = Outcome::kPending;
      r.reason = fmt::format("change set {} of {} is not here yet", r.seq - 1, Short(r.author));
      return r;
    }
    if (!header->previous_hash ||
        std::memcmp(previous.data(), header->previous_hash->data(), previous.size()) != 0) {
      r.reason = fmt::format("change set {} of {} does not continue its author's chain", r.seq,
                             Short(r.author));
      return r;
    }
  }
  QUN_ASSIGN_OR_RETURN(core::CachedStatement insert,
                       db_->Use("INSERT INTO relayed (community, author, seq, hash, bytes, "
                                "evidence) VALUES (?, ?, ?, ?, ?, ?)"));
  insert->Bind(1, Blob(community))
      .Bind(2, Blob(r.author))
      .Bind(3, static_cast<int64_t>(r.seq))
      .Bind(4, Blob(r.hash))
      .Bind(5, Blob(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()))
      .Bind(6, evidence);
  QUN_RETURN_IF_ERROR(insert->Run());
  if (!evidence) r.outcome = Outcome::kApplied;
  return r;
}

Result<RelayStore::Totals> RelayStore::Summarize() {
  QUN_ASSIGN_OR_RETURN(
      core::Statement s,
      db_->Prepare("SELECT count(DISTINCT community), count(DISTINCT author), "
                   "sum(evidence = 0), sum(evidence), coalesce(sum(length(bytes)), "
                   "0) FROM relayed"));
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  Totals t;
  if (row) t = {s.Int(0), s.Int(1), s.Int(2), s.Int(3), s.Int(4)};
  return t;
}

Result<Credit> RelayReplica::Take(const std::vector<std::string>& batch,
                                  std::vector<Received>* notable) {
  Credit credit;
  core::Transaction tx(store_.db());
  QUN_RETURN_IF_ERROR(tx.Begin());
  for (const std::string& bytes : batch) {
    QUN_ASSIGN_OR_RETURN(Received r, store_.Receive(community_, bytes));
    Count(r.outcome, &credit);
    if (r.outcome != Outcome::kApplied && r.outcome != Outcome::kAlreadyHeld &&
        notable->size() < 100)
      notable->push_back(std::move(r));
  }
  QUN_RETURN_IF_ERROR(tx.Commit());
  return credit;
}

}  // namespace qun::sync
