// A node opened for syncing (bundles, network sync, serving): the node, its
// community and its change-set store.
#pragma once

#include <memory>

#include "cli/app.h"
#include "sync/change_set_store.h"
#include "sync/community.h"

namespace qun::cli {

// `sets` borrows the other members, so a SyncNode stays where it was made.
struct SyncNode {
  SyncNode() = default;
  SyncNode(const SyncNode&) = delete;
  SyncNode& operator=(const SyncNode&) = delete;
  std::unique_ptr<Node> node;
  sync::Community community;
  std::unique_ptr<sync::ChangeSetStore> sets;
};

// Opens the node and applies change sets held back by an older qun (of a
// format it could not read). NotFound, saying to run `qun join`, for a node
// that has not joined a community yet.
Result<std::unique_ptr<SyncNode>> OpenSyncNode(const GlobalOptions& options);

}  // namespace qun::cli
