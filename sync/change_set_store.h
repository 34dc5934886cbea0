// The change sets a node holds, and how they are merged into its data.
//
// Local write transactions become change sets when sealed (SealLocal);
// change sets from elsewhere are received (Receive), kept as their exact
// bytes, and applied in causal order: a change set is applied only after its
// author's previous one (whose hash it must name), after every change set in
// its dependency vector, and once its author is known (the founder, or a node
// someone known has invited). Each one is applied in its own transaction,
// with the same ApplyOp as local writes, so a large batch never holds the
// write lock for long and the data is always a pure function of the set of
// change sets applied.
//
// Before a received change set is applied, this node's own unsealed writes
// are sealed in the same transaction: a change set's dependencies are then
// exactly what its author had applied when it wrote, which is what the clock
// ceiling of its ops is measured from (core/oplog.h, CeilingAbove).
//
// Borrows the Store, the Community (adding the keys of rotations addressed to
// this node) and the Identity; one thread at a time.
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

namespace qun::sync {

// For each author, the highest seq applied (with all before it).
// (VersionVector: sync/authority.h.)

// How far a node holds one author's chain: the version vector entry with
// the hash of the change set it ends at, and whether this node holds
// evidence that the author equivocated (network sync's hello).
struct Head {
  core::PublicKey author{};
  uint64_t seq = 0;
  Hash hash{};
  bool forked = false;
  bool operator==(const Head&) const = default;
};
using Heads = std::vector<Head>;  // one per author, ascending by author

VersionVector ToVector(const Heads& heads);

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

// The bytes of the change set with row id `id` in `table` (change_set, or a
// relay's relayed); NotFound when it has been dropped since.
Result<std::string> ReadChangeSetBytes(core::Database& db, const std::string& table, int64_t id);

// A change set that was held back and then refused (see DropUninvited).
struct Dropped {
  core::PublicKey author{};
  uint64_t seq = 0;
  std::string reason;
};

// Where a node stood when it joined: the inviter's version vector and the
// newest effective HLC in it. The node's first writes depend on it, so their
// clock ceiling is measured from it even before it has received anything.
struct JoinPoint {
  VersionVector vector;
  std::optional<core::Hlc> frontier;
};

// How long an import holds the write lock before it commits what it has
// applied and gives way (core::Batch): short enough that another qun command
// waiting for the lock (5 s by default) gets it well in time, long enough to
// save most commits.
constexpr int64_t kImportBatchMs = 2000;

// What `qun status` says about the change sets held.
struct HeldSummary {
  int64_t applied = 0, pending = 0, newer = 0, equivocation = 0, rejected = 0;
  // Applied change sets whose ops do not count (the authority rules).
  int64_t refused = 0;
  // Authors who signed two different change sets with one seq.
  std::vector<core::PublicKey> equivocators;
};

// Reads the summary without a community key: it needs only the database.
Result<HeldSummary> Summarize(core::Database& db);

// A change set refused (state rejected) or whose ops do not count (its
// transaction refused by the authority rules), for `qun status --rejected`.
struct Refusal {
  core::PublicKey author{};
  uint64_t seq = 0;
  std::string note;  // what its author did ("group edit"), when known
  std::string reason;
  bool applied = false;  // false: never applied (rejected)
};
Result<std::vector<Refusal>> ListRefusals(core::Database& db);
// The version vector of the change sets applied, read likewise.
Result<VersionVector> ReadVector(core::Database& db);
// The query ReadVector runs: a search per author, whatever the history
// (tests/core/query_plan_test.cc checks its plan).
extern const char kVectorQuery[];
// The vector this node will hold once its own writes are sealed (as the next
// sync does): ReadVector, with `me` counted up by its unsealed writes.
Result<VersionVector> ReadVectorWithLocal(core::Database& db, const core::PublicKey& me);

class ChangeSetStore {
 public:
  ChangeSetStore(core::Store& store, Community& community, const core::Identity& me);

  // Where new community keys are kept (the key file of the node's home);
  // without one they are held in memory only (tests).
  void SetKeySaver(std::function<Status(const core::CommunityKey&)> save) {
    save_key_ = std::move(save);
  }
  // Where the keys are read again from before sealing, and when a change
  // set names an epoch not held: another qun process on this home (`qun key
  // rotate` while `qun serve` runs) may have added one.
  void SetKeySource(std::function<Result<std::vector<core::CommunityKey>>()> load) {
    load_keys_ = std::move(load);
  }
  // Opens every key envelope addressed to this node (of a rotation that
  // counts) whose epoch it does not hold yet, saves the keys and adds them to
  // the community's: change sets sealed from now on use the newest. Returns
  // how many were added.
  Result<int> ClaimKeys();

  // Decides every change set by the authority rules once, in a database
  // made before roles existed (or never decided): done on opening a node.
  Status EnsureDecided();
  // Decides the role change sets again (after this node wrote a role op
  // and sealed it, say); see Authority::Recompute.
  Result<int> DecideRoles();

  // Seals every write transaction of this node that is not yet a change set.
  // Returns how many were sealed.
  Result<int> SealLocal();

  // Checks, keeps and (when its turn has come) applies one change set, then
  // anything pending that it unblocked.
  Result<Received> Receive(std::string_view bytes);

  // Applies every pending change set whose turn has come; returns how many.
  Result<int> ApplyPending();

  // Forgets pending change sets whose author nobody known has invited: a
  // node must not keep whatever strangers send it. Their senders still hold
  // them, and send them again once the invite has arrived here.
  Result<std::vector<Dropped>> DropUninvited();

  Result<VersionVector> Vector();
  // The vector with head hashes and equivocation flags.
  Result<Heads> ReadHeads();
  // Who may connect: the founder, this node, and every node that holds a
  // role now (the authority rules). A removed node holds none.
  Result<std::vector<core::PublicKey>> Members();

  // The newest effective HLC among the change sets named by `vector` (all
  // applied here): what an invite passes on.
  Result<std::optional<core::Hlc>> FrontierOf(const VersionVector& vector);
  // Records the join point of this node (from its invite).
  Status SaveJoinPoint(const JoinPoint& join);
  Result<JoinPoint> ReadJoinPoint();

  // Calls `visit` with the bytes of every change set this node can give to a
  // node at `theirs`: every applied one (or one of a newer format) above
  // their seq for its author, in the order this node applied them, so that
  // the receiver can apply each as it arrives; then all equivocation
  // evidence, so that the receiver learns of it too. Reads one at a time.
  Status ForEachMissing(const VersionVector& theirs,
                        const std::function<Status(std::string_view)>& visit);
  Result<std::vector<std::string>> Missing(const VersionVector& theirs);
  // What ForEachMissing would send to a node at `theirs`, as row ids for
  // ChangeSetBytes, found without reading the rest of the history: only the
  // authors `theirs` is behind on, and evidence only of authors `theirs`
  // does not already know to be forked.
  Result<std::vector<int64_t>> MissingIds(const Heads& theirs);
  // The bytes of a change set listed by MissingIds; NotFound when it has
  // been dropped since.
  Result<std::string> ChangeSetBytes(int64_t id);

  // Forks: an author that signed two different change sets with one seq is
  // quarantined: its change sets after the fork are held, not applied,
  // until an owner says which of the two every node keeps (an op of table
  // node_fork, `qun admin resolve-fork`). A node that applied the other one
  // then takes it and what followed it back out, and applies the kept one
  // and its successors.
  struct Fork {
    core::PublicKey author{};
    uint64_t seq = 0;
    std::vector<Hash> twins;       // every change set held with that seq
    std::optional<Hash> applied;   // the one applied here
    std::optional<Hash> resolved;  // the one an owner said to keep
  };
  Result<std::vector<Fork>> Forks();
  // Whether `author` has a fork no owner has resolved yet.
  Result<bool> Quarantined(const core::PublicKey& author);
  // Carries out the resolutions that count: see above. Returns how many
  // forks switched to the other change set here.
  Result<int> ApplyResolutions();

  // Why a pending change set waits, in words for `qun bundle import`.
  Result<std::string> WhyPending(const ChangeSetHeader& header);
  // What became of a change set received earlier; none when it is no longer
  // held (dropped).
  Result<std::optional<Received>> Recheck(const Hash& hash);

 private:
  Result<uint64_t> AppliedSeq(const core::PublicKey& author);
  Result<std::optional<Hash>> AppliedHash(const core::PublicKey& author, uint64_t seq);
  Result<std::optional<core::Hlc>> ChainMax(const core::PublicKey& author, uint64_t seq);
  Result<bool> Invited(const core::PublicKey& author);
  // SealLocal's work, inside a transaction the caller holds.
  Result<int> SealLocalLocked();
  // Tries to apply one held change set; false when its turn has not come.
  // The first part of a transaction in parts (header.continues) applies
  // with all its later parts, in one database transaction, once they are
  // all held; until then none does.
  Result<bool> TryApply(int64_t row_id, const ChangeSet& cs, const ChangeSetHeader& header);
  // TryApply's work for one change set.
  Result<bool> TryApplyOne(int64_t row_id, const ChangeSet& cs, const ChangeSetHeader& header);
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
  // Authors of change sets waiting (pending, or of a newer format).
  Result<std::set<core::PublicKey>> WaitingAuthors();
  // Waiting change sets of `author` numbered `seq`, in arrival order.
  Result<std::vector<std::pair<int64_t, std::string>>> WaitingAt(const core::PublicKey& author,
                                                                 uint64_t seq);
  // Seals this node's own writes, then merges the payload and marks the
  // change set applied, in one transaction. Returns the author's chain
  // maximum. `ours` tells whether a failure was this node's (sealing).
  Result<std::optional<core::Hlc>> Merge(int64_t row_id, const ChangeSetHeader& header,
                                         const Payload& payload, bool* ours);
  Status SetState(int64_t row_id, const char* state, const std::string& reason);
  // Takes the applied change sets of `author` from `seq` on back out (their
  // ops leave the log), keeps the one at `seq` as evidence, and makes `keep`
  // (held as evidence) pending, in the caller's transaction.
  Status SwitchFork(const core::PublicKey& author, uint64_t seq, int64_t keep);
  Result<std::optional<Hash>> Resolution(const core::PublicKey& author, uint64_t seq);

  // What this node's unsealed writes have seen: what it has applied, and
  // what its invite named.
  Result<VersionVector> LocalSeen();
  Status EnsureDecidedLocked();
  // Whether role change sets wait to be decided (or never were).
  Result<bool> Undecided();
  // Authority::Recompute, and what follows from it.
  Result<int> RecomputeLocked(bool everyone);

  core::Store& store_;
  Community& community_;
  const core::Identity& me_;
  std::unique_ptr<Authority> authority_;
  std::function<Status(const core::CommunityKey&)> save_key_;
  std::function<Result<std::vector<core::CommunityKey>>()> load_keys_;
  Status RefreshKeys();
  // Looks for this node's envelope of `epoch` in an owner's change sets
  // that wait here (see the .cc).
  Status ClaimFromPending(uint32_t epoch);
  // Change sets refused for a key this node lacks wait again once it holds
  // the key (found in a waiting change set), and apply.
  Status RetryMissingKeys();
  // (row id, key epoch) of every change set held as rejected.
  Result<std::vector<std::pair<int64_t, uint32_t>>> RefusedEpochs();
  // Saves a key taken from an envelope and adds it to the community's.
  Status TakeKey(core::CommunityKey key);
  // Epochs whose keys only rotations that do not count gave out.
  Result<std::set<uint32_t>> UnusableEpochs();
  bool decided_ = false;          // EnsureDecided ran
  bool resolutions_due_ = false;  // a fork resolution was applied
  Status AfterApply();
};

}  // namespace qun::sync
