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

#include "base/chinese.h"
#include "base/dates.h"
#include "base/i18n.h"
#include "base/text.h"
#include "community/near_names.h"
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

// The live names of a table's rows (one column), for "did you mean".
Result<std::vector<std::pair<std::string, std::string>>> NamesOf(Database& db,
                                                                 const std::string& sql) {
  QUN_ASSIGN_OR_RETURN(Statement s, db.Prepare(sql));
  std::vector<std::pair<std::string, std::string>> out;  // (id, name)
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    if (!s.Text(1).empty()) out.emplace_back(s.Text(0), s.Text(1));
  }
  return out;
}

// What tells people of one name apart: city, the end of a contact, their
// groups, the day they were added.
Result<std::string> PersonClues(Database& db, const std::string& id) {
  std::vector<std::string> clues;
  QUN_ASSIGN_OR_RETURN(Statement p, db.Prepare("SELECT coalesce(city,''), coalesce(created_at,0) "
                                               "FROM person WHERE id=?"));
  p.Bind(1, id);
  QUN_ASSIGN_OR_RETURN(bool row, p.Step());
  int64_t added = 0;
  if (row) {
    if (!p.Text(0).empty()) clues.push_back(p.Text(0));
    added = p.Int(1);
  }
  QUN_ASSIGN_OR_RETURN(Statement h, db.Prepare("SELECT kind, value FROM person_handle WHERE "
                                               "person_id=? AND deleted=0 ORDER BY kind, value "
                                               "LIMIT 2"));
  h.Bind(1, id);
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool more, h.Step());
    if (!more) break;
    std::u32string v = text::CodePoints(h.Text(1));
    std::string tail;
    for (size_t i = v.size() > 4 ? v.size() - 4 : 0; i < v.size(); ++i)
      text::AppendUtf8(v[i], tail);
    clues.push_back(std::string(i18n::TrContext("handle kind", h.Text(0).c_str())) + " …" + tail);
  }
  QUN_ASSIGN_OR_RETURN(Statement g,
                       db.Prepare("SELECT g.name FROM membership m JOIN chat_group g ON "
                                  "g.id=m.group_id WHERE m.person_id=? AND m.deleted=0 AND "
                                  "g.deleted=0 AND m.status NOT IN ('left','removed','purged',"
                                  "'rejected') ORDER BY g.name COLLATE PINYIN LIMIT 4"));
  g.Bind(1, id);
  std::vector<std::string> groups;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool more, g.Step());
    if (!more) break;
    groups.push_back(g.Text(0));
  }
  if (!groups.empty()) clues.push_back(Join(groups, _(", ")));
  if (added > 0) clues.push_back(i18n::Format(_("added {}"), DayText(LocalDay(added))));
  return Join(clues, " · ");
}

// Several people answer to `typed`: each numbered, with what tells them
// apart and the id to give instead; the ids ride along for the front end
// to show the command for each.
Status AmbiguousPeople(Database& db, const std::string& typed,
                       const std::vector<std::string>& ids) {
  std::string lines;
  for (size_t i = 0; i < ids.size() && i < 9; ++i) {
    QUN_ASSIGN_OR_RETURN(Statement s, db.Prepare("SELECT coalesce(display_name,'') FROM person "
                                                 "WHERE id=?"));
    s.Bind(1, ids[i]);
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    std::string name = row ? s.Text(0) : "";
    QUN_ASSIGN_OR_RETURN(std::string clues, PersonClues(db, ids[i]));
    lines += i18n::Format(_("\n  {}. {} ({}) — id {}"), i + 1, name, clues, ShortId(ids[i]));
  }
  std::vector<std::string> shown(ids.begin(), ids.begin() + std::min<size_t>(ids.size(), 9));
  return Status::Conflict(
             i18n::Format(_("'{}' is ambiguous: {} people answer to it; give the id of the one "
                            "you mean instead:{}"),
                          typed, ids.size(), lines))
      .WithChoices(typed, shown);
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
  Database& db = store_.db();
  auto found = ResolveRef(db, ref, "chat_group", "group", "t.deleted=0",
                          {"SELECT id FROM chat_group WHERE deleted=0 AND name=?",
                           "SELECT id FROM chat_group WHERE deleted=0 AND name=? COLLATE NOCASE",
                           "SELECT id FROM chat_group WHERE deleted=0 AND handle=?"});
  if (found.ok() || found.status().code() != Status::Code::kNotFound) return found;
  // By sound (zaoqiqun, zqq for 早起群), else the names it is close to.
  QUN_ASSIGN_OR_RETURN(auto groups, NamesOf(db, "SELECT id, name FROM chat_group WHERE deleted=0"));
  std::vector<std::string> sounding;
  for (const auto& [id, name] : groups)
    if (text::MatchesPinyin(ref, name)) sounding.push_back(id);
  if (sounding.size() == 1) return sounding[0];
  std::vector<std::string> near = NearNames(ref, groups);
  if (!near.empty())
    return Status::NotFound(
        i18n::Format(_("no group matches '{}'; did you mean {}? (list them with `qun group list`)"),
                     ref, QuotedNames(near)));
  return found.status();
}

Result<std::string> Registry::ResolvePerson(const std::string& ref,
                                            const std::optional<std::string>& group_id) {
  // A phone typed with spaces or dashes still finds its person.
  auto phone = NormalizeHandle("phone", ref);
  if (phone.ok()) {
    auto found = FindByHandle(*phone);
    if (found.ok() && found->has_value() && !LooksLikeIdPrefix(ref)) return **found;
  }
  Database& db = store_.db();
  // Of several people, the ones in the group the command is about.
  auto in_group = [&](const std::vector<std::string>& ids) -> Result<std::vector<std::string>> {
    if (!group_id) return std::vector<std::string>{};
    QUN_ASSIGN_OR_RETURN(Statement s, db.Prepare("SELECT 1 FROM membership WHERE person_id=? AND "
                                                 "group_id=? AND deleted=0"));
    std::vector<std::string> out;
    for (const auto& id : ids) {
      s.Bind(1, id).Bind(2, *group_id);
      QUN_ASSIGN_OR_RETURN(bool row, s.Step());
      if (row) out.push_back(id);
    }
    return out;
  };
  auto choose = [&](const std::vector<std::string>& ids) -> Result<std::string> {
    QUN_ASSIGN_OR_RETURN(std::vector<std::string> members, in_group(ids));
    if (members.size() == 1) return members[0];
    return AmbiguousPeople(db, text::Trim(ref), members.empty() ? ids : members);
  };
  const std::vector<std::string> by_name = {
      "SELECT id FROM person WHERE deleted=0 AND display_name=? ORDER BY created_at, id",
      "SELECT id FROM person WHERE deleted=0 AND nickname=? ORDER BY created_at, id",
      "SELECT p.id FROM person_handle h JOIN person p ON p.id=h.person_id "
      "WHERE h.deleted=0 AND p.deleted=0 AND h.value=lower(?)",
      "SELECT id FROM person WHERE deleted=0 AND display_name=? COLLATE NOCASE ORDER BY "
      "created_at, id"};
  auto found = ResolveRef(db, ref, "person", "person", "t.deleted=0", by_name);
  if (found.ok()) return found;
  if (found.status().code() == Status::Code::kConflict) {
    if (LooksLikeIdPrefix(text::AsciiLower(text::Trim(ref)))) return found.status();
    for (const std::string& sql : by_name) {
      QUN_ASSIGN_OR_RETURN(Statement s, db.Prepare(sql));
      s.Bind(1, text::Trim(ref));
      std::vector<std::string> ids;
      while (true) {
        QUN_ASSIGN_OR_RETURN(bool row, s.Step());
        if (!row) break;
        if (std::find(ids.begin(), ids.end(), s.Text(0)) == ids.end()) ids.push_back(s.Text(0));
      }
      if (ids.size() > 1) return choose(ids);
    }
    return found.status();
  }
  if (found.status().code() != Status::Code::kNotFound) return found.status();
  // By sound: zhangwei, zhang wei or zw for 张伟.
  QUN_ASSIGN_OR_RETURN(auto people,
                       NamesOf(db,
                               "SELECT id, coalesce(display_name,'') FROM person WHERE "
                               "deleted=0 UNION ALL SELECT id, coalesce(nickname,'') FROM "
                               "person WHERE deleted=0"));
  std::vector<std::string> sounding;
  for (const auto& [id, name] : people)
    if (text::MatchesPinyin(ref, name) &&
        std::find(sounding.begin(), sounding.end(), id) == sounding.end())
      sounding.push_back(id);
  if (sounding.size() == 1) return sounding[0];
  if (sounding.size() > 1) return choose(sounding);
  std::vector<std::string> near = NearNames(ref, people);
  if (!near.empty())
    return Status::NotFound(i18n::Format(
        _("no person matches '{}'; did you mean {}? (list them with `qun member list`)"), ref,
        QuotedNames(near)));
  return found.status();
}

Result<std::vector<std::string>> Registry::PeopleNamed(const std::string& name) {
  QUN_ASSIGN_OR_RETURN(Statement s, store_.db().Prepare("SELECT id FROM person WHERE deleted=0 AND "
                                                        "display_name=? ORDER BY created_at, id"));
  s.Bind(1, text::Trim(name));
  std::vector<std::string> ids;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return ids;
    ids.push_back(s.Text(0));
  }
}

Result<std::string> Registry::Clues(const std::string& person_id) {
  return PersonClues(store_.db(), person_id);
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
