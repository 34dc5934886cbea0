#include "sync/server.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "base/i18n.h"
#include "core/hlc.h"
#include "sync/transport.h"

namespace qun::sync {
namespace {

constexpr char kZapEndpoint[] = "inproc://zeromq.zap.01";

// Refused change sets logged one by one in a sync; the rest are counted.
constexpr uint64_t kNotedPerSync = 10;

// A key of a LogLimit as the log names it: an address or a node, or the
// many that share one count.
std::string KeyText(const std::string& key) {
  return key == LogLimit::kOtherKey ? std::string(_("other addresses")) : key;
}

}  // namespace

struct SyncServer::Session {
  core::PublicKey peer{};
  std::unique_ptr<Replica> replica;
  std::vector<int64_t> to_send;
  size_t next = 0;
  uint32_t credit = 0;       // batches the client still accepts
  uint32_t outstanding = 0;  // batches sent and not yet answered with credit
  uint32_t granted = 0;      // batches the client may still send
  int64_t last_seen_ms = 0;
  int64_t started_ms = 0;
  uint64_t received = 0;
  Credit taken;        // what became of what the client sent
  uint64_t noted = 0;  // refused change sets it sent, logged up to kNotedPerSync
};

SyncServer::SyncServer(zmq::context_t& context, ServerOptions options, AdmitFn admit,
                       ReplicaFn replicas, LogFn log, LabelFn label, JoinFn join)
    : options_(std::move(options)),
      admit_(std::move(admit)),
      replicas_(std::move(replicas)),
      log_(std::move(log)),
      label_(std::move(label)),
      join_(std::move(join)),
      zap_(context, zmq::socket_type::rep),
      router_(context, zmq::socket_type::router),
      monitor_(context, zmq::socket_type::pair) {}

SyncServer::~SyncServer() {
  for (auto& [id, s] : sessions_) (void)s->replica->Finish();
  LogHeldBack(std::numeric_limits<int64_t>::max());  // what the last minute held back
}

Result<std::unique_ptr<SyncServer>> SyncServer::Start(zmq::context_t& context,
                                                      const core::Identity& me,
                                                      ServerOptions options, AdmitFn admit,
                                                      ReplicaFn replicas, LogFn log, LabelFn label,
                                                      JoinFn join) {
  QUN_RETURN_IF_ERROR(CheckAddress(options.listen, true));
  std::unique_ptr<SyncServer> server(new SyncServer(context, options, std::move(admit),
                                                    std::move(replicas), std::move(log),
                                                    std::move(label), std::move(join)));
  try {
    // The ZAP handler must be bound before the first CURVE socket: without
    // one, libzmq lets every client with any key in.
    server->zap_.set(zmq::sockopt::linger, 0);
    server->zap_.bind(kZapEndpoint);
  } catch (const zmq::error_t& e) {
    return Status::Internal(i18n::Format(_("cannot start the access check: {}"), e.what()));
  }
  zmq::socket_t& router = server->router_;
  QUN_RETURN_IF_ERROR(MakeCurveServer(router, me));
  try {
    SetLimits(router, 500);
    // A send to a client that has gone fails instead of vanishing, so its
    // session ends at once.
    router.set(zmq::sockopt::router_mandatory, 1);
    // Credit keeps a few batches in flight per client; these bounds are for
    // a client that ignores it, so that it cannot queue more than this.
    router.set(zmq::sockopt::sndhwm, 64);
    router.set(zmq::sockopt::rcvhwm, 64);
    router.set(zmq::sockopt::handshake_ivl, 10000);
    // Watched from before the first connection, so that every accepted
    // descriptor is known (see ConnectionLimit).
    static std::atomic<int> monitors{0};
    std::string monitor_endpoint = fmt::format("inproc://qun-server-monitor-{}", monitors++);
    if (zmq_socket_monitor(router.handle(), monitor_endpoint.c_str(),
                           ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0)
      throw zmq::error_t();
    // Events past the high-water mark would be dropped; a flood of
    // connections makes many, read every poll.
    server->monitor_.set(zmq::sockopt::rcvhwm, 100000);
    server->monitor_.set(zmq::sockopt::linger, 0);
    server->monitor_.connect(monitor_endpoint);
    SyncServer* self = server.get();
    server->connections_ = std::make_unique<ConnectionLimit>(
        ConnectionLimit::ForFdLimit(OpenFileLimit(), [self](const std::string& address) {
          if (self->closed_log_.Allow(address, core::SteadyClockMs()))
            self->log_(i18n::Format(
                _("closed a connection from {} that had not said who it is: too many such "
                  "connections were open"),
                address));
        }));
    router.bind(options.listen);
    server->endpoint_ = router.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    std::string why = e.num() == EADDRINUSE
                          ? _("the port is in use (is another `qun serve` or `qun relay` running? "
                              "choose another with --listen)")
                          : e.what();
    return Status::IOError(i18n::Format(_("cannot listen on {}: {}"), options.listen, why));
  }
  return server;
}

Status SyncServer::Run(const std::atomic<bool>& stop) {
  while (!stop.load()) QUN_RETURN_IF_ERROR(Poll(200));
  return Status::Ok();
}

Status SyncServer::Poll(int64_t timeout_ms) {
  zmq::pollitem_t items[] = {{zap_.handle(), 0, ZMQ_POLLIN, 0},
                             {router_.handle(), 0, ZMQ_POLLIN, 0},
                             {monitor_.handle(), 0, ZMQ_POLLIN, 0}};
  try {
    zmq::poll(items, 3, std::chrono::milliseconds(timeout_ms));
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR)
      return Status::Internal(i18n::Format(_("waiting for peers: {}"), e.what()));
  }
  // Connections first: shutting idle ones down frees descriptors for the
  // handshakes waiting behind them.
  if (items[2].revents & ZMQ_POLLIN) HandleConnections();
  if (items[0].revents & ZMQ_POLLIN) HandleZap();
  if (items[1].revents & ZMQ_POLLIN) {
    // Up to a bounded number at a time, so that the ZAP handler and the
    // sending side are never starved by one busy client.
    for (int i = 0; i < 64; ++i) {
      zmq::message_t id, body;
      if (!router_.recv(id, zmq::recv_flags::dontwait)) break;
      bool more = id.more();
      size_t frames = 1;
      if (more) {
        (void)router_.recv(body, zmq::recv_flags::dontwait);
        ++frames;
        more = body.more();
      }
      // A client speaks in single-frame messages; drain anything else.
      while (more) {
        zmq::message_t extra;
        if (!router_.recv(extra, zmq::recv_flags::dontwait)) break;
        ++frames;
        more = extra.more();
      }
      std::string routing_id = id.to_string();
      if (frames != 2) {
        Send(routing_id,
             Error{ErrorCode::kBadMessage, "a sync message is one frame; this qun sent several"});
        End(routing_id, _("sent a message of several frames"));
        continue;
      }
      const char* user = body.gets("User-Id");
      HandleMessage(routing_id, user ? user : "",
                    std::string_view(static_cast<const char*>(body.data()), body.size()));
    }
  }
  int64_t now = core::SteadyClockMs();
  LogHeldBack(now);
  std::vector<std::string> idle;
  for (auto& [id, s] : sessions_) {
    if (now - s->last_seen_ms > options_.idle_timeout_ms) idle.push_back(id);
  }
  for (const std::string& id : idle) End(id, _("stopped answering"));
  return Status::Ok();
}

void SyncServer::HandleConnections() {
  int64_t now = core::SteadyClockMs();
  while (auto e = ReadEvent(monitor_)) {
    int fd = static_cast<int>(e->value);
    if (e->event == ZMQ_EVENT_ACCEPTED)
      connections_->Accepted(fd, now);
    else if (e->event == ZMQ_EVENT_DISCONNECTED)
      connections_->Closed(fd);
  }
}

void SyncServer::HandleZap() {
  std::vector<zmq::message_t> request;
  while (true) {
    zmq::message_t part;
    if (!zap_.recv(part, zmq::recv_flags::dontwait)) break;
    bool more = part.more();
    request.push_back(std::move(part));
    if (!more) break;
  }
  // RFC 27: version, request id, domain, address, identity, mechanism,
  // credentials (the client's CURVE public key).
  std::string status = "400", text = "not a node allowed here", user;
  std::string version = request.size() > 0 ? request[0].to_string() : "1.0";
  std::string request_id = request.size() > 1 ? request[1].to_string() : "";
  std::string address = request.size() > 3 ? request[3].to_string() : "?";
  if (request.size() >= 7 && request[5].to_string() == "CURVE" && request[6].size() == 32) {
    core::Identity::CurveKey key{};
    std::memcpy(key.data(), request[6].data(), 32);
    auto who = admit_(key);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, key.data(), key.size());
    if (!who.ok()) {
      status = "500";
      text = "the access check failed";
      log_(i18n::Format(_("cannot check a connection from {}: {}"), address,
                        who.status().message()));
    } else if (who->kind == Admission::kMember) {
      status = "200";
      text = "OK";
      user = core::ToHex(who->node);
    } else if (who->kind == Admission::kGuest && join_) {
      // May only join with a code: HandleGuest takes nothing else.
      status = "200";
      text = "OK";
      user = std::string("guest:") + hex;
    } else if (who->kind == Admission::kTryLater && join_) {
      // A refusal would reach the joiner as "no code open here" (ZAP
      // carries only a status code, and libzmq drops a connection refused
      // with 300 silently): it is let in, to hear that it should come back.
      status = "200";
      text = "OK";
      user = std::string("busy:") + hex;
      if (refused_log_.Allow(address, core::SteadyClockMs()))
        log_(i18n::Format(_("turned away a node from {}: too many invite code tries this minute"),
                          address));
    } else if (refused_log_.Allow(address, core::SteadyClockMs())) {
      log_(i18n::Format(
          _("refused a connection from {}: network key {} is not of a node allowed here"), address,
          std::string(hex).substr(0, 16)));
    }
  } else if (refused_log_.Allow(address, core::SteadyClockMs())) {
    log_(
        i18n::Format(_("refused a connection from {}: it does not use qun's encryption"), address));
  }
  std::array<std::string, 6> reply{version, request_id, status, text, user, ""};
  try {
    for (size_t i = 0; i < reply.size(); ++i)
      zap_.send(zmq::buffer(reply[i]),
                i + 1 < reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  } catch (const zmq::error_t& e) {
    log_(i18n::Format(_("cannot answer an access check: {}"), e.what()));
  }
}

void SyncServer::HandleGuest(const std::string& routing_id, const std::string& curve_hex,
                             std::string_view bytes) {
  if (spent_guests_.count(routing_id)) return;
  if (spent_guests_.size() > 10000) spent_guests_.clear();
  spent_guests_.insert(routing_id);
  auto decoded = DecodeMessage(bytes);
  const Join* join = decoded.ok() ? std::get_if<Join>(&*decoded) : nullptr;
  if (!join) {
    Send(routing_id, Error{ErrorCode::kBadCode,
                           "this node does not know you yet: join with an invite code first"});
    return;
  }
  // The node id it names must be the one it connected as: the invite is
  // sealed to that id, and its change sets will be signed with it.
  auto curve = core::Identity::CurvePublicKey(join->node);
  if (!curve.ok() || core::ToHex(*curve) != curve_hex) {
    Send(routing_id, Error{ErrorCode::kBadMessage, "the node id does not match your key"});
    log_(i18n::Format(_("refused a join from {}: its node id is not its key"),
                      curve_hex.substr(0, 16)));
    return;
  }
  Error refuse{ErrorCode::kBadCode, ""};
  auto invite = join_(*join, /*member=*/false, &refuse);
  if (!invite.ok()) {
    if (refuse.message.empty())
      refuse = {ErrorCode::kInternal, "this node could not let you in; its log says why"};
    Send(routing_id, refuse);
    log_(i18n::Format(_("refused a join by {}: {}"), core::ToHex(join->node).substr(0, 8),
                      invite.status().message()));
    return;
  }
  spent_guests_.erase(routing_id);
  Send(routing_id, Invited{*invite});
  log_(i18n::Format(_("{} joined with an invite code"), label_(join->node)));
}

void SyncServer::HandleMessage(const std::string& routing_id, const std::string& user_id,
                               std::string_view bytes) {
  if (user_id.rfind("busy:", 0) == 0) {
    Send(routing_id,
         Error{ErrorCode::kBusy,
               "the inviter is turning away nodes it does not know for a minute, after too many "
               "tries with invite codes. Try again in a minute; your code still works"});
    return;
  }
  if (user_id.rfind("guest:", 0) == 0) {
    HandleGuest(routing_id, user_id.substr(6), bytes);
    return;
  }
  std::optional<core::PublicKey> node_id = core::PublicKeyFromHex(user_id);
  if (!node_id) {
    // Only admitted clients get this far; one without a node id is a bug.
    End(routing_id, _("arrived without a node id"));
    return;
  }
  const core::PublicKey& peer = *node_id;
  auto decoded = DecodeMessage(bytes);
  if (!decoded.ok()) {
    Send(routing_id, Error{ErrorCode::kBadMessage, decoded.status().message()});
    if (sessions_.count(routing_id)) {
      End(routing_id,
          i18n::Format(_("{} sent a damaged message ({} bytes)"), label_(peer), bytes.size()));
    } else {
      // No sync to end, and so no line saying why it ended: the message is
      // logged itself, a few a minute per node.
      if (damaged_log_.Allow(core::ToHex(peer), core::SteadyClockMs()))
        log_(i18n::Format(_("{} sent a damaged message ({} bytes) outside a sync: {}"),
                          label_(peer), bytes.size(), decoded.status().message()));
    }
    return;
  }
  Message& m = *decoded;
  if (auto* hello = std::get_if<Hello>(&m)) {
    OnHello(routing_id, peer, *hello);
    return;
  }
  auto it = sessions_.find(routing_id);
  if (auto* join = std::get_if<Join>(&m)) {
    // A member joining: the node whose answer to its join was lost asks
    // again with its code, and may only get that answer again.
    Error refuse{ErrorCode::kBadCode, ""};
    auto invite = join->node == peer && join_
                      ? join_(*join, /*member=*/true, &refuse)
                      : Result<std::string>(Status::Denied(_("its node id is not its key")));
    if (!invite.ok()) {
      if (refuse.message.empty())
        refuse = {ErrorCode::kBadMessage, "you are a node of this community already"};
      Send(routing_id, refuse);
      log_(i18n::Format(_("refused {} its invite again: {}"), label_(peer),
                        invite.status().message()));
      return;
    }
    Send(routing_id, Invited{*invite});
    log_(i18n::Format(_("{} asked for its invite again"), label_(peer)));
    return;
  }
  if (std::holds_alternative<Error>(m)) {
    if (it != sessions_.end())
      End(routing_id,
          i18n::Format(_("{} ended the sync: {}"), label_(peer), std::get<Error>(m).message));
    return;
  }
  if (it == sessions_.end() || it->second->peer != peer) {
    Send(routing_id, Error{ErrorCode::kNoSession,
                           "this node has no sync in progress with you (it may have restarted); "
                           "start again with hello"});
    return;
  }
  Session& s = *it->second;
  s.last_seen_ms = core::SteadyClockMs();
  if (auto* batch = std::get_if<Batch>(&m)) {
    if (batch->change_sets.empty() || batch->change_sets.size() > kBatchChangeSets) {
      Send(routing_id, Error{ErrorCode::kBadMessage,
                             fmt::format("a batch holds 1 to {} change sets", kBatchChangeSets)});
      End(routing_id, i18n::Format(_("{} sent a batch of {} change sets"), label_(peer),
                                   batch->change_sets.size()));
      return;
    }
    if (s.granted == 0) {
      Send(routing_id, Error{ErrorCode::kBadMessage, "a batch sent without credit"});
      End(routing_id, i18n::Format(_("{} sent a batch without credit"), label_(peer)));
      return;
    }
    --s.granted;
    std::vector<Received> notable;
    auto credit = s.replica->Take(batch->change_sets, &notable);
    if (!credit.ok()) {
      Send(routing_id, Error{ErrorCode::kInternal,
                             "the other node could not store what you sent; it logged why"});
      End(routing_id, i18n::Format(_("cannot take in change sets from {}: {}"), label_(peer),
                                   credit.status().message()));
      return;
    }
    s.received += batch->change_sets.size();
    s.taken.applied += credit->applied;
    s.taken.already_held += credit->already_held;
    s.taken.pending += credit->pending;
    s.taken.rejected += credit->rejected;
    // A few lines say what was wrong; a flood of bad change sets, however
    // long it goes on, does not become a flood of log lines. The line that
    // ends the sync counts them all.
    for (const Received& r : notable) {
      if (r.outcome != Outcome::kRejected && r.outcome != Outcome::kEquivocation) continue;
      ++s.noted;
      if (s.noted <= kNotedPerSync)
        log_(i18n::Format(_("from {0}: change set {1} of {2} {3}: {4}"), label_(peer), r.seq,
                          label_(r.author), C_("change set outcome", OutcomeName(r.outcome)),
                          r.reason));
      else if (s.noted == kNotedPerSync + 1)
        log_(i18n::Format(
            _("from {}: more change sets like these; the end of this sync counts them"),
            label_(peer)));
    }
    if (!Send(routing_id, *credit)) return;
    ++s.granted;
    Pump(s);
  } else if (auto* credit = std::get_if<Credit>(&m)) {
    // Credit answers one batch sent; any other is a client that does not
    // follow the protocol, and could make this node queue without bound.
    if (s.outstanding == 0) {
      Send(routing_id, Error{ErrorCode::kBadMessage, "credit for no batch"});
      End(routing_id, i18n::Format(_("{} sent credit it was not owed"), label_(peer)));
      return;
    }
    --s.outstanding;
    s.credit = std::min(s.credit + credit->batches, kCreditWindow);
    Pump(s);
  } else if (std::holds_alternative<Done>(m)) {
    if (s.next < s.to_send.size()) {
      End(routing_id, i18n::Format(_("{} said done before taking everything"), label_(peer)));
      return;
    }
    End(routing_id, "");
  }
}

void SyncServer::OnHello(const std::string& routing_id, const core::PublicKey& peer,
                         const Hello& hello) {
  // A second hello on one connection starts the sync again; a hello from a
  // node with a sync on another connection (it restarted, or opens many)
  // replaces that one: one sync per node at a time.
  if (sessions_.count(routing_id)) End(routing_id, _("started again"));
  std::string older;
  for (const auto& [id, other] : sessions_)
    if (other->peer == peer) older = id;
  if (!older.empty()) End(older, _("it started another"));
  if (hello.protocol_version != kProtocolVersion) {
    Send(routing_id,
         Error{ErrorCode::kProtocolVersion,
               fmt::format("this node speaks sync protocol {} and you speak {}: upgrade the "
                           "older qun of the two",
                           kProtocolVersion, hello.protocol_version)});
    log_(i18n::Format(_("refused {}: it speaks sync protocol {}, this node {}"), label_(peer),
                      hello.protocol_version, kProtocolVersion));
    return;
  }
  if (sessions_.size() >= options_.max_sessions) {
    Send(routing_id, Error{ErrorCode::kBusy,
                           "the other node is busy with other syncs; try "
                           "again in a minute"});
    return;
  }
  Error refuse;
  auto replica = replicas_(hello.community, &refuse);
  if (!replica.ok()) {
    Send(routing_id, refuse);
    log_(i18n::Format(_("refused {}: {}"), label_(peer), replica.status().message()));
    return;
  }
  auto session = std::make_unique<Session>();
  session->peer = peer;
  session->replica = std::move(*replica);
  session->credit = std::min(hello.credit, kCreditWindow);
  session->granted = kCreditWindow;
  session->started_ms = session->last_seen_ms = core::SteadyClockMs();
  auto heads = session->replica->ReadHeads();
  auto ids = heads.ok() ? session->replica->MissingIds(hello.heads)
                        : Result<std::vector<int64_t>>(heads.status());
  if (!ids.ok()) {
    Send(routing_id, Error{ErrorCode::kInternal,
                           "the other node cannot read its change sets; "
                           "it logged why"});
    log_(i18n::Format(_("cannot sync with {}: {}"), label_(peer), ids.status().message()));
    return;
  }
  session->to_send = std::move(*ids);
  Hello reply;
  reply.community = hello.community;
  reply.heads = std::move(*heads);
  reply.credit = kCreditWindow;
  reply.sending = session->to_send.size();
  reply.relay = session->replica->relay();
  if (!Send(routing_id, reply)) return;
  Session& s = *session;
  sessions_[routing_id] = std::move(session);
  Pump(s);
}

bool SyncServer::Pump(Session& s) {
  std::string routing_id;
  for (const auto& [id, p] : sessions_)
    if (p.get() == &s) routing_id = id;
  while (s.credit > 0 && s.next < s.to_send.size()) {
    Batch batch;
    size_t bytes = 0;
    while (s.next < s.to_send.size() && batch.change_sets.size() < kBatchChangeSets &&
           (batch.change_sets.empty() || bytes < kBatchBytes)) {
      auto cs = s.replica->ChangeSetBytes(s.to_send[s.next]);
      if (!cs.ok()) {
        Send(routing_id, Error{ErrorCode::kInternal,
                               "a change set vanished while it was being sent; sync again"});
        End(routing_id,
            i18n::Format(_("cannot send to {}: {}"), label_(s.peer), cs.status().message()));
        return false;
      }
      bytes += cs->size();
      batch.change_sets.push_back(std::move(*cs));
      ++s.next;
    }
    if (!Send(routing_id, batch)) return false;
    --s.credit;
    ++s.outstanding;
  }
  return true;
}

bool SyncServer::Send(const std::string& routing_id, const Message& m) {
  std::string bytes = EncodeMessage(m);
  try {
    if (router_.send(zmq::buffer(routing_id),
                     zmq::send_flags::sndmore | zmq::send_flags::dontwait) &&
        router_.send(zmq::buffer(bytes), zmq::send_flags::dontwait))
      return true;
  } catch (const zmq::error_t&) {
    // EHOSTUNREACH: the client has gone (router_mandatory).
  }
  if (sessions_.count(routing_id)) End(routing_id, _("the other side went away"));
  return false;
}

void SyncServer::LogHeldBack(int64_t now_ms) {
  for (const auto& [address, count] : refused_log_.Expire(now_ms))
    log_(i18n::Format(P_("refused {} more connection from {} in the last minute",
                         "refused {} more connections from {} in the last minute", count),
                      count, KeyText(address)));
  for (const auto& [address, count] : closed_log_.Expire(now_ms))
    log_(i18n::Format(P_("closed {} more connection from {} that had not said who it is, in the "
                         "last minute",
                         "closed {} more connections from {} that had not said who they are, in "
                         "the last minute",
                         count),
                      count, KeyText(address)));
  for (const auto& [key, count] : damaged_log_.Expire(now_ms)) {
    std::string who = KeyText(key);
    if (std::optional<core::PublicKey> node = core::PublicKeyFromHex(key)) who = label_(*node);
    log_(i18n::Format(
        P_("{} sent {} more damaged message outside a sync in the last minute",
           "{} sent {} more damaged messages outside a sync in the last minute", count),
        who, count));
  }
}

void SyncServer::End(const std::string& routing_id, const std::string& why) {
  auto it = sessions_.find(routing_id);
  if (it == sessions_.end()) return;
  Session& s = *it->second;
  // Forgetting strangers' change sets looks at all that are pending; while
  // another sync runs, some of those may wait for an invite it brings.
  Status finished = sessions_.size() == 1 ? s.replica->Finish() : Status::Ok();
  double seconds = (core::SteadyClockMs() - s.started_ms) / 1000.0;
  std::string taken = i18n::Format(_("{} applied"), s.taken.applied);
  if (s.taken.pending) taken += i18n::Format(_(", {} held back"), s.taken.pending);
  if (s.taken.rejected) taken += i18n::Format(_(", {} refused"), s.taken.rejected);
  std::string line = i18n::Format(_("synced with {}: sent {}, received {} ({}) in {:.1f} s"),
                                  label_(s.peer), s.next, s.received, taken, seconds);
  if (!why.empty()) {
    line = i18n::Format(_("sync with {} stopped ({}): sent {}, received {}"), label_(s.peer), why,
                        s.next, s.received);
    if (s.taken.rejected) line += i18n::Format(_(" ({} refused)"), s.taken.rejected);
  }
  if (!finished.ok()) line += i18n::Format(_("; tidying up failed: {}"), finished.message());
  log_(line);
  sessions_.erase(it);
}

}  // namespace qun::sync
