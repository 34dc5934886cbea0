// What this node gives another: how far it holds each author's chain (its
// heads), which change sets the other lacks, their bytes in the order they
// apply, and who may connect at all.
//
// Reads only (Members first lets the authority rules decide what waits).
// Borrows Held and Decisions; one thread at a time.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/identity.h"
#include "sync/decisions.h"
#include "sync/held.h"

namespace qun::sync {

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

class Send {
 public:
  Send(Held& held, Decisions& decisions, const core::PublicKey& founder, const core::PublicKey& me)
      : held_(held), decisions_(decisions), founder_(founder), me_(me) {}

  // The vector with head hashes and equivocation flags.
  Result<Heads> ReadHeads();
  // Who may connect: the founder, this node, and every node that holds a
  // role now (the authority rules). A removed node holds none.
  Result<std::vector<core::PublicKey>> Members();

  // Calls `visit` with the bytes of every change set this node can give to
  // a node at `theirs`: every applied one (or one of a newer format) above
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

 private:
  Held& held_;
  Decisions& decisions_;
  core::PublicKey founder_;
  core::PublicKey me_;
};

}  // namespace qun::sync
