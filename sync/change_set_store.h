// The change sets a node holds, and how they are merged into its data.
//
// Local write transactions become change sets when sealed (SealLocal);
// change sets from elsewhere are received (Receive), kept as their exact
// bytes, and applied in causal order: a change set is applied only after its
// author's previous one (whose hash it must name) and after every change set
// in its dependency vector. Each one is applied in its own transaction, with
// the same ApplyOp as local writes, so a large batch never holds the write
// lock for long and the data is always a pure function of the set of change
// sets applied.
//
// Borrows the Store, the key and the community id; one thread at a time.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/community_key.h"
#include "core/identity.h"
#include "core/store.h"
#include "sync/change_set.h"

namespace qun::sync {

// For each author, the highest seq applied (with all before it).
using VersionVector = std::map<core::PublicKey, uint64_t>;

enum class Outcome {
  kApplied,       // merged now
  kAlreadyHeld,   // the same change set was here before: nothing to do
  kPending,       // kept; waits for earlier change sets
  kNewerFormat,   // kept and forwarded; this version cannot apply it
  kEquivocation,  // a second, different change set with an (author, seq) held
  kRejected,      // refused; see reason. Not kept, nothing applied
};
const char* OutcomeName(Outcome o);

struct Received {
  Outcome outcome;
  std::string reason;  // for kRejected and kEquivocation
  core::PublicKey author{};
  uint64_t seq = 0;
};

class ChangeSetStore {
 public:
  ChangeSetStore(core::Store& store, const CommunityId& community, const core::CommunityKey& key)
      : store_(store), community_(community), key_(key) {}

  // Seals every write transaction of `me` that is not yet a change set.
  // Returns how many were sealed.
  Result<int> SealLocal(const core::Identity& me);

  // Checks, keeps and (when its turn has come) applies one change set, then
  // anything pending that it unblocked.
  Result<Received> Receive(std::string_view bytes);

  // Applies every pending change set whose turn has come; returns how many.
  Result<int> ApplyPending();

  Result<VersionVector> Vector();

  // The change sets this node can give to a node at `theirs`: every applied
  // one (or one of a newer format) above their seq for its author, in
  // (author, seq) order, as bytes.
  Result<std::vector<std::string>> Missing(const VersionVector& theirs);

 private:
  Result<uint64_t> AppliedSeq(const core::PublicKey& author);
  Result<std::optional<Hash>> AppliedHash(const core::PublicKey& author, uint64_t seq);
  // Tries to apply one pending change set; false when its turn has not come.
  Result<bool> TryApply(int64_t row_id, const ChangeSet& cs, const ChangeSetHeader& header);
  Status SetState(int64_t row_id, const char* state, const std::string& reason);

  core::Store& store_;
  CommunityId community_;
  const core::CommunityKey& key_;
};

}  // namespace qun::sync
