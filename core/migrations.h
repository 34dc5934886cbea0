// The schema history of a Qun database.
//
// Each migration is one numbered file in core/sql/, embedded at build time.
// A database's `PRAGMA user_version` is the number of the last migration
// applied; opening a database applies the missing ones in one transaction,
// and refuses a database whose version is newer than this binary knows.
#pragma once

#include <string>
#include <vector>

namespace qun::core {

struct Migration {
  int version;
  const char* file;
  const char* sql;
};

// All migrations, ascending by version, numbered 1, 2, 3... without gaps.
const std::vector<Migration>& Migrations();

}  // namespace qun::core
