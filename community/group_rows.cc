#include "community/group_rows.h"

#include <fmt/format.h>

#include <vector>

#include "base/text.h"
#include "core/db.h"
#include "core/ids.h"
#include "core/schema.h"

namespace qun::core {

Result<std::string> ResolveGroupRow(Database& db, const GroupRowKind& kind, const std::string& ref,
                                    const std::optional<std::string>& group_id) {
  // Table and column names come from the code, never from input; check
  // them against the schema all the same.
  if (!IsGroupScoped(kind.table) || !IsDomainColumn(kind.table, kind.title_column))
    return Status::Internal(
        fmt::format("{}.{} is not a group's table", kind.table, kind.title_column));
  std::string trimmed = text::Trim(ref);
  if (trimmed.empty())
    return Status::InvalidArgument(fmt::format("an empty {} reference was given", kind.what));
  std::string scope = group_id ? "AND group_id = ?2" : "";
  auto collect = [&](Statement& s) -> Result<std::vector<std::string>> {
    std::vector<std::string> ids;
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      ids.push_back(s.Text(0));
    }
    return ids;
  };
  auto listed = [](const std::vector<std::string>& ids) {
    std::string out;
    for (size_t i = 0; i < ids.size() && i < 5; ++i) out += (i ? ", " : "") + ShortRowId(ids[i]);
    return out + (ids.size() > 5 ? ", ..." : "");
  };
  std::string lowered = text::AsciiLower(trimmed);
  // A whole row id, as `--json` prints it.
  if (!GroupOfRowId(lowered).empty()) {
    QUN_ASSIGN_OR_RETURN(
        Statement s, db.Prepare(fmt::format("SELECT id FROM {} WHERE id = ?1 AND deleted = 0 {}",
                                            kind.table, scope)));
    s.Bind(1, lowered);
    if (group_id) s.Bind(2, *group_id);
    QUN_ASSIGN_OR_RETURN(auto ids, collect(s));
    if (ids.size() == 1) return ids[0];
  }
  if (LooksLikeIdPrefix(lowered)) {
    QUN_ASSIGN_OR_RETURN(
        Statement s,
        db.Prepare(fmt::format("SELECT id FROM {} WHERE substr(id, 34, ?3) = ?1 AND deleted = 0 "
                               "{} ORDER BY id LIMIT 6",
                               kind.table, scope)));
    s.Bind(1, lowered);
    if (group_id) s.Bind(2, *group_id);
    s.Bind(3, static_cast<int64_t>(lowered.size()));
    QUN_ASSIGN_OR_RETURN(auto ids, collect(s));
    if (ids.size() == 1) return ids[0];
    if (ids.size() > 1)
      return Status::Conflict(
          fmt::format("'{}' is ambiguous: it matches {} {}s ({}); give more characters of the id",
                      ref, ids.size(), kind.what, listed(ids)));
  }
  QUN_ASSIGN_OR_RETURN(Statement s,
                       db.Prepare(fmt::format("SELECT id FROM {} WHERE {} = ?1 AND deleted = 0 {} "
                                              "ORDER BY id LIMIT 6",
                                              kind.table, kind.title_column, scope)));
  s.Bind(1, trimmed);
  if (group_id) s.Bind(2, *group_id);
  QUN_ASSIGN_OR_RETURN(auto ids, collect(s));
  if (ids.size() == 1) return ids[0];
  if (ids.size() > 1)
    return Status::Conflict(
        fmt::format("'{}' is ambiguous: {} {}s have that title ({}); use the id instead", ref,
                    ids.size(), kind.what, listed(ids)));
  return Status::NotFound(fmt::format("no {} matches '{}'{}; list them with `{}`", kind.what, ref,
                                      group_id ? " in that group" : "", kind.list_command));
}

}  // namespace qun::core
