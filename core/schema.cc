#include "core/schema.h"

#include <algorithm>

namespace qun::core {

const std::vector<TableSchema>& DomainTables() {
  // Keep in step with core/sql/*.sql.
  static const std::vector<TableSchema> kTables = {
      {"community", {"name", "created_at"}},
      {"node", {"name", "deleted", "invited_by"}},
      {"chat_group",
       {"name", "kind", "platform", "handle", "capacity", "admission", "fee_cents", "rules",
        "intro_template", "status", "created_at", "deleted"}},
      {"person",
       {"display_name", "nickname", "city", "intro", "needs", "offers", "referred_by", "notes",
        "created_at", "deleted"}},
      {"person_handle", {"person_id", "kind", "value", "deleted"}},
      {"person_tag", {"person_id", "tag", "deleted"}},
      {"membership",
       {"group_id", "person_id", "role", "status", "joined_at", "invited_by", "deleted"}},
  };
  return kTables;
}

const TableSchema* FindTable(std::string_view name) {
  for (const auto& t : DomainTables())
    if (t.name == name) return &t;
  return nullptr;
}

bool IsDomainColumn(std::string_view table, std::string_view column) {
  const TableSchema* t = FindTable(table);
  return t && std::find(t->columns.begin(), t->columns.end(), column) != t->columns.end();
}

}  // namespace qun::core
