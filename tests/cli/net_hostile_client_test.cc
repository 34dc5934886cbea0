// A raw ZeroMQ client speaking to a real `qun serve`: garbage, truncated,
// multi-frame, oversized and out-of-turn messages, from a node the server
// admits and from one without encryption at all, while a good peer syncs.
// The server must answer what it can, drop what it must, never crash, and
// keep serving the good peer.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <zmq.hpp>

#include "core/identity.h"
#include "support/background.h"
#include "support/cli_runner.h"
#include "sync/bundle.h"
#include "sync/community.h"
#include "sync/invite.h"
#include "sync/protocol.h"
#include "sync/transport.h"

using namespace qun;
using nlohmann::json;
using qun::testing::Background;
using qun::testing::CliResult;
using qun::testing::ReadFile;
using qun::testing::Server;
using qun::testing::TempHome;

namespace {

void Run(const TempHome& home, const std::vector<std::string>& args) {
  CliResult r = home.Qun(args);
  REQUIRE_EXIT(r, 0);
}

std::string NodeId(const TempHome& home) { return ReadFile(home.InHome("node.pub")).substr(0, 64); }

// A DEALER that passes the server's access check as `me`.
struct RawClient {
  zmq::socket_t socket;
  RawClient(zmq::context_t& context, const core::Identity& me, const core::PublicKey& server,
            const std::string& address)
      : socket(context, zmq::socket_type::dealer) {
    REQUIRE(sync::MakeCurveClient(socket, me, server).ok());
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::rcvtimeo, 5000);
    socket.connect(address);
  }
  void Send(const std::string& bytes) { REQUIRE(socket.send(zmq::buffer(bytes))); }
  // The server's answer, or none within the receive timeout.
  std::optional<sync::Message> Receive() {
    zmq::message_t m;
    if (!socket.recv(m)) return std::nullopt;
    auto decoded =
        sync::DecodeMessage(std::string_view(static_cast<const char*>(m.data()), m.size()));
    REQUIRE_MESSAGE(decoded.ok(), decoded.status().message());
    return *decoded;
  }
  sync::ErrorCode ExpectError() {
    auto m = Receive();
    REQUIRE(m.has_value());
    REQUIRE(std::holds_alternative<sync::Error>(*m));
    return std::get<sync::Error>(*m).code;
  }
};

}  // namespace

TEST_CASE("a hostile client cannot crash the server, which keeps serving a good peer") {
  TempHome a, b, c;
  Run(a, {"init", "--name", "湾区读书会", "--admin", "王芳"});
  for (const TempHome* h : {&b, &c}) {
    Run(*h, {"init", "--join"});
    Run(a, {"invite", NodeId(*h), "-o", h->Beside("invite.qun")});
    Run(*h, {"join", h->Beside("invite.qun")});
  }
  std::string sheet = "display_name,wechat\n";
  for (int i = 0; i < 2000; ++i)
    sheet += "人" + std::to_string(i) + ",wx" + std::to_string(i) + "\n";
  Run(a, {"import", "members", a.Write("sheet.csv", sheet)});
  Server server = Server::Start(a, "a");
  Run(b, {"peer", "add", "a", server.address(), "--key", NodeId(a)});

  // The hostile client holds c's key: a member, so it gets past the access
  // check and reaches the protocol.
  auto identity = core::Identity::Load(c.home());
  REQUIRE(identity.ok());
  auto server_key = sync::ParseNodeId(NodeId(a));
  REQUIRE(server_key.ok());
  zmq::context_t context;
  RawClient raw(context, **identity, *server_key, server.address());

  // The good peer syncs at the same time.
  Background good(b.home(), {"--json", "sync", "a", "--timeout", "20"}, b.Beside("sync"));

  raw.Send("this is not a sync message");
  CHECK(raw.ExpectError() == sync::ErrorCode::kBadMessage);
  sync::Hello hello;
  std::string hello_bytes = sync::EncodeMessage(hello);
  raw.Send(hello_bytes.substr(0, hello_bytes.size() / 2));  // truncated
  CHECK(raw.ExpectError() == sync::ErrorCode::kBadMessage);
  // Two frames in one message.
  REQUIRE(raw.socket.send(zmq::buffer(hello_bytes), zmq::send_flags::sndmore));
  REQUIRE(raw.socket.send(zmq::buffer(hello_bytes)));
  CHECK(raw.ExpectError() == sync::ErrorCode::kBadMessage);
  // Out of turn: a batch and a credit with no sync started.
  raw.Send(sync::EncodeMessage(sync::Batch{{"x"}}));
  CHECK(raw.ExpectError() == sync::ErrorCode::kNoSession);
  // Another protocol version; another community.
  sync::Hello future;
  future.protocol_version = sync::kProtocolVersion + 1;
  raw.Send(sync::EncodeMessage(future));
  CHECK(raw.ExpectError() == sync::ErrorCode::kProtocolVersion);
  sync::Hello foreign;
  foreign.community.fill(0x77);
  raw.Send(sync::EncodeMessage(foreign));
  CHECK(raw.ExpectError() == sync::ErrorCode::kOtherCommunity);

  // A real hello (with nothing held), then garbage change sets: each one
  // refused and counted, nothing applied.
  sync::Hello mine;
  auto community = sync::ParseCommunityId(
      json::parse(a.Qun({"--json", "status"}).out).at("community_id").get<std::string>());
  REQUIRE(community.ok());
  mine.community = *community;
  mine.credit = 0;  // it must not stream anything to us yet
  raw.Send(sync::EncodeMessage(mine));
  auto reply = raw.Receive();
  REQUIRE(reply.has_value());
  REQUIRE(std::holds_alternative<sync::Hello>(*reply));
  CHECK(std::get<sync::Hello>(*reply).sending > 0);
  std::mt19937 rng(11);
  sync::Batch junk;
  for (int i = 0; i < 20; ++i) {
    std::string bytes(8 * (1 + rng() % 64), '\0');
    for (char& ch : bytes) ch = static_cast<char>(rng());
    junk.change_sets.push_back(bytes);
  }
  raw.Send(sync::EncodeMessage(junk));
  auto credit = raw.Receive();
  REQUIRE(credit.has_value());
  REQUIRE(std::holds_alternative<sync::Credit>(*credit));
  CHECK(std::get<sync::Credit>(*credit).rejected == 20);
  CHECK(std::get<sync::Credit>(*credit).applied == 0);

  // Credit it was not owed, and a batch of more change sets than a batch
  // may hold: each ends that sync, as the client does not follow the flow
  // control that bounds the server's memory.
  auto expect_hello = [&] {
    raw.Send(sync::EncodeMessage(mine));
    auto h = raw.Receive();
    REQUIRE(h.has_value());
    CHECK(std::holds_alternative<sync::Hello>(*h));
  };
  expect_hello();
  raw.Send(sync::EncodeMessage(sync::Credit{}));
  CHECK(raw.ExpectError() == sync::ErrorCode::kBadMessage);
  expect_hello();
  sync::Batch flood;
  flood.change_sets.assign(sync::kBatchChangeSets + 1, std::string(8, 'x'));
  raw.Send(sync::EncodeMessage(flood));
  CHECK(raw.ExpectError() == sync::ErrorCode::kBadMessage);

  // A frame larger than any message may be: the server drops the
  // connection without reading it into memory.
  raw.Send(std::string(sync::kMaxMessageSize + 1, 'x'));
  CHECK_FALSE(raw.Receive().has_value());

  // A client without encryption gets nothing at all.
  zmq::socket_t plain(context, zmq::socket_type::dealer);
  plain.set(zmq::sockopt::linger, 0);
  plain.set(zmq::sockopt::rcvtimeo, 1000);
  plain.connect(server.address());
  plain.send(zmq::buffer(hello_bytes));
  zmq::message_t nothing;
  CHECK_FALSE(plain.recv(nothing).has_value());

  // Through all of it the good peer's sync went on, and the server lives.
  REQUIRE_MESSAGE(good.Wait(std::chrono::seconds(60)) == 0, good.err());
  CHECK(json::parse(good.out()).at("applied").get<int>() > 0);
  CHECK(server.process->Running());
  CliResult again = b.Qun({"--json", "sync", "a"});
  REQUIRE_EXIT(again, 0);
  CHECK(json::parse(again.out).at("received") == 0);
  CHECK(a.Qun({"state-hash"}).out == b.Qun({"state-hash"}).out);
  CHECK(server.process->Stop(SIGTERM) == 0);
}
