#include "community/group_rows.h"

#include <fmt/format.h>

#include <vector>

#include "base/i18n.h"
#include "base/text.h"
#include "community/near_names.h"
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
  // The name of the kind of row, in the language of the messages: the
  // kinds' names are marked NC_("row kind", ...) where they are defined.
  const std::string what_en(kind.what);
  const char* what = C_("row kind", what_en.c_str());
  std::string trimmed = text::Trim(ref);
  if (trimmed.empty())
    return Status::InvalidArgument(i18n::Format(_("an empty {} reference was given"), what));
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
      return Status::Conflict(i18n::Format(
          _("'{}' is ambiguous: it matches {} {}s ({}); give more characters of the id"), ref,
          ids.size(), what, listed(ids)));
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
        i18n::Format(_("'{}' is ambiguous: {} {}s have that title ({}); use the id instead"), ref,
                     ids.size(), what, listed(ids)));
  // Did you mean: the titles a character or so away, or read the same.
  QUN_ASSIGN_OR_RETURN(
      Statement t,
      db.Prepare(fmt::format("SELECT id, {} FROM {} WHERE deleted = 0 {} "
                             "ORDER BY id",
                             kind.title_column, kind.table, group_id ? "AND group_id = ?1" : "")));
  if (group_id) t.Bind(1, *group_id);
  std::vector<std::pair<std::string, std::string>> titles;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, t.Step());
    if (!row) break;
    if (!t.Text(1).empty()) titles.emplace_back(t.Text(0), t.Text(1));
  }
  std::vector<std::string> near = NearNames(trimmed, titles);
  if (!near.empty())
    return Status::NotFound(i18n::Format(
        group_id ? _("no {} matches '{}' in that group; did you mean {}? (list them with `{}`)")
                 : _("no {} matches '{}'; did you mean {}? (list them with `{}`)"),
        what, ref, QuotedNames(near), kind.list_command));
  return Status::NotFound(
      i18n::Format(group_id ? _("no {} matches '{}' in that group; list them with `{}`")
                            : _("no {} matches '{}'; list them with `{}`"),
                   what, ref, kind.list_command));
}

}  // namespace qun::core
