// What the op log is made of: one field write (Op) and the field it writes
// (FieldRef). The write path (core/oplog.h), the permission table
// (core/permissions.h), the change sets of sync/ and the readers of the log
// (core/log_reads.h) all speak of these, and need nothing else of each other
// to do so.
#pragma once

#include <compare>
#include <string>

#include "core/hlc.h"
#include "core/identity.h"
#include "core/value.h"

namespace qun::core {

// One field write, as stored in the op log and carried between nodes.
struct Op {
  std::string table;
  std::string row_id;
  std::string column;
  Value value;
  Hlc hlc;
  PublicKey author{};
};

// A field of the domain tables.
struct FieldRef {
  std::string table, row_id, column;
  auto operator<=>(const FieldRef&) const = default;
};

}  // namespace qun::core
