// The history `qun log` shows: the op log read back, newest first, each row
// named in words. Only reads; core/oplog.h writes the log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "core/hlc.h"
#include "core/value.h"

namespace qun::core {

class Database;

// One entry of `qun log`: a field write and the value it replaced.
struct LogEntry {
  Hlc hlc;
  std::string author;       // public key, hex
  std::string author_name;  // the node's name, if known
  int64_t seq = 0;          // the author's transaction number
  std::string note;
  std::string table;
  std::string row_id;
  std::string column;
  Value old_value;
  Value new_value;
  bool counts = true;  // false: its change was refused (op_txn.refused)
};

// A name for a row as admins know it ("张伟", "北京交流群", "张伟 @ 北京交流群",
// "张伟 · tag 摄影"); empty when the row is unknown.
Result<std::string> RowLabel(Database& db, const std::string& table, const std::string& row_id);
// The same name for a person to read now: its words ("tag", an activity's
// kind) in the language chosen (base/i18n.h). RowLabel stays English, for
// --json and for what is stored.
Result<std::string> ShownRowLabel(Database& db, const std::string& table,
                                  const std::string& row_id);

// The history, newest first. With `row_id`, only that row and the rows that
// belong to it (a person's handles, tags and memberships; a group's
// memberships). `limit` 0 means all.
Result<std::vector<LogEntry>> ReadLog(Database& db, const std::optional<std::string>& row_id,
                                      int64_t limit);

}  // namespace qun::core
