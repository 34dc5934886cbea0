#include "community/warnings.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "base/dates.h"
#include "base/i18n.h"
#include "base/text.h"
#include "community/registry.h"
#include "core/db.h"
#include "core/ids.h"
#include "core/log_reads.h"

namespace qun::core {

const GroupRowKind kWarningKind = {"warning", "reason", NC_("row kind", "warning"),
                                   "qun warn list"};

namespace {

// Statuses in which a person is already out of a group for good: a
// warning count there needs nothing more.
bool IsDone(const std::string& status) {
  return status == "removed" || status == "banned" || status == "purged";
}

Result<std::string> CheckReason(const std::string& given, std::string_view what) {
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "reason"), given));
  std::string reason = text::Trim(given);
  if (reason.empty())
    return Status::InvalidArgument(i18n::Format(_("the reason is empty; say why, e.g. {}"), what));
  return reason;
}

// Who gave a warning is the node that signed the write of its given_by
// field (the field clock holds the winning write's author), not the field's
// value: that value is whatever its writer typed, and a group's admin
// could name the founder there. The same goes for bans below.
const std::string kWarningSelect = fmt::format(
    "SELECT w.id, w.group_id, g.name, w.person_id, p.display_name, coalesce(w.reason,''), "
    "coalesce({0},''), coalesce(n.name,''), coalesce(w.given_at,0) FROM warning w "
    "JOIN chat_group g ON g.id = w.group_id AND g.deleted = 0 "
    "JOIN person p ON p.id = w.person_id AND p.deleted = 0 "
    "LEFT JOIN node n ON n.id = {0} ",
    FieldWriterSql("warning", "w.id", "given_by"));

Result<std::vector<Warning>> QueryWarnings(Store& store, const std::string& where,
                                           const std::vector<std::string>& params) {
  QUN_ASSIGN_OR_RETURN(Statement s, store.db().Prepare(kWarningSelect + "WHERE " + where +
                                                       " ORDER BY w.given_at DESC, w.id"));
  for (size_t i = 0; i < params.size(); ++i) s.Bind(static_cast<int>(i + 1), params[i]);
  std::vector<Warning> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    Warning w;
    w.id = s.Text(0);
    w.group_id = s.Text(1);
    w.group_name = s.Text(2);
    w.person_id = s.Text(3);
    w.person_name = s.Text(4);
    w.reason = s.Text(5);
    w.given_by = s.Text(6);
    w.given_by_name = s.Text(7);
    w.given_at = s.Int(8);
    out.push_back(std::move(w));
  }
  return out;
}

// Names of the groups where a person's membership has one of `statuses`.
Result<std::vector<std::string>> GroupsWithStatus(Store& store, const std::string& person_id,
                                                  const std::vector<std::string>& statuses) {
  Registry reg(store);
  MembershipFilter f;
  f.person_id = person_id;
  QUN_ASSIGN_OR_RETURN(auto ms, reg.ListMemberships(f));
  std::vector<std::string> names;
  for (const auto& m : ms)
    if (std::find(statuses.begin(), statuses.end(), m.status) != statuses.end())
      names.push_back(m.group_name);
  return names;
}

}  // namespace

Result<std::string> GiveWarning(WriteTxn& txn, const std::string& group_id,
                                const std::string& person_id, const std::string& given_reason,
                                const std::string& given_by) {
  Registry reg(txn.store());
  QUN_ASSIGN_OR_RETURN(Group g, reg.GetGroup(group_id));
  QUN_ASSIGN_OR_RETURN(Person p, reg.GetPerson(person_id));
  QUN_ASSIGN_OR_RETURN(std::string reason, CheckReason(given_reason, "\"发广告\""));
  QUN_ASSIGN_OR_RETURN(auto m, reg.GetMembership(group_id, person_id));
  if (!m)
    return Status::NotFound(i18n::Format(
        _("{} has never been in the group '{}', so they cannot be warned there; `qun person {}` "
          "shows their groups"),
        p.display_name, g.name, ShortId(person_id)));
  std::string id = GroupRowId(group_id, RandomId());
  QUN_RETURN_IF_ERROR(txn.Set("warning", id, "person_id", person_id).status());
  QUN_RETURN_IF_ERROR(txn.Set("warning", id, "reason", reason).status());
  QUN_RETURN_IF_ERROR(txn.Set("warning", id, "given_by", given_by).status());
  QUN_RETURN_IF_ERROR(txn.Set("warning", id, "given_at", NowMs(txn.store())).status());
  QUN_RETURN_IF_ERROR(txn.Set("warning", id, "deleted", int64_t{0}).status());
  return id;
}

Status RemoveWarning(WriteTxn& txn, const std::string& id) {
  QUN_RETURN_IF_ERROR(GetWarning(txn.store(), id).status());
  return txn.Set("warning", id, "deleted", int64_t{1}).status();
}

Result<Warning> GetWarning(Store& store, const std::string& id) {
  QUN_ASSIGN_OR_RETURN(auto ws, QueryWarnings(store, "w.id = ?1 AND w.deleted = 0", {id}));
  if (ws.empty())
    return Status::NotFound(
        i18n::Format(_("no warning {}; list them with `qun warn list`"), ShortRowId(id)));
  return ws[0];
}

Result<std::vector<Warning>> ListWarnings(Store& store, const WarningFilter& f) {
  std::string where = "w.deleted = 0";
  std::vector<std::string> params;
  if (f.group_id) {
    params.push_back(*f.group_id);
    where += fmt::format(" AND w.group_id = ?{}", params.size());
  }
  if (f.person_id) {
    params.push_back(*f.person_id);
    where += fmt::format(" AND w.person_id = ?{}", params.size());
  }
  return QueryWarnings(store, where, params);
}

Result<int64_t> WarningCount(Store& store, const std::string& group_id,
                             const std::string& person_id) {
  QUN_ASSIGN_OR_RETURN(Statement s, store.db().Prepare("SELECT count(*) FROM warning WHERE "
                                                       "group_id = ? AND person_id = ? AND "
                                                       "deleted = 0"));
  s.Bind(1, group_id).Bind(2, person_id);
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

Result<std::vector<DueEntry>> WarningsDue(Store& store, const std::optional<std::string>& group_id,
                                          bool include_done) {
  Registry reg(store);
  WarningFilter f;
  f.group_id = group_id;
  // Newest first, so the first warning seen of a (group, person) is the
  // latest one.
  QUN_ASSIGN_OR_RETURN(auto warnings, ListWarnings(store, f));
  std::map<std::pair<std::string, std::string>, DueEntry> by_pair;
  for (const auto& w : warnings) {
    DueEntry& e = by_pair[{w.group_id, w.person_id}];
    if (e.warnings++ == 0) {
      e.group_id = w.group_id;
      e.group_name = w.group_name;
      e.person_id = w.person_id;
      e.person_name = w.person_name;
      e.last_reason = w.reason;
      e.last_at = w.given_at;
    }
  }
  std::map<std::string, int64_t> limits;
  std::vector<DueEntry> out;
  for (auto& [key, e] : by_pair) {
    if (!limits.count(e.group_id)) {
      QUN_ASSIGN_OR_RETURN(Group g, reg.GetGroup(e.group_id));
      limits[e.group_id] = g.warning_limit;
    }
    e.limit = limits[e.group_id];
    if (e.warnings < e.limit) continue;
    QUN_ASSIGN_OR_RETURN(auto m, reg.GetMembership(e.group_id, e.person_id));
    e.status = m ? m->status : "";
    e.done = IsDone(e.status);
    if (e.done && !include_done) continue;
    out.push_back(e);
  }
  std::stable_sort(out.begin(), out.end(), [](const DueEntry& a, const DueEntry& b) {
    if (a.done != b.done) return !a.done;
    if (a.warnings != b.warnings) return a.warnings > b.warnings;
    return a.last_at > b.last_at;
  });
  return out;
}

std::string BanRowId(const std::string& person_id) { return DerivedId("ban", person_id); }

Result<BanResult> BanPerson(WriteTxn& txn, const std::string& person_id,
                            const std::string& given_reason, const std::string& banned_by) {
  Registry reg(txn.store());
  QUN_RETURN_IF_ERROR(reg.GetPerson(person_id).status());
  QUN_ASSIGN_OR_RETURN(std::string reason,
                       CheckReason(given_reason, "--reason \"多次发广告，警告无效\""));
  QUN_ASSIGN_OR_RETURN(auto existing, GetBan(txn.store(), person_id));
  BanResult result;
  result.was_active = existing && existing->active;
  std::string id = BanRowId(person_id);
  auto set = [&](const char* column, const Value& v) {
    return txn.Set("ban", id, column, v).status();
  };
  QUN_RETURN_IF_ERROR(set("person_id", person_id));
  QUN_RETURN_IF_ERROR(set("reason", reason));
  if (!result.was_active) {
    // When and by whom the ban that stands was decided: a new reason for
    // a standing ban does not move it.
    QUN_RETURN_IF_ERROR(set("banned_by", banned_by));
    QUN_RETURN_IF_ERROR(set("banned_at", NowMs(txn.store())));
  }
  QUN_RETURN_IF_ERROR(set("active", int64_t{1}));
  QUN_RETURN_IF_ERROR(set("deleted", int64_t{0}));
  MembershipFilter f;
  f.person_id = person_id;
  QUN_ASSIGN_OR_RETURN(auto memberships, reg.ListMemberships(f));
  for (const auto& m : memberships) {
    if (m.status == "banned") continue;
    QUN_RETURN_IF_ERROR(reg.SetMembershipStatus(txn, m.group_id, person_id, "banned"));
    result.groups.push_back(m.group_name);
  }
  return result;
}

Result<std::vector<std::string>> LiftBan(WriteTxn& txn, const std::string& person_id) {
  Registry reg(txn.store());
  QUN_ASSIGN_OR_RETURN(Person p, reg.GetPerson(person_id));
  QUN_ASSIGN_OR_RETURN(auto ban, GetBan(txn.store(), person_id));
  if (!ban || !ban->active)
    return Status::NotFound(i18n::Format(
        _("{} is not banned from the community; `qun ban list` shows who is"), p.display_name));
  QUN_RETURN_IF_ERROR(txn.Set("ban", ban->id, "active", int64_t{0}).status());
  return GroupsWithStatus(txn.store(), person_id, {"banned"});
}

Result<std::optional<Ban>> GetBan(Store& store, const std::string& person_id) {
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store.db().Prepare(fmt::format(
          "SELECT b.id, coalesce(p.display_name,''), coalesce(b.reason,''), coalesce({0},''), "
          "coalesce(n.name,''), coalesce(b.banned_at,0), coalesce(b.active,0) FROM ban b LEFT "
          "JOIN person p ON p.id = b.person_id LEFT JOIN node n ON n.id = {0} WHERE b.id = ? "
          "AND b.deleted = 0",
          FieldWriterSql("ban", "b.id", "banned_by"))));
  s.Bind(1, BanRowId(person_id));
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Ban>();
  Ban b;
  b.id = s.Text(0);
  b.person_id = person_id;
  b.person_name = s.Text(1);
  b.reason = s.Text(2);
  b.banned_by = s.Text(3);
  b.banned_by_name = s.Text(4);
  b.banned_at = s.Int(5);
  b.active = s.Int(6) == 1;
  QUN_ASSIGN_OR_RETURN(b.holding_place_in, GroupsWithStatus(store, person_id, {"active", "muted"}));
  return std::optional<Ban>(std::move(b));
}

Result<std::vector<Ban>> ListBans(Store& store, bool include_lifted) {
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store.db().Prepare(std::string("SELECT b.person_id FROM ban b JOIN person p ON p.id = "
                                     "b.person_id AND p.deleted = 0 WHERE b.deleted = 0 ") +
                         (include_lifted ? "" : "AND b.active = 1 ") +
                         "ORDER BY b.banned_at DESC, b.id"));
  std::vector<Ban> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(auto ban, GetBan(store, s.Text(0)));
    if (ban) out.push_back(std::move(*ban));
  }
  return out;
}

Result<std::optional<std::string>> BanNotice(Store& store, const std::string& person_id) {
  Registry reg(store);
  QUN_ASSIGN_OR_RETURN(Person p, reg.GetPerson(person_id));
  QUN_ASSIGN_OR_RETURN(auto ban, GetBan(store, person_id));
  QUN_ASSIGN_OR_RETURN(auto banned_in, GroupsWithStatus(store, person_id, {"banned"}));
  std::string groups = fmt::format("{}", fmt::join(banned_in, ", "));
  if (ban && ban->active) {
    std::string since = FormatLocalTime(ban->banned_at);
    const std::string& by = ban->banned_by_name;
    if (banned_in.empty())
      return std::optional<std::string>(
          by.empty() ? i18n::Format(_("{} is banned from the whole community (reason: {}; since "
                                      "{})."),
                                    p.display_name, ban->reason, since)
                     : i18n::Format(_("{} is banned from the whole community (reason: {}; since "
                                      "{}, by {})."),
                                    p.display_name, ban->reason, since, by));
    return std::optional<std::string>(
        by.empty() ? i18n::Format(_("{} is banned from the whole community (reason: {}; since "
                                    "{}); also banned in {}."),
                                  p.display_name, ban->reason, since, groups)
                   : i18n::Format(_("{} is banned from the whole community (reason: {}; since "
                                    "{}, by {}); also banned in {}."),
                                  p.display_name, ban->reason, since, by, groups));
  }
  if (banned_in.empty()) return std::optional<std::string>();
  return std::optional<std::string>(i18n::Format(_("{} is banned in {}."), p.display_name, groups));
}

}  // namespace qun::core
