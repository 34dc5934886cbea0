// The nodes of a community as its admins see them: by name or id, with the
// roles each holds; and the owners' changes to them (grant, revoke, remove,
// a new community key).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "community/registry.h"
#include "core/db.h"
#include "core/identity.h"
#include "core/permissions.h"
#include "node/sync_node.h"

namespace qun::node {

// "张伟's laptop (1a2b3c4d)", or "1a2b3c4d" when the node has no name here.
// Printable on one line whatever name the node gave itself.
std::string NodeLabel(core::Database& db, const core::PublicKey& key);

// A node by id, id prefix (4+ hex characters) or name, among the nodes the
// community knows. Conflict, listing them, when it names several.
Result<core::PublicKey> ResolveNodeRef(core::Registry& registry, const std::string& ref);

// The roles a command names: ROLE, and for admin the groups it is of.
Result<std::vector<core::RoleKey>> ParseRoleArgs(core::Registry& registry, const std::string& role,
                                                 const std::vector<std::string>& groups);

// "admin of 北京交流群 (1a2b3c4d)", "editor".
std::string RoleText(core::Database& db, const core::RoleKey& key);
// "admin of 北京交流群, editor": several, as a command lists them.
std::string RolesText(core::Database& db, const std::vector<core::RoleKey>& keys);

// One node the community knows (named or invited), or that holds a role.
struct NodeEntry {
  core::PublicKey key{};
  std::string label;  // NodeLabel
  core::Roles roles;
  bool member = false;     // the founder, or holds a role: may connect
  bool this_node = false;  // the node asking
};
Result<std::vector<NodeEntry>> ListNodes(SyncNode& s);

// Denied unless this node is an owner, saying what it holds: "only an owner
// can `doing`, ...". Every owner-only change checks this before it writes.
Status RequireOwner(SyncNode& s, std::string_view doing);

// Grants (or revokes) `roles` of `node`: owners only; the founder stays an
// owner. Returns the roles the node holds afterwards.
Result<core::Roles> ChangeRoles(SyncNode& s, const core::PublicKey& node,
                                const std::vector<core::RoleKey>& roles, bool grant);

struct KeyRotation {
  uint32_t epoch = 0;     // the new key's
  size_t recipients = 0;  // the nodes it was sealed to
  std::optional<core::PublicKey> removed;
  std::vector<core::RoleKey> removed_roles;  // what the removed node held
};
// Owners only: revokes `removed`'s roles (when given) and gives a new
// community key to every other member, in one change set; this node takes
// the new key at once, so that what it writes next is sealed with it.
Result<KeyRotation> RotateKey(SyncNode& s, const std::optional<core::PublicKey>& removed);

}  // namespace qun::node
