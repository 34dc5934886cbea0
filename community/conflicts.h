// Conflicts: rules the CLI keeps on local writes that concurrent edits on
// two laptops can break. A merge never fails on them (it keeps both), so
// `qun status` lists them for an admin to settle by hand.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "core/db.h"

namespace qun::core {

struct Conflict {
  std::string kind;              // "group name", "possible duplicate"
  std::string summary;           // what is wrong, in words
  std::vector<std::string> ids;  // the rows involved
  std::string fix;               // the command that settles it
};

// Groups sharing a name (names are unique, ignoring case); live people with
// the same display name whose records were created by different admins (the
// same person added twice, perhaps).
Result<std::vector<Conflict>> FindConflicts(Database& db);

}  // namespace qun::core
