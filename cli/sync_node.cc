#include "cli/sync_node.h"

namespace qun::cli {

Result<std::unique_ptr<SyncNode>> OpenSyncNode(const GlobalOptions& options) {
  auto s = std::make_unique<SyncNode>();
  QUN_ASSIGN_OR_RETURN(s->node, OpenNode(options));
  QUN_ASSIGN_OR_RETURN(s->community, sync::LoadCommunity(*s->node->store, s->node->home));
  s->sets =
      std::make_unique<sync::ChangeSetStore>(*s->node->store, s->community, *s->node->identity);
  // Change sets held back by an older qun (a newer format) apply now.
  QUN_RETURN_IF_ERROR(s->sets->ApplyPending().status());
  return s;
}

}  // namespace qun::cli
