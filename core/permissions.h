// Who may write what: the one permission table of Qun (docs/security.md,
// "Roles"). Every node decides with these functions whether an op was
// allowed, both before a local write (WriteTxn) and when a change set from
// elsewhere is applied (sync/authority.h), so that the two cannot disagree.
//
// A node holds roles; an op needs one of a few roles (a Requirement). What
// a node held when it wrote a change set is the authority rules' business
// (sync/authority.h); this file only says which roles let which op through.
#pragma once

#include <compare>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "core/identity.h"
#include "core/oplog.h"

namespace qun::core {

class Database;

enum class Role {
  kOwner,   // everything, including roles, invites and removals
  kAdmin,   // one group: its settings and memberships, and person records
  kEditor,  // member-editor: person records, not groups, memberships or roles
  kViewer,  // reads; writes nothing but its own node's name
  kRelay,   // a member node kept to pass change sets on: reads and gets
            // each new key like any member, writes nothing but its name
            // (a relay that cannot read is `qun relay`, with no role)
};

// "owner", "admin", "editor", "viewer", "relay".
const char* RoleName(Role r);
// Accepts the names above and "member-editor"; none for anything else.
std::optional<Role> ParseRole(std::string_view name);

// A role as held: an admin role names its group.
struct RoleKey {
  Role role = Role::kViewer;
  std::string group;  // a group id for kAdmin, else empty
  auto operator<=>(const RoleKey&) const = default;
};

// Grants and revocations are ops on this table: row id the node id (64 hex
// characters), column RoleColumn(key), value 1 (granted) or 0 (revoked).
inline constexpr char kRoleTable[] = "node_role";
std::string RoleColumn(const RoleKey& key);  // "owner", "admin:<group id>"

// A new community key reaches each member as an op of this table (written
// by an owner when it rotates the key): row id "<node id>:<epoch>", column
// "sealed", value the epoch (u32 little-endian) and key sealed to that node
// (sync/key_rotation.h). Like role ops, these are logged, never merged.
inline constexpr char kKeyEnvelopeTable[] = "key_envelope";
// An owner settles a fork (a node that signed two change sets with one
// seq) with an op of this table: row id "<node id>:<seq>", column "keep",
// value the hash (32 bytes) of the change set every node is to keep.
inline constexpr char kForkTable[] = "node_fork";
// Whether ops of `table` are logged only (roles, key envelopes, fork
// resolutions): the sync layer acts on them; they are never merged.
inline bool IsLoggedOnly(std::string_view table) {
  return table == kRoleTable || table == kKeyEnvelopeTable || table == kForkTable;
}
std::optional<RoleKey> ParseRoleColumn(std::string_view column);

// A list of roles kept as text (an invite code's, a joined node's): one
// role column per line. ParseRoleLines gives none when a line is not one.
std::string RoleLines(const std::vector<RoleKey>& roles);
std::optional<std::vector<RoleKey>> ParseRoleLines(std::string_view text);

// Whether an op is a role op or an invite (node.invited_by): the ops the
// authority rules look at as a whole (sync/authority.h).
bool IsRoleOp(const Op& op);
bool IsInviteOp(const Op& op);

// The roles one node holds at some point.
struct Roles {
  std::set<RoleKey> held;
  bool founder = false;  // the founder is an owner always

  bool Has(Role r) const;
  bool AdminOf(const std::string& group) const;
  bool AnyAdmin() const;
  bool Owner() const { return founder || Has(Role::kOwner); }
};

// How a description is worded: kStored for text that is kept or compared
// (a refusal reason every node decides alike, --json), always in English;
// kShown for the person at the terminal now, in the language chosen
// (base/i18n.h).
enum class Wording { kStored, kShown };

// What an op changes, in an admin's words: "the settings of group 北京交流群",
// "people's records", "roles". `group` as for RequirementOf. Shown now, in
// the language chosen.
std::string WhatItChanges(Database& db, const Op& op, const std::optional<std::string>& group);

// "admin of 北京交流群, editor", or "no role".
std::string DescribeRoles(Database& db, const Roles& roles, Wording wording = Wording::kStored);

// A person an op changes (a person row, or the person of a contact handle
// or tag), with the groups the person belongs to as far as the op's change
// set and its causal past say (GroupsOfPerson).
struct PersonGroups {
  std::string person;               // a person id
  std::vector<std::string> groups;  // group ids, sorted, distinct; empty: in no group
  auto operator<=>(const PersonGroups&) const = default;
};

// What an op needs of its author.
struct Requirement {
  enum Kind {
    kOwner,         // an owner
    kGroupAdmin,    // an owner, or an admin of `group`
    kPerson,        // changing people's records: an owner, a member-editor, or,
                    // for each of `people`, an admin of a group that person
                    // belongs to (any admin when it belongs to none). With
                    // `people` empty (unknown): an owner or a member-editor.
    kPersonDelete,  // deleting or restoring a person: an owner, a member-
                    // editor, or an admin of every group each of `people`
                    // belongs to (any admin when it belongs to none)
    kSelf,          // the node the row is (its own name), or an owner
    kNone,          // a field this version does not know: checked by the
                    // version that does (merging skips it likewise)
  };
  Kind kind = kOwner;
  std::string group;
  std::vector<PersonGroups> people;  // for kPerson and kPersonDelete
};

// THE PERMISSION TABLE. `membership_group` is the group of the membership
// row an op writes, when it is one and its group is known (see
// MembershipGroup); a membership of unknown group needs an owner. `people`
// are the people an op of person, person_handle or person_tag changes, with
// their groups (PeopleOf and GroupsOfPerson); without them such an op needs
// an owner or a member-editor.
Requirement RequirementOf(const Op& op, const std::optional<std::string>& membership_group,
                          const std::vector<PersonGroups>& people = {});

// Whether RequirementOf needs `people` for `op`: an op of person,
// person_handle or person_tag.
bool IsPersonOp(const Op& op);

bool Satisfies(const Roles& roles, const Requirement& need, const Op& op);

// "an owner, or an admin of group 北京交流群": for refusal reasons. Names
// the group when `db` knows it.
std::string Describe(Database& db, const Requirement& need, Wording wording = Wording::kStored);

// A role op's own rules, beyond who wrote it: its row is a node id, its
// column a role, its value 1 or 0, and the founder's ownership is never
// revoked (it is the root every grant goes back to). InvalidArgument says why,
// worded as `wording` asks (a refusal reason is stored).
Status CheckRoleOp(const Op& op, const PublicKey& founder, Wording wording = Wording::kStored);
// The node a role op or invite is about.
std::optional<PublicKey> RoleTarget(const Op& op);

// The group of membership row `row_id`: the group id g of a membership.
// group_id op for which some person id p of a membership.person_id op gives
// MembershipRowId(g, p) == row_id, among `same_change` and the ops of the log
// that `in_past` accepts (by their author and seq: the change set's causal
// past, so that the answer does not depend on what else has arrived; null
// accepts all, for a local write). Row ids derive from the pair, so a write
// that names another group than its row's cannot borrow that group's
// admins. None when unknown. Corruption-free InvalidArgument when
// `same_change` writes a group or person to the row that does not match it.
using InPastFn = std::function<bool(const PublicKey& author, uint64_t seq)>;
Result<std::optional<std::string>> MembershipGroup(Database& db, const std::string& row_id,
                                                   const std::vector<Op>& same_change,
                                                   const InPastFn& in_past = nullptr);

// The people an op of person, person_handle or person_tag changes: the
// person row itself; for a handle or a tag, every person id written to its
// row by `same_change` or by an op of the log that `in_past` accepts (a
// handle moved from one person to another changes both). Empty when none
// is found (a handle or tag whose person the causal past does not name).
Result<std::vector<std::string>> PeopleOf(Database& db, const Op& op,
                                          const std::vector<Op>& same_change,
                                          const InPastFn& in_past = nullptr);

// The groups `person` belongs to: each group g such that `same_change`, or
// an op of the log that `in_past` accepts, writes membership row
// MembershipRowId(g, person), whatever the membership's status (a membership
// row is never removed, so the answer only grows with the causal past, and
// does not depend on which writes of its status won). Only the causal past
// decides whether a group counts; the groups looked at are those this node
// knows (its chat_group rows, placeholders included, and the groups named
// by `same_change` and by the person's membership rows). Sorted, distinct.
Result<std::vector<std::string>> GroupsOfPerson(Database& db, const std::string& person,
                                                const std::vector<Op>& same_change,
                                                const InPastFn& in_past = nullptr);

// The roles `node` holds now, from the node_role table (written by the
// authority rules).
Result<Roles> CurrentRoles(Database& db, const PublicKey& node, const PublicKey& founder);

// One row of node_role: a role a node holds now, and who granted it (hex;
// empty when no grant names it).
struct HeldRole {
  PublicKey node{};
  RoleKey key;
  std::string granted_by;
};
// Replaces the roles held now (table node_role, which the authority rules
// derive from the log: sync/authority.h) with `roles`, in the caller's
// transaction.
Status ReplaceNodeRoles(Database& db, const std::vector<HeldRole>& roles);
// The roles of this node itself (`me`): CurrentRoles, or, while the change
// set granting them has not reached it, the roles its invite named (meta
// join_roles).
Result<Roles> OwnRoles(Database& db, const PublicKey& me, const PublicKey& founder);

}  // namespace qun::core
