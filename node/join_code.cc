#include "node/join_code.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <ctime>
#include <zmq.hpp>

#include "base/i18n.h"
#include "base/text.h"
#include "core/field_text.h"
#include "core/hlc.h"
#include "core/home.h"
#include "core/meta_keys.h"
#include "node/serve.h"
#include "node/sync_node.h"
#include "sync/invite_code.h"
#include "sync/peers.h"

namespace qun::node {

Result<CodeJoin> JoinWithCode(const std::string& home_option, const std::string& text,
                              const std::string& admin, const std::string& peer_name,
                              int64_t timeout_ms) {
  QUN_ASSIGN_OR_RETURN(sync::InviteCode code, sync::ParseInviteCode(text));
  if (code.expires_unix_s < core::WallClockMs() / 1000)
    return Status::Denied(_("the invite code has expired: ask for a new one"));
  QUN_RETURN_IF_ERROR(sync::CheckPeerName(peer_name));
  QUN_ASSIGN_OR_RETURN(std::string home, core::ResolveHome(home_option));
  struct stat st;
  if (stat(core::DatabasePath(home).c_str(), &st) != 0) {
    QUN_RETURN_IF_ERROR(MakeNodeToJoin(home, admin).status());
  }
  QUN_ASSIGN_OR_RETURN(auto node, OpenNode(home_option));
  QUN_ASSIGN_OR_RETURN(auto existing, node->store->GetMeta(core::kCommunityIdKey));
  if (existing)
    return Status::Conflict(
        i18n::Format(_("this node already belongs to community {}; to join another, use another "
                       "home: `qun --home DIR join CODE`"),
                     existing->substr(0, 8)));
  // A node made earlier with `qun init --join` takes the name given now.
  if (!admin.empty()) {
    if (!text::IsValidUtf8(admin))
      return Status::InvalidArgument(_("the admin name is not valid UTF-8 text; re-type it"));
    QUN_RETURN_IF_ERROR(core::CheckFieldValue("node", "name", admin));
    QUN_RETURN_IF_ERROR(node->store->SetMeta(core::kJoiningAsKey, admin));
  }
  QUN_ASSIGN_OR_RETURN(auto joining, node->store->GetMeta(core::kJoiningAsKey));
  sync::Join join;
  join.secret.assign(reinterpret_cast<const char*>(code.secret.data()), code.secret.size());
  join.name = joining ? *joining : admin;
  join.node = node->identity->public_key();
  zmq::context_t context;
  sync::ClientOptions options;
  options.timeout_ms = timeout_ms;
  std::string inviter_label = i18n::Format(_("the inviter at {}"), code.address);
  QUN_ASSIGN_OR_RETURN(std::string bytes,
                       sync::RedeemInviteCode(context, *node->identity, code.address, code.inviter,
                                              inviter_label, join, options));
  QUN_ASSIGN_OR_RETURN(sync::Invite opened, sync::OpenInvite(bytes, *node->identity));
  if (opened.community.id != code.community || opened.inviter != code.inviter)
    return Status::Denied(
        _("the inviter answered with an invite to another community than the code's; nothing "
          "was changed. Ask the admin who gave you the code"));
  QUN_ASSIGN_OR_RETURN(sync::Invite invite, JoinWithInvite(*node, bytes));
  // The inviter is the first peer, and the first sync is with it.
  sync::Peer peer;
  peer.name = peer_name;
  peer.address = code.address;
  peer.key = code.inviter;
  QUN_RETURN_IF_ERROR(sync::AddPeer(node->store->db(), peer));
  node.reset();
  CodeJoin out;
  out.invite = std::move(invite);
  out.address = code.address;
  QUN_ASSIGN_OR_RETURN(auto sp, OpenSyncNode(home_option));
  out.node_id = sp->node->identity->node_id();
  QUN_ASSIGN_OR_RETURN(peer, sync::FindPeer(sp->node->store->db(), peer_name));
  out.first_sync = SyncPeer(*sp, context, peer, options);
  return out;
}

}  // namespace qun::node
