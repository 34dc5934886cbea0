// The peers a node syncs with (`qun peer add|list|remove`), and what the
// last sync with each left behind: when, how it went, and the peer's version
// vector then, from which `qun status` tells how far behind it is.
//
// Peers are this node's own settings (core/sql/004_peers.sql): they never
// travel and are not in the op log.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "core/db.h"
#include "core/identity.h"
#include "sync/change_set_store.h"

namespace qun::sync {

struct Peer {
  std::string name;
  std::string address;
  core::PublicKey key{};
  int64_t added_at_ms = 0;
  std::optional<int64_t> last_attempt_ms, last_sync_ms;
  std::optional<std::string> last_error;
  int64_t failures = 0;
  std::optional<VersionVector> vector;  // theirs, after the last sync
  bool relay = false;
  int64_t sent = 0, received = 0;
};

// Checks a peer name: a short word people can type (letters of any script,
// digits, '-', '_', '.'); InvalidArgument saying so otherwise.
Status CheckPeerName(const std::string& name);
// Node ids given with --key are parsed with ParseNodeId (sync/invite.h).

Status AddPeer(core::Database& db, const Peer& peer);
// NotFound, naming the peers there are, when there is no such peer.
Status RemovePeer(core::Database& db, const std::string& name);
Result<std::vector<Peer>> ListPeers(core::Database& db);
Result<Peer> FindPeer(core::Database& db, const std::string& name);

// Records a sync that finished: their vector, counts, and no error.
Status RecordSync(core::Database& db, const std::string& name, const VersionVector& theirs,
                  bool relay, int64_t sent, int64_t received);
// Records a failed try: the error, one more failure in a row.
Status RecordFailure(core::Database& db, const std::string& name, const std::string& error);

// How many change sets this node holds that `theirs` lacks.
uint64_t Behind(const VersionVector& mine, const VersionVector& theirs);


}  // namespace qun::sync
