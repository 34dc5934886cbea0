// When the authority rules (sync/authority.h) decide the change sets held:
// once, whole, in a database never decided (made before roles existed, or
// upgraded with ops an older version kept unchecked), and again after role
// change sets arrive or are sealed. Owns the Authority.
//
// Everything sync/ applies or seals asks here first (EnsureDecided), so
// that no change set is judged by roles still waiting to be decided.
//
// Borrows the Database; one thread at a time.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/db.h"
#include "core/identity.h"
#include "sync/authority.h"

namespace qun::sync {

class Decisions {
 public:
  // `local_seen`: what this node's unsealed writes have seen (Authority).
  Decisions(core::Database& db, const core::PublicKey& founder,
            std::function<Result<VersionVector>()> local_seen);

  // Decides what waits to be decided, in its own transaction.
  Status EnsureDecided();
  // The same, in the caller's transaction.
  Status EnsureDecidedLocked();
  // Whether the database was never decided (no generation recorded).
  Result<bool> NeverDecided();
  // Authority::Recompute (every author's change sets again when
  // `everyone`), in the caller's transaction. Returns how many changed.
  Result<int> RecomputeLocked(bool everyone);
  // Whether the ops of a change set of `author` at `pos` count: empty when
  // they do, else why not (Authority::Check).
  Result<std::string> Check(const Position& pos, const std::vector<core::Op>& ops) {
    return authority_->Check(pos, ops);
  }

  // A fork resolution may count differently now (decisions changed, or a
  // resolution op arrived): the inbox carries resolutions out again.
  void MarkResolutionsDue() { resolutions_due_ = true; }
  bool resolutions_due() const { return resolutions_due_; }
  void ClearResolutionsDue() { resolutions_due_ = false; }

 private:
  // Whether role change sets wait to be decided (or never were).
  Result<bool> Undecided();

  core::Database& db_;
  std::unique_ptr<Authority> authority_;
  bool decided_ = false;  // EnsureDecided ran, or a generation was found
  bool resolutions_due_ = false;
};

}  // namespace qun::sync
