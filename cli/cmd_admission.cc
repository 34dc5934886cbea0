// The `qun` commands of this family are being written; registered empty
// until then.
#include "cli/app.h"

namespace qun::cli {

void AddAdmissionCommands(App&) {}

}  // namespace qun::cli
