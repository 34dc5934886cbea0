#include "node/sync_node.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdio>

#include "base/i18n.h"
#include "core/hlc.h"
#include "core/key_file.h"
#include "core/permissions.h"
#include "sync/invite_code.h"
#include "sync/peers.h"

namespace qun::node {

Result<std::unique_ptr<SyncNode>> OpenSyncNode(const std::string& home_option) {
  auto s = std::make_unique<SyncNode>();
  QUN_ASSIGN_OR_RETURN(s->node, OpenNode(home_option));
  QUN_ASSIGN_OR_RETURN(s->community, sync::LoadCommunity(*s->node->store, s->node->home));
  s->sets =
      std::make_unique<sync::ChangeSetStore>(*s->node->store, s->community, *s->node->identity);
  std::string home = s->node->home;
  s->sets->SetKeySaver(
      [home](const core::CommunityKey& key) { return core::AddToKeyFile(home, key); });
  s->sets->SetKeySource([home] { return core::ReadKeyFile(home); });
  // A key sent to this node by a rotation it applied before a crash (or
  // that counts only now) is taken in before anything is sealed.
  QUN_RETURN_IF_ERROR(s->sets->ClaimKeys().status());
  // Change sets held back by an older qun (a newer format) apply now.
  QUN_RETURN_IF_ERROR(s->sets->ApplyPending().status());
  QUN_RETURN_IF_ERROR(s->sets->EnsureDecided());
  return s;
}

Status WriteRoles(core::WriteTxn& txn, const core::PublicKey& node,
                  const std::vector<core::RoleKey>& roles, bool granted) {
  for (const core::RoleKey& r : roles)
    QUN_RETURN_IF_ERROR(
        txn.Set(core::kRoleTable, core::ToHex(node), core::RoleColumn(r), int64_t{granted ? 1 : 0})
            .status());
  return Status::Ok();
}

Result<std::string> InviteNode(SyncNode& s, const core::PublicKey& invitee, const std::string& name,
                               const std::vector<core::RoleKey>& roles,
                               const std::function<Status()>& also) {
  Node& node = *s.node;
  // The invite is recorded first: every node learns that this node may
  // write, and from whom it came. The new node starts from everything this
  // one holds, the invite included.
  QUN_ASSIGN_OR_RETURN(auto txn, node.Begin("invite"));
  std::string hex = core::ToHex(invitee);
  QUN_RETURN_IF_ERROR(node.registry->RecordInvite(*txn, hex, node.identity->node_id()));
  QUN_RETURN_IF_ERROR(WriteRoles(*txn, invitee, roles, true));
  if (!name.empty()) QUN_RETURN_IF_ERROR(node.registry->SetNodeName(*txn, hex, name));
  if (also) QUN_RETURN_IF_ERROR(also());
  QUN_RETURN_IF_ERROR(txn->Commit());
  QUN_RETURN_IF_ERROR(s.sets->SealLocal().status());
  sync::JoinPoint join;
  QUN_ASSIGN_OR_RETURN(join.vector, s.sets->Vector());
  QUN_ASSIGN_OR_RETURN(join.frontier, s.sets->FrontierOf(join.vector));
  return sync::MakeInvite(s.community, *node.identity, invitee, join, roles);
}

Result<std::string> AnswerInviteCode(SyncNode& s, const sync::Join& join, bool member,
                                     sync::Error* refuse) {
  core::Database& db = s.node->store->db();
  auto refused = [refuse](const Status& why) {
    *refuse = {sync::ErrorCode::kBadCode, why.message()};
    return why;
  };
  if (member) {
    QUN_ASSIGN_OR_RETURN(core::Roles roles, core::CurrentRoles(db, join.node, s.community.founder));
    std::vector<core::RoleKey> held(roles.held.begin(), roles.held.end());
    auto again = sync::DeliveredInvite(db, join.secret, join.node, held, core::WallClockMs());
    if (!again.ok()) return refused(again.status());
    return again;
  }
  // The code is spent in the transaction that records the invite: should
  // recording fail (a name that is not text, a busy database), the code
  // stays open for another try.
  auto spend = [&]() -> Status {
    auto spent = sync::SpendInviteSecret(db, join.secret, join.node, core::WallClockMs());
    return spent.ok() ? Status::Ok() : refused(spent.status());
  };
  // The name the inviter gave with the code wins over the joiner's. An
  // unknown secret gets no roles here: spending refuses it.
  std::string name = join.name;
  std::vector<core::RoleKey> roles;
  auto grant = sync::InviteCodeGrant(db, join.secret);
  if (!grant.ok() && grant.status().code() != Status::Code::kNotFound) return grant.status();
  if (grant.ok()) {
    if (!grant->name.empty()) name = grant->name;
    roles = grant->roles;
  }
  auto invite = InviteNode(s, join.node, name, roles, spend);
  if (!invite.ok()) {
    if (refuse->message.empty())
      *refuse = {
          sync::ErrorCode::kBadCode,
          fmt::format("the inviter could not record your invite: {}", invite.status().message())};
    return invite;
  }
  // Kept so that a lost answer is answered with these same bytes. Should
  // this fail, the joiner has its answer and the code is spent: it only
  // cannot be sent again.
  Status kept = sync::RecordDeliveredInvite(db, join.secret, *invite);
  (void)kept;
  return invite;
}

Result<sync::Invite> JoinWithInvite(Node& node, std::string_view invite_bytes) {
  QUN_ASSIGN_OR_RETURN(auto existing, node.store->GetMeta(core::kCommunityIdKey));
  std::string key_path = core::KeyFilePath(node.home);
  struct stat st;
  bool has_key = stat(key_path.c_str(), &st) == 0;
  if (existing && has_key)
    return Status::Conflict(
        i18n::Format(_("this node already belongs to community {}; to join another, make a new "
                       "node with `qun --home DIR init --join`"),
                     existing->substr(0, 8)));
  QUN_ASSIGN_OR_RETURN(sync::Invite invite, sync::OpenInvite(invite_bytes, *node.identity));
  // A key file without the community recorded is what a join that failed
  // halfway left: this join replaces it.
  if (has_key) std::remove(key_path.c_str());
  std::vector<const core::CommunityKey*> keys;
  for (const auto& k : invite.community.keys) keys.push_back(&k);
  QUN_RETURN_IF_ERROR(core::WriteKeyFile(node.home, keys));
  // The community, the join point and the admin's name are recorded
  // together or not at all.
  auto record = [&]() -> Status {
    core::Transaction tx(node.store->db());
    QUN_RETURN_IF_ERROR(tx.Begin());
    QUN_RETURN_IF_ERROR(
        sync::SaveCommunityMeta(*node.store, invite.community.id, invite.community.founder));
    sync::ChangeSetStore sets(*node.store, invite.community, *node.identity);
    QUN_RETURN_IF_ERROR(sets.SealLocal().status());
    QUN_RETURN_IF_ERROR(sets.SaveJoinPoint(invite.join));
    QUN_RETURN_IF_ERROR(node.store->SetMeta(core::kJoinRolesKey, core::RoleLines(invite.roles)));
    return tx.Commit();
  };
  Status saved = record();
  if (saved.ok()) {
    // The node's first change: its admin's name, bounded by the join point.
    QUN_ASSIGN_OR_RETURN(auto name, node.store->GetMeta(core::kJoiningAsKey));
    QUN_ASSIGN_OR_RETURN(auto txn, node.store->Begin(node.identity->public_key(), "join"));
    if (name)
      QUN_RETURN_IF_ERROR(node.registry->SetNodeName(*txn, node.identity->node_id(), *name));
    QUN_RETURN_IF_ERROR(node.store->DeleteMeta(core::kJoiningAsKey));
    saved = txn->Commit();
  }
  if (!saved.ok()) {
    std::remove(key_path.c_str());
    return saved;
  }
  return invite;
}

}  // namespace qun::node
