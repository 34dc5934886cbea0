// The registry: the enum lists and checks every domain module shares, the
// community and its nodes, and references by id, prefix or name. Groups,
// people and memberships are in registry_groups.cc, registry_people.cc and
// registry_memberships.cc: one class, one file per section.
#include "community/registry.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "base/dates.h"
#include "base/i18n.h"
#include "base/text.h"
#include "core/ids.h"
#include "core/log_reads.h"

namespace qun::core {

const std::vector<std::string> kGroupKinds = {"exchange", "course",   "regional",
                                              "resource", "interest", "other"};
const std::vector<std::string> kPlatforms = {"wechat", "qq", "telegram", "discord", "other"};
const std::vector<std::string> kAdmissions = {"open", "invite", "application", "paid"};
const std::vector<std::string> kGroupStatuses = {"active", "archived"};
const std::vector<std::string> kMemberRoles = {"member", "core", "admin", "owner"};
const std::vector<std::string> kMemberStatuses = {"applicant", "waitlisted", "active",
                                                  "muted",     "left",       "removed",
                                                  "purged",    "rejected",   "banned"};

bool HoldsPlace(const std::string& status) { return status == "active" || status == "muted"; }
const std::vector<std::string> kHandleKinds = {"wechat", "phone", "email"};

// Every text a person typed must be valid UTF-8 before it enters the log.
Status CheckText(std::string_view field, const std::optional<std::string>& v) {
  if (v && !text::IsValidUtf8(*v))
    return Status::InvalidArgument(i18n::Format(
        _("the {} is not valid UTF-8 text; re-type it, or convert the file to UTF-8"), field));
  return Status::Ok();
}

int64_t NowMs(Store& store) { return static_cast<int64_t>(store.clock().Now().physical_ms()); }

int64_t Today(Store& store) { return LocalDay(NowMs(store)); }

namespace {

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  return fmt::format("{}", fmt::join(v, sep));
}

// Resolves `ref` against ids in `table` (live rows only), then by names.
// `name_sql` selects candidate ids for a name (one parameter).
Result<std::string> ResolveRef(Database& db, const std::string& ref, std::string_view table,
                               std::string_view what, std::string_view live_sql,
                               const std::vector<std::string>& name_sqls) {
  std::string lowered = text::AsciiLower(text::Trim(ref));
  const bool group = what == "group";
  if (lowered.empty())
    return Status::InvalidArgument(group ? _("an empty group reference was given")
                                         : _("an empty person reference was given"));
  auto candidates = [&](Statement& stmt) -> Result<std::vector<std::string>> {
    std::vector<std::string> ids;
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      std::string id = stmt.Text(0);
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
    return ids;
  };
  auto ambiguous = [&](const std::vector<std::string>& ids) {
    std::string list;
    for (size_t i = 0; i < ids.size() && i < 5; ++i) list += " " + ShortId(ids[i]);
    return Status::Conflict(i18n::Format(
        group ? _("'{}' is ambiguous: it matches {} groups ({}{}); give more characters of the id")
              : _("'{}' is ambiguous: it matches {} people ({}{}); give more characters of the id"),
        ref, ids.size(), list.substr(1), ids.size() > 5 ? " ..." : ""));
  };

  if (LooksLikeIdPrefix(lowered)) {
    // Prefix match as a range scan on the primary key.
    std::string hi = lowered + "g";
    QUN_ASSIGN_OR_RETURN(Statement stmt,
                         db.Prepare(fmt::format("SELECT id FROM {} t WHERE id >= ? AND id < ? "
                                                "AND {} LIMIT 6",
                                                table, live_sql)));
    stmt.Bind(1, lowered).Bind(2, hi);
    QUN_ASSIGN_OR_RETURN(auto ids, candidates(stmt));
    if (ids.size() == 1) return ids[0];
    if (ids.size() > 1) return ambiguous(ids);
  }
  std::string name = text::Trim(ref);
  for (const std::string& sql : name_sqls) {
    QUN_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
    stmt.Bind(1, name);
    QUN_ASSIGN_OR_RETURN(auto ids, candidates(stmt));
    if (ids.size() == 1) return ids[0];
    if (ids.size() > 1)
      return Status::Conflict(i18n::Format(
          group ? _("'{}' is ambiguous: {} groups have that name ({}); use the id instead")
                : _("'{}' is ambiguous: {} people have that name ({}); use the id instead"),
          ref, ids.size(), [&] {
            std::vector<std::string> s;
            for (auto& id : ids) s.push_back(ShortId(id));
            return Join(s, ", ");
          }()));
  }
  return Status::NotFound(i18n::Format(
      group ? _("no group matches '{}'; check the spelling, or list them with `qun group list`")
            : _("no person matches '{}'; check the spelling, or list them with `qun member list`"),
      ref));
}

}  // namespace

Status CheckEnum(const std::string& field, const std::string& value,
                 const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return Status::Ok();
  return Status::InvalidArgument(i18n::Format(_("'{}' is not a valid {}; choose one of: {}"), value,
                                              field, Join(allowed, ", ")));
}

Result<Handle> NormalizeHandle(const std::string& kind_in, const std::string& value_in) {
  std::string kind = text::AsciiLower(text::Trim(kind_in));
  QUN_RETURN_IF_ERROR(CheckEnum(C_("field", "contact kind"), kind, kHandleKinds));
  std::string value = text::Trim(value_in);
  if (!text::IsValidUtf8(value))
    return Status::InvalidArgument(i18n::Format(_("the {} handle is not valid UTF-8 text"), kind));
  if (value.empty())
    return Status::InvalidArgument(i18n::Format(_("the {} handle is empty"), kind));
  if (value.find(';') != std::string::npos || value.find("；") != std::string::npos)
    return Status::InvalidArgument(i18n::Format(
        _("the {} '{}' contains ';', which separates several {}s in spreadsheets; give each on its "
          "own"),
        kind, value, kind));
  if (kind == "phone") {
    std::string digits;
    for (size_t i = 0; i < value.size(); ++i) {
      char c = value[i];
      if (c >= '0' && c <= '9') {
        digits += c;
      } else if (c == '+' && digits.empty() && i == 0) {
        digits += c;
      } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
        return Status::InvalidArgument(i18n::Format(
            _("'{}' is not a phone number; use digits, optionally with a leading + and spaces or "
              "dashes"),
            value));
      }
    }
    if (digits.size() < 3 || digits == "+")
      return Status::InvalidArgument(
          i18n::Format(_("'{}' is too short for a phone number"), value));
    value = digits;
  } else if (kind == "email") {
    value = text::AsciiLower(value);
    size_t at = value.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == value.size() ||
        value.find(' ') != std::string::npos)
      return Status::InvalidArgument(
          i18n::Format(_("'{}' is not an email address (expected name@domain)"), value));
  } else {
    if (value.find_first_of(" \t\r\n") != std::string::npos)
      return Status::InvalidArgument(i18n::Format(_("the wechat id '{}' contains spaces"), value));
    // WeChat ids do not distinguish case: WangFang_88 and wangfang_88 are
    // one account, so they must be one handle.
    value = text::AsciiLower(value);
  }
  return Handle{kind, value};
}

std::string HandleRowId(const Handle& h) { return DerivedId("handle", h.kind + ":" + h.value); }
std::string TagRowId(const std::string& person_id, const std::string& tag) {
  return DerivedId("tag", person_id + '\0' + tag);
}

std::string Registry::MembershipId(const std::string& group_id, const std::string& person_id) {
  return MembershipRowId(group_id, person_id);
}

// ---------------------------------------------------------------- community

Status Registry::InitCommunity(WriteTxn& txn, const std::string& name) {
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "community name"), name));
  if (text::Trim(name).empty())
    return Status::InvalidArgument(_("the community needs a name: qun init --name NAME"));
  std::string id = RandomId();
  QUN_ASSIGN_OR_RETURN(bool w, txn.Set("community", id, "name", text::Trim(name)));
  QUN_ASSIGN_OR_RETURN(w, txn.Set("community", id, "created_at", NowMs(store_)));
  (void)w;
  return Status::Ok();
}

Result<std::string> Registry::CommunityId() {
  QUN_ASSIGN_OR_RETURN(Statement s,
                       store_.db().Prepare("SELECT id FROM community ORDER BY created_at LIMIT 1"));
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row)
    return Status::NotFound(_("this node holds no community yet; run `qun init --name NAME`"));
  return s.Text(0);
}

Result<std::string> Registry::CommunityName() {
  QUN_ASSIGN_OR_RETURN(
      Statement s, store_.db().Prepare("SELECT name FROM community ORDER BY created_at LIMIT 1"));
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row)
    return Status::NotFound(_("this node holds no community yet; run `qun init --name NAME`"));
  return s.Text(0);
}

Status Registry::SetNodeName(WriteTxn& txn, const std::string& node_id, const std::string& name) {
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "node name"), name));
  QUN_ASSIGN_OR_RETURN(bool w, txn.Set("node", node_id, "name", name));
  QUN_ASSIGN_OR_RETURN(w, txn.Set("node", node_id, "deleted", int64_t{0}));
  (void)w;
  return Status::Ok();
}

Status Registry::RecordInvite(WriteTxn& txn, const std::string& node_id,
                              const std::string& inviter) {
  QUN_ASSIGN_OR_RETURN(bool w, txn.Set("node", node_id, "invited_by", inviter));
  (void)w;
  return Status::Ok();
}

Result<std::vector<std::pair<std::string, std::string>>> Registry::FindNodes(
    const std::string& ref) {
  std::string lower = ref;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool hex = lower.size() >= 4 && lower.find_first_not_of("0123456789abcdef") == std::string::npos;
  QUN_ASSIGN_OR_RETURN(
      Statement s, store_.db().Prepare("SELECT id, coalesce(name, '') FROM node WHERE (?1 AND "
                                       "substr(id, 1, length(?2)) = ?2) OR name = ?3 ORDER BY id"));
  s.Bind(1, int64_t{hex}).Bind(2, lower).Bind(3, ref);
  std::vector<std::pair<std::string, std::string>> found;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    found.push_back({s.Text(0), s.Text(1)});
  }
  return found;
}

Result<std::vector<std::string>> Registry::KnownNodeIds() {
  QUN_ASSIGN_OR_RETURN(Statement s, store_.db().Prepare("SELECT id FROM node"));
  std::set<std::string> ids;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ids.insert(s.Text(0));
  }
  QUN_ASSIGN_OR_RETURN(std::vector<std::string> with_roles, NodesWithRoles(store_.db()));
  ids.insert(with_roles.begin(), with_roles.end());
  return std::vector<std::string>(ids.begin(), ids.end());
}

Result<Counts> Registry::Count() {
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store_.db().Prepare(
          "SELECT (SELECT count(*) FROM chat_group WHERE deleted=0 AND status='active'),"
          " (SELECT count(*) FROM chat_group WHERE deleted=0 AND status='archived'),"
          " (SELECT count(*) FROM person WHERE deleted=0),"
          " (SELECT count(*) FROM membership m JOIN person p ON p.id=m.person_id"
          "   WHERE m.deleted=0 AND p.deleted=0 AND m.status='active')"));
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  Counts c;
  if (row) {
    c.groups = s.Int(0);
    c.archived_groups = s.Int(1);
    c.people = s.Int(2);
    c.memberships = s.Int(3);
  }
  QUN_ASSIGN_OR_RETURN(LogSize log, ReadLogSize(store_.db()));
  c.ops = log.ops;
  c.txns = log.txns;
  return c;
}

// ---------------------------------------------------------------- references

Result<std::string> Registry::ResolveGroup(const std::string& ref) {
  return ResolveRef(store_.db(), ref, "chat_group", "group", "t.deleted=0",
                    {"SELECT id FROM chat_group WHERE deleted=0 AND name=?",
                     "SELECT id FROM chat_group WHERE deleted=0 AND name=? COLLATE NOCASE",
                     "SELECT id FROM chat_group WHERE deleted=0 AND handle=?"});
}

Result<std::string> Registry::ResolvePerson(const std::string& ref) {
  std::vector<std::string> by_name = {
      "SELECT id FROM person WHERE deleted=0 AND display_name=?",
      "SELECT id FROM person WHERE deleted=0 AND nickname=?",
      "SELECT p.id FROM person_handle h JOIN person p ON p.id=h.person_id "
      "WHERE h.deleted=0 AND p.deleted=0 AND h.value=lower(?)",
      "SELECT id FROM person WHERE deleted=0 AND display_name=? COLLATE NOCASE"};
  // A phone typed with spaces or dashes still finds its person.
  auto phone = NormalizeHandle("phone", ref);
  if (phone.ok()) {
    auto found = FindByHandle(*phone);
    if (found.ok() && found->has_value() && !LooksLikeIdPrefix(ref)) return **found;
  }
  return ResolveRef(store_.db(), ref, "person", "person", "t.deleted=0", by_name);
}

Result<std::string> Registry::ResolvePersonByName(const std::string& name) {
  QUN_ASSIGN_OR_RETURN(Statement s, store_.db().Prepare("SELECT id FROM person WHERE deleted=0 AND "
                                                        "display_name=? LIMIT 2"));
  s.Bind(1, text::Trim(name));
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status::NotFound(i18n::Format(_("no person is named '{}'"), name));
  std::string id = s.Text(0);
  QUN_ASSIGN_OR_RETURN(row, s.Step());
  if (row)
    return Status::Conflict(i18n::Format(
        _("several people are named '{}'; add an id or a contact handle (wechat, phone or email) "
          "to say which"),
        name));
  return id;
}

Result<std::string> Registry::ResolveAnyRow(const std::string& ref) {
  std::string lowered = text::AsciiLower(text::Trim(ref));
  if (LooksLikeIdPrefix(lowered)) {
    QUN_ASSIGN_OR_RETURN(std::vector<std::string> ids, LoggedRowIds(store_.db(), lowered, 6));
    if (ids.size() == 1) return ids[0];
    if (ids.size() > 1)
      return Status::Conflict(
          i18n::Format(_("'{}' is ambiguous: it matches {} rows; give more characters of the id"),
                       ref, ids.size()));
  }
  auto group = ResolveGroup(ref);
  if (group.ok()) return group;
  if (group.status().code() == Status::Code::kConflict) return group.status();
  auto person = ResolvePerson(ref);
  if (person.ok() || person.status().code() == Status::Code::kConflict) return person;
  return Status::NotFound(i18n::Format(
      _("nothing matches '{}': no row id, group or person by that name; try `qun log` without an "
        "id, or `qun member list`"),
      ref));
}

}  // namespace qun::core
