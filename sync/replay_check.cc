#include "sync/replay_check.h"

#include <unistd.h>

#include "base/i18n.h"
#include "core/db.h"
#include "core/state_hash.h"

namespace qun::sync {

namespace {

// Removes the scratch database and its WAL files, however the replay ends.
struct ScratchFiles {
  std::string path;
  ~ScratchFiles() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) unlink((path + suffix).c_str());
  }
};

Result<int64_t> CountApplied(core::Database& db) {
  return CountInStates(db, {ChangeSetState::kApplied});
}

}  // namespace

Result<ReplayReport> ReplayChangeSets(core::Store& store, ChangeSetStore& sets,
                                      Community& community, const core::Identity& me,
                                      const std::string& scratch_path,
                                      const std::function<void(int64_t)>& progress) {
  QUN_RETURN_IF_ERROR(sets.SealLocal().status());
  ReplayReport report;
  QUN_ASSIGN_OR_RETURN(report.state_hash, core::StateHash(store.db()));
  QUN_ASSIGN_OR_RETURN(report.held_applied, CountApplied(store.db()));

  QUN_ASSIGN_OR_RETURN(JoinPoint join, sets.ReadJoinPoint());
  QUN_ASSIGN_OR_RETURN(VersionVector held, sets.Vector());
  for (const auto& [author, seq] : join.vector) {
    auto it = held.find(author);
    if (it == held.end() || it->second < seq) report.lacks_join_history = true;
  }
  if (report.lacks_join_history) return report;

  if (access(scratch_path.c_str(), F_OK) == 0)
    return Status::Conflict(
        i18n::Format(_("{} already exists; remove it and check again"), scratch_path));
  ScratchFiles cleanup{scratch_path};
  QUN_ASSIGN_OR_RETURN(auto scratch, core::Store::Create(scratch_path, core::StoreOptions{}));
  ChangeSetStore replayed(*scratch, community, me);
  {
    core::Batch batch(scratch->db(), kImportBatchMs);
    QUN_RETURN_IF_ERROR(sets.ForEachMissing({}, [&](std::string_view bytes) -> Status {
      QUN_RETURN_IF_ERROR(batch.Step());
      QUN_RETURN_IF_ERROR(replayed.Receive(bytes).status());
      ++report.change_sets;
      if (progress) progress(report.change_sets);
      return Status::Ok();
    }));
    QUN_RETURN_IF_ERROR(batch.Finish());
  }
  // As every sync and import ends: role change sets are decided together.
  QUN_RETURN_IF_ERROR(replayed.EnsureDecided());
  QUN_ASSIGN_OR_RETURN(report.applied, CountApplied(scratch->db()));
  QUN_ASSIGN_OR_RETURN(report.replayed_hash, core::StateHash(scratch->db()));
  return report;
}

}  // namespace qun::sync
