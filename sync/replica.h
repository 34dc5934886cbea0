// What one side of a network sync holds, as the protocol sees it: a node's
// change-set store, or a relay's store of change sets it cannot read. The
// server and client (sync/server.h, sync/client.h) speak to either through
// this interface, so that a node syncs with a relay exactly as with a node.
//
// A Replica is used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "sync/change_set_store.h"
#include "sync/import.h"
#include "sync/protocol.h"

namespace qun::sync {

class Replica {
 public:
  virtual ~Replica() = default;
  virtual bool relay() const = 0;
  // Where this side stands (the hello's vector).
  virtual Result<Heads> ReadHeads() = 0;
  // The change sets a side at `theirs` lacks, in an order it can take them
  // in, as ids for ChangeSetBytes.
  virtual Result<std::vector<int64_t>> MissingIds(const Heads& theirs) = 0;
  virtual Result<std::string> ChangeSetBytes(int64_t id) = 0;
  // Takes in one batch and commits it before returning, so that what was
  // taken survives an interrupted sync. The counts say what became of the
  // batch; `notable` gets every change set refused or held back, with why.
  virtual Result<Credit> Take(const std::vector<std::string>& batch,
                              std::vector<Received>* notable) = 0;
  // Called once a sync has ended, well or not.
  virtual Status Finish() { return Status::Ok(); }
};

// A node's side: its ChangeSetStore (borrowed), which applies what it takes
// through the same Import as a bundle (sync/import.h).
class NodeReplica : public Replica {
 public:
  NodeReplica(core::Store& store, ChangeSetStore& sets)
      : sets_(sets), import_(store, sets, kMaxNotable) {}
  bool relay() const override { return false; }
  // Seals this node's own writes first, so that they are sent too.
  Result<Heads> ReadHeads() override;
  Result<std::vector<int64_t>> MissingIds(const Heads& theirs) override {
    return sets_.MissingIds(theirs);
  }
  Result<std::string> ChangeSetBytes(int64_t id) override { return sets_.ChangeSetBytes(id); }
  Result<Credit> Take(const std::vector<std::string>& batch,
                      std::vector<Received>* notable) override;
  // Forgets what strangers sent (see ChangeSetStore::DropUninvited).
  Status Finish() override { return import_.Finish(); }

 private:
  // Enough to say what went wrong; a sync of junk does not fill memory.
  static constexpr size_t kMaxNotable = 100;
  ChangeSetStore& sets_;
  Import import_;
};

}  // namespace qun::sync
