#include "sync/import.h"

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

void Import::Note(Received r) {
  ++counts_[r.outcome];
  if (r.outcome != Outcome::kApplied && notable_.size() < max_notable_)
    notable_.push_back(std::move(r));
}

Result<Credit> Import::Take(const Source& next, const std::function<void(int64_t)>& progress) {
  Credit credit;
  std::vector<Received> held_back;
  {
    core::Batch commit(store_.db(), kImportBatchMs);
    int64_t taken = 0;
    while (true) {
      QUN_ASSIGN_OR_RETURN(std::optional<std::string> bytes, next());
      if (!bytes) break;
      QUN_RETURN_IF_ERROR(commit.Step());
      QUN_ASSIGN_OR_RETURN(Received r, sets_.Receive(*bytes));
      if (r.outcome == Outcome::kApplied || r.outcome == Outcome::kAlreadyHeld) {
        Count(r.outcome, &credit);
        ++counts_[r.outcome];
      } else {
        held_back.push_back(std::move(r));
      }
      if (progress) progress(++taken);
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
    Note(std::move(r));
  }
  return credit;
}

Result<Credit> Import::Take(const std::vector<std::string>& batch) {
  size_t i = 0;
  return Take([&]() -> Result<std::optional<std::string>> {
    if (i == batch.size()) return std::optional<std::string>();
    return std::optional<std::string>(batch[i++]);
  });
}

Status Import::Finish() {
  QUN_RETURN_IF_ERROR(sets_.EnsureDecided());
  QUN_ASSIGN_OR_RETURN(std::vector<Dropped> dropped, sets_.DropUninvited());
  for (Received& r : notable_) {
    if (r.outcome != Outcome::kPending) continue;
    QUN_ASSIGN_OR_RETURN(auto now, sets_.Recheck(r.hash));
    Received after;
    if (now) {
      after = *now;
    } else {
      after = r;
      after.outcome = Outcome::kRejected;
      for (const Dropped& d : dropped)
        if (d.author == r.author && d.seq == r.seq) after.reason = d.reason;
    }
    --counts_[r.outcome];
    ++counts_[after.outcome];
    r = std::move(after);
  }
  return Status::Ok();
}

}  // namespace qun::sync
