#include "sync/client.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "base/i18n.h"
#include "core/hlc.h"
#include "sync/transport.h"

namespace qun::sync {
namespace {

// Why one attempt ended: done, or a failure that another attempt may cure
// (the connection dropped) or not.
struct Attempt {
  Status status;
  bool retry = false;
  bool refused = false;  // the peer's access check turned this node away
};

Status FromError(const Error& e, const std::string& peer) {
  switch (e.code) {
    case ErrorCode::kProtocolVersion:
      return Status::Incompatible(
          i18n::Format(_("{} cannot sync with this node: {}"), peer, e.message));
    case ErrorCode::kOtherCommunity:
      return Status::Denied(i18n::Format(_("{} is not of this community: {}"), peer, e.message));
    case ErrorCode::kBadCode:
      return Status::Denied(i18n::Format(_("{} refused this node: {}"), peer, e.message));
    case ErrorCode::kBusy:
      return Status::Unreachable(fmt::format("{}: {}", peer, e.message));
    case ErrorCode::kBadMessage:
      return Status::Corruption(
          i18n::Format(_("{} could not read this node's message: {}"), peer, e.message));
    default:
      return Status::Internal(i18n::Format(_("{} failed: {}"), peer, e.message));
  }
}

class Session {
 public:
  Session(zmq::context_t& context, const core::Identity& me, const CommunityId& community,
          Replica* mine, const std::string& endpoint, const core::PublicKey& peer_key,
          const std::string& peer_name, const ClientOptions& options, SyncReport& report)
      : me_(me),
        community_(community),
        mine_(mine),
        endpoint_(endpoint),
        peer_key_(peer_key),
        peer_(peer_name),
        options_(options),
        report_(report),
        socket_(context, zmq::socket_type::dealer),
        monitor_(context, zmq::socket_type::pair) {}

  void DropQueued() { socket_.set(zmq::sockopt::linger, 0); }

  // Connects, sends `m` and waits for one answer (a join).
  Attempt Request(const Message& m, Message* reply) {
    Status st = Connect();
    if (!st.ok()) return {st, false};
    if (Attempt a = Send(m); !a.status.ok()) return a;
    return Receive(reply);
  }

  Attempt Run() {
    Status st = Connect();
    if (!st.ok()) return {st, false};
    auto heads = mine_->ReadHeads();
    if (!heads.ok()) return {heads.status(), false};
    Hello hello;
    hello.community = community_;
    hello.heads = std::move(*heads);
    report_.hello_heads = hello.heads;
    if (Attempt a = Send(hello); !a.status.ok()) return a;
    // The peer's hello.
    Message reply;
    if (Attempt a = Receive(&reply); !a.status.ok()) return a;
    if (auto* e = std::get_if<Error>(&reply))
      return {FromError(*e, peer_), e->code == ErrorCode::kNoSession};
    auto* their = std::get_if<Hello>(&reply);
    if (!their)
      return {Status::Corruption(i18n::Format(_("{} did not answer with hello"), peer_)), false};
    if (their->protocol_version != kProtocolVersion)
      return {Status::Incompatible(i18n::Format(_("{} speaks sync protocol {}, this node {}: "
                                                  "upgrade the older qun of the two"),
                                                peer_, their->protocol_version, kProtocolVersion)),
              false};
    if (their->community != community_)
      return {Status::Denied(i18n::Format(_("{} answered for another community"), peer_)), false};
    report_.peer_is_relay = their->relay;
    report_.peer_heads = their->heads;
    auto ids = mine_->MissingIds(their->heads);
    if (!ids.ok()) return {ids.status(), false};
    std::vector<int64_t> to_send = std::move(*ids);
    uint64_t to_receive = their->sending;
    uint32_t credit = std::min(their->credit, kCreditWindow);
    size_t next = 0;
    uint64_t sent = 0, received = 0;
    int outstanding = 0;  // batches sent and not yet acknowledged
    auto progress = [&] {
      if (options_.progress)
        options_.progress(report_.sent + sent, report_.sent + to_send.size(),
                          report_.received + received, report_.received + to_receive);
    };
    while (true) {
      while (credit > 0 && next < to_send.size()) {
        Batch batch;
        size_t bytes = 0;
        while (next < to_send.size() && batch.change_sets.size() < kBatchChangeSets &&
               (batch.change_sets.empty() || bytes < kBatchBytes)) {
          auto cs = mine_->ChangeSetBytes(to_send[next]);
          if (!cs.ok()) return {cs.status(), false};
          bytes += cs->size();
          batch.change_sets.push_back(std::move(*cs));
          ++next;
        }
        size_t in_batch = batch.change_sets.size();
        if (Attempt a = Send(batch); !a.status.ok()) {
          report_.sent += sent;
          report_.received += received;
          return a;
        }
        sent += in_batch;
        --credit;
        ++outstanding;
        progress();
      }
      if (next == to_send.size() && outstanding == 0 && received >= to_receive) break;
      Message m;
      if (Attempt a = Receive(&m); !a.status.ok()) {
        report_.sent += sent;
        report_.received += received;
        return a;
      }
      if (auto* batch = std::get_if<Batch>(&m)) {
        // The peer said in its hello how many it sends: a peer that sends
        // more (or a batch larger than any) would otherwise stream without
        // end.
        if (batch->change_sets.size() > kBatchChangeSets ||
            received + batch->change_sets.size() > to_receive) {
          (void)Send(Error{ErrorCode::kBadMessage, "more change sets than your hello announced"});
          report_.sent += sent;
          report_.received += received;
          return {Status::Corruption(i18n::Format(
                      _("{} sent more change sets than the {} it announced; the sync was stopped "
                        "there (what came before is kept). If it goes on, its qun is faulty: ask "
                        "its admin to update it"),
                      peer_, to_receive)),
                  false};
        }
        std::vector<Received> notable;
        auto taken = mine_->Take(batch->change_sets, &notable);
        if (!taken.ok()) {
          (void)Send(Error{ErrorCode::kInternal, "the other node could not store what you sent"});
          return {taken.status(), false};
        }
        received += batch->change_sets.size();
        Add(*taken, &report_.taken);
        for (Received& r : notable) report_.notable.push_back(std::move(r));
        if (Attempt a = Send(*taken); !a.status.ok()) return a;
        progress();
      } else if (auto* c = std::get_if<Credit>(&m)) {
        if (outstanding == 0)
          return {Status::Corruption(i18n::Format(_("{} sent credit it did not owe"), peer_)),
                  false};
        --outstanding;
        credit = std::min(credit + c->batches, kCreditWindow);
        Add(*c, &report_.peer_taken);
      } else if (auto* e = std::get_if<Error>(&m)) {
        report_.sent += sent;
        report_.received += received;
        return {FromError(*e, peer_), e->code == ErrorCode::kNoSession};
      } else {
        return {Status::Corruption(i18n::Format(_("{} sent a message out of turn"), peer_)), false};
      }
    }
    report_.sent += sent;
    report_.received += received;
    auto final_heads = mine_->ReadHeads();
    if (!final_heads.ok()) return {final_heads.status(), false};
    report_.final_heads = std::move(*final_heads);
    Done done{report_.final_heads};
    if (Attempt a = Send(done); !a.status.ok()) return a;
    return {Status::Ok(), false};
  }

 private:
  static void Add(const Credit& c, Credit* total) {
    total->applied += c.applied;
    total->already_held += c.already_held;
    total->pending += c.pending;
    total->rejected += c.rejected;
  }

  Status Connect() {
    static std::atomic<int> monitors{0};
    std::string monitor_endpoint = fmt::format("inproc://qun-client-monitor-{}", monitors++);
    QUN_RETURN_IF_ERROR(MakeCurveClient(socket_, me_, peer_key_));
    try {
      // Linger long enough for done to leave after a sync; a peer that is
      // gone costs no more than that.
      SetLimits(socket_, 2000);
      socket_.set(zmq::sockopt::handshake_ivl, static_cast<int>(options_.timeout_ms));
      if (zmq_socket_monitor(socket_.handle(), monitor_endpoint.c_str(), ZMQ_EVENT_ALL) != 0)
        return Status::Internal(_("cannot watch the connection"));
      monitor_.connect(monitor_endpoint);
      socket_.connect(endpoint_);
    } catch (const zmq::error_t& e) {
      return Status::InvalidArgument(i18n::Format(_("cannot connect to {}: {}"), peer_, e.what()));
    }
    return Status::Ok();
  }

  Attempt Send(const Message& m) {
    std::string bytes = EncodeMessage(m);
    int64_t deadline = core::SteadyClockMs() + options_.timeout_ms;
    while (true) {
      try {
        if (socket_.send(zmq::buffer(bytes), zmq::send_flags::dontwait)) {
          report_.bytes_sent += bytes.size();
          return {Status::Ok(), false};
        }
      } catch (const zmq::error_t& e) {
        return {Status::Internal(i18n::Format(_("cannot send to {}: {}"), peer_, e.what())), false};
      }
      // The queue is full: wait for room, watching the connection.
      if (Attempt a = Wait(deadline, ZMQ_POLLOUT); !a.status.ok()) return a;
    }
  }

  Attempt Receive(Message* out) {
    int64_t deadline = core::SteadyClockMs() + options_.timeout_ms;
    while (true) {
      zmq::message_t msg;
      if (socket_.recv(msg, zmq::recv_flags::dontwait)) {
        report_.bytes_received += msg.size();
        if (msg.more())
          return {Status::Corruption(i18n::Format(_("{} sent a message of several frames"), peer_)),
                  false};
        auto m = DecodeMessage(std::string_view(static_cast<const char*>(msg.data()), msg.size()));
        if (!m.ok()) return {m.status().WithContext(i18n::Format(_("from {}"), peer_)), false};
        *out = std::move(*m);
        return {Status::Ok(), false};
      }
      if (Attempt a = Wait(deadline, ZMQ_POLLIN); !a.status.ok()) return a;
    }
  }

  // Waits until the socket is ready for `events`, the connection fails, or
  // the deadline passes.
  Attempt Wait(int64_t deadline, short events) {
    zmq::pollitem_t items[] = {{socket_.handle(), 0, events, 0},
                               {monitor_.handle(), 0, ZMQ_POLLIN, 0}};
    if (options_.stop && options_.stop->load())
      return {Status::Unreachable(i18n::Format(_("the sync with {} was stopped"), peer_)), false};
    int64_t left = deadline - core::SteadyClockMs();
    if (left <= 0) return TimedOut();
    try {
      zmq::poll(items, 2, std::chrono::milliseconds(std::min<int64_t>(left, 200)));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) return {Status::Internal(e.what()), false};
    }
    while (auto e = ReadEvent(monitor_)) {
      switch (e->event) {
        case ZMQ_EVENT_CONNECTED:
          connected_ = true;
          break;
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
          handshaken_ = true;
          break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
          if (e->value != 400)  // the peer's access check itself failed
            return {Status::Unreachable(i18n::Format(
                        _("{} could not check whether this node may connect (its log says why); "
                          "try again later"),
                        peer_)),
                    false};
          return {Status::Denied(i18n::Format(
                      _("{} refused this node (node id {}). If it is a node of your community, "
                        "it has not seen your invite yet: sync first with the admin who invited "
                        "you. If it is a relay, ask its operator to add your node id to its "
                        "allow file"),
                      peer_, me_.node_id())),
                  false, /*refused=*/true};
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
          // The connection closed during the handshake: most often because
          // the peer could not decrypt this node's hello (it does not hold
          // the key it was added with), but also when it was restarting,
          // too busy, or not a qun node. Only repeated drops say which.
          if (connected_ && ++early_drops_ >= 3) return WrongKey();
          break;
        case ZMQ_EVENT_DISCONNECTED:
          if (handshaken_)
            return {Status::Unreachable(i18n::Format(_("the connection to {} dropped"), peer_)),
                    true};
          break;
        default:
          break;
      }
    }
    if (core::SteadyClockMs() >= deadline && !(items[0].revents & events)) return TimedOut();
    return {Status::Ok(), false};
  }

  Attempt WrongKey() {
    return {Status::Denied(i18n::Format(
                _("the encrypted handshake with {} failed again and again: it most likely does "
                  "not hold the key it was added with (or it is not a qun node). Check the key "
                  "with its admin (their `qun status --verbose` shows it) and run `qun peer add` "
                  "again. If the key is right, the network between you is cutting connections: "
                  "try again later"),
                peer_)),
            false};
  }

  Attempt TimedOut() {
    double s = options_.timeout_ms / 1000.0;
    if (!connected_)
      return {Status::Unreachable(i18n::Format(
                  _("cannot reach {}: nothing answered in {:.0f} s. Is `qun serve` (or `qun "
                    "relay`) running there, and is the address right?"),
                  peer_, s)),
              false};
    return {Status::Unreachable(
                i18n::Format(_("{} stopped answering (nothing for {:.0f} s)"), peer_, s)),
            handshaken_};
  }

  const core::Identity& me_;
  const CommunityId& community_;
  Replica* mine_;  // null for a join
  const std::string& endpoint_;
  const core::PublicKey& peer_key_;
  const std::string& peer_;
  const ClientOptions& options_;
  SyncReport& report_;
  zmq::socket_t socket_;
  zmq::socket_t monitor_;
  bool connected_ = false, handshaken_ = false;
  int early_drops_ = 0;
};

}  // namespace

Result<SyncReport> SyncWith(zmq::context_t& context, const core::Identity& me,
                            const CommunityId& community, Replica& mine,
                            const std::string& endpoint, const core::PublicKey& peer_key,
                            const std::string& peer_name, const ClientOptions& options) {
  QUN_RETURN_IF_ERROR(CheckAddress(endpoint, false));
  SyncReport report;
  int64_t start = core::SteadyClockMs();
  Status last;
  for (int attempt = 1; attempt <= std::max(1, options.attempts); ++attempt) {
    report.attempts = attempt;
    Attempt a;
    {
      Session session(context, me, community, &mine, endpoint, peer_key, peer_name, options,
                      report);
      a = session.Run();
      // Only a finished sync has something worth lingering for (its done).
      if (!a.status.ok()) session.DropQueued();
    }
    Status finished = mine.Finish();
    if (a.status.ok()) {
      QUN_RETURN_IF_ERROR(finished);
      report.elapsed_ms = core::SteadyClockMs() - start;
      return report;
    }
    last = a.status;
    if (!a.retry) break;
    // The peer may be restarting: give it a moment before saying hello again.
    std::this_thread::sleep_for(std::chrono::milliseconds(300 * attempt));
  }
  return last;
}

Result<std::string> RedeemInviteCode(zmq::context_t& context, const core::Identity& me,
                                     const std::string& endpoint, const core::PublicKey& inviter,
                                     const std::string& peer_name, const Join& join,
                                     const ClientOptions& options) {
  QUN_RETURN_IF_ERROR(CheckAddress(endpoint, false));
  SyncReport report;
  CommunityId none{};
  Message reply;
  Attempt a;
  {
    Session session(context, me, none, nullptr, endpoint, inviter, peer_name, options, report);
    a = session.Request(join, &reply);
    session.DropQueued();
  }
  // An inviter with no code open lets no stranger connect at all. (One
  // taking no more tries for a minute answers `busy` instead.) A qun older
  // than this one refused in both cases alike, and so this covers both.
  if (a.status.code() == Status::Code::kDenied && a.refused)
    return Status::Denied(i18n::Format(
        _("{} takes no invite code now: this one was used already or has expired, or (if the "
          "inviter runs an older qun) it is refusing tries for a minute after too many wrong "
          "codes. Try once more in a minute; if it is refused again, ask for a new code"),
        peer_name));
  if (!a.status.ok()) return a.status;
  if (auto* e = std::get_if<Error>(&reply)) {
    if (e->code == ErrorCode::kBadCode) return Status::Denied(e->message);
    return FromError(*e, peer_name);
  }
  if (auto* invited = std::get_if<Invited>(&reply)) return invited->invite;
  return Status::Corruption(i18n::Format(_("{} did not answer the join"), peer_name));
}

}  // namespace qun::sync
