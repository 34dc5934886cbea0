// `qun sync` against a scripted server (a ROUTER socket in the test): each
// way a peer can answer wrongly ends the sync with a clear message, the
// exit code for it, and nothing changed on the node.
#include <doctest/doctest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>
#include <zmq.hpp>

#include "core/identity.h"
#include "support/cli_runner.h"
#include "sync/protocol.h"
#include "sync/transport.h"

using namespace qun;
using nlohmann::json;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::TempDir;
using qun::testing::TempHome;

namespace {

// Answers every message from a client with what `answer` returns for it
// (none, one or several messages), until destroyed.
class FakeServer {
 public:
  using Answer = std::function<std::vector<std::string>(const sync::Message&)>;
  explicit FakeServer(Answer answer) : answer_(std::move(answer)) {
    identity_ = std::move(core::Identity::Create(dir_.path()).value());
    REQUIRE(sync::MakeCurveServer(router_, *identity_).ok());
    router_.set(zmq::sockopt::linger, 0);
    router_.bind("tcp://127.0.0.1:*");
    address_ = router_.get(zmq::sockopt::last_endpoint);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeServer() {
    stop_ = true;
    thread_.join();
  }
  const std::string& address() const { return address_; }
  std::string key() const { return identity_->node_id(); }

 private:
  void Serve() {
    while (!stop_) {
      zmq::pollitem_t items[] = {{router_.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 1, std::chrono::milliseconds(50));
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      zmq::message_t id, body;
      (void)router_.recv(id);
      (void)router_.recv(body);
      auto m =
          sync::DecodeMessage(std::string_view(static_cast<const char*>(body.data()), body.size()));
      if (!m.ok()) continue;
      for (const std::string& reply : answer_(*m)) {
        router_.send(zmq::buffer(id.to_string()), zmq::send_flags::sndmore);
        router_.send(zmq::buffer(reply));
      }
    }
  }
  TempDir dir_;
  std::unique_ptr<core::Identity> identity_;
  zmq::context_t context_;
  zmq::socket_t router_{context_, zmq::socket_type::router};
  std::string address_;
  Answer answer_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string CommunityOf(const TempHome& home) {
  CliResult r = home.Qun({"--json", "status"});
  REQUIRE_EXIT(r, 0);
  return json::parse(r.out).at("community_id").get<std::string>();
}

CliResult SyncWith(const TempHome& home, const FakeServer& server) {
  home.Qun({"peer", "remove", "fake"});
  CliResult added = home.Qun({"peer", "add", "fake", server.address(), "--key", server.key()});
  REQUIRE_EXIT(added, 0);
  return home.Qun({"sync", "fake", "--timeout", "2"});
}

}  // namespace

TEST_CASE("a peer that answers wrongly ends the sync with a clear message and exit code") {
  TempHome home;
  REQUIRE_EXIT(home.Qun({"init", "--name", "读书会", "--admin", "x"}), 0);
  REQUIRE_EXIT(home.Qun({"member", "add", "张伟"}), 0);
  std::string before = home.Qun({"state-hash"}).out;
  sync::CommunityId community{};
  {
    std::string hex = CommunityOf(home);
    for (size_t i = 0; i < community.size(); ++i)
      community[i] = static_cast<uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  }

  SUBCASE("it speaks another protocol version (its error)") {
    FakeServer server([](const sync::Message&) {
      return std::vector<std::string>{sync::EncodeMessage(
          sync::Error{sync::ErrorCode::kProtocolVersion, "this node speaks sync protocol 2"})};
    });
    CliResult r = SyncWith(home, server);
    CHECK_EXIT(r, 8);
    CHECK(Contains(r.err, "protocol 2"));
  }
  SUBCASE("it speaks another protocol version (its hello)") {
    FakeServer server([](const sync::Message&) {
      sync::Hello h;
      h.protocol_version = sync::kProtocolVersion + 1;
      return std::vector<std::string>{sync::EncodeMessage(h)};
    });
    CliResult r = SyncWith(home, server);
    CHECK_EXIT(r, 8);
    CHECK(Contains(r.err, "upgrade the older qun"));
  }
  SUBCASE("it answers for another community") {
    FakeServer server([](const sync::Message&) {
      sync::Hello h;
      h.community.fill(0x42);
      return std::vector<std::string>{sync::EncodeMessage(h)};
    });
    CliResult r = SyncWith(home, server);
    CHECK_EXIT(r, 12);
    CHECK(Contains(r.err, "another community"));
  }
  SUBCASE("it says hello and then nothing more") {
    FakeServer server([&](const sync::Message& m) {
      std::vector<std::string> out;
      if (!std::holds_alternative<sync::Hello>(m)) return out;
      sync::Hello h;
      h.community = community;
      h.sending = 5;  // promised, never sent
      out.push_back(sync::EncodeMessage(h));
      return out;
    });
    CliResult r = SyncWith(home, server);
    CHECK_EXIT(r, 11);
    CHECK(Contains(r.err, "stopped answering"));
  }
  SUBCASE("it answers garbage") {
    FakeServer server(
        [](const sync::Message&) { return std::vector<std::string>{"definitely not capnp!!"}; });
    CliResult r = SyncWith(home, server);
    CHECK_EXIT(r, 6);
    CHECK(Contains(r.err, "damaged"));
  }
  SUBCASE("it sends change sets that are not change sets") {
    FakeServer server([&](const sync::Message& m) {
      std::vector<std::string> out;
      if (auto* batch = std::get_if<sync::Batch>(&m)) {  // what this node sends
        sync::Credit c;
        c.applied = static_cast<uint32_t>(batch->change_sets.size());
        out.push_back(sync::EncodeMessage(c));
      }
      if (!std::holds_alternative<sync::Hello>(m)) return out;
      sync::Hello h;
      h.community = community;
      h.sending = 2;
      out.push_back(sync::EncodeMessage(h));
      out.push_back(sync::EncodeMessage(sync::Batch{{"forged change set", std::string(64, 'x')}}));
      return out;
    });
    CliResult r = SyncWith(home, server);
    CHECK_EXIT(r, 9);
    CHECK(Contains(r.out, "2 refused"));
    CHECK(Contains(r.err, "2 change sets from fake were refused"));
    // The sync itself finished: it counts as one.
    CHECK_FALSE(
        json::parse(home.Qun({"--json", "peer", "list"}).out)[0].at("last_sync_ms").is_null());
  }
  SUBCASE("it sends more change sets than it announced") {
    // Without a bound it could stream without end.
    FakeServer server([&](const sync::Message& m) {
      std::vector<std::string> out;
      if (!std::holds_alternative<sync::Hello>(m)) return out;
      sync::Hello h;
      h.community = community;
      h.sending = 1;
      out.push_back(sync::EncodeMessage(h));
      out.push_back(sync::EncodeMessage(sync::Batch{{"one", "two"}}));
      return out;
    });
    CliResult r = SyncWith(home, server);
    CHECK_EXIT(r, 6);
    CHECK(Contains(r.err, "sent more change sets than the 1 it announced"));
  }
  CHECK(home.Qun({"state-hash"}).out == before);
  json peer = json::parse(home.Qun({"--json", "peer", "list"}).out)[0];
  if (peer.at("last_sync_ms").is_null()) {  // the sync failed: recorded as such
    CHECK(peer.at("failures") == 1);
    CHECK_FALSE(peer.at("last_error").is_null());
  }
}
