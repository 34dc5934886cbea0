// Where a node keeps its files: `--home DIR`, else $QUN_HOME, else
// ~/.local/share/qun. A home holds community.db, node.key and node.pub.
#pragma once

#include <string>

#include "core/status.h"

namespace qun::core {

// Picks the home from the flag (may be empty) and the environment.
Result<std::string> ResolveHome(const std::string& flag);

// Creates the home (mode 0700, parents too) if missing (an existing folder
// keeps its mode), and checks that it is
// a folder this user may write to.
Status PrepareHome(const std::string& home);

// Checks that an existing home can be used: it exists and may be read.
Status CheckHome(const std::string& home);

std::string DatabasePath(const std::string& home);

}  // namespace qun::core
