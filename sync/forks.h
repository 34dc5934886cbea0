// Forks: an author that signed two different change sets with one seq is
// quarantined: its change sets after the fork are held, not applied, until
// an owner says which of the two every node keeps (an op of table node_fork,
// row ForkRowId, column keep: `qun admin resolve-fork`). A node that applied
// the other one then takes it and what followed it back out, and applies the
// kept one and its successors.
//
// This file finds forks and carries one resolution out at a time; it never
// applies what waits. The inbox (sync/change_set_store.h) decides roles
// again after a switch and applies the change sets a resolution let go.
//
// Functions borrow the Database (or Held); one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/identity.h"
#include "core/oplog.h"
#include "sync/held.h"

namespace qun::sync {

struct Fork {
  core::PublicKey author{};
  uint64_t seq = 0;
  std::vector<Hash> twins;       // every change set held with that seq, by hash
  std::optional<Hash> applied;   // the one applied here
  std::optional<Hash> resolved;  // the one an owner said to keep
};

// The row id of the resolution of `node`'s fork at `seq`: "<hex>:<seq>".
std::string ForkRowId(const core::PublicKey& node, uint64_t seq);

// Every fork held, by author and seq.
Result<std::vector<Fork>> ListForks(core::Database& db);
// The twin an owner said to keep at (`author`, `seq`), by a resolution that
// counts; several owners may have resolved it: the latest op decides.
Result<std::optional<Hash>> Resolution(core::Database& db, const core::PublicKey& author,
                                       uint64_t seq);
// Whether any fork of `author` has a resolution that counts.
Result<bool> HasResolution(core::Database& db, const core::PublicKey& author);
// Whether `author` has a fork no owner has resolved yet, or one resolved
// for a twin not here yet while this node holds the other applied.
Result<bool> Quarantined(Held& held, const core::PublicKey& author);

// Which twin of each of `forks` (`node`'s, unresolved) an owner keeps: the
// one applied here, or the one whose hash starts with `keep_prefix`.
// InvalidArgument, naming `label`, when that leaves a fork undecided or the
// prefix names none of them.
struct ForkChoice {
  uint64_t seq = 0;
  Hash keep{};
};
Result<std::vector<ForkChoice>> ChooseTwins(const std::vector<Fork>& forks,
                                            std::string_view keep_prefix, const std::string& label);
// Writes the resolutions of `choices` for `node` into `txn`.
Status WriteResolutions(core::WriteTxn& txn, const core::PublicKey& node,
                        const std::vector<ForkChoice>& choices);

// One resolved fork to carry out here: its kept twin is held (row id), and
// either this node applied the other one (switch) or the kept one is held
// as evidence (make it wait, to apply in its turn).
struct DueResolution {
  int64_t keep = 0;
  bool switch_applied = false;
};
// Whether `fork` needs carrying out now; none when it is carried out
// already, unresolved, or its kept twin has not reached this node.
Result<std::optional<DueResolution>> DueFor(Held& held, const Fork& fork);
// Carries `due` out in the caller's transaction: a switch takes the applied
// change sets of the author from the fork on back out of the log (the one at
// the fork stays as evidence; what followed waits again) and makes the kept
// one pending. The caller decides roles again after a switch and applies
// what waits.
Status CarryOut(Held& held, const Fork& fork, const DueResolution& due);

}  // namespace qun::sync
