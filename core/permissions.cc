#include "core/permissions.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>

#include "core/db.h"
#include "core/ids.h"
#include "core/registry.h"
#include "core/schema.h"
#include "core/text.h"

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

Requirement RequirementOf(const Op& op, const std::optional<std::string>& membership_group) {
  using R = Requirement;
  const std::string& t = op.table;
  if (IsLoggedOnly(t)) return {R::kOwner, ""};
  if (t == "community") return {R::kOwner, ""};
  if (t == "node") {
    // A node names itself; who is let in (invited_by) and everything about
    // other nodes is an owner's.
    if (op.column == "name" || op.column == "deleted") return {R::kSelf, ""};
    return {R::kOwner, ""};
  }
  if (!IsDomainColumn(t, op.column)) return {R::kNone, ""};
  if (t == "chat_group") return {R::kGroupAdmin, op.row_id};
  if (IsGroupScoped(t)) {
    // The group is in the row id: no write can move the row to a group
    // whose admins the author is. An id that names no group is an owner's.
    std::string_view group = GroupOfRowId(op.row_id);
    if (group.empty()) return {R::kOwner, ""};
    return {R::kGroupAdmin, std::string(group)};
  }
  // A ban from the whole community reaches into every group.
  if (t == "ban") return {R::kOwner, ""};
  if (t == "membership") {
    if (membership_group) return {R::kGroupAdmin, *membership_group};
    return {R::kOwner, ""};
  }
  if (t == "person" || t == "person_handle" || t == "person_tag") return {R::kPeople, ""};
  return {R::kOwner, ""};
}

bool Satisfies(const Roles& roles, const Requirement& need, const Op& op) {
  if (need.kind == Requirement::kNone) return true;
  if (roles.Owner()) return true;
  switch (need.kind) {
    case Requirement::kOwner:
      return false;
    case Requirement::kGroupAdmin:
      return roles.AdminOf(need.group);
    case Requirement::kPeople:
      return roles.Has(Role::kEditor) || roles.AnyAdmin();
    case Requirement::kSelf:
      return op.row_id == ToHex(op.author);
    case Requirement::kNone:
      return true;
  }
  return false;
}

std::string Describe(Database& db, const Requirement& need) {
  switch (need.kind) {
    case Requirement::kOwner:
      return "an owner";
    case Requirement::kGroupAdmin: {
      // A group that does not exist yet has no admins: adding one is an
      // owner's.
      auto name = RowLabel(db, "chat_group", need.group);
      if (!name.ok() || name->empty()) return "an owner";
      return fmt::format("an owner, or an admin of group {}", GroupLabel(db, need.group));
    }
    case Requirement::kPeople:
      return "an owner, a member-editor or a group admin";
    case Requirement::kSelf:
      return "the node itself, or an owner";
    case Requirement::kNone:
      return "nothing";
  }
  return "an owner";
}

std::string WhatItChanges(Database& db, const Op& op, const std::optional<std::string>& group) {
  const std::string& t = op.table;
  if (t == kRoleTable) return "roles";
  if (t == kKeyEnvelopeTable) return "the community key";
  if (t == kForkTable) return "which of a node's forked change sets counts";
  if (t == "community") return "the community's settings";
  if (t == "node") return op.column == "invited_by" ? "who is let in" : "another admin's node";
  if (t == "chat_group") {
    auto name = RowLabel(db, "chat_group", op.row_id);
    if (name.ok() && !name->empty())
      return fmt::format("the settings of group {}", GroupLabel(db, op.row_id));
    return "the list of groups (adding one)";
  }
  if (t == "membership")
    return group ? fmt::format("the members of group {}", GroupLabel(db, *group)) : "a membership";
  if (t == "person" || t == "person_handle" || t == "person_tag") return "people's records";
  if (t == "ban") return "bans from the whole community";
  if (IsGroupScoped(t)) {
    std::string_view group = GroupOfRowId(op.row_id);
    std::string what = t == "application" ? "applications"
                       : t == "activity"  ? "activity records"
                       : t == "topic"     ? "topics"
                       : t == "event"     ? "events"
                       : t == "signup"    ? "sign-up lists"
                       : t == "poll"      ? "polls"
                       : t == "vote"      ? "poll votes"
                       : t == "content"   ? "curated content"
                       : t == "warning"   ? "warnings"
                                          : t;
    if (group.empty()) return what;
    return fmt::format("the {} of group {}", what, GroupLabel(db, std::string(group)));
  }
  return fmt::format("{}.{}", t, op.column);
}

std::string DescribeRoles(Database& db, const Roles& roles) {
  std::string out;
  if (roles.founder) out = "owner (the founder)";
  for (const RoleKey& k : roles.held) {
    if (roles.founder && k.role == Role::kOwner) continue;
    if (!out.empty()) out += ", ";
    out += k.role == Role::kAdmin ? "admin of " + GroupLabel(db, k.group) : RoleName(k.role);
  }
  return out.empty() ? "no role" : out;
}

std::optional<PublicKey> RoleTarget(const Op& op) {
  if (!IsRoleOp(op) && !IsInviteOp(op)) return std::nullopt;
  PublicKey k;
  size_t len = 0;
  if (!IsNodeId(op.row_id) ||
      sodium_hex2bin(k.data(), k.size(), op.row_id.data(), op.row_id.size(), nullptr, &len,
                     nullptr) != 0 ||
      len != k.size())
    return std::nullopt;
  return k;
}

Status CheckRoleOp(const Op& op, const PublicKey& founder) {
  if (!RoleTarget(op))
    return Status::InvalidArgument(
        fmt::format("a role op names '{}', which is not a node id", op.row_id.substr(0, 80)));
  auto key = ParseRoleColumn(op.column);
  if (!key)
    return Status::InvalidArgument(
        fmt::format("a role op names '{}', which is not a role", op.column.substr(0, 80)));
  auto* v = std::get_if<int64_t>(&op.value);
  if (!v || (*v != 0 && *v != 1))
    return Status::InvalidArgument("a role op's value is neither 1 (grant) nor 0 (revoke)");
  if (*v == 0 && key->role == Role::kOwner && op.row_id == ToHex(founder))
    return Status::InvalidArgument("the founder's ownership cannot be revoked");
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
      Statement * logged,
      db.Cached("SELECT o.col, o.value, a.pubkey, t.seq FROM op o JOIN op_txn t ON t.id = o.txn "
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
  logged->Reset();
  groups.insert(groups.end(), own_groups.begin(), own_groups.end());
  people.insert(people.end(), own_people.begin(), own_people.end());
  std::optional<std::string> found;
  for (const std::string& g : groups)
    for (const std::string& p : people)
      if (Registry::MembershipId(g, p) == row_id) found = g;
  // What this change writes as the row's group or person must be the one
  // its id comes from: a second group_id naming another group is refused.
  for (const std::string& g : own_groups)
    if (!found || g != *found)
      return Status::InvalidArgument(
          "it writes a membership's group that does not match the membership (its id comes "
          "from its group and person)");
  if (found)
    for (const std::string& p : own_people)
      if (Registry::MembershipId(*found, p) != row_id)
        return Status::InvalidArgument(
            "it writes a membership's person that does not match the membership (its id comes "
            "from its group and person)");
  return found;
}

Result<Roles> CurrentRoles(Database& db, const PublicKey& node, const PublicKey& founder) {
  Roles roles;
  roles.founder = node == founder;
  QUN_ASSIGN_OR_RETURN(Statement * s,
                       db.Cached("SELECT role, group_id FROM node_role WHERE node = ?"));
  s->Bind(1, ToHex(node));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    auto role = ParseRole(s->Text(0));
    if (role) roles.held.insert(RoleKey{*role, *role == Role::kAdmin ? s->Text(1) : ""});
  }
  s->Reset();
  return roles;
}

Result<Roles> OwnRoles(Database& db, const PublicKey& me, const PublicKey& founder) {
  QUN_ASSIGN_OR_RETURN(Roles roles, CurrentRoles(db, me, founder));
  const PublicKey& node = me;
  if (roles.founder || !roles.held.empty()) return roles;
  // A node that has just joined writes with the roles its invite named
  // until the change set that grants them reaches it (its change sets
  // depend on that one, so other nodes decide them with the grant).
  QUN_ASSIGN_OR_RETURN(Statement * seen,
                       db.Cached("SELECT EXISTS (SELECT 1 FROM op WHERE row_id = ? AND (tbl = "
                                 "'node_role' OR (tbl = 'node' AND col = 'invited_by')))"));
  seen->Bind(1, ToHex(node));
  QUN_ASSIGN_OR_RETURN(bool row, seen->Step());
  bool granted_here = row && seen->Int(0) != 0;
  seen->Reset();
  if (granted_here) return roles;
  QUN_ASSIGN_OR_RETURN(Statement * join,
                       db.Cached("SELECT value FROM meta WHERE key = 'join_roles'"));
  QUN_ASSIGN_OR_RETURN(row, join->Step());
  std::string lines = row ? join->Text(0) : "";
  join->Reset();
  if (auto keys = ParseRoleLines(lines)) roles.held.insert(keys->begin(), keys->end());
  return roles;
}

}  // namespace qun::core
