// Fuzz target: the sync protocol as `qun serve` takes it. A real SyncServer
// (sync/server.h) listens on loopback in this process; a client connected
// with CURVE sends it the input's messages, in order, and reads whatever
// comes back.
//
// Input: the first byte picks the client (even: the admin, a member of the
// community; odd: a stranger, who gets in only to join with an invite code),
// then messages, each a little-endian u16 length and its bytes (at most 32).
// The seeds (tests/fuzz/corpus/protocol) are conversations the project's own
// encoder writes: hellos, batches of valid change sets, credits, done, joins
// with the node's open code.
//
// Each input meets a new node that holds the founding change sets and one
// open invite code of a fixed secret. After the input, the client sends a
// damaged message, which must end its session, and the admin's hello must
// still be answered: nothing a client sends may crash or wedge the server.
// (A stranger's connection takes one message unless it joins; each guest
// input comes on a new connection.)
#include <sodium.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <zmq.hpp>

#include "fuzz/fuzz_node.h"
#include "fuzz/protocol_input.h"
#include "sync/invite_code.h"
#include "sync/protocol.h"
#include "sync/replica.h"
#include "sync/server.h"
#include "sync/transport.h"

using namespace qun;

namespace {

using Clock = std::chrono::steady_clock;

class Harness {
 public:
  Harness() {
    const fuzz::Cast& cast = fuzz::TheCast();
    using Admission = sync::SyncServer::Admission;
    auto admit = [&cast](const core::Identity::CurveKey& key) -> Result<Admission> {
      for (const core::Identity* who : {cast.admin.get(), cast.stranger.get()}) {
        QUN_ASSIGN_OR_RETURN(auto curve, core::Identity::CurvePublicKey(who->public_key()));
        if (curve != key) continue;
        if (who == cast.admin.get()) return Admission{Admission::kMember, who->public_key()};
        return Admission{Admission::kGuest, {}};
      }
      return Admission{};
    };
    auto replicas = [this](const sync::CommunityId& community,
                           sync::Error* refuse) -> Result<std::unique_ptr<sync::Replica>> {
      if (community != fuzz::FixedCommunity()) {
        *refuse = {sync::ErrorCode::kOtherCommunity, "another community"};
        return Status::Denied("another community");
      }
      return std::unique_ptr<sync::Replica>(new sync::NodeReplica(*node_->store, *node_->sets));
    };
    auto join = [this](const sync::Join& join, bool member,
                       sync::Error* refuse) -> Result<std::string> {
      auto redeemed =
          member ? sync::DeliveredInvite(node_->store->db(), join.secret, join.node, {},
                                         fuzz::kNow)
                 : sync::SpendInviteSecret(node_->store->db(), join.secret, join.node, fuzz::kNow);
      if (!redeemed.ok()) {
        *refuse = {sync::ErrorCode::kBadCode, redeemed.status().message()};
        return redeemed.status();
      }
      return std::string("an invite for ") + *redeemed;
    };
    sync::ServerOptions options;
    options.listen = "tcp://127.0.0.1:*";
    server_ = fuzz::Must(
        sync::SyncServer::Start(
            context_, *cast.viewer, options, admit, replicas,
            [](const std::string& line) {
              // QUN_FUZZ_LOG=1 shows what the server did with each input.
              static const bool show = std::getenv("QUN_FUZZ_LOG") != nullptr;
              if (show) std::fprintf(stderr, "serve: %s\n", line.c_str());
            },
            [](const core::PublicKey& key) { return core::ToHex(key).substr(0, 8); }, join),
        "starting the server");
    member_ = Connect(*cast.admin);
  }

  void Run(const fuzz::ProtocolInput& input) {
    node_ = fuzz::FreshNode();
    fuzz::Must(fuzz::OpenFixedInviteCode(node_->store->db()), "opening the fixed invite code");
    // A stranger's connection is spent after its first message unless that
    // joined: each guest input comes on a new one.
    if (input.guest) guest_ = Connect(*fuzz::TheCast().stranger);
    zmq::socket_t& client = input.guest ? guest_ : member_;
    for (const std::string& m : input.messages) Send(client, m);
    Settle(client);
    if (!input.guest) {
      // A damaged message ends the member's session, whatever state it left.
      Send(client, std::string("\xff damaged", 9));
      if (!AwaitError(client)) fuzz::Fail("the server did not answer a damaged message");
    }
    sync::Hello hello;
    hello.community = fuzz::FixedCommunity();
    Send(member_, sync::EncodeMessage(hello));
    if (!AwaitHello(member_)) fuzz::Fail("the server no longer answers a hello");
    Send(member_, std::string("\xff damaged", 9));
    if (!AwaitError(member_)) fuzz::Fail("the server did not answer a damaged message");
    Settle(member_);
  }

 private:
  zmq::socket_t Connect(const core::Identity& who) {
    zmq::socket_t s(context_, zmq::socket_type::dealer);
    fuzz::Must(sync::MakeCurveClient(s, who, fuzz::TheCast().viewer->public_key()),
               "making a client");
    s.set(zmq::sockopt::linger, 0);
    s.connect(server_->endpoint());
    return s;
  }
  static void Send(zmq::socket_t& s, const std::string& bytes) {
    if (!s.send(zmq::buffer(bytes), zmq::send_flags::none)) fuzz::Fail("cannot send");
  }
  // Serves until the client has had nothing new for a few milliseconds.
  void Settle(zmq::socket_t& client) {
    int quiet = 0;
    auto end = Clock::now() + std::chrono::seconds(5);
    while (quiet < 4 && Clock::now() < end) {
      fuzz::Must(server_->Poll(1), "serving");
      zmq::message_t m;
      bool got = false;
      while (client.recv(m, zmq::recv_flags::dontwait)) got = true;
      quiet = got ? 0 : quiet + 1;
    }
  }
  template <typename Wanted>
  bool Await(zmq::socket_t& client) {
    auto end = Clock::now() + std::chrono::seconds(5);
    while (Clock::now() < end) {
      fuzz::Must(server_->Poll(1), "serving");
      zmq::message_t m;
      while (client.recv(m, zmq::recv_flags::dontwait)) {
        auto decoded =
            sync::DecodeMessage(std::string_view(static_cast<const char*>(m.data()), m.size()));
        if (!decoded.ok()) fuzz::Fail("the server sent a message that does not decode");
        if (std::holds_alternative<Wanted>(*decoded)) return true;
      }
    }
    return false;
  }
  bool AwaitError(zmq::socket_t& client) { return Await<sync::Error>(client); }
  bool AwaitHello(zmq::socket_t& client) { return Await<sync::Hello>(client); }

  zmq::context_t context_;
  std::unique_ptr<fuzz::Node> node_;
  std::unique_ptr<sync::SyncServer> server_;
  zmq::socket_t member_, guest_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness harness;
  harness.Run(
      fuzz::ParseProtocolInput(std::string_view(reinterpret_cast<const char*>(data), size)));
  return 0;
}
