#include "core/permissions.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>

#include "base/i18n.h"
#include "base/text.h"
#include "core/db.h"
#include "core/history.h"
#include "core/ids.h"
#include "core/meta_keys.h"
#include "core/schema.h"

namespace qun::core {
namespace {

bool IsNodeId(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(),
                                       [](char c) { return std::isxdigit(c) && !std::isupper(c); });
}

std::string GroupLabel(Database& db, const std::string& group) {
  auto name = RowLabel(db, "chat_group", group);
  if (name.ok() && !name->empty()) return fmt::format("{} ({})", *name, ShortId(group));
  return ShortId(group);
}

// A message (marked with N_) as `wording` wants it: as written, or
// translated.
const char* Worded(Wording wording, const char* message) {
  return wording == Wording::kShown ? _(message) : message;
}

}  // namespace

const char* RoleName(Role r) {
  switch (r) {
    case Role::kOwner:
      return "owner";
    case Role::kAdmin:
      return "admin";
    case Role::kEditor:
      return "editor";
    case Role::kViewer:
      return "viewer";
    case Role::kRelay:
      return "relay";
  }
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "owner") return Role::kOwner;
  if (name == "admin") return Role::kAdmin;
  if (name == "editor" || name == "member-editor") return Role::kEditor;
  if (name == "viewer") return Role::kViewer;
  if (name == "relay") return Role::kRelay;
  return std::nullopt;
}

std::string RoleColumn(const RoleKey& key) {
  if (key.role == Role::kAdmin) return "admin:" + key.group;
  return RoleName(key.role);
}

std::optional<RoleKey> ParseRoleColumn(std::string_view column) {
  if (column.starts_with("admin:")) {
    std::string group(column.substr(6));
    if (!LooksLikeId(group)) return std::nullopt;
    return RoleKey{Role::kAdmin, group};
  }
  auto role = ParseRole(column);
  // Only the canonical names are columns; an admin role needs its group.
  if (!role || *role == Role::kAdmin || column != RoleName(*role)) return std::nullopt;
  return RoleKey{*role, ""};
}

std::string RoleLines(const std::vector<RoleKey>& roles) {
  std::string out;
  for (const RoleKey& r : roles) out += RoleColumn(r) + "\n";
  return out;
}

std::optional<std::vector<RoleKey>> ParseRoleLines(std::string_view text) {
  std::vector<RoleKey> out;
  for (std::string_view line : text::SplitLines(text)) {
    auto key = ParseRoleColumn(line);
    if (!key) return std::nullopt;
    out.push_back(*key);
  }
  return out;
}

bool IsRoleOp(const Op& op) { return op.table == kRoleTable; }
bool IsInviteOp(const Op& op) { return op.table == "node" && op.column == "invited_by"; }

bool Roles::Has(Role r) const {
  return std::any_of(held.begin(), held.end(), [&](const RoleKey& k) { return k.role == r; });
}
bool Roles::AdminOf(const std::string& group) const {
  return held.count(RoleKey{Role::kAdmin, group}) > 0;
}
bool Roles::AnyAdmin() const { return Has(Role::kAdmin); }

namespace {
Requirement Need(Requirement::Kind kind, std::string group) {
  Requirement r;
  r.kind = kind;
  r.group = std::move(group);
  return r;
}
}  // namespace

bool IsPersonOp(const Op& op) {
  return op.table == "person" || op.table == "person_handle" || op.table == "person_tag";
}

Requirement RequirementOf(const Op& op, const std::optional<std::string>& membership_group,
                          const std::vector<PersonGroups>& people) {
  using R = Requirement;
  const std::string& t = op.table;
  if (IsLoggedOnly(t)) return Need(R::kOwner, "");
  if (t == "community") return Need(R::kOwner, "");
  if (t == "node") {
    // A node names itself; who is let in (invited_by) and everything about
    // other nodes is an owner's.
    if (op.column == "name" || op.column == "deleted") return Need(R::kSelf, "");
    return Need(R::kOwner, "");
  }
  if (!IsDomainColumn(t, op.column)) return Need(R::kNone, "");
  if (t == "chat_group") return Need(R::kGroupAdmin, op.row_id);
  if (IsGroupScoped(t)) {
    // The group is in the row id: no write can move the row to a group
    // whose admins the author is. An id that names no group is an owner's.
    std::string_view group = GroupOfRowId(op.row_id);
    if (group.empty()) return Need(R::kOwner, "");
    return Need(R::kGroupAdmin, std::string(group));
  }
  // A ban from the whole community reaches into every group.
  if (t == "ban") return Need(R::kOwner, "");
  if (t == "membership") {
    if (membership_group) return Need(R::kGroupAdmin, *membership_group);
    return Need(R::kOwner, "");
  }
  if (IsPersonOp(op)) {
    // A person is shared by every group they belong to: an admin of one of
    // them may keep their record, but only one who is an admin of all of
    // them may make them disappear from every group at once.
    bool existence = t == "person" && op.column == "deleted";
    Requirement need = Need(existence ? R::kPersonDelete : R::kPerson, "");
    need.people = people;
    return need;
  }
  return Need(R::kOwner, "");
}

bool Satisfies(const Roles& roles, const Requirement& need, const Op& op) {
  if (need.kind == Requirement::kNone) return true;
  if (roles.Owner()) return true;
  switch (need.kind) {
    case Requirement::kOwner:
      return false;
    case Requirement::kGroupAdmin:
      return roles.AdminOf(need.group);
    case Requirement::kPerson:
    case Requirement::kPersonDelete: {
      if (roles.Has(Role::kEditor)) return true;
      if (need.people.empty()) return false;
      bool all = need.kind == Requirement::kPersonDelete;
      for (const PersonGroups& p : need.people) {
        if (p.groups.empty()) {
          if (!roles.AnyAdmin()) return false;
          continue;
        }
        auto admin = [&](const std::string& g) { return roles.AdminOf(g); };
        bool ok = all ? std::all_of(p.groups.begin(), p.groups.end(), admin)
                      : std::any_of(p.groups.begin(), p.groups.end(), admin);
        if (!ok) return false;
      }
      return true;
    }
    case Requirement::kSelf:
      return op.row_id == ToHex(op.author);
    case Requirement::kNone:
      return true;
  }
  return false;
}

std::string Describe(Database& db, const Requirement& need, Wording wording) {
  auto w = [wording](const char* message) { return Worded(wording, message); };
  switch (need.kind) {
    case Requirement::kOwner:
      return w(N_("an owner"));
    case Requirement::kGroupAdmin: {
      // A group that does not exist yet has no admins: adding one is an
      // owner's.
      auto name = RowLabel(db, "chat_group", need.group);
      if (!name.ok() || name->empty()) return w(N_("an owner"));
      return i18n::Format(w(N_("an owner, or an admin of group {}")), GroupLabel(db, need.group));
    }
    case Requirement::kPerson:
    case Requirement::kPersonDelete: {
      if (need.people.empty()) return w(N_("an owner or a member-editor"));
      bool all = need.kind == Requirement::kPersonDelete;
      std::string admins;
      for (size_t i = 0; i < need.people.size(); ++i) {
        const PersonGroups& p = need.people[i];
        auto name = RowLabel(db, "person", p.person);
        std::string who = name.ok() && !name->empty()
                              ? fmt::format("{} ({})", *name, ShortId(p.person))
                              : ShortId(p.person);
        if (i > 0) admins += need.people.size() > 2 ? w(N_(", and ")) : w(N_(" and "));
        if (p.groups.empty()) {
          admins += i18n::Format(w(N_("an admin of any group (for {}, who is in none)")), who);
          continue;
        }
        std::string groups;
        for (const std::string& g : p.groups)
          groups += (groups.empty() ? "" : w(N_(", "))) + GroupLabel(db, g);
        admins += i18n::Format(all ? w(N_("an admin of every group {} belongs to ({})"))
                                   : w(N_("an admin of a group {} belongs to ({})")),
                               who, groups);
      }
      return i18n::Format(w(N_("an owner, a member-editor, or {}")), admins);
    }
    case Requirement::kSelf:
      return w(N_("the node itself, or an owner"));
    case Requirement::kNone:
      return w(N_("nothing"));
  }
  return w(N_("an owner"));
}

std::string WhatItChanges(Database& db, const Op& op, const std::optional<std::string>& group) {
  const std::string& t = op.table;
  if (t == kRoleTable) return _("roles");
  if (t == kKeyEnvelopeTable) return _("the community key");
  if (t == kForkTable) return _("which of a node's forked change sets counts");
  if (t == "community") return _("the community's settings");
  if (t == "node")
    return op.column == "invited_by" ? _("who is let in") : _("another admin's node");
  if (t == "chat_group") {
    auto name = RowLabel(db, "chat_group", op.row_id);
    if (name.ok() && !name->empty())
      return i18n::Format(_("the settings of group {}"), GroupLabel(db, op.row_id));
    return _("the list of groups (adding one)");
  }
  if (t == "membership")
    return group ? i18n::Format(_("the members of group {}"), GroupLabel(db, *group))
                 : _("a membership");
  if (t == "person" && op.column == "deleted") {
    auto name = RowLabel(db, "person", op.row_id);
    std::string who = name.ok() && !name->empty() ? *name : ShortId(op.row_id);
    return i18n::Format(_("whether {} is in the registry at all (deleting or restoring them)"),
                        who);
  }
  if (t == "person") {
    auto name = RowLabel(db, "person", op.row_id);
    if (name.ok() && !name->empty()) return i18n::Format(_("the record of {}"), *name);
    return _("people's records");
  }
  if (t == "person_handle") return _("people's contact handles");
  if (t == "person_tag") return _("people's tags");
  if (t == "ban") return _("bans from the whole community");
  if (IsGroupScoped(t)) {
    std::string_view group = GroupOfRowId(op.row_id);
    std::string what = t == "application" ? _("applications")
                       : t == "activity"  ? _("activity records")
                       : t == "topic"     ? _("topics")
                       : t == "event"     ? _("events")
                       : t == "signup"    ? _("sign-up lists")
                       : t == "poll"      ? _("polls")
                       : t == "vote"      ? _("poll votes")
                       : t == "content"   ? _("curated content")
                       : t == "warning"   ? _("warnings")
                                          : t;
    if (group.empty()) return what;
    return i18n::Format(_("the {0} of group {1}"), what, GroupLabel(db, std::string(group)));
  }
  return fmt::format("{}.{}", t, op.column);
}

std::string DescribeRoles(Database& db, const Roles& roles, Wording wording) {
  auto w = [wording](const char* message) { return Worded(wording, message); };
  std::string out;
  if (roles.founder) out = w(N_("owner (the founder)"));
  for (const RoleKey& k : roles.held) {
    if (roles.founder && k.role == Role::kOwner) continue;
    if (!out.empty()) out += w(N_(", "));
    out += k.role == Role::kAdmin ? i18n::Format(w(N_("admin of {}")), GroupLabel(db, k.group))
           : wording == Wording::kShown ? C_("node role", RoleName(k.role))
                                        : RoleName(k.role);
  }
  return out.empty() ? w(N_("no role")) : out;
}

std::optional<PublicKey> RoleTarget(const Op& op) {
  if (!IsRoleOp(op) && !IsInviteOp(op)) return std::nullopt;
  if (!IsNodeId(op.row_id)) return std::nullopt;
  return PublicKeyFromHex(op.row_id);
}

Status CheckRoleOp(const Op& op, const PublicKey& founder, Wording wording) {
  auto w = [wording](const char* message) { return Worded(wording, message); };
  if (!RoleTarget(op))
    return Status::InvalidArgument(i18n::Format(
        w(N_("a role op names '{}', which is not a node id")), op.row_id.substr(0, 80)));
  auto key = ParseRoleColumn(op.column);
  if (!key)
    return Status::InvalidArgument(
        i18n::Format(w(N_("a role op names '{}', which is not a role")), op.column.substr(0, 80)));
  auto* v = std::get_if<int64_t>(&op.value);
  if (!v || (*v != 0 && *v != 1))
    return Status::InvalidArgument(w(N_("a role op's value is neither 1 (grant) nor 0 (revoke)")));
  if (*v == 0 && key->role == Role::kOwner && op.row_id == ToHex(founder))
    return Status::InvalidArgument(w(N_("the founder's ownership cannot be revoked")));
  return Status::Ok();
}

Result<std::optional<std::string>> MembershipGroup(Database& db, const std::string& row_id,
                                                   const std::vector<Op>& same_change,
                                                   const InPastFn& in_past) {
  std::vector<std::string> groups, people;
  std::vector<std::string> own_groups, own_people;  // written by `same_change`
  for (const Op& op : same_change) {
    if (op.table != "membership" || op.row_id != row_id) continue;
    auto* s = std::get_if<std::string>(&op.value);
    if (op.column == "group_id") (s ? own_groups : groups).push_back(s ? *s : "");
    if (op.column == "person_id") (s ? own_people : people).push_back(s ? *s : "");
  }
  QUN_ASSIGN_OR_RETURN(
      CachedStatement logged,
      db.Use("SELECT o.col, o.value, a.pubkey, t.seq FROM op o JOIN op_txn t ON t.id = o.txn "
             "JOIN op_author a ON a.id = o.author WHERE o.row_id = ? AND o.tbl = "
             "'membership' AND o.col IN ('group_id', 'person_id')"));
  logged->Bind(1, row_id);
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, logged->Step());
    if (!row) break;
    Value v = logged->GetValue(1);
    auto* s = std::get_if<std::string>(&v);
    if (!s) continue;
    if (in_past) {
      auto author = KeyFromValue(logged->GetValue(2));
      if (!author.ok() || !in_past(*author, static_cast<uint64_t>(logged->Int(3)))) continue;
    }
    (logged->Text(0) == "group_id" ? groups : people).push_back(*s);
  }
  groups.insert(groups.end(), own_groups.begin(), own_groups.end());
  people.insert(people.end(), own_people.begin(), own_people.end());
  std::optional<std::string> found;
  for (const std::string& g : groups)
    for (const std::string& p : people)
      if (MembershipRowId(g, p) == row_id) found = g;
  // What this change writes as the row's group or person must be the one
  // its id comes from: a second group_id naming another group is refused.
  for (const std::string& g : own_groups)
    if (!found || g != *found)
      return Status::InvalidArgument(
          "it writes a membership's group that does not match the membership (its id comes "
          "from its group and person)");
  if (found)
    for (const std::string& p : own_people)
      if (MembershipRowId(*found, p) != row_id)
        return Status::InvalidArgument(
            "it writes a membership's person that does not match the membership (its id comes "
            "from its group and person)");
  return found;
}

namespace {

// Whether the log holds an op of `table` row `row_id` that `in_past`
// accepts (any op, when it is null).
Result<bool> LoggedInPast(Database& db, const char* table, const std::string& row_id,
                          const InPastFn& in_past) {
  QUN_ASSIGN_OR_RETURN(
      CachedStatement s,
      db.Use("SELECT a.pubkey, t.seq FROM op o JOIN op_txn t ON t.id = o.txn JOIN op_author "
             "a ON a.id = o.author WHERE o.row_id = ? AND o.tbl = ?"));
  s->Bind(1, row_id).Bind(2, std::string(table));
  bool found = false;
  while (!found) {
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    if (!in_past) {
      found = true;
      break;
    }
    auto author = KeyFromValue(s->GetValue(0));
    if (author.ok() && in_past(*author, static_cast<uint64_t>(s->Int(1)))) found = true;
  }
  return found;
}

}  // namespace

Result<std::vector<std::string>> PeopleOf(Database& db, const Op& op,
                                          const std::vector<Op>& same_change,
                                          const InPastFn& in_past) {
  if (op.table == "person") return std::vector<std::string>{op.row_id};
  if (op.table != "person_handle" && op.table != "person_tag") return std::vector<std::string>{};
  std::set<std::string> people;
  for (const Op& o : same_change)
    if (o.table == op.table && o.row_id == op.row_id && o.column == "person_id")
      if (auto* p = std::get_if<std::string>(&o.value)) people.insert(*p);
  QUN_ASSIGN_OR_RETURN(
      CachedStatement logged,
      db.Use("SELECT o.value, a.pubkey, t.seq FROM op o JOIN op_txn t ON t.id = o.txn JOIN "
             "op_author a ON a.id = o.author WHERE o.row_id = ? AND o.tbl = ? AND o.col = "
             "'person_id'"));
  logged->Bind(1, op.row_id).Bind(2, op.table);
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, logged->Step());
    if (!row) break;
    Value v = logged->GetValue(0);
    auto* p = std::get_if<std::string>(&v);
    if (!p) continue;
    if (in_past) {
      auto author = KeyFromValue(logged->GetValue(1));
      if (!author.ok() || !in_past(*author, static_cast<uint64_t>(logged->Int(2)))) continue;
    }
    people.insert(*p);
  }
  return std::vector<std::string>(people.begin(), people.end());
}

Result<std::vector<std::string>> GroupsOfPerson(Database& db, const std::string& person,
                                                const std::vector<Op>& same_change,
                                                const InPastFn& in_past) {
  // The groups to look at: every group id this node knows. Whether one
  // counts is decided by the causal past alone (below); a group missing
  // from this list would be one whose row no op this node holds writes,
  // so no membership in it can be in the causal past either, except by
  // naming it in a membership (those are added from the membership table
  // and from `same_change`).
  std::set<std::string> candidates;
  QUN_ASSIGN_OR_RETURN(
      CachedStatement known,
      db.Use("SELECT id FROM chat_group UNION SELECT group_id FROM membership WHERE "
             "person_id = ? AND group_id IS NOT NULL"));
  known->Bind(1, person);
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, known->Step());
    if (!row) break;
    candidates.insert(known->Text(0));
  }
  std::set<std::string> own_rows;  // membership rows `same_change` writes
  for (const Op& o : same_change) {
    if (o.table != "membership") continue;
    own_rows.insert(o.row_id);
    if (o.column == "group_id")
      if (auto* g = std::get_if<std::string>(&o.value)) candidates.insert(*g);
  }
  std::vector<std::string> groups;
  for (const std::string& g : candidates) {
    std::string row_id = MembershipRowId(g, person);
    bool in = own_rows.count(row_id) > 0;
    if (!in) {
      QUN_ASSIGN_OR_RETURN(in, LoggedInPast(db, "membership", row_id, in_past));
    }
    if (in) groups.push_back(g);
  }
  return groups;  // sorted: from a std::set
}

Result<Roles> CurrentRoles(Database& db, const PublicKey& node, const PublicKey& founder) {
  Roles roles;
  roles.founder = node == founder;
  QUN_ASSIGN_OR_RETURN(CachedStatement s,
                       db.Use("SELECT role, group_id FROM node_role WHERE node = ?"));
  s->Bind(1, ToHex(node));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    auto role = ParseRole(s->Text(0));
    if (role) roles.held.insert(RoleKey{*role, *role == Role::kAdmin ? s->Text(1) : ""});
  }
  return roles;
}

Result<Roles> OwnRoles(Database& db, const PublicKey& me, const PublicKey& founder) {
  QUN_ASSIGN_OR_RETURN(Roles roles, CurrentRoles(db, me, founder));
  const PublicKey& node = me;
  if (roles.founder || !roles.held.empty()) return roles;
  // A node that has just joined writes with the roles its invite named
  // until the change set that grants them reaches it (its change sets
  // depend on that one, so other nodes decide them with the grant).
  QUN_ASSIGN_OR_RETURN(CachedStatement seen,
                       db.Use("SELECT EXISTS (SELECT 1 FROM op WHERE row_id = ? AND (tbl = "
                              "'node_role' OR (tbl = 'node' AND col = 'invited_by')))"));
  seen->Bind(1, ToHex(node));
  QUN_ASSIGN_OR_RETURN(bool row, seen->Step());
  bool granted_here = row && seen->Int(0) != 0;
  if (granted_here) return roles;
  QUN_ASSIGN_OR_RETURN(std::optional<std::string> lines, GetMeta(db, kJoinRolesKey));
  if (auto keys = ParseRoleLines(lines.value_or(""))) roles.held.insert(keys->begin(), keys->end());
  return roles;
}

Status ReplaceNodeRoles(Database& db, const std::vector<HeldRole>& roles) {
  QUN_RETURN_IF_ERROR(db.Exec("DELETE FROM node_role"));
  QUN_ASSIGN_OR_RETURN(CachedStatement put,
                       db.Use("INSERT OR REPLACE INTO node_role(node, role, group_id, "
                              "granted_by) VALUES (?, ?, ?, ?)"));
  for (const HeldRole& r : roles) {
    put->Bind(1, ToHex(r.node))
        .Bind(2, RoleName(r.key.role))
        .Bind(3, r.key.group)
        .Bind(4, r.granted_by);
    QUN_RETURN_IF_ERROR(put->Run());
  }
  return Status::Ok();
}

}  // namespace qun::core
