// A node opened for syncing (bundles, network sync, serving, roles): the
// node, its community and its change-set store; and what changes who belongs
// to the community: invites, joins, roles.
#pragma once

#include <functional>
#include <memory>

#include "node/node.h"
#include "sync/change_set_store.h"
#include "sync/community.h"
#include "sync/invite.h"
#include "sync/protocol.h"

namespace qun::node {

// `sets` borrows the other members, so a SyncNode stays where it was made.
struct SyncNode {
  SyncNode() = default;
  SyncNode(const SyncNode&) = delete;
  SyncNode& operator=(const SyncNode&) = delete;
  std::unique_ptr<Node> node;
  sync::Community community;
  std::unique_ptr<sync::ChangeSetStore> sets;
};

// Opens the node and applies change sets held back by an older qun (of a
// format it could not read). NotFound, saying to run `qun join`, for a node
// that has not joined a community yet.
Result<std::unique_ptr<SyncNode>> OpenSyncNode(const std::string& home_option);

// Lets `invitee` in with `roles`: records the invite (and its admin's name,
// if given) and the grants as ops, and returns the invite sealed to it (an
// invite file's bytes).
// `also`, when given, runs inside the same transaction (redeeming an invite
// code), so that either both are recorded or neither.
Result<std::string> InviteNode(SyncNode& s, const core::PublicKey& invitee, const std::string& name,
                               const std::vector<core::RoleKey>& roles,
                               const std::function<Status()>& also = nullptr);

// Answers a join with an invite code that reached `qun serve`. A guest
// (`member` false) spends an open code: the invite is recorded as
// InviteNode does, with the code's name and roles, and kept with the code.
// A member whose answer was lost gets that same invite again, and nothing
// is written (sync/invite_code.h, DeliveredInvite). `refuse` is set to what
// the joiner is told when it is refused.
Result<std::string> AnswerInviteCode(SyncNode& s, const sync::Join& join, bool member,
                                     sync::Error* refuse);

// Grants (or, with `granted` false, revokes) `roles` of `node` in `txn`.
Status WriteRoles(core::WriteTxn& txn, const core::PublicKey& node,
                  const std::vector<core::RoleKey>& roles, bool granted);

// Takes an invite in on a node made with `qun init --join`: stores the
// community key and records the community, the join point and the admin's
// name; nothing when it fails.
Result<sync::Invite> JoinWithInvite(Node& node, std::string_view invite_bytes);

}  // namespace qun::node
