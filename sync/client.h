// The syncing side of network sync: one DEALER socket to one peer (a node
// or a relay), one sync at a time.
//
// SyncWith() says hello with this node's heads, streams what the peer lacks
// within the credit it grants, takes in what the peer streams (each batch
// committed before credit goes back), and ends with done once both streams
// are finished and the peer has taken in everything sent. If the connection
// drops mid-sync (the peer restarted), it starts again from hello, up to
// `attempts` times; what was taken before is kept, so a new start continues
// where the last one stopped.
//
// Every wait has a deadline: a peer that is not there, refuses this node,
// has another key than the one given, speaks another protocol version, is
// of another community or stops answering ends the sync with a Status that
// says which, and what to do.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "base/status.h"
#include "core/identity.h"
#include "sync/protocol.h"
#include "sync/replica.h"

namespace qun::sync {

struct ClientOptions {
  // How long to wait for the peer at any point (to connect, or for its next
  // message).
  int64_t timeout_ms = 20000;
  int attempts = 3;
  // Called as change sets move: (sent so far, to send, received so far, to
  // receive).
  std::function<void(uint64_t, uint64_t, uint64_t, uint64_t)> progress;
  // When set and true, the sync stops at its next wait (qun serve stopping).
  const std::atomic<bool>* stop = nullptr;
};

struct SyncReport {
  uint64_t sent = 0, received = 0;
  Credit taken;       // what became of what this node received
  Credit peer_taken;  // what became of what it sent, as the peer reported
  uint64_t bytes_sent = 0, bytes_received = 0;
  bool peer_is_relay = false;
  Heads hello_heads;              // this node's heads at hello: what the peer was sent
  Heads peer_heads;               // the peer's heads at hello
  Heads final_heads;              // this node's heads at done
  std::vector<Received> notable;  // change sets received and not applied
  int attempts = 0;
  int64_t elapsed_ms = 0;
};

// `peer_name` names the peer in messages ("bob at tcp://...").
Result<SyncReport> SyncWith(zmq::context_t& context, const core::Identity& me,
                            const CommunityId& community, Replica& mine,
                            const std::string& endpoint, const core::PublicKey& peer_key,
                            const std::string& peer_name, const ClientOptions& options);

// Joins with an invite code: connects to the inviter (whose node id the
// code gives), sends `join` and returns the invite it answers with. Denied
// with the inviter's reason when the code is wrong, used or expired.
Result<std::string> RedeemInviteCode(zmq::context_t& context, const core::Identity& me,
                                     const std::string& endpoint, const core::PublicKey& inviter,
                                     const std::string& peer_name, const Join& join,
                                     const ClientOptions& options);

}  // namespace qun::sync
