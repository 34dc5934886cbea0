#include "sync/change_set_store.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/oplog.h"

namespace qun::sync {
namespace {

Bytes Blob(const uint8_t* p, size_t n) { return Bytes{std::vector<uint8_t>(p, p + n)}; }
template <size_t N>
Bytes Blob(const std::array<uint8_t, N>& a) {
  return Blob(a.data(), N);
}

std::string Short(const core::PublicKey& k) { return core::ToHex(k).substr(0, 8); }

// BEGIN IMMEDIATE ... COMMIT, rolled back unless committed.
class Transaction {
 public:
  explicit Transaction(core::Database& db) : db_(db) {}
  ~Transaction() {
    if (open_) (void)db_.Exec("ROLLBACK");
  }
  Status Begin() {
    QUN_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
    open_ = true;
    return Status::Ok();
  }
  Status Commit() {
    QUN_RETURN_IF_ERROR(db_.Exec("COMMIT"));
    open_ = false;
    return Status::Ok();
  }

 private:
  core::Database& db_;
  bool open_ = false;
};

}  // namespace

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kApplied:
      return "applied";
    case Outcome::kAlreadyHeld:
      return "already held";
    case Outcome::kPending:
      return "pending";
    case Outcome::kNewerFormat:
      return "newer format";
    case Outcome::kEquivocation:
      return "equivocation";
    case Outcome::kRejected:
      return "rejected";
  }
  return "unknown";
}

Result<uint64_t> ChangeSetStore::AppliedSeq(const core::PublicKey& author) {
  QUN_ASSIGN_OR_RETURN(core::Statement * s,
                       store_.db().Cached("SELECT coalesce(max(seq), 0) FROM change_set WHERE "
                                          "author=? AND state='applied'"));
  s->Bind(1, Blob(author));
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  uint64_t seq = row ? static_cast<uint64_t>(s->Int(0)) : 0;
  s->Reset();
  return seq;
}

Result<std::optional<Hash>> ChangeSetStore::AppliedHash(const core::PublicKey& author,
                                                        uint64_t seq) {
  QUN_ASSIGN_OR_RETURN(core::Statement * s,
                       store_.db().Cached("SELECT hash FROM change_set WHERE author=? AND seq=? "
                                          "AND state='applied'"));
  s->Bind(1, Blob(author)).Bind(2, static_cast<int64_t>(seq));
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  std::optional<Hash> out;
  if (row) {
    Value v = s->GetValue(0);
    if (auto* b = std::get_if<Bytes>(&v); b && b->data.size() == Hash{}.size()) {
      Hash h;
      std::copy(b->data.begin(), b->data.end(), h.begin());
      out = h;
    }
  }
  s->Reset();
  return out;
}

Result<VersionVector> ChangeSetStore::Vector() {
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       store_.db().Prepare("SELECT author, max(seq) FROM change_set WHERE "
                                           "state='applied' GROUP BY author"));
  VersionVector v;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    Value author = s.GetValue(0);
    auto* b = std::get_if<Bytes>(&author);
    if (!b || b->data.size() != core::PublicKey{}.size())
      return Status::Corruption("a stored change set has a damaged author key");
    core::PublicKey k;
    std::copy(b->data.begin(), b->data.end(), k.begin());
    v[k] = static_cast<uint64_t>(s.Int(1));
  }
  return v;
}

Result<int> ChangeSetStore::SealLocal(const core::Identity& me) {
  core::Database& db = store_.db();
  Transaction tx(db);
  QUN_RETURN_IF_ERROR(tx.Begin());
  QUN_ASSIGN_OR_RETURN(
      core::Statement txns,
      db.Prepare("SELECT t.id, t.seq, coalesce(t.note, '') FROM op_txn t JOIN op_author a ON "
                 "a.id = t.author WHERE a.pubkey = ? AND NOT EXISTS (SELECT 1 FROM change_set c "
                 "WHERE c.txn = t.id) ORDER BY t.seq"));
  txns.Bind(1, Blob(me.public_key()));
  struct Pending {
    int64_t id;
    uint64_t seq;
    std::string note;
  };
  std::vector<Pending> pending;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, txns.Step());
    if (!row) break;
    pending.push_back({txns.Int(0), static_cast<uint64_t>(txns.Int(1)), txns.Text(2)});
  }
  txns.Reset();
  if (pending.empty()) return 0;

  QUN_ASSIGN_OR_RETURN(VersionVector vector, Vector());
  QUN_ASSIGN_OR_RETURN(core::Statement ops,
                       db.Prepare("SELECT tbl, row_id, col, value, hlc FROM op WHERE txn = ? "
                                  "ORDER BY id"));
  QUN_ASSIGN_OR_RETURN(core::Statement insert,
                       db.Prepare("INSERT INTO change_set(author, seq, hash, bytes, state, txn) "
                                  "VALUES (?, ?, ?, ?, 'applied', ?)"));
  for (const Pending& p : pending) {
    ChangeSetHeader header;
    header.community_id = community_;
    header.seq = p.seq;
    if (p.seq > 1) {
      QUN_ASSIGN_OR_RETURN(header.previous_hash, AppliedHash(me.public_key(), p.seq - 1));
      if (!header.previous_hash)
        return Status::Internal(
            fmt::format("this node's change {} cannot be sealed: change {} before it is missing",
                        p.seq, p.seq - 1));
    }
    for (const auto& [author, seq] : vector)
      if (author != me.public_key()) header.dependencies.push_back({author, seq});
    Payload payload;
    payload.note = p.note;
    ops.Bind(1, p.id);
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool row, ops.Step());
      if (!row) break;
      payload.ops.push_back({ops.Text(0), ops.Text(1), ops.Text(2), ops.GetValue(3),
                             core::Hlc{static_cast<uint64_t>(ops.Int(4))}, me.public_key()});
    }
    ops.Reset();
    QUN_ASSIGN_OR_RETURN(ChangeSet cs, Seal(header, payload, key_, me));
    std::string bytes = cs.Encode();
    insert.Bind(1, Blob(me.public_key()))
        .Bind(2, static_cast<int64_t>(p.seq))
        .Bind(3, Blob(cs.ComputeHash()))
        .Bind(4, Blob(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()))
        .Bind(5, p.id);
    QUN_RETURN_IF_ERROR(insert.Run());
  }
  QUN_RETURN_IF_ERROR(tx.Commit());
  return static_cast<int>(pending.size());
}

Status ChangeSetStore::SetState(int64_t row_id, const char* state, const std::string& reason) {
  QUN_ASSIGN_OR_RETURN(core::Statement * s,
                       store_.db().Cached("UPDATE change_set SET state=?, reason=? WHERE id=?"));
  s->Bind(1, state).Bind(2, reason).Bind(3, row_id);
  return s->Run();
}

Result<bool> ChangeSetStore::TryApply(int64_t row_id, const ChangeSet& cs,
                                      const ChangeSetHeader& header) {
  QUN_ASSIGN_OR_RETURN(uint64_t applied, AppliedSeq(header.author));
  if (header.seq != applied + 1) return false;  // earlier ones first
  if (header.seq > 1) {
    QUN_ASSIGN_OR_RETURN(auto previous, AppliedHash(header.author, header.seq - 1));
    if (previous != header.previous_hash) {
      QUN_RETURN_IF_ERROR(SetState(
          row_id, "rejected",
          fmt::format("change set {} of {} does not follow that author's change set {} held "
                      "here (its previous hash differs): a forged or broken chain",
                      header.seq, Short(header.author), header.seq - 1)));
      return false;
    }
  }
  for (const VersionEntry& dep : header.dependencies) {
    QUN_ASSIGN_OR_RETURN(uint64_t have, AppliedSeq(dep.author));
    if (have < dep.seq) return false;  // causal order: what it built on comes first
  }
  auto payload = Open(cs, header, key_);
  if (!payload.ok()) {
    bool newer = payload.status().code() == Status::Code::kIncompatible;
    QUN_RETURN_IF_ERROR(SetState(row_id, newer ? "newer" : "rejected", payload.status().message()));
    return false;
  }

  core::Database& db = store_.db();
  Transaction tx(db);
  QUN_RETURN_IF_ERROR(tx.Begin());
  QUN_ASSIGN_OR_RETURN(int64_t author_id, core::AuthorId(db, header.author));
  core::Hlc latest;
  for (const core::Op& op : payload->ops) latest = std::max(latest, op.hlc);
  QUN_ASSIGN_OR_RETURN(core::Statement * txn,
                       db.Cached("INSERT INTO op_txn(author, seq, hlc, note) VALUES (?, ?, ?, ?)"));
  txn->Bind(1, author_id)
      .Bind(2, static_cast<int64_t>(header.seq))
      .Bind(3, static_cast<int64_t>(latest.packed))
      .Bind(4, payload->note);
  QUN_RETURN_IF_ERROR(txn->Run());
  int64_t txn_id = sqlite3_last_insert_rowid(db.handle());
  for (const core::Op& op : payload->ops)
    QUN_RETURN_IF_ERROR(core::ApplyOp(db, op, txn_id, author_id).status());
  QUN_ASSIGN_OR_RETURN(core::Statement * done,
                       db.Cached("UPDATE change_set SET state='applied', reason=NULL, txn=? "
                                 "WHERE id=?"));
  done->Bind(1, txn_id).Bind(2, row_id);
  QUN_RETURN_IF_ERROR(done->Run());
  QUN_RETURN_IF_ERROR(tx.Commit());
  store_.clock().Observe(latest);
  return true;
}

Result<int> ChangeSetStore::ApplyPending() {
  int applied = 0;
  while (true) {
    QUN_ASSIGN_OR_RETURN(core::Statement s,
                         store_.db().Prepare("SELECT id, bytes FROM change_set WHERE "
                                             "state='pending' ORDER BY author, seq"));
    std::vector<std::pair<int64_t, std::string>> rows;
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      Value v = s.GetValue(1);
      auto* b = std::get_if<Bytes>(&v);
      rows.emplace_back(s.Int(0), b ? std::string(b->data.begin(), b->data.end()) : "");
    }
    s.Reset();
    int progress = 0;
    for (const auto& [id, bytes] : rows) {
      auto cs = ChangeSet::Decode(bytes);
      auto header = cs.ok() ? Verify(*cs) : Result<ChangeSetHeader>(cs.status());
      if (!header.ok()) {
        QUN_RETURN_IF_ERROR(SetState(id, "rejected", header.status().message()));
        continue;
      }
      QUN_ASSIGN_OR_RETURN(bool done, TryApply(id, *cs, *header));
      if (done) ++progress;
    }
    applied += progress;
    if (progress == 0) return applied;
  }
}

Result<Received> ChangeSetStore::Receive(std::string_view bytes) {
  Received r{Outcome::kRejected, "", {}, 0};
  auto cs = ChangeSet::Decode(bytes);
  if (!cs.ok()) {
    r.reason = cs.status().message();
    return r;
  }
  auto header = Verify(*cs);
  if (!header.ok()) {
    r.reason = header.status().message();
    return r;
  }
  r.author = header->author;
  r.seq = header->seq;
  if (header->community_id != community_) {
    r.reason = fmt::format("change set {} of {} belongs to another community", header->seq,
                           Short(header->author));
    return r;
  }
  Hash hash = cs->ComputeHash();
  core::Database& db = store_.db();
  {
    Transaction tx(db);
    QUN_RETURN_IF_ERROR(tx.Begin());
    QUN_ASSIGN_OR_RETURN(core::Statement * held,
                         db.Cached("SELECT (SELECT count(*) FROM change_set WHERE hash=?), "
                                   "(SELECT count(*) FROM change_set WHERE author=? AND seq=?)"));
    held->Bind(1, Blob(hash))
        .Bind(2, Blob(header->author))
        .Bind(3, static_cast<int64_t>(header->seq));
    QUN_ASSIGN_OR_RETURN(bool row, held->Step());
    bool same = row && held->Int(0) > 0;
    bool twin = row && held->Int(1) > 0;
    held->Reset();
    if (same) {
      r.outcome = Outcome::kAlreadyHeld;
      return r;
    }
    const char* state = "pending";
    r.outcome = Outcome::kPending;
    if (twin) {
      state = "equivocation";
      r.outcome = Outcome::kEquivocation;
      r.reason =
          fmt::format("{} signed two different change sets with seq {}: both are kept as evidence",
                      Short(header->author), header->seq);
    } else if (header->format_version > kFormatVersion) {
      state = "newer";
      r.outcome = Outcome::kNewerFormat;
      r.reason = "written by a newer Qun; kept and forwarded, applied once qun is upgraded";
    }
    QUN_ASSIGN_OR_RETURN(core::Statement * insert,
                         db.Cached("INSERT INTO change_set(author, seq, hash, bytes, state, "
                                   "reason) VALUES (?, ?, ?, ?, ?, ?)"));
    insert->Bind(1, Blob(header->author))
        .Bind(2, static_cast<int64_t>(header->seq))
        .Bind(3, Blob(hash))
        .Bind(4, Blob(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()))
        .Bind(5, state)
        .Bind(6, r.reason);
    QUN_RETURN_IF_ERROR(insert->Run());
    QUN_RETURN_IF_ERROR(tx.Commit());
    if (r.outcome != Outcome::kPending) return r;
  }
  QUN_RETURN_IF_ERROR(ApplyPending().status());
  QUN_ASSIGN_OR_RETURN(core::Statement * state,
                       db.Cached("SELECT state, coalesce(reason, '') FROM change_set WHERE "
                                 "hash=?"));
  state->Bind(1, Blob(hash));
  QUN_ASSIGN_OR_RETURN(bool row, state->Step());
  std::string s = row ? state->Text(0) : "";
  r.reason = row ? state->Text(1) : "";
  state->Reset();
  r.outcome = s == "applied"   ? Outcome::kApplied
              : s == "pending" ? Outcome::kPending
              : s == "newer"   ? Outcome::kNewerFormat
                               : Outcome::kRejected;
  return r;
}

Result<std::vector<std::string>> ChangeSetStore::Missing(const VersionVector& theirs) {
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       store_.db().Prepare("SELECT author, seq, bytes FROM change_set WHERE state "
                                           "IN ('applied', 'newer') ORDER BY author, seq"));
  std::vector<std::string> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    Value author = s.GetValue(0);
    auto* a = std::get_if<Bytes>(&author);
    if (!a || a->data.size() != core::PublicKey{}.size())
      return Status::Corruption("a stored change set has a damaged author key");
    core::PublicKey k;
    std::copy(a->data.begin(), a->data.end(), k.begin());
    auto it = theirs.find(k);
    if (it != theirs.end() && static_cast<uint64_t>(s.Int(1)) <= it->second) continue;
    Value bytes = s.GetValue(2);
    auto* b = std::get_if<Bytes>(&bytes);
    if (b) out.emplace_back(b->data.begin(), b->data.end());
  }
  return out;
}

}  // namespace qun::sync
