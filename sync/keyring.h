// The community keys this node holds, and how it gets new ones: from key
// envelopes addressed to it (a rotation, `qun key rotate`), from the key
// file another qun process on this home wrote, or early, from an owner's
// change set still waiting here.
//
// Finding a key never applies anything: a change set refused for want of a
// key is made pending again (Held), and whoever called decides when to
// apply what waits (the inbox, sync/change_set_store.h).
//
// Borrows the Community (whose key list it extends), the Identity and
// Held; one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <utility>
#include <vector>

#include "core/community_key.h"
#include "core/identity.h"
#include "sync/community.h"
#include "sync/held.h"

namespace qun::sync {

class Keyring {
 public:
  Keyring(Community& community, const core::Identity& me, Held& held)
      : community_(community), me_(me), held_(held) {}

  // Where new keys are kept (the key file of the node's home); without one
  // they are held in memory only (tests).
  void SetSaver(std::function<Status(const core::CommunityKey&)> save) {
    save_key_ = std::move(save);
  }
  // Where the keys are read again from before sealing, and when a change
  // set names an epoch not held: another qun process on this home (`qun key
  // rotate` while `qun serve` runs) may have added one.
  void SetSource(std::function<Result<std::vector<core::CommunityKey>>()> load) {
    load_keys_ = std::move(load);
  }

  // Takes the keys of the key file when it holds more.
  Status Refresh();
  // The key of `epoch`: held, in the key file, or (to read only) in an
  // owner's change set waiting here. Null when none has it.
  Result<const core::CommunityKey*> Find(uint32_t epoch);

  // Opens every key envelope addressed to this node (of a rotation that
  // counts) whose epoch it does not hold yet, saves the keys and adds them
  // to the community's; change sets refused for want of one of them wait
  // again. Returns how many keys were added.
  Result<int> Claim();
  // For change sets refused for a key this node lacks: looks for the key in
  // change sets that wait, and makes those it finds one for wait again.
  // Returns whether any does (the caller applies what waits).
  Result<bool> RetryRefused();

  // Epochs whose keys only rotations that do not count gave out: never
  // sealed with.
  Result<std::set<uint32_t>> UnusableEpochs();

 private:
  // Looks for this node's envelope of `epoch` in an owner's change sets
  // that wait here (see the .cc).
  Status ClaimFromPending(uint32_t epoch);
  // (row id, key epoch) of every change set held as rejected.
  Result<std::vector<std::pair<int64_t, uint32_t>>> RefusedEpochs();
  // Saves a key taken from an envelope and adds it to the community's.
  Status TakeKey(core::CommunityKey key);

  Community& community_;
  const core::Identity& me_;
  Held& held_;
  std::function<Status(const core::CommunityKey&)> save_key_;
  std::function<Result<std::vector<core::CommunityKey>>()> load_keys_;
};

}  // namespace qun::sync
