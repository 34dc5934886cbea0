// Merging two records of one person: what an admin does when the same human
// was added twice (on two laptops, with different contact handles) and sync
// brought both records together.
//
// The merge is ordinary writes in one WriteTxn, so it syncs like any edit:
// the kept record gains the other's handles, tags, group memberships and
// referrals, its empty fields are filled from the other, notes are joined,
// and the other record is removed. Nothing the other record held is lost:
// its history stays in the log.
#pragma once

#include <string>

#include "base/status.h"
#include "community/registry.h"
#include "core/oplog.h"

namespace qun::core {

struct PersonMergeResult {
  int handles = 0, tags = 0, memberships = 0, referrals = 0, fields = 0;
};

// Merges the person `gone` into `keep`. Both must be live and different.
Result<PersonMergeResult> MergePeople(Registry& registry, WriteTxn& txn, const std::string& keep,
                                      const std::string& gone);

}  // namespace qun::core
