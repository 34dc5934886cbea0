// The serving side of network sync: one ZeroMQ ROUTER socket, many clients
// at once, each in its own session.
//
// Every connection is CURVE-encrypted with this node's key. Before any data
// moves, a ZAP handler (served on the same loop) asks `admit` whether the
// client's key belongs to a node allowed here; everyone else is refused and
// logged (a few lines a minute per address, then one line counting the
// rest). A session starts with the client's hello, streams what the client
// lacks within the credit it grants, takes in the client's batches (each
// committed before credit goes back), and ends with the client's done.
// Sessions idle for longer than the idle timeout are forgotten; a client
// that comes back starts again from hello and, everything taken so far being
// committed, continues where it stopped.
//
// Connections still in their handshake are bounded per address and in all
// (see ConnectionLimit), so that idle connections cannot use up this
// process's file descriptors; the zmq context must have one I/O thread.
//
// Single-threaded: Run() serves until `stop` is set, looking at it at least
// every 200 ms. Nothing a client sends can make it throw or block: bad
// messages get an Error answer and end that client's session only.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <zmq.hpp>

#include "base/status.h"
#include "core/identity.h"
#include "sync/connection_limit.h"
#include "sync/log_limit.h"
#include "sync/protocol.h"
#include "sync/replica.h"

namespace qun::sync {

// Lines a minute about refused connections from one address, and about
// damaged messages from one node outside a sync; the rest are counted.
constexpr size_t kLogLinesPerMinute = 5;

struct ServerOptions {
  std::string listen = "tcp://*:7447";
  int64_t idle_timeout_ms = 60000;
  size_t max_sessions = 64;
};

class SyncServer {
 public:
  // Who a connecting client is, by its network key: a node allowed here, a
  // guest (a node that may only join with an invite code), or refused.
  struct Admission {
    // kTryLater: a would-be guest while this node takes no more tries for
    // now. It is let in only to be told `busy` (try again in a minute):
    // a refused handshake would tell it nothing, and it gets no try.
    enum Kind { kRefused, kMember, kGuest, kTryLater } kind = kRefused;
    core::PublicKey node{};  // for a member
  };
  using AdmitFn = std::function<Result<Admission>(const core::Identity::CurveKey&)>;
  // Answers a `join` with an invite code (its node id already checked
  // against the key it connected with): the invite sealed to it, or an
  // Error to refuse it. `member` says it came on a member's connection (a
  // node whose answer to its join was lost asks again): then only the invite
  // already delivered for a code spent on that node may be sent again.
  using JoinFn = std::function<Result<std::string>(const Join& join, bool member, Error* refuse)>;
  // The replica a hello for `community` syncs with; an Error to refuse it.
  using ReplicaFn =
      std::function<Result<std::unique_ptr<Replica>>(const CommunityId& community, Error* refuse)>;
  // Where log lines go (one line each, no newline).
  using LogFn = std::function<void(const std::string&)>;
  // Names a node in log lines.
  using LabelFn = std::function<std::string(const core::PublicKey&)>;

  static Result<std::unique_ptr<SyncServer>> Start(zmq::context_t& context,
                                                   const core::Identity& me, ServerOptions options,
                                                   AdmitFn admit, ReplicaFn replicas, LogFn log,
                                                   LabelFn label, JoinFn join = nullptr);
  ~SyncServer();

  // The endpoint bound, with the port filled in when `listen` asked for any.
  const std::string& endpoint() const { return endpoint_; }
  size_t sessions() const { return sessions_.size(); }

  Status Run(const std::atomic<bool>& stop);
  // Serves what arrives within `timeout_ms`, then returns.
  Status Poll(int64_t timeout_ms);

 private:
  struct Session;
  SyncServer(zmq::context_t& context, ServerOptions options, AdmitFn admit, ReplicaFn replicas,
             LogFn log, LabelFn label, JoinFn join);
  void HandleGuest(const std::string& routing_id, const std::string& curve_hex,
                   std::string_view bytes);
  void HandleZap();
  void HandleConnections();
  void HandleMessage(const std::string& routing_id, const std::string& user_id,
                     std::string_view bytes);
  void OnHello(const std::string& routing_id, const core::PublicKey& peer, const Hello& hello);
  // Sends what the session's credit allows; false when the client is gone.
  bool Pump(Session& s);
  bool Send(const std::string& routing_id, const Message& m);
  void End(const std::string& routing_id, const std::string& why);
  // Logs the summaries of the log limits' minutes that have ended.
  void LogHeldBack(int64_t now_ms);

  ServerOptions options_;
  AdmitFn admit_;
  ReplicaFn replicas_;
  LogFn log_;
  LabelFn label_;
  JoinFn join_;
  zmq::socket_t zap_;
  zmq::socket_t router_;
  zmq::socket_t monitor_;  // the router's accepted and closed connections
  std::unique_ptr<ConnectionLimit> connections_;
  std::string endpoint_;
  std::map<std::string, std::unique_ptr<Session>> sessions_;
  // Guest connections that tried a code and failed: one try per connection,
  // so that trying many costs a connection (and a handshake) each.
  std::set<std::string> spent_guests_;
  // A stranger's ZeroMQ socket retries every 100 ms, and a member's broken
  // qun may send junk as fast: a few lines a minute per address (per node)
  // say what happens, one more line counts the rest.
  LogLimit refused_log_{kLogLinesPerMinute, 60'000};
  LogLimit damaged_log_{kLogLinesPerMinute, 60'000};
  LogLimit closed_log_{kLogLinesPerMinute, 60'000};  // see ConnectionLimit
};

}  // namespace qun::sync
