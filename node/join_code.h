// Joining a community with an invite code (`qun join CODE`): the code's
// secret goes to the inviter over the network, the invite it answers with
// is taken in, and the inviter becomes this node's first peer, with whom it
// syncs at once.
#pragma once

#include <string>

#include "base/status.h"
#include "sync/client.h"
#include "sync/invite.h"

namespace qun::node {

struct CodeJoin {
  sync::Invite invite;  // as taken in
  std::string node_id;  // this node's
  std::string address;  // the inviter's, now peer `peer_name`
  Result<sync::SyncReport> first_sync = Status::Internal("no sync yet");
};

// Makes the node in `home_option` first when there is none (`admin` its
// name, empty: the login name). Fails, changing nothing, when the code is
// malformed or expired, the node already belongs to a community, or the
// inviter refuses; once joined, a failed first sync is reported in
// first_sync, not as a failure of the join.
Result<CodeJoin> JoinWithCode(const std::string& home_option, const std::string& code_text,
                              const std::string& admin, const std::string& peer_name,
                              int64_t timeout_ms);

}  // namespace qun::node
