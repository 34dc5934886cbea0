#include "sync/change_set_store.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <set>
#include <tuple>

#include "base/text.h"
#include "core/oplog.h"
#include "core/permissions.h"
#include "sync/key_rotation.h"

namespace qun::sync {
namespace {

std::string Short(const core::PublicKey& k) { return core::ToHex(k).substr(0, 8); }

// A change set's bytes as kept; empty (refused when decoded) if the column
// holds something else.
std::string BytesOf(const Value& v) {
  auto* b = std::get_if<Bytes>(&v);
  return b ? std::string(b->data.begin(), b->data.end()) : std::string();
}

using core::Transaction;

constexpr uint64_t kMaxHlc = uint64_t{1} << 62;

constexpr char kNewerReason[] =
    "written by a newer Qun; kept and forwarded, applied once qun is upgraded";

std::string EquivocationReason(const core::PublicKey& author, uint64_t seq) {
  return fmt::format("{} signed two different change sets with seq {}: both are kept as evidence",
                     Short(author), seq);
}

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

Result<HeldSummary> Summarize(core::Database& db) {
  HeldSummary h;
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       db.Prepare("SELECT state, count(*) FROM change_set GROUP BY state"));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    std::string state = s.Text(0);
    int64_t n = s.Int(1);
    if (state == "applied") h.applied = n;
    if (state == "pending") h.pending = n;
    if (state == "newer") h.newer = n;
    if (state == "equivocation") h.equivocation = n;
    if (state == "rejected") h.rejected = n;
  }
  QUN_ASSIGN_OR_RETURN(core::Statement r,
                       db.Prepare("SELECT count(*) FROM op_txn WHERE refused IS NOT NULL"));
  QUN_ASSIGN_OR_RETURN(bool any, r.Step());
  if (any) h.refused = r.Int(0);
  QUN_ASSIGN_OR_RETURN(core::Statement e, db.Prepare("SELECT DISTINCT author FROM change_set WHERE "
                                                     "state='equivocation' ORDER BY author"));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, e.Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(core::PublicKey k, core::KeyFromValue(e.GetValue(0)));
    h.equivocators.push_back(k);
  }
  return h;
}

ChangeSetStore::ChangeSetStore(core::Store& store, Community& community, const core::Identity& me)
    : store_(store), community_(community), me_(me) {
  authority_ =
      std::make_unique<Authority>(store_.db(), community_.founder, [this] { return LocalSeen(); });
}

Status ChangeSetStore::ClaimFromPending(uint32_t epoch) {
  // A node let in by an owner that had not yet received a rotation lacks
  // its key, and the rotating owner's change sets after it are sealed with
  // it: they block that owner's chain, and with it the later rotation that
  // passes the key on. So the key is looked for in an owner's change sets
  // still waiting here too. It is used to read only: sealing takes it once
  // a rotation that counts gave it out (UnusableEpochs).
  core::Database& db = store_.db();
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       db.Prepare("SELECT bytes FROM change_set WHERE state = 'pending'"));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    auto cs = ChangeSet::Decode(s.BlobView(0));
    if (!cs.ok()) continue;
    auto header = ReadHeader(*cs);
    if (!header.ok()) continue;
    const core::CommunityKey* key = community_.Key(header->key_epoch);
    if (!key) continue;
    QUN_ASSIGN_OR_RETURN(core::Roles roles,
                         core::CurrentRoles(db, header->author, community_.founder));
    if (!roles.Owner()) continue;
    auto payload = Open(*cs, *header, *key);
    if (!payload.ok()) continue;
    for (const core::Op& op : payload->ops) {
      if (op.table != core::kKeyEnvelopeTable ||
          EnvelopeEpochFor(op.row_id, me_.public_key()) != std::optional<uint32_t>(epoch))
        continue;
      auto opened = OpenEnvelopeValue(me_, epoch, op.value);
      if (!opened.ok()) continue;
      s.Reset();
      QUN_ASSIGN_OR_RETURN(auto early, store_.GetMeta("early_keys"));
      QUN_RETURN_IF_ERROR(
          store_.SetMeta("early_keys", (early ? *early : "") + std::to_string(epoch) + "\n"));
      return TakeKey(std::move(*opened));
    }
  }
  return Status::Ok();
}

Result<std::vector<std::pair<int64_t, uint32_t>>> ChangeSetStore::RefusedEpochs() {
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       store_.db().Prepare("SELECT id, bytes FROM change_set WHERE state = "
                                           "'rejected'"));
  std::vector<std::pair<int64_t, uint32_t>> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    auto cs = ChangeSet::Decode(s.BlobView(1));
    if (!cs.ok()) continue;
    auto header = ReadHeader(*cs);
    if (header.ok()) out.push_back({s.Int(0), header->key_epoch});
  }
  return out;
}

Status ChangeSetStore::TakeKey(core::CommunityKey key) {
  // On disk first: a key this node seals with must survive a crash.
  if (save_key_) QUN_RETURN_IF_ERROR(save_key_(key));
  community_.keys.push_back(std::move(key));
  return Status::Ok();
}

Status ChangeSetStore::RetryMissingKeys() {
  QUN_ASSIGN_OR_RETURN(auto refused, RefusedEpochs());
  std::vector<std::pair<int64_t, uint32_t>> lacking;
  for (const auto& [id, epoch] : refused)
    if (!community_.Key(epoch)) lacking.push_back({id, epoch});
  if (lacking.empty()) return Status::Ok();
  std::set<uint32_t> epochs;
  for (const auto& [id, epoch] : lacking) epochs.insert(epoch);
  for (uint32_t epoch : epochs) QUN_RETURN_IF_ERROR(ClaimFromPending(epoch));
  bool any = false;
  for (const auto& [id, epoch] : lacking)
    if (community_.Key(epoch)) {
      QUN_RETURN_IF_ERROR(SetState(id, "pending", ""));
      any = true;
    }
  if (any) QUN_RETURN_IF_ERROR(ApplyPending().status());
  return Status::Ok();
}

Result<std::set<uint32_t>> ChangeSetStore::UnusableEpochs() {
  // A key that came in an envelope counts while some envelope of its epoch
  // counts: a rotation whose writer lost ownership at the same time (a
  // revocation wins) gave out a key nobody is to seal with, and which a
  // removed node may hold. Keys that came otherwise (founding, invites)
  // have no envelope and count.
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       store_.db().Prepare("SELECT o.row_id, t.refused IS NULL FROM op o JOIN "
                                           "op_txn t ON t.id = o.txn WHERE o.tbl = "
                                           "'key_envelope'"));
  std::set<uint32_t> seen, counted;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    auto epoch = EnvelopeEpoch(s.Text(0));
    if (!epoch) continue;
    seen.insert(*epoch);
    if (s.Int(1) != 0) counted.insert(*epoch);
  }
  // Keys taken from a change set still waiting (ClaimFromPending) are for
  // reading until a rotation that counts confirms them.
  QUN_ASSIGN_OR_RETURN(auto early, store_.GetMeta("early_keys"));
  if (early)
    for (std::string_view line : text::SplitLines(*early)) {
      uint32_t e = 0;
      auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), e);
      if (ec == std::errc() && end == line.data() + line.size()) seen.insert(e);
    }
  std::set<uint32_t> out;
  for (uint32_t e : seen)
    if (!counted.count(e)) out.insert(e);
  return out;
}

Status ChangeSetStore::RefreshKeys() {
  if (!load_keys_) return Status::Ok();
  QUN_ASSIGN_OR_RETURN(std::vector<core::CommunityKey> keys, load_keys_());
  // The file only grows; a shorter one (being replaced) is not taken.
  if (keys.size() > community_.keys.size()) community_.keys = std::move(keys);
  return Status::Ok();
}

Result<int> ChangeSetStore::ClaimKeys() {
  std::string me = core::ToHex(me_.public_key());
  QUN_ASSIGN_OR_RETURN(
      core::Statement s,
      store_.db().Prepare("SELECT o.row_id, o.value FROM op o JOIN op_txn t ON t.id = o.txn WHERE "
                          "o.tbl = 'key_envelope' AND o.row_id >= ? AND o.row_id < ? AND o.col = "
                          "'sealed' AND t.refused IS NULL"));
  s.Bind(1, me + ":").Bind(2, me + ";");
  int added = 0;
  std::set<uint32_t> fresh;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    auto epoch = EnvelopeEpochFor(s.Text(0), me_.public_key());
    if (!epoch || community_.Key(*epoch)) continue;
    auto opened = OpenEnvelopeValue(me_, *epoch, s.GetValue(1));
    // A damaged envelope (an owner's broken qun) gives nothing; it must not
    // stop this node from working. Another rotation gives it the key.
    if (!opened.ok()) continue;
    fresh.insert(*epoch);
    QUN_RETURN_IF_ERROR(TakeKey(std::move(*opened)));
    ++added;
  }
  s.Reset();
  if (fresh.empty()) return added;
  // Change sets refused for want of one of these keys wait again; the next
  // ApplyPending applies them.
  QUN_ASSIGN_OR_RETURN(auto refused, RefusedEpochs());
  for (const auto& [id, epoch] : refused)
    if (fresh.count(epoch)) QUN_RETURN_IF_ERROR(SetState(id, "pending", ""));
  return added;
}

Result<VersionVector> ChangeSetStore::LocalSeen() {
  QUN_ASSIGN_OR_RETURN(VersionVector seen, Vector());
  QUN_ASSIGN_OR_RETURN(JoinPoint join, ReadJoinPoint());
  for (const auto& [author, seq] : join.vector) seen[author] = std::max(seen[author], seq);
  seen.erase(me_.public_key());
  return seen;
}

Result<int> ChangeSetStore::RecomputeLocked(bool everyone) {
  QUN_ASSIGN_OR_RETURN(int changed, authority_->Recompute(everyone));
  QUN_RETURN_IF_ERROR(store_.db().Exec("DELETE FROM meta WHERE key = 'authority_dirty'"));
  // A resolution that starts or stops counting is carried out again.
  if (changed) resolutions_due_ = true;
  return changed;
}

Result<bool> ChangeSetStore::Undecided() {
  if (!decided_) {
    QUN_ASSIGN_OR_RETURN(auto generation, store_.GetMeta("authority_generation"));
    if (!generation) return true;
    decided_ = true;
  }
  QUN_ASSIGN_OR_RETURN(auto dirty, store_.GetMeta("authority_dirty"));
  return dirty.has_value();
}

Status ChangeSetStore::EnsureDecidedLocked() {
  QUN_ASSIGN_OR_RETURN(bool undecided, Undecided());
  if (!undecided) return Status::Ok();
  // Ops an older version kept without checking (it did not know their
  // fields) are decided as if they had just arrived: every change set
  // again, then those that count take effect. A node upgraded with them
  // so ends where one that received them after upgrading does.
  QUN_ASSIGN_OR_RETURN(auto learned, store_.GetMeta(core::kOpsLearnedKey));
  // Never decided (a database made before roles existed): every change set.
  QUN_RETURN_IF_ERROR(RecomputeLocked(/*everyone=*/!decided_ || learned).status());
  if (learned) {
    QUN_RETURN_IF_ERROR(core::MergeUnappliedOps(store_.db()).status());
    QUN_RETURN_IF_ERROR(
        store_.db().Exec(fmt::format("DELETE FROM meta WHERE key = '{}'", core::kOpsLearnedKey)));
  }
  decided_ = true;
  return Status::Ok();
}

Status ChangeSetStore::EnsureDecided() {
  QUN_ASSIGN_OR_RETURN(bool undecided, Undecided());
  if (!undecided) return Status::Ok();
  Transaction tx(store_.db());
  QUN_RETURN_IF_ERROR(tx.Begin());
  QUN_RETURN_IF_ERROR(EnsureDecidedLocked());
  return tx.Commit();
}

Result<int> ChangeSetStore::DecideRoles() {
  Transaction tx(store_.db());
  QUN_RETURN_IF_ERROR(tx.Begin());
  QUN_RETURN_IF_ERROR(EnsureDecidedLocked());
  QUN_ASSIGN_OR_RETURN(int changed, RecomputeLocked(false));
  QUN_RETURN_IF_ERROR(tx.Commit());
  return changed;
}

Result<std::vector<Refusal>> ListRefusals(core::Database& db) {
  std::vector<Refusal> out;
  QUN_ASSIGN_OR_RETURN(
      core::Statement s,
      db.Prepare("SELECT a.pubkey, t.seq, coalesce(t.note, ''), t.refused, 1 FROM op_txn t JOIN "
                 "op_author a ON a.id = t.author WHERE t.refused IS NOT NULL UNION ALL SELECT "
                 "author, seq, '', coalesce(reason, ''), 0 FROM change_set WHERE state = "
                 "'rejected' ORDER BY 1, 2"));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(core::PublicKey k, core::KeyFromValue(s.GetValue(0)));
    out.push_back({k, static_cast<uint64_t>(s.Int(1)), s.Text(2), s.Text(3), s.Int(4) != 0});
  }
  return out;
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

Result<std::optional<core::Hlc>> ChangeSetStore::ChainMax(const core::PublicKey& author,
                                                          uint64_t seq) {
  QUN_ASSIGN_OR_RETURN(core::Statement * s,
                       store_.db().Cached("SELECT chain_max FROM change_set WHERE author=? AND "
                                          "seq=? AND state='applied'"));
  s->Bind(1, Blob(author)).Bind(2, static_cast<int64_t>(seq));
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  std::optional<core::Hlc> out;
  if (row) out = core::HlcFromValue(s->GetValue(0));
  s->Reset();
  return out;
}

Result<bool> ChangeSetStore::Invited(const core::PublicKey& author) {
  if (author == community_.founder || author == me_.public_key()) return true;
  // An invite is a write of node.invited_by by someone other than the node
  // itself; only applied change sets are in the op log, so its writer was
  // known when it was applied. Whether the invite counts does not matter
  // here: that may change with change sets still to come, and others may
  // already build on the invited node's change sets. The authority rules
  // refuse what a node let in by an invite that does not count writes (it
  // holds no role), and it may not connect (Members).
  QUN_ASSIGN_OR_RETURN(core::Statement * s,
                       store_.db().Cached("SELECT EXISTS (SELECT 1 FROM op o JOIN op_author a ON "
                                          "a.id = o.author WHERE o.row_id = ? AND o.tbl = 'node' "
                                          "AND o.col = 'invited_by' AND o.value IS NOT NULL AND "
                                          "a.pubkey != ?)"));
  s->Bind(1, core::ToHex(author)).Bind(2, Blob(author));
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  bool invited = row && s->Int(0) != 0;
  s->Reset();
  return invited;
}

Result<VersionVector> ChangeSetStore::Vector() { return ReadVector(store_.db()); }

Result<VersionVector> ReadVectorWithLocal(core::Database& db, const core::PublicKey& me) {
  QUN_ASSIGN_OR_RETURN(VersionVector v, ReadVector(db));
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       db.Prepare("SELECT count(*) FROM op_txn t JOIN op_author a ON a.id = "
                                  "t.author WHERE a.pubkey = ? AND NOT EXISTS (SELECT 1 FROM "
                                  "change_set c WHERE c.txn = t.id)"));
  s.Bind(1, Blob(me));
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (row && s.Int(0) > 0) v[me] += static_cast<uint64_t>(s.Int(0));
  return v;
}

// Every sync starts here, on both sides, so it must not grow with the
// history. The rows hold the change sets' bytes, and reading them all made a
// no-op sync 9 times slower at 1.6 million ops; a GROUP BY over the index
// (author, state, seq) of migration 008 still read one entry per change set
// (5 times slower at 16 million ops). Instead it hops from author to author
// down that index, one search each, and takes each one's highest applied
// seq with one more search.
const char kVectorQuery[] =
    "WITH RECURSIVE authors(a) AS (SELECT min(author) FROM change_set UNION ALL SELECT (SELECT "
    "min(author) FROM change_set WHERE author > a) FROM authors WHERE a IS NOT NULL) SELECT a, s "
    "FROM (SELECT a, (SELECT max(seq) FROM change_set INDEXED BY change_set_by_author_state "
    "WHERE author = a AND state = 'applied') AS s FROM authors WHERE a IS NOT NULL) WHERE s IS "
    "NOT NULL";

Result<VersionVector> ReadVector(core::Database& db) {
  QUN_ASSIGN_OR_RETURN(core::Statement s, db.Prepare(kVectorQuery));
  VersionVector v;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(core::PublicKey k, core::KeyFromValue(s.GetValue(0)));
    v[k] = static_cast<uint64_t>(s.Int(1));
  }
  return v;
}

Result<int> ChangeSetStore::SealLocal() {
  Transaction tx(store_.db());
  QUN_RETURN_IF_ERROR(tx.Begin());
  QUN_ASSIGN_OR_RETURN(int sealed, SealLocalLocked());
  QUN_RETURN_IF_ERROR(tx.Commit());
  return sealed;
}

Result<int> ChangeSetStore::SealLocalLocked() {
  core::Database& db = store_.db();
  const core::PublicKey& me = me_.public_key();
  QUN_ASSIGN_OR_RETURN(uint64_t sealed_seq, AppliedSeq(me));
  QUN_ASSIGN_OR_RETURN(core::Statement * txns,
                       db.Cached("SELECT t.id, t.seq, coalesce(t.note, ''), t.ceiling, "
                                 "t.continues FROM op_txn t JOIN op_author a ON a.id = t.author "
                                 "WHERE a.pubkey = ? AND t.seq > ? ORDER BY t.seq"));
  txns->Bind(1, Blob(me)).Bind(2, static_cast<int64_t>(sealed_seq));
  struct Unsealed {
    int64_t id;
    uint64_t seq;
    std::string note;
    std::optional<core::Hlc> ceiling;
    bool continues;
  };
  std::vector<Unsealed> unsealed;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, txns->Step());
    if (!row) break;
    unsealed.push_back({txns->Int(0), static_cast<uint64_t>(txns->Int(1)), txns->Text(2),
                        core::HlcFromValue(txns->GetValue(3)), txns->Int(4) != 0});
  }
  txns->Reset();
  if (unsealed.empty()) return 0;
  QUN_RETURN_IF_ERROR(EnsureDecidedLocked());
  // Never sealed under a key another process has replaced since.
  QUN_RETURN_IF_ERROR(RefreshKeys());

  // Nothing from others is applied between a local write and its sealing
  // (this runs first in every apply), so these dependencies are what the
  // writes saw, and their ceiling is the one the writes were made with.
  // Change sets named by this node's invite count as seen, applied or not.
  QUN_ASSIGN_OR_RETURN(VersionVector vector, Vector());
  QUN_ASSIGN_OR_RETURN(JoinPoint join, ReadJoinPoint());
  std::vector<VersionEntry> dependencies;
  std::optional<core::Hlc> frontier;
  auto raise = [&](std::optional<core::Hlc> h) {
    if (h && (!frontier || *h > *frontier)) frontier = h;
  };
  VersionVector seen = vector;
  for (const auto& [author, seq] : join.vector)
    if (seen[author] < seq) {
      seen[author] = seq;
      raise(join.frontier);
    }
  for (const auto& [author, seq] : seen) {
    if (author == me || seq == 0) continue;
    dependencies.push_back({author, seq});
    auto applied = vector.find(author);
    if (applied != vector.end() && applied->second == seq) {
      QUN_ASSIGN_OR_RETURN(auto chain_max, ChainMax(author, seq));
      raise(chain_max);
    }
  }
  QUN_ASSIGN_OR_RETURN(std::optional<core::Hlc> chain_max, ChainMax(me, sealed_seq));
  bool roles_sealed = false;
  QUN_ASSIGN_OR_RETURN(std::set<uint32_t> unusable, UnusableEpochs());

  QUN_ASSIGN_OR_RETURN(core::Statement * ops,
                       db.Cached("SELECT tbl, row_id, col, value, hlc FROM op WHERE txn = ? "
                                 "ORDER BY id"));
  QUN_ASSIGN_OR_RETURN(core::Statement * insert,
                       db.Cached("INSERT INTO change_set(author, seq, hash, bytes, state, txn, "
                                 "chain_max) VALUES (?, ?, ?, ?, 'applied', ?, ?)"));
  for (const Unsealed& u : unsealed) {
    if (u.seq != sealed_seq + 1)
      return Status::Internal(
          fmt::format("this node's change {} cannot be sealed: change {} before it is missing",
                      u.seq, sealed_seq + 1));
    std::optional<core::Hlc> ceiling = core::Ceiling(frontier, chain_max);
    if (u.ceiling != ceiling)
      return Status::Internal(fmt::format(
          "this node's change {} was written against other changes than it would be sealed "
          "with; its clock ceiling would differ on other nodes",
          u.seq));
    ChangeSetHeader header;
    header.community_id = community_.id;
    header.seq = u.seq;
    if (u.seq > 1) {
      QUN_ASSIGN_OR_RETURN(header.previous_hash, AppliedHash(me, u.seq - 1));
      if (!header.previous_hash)
        return Status::Internal(
            fmt::format("this node's change {} cannot be sealed: change {} before it is missing",
                        u.seq, u.seq - 1));
    }
    header.dependencies = dependencies;
    header.continues = u.continues;
    Payload payload;
    payload.note = u.note;
    ops->Bind(1, u.id);
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool row, ops->Step());
      if (!row) break;
      core::Hlc hlc{static_cast<uint64_t>(ops->Int(4))};
      payload.ops.push_back({ops->Text(0), ops->Text(1), ops->Text(2), ops->GetValue(3), hlc, me});
      const core::Op& op = payload.ops.back();
      if (core::IsRoleOp(op) || core::IsInviteOp(op)) roles_sealed = true;
      core::Hlc effective = core::Effective(hlc, u.ceiling);
      if (!chain_max || effective > *chain_max) chain_max = effective;
    }
    ops->Reset();
    // A rotation's envelopes go out under the key before theirs: the nodes
    // they are for do not hold the new one yet. Otherwise the newest key
    // that counts.
    std::optional<uint32_t> rotating;
    for (const core::Op& op : payload.ops)
      if (op.table == core::kKeyEnvelopeTable)
        if (auto e = EnvelopeEpoch(op.row_id); e && (!rotating || *e < *rotating)) rotating = e;
    const core::CommunityKey* key = nullptr;
    for (const auto& k : community_.keys)
      if ((!rotating || k.epoch() < *rotating) && !unusable.count(k.epoch()) &&
          (!key || k.epoch() > key->epoch()))
        key = &k;
    if (!key)
      return Status::Internal("this node holds no community key it may seal a change set with");
    QUN_ASSIGN_OR_RETURN(ChangeSet cs, Seal(header, payload, *key, me_));
    std::string bytes = cs.Encode();
    insert->Bind(1, Blob(me))
        .Bind(2, static_cast<int64_t>(u.seq))
        .Bind(3, Blob(cs.ComputeHash()))
        .Bind(4, Blob(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()))
        .Bind(5, u.id);
    insert->Bind(6, core::HlcValue(chain_max));
    QUN_RETURN_IF_ERROR(insert->Run());
    sealed_seq = u.seq;
  }
  // Roles this node granted or revoked take effect in node_role now.
  if (roles_sealed) QUN_RETURN_IF_ERROR(RecomputeLocked(false).status());
  return static_cast<int>(unsealed.size());
}

Result<std::optional<core::Hlc>> ChangeSetStore::FrontierOf(const VersionVector& vector) {
  std::optional<core::Hlc> frontier;
  for (const auto& [author, seq] : vector) {
    QUN_ASSIGN_OR_RETURN(auto chain_max, ChainMax(author, seq));
    if (chain_max && (!frontier || *chain_max > *frontier)) frontier = chain_max;
  }
  return frontier;
}

Status ChangeSetStore::SaveJoinPoint(const JoinPoint& join) {
  std::string text;
  for (const auto& [author, seq] : join.vector)
    text += fmt::format("{} {}\n", core::ToHex(author), seq);
  Transaction tx(store_.db());
  QUN_RETURN_IF_ERROR(tx.Begin());
  QUN_RETURN_IF_ERROR(store_.SetMeta("join_vector", text));
  if (join.frontier) {
    QUN_RETURN_IF_ERROR(store_.SetMeta("join_frontier", std::to_string(join.frontier->packed)));
    QUN_RETURN_IF_ERROR(core::RaiseFrontier(store_.db(), *join.frontier));
  }
  return tx.Commit();
}

Result<JoinPoint> ChangeSetStore::ReadJoinPoint() {
  JoinPoint join;
  QUN_ASSIGN_OR_RETURN(auto text, store_.GetMeta("join_vector"));
  if (!text) return join;
  size_t start = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    std::string line = text->substr(start, end - start);
    start = end + 1;
    if (line.size() < 66) continue;
    core::PublicKey k;
    size_t len = 0;
    if (sodium_hex2bin(k.data(), k.size(), line.data(), 64, nullptr, &len, nullptr) != 0 ||
        len != k.size())
      return Status::Corruption("the invite point recorded in this node's database is damaged");
    join.vector[k] = std::stoull(line.substr(65));
  }
  // The frontier the invite named: what the node's first writes were
  // measured against (meta "frontier" may have grown since).
  QUN_ASSIGN_OR_RETURN(auto frontier, store_.GetMeta("join_frontier"));
  if (frontier) join.frontier = core::Hlc{std::stoull(*frontier)};
  return join;
}

Status ChangeSetStore::SetState(int64_t row_id, const char* state, const std::string& reason) {
  QUN_ASSIGN_OR_RETURN(core::Statement * s,
                       store_.db().Cached("UPDATE change_set SET state=?, reason=? WHERE id=?"));
  s->Bind(1, state).Bind(2, reason).Bind(3, row_id);
  return s->Run();
}

Result<std::optional<Hash>> ChangeSetStore::Resolution(const core::PublicKey& author,
                                                       uint64_t seq) {
  // Several owners may have resolved one fork: the latest op (by HLC, then
  // author) decides, the same on every node.
  QUN_ASSIGN_OR_RETURN(
      core::Statement * s,
      store_.db().Cached("SELECT o.value FROM op o JOIN op_txn t ON t.id = o.txn JOIN op_author a "
                         "ON a.id = o.author WHERE o.row_id = ? AND o.tbl = 'node_fork' AND o.col "
                         "= 'keep' AND t.refused IS NULL ORDER BY o.hlc DESC, a.pubkey DESC "
                         "LIMIT 1"));
  s->Bind(1, fmt::format("{}:{}", core::ToHex(author), seq));
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  std::optional<Hash> out;
  if (row) {
    std::string_view v = s->IsNull(0) ? std::string_view() : s->BlobView(0);
    if (v.size() == Hash{}.size()) {
      Hash h;
      std::memcpy(h.data(), v.data(), h.size());
      out = h;
    }
  }
  s->Reset();
  return out;
}

Result<std::vector<ChangeSetStore::Fork>> ChangeSetStore::Forks() {
  std::vector<Fork> out;
  QUN_ASSIGN_OR_RETURN(
      core::Statement s,
      store_.db().Prepare("SELECT DISTINCT author, seq FROM change_set WHERE state = "
                          "'equivocation' ORDER BY author, seq"));
  QUN_ASSIGN_OR_RETURN(core::Statement twins,
                       store_.db().Prepare("SELECT hash, state = 'applied' FROM change_set WHERE "
                                           "author = ? AND seq = ? AND state IN ('applied', "
                                           "'equivocation', 'pending') ORDER BY hash"));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    Fork f;
    QUN_ASSIGN_OR_RETURN(f.author, core::KeyFromValue(s.GetValue(0)));
    f.seq = static_cast<uint64_t>(s.Int(1));
    twins.Bind(1, Blob(f.author)).Bind(2, static_cast<int64_t>(f.seq));
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool t, twins.Step());
      if (!t) break;
      std::string_view v = twins.BlobView(0);
      if (v.size() != Hash{}.size()) continue;
      Hash h;
      std::memcpy(h.data(), v.data(), h.size());
      f.twins.push_back(h);
      if (twins.Int(1) != 0) f.applied = h;
    }
    twins.Reset();
    QUN_ASSIGN_OR_RETURN(f.resolved, Resolution(f.author, f.seq));
    out.push_back(std::move(f));
  }
  return out;
}

Result<bool> ChangeSetStore::Quarantined(const core::PublicKey& author) {
  QUN_ASSIGN_OR_RETURN(core::Statement * s,
                       store_.db().Cached("SELECT DISTINCT seq FROM change_set WHERE author = ? "
                                          "AND state = 'equivocation'"));
  s->Bind(1, Blob(author));
  std::vector<uint64_t> seqs;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    seqs.push_back(static_cast<uint64_t>(s->Int(0)));
  }
  s->Reset();
  for (uint64_t seq : seqs) {
    QUN_ASSIGN_OR_RETURN(auto keep, Resolution(author, seq));
    if (!keep) return true;
    // Resolved, but this node holds the other one applied and cannot
    // switch yet (the kept one has not reached it): still held.
    QUN_ASSIGN_OR_RETURN(auto applied, AppliedHash(author, seq));
    if (applied && *applied != *keep) return true;
  }
  return false;
}

Status ChangeSetStore::SwitchFork(const core::PublicKey& author, uint64_t seq, int64_t keep) {
  core::Database& db = store_.db();
  QUN_ASSIGN_OR_RETURN(core::Statement out,
                       db.Prepare("SELECT id, seq, txn FROM change_set WHERE author = ? AND seq "
                                  ">= ? AND state = 'applied' ORDER BY seq DESC"));
  out.Bind(1, Blob(author)).Bind(2, static_cast<int64_t>(seq));
  struct Applied {
    int64_t id;
    uint64_t seq;
    int64_t txn;
  };
  std::vector<Applied> applied;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, out.Step());
    if (!row) break;
    applied.push_back({out.Int(0), static_cast<uint64_t>(out.Int(1)), out.Int(2)});
  }
  out.Reset();
  std::vector<core::FieldRef> fields;
  QUN_ASSIGN_OR_RETURN(core::Statement ops,
                       db.Prepare("SELECT DISTINCT tbl, row_id, col FROM op WHERE txn = ?"));
  QUN_ASSIGN_OR_RETURN(core::Statement drop_ops, db.Prepare("DELETE FROM op WHERE txn = ?"));
  QUN_ASSIGN_OR_RETURN(core::Statement drop_txn, db.Prepare("DELETE FROM op_txn WHERE id = ?"));
  QUN_ASSIGN_OR_RETURN(core::Statement back,
                       db.Prepare("UPDATE change_set SET state = ?, reason = ?, txn = NULL, "
                                  "chain_max = NULL WHERE id = ?"));
  for (const Applied& a : applied) {
    ops.Bind(1, a.txn);
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool row, ops.Step());
      if (!row) break;
      fields.push_back({ops.Text(0), ops.Text(1), ops.Text(2)});
    }
    ops.Reset();
    // The one at the fork stays as evidence; what followed it waits again
    // (it follows the other change set, so its chain is refused when its
    // turn comes).
    bool twin = a.seq == seq;
    back.Bind(1, twin ? "equivocation" : "pending")
        .Bind(2, twin ? "an owner resolved this fork for the other change set" : "");
    back.Bind(3, a.id);
    QUN_RETURN_IF_ERROR(back.Run());
    drop_ops.Bind(1, a.txn);
    QUN_RETURN_IF_ERROR(drop_ops.Run());
    drop_txn.Bind(1, a.txn);
    QUN_RETURN_IF_ERROR(drop_txn.Run());
  }
  QUN_RETURN_IF_ERROR(SetState(keep, "pending", ""));
  std::sort(fields.begin(), fields.end());
  fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
  return core::RecomputeFields(db, fields);
}

Result<int> ChangeSetStore::ApplyResolutions() {
  int switched = 0;
  // One fork after another: the kept change set of a later fork can only
  // apply once the kept one before it has. Each round applies one more, so
  // a chain of forks takes as many rounds as it has forks.
  for (int round = 0; round < 1024; ++round) {
    QUN_ASSIGN_OR_RETURN(std::vector<Fork> forks, Forks());
    bool changed = false;
    for (const Fork& f : forks) {
      if (!f.resolved || f.applied == f.resolved) continue;
      QUN_ASSIGN_OR_RETURN(core::Statement * kept,
                           store_.db().Cached("SELECT id, state FROM change_set WHERE hash = ? "
                                              "AND author = ? AND seq = ?"));
      kept->Bind(1, Blob(*f.resolved)).Bind(2, Blob(f.author)).Bind(3, static_cast<int64_t>(f.seq));
      QUN_ASSIGN_OR_RETURN(bool row, kept->Step());
      int64_t id = row ? kept->Int(0) : 0;
      bool evidence = row && kept->Text(1) == "equivocation";
      kept->Reset();
      if (!row) continue;  // the kept one has not reached this node yet
      if (!f.applied && !evidence) continue;
      Transaction tx(store_.db());
      QUN_RETURN_IF_ERROR(tx.Begin());
      if (f.applied) {
        QUN_RETURN_IF_ERROR(SwitchFork(f.author, f.seq, id));
        // What the taken-out change sets granted or invited is gone: every
        // author is decided again (forks are rare).
        QUN_RETURN_IF_ERROR(RecomputeLocked(/*everyone=*/true).status());
        ++switched;
      } else {
        QUN_RETURN_IF_ERROR(SetState(id, "pending", ""));
      }
      QUN_RETURN_IF_ERROR(tx.Commit());
      changed = true;
    }
    if (!changed) break;
    QUN_RETURN_IF_ERROR(ApplyPending().status());
  }
  return switched;
}

Result<std::string> ChangeSetStore::WhyPending(const ChangeSetHeader& header) {
  QUN_ASSIGN_OR_RETURN(uint64_t applied, AppliedSeq(header.author));
  if (header.seq > applied + 1)
    return fmt::format("waits for change set {} of {}: it comes after it", applied + 1,
                       Short(header.author));
  for (const VersionEntry& dep : header.dependencies) {
    QUN_ASSIGN_OR_RETURN(uint64_t have, AppliedSeq(dep.author));
    if (have < dep.seq)
      return fmt::format("waits for change set {} of {}, which it builds on", dep.seq,
                         Short(dep.author));
  }
  QUN_ASSIGN_OR_RETURN(bool invited, Invited(header.author));
  if (!invited) return fmt::format("waits for the invite of its author {}", Short(header.author));
  if (header.continues) {
    QUN_ASSIGN_OR_RETURN(auto later, LaterParts(header));
    if (!later)
      return fmt::format(
          "waits for the rest of its transaction: {} wrote it in parts (change sets {} on), "
          "which apply together",
          Short(header.author), header.seq);
  }
  QUN_ASSIGN_OR_RETURN(bool quarantined, Quarantined(header.author));
  if (quarantined)
    return fmt::format(
        "held: its author {} signed two different change sets with one number, until an owner "
        "says which one counts (`qun admin resolve-fork`)",
        Short(header.author));
  return std::string("waits for its turn");
}

Result<std::optional<std::vector<ChangeSetStore::Part>>> ChangeSetStore::LaterParts(
    const ChangeSetHeader& header) {
  std::vector<Part> parts;
  bool continues = header.continues;
  for (uint64_t seq = header.seq + 1; continues; ++seq) {
    QUN_ASSIGN_OR_RETURN(auto rows, WaitingAt(header.author, seq));
    // Twins of one number are the fork rules' business: the first held
    // stands here as it would in the author's chain.
    if (rows.empty()) return std::optional<std::vector<Part>>();
    auto cs = ChangeSet::Decode(rows.front().second);
    auto verified = cs.ok() ? Verify(*cs) : Result<ChangeSetHeader>(cs.status());
    if (!verified.ok()) {
      QUN_RETURN_IF_ERROR(SetState(rows.front().first, "rejected", verified.status().message()));
      return std::optional<std::vector<Part>>();
    }
    continues = verified->continues;
    parts.push_back({rows.front().first, std::move(*cs), std::move(*verified)});
  }
  return std::optional<std::vector<Part>>(std::move(parts));
}

Result<bool> ChangeSetStore::TryApply(int64_t row_id, const ChangeSet& cs,
                                      const ChangeSetHeader& header) {
  if (!header.continues) return TryApplyOne(row_id, cs, header);
  // Its turn first: a later part of a transaction whose first part has not
  // applied yet waits with it.
  QUN_ASSIGN_OR_RETURN(uint64_t applied, AppliedSeq(header.author));
  if (header.seq != applied + 1) return TryApplyOne(row_id, cs, header);
  QUN_ASSIGN_OR_RETURN(auto later, LaterParts(header));
  if (!later) return false;  // the rest of the transaction has not come yet
  core::Database& db = store_.db();
  struct Failed {
    uint64_t seq;
    std::string state, reason;
  };
  std::optional<Failed> failed;
  {
    Transaction tx(db);
    QUN_RETURN_IF_ERROR(tx.Begin());
    auto one = [&](int64_t id, const ChangeSet& c, const ChangeSetHeader& h) -> Status {
      QUN_ASSIGN_OR_RETURN(bool ok, TryApplyOne(id, c, h));
      if (ok) return Status::Ok();
      QUN_ASSIGN_OR_RETURN(core::Statement * state,
                           db.Cached("SELECT state, coalesce(reason, '') FROM change_set WHERE "
                                     "id = ?"));
      state->Bind(1, id);
      QUN_ASSIGN_OR_RETURN(bool row, state->Step());
      failed = Failed{h.seq, row ? state->Text(0) : "", row ? state->Text(1) : ""};
      state->Reset();
      return Status::Ok();
    };
    QUN_RETURN_IF_ERROR(one(row_id, cs, header));
    for (const Part& p : *later) {
      if (failed) break;
      QUN_RETURN_IF_ERROR(one(p.row_id, p.change_set, p.header));
    }
    if (!failed) {
      QUN_RETURN_IF_ERROR(tx.Commit());
      return true;
    }
  }  // rolled back: no part of the transaction applied
  // A part that can never apply (refused, damaged) makes the whole
  // transaction refused, at its first part, where the author's chain stops.
  // One that only waits (for a key, say) leaves them all waiting.
  if (failed->state == "rejected" || failed->state == "equivocation")
    QUN_RETURN_IF_ERROR(SetState(
        row_id, "rejected",
        fmt::format("part {} of this transaction of {} cannot be applied ({}); no part of it was "
                    "applied",
                    failed->seq - header.seq + 1, Short(header.author), failed->reason)));
  return false;
}

Result<bool> ChangeSetStore::TryApplyOne(int64_t row_id, const ChangeSet& cs,
                                         const ChangeSetHeader& header) {
  QUN_ASSIGN_OR_RETURN(uint64_t applied, AppliedSeq(header.author));
  if (header.seq <= applied) {
    // Another change set with this number was applied first: this one is
    // a twin (both waited, as their author was not known yet).
    QUN_RETURN_IF_ERROR(
        SetState(row_id, "equivocation", EquivocationReason(header.author, header.seq)));
    return false;
  }
  if (header.seq != applied + 1) return false;  // earlier ones first
  // A forked author's later change sets wait for an owner's resolution
  // (which may take out the one before this, so its chain is looked at
  // after).
  QUN_ASSIGN_OR_RETURN(bool quarantined, Quarantined(header.author));
  if (quarantined) return false;
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
  QUN_ASSIGN_OR_RETURN(bool invited, Invited(header.author));
  if (!invited) return false;
  if (header.format_version > kFormatVersion) {
    QUN_RETURN_IF_ERROR(SetState(row_id, "newer", kNewerReason));
    return false;
  }
  const core::CommunityKey* key = community_.Key(header.key_epoch);
  if (!key) {
    QUN_RETURN_IF_ERROR(RefreshKeys());
    key = community_.Key(header.key_epoch);
  }
  if (!key) {
    QUN_RETURN_IF_ERROR(ClaimFromPending(header.key_epoch));
    key = community_.Key(header.key_epoch);
  }
  if (!key) {
    QUN_RETURN_IF_ERROR(SetState(
        row_id, "rejected",
        fmt::format("change set {} of {} is sealed under key epoch {}, which this node does not "
                    "hold",
                    header.seq, Short(header.author), header.key_epoch)));
    return false;
  }
  auto payload = Open(cs, header, *key);
  if (!payload.ok()) {
    bool newer = payload.status().code() == Status::Code::kIncompatible;
    QUN_RETURN_IF_ERROR(SetState(row_id, newer ? "newer" : "rejected", payload.status().message()));
    return false;
  }
  for (const core::Op& op : payload->ops) {
    if (op.author != header.author) {
      QUN_RETURN_IF_ERROR(
          SetState(row_id, "rejected", "a change set holds an op of another author"));
      return false;
    }
    // Beyond the year 40,000: no clock says this; it would also overflow the
    // ceiling arithmetic and SQLite's signed integers.
    if (op.hlc.packed >= kMaxHlc) {
      QUN_RETURN_IF_ERROR(SetState(row_id, "rejected",
                                   fmt::format("change set {} of {} holds an op with an "
                                               "impossible time; nothing of it was applied",
                                               header.seq, Short(header.author))));
      return false;
    }
  }

  // A change set that cannot be merged (it names a row that does not exist,
  // say: only a broken or hostile author writes one) is refused, so that it
  // does not block everything after it. Busy or disk errors are this node's,
  // not the change set's: they stop the import instead.
  bool ours = false;
  auto merged = Merge(row_id, header, *payload, &ours);
  if (!merged.ok()) {
    Status::Code code = merged.status().code();
    if (ours || code == Status::Code::kBusy || code == Status::Code::kIOError ||
        code == Status::Code::kCorruption)
      return merged.status();
    QUN_RETURN_IF_ERROR(
        SetState(row_id, "rejected",
                 fmt::format("change set {} of {} cannot be merged ({}); nothing of it was applied",
                             header.seq, Short(header.author), merged.status().message())));
    return false;
  }
  // Only the effective times move this node's clock: a far-ahead author
  // cannot drag it further than the ceiling.
  if (*merged) store_.clock().Observe(**merged);
  // A rotation with an envelope for this node: its later change sets are
  // sealed under the new key.
  for (const core::Op& op : payload->ops)
    if (op.table == core::kKeyEnvelopeTable && EnvelopeEpochFor(op.row_id, me_.public_key())) {
      QUN_RETURN_IF_ERROR(EnsureDecided());  // only envelopes that count give keys
      QUN_RETURN_IF_ERROR(ClaimKeys().status());
      break;
    }
  // A fork resolution is carried out once the change sets around it are
  // in (AfterApply).
  for (const core::Op& op : payload->ops)
    if (op.table == core::kForkTable) resolutions_due_ = true;
  return true;
}

Result<std::optional<core::Hlc>> ChangeSetStore::Merge(int64_t row_id,
                                                       const ChangeSetHeader& header,
                                                       const Payload& payload, bool* ours) {
  core::Database& db = store_.db();
  Transaction tx(db);
  *ours = true;
  QUN_RETURN_IF_ERROR(tx.Begin());
  // This node's own writes so far did not see this change set: seal them
  // first, so that their dependencies say so.
  QUN_RETURN_IF_ERROR(SealLocalLocked().status());
  // A database never decided (made before roles existed) is decided whole
  // first; role change sets waiting to be decided wait on (see below).
  if (!decided_) {
    QUN_ASSIGN_OR_RETURN(auto generation, store_.GetMeta("authority_generation"));
    if (!generation) QUN_RETURN_IF_ERROR(EnsureDecidedLocked());
  }
  *ours = false;

  // The ceiling: no op of this change set counts as later than the newest op
  // it depends on, plus the allowed lead (and never below its author's own
  // earlier ones).
  VersionVector dependencies;
  // chain_max grows along an author's chain, so the highest seq named for
  // an author stands for every entry of it.
  for (const VersionEntry& dep : header.dependencies)
    dependencies[dep.author] = std::max(dependencies[dep.author], dep.seq);
  QUN_ASSIGN_OR_RETURN(std::optional<core::Hlc> frontier, FrontierOf(dependencies));
  QUN_ASSIGN_OR_RETURN(std::optional<core::Hlc> chain_max, ChainMax(header.author, header.seq - 1));
  std::optional<core::Hlc> ceiling = core::Ceiling(frontier, chain_max);

  QUN_ASSIGN_OR_RETURN(int64_t author_id, core::AuthorId(db, header.author));
  core::Hlc latest;
  for (const core::Op& op : payload.ops) {
    latest = std::max(latest, op.hlc);
    core::Hlc effective = core::Effective(op.hlc, ceiling);
    if (!chain_max || effective > *chain_max) chain_max = effective;
  }
  // Role change sets are decided all together once this one is in the log;
  // any other is decided now, by its author's roles in its causal past.
  bool role_change = IsRoleChange(payload.ops);
  std::string refused = kDeciding;
  if (!role_change) {
    // Role change sets applied before this one are decided first (they are
    // decided together, once, after a run of them: see below).
    if (header.author != community_.founder) QUN_RETURN_IF_ERROR(EnsureDecidedLocked());
    QUN_ASSIGN_OR_RETURN(refused, authority_->Check(PositionOf(header), payload.ops));
  }
  QUN_ASSIGN_OR_RETURN(core::Statement * txn,
                       db.Cached("INSERT INTO op_txn(author, seq, hlc, note, ceiling, refused, "
                                 "continues) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  txn->Bind(1, author_id)
      .Bind(2, static_cast<int64_t>(header.seq))
      .Bind(3, static_cast<int64_t>(latest.packed))
      .Bind(4, payload.note);
  txn->Bind(5, core::HlcValue(ceiling));
  txn->Bind(6, refused.empty() ? Value() : Value(refused));
  txn->Bind(7, int64_t{header.continues ? 1 : 0});
  QUN_RETURN_IF_ERROR(txn->Run());
  int64_t txn_id = sqlite3_last_insert_rowid(db.handle());
  for (const core::Op& op : payload.ops) {
    if (refused.empty()) {
      QUN_RETURN_IF_ERROR(core::ApplyOp(db, op, txn_id, author_id, ceiling).status());
    } else {
      QUN_RETURN_IF_ERROR(core::AppendOp(db, op, txn_id, author_id));
    }
  }
  if (!refused.empty()) QUN_RETURN_IF_ERROR(core::AddPlaceholderRows(db, payload.ops));
  QUN_ASSIGN_OR_RETURN(core::Statement * done,
                       db.Cached("UPDATE change_set SET state='applied', reason=NULL, txn=?, "
                                 "chain_max=? WHERE id=?"));
  done->Bind(1, txn_id);
  done->Bind(2, core::HlcValue(chain_max));
  done->Bind(3, row_id);
  QUN_RETURN_IF_ERROR(done->Run());
  // Deciding every role change set again for each one would cost the square
  // of their number in a large import: they are decided once the run of
  // them ends (EnsureDecided), before anything depends on the outcome.
  if (role_change)
    QUN_RETURN_IF_ERROR(
        db.Exec("INSERT OR REPLACE INTO meta(key, value) VALUES ('authority_dirty', 1)"));
  if (chain_max && header.author != me_.public_key())
    QUN_RETURN_IF_ERROR(core::RaiseFrontier(db, *chain_max));
  // This node's own change sets coming back (a restored backup): its later
  // writes must count after them.
  if (chain_max && header.author == me_.public_key())
    QUN_RETURN_IF_ERROR(core::RaiseOwnMax(db, *chain_max));
  QUN_RETURN_IF_ERROR(tx.Commit());
  return chain_max;
}

Result<int> ChangeSetStore::ApplyPending() {
  // Only the next change set of each author can be applied. Each round
  // takes those and follows each author's chain as far as it goes: change
  // sets that came in reverse order apply in one round. Another round is
  // needed only when a chain stopped for another author's change set that
  // applied later in the round (two admins answering each other). A round
  // costs a few index searches per waiting author; the waiting change sets
  // are all read once per call, not once per round (once per change set
  // applied made thousands of them quadratic).
  QUN_ASSIGN_OR_RETURN(std::set<core::PublicKey> authors, WaitingAuthors());
  int applied = 0;
  while (true) {
    int progress = 0;
    for (const core::PublicKey& author : authors) {
      QUN_ASSIGN_OR_RETURN(uint64_t seq, AppliedSeq(author));
      // Twins (the same number twice) go in arrival order: the first
      // applies, TryApply keeps the others as evidence.
      for (uint64_t next = seq + 1;; ++next) {
        QUN_ASSIGN_OR_RETURN(auto rows, WaitingAt(author, next));
        bool done = false;
        for (const auto& [id, bytes] : rows) {
          QUN_ASSIGN_OR_RETURN(bool ok, ApplyWaiting(id, bytes));
          done = done || ok;
        }
        if (!done) break;
        ++progress;
      }
    }
    applied += progress;
    if (progress > 0) continue;
    // What applied may have made others wait again (a change set refused
    // for a key that has now come): look once more before ending.
    QUN_ASSIGN_OR_RETURN(std::set<core::PublicKey> now, WaitingAuthors());
    if (now == authors) break;
    authors = std::move(now);
  }
  QUN_RETURN_IF_ERROR(AfterApply());
  return applied;
}

Result<std::set<core::PublicKey>> ChangeSetStore::WaitingAuthors() {
  QUN_ASSIGN_OR_RETURN(core::Statement * s,
                       store_.db().Cached("SELECT DISTINCT author FROM change_set WHERE state IN "
                                          "('pending', 'newer')"));
  std::set<core::PublicKey> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(core::PublicKey k, core::KeyFromValue(s->GetValue(0)));
    out.insert(k);
  }
  s->Reset();
  return out;
}

Result<bool> ChangeSetStore::ApplyWaiting(int64_t id, const std::string& bytes) {
  auto cs = ChangeSet::Decode(bytes);
  auto verified = cs.ok() ? Verify(*cs) : Result<ChangeSetHeader>(cs.status());
  if (!verified.ok()) {
    QUN_RETURN_IF_ERROR(SetState(id, "rejected", verified.status().message()));
    return false;
  }
  return TryApply(id, *cs, *verified);
}

Result<std::vector<std::pair<int64_t, std::string>>> ChangeSetStore::WaitingAt(
    const core::PublicKey& author, uint64_t seq) {
  QUN_ASSIGN_OR_RETURN(core::Statement * s,
                       store_.db().Cached("SELECT id, bytes FROM change_set WHERE author = ? AND "
                                          "seq = ? AND state IN ('pending', 'newer') ORDER BY id"));
  s->Bind(1, Blob(author)).Bind(2, static_cast<int64_t>(seq));
  std::vector<std::pair<int64_t, std::string>> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.emplace_back(s->Int(0), BytesOf(s->GetValue(1)));
  }
  s->Reset();
  return out;
}

Status ChangeSetStore::AfterApply() {
  if (!resolutions_due_) return Status::Ok();
  QUN_RETURN_IF_ERROR(EnsureDecided());
  resolutions_due_ = false;
  return ApplyResolutions().status();
}

Result<std::vector<Dropped>> ChangeSetStore::DropUninvited() {
  QUN_RETURN_IF_ERROR(EnsureDecided());
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       store_.db().Prepare("SELECT DISTINCT author FROM change_set WHERE "
                                           "state IN ('pending', 'equivocation')"));
  std::vector<core::PublicKey> strangers;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(core::PublicKey k, core::KeyFromValue(s.GetValue(0)));
    QUN_ASSIGN_OR_RETURN(bool invited, Invited(k));
    if (!invited) strangers.push_back(k);
  }
  s.Reset();
  std::vector<Dropped> out;
  if (strangers.empty()) return out;
  Transaction tx(store_.db());
  QUN_RETURN_IF_ERROR(tx.Begin());
  QUN_ASSIGN_OR_RETURN(core::Statement list,
                       store_.db().Prepare("SELECT seq FROM change_set WHERE author=? AND "
                                           "state IN ('pending', 'equivocation') ORDER BY seq"));
  QUN_ASSIGN_OR_RETURN(core::Statement drop,
                       store_.db().Prepare("DELETE FROM change_set WHERE author=? AND "
                                           "state IN ('pending', 'equivocation')"));
  for (const core::PublicKey& k : strangers) {
    list.Bind(1, Blob(k));
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool row, list.Step());
      if (!row) break;
      out.push_back({k, static_cast<uint64_t>(list.Int(0)),
                     fmt::format("signed by {}, a node nobody in this community has invited (as "
                                 "far as this node knows); nothing applied",
                                 Short(k))});
    }
    list.Reset();
    drop.Bind(1, Blob(k));
    QUN_RETURN_IF_ERROR(drop.Run());
  }
  QUN_RETURN_IF_ERROR(tx.Commit());
  return out;
}

std::optional<Checked> CheckReceived(std::string_view bytes, const CommunityId& community,
                                     Received* r) {
  *r = Received{Outcome::kRejected, "", {}, 0};
  auto cs = ChangeSet::Decode(bytes);
  if (!cs.ok()) {
    r->reason = cs.status().message();
    return std::nullopt;
  }
  auto header = Verify(*cs);
  if (!header.ok()) {
    r->reason = header.status().message();
    return std::nullopt;
  }
  r->author = header->author;
  r->seq = header->seq;
  r->hash = cs->ComputeHash();
  if (header->community_id != community) {
    r->reason = fmt::format("change set {} of {} belongs to another community", header->seq,
                            Short(header->author));
    return std::nullopt;
  }
  return Checked{std::move(*cs), std::move(*header), r->hash};
}

Result<std::string> ReadChangeSetBytes(core::Database& db, const std::string& table, int64_t id) {
  QUN_ASSIGN_OR_RETURN(core::Statement * s,
                       db.Cached(fmt::format("SELECT bytes FROM {} WHERE id=?", table)));
  s->Bind(1, id);
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) {
    s->Reset();
    return Status::NotFound("a change set to send is no longer held");
  }
  std::string out(s->BlobView(0));
  s->Reset();
  return out;
}

Result<Received> ChangeSetStore::Receive(std::string_view bytes) {
  Received r;
  std::optional<Checked> checked = CheckReceived(bytes, community_.id, &r);
  if (!checked) return r;
  const ChangeSet* cs = &checked->change_set;
  const ChangeSetHeader* header = &checked->header;
  Hash hash = checked->hash;
  r.hash = hash;
  core::Database& db = store_.db();
  int64_t row_id = 0;
  {
    Transaction tx(db);
    QUN_RETURN_IF_ERROR(tx.Begin());
    // A change set refused before (sealed under a key this node did not
    // hold then, say) is looked at again; one held in any other state is
    // nothing new.
    QUN_ASSIGN_OR_RETURN(core::Statement * forget,
                         db.Cached("DELETE FROM change_set WHERE hash=? AND state='rejected'"));
    forget->Bind(1, Blob(hash));
    QUN_RETURN_IF_ERROR(forget->Run());
    QUN_ASSIGN_OR_RETURN(core::Statement * held,
                         db.Cached("SELECT (SELECT count(*) FROM change_set WHERE hash=?), "
                                   "(SELECT count(*) FROM change_set WHERE author=? AND seq=? AND "
                                   "state != 'rejected')"));
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
    QUN_ASSIGN_OR_RETURN(bool invited, Invited(header->author));
    const char* state = "pending";
    r.outcome = Outcome::kPending;
    if (twin && invited) {
      state = "equivocation";
      r.outcome = Outcome::kEquivocation;
      r.reason = EquivocationReason(header->author, header->seq);
    } else if (header->format_version > kFormatVersion && invited) {
      // Kept and passed on only for a known author: a stranger's blob waits
      // like any of its change sets, and is dropped with them.
      state = "newer";
      r.outcome = Outcome::kNewerFormat;
      r.reason = kNewerReason;
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
    row_id = sqlite3_last_insert_rowid(db.handle());
    QUN_RETURN_IF_ERROR(tx.Commit());
    // A twin that arrives may be the one an owner's resolution keeps.
    if (r.outcome == Outcome::kEquivocation) QUN_RETURN_IF_ERROR(ApplyResolutions().status());
    if (r.outcome != Outcome::kPending) return r;
  }
  // Usually its turn has come (bundles are written in applying order): apply
  // it straight away. Only when it was applied can others be unblocked.
  QUN_ASSIGN_OR_RETURN(bool applied, TryApply(row_id, *cs, *header));
  QUN_RETURN_IF_ERROR(AfterApply());
  if (!applied && header->seq > 1) {
    // A later part of a transaction in parts that came: the first part,
    // held, may apply now with the rest (looked for below, as after any
    // change set that applied).
    QUN_ASSIGN_OR_RETURN(auto before, WaitingAt(header->author, header->seq - 1));
    if (!before.empty()) {
      // Only a hint: ApplyPending verifies what it applies.
      auto previous = ChangeSet::Decode(before.front().second);
      auto previous_header =
          previous.ok() ? ReadHeader(*previous) : Result<ChangeSetHeader>(previous.status());
      if (previous_header.ok() && previous_header->continues) applied = true;
    }
  }
  if (applied) {
    QUN_ASSIGN_OR_RETURN(core::Statement * waiting,
                         db.Cached("SELECT EXISTS (SELECT 1 FROM change_set WHERE state IN "
                                   "('pending', 'newer'))"));
    QUN_ASSIGN_OR_RETURN(bool row, waiting->Step());
    bool any = row && waiting->Int(0) != 0;
    waiting->Reset();
    if (any) QUN_RETURN_IF_ERROR(ApplyPending().status());
  }
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
  if (r.outcome == Outcome::kPending) {
    // Waiting behind a change set refused for a key this node lacks: the
    // key may be in one that waits (ClaimFromPending).
    QUN_ASSIGN_OR_RETURN(uint64_t before, AppliedSeq(header->author));
    QUN_ASSIGN_OR_RETURN(
        core::Statement * blocked,
        db.Cached("SELECT EXISTS (SELECT 1 FROM change_set WHERE author = ? AND seq = ? AND "
                  "state = 'rejected')"));
    blocked->Bind(1, Blob(header->author)).Bind(2, static_cast<int64_t>(before + 1));
    QUN_ASSIGN_OR_RETURN(bool behind_refused, blocked->Step());
    behind_refused = behind_refused && blocked->Int(0) != 0;
    blocked->Reset();
    if (behind_refused) QUN_RETURN_IF_ERROR(RetryMissingKeys());
    QUN_ASSIGN_OR_RETURN(bool now, [&]() -> Result<bool> {
      state->Bind(1, Blob(hash));
      QUN_ASSIGN_OR_RETURN(bool again, state->Step());
      bool applied_now = again && state->Text(0) == "applied";
      state->Reset();
      return applied_now;
    }());
    if (now) {
      r.outcome = Outcome::kApplied;
      r.reason.clear();
      return r;
    }
    QUN_ASSIGN_OR_RETURN(r.reason, WhyPending(*header));
  }
  return r;
}

Result<std::optional<Received>> ChangeSetStore::Recheck(const Hash& hash) {
  QUN_ASSIGN_OR_RETURN(core::Statement * s,
                       store_.db().Cached("SELECT state, coalesce(reason, ''), bytes FROM "
                                          "change_set WHERE hash=?"));
  s->Bind(1, Blob(hash));
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) {
    s->Reset();
    return std::optional<Received>();
  }
  std::string state = s->Text(0);
  Received r{Outcome::kRejected, s->Text(1), {}, 0, hash};
  auto cs = ChangeSet::Decode(s->BlobView(2));
  s->Reset();
  auto header = cs.ok() ? Verify(*cs) : Result<ChangeSetHeader>(cs.status());
  if (!header.ok()) return std::optional<Received>(r);
  r.author = header->author;
  r.seq = header->seq;
  r.outcome = state == "applied"        ? Outcome::kApplied
              : state == "pending"      ? Outcome::kPending
              : state == "newer"        ? Outcome::kNewerFormat
              : state == "equivocation" ? Outcome::kEquivocation
                                        : Outcome::kRejected;
  if (r.outcome == Outcome::kPending) {
    QUN_ASSIGN_OR_RETURN(r.reason, WhyPending(*header));
  }
  return std::optional<Received>(r);
}

Status ChangeSetStore::ForEachMissing(const VersionVector& theirs,
                                      const std::function<Status(std::string_view)>& visit) {
  // Ids first, then each change set's bytes one at a time: memory stays
  // bounded by one change set, however many are sent.
  // Evidence of equivocation always goes along (after everything else): the
  // other node may hold the twin, and should learn of it too.
  QUN_ASSIGN_OR_RETURN(
      core::Statement s,
      store_.db().Prepare("SELECT id, author, seq, state = 'equivocation' FROM change_set WHERE "
                          "state IN ('applied', 'newer', 'equivocation') ORDER BY state = "
                          "'equivocation', txn IS NULL, txn, author, seq"));
  std::vector<int64_t> ids;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(core::PublicKey k, core::KeyFromValue(s.GetValue(1)));
    auto it = theirs.find(k);
    bool evidence = s.Int(3) != 0;
    if (!evidence && it != theirs.end() && static_cast<uint64_t>(s.Int(2)) <= it->second) continue;
    ids.push_back(s.Int(0));
  }
  s.Reset();
  QUN_ASSIGN_OR_RETURN(core::Statement * bytes,
                       store_.db().Cached("SELECT bytes FROM change_set WHERE id=?"));
  for (int64_t id : ids) {
    bytes->Bind(1, id);
    QUN_ASSIGN_OR_RETURN(bool row, bytes->Step());
    if (row) {
      Status st = visit(bytes->BlobView(0));
      if (!st.ok()) {
        bytes->Reset();
        return st;
      }
    }
    bytes->Reset();
  }
  return Status::Ok();
}

Result<std::vector<std::string>> ChangeSetStore::Missing(const VersionVector& theirs) {
  std::vector<std::string> out;
  QUN_RETURN_IF_ERROR(ForEachMissing(theirs, [&](std::string_view b) {
    out.emplace_back(b);
    return Status::Ok();
  }));
  return out;
}

VersionVector ToVector(const Heads& heads) {
  VersionVector v;
  for (const Head& h : heads) v[h.author] = h.seq;
  return v;
}

Result<Heads> ChangeSetStore::ReadHeads() {
  QUN_ASSIGN_OR_RETURN(VersionVector v, Vector());
  core::Database& db = store_.db();
  QUN_ASSIGN_OR_RETURN(
      core::Statement * hash,
      db.Cached("SELECT hash FROM change_set WHERE author=? AND seq=? AND state='applied'"));
  Heads out;
  for (const auto& [author, seq] : v) {
    Head h{author, seq, {}, false};
    hash->Bind(1, Blob(author)).Bind(2, static_cast<int64_t>(seq));
    QUN_ASSIGN_OR_RETURN(bool row, hash->Step());
    std::string_view bytes = row ? hash->BlobView(0) : std::string_view();
    if (bytes.size() != h.hash.size()) {
      hash->Reset();
      return Status::Corruption("the change set table is damaged: a head has no hash");
    }
    std::memcpy(h.hash.data(), bytes.data(), bytes.size());
    hash->Reset();
    out.push_back(h);
  }
  // Authors known only by their equivocation (no change set applied) get an
  // entry at seq 0, so that the flag travels.
  QUN_ASSIGN_OR_RETURN(core::Statement forked,
                       db.Prepare("SELECT DISTINCT author FROM change_set WHERE "
                                  "state='equivocation'"));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, forked.Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(core::PublicKey k, core::KeyFromValue(forked.GetValue(0)));
    auto it =
        std::lower_bound(out.begin(), out.end(), k,
                         [](const Head& h, const core::PublicKey& key) { return h.author < key; });
    if (it != out.end() && it->author == k)
      it->forked = true;
    else
      out.insert(it, Head{k, 0, {}, true});
  }
  return out;
}

Result<std::vector<core::PublicKey>> ChangeSetStore::Members() {
  QUN_RETURN_IF_ERROR(EnsureDecided());
  std::vector<core::PublicKey> out{community_.founder, me_.public_key()};
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       store_.db().Prepare("SELECT DISTINCT node FROM node_role"));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    std::string hex = s.Text(0);
    core::PublicKey k{};
    size_t len = 0;
    if (sodium_hex2bin(k.data(), k.size(), hex.data(), hex.size(), nullptr, &len, nullptr) != 0 ||
        len != k.size())
      continue;  // not a node id: never a member
    out.push_back(k);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::vector<int64_t>> ChangeSetStore::MissingIds(const Heads& theirs) {
  VersionVector their_vector = ToVector(theirs);
  std::set<core::PublicKey> known_forked;
  for (const Head& h : theirs)
    if (h.forked) known_forked.insert(h.author);
  core::Database& db = store_.db();
  // Authors this node holds more of than they do (applied, or of a newer
  // format): found from the vector and the few authors with newer ones, so
  // that a node in sync costs one query per author.
  QUN_ASSIGN_OR_RETURN(VersionVector mine, Vector());
  std::set<core::PublicKey> authors;
  for (const auto& [author, seq] : mine) {
    auto it = their_vector.find(author);
    if (it == their_vector.end() || it->second < seq) authors.insert(author);
  }
  QUN_ASSIGN_OR_RETURN(core::Statement extra,
                       db.Prepare("SELECT DISTINCT author, state = 'equivocation' FROM change_set "
                                  "WHERE state IN ('newer', 'equivocation')"));
  std::set<core::PublicKey> evidence_of, forked_here;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, extra.Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(core::PublicKey k, core::KeyFromValue(extra.GetValue(0)));
    if (extra.Int(1) == 0) {
      authors.insert(k);
    } else {
      forked_here.insert(k);
      if (!known_forked.count(k)) evidence_of.insert(k);
    }
  }
  struct Row {
    bool evidence, no_txn;
    int64_t txn;
    core::PublicKey author;
    int64_t seq, id;
    auto Key() const { return std::tie(evidence, no_txn, txn, author, seq); }
  };
  std::vector<Row> rows;
  QUN_ASSIGN_OR_RETURN(core::Statement * range,
                       db.Cached("SELECT id, seq, coalesce(txn, 0), txn IS NULL FROM change_set "
                                 "WHERE author=? AND seq>? AND state IN ('applied', 'newer')"));
  for (const core::PublicKey& author : authors) {
    auto it = their_vector.find(author);
    range->Bind(1, Blob(author))
        .Bind(2, static_cast<int64_t>(it == their_vector.end() ? 0 : it->second));
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool row, range->Step());
      if (!row) break;
      rows.push_back(
          {false, range->Int(3) != 0, range->Int(2), author, range->Int(1), range->Int(0)});
    }
    range->Reset();
  }
  // Their head at a seq this node holds too, with another hash: the author
  // signed two change sets with one seq, and each side holds one. This
  // node's twin goes as evidence, so that the other side learns of the fork.
  QUN_ASSIGN_OR_RETURN(core::Statement * head,
                       db.Cached("SELECT id, hash FROM change_set WHERE author=? AND seq=? AND "
                                 "state='applied'"));
  for (const Head& h : theirs) {
    auto it = mine.find(h.author);
    if (h.forked || forked_here.count(h.author) || h.seq == 0 || it == mine.end() ||
        h.seq > it->second)
      continue;
    head->Bind(1, Blob(h.author)).Bind(2, static_cast<int64_t>(h.seq));
    QUN_ASSIGN_OR_RETURN(bool row, head->Step());
    if (row && head->BlobView(1) !=
                   std::string_view(reinterpret_cast<const char*>(h.hash.data()), h.hash.size()))
      rows.push_back({true, true, 0, h.author, static_cast<int64_t>(h.seq), head->Int(0)});
    head->Reset();
  }
  QUN_ASSIGN_OR_RETURN(core::Statement * twins,
                       db.Cached("SELECT id, seq FROM change_set WHERE author=? AND "
                                 "state='equivocation'"));
  for (const core::PublicKey& author : evidence_of) {
    // Both twins of each fork: the other side may hold either one.
    twins->Bind(1, Blob(author));
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool row, twins->Step());
      if (!row) break;
      rows.push_back({true, true, 0, author, twins->Int(1), twins->Int(0)});
      head->Bind(1, Blob(author)).Bind(2, twins->Int(1));
      QUN_ASSIGN_OR_RETURN(bool applied, head->Step());
      if (applied) rows.push_back({true, true, 0, author, twins->Int(1), head->Int(0)});
      head->Reset();
    }
    twins->Reset();
  }
  // The order ForEachMissing uses: as this node applied them, so that the
  // receiver can apply each as it arrives; evidence last.
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.Key() < b.Key(); });
  std::vector<int64_t> ids;
  ids.reserve(rows.size());
  for (const Row& r : rows) ids.push_back(r.id);
  return ids;
}

Result<std::string> ChangeSetStore::ChangeSetBytes(int64_t id) {
  return ReadChangeSetBytes(store_.db(), "change_set", id);
}

}  // namespace qun::sync
