// Where a node keeps its files: `--home DIR`, else $QUN_HOME, else
// ~/.local/share/qun. A home holds community.db, node.key and node.pub.
#pragma once

#include <string>

#include "base/status.h"

namespace qun::core {

// Picks the home from the flag (may be empty) and the environment.
Result<std::string> ResolveHome(const std::string& flag);

// Creates the home (parents too) if missing and makes it mode 0700 (an
// existing folder too: qun is about to put a secret key and personal data
// in it), and checks that it is a folder this user may write to.
Status PrepareHome(const std::string& home);

// Checks that an existing home can be used: it exists, may be read, and no
// other user may enter it (IOError, naming the chmod to run, when one may).
// The database files and node.pub in it are made 0600 when they are not.
Status CheckHome(const std::string& home);

std::string DatabasePath(const std::string& home);

}  // namespace qun::core
