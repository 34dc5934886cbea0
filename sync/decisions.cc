#include "sync/decisions.h"

#include "core/meta_keys.h"
#include "core/oplog.h"

namespace qun::sync {

Decisions::Decisions(core::Database& db, const core::PublicKey& founder,
                     std::function<Result<VersionVector>()> local_seen)
    : db_(db),
      authority_(std::make_unique<Authority>(db, founder, std::move(local_seen))) {}

Result<int> Decisions::RecomputeLocked(bool everyone) {
  QUN_ASSIGN_OR_RETURN(int changed, authority_->Recompute(everyone));
  QUN_RETURN_IF_ERROR(core::SetAuthorityDirty(db_, false));
  // A resolution that starts or stops counting is carried out again.
  if (changed) resolutions_due_ = true;
  return changed;
}

Result<bool> Decisions::NeverDecided() {
  if (decided_) return false;
  QUN_ASSIGN_OR_RETURN(auto generation, core::AuthorityGeneration(db_));
  return !generation.has_value();
}

Result<bool> Decisions::Undecided() {
  if (!decided_) {
    QUN_ASSIGN_OR_RETURN(bool never, NeverDecided());
    if (never) return true;
    decided_ = true;
  }
  return core::AuthorityDirty(db_);
}

Status Decisions::EnsureDecidedLocked() {
  QUN_ASSIGN_OR_RETURN(bool undecided, Undecided());
  if (!undecided) return Status::Ok();
  // Ops an older version kept without checking (it did not know their
  // fields) are decided as if they had just arrived: every change set
  // again, then those that count take effect. A node upgraded with them
  // so ends where one that received them after upgrading does.
  QUN_ASSIGN_OR_RETURN(bool learned, core::OpsLearned(db_));
  // Never decided (a database made before roles existed): every change set.
  QUN_RETURN_IF_ERROR(RecomputeLocked(/*everyone=*/!decided_ || learned).status());
  if (learned) {
    QUN_RETURN_IF_ERROR(core::MergeUnappliedOps(db_).status());
    QUN_RETURN_IF_ERROR(core::ClearOpsLearned(db_));
  }
  decided_ = true;
  return Status::Ok();
}

Status Decisions::EnsureDecided() {
  QUN_ASSIGN_OR_RETURN(bool undecided, Undecided());
  if (!undecided) return Status::Ok();
  core::Transaction tx(db_);
  QUN_RETURN_IF_ERROR(tx.Begin());
  QUN_RETURN_IF_ERROR(EnsureDecidedLocked());
  return tx.Commit();
}

}  // namespace qun::sync
