// ZeroMQ sockets as Qun uses them: CURVE on every connection, keys bound to
// node identities, bounded message sizes, and nothing that can block for
// ever. Shared by the server (sync/server.h) and the client (sync/client.h).
#pragma once

#include <optional>
#include <string>
#include <zmq.hpp>

#include "base/status.h"
#include "core/identity.h"

namespace qun::sync {

// The ZAP domain Qun's servers authenticate in.
constexpr char kZapDomain[] = "qun";

// Makes `socket` a CURVE server with this node's key. Call before bind.
Status MakeCurveServer(zmq::socket_t& socket, const core::Identity& me);
// Makes `socket` a CURVE client of the node `server`, as `me`. Call before
// connect.
Status MakeCurveClient(zmq::socket_t& socket, const core::Identity& me,
                       const core::PublicKey& server);

// Limits every Qun socket gets: the largest message taken, no lingering
// after close beyond `linger_ms`.
void SetLimits(zmq::socket_t& socket, int linger_ms);

// An event of a socket monitor (zmq_socket_monitor).
struct SocketEvent {
  uint16_t event = 0;
  uint32_t value = 0;
  std::string endpoint;
};
// Reads one event from a monitor's PAIR socket without waiting.
std::optional<SocketEvent> ReadEvent(zmq::socket_t& monitor);

// Parses "tcp://HOST:PORT" (what `qun peer add` and `--listen` take);
// InvalidArgument, saying what is expected, for anything else.
Status CheckAddress(const std::string& address, bool for_listen);

// Raises this process's soft limit on open files to its hard limit (a
// desktop's soft limit is often 1,024, its hard limit far higher), so that
// a server holds many connections; returns the soft limit now in force.
uint64_t RaiseOpenFileLimit();
// The soft limit on open files in force.
uint64_t OpenFileLimit();


}  // namespace qun::sync
