// Checking a node's data against its change sets (`qun check`).
//
// A node's data is a pure function of the change sets it applied
// (docs/correctness.md). So after a crash, a full disk or a copy gone wrong,
// its tables can be checked by applying every change set it holds again,
// into a new and empty database, and comparing the two state hashes: equal
// hashes mean the tables say exactly what the change sets say. The scratch
// database is a file beside the node's (a community's history need not fit
// in memory), removed afterwards.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"
#include "core/identity.h"
#include "core/store.h"
#include "sync/change_set_store.h"
#include "sync/community.h"

namespace qun::sync {

struct ReplayReport {
  int64_t change_sets = 0;    // given to the scratch node
  int64_t applied = 0;        // of which it applied (the rest: pending, refused, evidence)
  int64_t held_applied = 0;   // change sets this node holds as applied
  std::string state_hash;     // this node's
  std::string replayed_hash;  // the scratch node's
  // A node that joined builds its own change sets on the history its
  // invite named, which it may not hold yet (until its first sync brings
  // it). Those cannot be applied anywhere else before that history, so the
  // replay cannot be compared: it is incomplete, not wrong.
  bool lacks_join_history = false;
  bool Same() const { return state_hash == replayed_hash && applied == held_applied; }
};

// Seals this node's own unsealed writes (so that every op is in a change
// set), then (unless the node lacks its join history) replays every change set it holds, in the
// order it applied them, into a scratch database at `scratch_path` (which must not exist), as `me`
// in `community`. `progress` gets the count done so far.
Result<ReplayReport> ReplayChangeSets(core::Store& store, ChangeSetStore& sets,
                                      Community& community, const core::Identity& me,
                                      const std::string& scratch_path,
                                      const std::function<void(int64_t)>& progress = nullptr);

}  // namespace qun::sync
