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
        "intro_template", "status", "created_at", "deleted", "questions", "nickname_pattern",
        "warning_limit", "level_window_days", "level_core", "level_active"}},
      {"person",
       {"display_name", "nickname", "city", "intro", "needs", "offers", "referred_by", "notes",
        "created_at", "deleted"}},
      {"person_handle", {"person_id", "kind", "value", "deleted"}},
      {"person_tag", {"person_id", "tag", "deleted"}},
      {"membership",
       {"group_id", "person_id", "role", "status", "joined_at", "invited_by", "deleted", "nickname",
        "intro", "paid_until", "status_at"}},
      {"application", {"person_id", "answers", "paid", "applied_at", "decision", "deleted"}, true},
      {"activity", {"person_id", "kind", "day", "at", "ref", "note", "deleted"}, true},
      {"topic", {"title", "deadline", "created_at", "deleted"}, true},
      {"event",
       {"title", "starts_at", "ends_at", "place", "mode", "capacity", "status", "retro",
        "created_at", "deleted"},
       true},
      {"signup",
       {"event_id", "person_id", "guests", "note", "signed_at", "status", "deleted"},
       true},
      {"poll", {"question", "options", "closes_at", "status", "created_at", "deleted"}, true},
      {"vote", {"poll_id", "person_id", "choice", "voted_at", "deleted"}, true},
      {"content", {"title", "url", "body", "tags", "person_id", "saved_at", "deleted"}, true},
      {"warning", {"person_id", "reason", "given_by", "given_at", "deleted"}, true},
      {"ban", {"person_id", "reason", "banned_by", "banned_at", "active", "deleted"}},
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

bool IsGroupScoped(std::string_view table) {
  const TableSchema* t = FindTable(table);
  return t && t->group_scoped;
}

}  // namespace qun::core
