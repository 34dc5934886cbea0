#include "sync/change_set_store.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/i18n.h"
#include "core/op_txn.h"
#include "core/oplog.h"
#include "core/permissions.h"
#include "sync/key_rotation.h"

namespace qun::sync {
namespace {

using core::Transaction;

constexpr uint64_t kMaxHlc = uint64_t{1} << 62;

constexpr char kNewerReason[] =
    "written by a newer Qun; kept and forwarded, applied once qun is upgraded";

std::string EquivocationReason(const core::PublicKey& author, uint64_t seq) {
  return fmt::format("{} signed two different change sets with seq {}: both are kept as evidence",
                     ShortId(author), seq);
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

ChangeSetStore::ChangeSetStore(core::Store& store, Community& community, const core::Identity& me)
    : store_(store),
      community_(community),
      me_(me),
      held_(store.db(), community.founder, me.public_key()),
      outbox_(community, me, held_, keyring_, decisions_),
      decisions_(store.db(), community.founder, [this] { return outbox_.LocalSeen(); }),
      keyring_(community, me, held_),
      send_(held_, decisions_, community.founder, me.public_key()) {}

// ---------------------------------------------------------------------------
// A received change set, from the wire to the op log.

std::optional<Checked> CheckReceived(std::string_view bytes, const CommunityId& community,
                                     Received* r) {
  *r = Received{Outcome::kRejected, "", {}, 0};
  // Decode.
  auto cs = ChangeSet::Decode(bytes);
  if (!cs.ok()) {
    r->reason = cs.status().message();
    return std::nullopt;
  }
  // Verify: its signature, and that it is of this community.
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
                            ShortId(header->author));
    return std::nullopt;
  }
  return Checked{std::move(*cs), std::move(*header), r->hash};
}

Result<Received> ChangeSetStore::Receive(std::string_view bytes) {
  Received r;
  std::optional<Checked> checked = CheckReceived(bytes, community_.id, &r);
  if (!checked) return r;
  const ChangeSetHeader& header = checked->header;
  const Hash hash = checked->hash;
  r.hash = hash;
  QUN_ASSIGN_OR_RETURN(std::optional<int64_t> row_id, Keep(bytes, *checked, &r));
  if (!row_id) {
    // A twin that arrives may be the one an owner's resolution keeps.
    if (r.outcome == Outcome::kEquivocation) QUN_RETURN_IF_ERROR(ApplyResolutions().status());
    return r;
  }
  // Usually its turn has come (bundles are written in applying order): apply
  // it straight away. Only when it was applied can others be unblocked.
  QUN_ASSIGN_OR_RETURN(bool applied, TryApply(*row_id, checked->change_set, header));
  QUN_RETURN_IF_ERROR(AfterApply());
  if (!applied && header.seq > 1) {
    // A later part of a transaction in parts that came: the first part,
    // held, may apply now with the rest (looked for below, as after any
    // change set that applied).
    QUN_ASSIGN_OR_RETURN(auto before, held_.WaitingAt(header.author, header.seq - 1));
    if (!before.empty()) {
      // Only a hint: ApplyPending verifies what it applies.
      auto previous = ChangeSet::Decode(before.front().second);
      auto previous_header =
          previous.ok() ? ReadHeader(*previous) : Result<ChangeSetHeader>(previous.status());
      if (previous_header.ok() && previous_header->continues) applied = true;
    }
  }
  if (applied) {
    QUN_ASSIGN_OR_RETURN(bool any, held_.AnyWaiting());
    if (any) QUN_RETURN_IF_ERROR(ApplyPending().status());
  }
  QUN_ASSIGN_OR_RETURN(auto state, held_.StateOf(hash));
  r.reason = state ? state->reason : "";
  r.outcome = state ? OutcomeOf(state->state) : Outcome::kRejected;
  if (r.outcome == Outcome::kEquivocation) r.outcome = Outcome::kRejected;
  if (r.outcome != Outcome::kPending) return r;
  // Waiting behind a change set refused for a key this node lacks: the key
  // may be in one that waits (Keyring::RetryRefused).
  QUN_ASSIGN_OR_RETURN(uint64_t before, held_.AppliedSeq(header.author));
  QUN_ASSIGN_OR_RETURN(bool behind_refused, held_.RejectedAt(header.author, before + 1));
  if (behind_refused) {
    QUN_ASSIGN_OR_RETURN(bool waits_again, keyring_.RetryRefused());
    if (waits_again) QUN_RETURN_IF_ERROR(ApplyPending().status());
  }
  QUN_ASSIGN_OR_RETURN(auto now, held_.StateOf(hash));
  if (now && now->state == ChangeSetState::kApplied) {
    r.outcome = Outcome::kApplied;
    r.reason.clear();
    return r;
  }
  QUN_ASSIGN_OR_RETURN(r.reason, WhyPending(header));
  return r;
}

Result<std::optional<int64_t>> ChangeSetStore::Keep(std::string_view bytes, const Checked& checked,
                                                    Received* r) {
  const ChangeSetHeader& header = checked.header;
  core::Database& db = store_.db();
  Transaction tx(db);
  QUN_RETURN_IF_ERROR(tx.Begin());
  // A change set refused before (sealed under a key this node did not
  // hold then, say) is looked at again; one held in any other state is
  // nothing new.
  static const std::string kForget =
      WithStates("DELETE FROM change_set WHERE hash=? AND state={rejected}");
  {
    QUN_ASSIGN_OR_RETURN(core::CachedStatement forget, db.Use(kForget));
    forget->Bind(1, Blob(checked.hash));
    QUN_RETURN_IF_ERROR(forget->Run());
  }
  static const std::string kHeld = WithStates(
      "SELECT (SELECT count(*) FROM change_set WHERE hash=?), (SELECT count(*) FROM change_set "
      "WHERE author=? AND seq=? AND state != {rejected})");
  bool same = false, twin = false;
  {
    QUN_ASSIGN_OR_RETURN(core::CachedStatement held, db.Use(kHeld));
    held->Bind(1, Blob(checked.hash))
        .Bind(2, Blob(header.author))
        .Bind(3, static_cast<int64_t>(header.seq));
    QUN_ASSIGN_OR_RETURN(bool row, held->Step());
    same = row && held->Int(0) > 0;
    twin = row && held->Int(1) > 0;
  }
  if (same) {
    r->outcome = Outcome::kAlreadyHeld;
    return std::optional<int64_t>();
  }
  QUN_ASSIGN_OR_RETURN(bool invited, held_.Invited(header.author));
  ChangeSetState state = ChangeSetState::kPending;
  r->outcome = Outcome::kPending;
  if (twin && invited) {
    state = ChangeSetState::kEquivocation;
    r->outcome = Outcome::kEquivocation;
    r->reason = EquivocationReason(header.author, header.seq);
  } else if (header.format_version > kFormatVersion && invited) {
    // Kept and passed on only for a known author: a stranger's blob waits
    // like any of its change sets, and is dropped with them.
    state = ChangeSetState::kNewer;
    r->outcome = Outcome::kNewerFormat;
    r->reason = kNewerReason;
  }
  {
    QUN_ASSIGN_OR_RETURN(core::CachedStatement insert,
                         db.Use("INSERT INTO change_set(author, seq, hash, bytes, state, "
                                "reason) VALUES (?, ?, ?, ?, ?, ?)"));
    insert->Bind(1, Blob(header.author))
        .Bind(2, static_cast<int64_t>(header.seq))
        .Bind(3, Blob(checked.hash))
        .Bind(4, Blob(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()))
        .Bind(5, StateText(state))
        .Bind(6, r->reason);
    QUN_RETURN_IF_ERROR(insert->Run());
  }
  int64_t row_id = db.LastInsertRowId();
  QUN_RETURN_IF_ERROR(tx.Commit());
  if (r->outcome != Outcome::kPending) return std::optional<int64_t>();
  return std::optional<int64_t>(row_id);
}

Result<bool> ChangeSetStore::TryApply(int64_t row_id, const ChangeSet& cs,
                                      const ChangeSetHeader& header) {
  if (!header.continues) return TryApplyOne(row_id, cs, header);
  // Its turn first: a later part of a transaction whose first part has not
  // applied yet waits with it.
  QUN_ASSIGN_OR_RETURN(uint64_t applied, held_.AppliedSeq(header.author));
  if (header.seq != applied + 1) return TryApplyOne(row_id, cs, header);
  QUN_ASSIGN_OR_RETURN(auto later, LaterParts(header));
  if (!later) return false;  // the rest of the transaction has not come yet
  struct Failed {
    uint64_t seq;
    std::optional<ChangeSetState> state;
    std::string reason;
  };
  std::optional<Failed> failed;
  {
    Transaction tx(store_.db());
    QUN_RETURN_IF_ERROR(tx.Begin());
    auto one = [&](int64_t id, const ChangeSet& c, const ChangeSetHeader& h) -> Status {
      QUN_ASSIGN_OR_RETURN(bool ok, TryApplyOne(id, c, h));
      if (ok) return Status::Ok();
      QUN_ASSIGN_OR_RETURN(auto state, held_.StateOfRow(id));
      failed = Failed{h.seq, state ? state->state : std::nullopt, state ? state->reason : ""};
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
  if (failed->state == ChangeSetState::kRejected || failed->state == ChangeSetState::kEquivocation)
    QUN_RETURN_IF_ERROR(held_.SetState(
        row_id, ChangeSetState::kRejected,
        fmt::format("part {} of this transaction of {} cannot be applied ({}); no part of it was "
                    "applied",
                    failed->seq - header.seq + 1, ShortId(header.author), failed->reason)));
  return false;
}

Result<bool> ChangeSetStore::TryApplyOne(int64_t row_id, const ChangeSet& cs,
                                         const ChangeSetHeader& header) {
  // Order.
  QUN_ASSIGN_OR_RETURN(bool turn, InTurn(row_id, header));
  if (!turn) return false;
  // Key.
  QUN_ASSIGN_OR_RETURN(const core::CommunityKey* key, KeyFor(row_id, header));
  if (!key) return false;
  // Decrypt.
  QUN_ASSIGN_OR_RETURN(std::optional<Payload> payload, Decrypt(row_id, cs, header, *key));
  if (!payload) return false;
  // Authorize and merge, after sealing this node's own writes, in one
  // transaction. A change set that cannot be merged (it names a row that
  // does not exist, say: only a broken or hostile author writes one) is
  // refused, so that it does not block everything after it. Busy or disk
  // errors are this node's, not the change set's: they stop the import
  // instead.
  bool ours = false;
  auto merged = SealAuthorizeMerge(row_id, header, *payload, &ours);
  if (!merged.ok()) {
    Status::Code code = merged.status().code();
    if (ours || code == Status::Code::kBusy || code == Status::Code::kIOError ||
        code == Status::Code::kCorruption)
      return merged.status();
    QUN_RETURN_IF_ERROR(held_.SetState(
        row_id, ChangeSetState::kRejected,
        fmt::format("change set {} of {} cannot be merged ({}); nothing of it was applied",
                    header.seq, ShortId(header.author), merged.status().message())));
    return false;
  }
  QUN_RETURN_IF_ERROR(AfterMerge(*payload, *merged));
  return true;
}

Result<bool> ChangeSetStore::InTurn(int64_t row_id, const ChangeSetHeader& header) {
  QUN_ASSIGN_OR_RETURN(uint64_t applied, held_.AppliedSeq(header.author));
  if (header.seq <= applied) {
    // Another change set with this number was applied first: this one is
    // a twin (both waited, as their author was not known yet).
    QUN_RETURN_IF_ERROR(held_.SetState(row_id, ChangeSetState::kEquivocation,
                                       EquivocationReason(header.author, header.seq)));
    return false;
  }
  if (header.seq != applied + 1) return false;  // earlier ones first
  // A forked author's later change sets wait for an owner's resolution
  // (which may take out the one before this, so its chain is looked at
  // after).
  QUN_ASSIGN_OR_RETURN(bool quarantined, sync::Quarantined(held_, header.author));
  if (quarantined) return false;
  if (header.seq > 1) {
    QUN_ASSIGN_OR_RETURN(auto previous, held_.AppliedHash(header.author, header.seq - 1));
    if (previous != header.previous_hash) {
      QUN_RETURN_IF_ERROR(held_.SetState(
          row_id, ChangeSetState::kRejected,
          fmt::format("change set {} of {} does not follow that author's change set {} held "
                      "here (its previous hash differs): a forged or broken chain",
                      header.seq, ShortId(header.author), header.seq - 1)));
      return false;
    }
  }
  for (const VersionEntry& dep : header.dependencies) {
    QUN_ASSIGN_OR_RETURN(uint64_t have, held_.AppliedSeq(dep.author));
    if (have < dep.seq) return false;  // causal order: what it built on comes first
  }
  QUN_ASSIGN_OR_RETURN(bool invited, held_.Invited(header.author));
  return invited;
}

Result<const core::CommunityKey*> ChangeSetStore::KeyFor(int64_t row_id,
                                                         const ChangeSetHeader& header) {
  if (header.format_version > kFormatVersion) {
    QUN_RETURN_IF_ERROR(held_.SetState(row_id, ChangeSetState::kNewer, kNewerReason));
    return nullptr;
  }
  QUN_ASSIGN_OR_RETURN(const core::CommunityKey* key, keyring_.Find(header.key_epoch));
  if (!key)
    QUN_RETURN_IF_ERROR(held_.SetState(
        row_id, ChangeSetState::kRejected,
        fmt::format("change set {} of {} is sealed under key epoch {}, which this node does not "
                    "hold",
                    header.seq, ShortId(header.author), header.key_epoch)));
  return key;
}

Result<std::optional<Payload>> ChangeSetStore::Decrypt(int64_t row_id, const ChangeSet& cs,
                                                       const ChangeSetHeader& header,
                                                       const core::CommunityKey& key) {
  auto payload = Open(cs, header, key);
  if (!payload.ok()) {
    bool newer = payload.status().code() == Status::Code::kIncompatible;
    QUN_RETURN_IF_ERROR(held_.SetState(row_id,
                                       newer ? ChangeSetState::kNewer : ChangeSetState::kRejected,
                                       payload.status().message()));
    return std::optional<Payload>();
  }
  for (const core::Op& op : payload->ops) {
    if (op.author != header.author) {
      QUN_RETURN_IF_ERROR(held_.SetState(row_id, ChangeSetState::kRejected,
                                         "a change set holds an op of another author"));
      return std::optional<Payload>();
    }
    // Beyond the year 40,000: no clock says this; it would also overflow the
    // ceiling arithmetic and SQLite's signed integers.
    if (op.hlc.packed >= kMaxHlc) {
      QUN_RETURN_IF_ERROR(held_.SetState(row_id, ChangeSetState::kRejected,
                                         fmt::format("change set {} of {} holds an op with an "
                                                     "impossible time; nothing of it was applied",
                                                     header.seq, ShortId(header.author))));
      return std::optional<Payload>();
    }
  }
  return std::optional<Payload>(std::move(*payload));
}

Result<std::optional<core::Hlc>> ChangeSetStore::SealAuthorizeMerge(int64_t row_id,
                                                                    const ChangeSetHeader& header,
                                                                    const Payload& payload,
                                                                    bool* ours) {
  Transaction tx(store_.db());
  *ours = true;
  QUN_RETURN_IF_ERROR(tx.Begin());
  // This node's own writes so far did not see this change set: seal them
  // first, so that their dependencies say so.
  QUN_RETURN_IF_ERROR(outbox_.SealLocked().status());
  // A database never decided (made before roles existed) is decided whole
  // first; role change sets waiting to be decided wait on (see Authorize).
  QUN_ASSIGN_OR_RETURN(bool never, decisions_.NeverDecided());
  if (never) QUN_RETURN_IF_ERROR(decisions_.EnsureDecidedLocked());
  *ours = false;
  QUN_ASSIGN_OR_RETURN(std::string refused, Authorize(header, payload));
  QUN_ASSIGN_OR_RETURN(std::optional<core::Hlc> chain_max, Merge(row_id, header, payload, refused));
  QUN_RETURN_IF_ERROR(tx.Commit());
  return chain_max;
}

Result<std::string> ChangeSetStore::Authorize(const ChangeSetHeader& header,
                                              const Payload& payload) {
  // Role change sets are decided all together once this one is in the log
  // (see Merge); any other is decided now, by its author's roles in its
  // causal past.
  if (IsRoleChange(payload.ops)) return std::string(kDeciding);
  // Role change sets applied before this one are decided first (they are
  // decided together, once, after a run of them).
  if (header.author != community_.founder) QUN_RETURN_IF_ERROR(decisions_.EnsureDecidedLocked());
  return decisions_.Check(PositionOf(header), payload.ops);
}

Result<std::optional<core::Hlc>> ChangeSetStore::Merge(int64_t row_id,
                                                       const ChangeSetHeader& header,
                                                       const Payload& payload,
                                                       const std::string& refused) {
  core::Database& db = store_.db();
  // The ceiling: no op of this change set counts as later than the newest op
  // it depends on, plus the allowed lead (and never below its author's own
  // earlier ones).
  VersionVector dependencies;
  // chain_max grows along an author's chain, so the highest seq named for
  // an author stands for every entry of it.
  for (const VersionEntry& dep : header.dependencies)
    dependencies[dep.author] = std::max(dependencies[dep.author], dep.seq);
  QUN_ASSIGN_OR_RETURN(std::optional<core::Hlc> frontier, outbox_.FrontierOf(dependencies));
  QUN_ASSIGN_OR_RETURN(std::optional<core::Hlc> chain_max,
                       held_.ChainMax(header.author, header.seq - 1));
  std::optional<core::Hlc> ceiling = core::Ceiling(frontier, chain_max);

  QUN_ASSIGN_OR_RETURN(int64_t author_id, core::AuthorId(db, header.author));
  core::Hlc latest;
  for (const core::Op& op : payload.ops) {
    latest = std::max(latest, op.hlc);
    core::Hlc effective = core::Effective(op.hlc, ceiling);
    if (!chain_max || effective > *chain_max) chain_max = effective;
  }
  core::TxnRow txn_row{
      author_id,       header.seq,
      latest,          payload.note,
      ceiling,         refused.empty() ? std::nullopt : std::optional<std::string>(refused),
      header.continues};
  QUN_ASSIGN_OR_RETURN(int64_t txn_id, core::AppendTxn(db, txn_row));
  for (const core::Op& op : payload.ops) {
    if (refused.empty()) {
      QUN_RETURN_IF_ERROR(core::ApplyOp(db, op, txn_id, author_id, ceiling).status());
    } else {
      QUN_RETURN_IF_ERROR(core::AppendOp(db, op, txn_id, author_id));
    }
  }
  if (!refused.empty()) QUN_RETURN_IF_ERROR(core::AddPlaceholderRows(db, payload.ops));
  static const std::string kDone = WithStates(
      "UPDATE change_set SET state={applied}, reason=NULL, txn=?, chain_max=? WHERE id=?");
  {
    QUN_ASSIGN_OR_RETURN(core::CachedStatement done, db.Use(kDone));
    done->Bind(1, txn_id);
    done->Bind(2, core::HlcValue(chain_max));
    done->Bind(3, row_id);
    QUN_RETURN_IF_ERROR(done->Run());
  }
  // Deciding every role change set again for each one would cost the square
  // of their number in a large import: they are decided once the run of
  // them ends (EnsureDecided), before anything depends on the outcome.
  if (IsRoleChange(payload.ops)) QUN_RETURN_IF_ERROR(core::SetAuthorityDirty(db, true));
  if (chain_max && header.author != me_.public_key())
    QUN_RETURN_IF_ERROR(core::RaiseFrontier(db, *chain_max));
  // This node's own change sets coming back (a restored backup): its later
  // writes must count after them.
  if (chain_max && header.author == me_.public_key())
    QUN_RETURN_IF_ERROR(core::RaiseOwnMax(db, *chain_max));
  return chain_max;
}

Status ChangeSetStore::AfterMerge(const Payload& payload, std::optional<core::Hlc> chain_max) {
  // Only the effective times move this node's clock: a far-ahead author
  // cannot drag it further than the ceiling.
  if (chain_max) store_.clock().Observe(*chain_max);
  // A rotation with an envelope for this node: its later change sets are
  // sealed under the new key.
  for (const core::Op& op : payload.ops)
    if (op.table == core::kKeyEnvelopeTable && EnvelopeEpochFor(op.row_id, me_.public_key())) {
      QUN_RETURN_IF_ERROR(decisions_.EnsureDecided());  // only envelopes that count give keys
      QUN_RETURN_IF_ERROR(keyring_.Claim().status());
      break;
    }
  // A fork resolution is carried out once the change sets around it are
  // in (AfterApply).
  for (const core::Op& op : payload.ops)
    if (op.table == core::kForkTable) decisions_.MarkResolutionsDue();
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Change sets that wait, and fork resolutions.

Result<int> ChangeSetStore::ApplyPending() {
  QUN_ASSIGN_OR_RETURN(Settled settled, Settle(/*forks_due=*/false));
  return settled.applied;
}

Result<int> ChangeSetStore::ApplyResolutions() {
  QUN_ASSIGN_OR_RETURN(Settled settled, Settle(/*forks_due=*/true));
  return settled.switched;
}

Status ChangeSetStore::AfterApply() {
  if (!decisions_.resolutions_due()) return Status::Ok();
  QUN_RETURN_IF_ERROR(decisions_.EnsureDecided());
  decisions_.ClearResolutionsDue();
  return ApplyResolutions().status();
}

Result<ChangeSetStore::Settled> ChangeSetStore::Settle(bool forks_due) {
  // Applying may bring a resolution (or change which ones count), and
  // carrying one out lets change sets go that then apply: each feeds the
  // other until neither changes anything. One fork after another: the kept
  // change set of a later fork can only apply once the kept one before it
  // has, so a chain of forks takes as many rounds as it has forks.
  Settled out;
  for (int round = 0;; ++round) {
    if (forks_due) {
      if (round >= 1024) break;
      QUN_ASSIGN_OR_RETURN(auto carried, CarryResolutions());
      out.switched += carried.first;
      if (!carried.second) break;
    }
    QUN_ASSIGN_OR_RETURN(int applied, ApplyTurns());
    out.applied += applied;
    if (decisions_.resolutions_due()) {
      QUN_RETURN_IF_ERROR(decisions_.EnsureDecided());
      decisions_.ClearResolutionsDue();
      forks_due = true;
    }
    if (!forks_due) break;
  }
  return out;
}

Result<std::pair<int, bool>> ChangeSetStore::CarryResolutions() {
  int switched = 0;
  bool changed = false;
  QUN_ASSIGN_OR_RETURN(std::vector<Fork> forks, ListForks(store_.db()));
  for (const Fork& f : forks) {
    QUN_ASSIGN_OR_RETURN(std::optional<DueResolution> due, DueFor(held_, f));
    if (!due) continue;
    Transaction tx(store_.db());
    QUN_RETURN_IF_ERROR(tx.Begin());
    QUN_RETURN_IF_ERROR(CarryOut(held_, f, *due));
    if (due->switch_applied) {
      // What the taken-out change sets granted or invited is gone: every
      // author is decided again (forks are rare).
      QUN_RETURN_IF_ERROR(decisions_.RecomputeLocked(/*everyone=*/true).status());
      ++switched;
    }
    QUN_RETURN_IF_ERROR(tx.Commit());
    changed = true;
  }
  return std::make_pair(switched, changed);
}

Result<int> ChangeSetStore::ApplyTurns() {
  // Only the next change set of each author can be applied. Each round
  // takes those and follows each author's chain as far as it goes: change
  // sets that came in reverse order apply in one round. Another round is
  // needed only when a chain stopped for another author's change set that
  // applied later in the round (two admins answering each other). A round
  // costs a few index searches per waiting author; the waiting change sets
  // are all read once per call, not once per round (once per change set
  // applied made thousands of them quadratic).
  QUN_ASSIGN_OR_RETURN(std::set<core::PublicKey> authors, held_.WaitingAuthors());
  int applied = 0;
  while (true) {
    int progress = 0;
    for (const core::PublicKey& author : authors) {
      QUN_ASSIGN_OR_RETURN(uint64_t seq, held_.AppliedSeq(author));
      // Twins (the same number twice) go in arrival order: the first
      // applies, TryApply keeps the others as evidence.
      for (uint64_t next = seq + 1;; ++next) {
        QUN_ASSIGN_OR_RETURN(auto rows, held_.WaitingAt(author, next));
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
    QUN_ASSIGN_OR_RETURN(std::set<core::PublicKey> now, held_.WaitingAuthors());
    if (now == authors) break;
    authors = std::move(now);
  }
  return applied;
}

Result<bool> ChangeSetStore::ApplyWaiting(int64_t id, const std::string& bytes) {
  auto cs = ChangeSet::Decode(bytes);
  auto verified = cs.ok() ? Verify(*cs) : Result<ChangeSetHeader>(cs.status());
  if (!verified.ok()) {
    QUN_RETURN_IF_ERROR(held_.SetState(id, ChangeSetState::kRejected, verified.status().message()));
    return false;
  }
  return TryApply(id, *cs, *verified);
}

Result<std::optional<std::vector<ChangeSetStore::Part>>> ChangeSetStore::LaterParts(
    const ChangeSetHeader& header) {
  std::vector<Part> parts;
  bool continues = header.continues;
  for (uint64_t seq = header.seq + 1; continues; ++seq) {
    QUN_ASSIGN_OR_RETURN(auto rows, held_.WaitingAt(header.author, seq));
    // Twins of one number are the fork rules' business: the first held
    // stands here as it would in the author's chain.
    if (rows.empty()) return std::optional<std::vector<Part>>();
    auto cs = ChangeSet::Decode(rows.front().second);
    auto verified = cs.ok() ? Verify(*cs) : Result<ChangeSetHeader>(cs.status());
    if (!verified.ok()) {
      QUN_RETURN_IF_ERROR(held_.SetState(rows.front().first, ChangeSetState::kRejected,
                                         verified.status().message()));
      return std::optional<std::vector<Part>>();
    }
    continues = verified->continues;
    parts.push_back({rows.front().first, std::move(*cs), std::move(*verified)});
  }
  return std::optional<std::vector<Part>>(std::move(parts));
}

Result<ChangeSetStore::ForkResolved> ChangeSetStore::ResolveFork(const core::PublicKey& node,
                                                                 std::string_view keep_prefix,
                                                                 const std::string& label) {
  QUN_ASSIGN_OR_RETURN(std::vector<Fork> all, ListForks(store_.db()));
  std::vector<Fork> forks;
  for (Fork& f : all)
    if (f.author == node && !f.resolved) forks.push_back(std::move(f));
  if (forks.empty())
    return Status::NotFound(
        i18n::Format(_("{} has no unresolved fork here: `qun status` names the nodes that signed "
                       "two change sets with one number"),
                     label));
  ForkResolved out;
  QUN_ASSIGN_OR_RETURN(out.kept, ChooseTwins(forks, keep_prefix, label));
  QUN_ASSIGN_OR_RETURN(auto txn, store_.Begin(me_.public_key(), "admin resolve-fork"));
  QUN_RETURN_IF_ERROR(WriteResolutions(*txn, node, out.kept));
  QUN_RETURN_IF_ERROR(txn->Commit());
  QUN_RETURN_IF_ERROR(SealLocal().status());
  QUN_RETURN_IF_ERROR(ApplyResolutions().status());
  QUN_ASSIGN_OR_RETURN(out.applied, ApplyPending());
  QUN_ASSIGN_OR_RETURN(out.held, Quarantined(node));
  return out;
}

// ---------------------------------------------------------------------------
// The rest of the public surface.

Result<int> ChangeSetStore::ClaimKeys() { return keyring_.Claim(); }

Result<int> ChangeSetStore::DecideRoles() {
  Transaction tx(store_.db());
  QUN_RETURN_IF_ERROR(tx.Begin());
  QUN_RETURN_IF_ERROR(decisions_.EnsureDecidedLocked());
  QUN_ASSIGN_OR_RETURN(int changed, decisions_.RecomputeLocked(false));
  QUN_RETURN_IF_ERROR(tx.Commit());
  return changed;
}

Result<int> ChangeSetStore::SealLocal() {
  Transaction tx(store_.db());
  QUN_RETURN_IF_ERROR(tx.Begin());
  QUN_ASSIGN_OR_RETURN(int sealed, outbox_.SealLocked());
  QUN_RETURN_IF_ERROR(tx.Commit());
  return sealed;
}

}  // namespace qun::sync
