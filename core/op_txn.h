// Writes to the op log's transaction rows from outside a WriteTxn: a change
// set from another node entering the log, a forked one leaving it, and the
// authority rules' verdict on one. The op log (op_txn, op) is written only
// here and in core/oplog.cc; sync/ calls these instead of its own SQL.
//
// Every function works in the caller's transaction and borrows the
// Database; one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "core/hlc.h"
#include "core/oplog.h"

namespace qun::core {

class Database;

// One op_txn row: a transaction of `author_id` (AuthorId), its ops to be
// added under the id it gets.
struct TxnRow {
  int64_t author_id = 0;
  uint64_t seq = 0;
  Hlc hlc;  // the latest raw HLC among its ops
  std::string note;
  std::optional<Hlc> ceiling;
  // Why the authority rules refuse it; none when it counts. kDeciding
  // (sync/authority.h) while it waits to be decided.
  std::optional<std::string> refused;
  bool continues = false;  // a part of a transaction that goes on
};
// Adds the row; returns its id.
Result<int64_t> AppendTxn(Database& db, const TxnRow& row);

// Takes transaction `txn` and its ops out of the log (a fork switched to
// the other change set). Adds the fields its ops wrote to `fields`, to be
// decided again (RecomputeFields) once all are out.
Status RemoveTxn(Database& db, int64_t txn, std::vector<FieldRef>* fields);

// Records whether transaction `txn` counts: `reason` says why not; none lets
// it count.
Status SetRefused(Database& db, int64_t txn, const std::optional<std::string>& reason);

}  // namespace qun::core
