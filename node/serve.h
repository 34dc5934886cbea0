// A node's long-running side: syncing with one peer, serving (others sync
// with it, and it syncs with its peers on a schedule), and running a relay.
// Every front end that keeps a node online (`qun serve`, `qun relay`, a web
// console) runs these, so that all of them admit, answer and gossip alike.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <zmq.hpp>

#include "base/status.h"
#include "node/sync_node.h"
#include "sync/client.h"
#include "sync/peers.h"

namespace qun::node {

// Where the lines of a long-running node go (one event each). Called from
// more than one thread: it must be safe to.
using LogFn = std::function<void(const std::string&)>;

// Syncs with one peer and records how it went in the peer table (a failure
// too, unless the sync was stopped on purpose through options.stop).
Result<sync::SyncReport> SyncPeer(SyncNode& s, zmq::context_t& context, const sync::Peer& peer,
                                  const sync::ClientOptions& options);

// One line of a sync's summary ("Synced with bob: sent 3, received 5, ...").
std::string SyncSummary(const std::string& name, const sync::SyncReport& r);

struct ServeOptions {
  std::string listen = "tcp://*:7447";
  int64_t sync_every_ms = 60'000;  // 0: only serve
  int64_t timeout_ms = 20'000;     // waiting for a peer at any point
};

// Serves the node of `home_option` until `stop`: members sync with it,
// strangers only join with an open invite code (a few a minute); and, every
// sync_every_ms, it syncs with each peer whose turn has come (a peer that
// failed k times in a row waits 2^k times as long, at most an hour).
Status Serve(const std::string& home_option, const ServeOptions& options, std::atomic<bool>& stop,
             const LogFn& log);

struct RelayOptions {
  std::string listen = "tcp://*:7447";
  std::string allow_file;  // node ids allowed to connect, one per line
};

// Runs a relay in `home_option` until `stop`: it stores and forwards change
// sets it cannot read for the nodes its allow file names, and reads that
// file again whenever it changes.
Status RunRelay(const std::string& home_option, const RelayOptions& options,
                std::atomic<bool>& stop, const LogFn& log);

}  // namespace qun::node
