// Taking in change sets from elsewhere, the same way whatever brought them:
// a bundle file or a peer over the network. Both call one Import, so that
// what a node ends up holding never depends on how the change sets came.
//
// The order is fixed: each batch is received with a commit about every
// kImportBatchMs (the write lock is never held long enough to make another
// qun command wait out its busy timeout); then the role change sets the
// batch brought are decided together, once; then what waited is looked at
// again, since a later change set of the batch may have let it apply. At the
// end, Finish forgets what strangers sent (ChangeSetStore::DropUninvited)
// and says so for each change set it had reported as waiting.
//
// Borrows the store and the change-set store; one thread at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "core/store.h"
#include "sync/change_set_store.h"
#include "sync/protocol.h"

namespace qun::sync {

class Import {
 public:
  // Gives the next change set's bytes, or nothing at the end of the batch.
  using Source = std::function<Result<std::optional<std::string>>()>;

  // Keeps at most `max_notable` of the change sets not applied at once (a
  // peer sending junk does not fill memory); a bundle keeps them all.
  Import(core::Store& store, ChangeSetStore& sets, size_t max_notable = SIZE_MAX)
      : store_(store), sets_(sets), max_notable_(max_notable) {}

  // Takes in one batch and commits it. Returns what became of it; the
  // change sets of it not applied are added to notable(). `progress`, when
  // given, is called with the number of change sets taken so far.
  Result<Credit> Take(const Source& next, const std::function<void(int64_t)>& progress = nullptr);
  // The same, for a batch in memory (network sync).
  Result<Credit> Take(const std::vector<std::string>& batch);

  // Ends the import: decides roles, forgets what strangers sent, and marks
  // the change sets so dropped as refused in notable() and counts().
  Status Finish();

  // Every change set taken so far by its outcome, as it stands now.
  int64_t count(Outcome o) const {
    auto it = counts_.find(o);
    return it == counts_.end() ? 0 : it->second;
  }
  // The change sets not applied, with why (at most max_notable).
  const std::vector<Received>& notable() const { return notable_; }

 private:
  void Note(Received r);

  core::Store& store_;
  ChangeSetStore& sets_;
  size_t max_notable_;
  std::map<Outcome, int64_t> counts_;
  std::vector<Received> notable_;
};

// Adds one outcome to a batch's counts.
void Count(Outcome outcome, Credit* credit);

}  // namespace qun::sync
