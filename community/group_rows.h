// References to the rows that belong to one group (events, polls, topics,
// curated content), as admins type them: the local part of the row id or a
// prefix of it (4+ hex characters, what the CLI shows), or the exact title.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace qun::core {

class Database;

// Which table a reference is looked up in, and how to name it in messages.
struct GroupRowKind {
  std::string_view table;         // "event"
  std::string_view title_column;  // "title"
  // "event", marked NC_("row kind", "event") for the catalog: messages
  // show it translated.
  std::string_view what;
  std::string_view list_command;  // "qun event list"
};

// The full row id of the live row `ref` names, among the rows of `group_id`
// when given. NotFound saying how to list them; Conflict listing the
// candidates when several match.
Result<std::string> ResolveGroupRow(Database& db, const GroupRowKind& kind, const std::string& ref,
                                    const std::optional<std::string>& group_id = std::nullopt);

}  // namespace qun::core
