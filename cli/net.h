// What the network commands share (cmd_net.cc: peer, sync; cmd_serve.cc:
// serve, relay; cmd_node.cc: status).
#pragma once

#include <atomic>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "cli/app.h"
#include "node/serve.h"
#include "sync/client.h"
#include "sync/peers.h"

namespace qun::cli {

// Set by SIGINT or SIGTERM once CatchStopSignals() has run.
extern std::atomic<bool> g_stop;
void CatchStopSignals();

// Prints one log line of a long-running command, with the local time.
// Safe from several threads.
void LogLine(const std::string& line);

// "60s", "5m", "1h" or a number of seconds, in milliseconds.
Result<int64_t> ParseDurationMs(const std::string& text);

// Syncing with one peer, and its summary line (node/serve.h).
using node::SyncPeer;
inline std::string Summary(const std::string& name, const sync::SyncReport& r) {
  return node::SyncSummary(name, r);
}

nlohmann::json PeerJson(const sync::Peer& p, const std::optional<sync::VersionVector>& mine);
// How `qun status` shows a peer: last sync, how far behind, last error.
std::string PeerStatusLine(const sync::Peer& p, const sync::VersionVector& mine);

void AddServeCommand(App& app);  // serve
void AddRelayCommand(App& app);  // relay

}  // namespace qun::cli
