// The inbox: change sets from elsewhere are received (Receive), kept as
// their exact bytes, and applied in causal order: a change set is applied
// only after its author's previous one (whose hash it must name), after
// every change set in its dependency vector, and once its author is known
// (the founder, or a node someone known has invited). Each one is applied in
// its own transaction, with the same ApplyOp as local writes, so a large
// batch never holds the write lock for long and the data is always a pure
// function of the set of change sets applied.
//
// A received change set's path reads top to bottom in change_set_store.cc:
// decode and verify (CheckReceived), keep, then in TryApplyOne: order (its
// turn), key, decrypt, authorize (the authority rules), merge. This is the
// only place that applies waiting change sets (ApplyPending): the parts it
// uses never do, they return what they changed.
//
//   change_set_store (inbox) -> outbox, forks, keyring, send
//                            -> decisions (authority) -> held -> core
//
// Before a received change set is applied, this node's own unsealed writes
// are sealed in the same transaction: a change set's dependencies are then
// exactly what its author had applied when it wrote, which is what the clock
// ceiling of its ops is measured from (core/oplog.h, CeilingAbove).
//
// ChangeSetStore also forwards to the parts (SealLocal, ReadHeads, ...) so
// that one object serves a node. Borrows the Store, the Community (adding
// the keys of rotations addressed to this node) and the Identity; one
// thread at a time.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/community_key.h"
#include "core/identity.h"
#include "core/store.h"
#include "sync/authority.h"
#include "sync/change_set.h"
#include "sync/community.h"
#include "sync/decisions.h"
#include "sync/forks.h"
#include "sync/held.h"
#include "sync/keyring.h"
#include "sync/outbox.h"
#include "sync/send.h"

namespace qun::sync {

enum class Outcome {
  kApplied,       // merged now
  kAlreadyHeld,   // the same change set was here before: nothing to do
  kPending,       // kept; waits for earlier change sets
  kNewerFormat,   // kept and forwarded; this version cannot apply it
  kEquivocation,  // a second, different change set with an (author, seq) held
  kRejected,      // refused; see reason. Nothing applied; received again, it is
                  // looked at again (a key this node lacked may have arrived)
};
const char* OutcomeName(Outcome o);
// What a change set held in `state` came to (none: a damaged row, refused).
Outcome OutcomeOf(std::optional<ChangeSetState> state);

struct Received {
  Outcome outcome;
  std::string reason;  // why: rejected, pending, equivocation, newer format
  core::PublicKey author{};
  uint64_t seq = 0;
  Hash hash{};
};

// A change set received from elsewhere, decoded, its signature checked.
struct Checked {
  ChangeSet change_set;
  ChangeSetHeader header;
  Hash hash{};
};
// Decodes `bytes` and checks its signature and that it belongs to
// `community`: what both a node and a relay check first. On failure fills
// `r` (a refusal with the reason, and the author, seq and hash once known)
// and returns none.
std::optional<Checked> CheckReceived(std::string_view bytes, const CommunityId& community,
                                     Received* r);

// A change set that was held back and then refused (see DropUninvited).
struct Dropped {
  core::PublicKey author{};
  uint64_t seq = 0;
  std::string reason;
};

// How long an import holds the write lock before it commits what it has
// applied and gives way (core::Batch): short enough that another qun command
// waiting for the lock (5 s by default) gets it well in time, long enough to
// save most commits.
constexpr int64_t kImportBatchMs = 2000;

class ChangeSetStore {
 public:
  ChangeSetStore(core::Store& store, Community& community, const core::Identity& me);
  ChangeSetStore(const ChangeSetStore&) = delete;
  ChangeSetStore& operator=(const ChangeSetStore&) = delete;

  // Keys (sync/keyring.h).
  void SetKeySaver(std::function<Status(const core::CommunityKey&)> save) {
    keyring_.SetSaver(std::move(save));
  }
  void SetKeySource(std::function<Result<std::vector<core::CommunityKey>>()> load) {
    keyring_.SetSource(std::move(load));
  }
  // Keyring::Claim: opens the key envelopes addressed to this node; change
  // sets sealed from now on use the newest key. Returns how many were added;
  // what they let go applies at the next ApplyPending.
  Result<int> ClaimKeys();

  // Decides every change set by the authority rules once, in a database
  // made before roles existed (or never decided): done on opening a node.
  Status EnsureDecided() { return decisions_.EnsureDecided(); }
  // Decides the role change sets again (after this node wrote a role op
  // and sealed it, say); see Authority::Recompute.
  Result<int> DecideRoles();

  // Seals every write transaction of this node that is not yet a change set.
  // Returns how many were sealed.
  Result<int> SealLocal();

  // Checks, keeps and (when its turn has come) applies one change set, then
  // anything pending that it unblocked.
  Result<Received> Receive(std::string_view bytes);

  // Applies every pending change set whose turn has come, and carries out
  // the fork resolutions that became due; returns how many applied.
  Result<int> ApplyPending();

  // Forgets pending change sets whose author nobody known has invited: a
  // node must not keep whatever strangers send it. Their senders still hold
  // them, and send them again once the invite has arrived here.
  Result<std::vector<Dropped>> DropUninvited();

  Result<VersionVector> Vector() { return held_.Vector(); }

  // What to send (sync/send.h).
  Result<Heads> ReadHeads() { return send_.ReadHeads(); }
  Result<std::vector<core::PublicKey>> Members() { return send_.Members(); }
  Status ForEachMissing(const VersionVector& theirs,
                        const std::function<Status(std::string_view)>& visit) {
    return send_.ForEachMissing(theirs, visit);
  }
  Result<std::vector<std::string>> Missing(const VersionVector& theirs) {
    return send_.Missing(theirs);
  }
  Result<std::vector<int64_t>> MissingIds(const Heads& theirs) { return send_.MissingIds(theirs); }
  Result<std::string> ChangeSetBytes(int64_t id) { return send_.ChangeSetBytes(id); }

  // The join point and frontiers (sync/outbox.h).
  Result<std::optional<core::Hlc>> FrontierOf(const VersionVector& vector) {
    return outbox_.FrontierOf(vector);
  }
  Status SaveJoinPoint(const JoinPoint& join) { return outbox_.SaveJoinPoint(join); }
  Result<JoinPoint> ReadJoinPoint() { return outbox_.ReadJoinPoint(); }

  // Forks (sync/forks.h).
  using Fork = sync::Fork;
  Result<std::vector<Fork>> Forks() { return ListForks(store_.db()); }
  Result<bool> Quarantined(const core::PublicKey& author) {
    return sync::Quarantined(held_, author);
  }
  // Carries out the resolutions that count, and applies what they let go.
  // Returns how many forks switched to the other change set here.
  Result<int> ApplyResolutions();
  // `qun admin resolve-fork`: keeps, for each unresolved fork of `node`, the
  // twin applied here or the one whose hash starts with `keep_prefix`
  // (ChooseTwins; `label` names the node in errors), writes and seals the
  // resolution, and carries it out. NotFound when `node` has no unresolved
  // fork here.
  struct ForkResolved {
    std::vector<ForkChoice> kept;
    int applied = 0;    // change sets applied as a result
    bool held = false;  // its later change sets still wait for a kept one
  };
  Result<ForkResolved> ResolveFork(const core::PublicKey& node, std::string_view keep_prefix,
                                   const std::string& label);

  // Why a pending change set waits, in words for `qun bundle import`.
  Result<std::string> WhyPending(const ChangeSetHeader& header);
  // What became of a change set received earlier; none when it is no longer
  // held (dropped).
  Result<std::optional<Received>> Recheck(const Hash& hash);

 private:
  // Keeps a checked change set; returns its row id, or none with `r` filled
  // when there is nothing more to do (already held, evidence, newer format).
  Result<std::optional<int64_t>> Keep(std::string_view bytes, const Checked& checked, Received* r);
  // Tries to apply one held change set; false when its turn has not come.
  // The first part of a transaction in parts (header.continues) applies
  // with all its later parts, in one database transaction, once they are
  // all held; until then none does.
  Result<bool> TryApply(int64_t row_id, const ChangeSet& cs, const ChangeSetHeader& header);
  // TryApply's work for one change set: the steps below, in order.
  Result<bool> TryApplyOne(int64_t row_id, const ChangeSet& cs, const ChangeSetHeader& header);
  // Order: whether its turn has come (refusing a broken chain, keeping a
  // late twin as evidence).
  Result<bool> InTurn(int64_t row_id, const ChangeSetHeader& header);
  // Key: the community key it is sealed under; null (and refused, or kept
  // for a newer version) when there is none.
  Result<const core::CommunityKey*> KeyFor(int64_t row_id, const ChangeSetHeader& header);
  // Decrypt: its payload, checked op by op; none (and refused) when it does
  // not open or holds what no author may write.
  Result<std::optional<Payload>> Decrypt(int64_t row_id, const ChangeSet& cs,
                                         const ChangeSetHeader& header,
                                         const core::CommunityKey& key);
  // Seals this node's own writes, authorizes and merges, in one
  // transaction. Returns the author's chain maximum. `ours` tells whether a
  // failure was this node's (sealing).
  Result<std::optional<core::Hlc>> SealAuthorizeMerge(int64_t row_id, const ChangeSetHeader& header,
                                                      const Payload& payload, bool* ours);
  // Authorize: why the authority rules refuse its ops (empty: they count;
  // kDeciding: a role change set, decided with the others of its run).
  Result<std::string> Authorize(const ChangeSetHeader& header, const Payload& payload);
  // Merge: adds its transaction to the op log (applying the ops that count)
  // and marks it applied, in the caller's transaction.
  Result<std::optional<core::Hlc>> Merge(int64_t row_id, const ChangeSetHeader& header,
                                         const Payload& payload, const std::string& refused);
  // After it merged: the clock, keys it brought, resolutions due.
  Status AfterMerge(const Payload& payload, std::optional<core::Hlc> chain_max);

  // The held later parts of the transaction whose part `header` is, up to
  // its last; none while one of them is missing.
  struct Part {
    int64_t row_id;
    ChangeSet change_set;
    ChangeSetHeader header;
  };
  Result<std::optional<std::vector<Part>>> LaterParts(const ChangeSetHeader& header);
  // Decodes, verifies and tries one waiting change set; refuses it (and
  // returns false) when it does not verify.
  Result<bool> ApplyWaiting(int64_t id, const std::string& bytes);
  // Applies, round after round, every waiting change set whose turn has
  // come; returns how many.
  Result<int> ApplyTurns();
  // Applies what waits, carrying out fork resolutions (from the start when
  // `forks_due`) until neither changes anything.
  struct Settled {
    int applied = 0, switched = 0;
  };
  Result<Settled> Settle(bool forks_due);
  // One round over the forks: carries out each resolution due. Returns how
  // many switched, and whether anything changed.
  Result<std::pair<int, bool>> CarryResolutions();
  // Carries out resolutions that became due while applying.
  Status AfterApply();

  core::Store& store_;
  Community& community_;
  const core::Identity& me_;
  Held held_;
  Outbox outbox_;
  Decisions decisions_;
  Keyring keyring_;
  Send send_;
};

}  // namespace qun::sync
