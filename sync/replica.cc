#include "sync/replica.h"

namespace qun::sync {

Result<Heads> NodeReplica::ReadHeads() {
  QUN_RETURN_IF_ERROR(sets_.SealLocal().status());
  return sets_.ReadHeads();
}

Result<Credit> NodeReplica::Take(const std::vector<std::string>& batch,
                                 std::vector<Received>* notable) {
  size_t before = import_.notable().size();
  QUN_ASSIGN_OR_RETURN(Credit credit, import_.Take(batch));
  for (size_t i = before; i < import_.notable().size(); ++i)
    notable->push_back(import_.notable()[i]);
  return credit;
}

}  // namespace qun::sync
