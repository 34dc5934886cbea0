#include "sync/replica.h"

namespace qun::sync {

void Count(Outcome outcome, Credit* c) {
  switch (outcome) {
    case Outcome::kApplied:
      ++c->applied;
      break;
    case Outcome::kAlreadyHeld:
      ++c->already_held;
      break;
    case Outcome::kPending:
    case Outcome::kNewerFormat:
    case Outcome::kEquivocation:
      ++c->pending;
      break;
    case Outcome::kRejected:
      ++c->rejected;
      break;
  }
}

Result<Heads> NodeReplica::ReadHeads() {
  QUN_RETURN_IF_ERROR(sets_.SealLocal().status());
  return sets_.ReadHeads();
}

Result<Credit> NodeReplica::Take(const std::vector<std::string>& batch,
                                 std::vector<Received>* notable) {
  Credit credit;
  std::vector<Received> held_back;
  {
    // One commit per batch, or more if it takes long: the write lock is
    // never held long enough to make a qun command on this node wait out
    // its busy timeout.
    core::Batch commit(store_.db(), kImportBatchMs);
    for (const std::string& bytes : batch) {
      QUN_RETURN_IF_ERROR(commit.Step());
      QUN_ASSIGN_OR_RETURN(Received r, sets_.Receive(bytes));
      if (r.outcome == Outcome::kApplied || r.outcome == Outcome::kAlreadyHeld)
        Count(r.outcome, &credit);
      else
        held_back.push_back(std::move(r));
    }
    QUN_RETURN_IF_ERROR(commit.Finish());
  }
  // Role change sets of the batch are decided together, once.
  QUN_RETURN_IF_ERROR(sets_.EnsureDecided());
  // What waited may have been applied by a later change set of the batch.
  for (Received& r : held_back) {
    if (r.outcome == Outcome::kPending) {
      QUN_ASSIGN_OR_RETURN(auto now, sets_.Recheck(r.hash));
      if (now) r = *now;
    }
    Count(r.outcome, &credit);
    // Enough to say what went wrong; a batch of junk does not fill memory.
    if (r.outcome != Outcome::kApplied && notable->size() < 100) notable->push_back(std::move(r));
  }
  return credit;
}

Status NodeReplica::Finish() {
  QUN_RETURN_IF_ERROR(sets_.EnsureDecided());
  return sets_.DropUninvited().status();
}

}  // namespace qun::sync
