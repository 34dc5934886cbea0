// A fingerprint of the community's data: BLAKE2b-256 over a canonical dump of
// every domain table. Two nodes that hold the same change sets must print the
// same state hash, so admins can check that they see the same thing.
#pragma once

#include <string>

#include "base/status.h"
#include "core/db.h"

namespace qun::core {

// Tables in schema order, rows by id, columns in schema order; each value
// as its type tag and bytes with lengths, so no two states dump alike. Local
// bookkeeping (op log, clocks, meta) is not part of it. Returns 64 hex chars.
Result<std::string> StateHash(Database& db);

}  // namespace qun::core
