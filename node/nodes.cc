#include "node/nodes.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/i18n.h"
#include "base/text.h"
#include "core/history.h"
#include "sync/invite.h"
#include "sync/key_rotation.h"

namespace qun::node {

std::string NodeLabel(core::Database& db, const core::PublicKey& key) {
  std::string hex = core::ToHex(key);
  // A label is for showing: a name that cannot be read shows the id alone.
  auto name = core::RowLabel(db, "node", hex);
  if (!name.ok() || name->empty()) return hex.substr(0, 8);
  // A node names itself, so its name is shown on one line and printable.
  return fmt::format("{} ({})", text::Printable(*name, text::Lines::kFlatten), hex.substr(0, 8));
}

Result<core::PublicKey> ResolveNodeRef(core::Registry& registry, const std::string& ref) {
  if (ref.size() == 64) return sync::ParseNodeId(ref);
  QUN_ASSIGN_OR_RETURN(auto found, registry.FindNodes(ref));
  if (found.empty())
    return Status::NotFound(
        i18n::Format(_("no node '{}' in this community: give its id (or its first characters) or "
                       "its name, as `qun admin list` shows them"),
                     ref));
  if (found.size() > 1) {
    std::string list;
    for (const auto& [id, name] : found) list += fmt::format("\n  {} {}", id.substr(0, 12), name);
    return Status::Conflict(
        i18n::Format(_("'{}' names several nodes; give more of the id:{}"), ref, list));
  }
  return sync::ParseNodeId(found[0].first);
}

Result<std::vector<core::RoleKey>> ParseRoleArgs(core::Registry& registry, const std::string& role,
                                                 const std::vector<std::string>& groups) {
  auto parsed = core::ParseRole(role);
  if (!parsed)
    return Status::InvalidArgument(
        i18n::Format(_("'{}' is not a role: say owner, admin (with --group), editor (a "
                       "member-editor), viewer or relay"),
                     role));
  if (*parsed != core::Role::kAdmin) {
    if (!groups.empty())
      return Status::InvalidArgument(
          i18n::Format(_("--group goes with the role admin only: a {} role is not of one group"),
                       core::RoleName(*parsed)));
    return std::vector<core::RoleKey>{{*parsed, ""}};
  }
  if (groups.empty())
    return Status::InvalidArgument(
        _("an admin is an admin of a group: say which with --group NAME (repeat it for "
          "several)"));
  std::vector<core::RoleKey> out;
  for (const std::string& g : groups) {
    QUN_ASSIGN_OR_RETURN(std::string id, registry.ResolveGroup(g));
    out.push_back({core::Role::kAdmin, id});
  }
  return out;
}

std::string RoleText(core::Database& db, const core::RoleKey& key) {
  if (key.role != core::Role::kAdmin) return core::RoleName(key.role);
  core::Roles one;
  one.held.insert(key);
  return core::DescribeRoles(db, one);
}

std::string RolesText(core::Database& db, const std::vector<core::RoleKey>& keys) {
  std::string out;
  for (const core::RoleKey& k : keys) out += (out.empty() ? "" : ", ") + RoleText(db, k);
  return out;
}

Result<std::vector<NodeEntry>> ListNodes(SyncNode& s) {
  core::Database& db = s.node->store->db();
  const core::PublicKey& me = s.node->identity->public_key();
  QUN_ASSIGN_OR_RETURN(std::vector<std::string> ids, s.node->registry->KnownNodeIds());
  std::string founder = core::ToHex(s.community.founder);
  if (std::find(ids.begin(), ids.end(), founder) == ids.end())
    ids.insert(std::lower_bound(ids.begin(), ids.end(), founder), founder);
  std::vector<NodeEntry> out;
  for (const std::string& id : ids) {
    auto key = sync::ParseNodeId(id);
    if (!key.ok()) continue;
    NodeEntry e;
    e.key = *key;
    e.this_node = *key == me;
    QUN_ASSIGN_OR_RETURN(e.roles, e.this_node ? core::OwnRoles(db, *key, s.community.founder)
                                              : core::CurrentRoles(db, *key, s.community.founder));
    e.member = e.roles.founder || !e.roles.held.empty();
    e.label = NodeLabel(db, *key);
    out.push_back(std::move(e));
  }
  return out;
}

Status RequireOwner(SyncNode& s, std::string_view doing) {
  core::Database& db = s.node->store->db();
  QUN_ASSIGN_OR_RETURN(core::Roles mine,
                       core::OwnRoles(db, s.node->identity->public_key(), s.community.founder));
  if (mine.Owner()) return Status::Ok();
  return Status::Denied(i18n::Format(
      _("only an owner can {}, and this node holds {}; ask an owner (`qun admin list`)"), doing,
      core::DescribeRoles(db, mine, core::Wording::kShown)));
}

Result<core::Roles> ChangeRoles(SyncNode& s, const core::PublicKey& node,
                                const std::vector<core::RoleKey>& roles, bool grant) {
  core::Database& db = s.node->store->db();
  QUN_RETURN_IF_ERROR(RequireOwner(s, grant ? _("grant roles") : _("revoke roles")));
  if (!grant && node == s.community.founder &&
      std::any_of(roles.begin(), roles.end(),
                  [](const core::RoleKey& k) { return k.role == core::Role::kOwner; }))
    return Status::InvalidArgument(
        _("the founder is an owner for good: every role in the community goes back to it"));
  QUN_ASSIGN_OR_RETURN(auto txn, s.node->Begin(grant ? "admin grant" : "admin revoke"));
  QUN_RETURN_IF_ERROR(WriteRoles(*txn, node, roles, grant));
  QUN_RETURN_IF_ERROR(txn->Commit());
  // Sealing decides the roles again (node_role), so that the change shows
  // at once.
  QUN_RETURN_IF_ERROR(s.sets->SealLocal().status());
  return core::CurrentRoles(db, node, s.community.founder);
}

Result<KeyRotation> RotateKey(SyncNode& s, const std::optional<core::PublicKey>& removed) {
  core::Database& db = s.node->store->db();
  const core::PublicKey& me = s.node->identity->public_key();
  QUN_RETURN_IF_ERROR(
      RequireOwner(s, removed ? _("remove a node") : _("replace the community key")));
  KeyRotation out;
  out.removed = removed;
  if (removed) {
    if (*removed == me)
      return Status::InvalidArgument(
          _("that is this node; another owner must remove it (or give its laptop's data away "
            "with `qun export` and stop using it)"));
    if (*removed == s.community.founder)
      return Status::InvalidArgument(
          _("the founder cannot be removed: every role in the community goes back to it"));
    QUN_ASSIGN_OR_RETURN(core::Roles roles, core::CurrentRoles(db, *removed, s.community.founder));
    out.removed_roles.assign(roles.held.begin(), roles.held.end());
  }
  // The new key goes to every member but the removed node. A node whose
  // only role is relay is a member like any other: it read everything with
  // the key its invite carried, and it applies (so forwards) change sets
  // only when it can open them, so leaving it out would only stop it. A
  // relay that must not read is `qun relay`, which holds no key and no role.
  QUN_ASSIGN_OR_RETURN(std::vector<core::PublicKey> members, s.sets->Members());
  std::vector<core::PublicKey> recipients;
  for (const core::PublicKey& k : members)
    if (!removed || k != *removed) recipients.push_back(k);
  out.recipients = recipients.size();
  QUN_ASSIGN_OR_RETURN(auto txn, s.node->Begin(removed ? "admin remove" : "key rotate"));
  if (removed) QUN_RETURN_IF_ERROR(WriteRoles(*txn, *removed, out.removed_roles, false));
  QUN_ASSIGN_OR_RETURN(core::CommunityKey key,
                       sync::WriteKeyRotation(*txn, s.community, recipients));
  out.epoch = key.epoch();
  QUN_RETURN_IF_ERROR(txn->Commit());
  // Sealed under the old key (the others hold no other yet), then this
  // node takes the new one from its own envelope: what it writes next is
  // sealed with it.
  QUN_RETURN_IF_ERROR(s.sets->SealLocal().status());
  QUN_ASSIGN_OR_RETURN(int claimed, s.sets->ClaimKeys());
  if (claimed == 0 || !s.community.Key(out.epoch))
    return Status::Internal(_("the new community key was written but this node could not take it"));
  return out;
}

}  // namespace qun::node
