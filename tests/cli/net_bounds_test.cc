// What a stranger can make a serving node spend, without any key: its log
// (refused connections, damaged messages), its file descriptors (idle TCP
// connections), and the real joiner's patience (a flood of code guesses).
// Each is bounded, and a member still gets through.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "core/identity.h"
#include "support/background.h"
#include "support/cli_runner.h"
#include "support/cli_steps.h"
#include "sync/invite.h"
#include "sync/invite_code.h"
#include "sync/protocol.h"
#include "sync/server.h"
#include "sync/transport.h"

using namespace qun;
using nlohmann::json;
using qun::testing::Background;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::Init;
using qun::testing::InviteAndJoin;
using qun::testing::NodeId;
using qun::testing::Ok;
using qun::testing::Server;
using qun::testing::TempHome;

namespace {

size_t CountLines(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// A DEALER with a CURVE key of its own, which no node knows.
zmq::socket_t Stranger(zmq::context_t& context, const core::Identity::CurveKey& server_key) {
  uint8_t pk[32], sk[32];
  crypto_box_keypair(pk, sk);
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  socket.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(server_key.data(), 32));
  socket.set(zmq::sockopt::curve_publickey, zmq::const_buffer(pk, 32));
  socket.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(sk, 32));
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::reconnect_ivl, 20);
  return socket;
}

core::Identity::CurveKey ServerKey(const TempHome& home) {
  auto key = sync::ParseNodeId(NodeId(home));
  REQUIRE(key.ok());
  auto curve = core::Identity::CurvePublicKey(*key);
  REQUIRE(curve.ok());
  return *curve;
}

// A founder `a` and a member `b` that joined with an invite file.
void Community(const TempHome& a, const TempHome& b) {
  Init(a, "湾区读书会", "王芳");
  Ok(a, {"member", "add", "张伟", "--wechat", "zw_001"});
  InviteAndJoin(a, b, "李娜");
}

}  // namespace

TEST_SUITE("cli network bounds") {
  TEST_CASE("a joiner turned away after a flood of wrong tries is told to try again in a minute") {
    TempHome a, b;
    Ok(a, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Server server = Server::Start(a, "a");
    std::string code =
        json::parse(Ok(a, {"--json", "invite", "--code", "--address", server.address()}).out)
            .at("code")
            .get<std::string>();
    zmq::context_t context;
    // 30 strangers a minute may try a code; these use them all up.
    for (int i = 0; i < 30; ++i) {
      zmq::socket_t s = Stranger(context, ServerKey(a));
      s.set(zmq::sockopt::rcvtimeo, 5000);
      s.connect(server.address());
      sync::Join join;
      join.secret = std::string(16, 'x');
      REQUIRE(s.send(zmq::buffer(sync::EncodeMessage(join))));
      zmq::message_t reply;
      REQUIRE(s.recv(reply));
    }
    CliResult r = b.Qun({"join", code, "--admin", "李娜", "--timeout", "5"});
    CHECK_EXIT(r, 11);
    INFO(r.Describe());
    CHECK(Contains(r.err, "Try again in a minute"));
    CHECK(Contains(r.err, "your code still works"));
    CHECK(!Contains(r.err, "used already"));
    CHECK(Contains(server.process->out(), "too many invite code tries"));
  }

  TEST_CASE("strangers refused again and again add a few log lines a minute, then one count") {
    TempHome a;
    Ok(a, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Server server = Server::Start(a, "a");
    zmq::context_t context;
    // No code is open: every stranger is refused at the access check.
    std::vector<zmq::socket_t> strangers;
    for (int i = 0; i < 60; ++i) {
      strangers.push_back(Stranger(context, ServerKey(a)));
      strangers.back().connect(server.address());
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (CountLines(server.process->out(), "refused a connection") < sync::kLogLinesPerMinute &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::this_thread::sleep_for(std::chrono::seconds(1));
    strangers.clear();
    REQUIRE(server.process->Stop(SIGTERM) == 0);
    std::string log = server.process->out();
    CHECK(CountLines(log, "refused a connection from") == sync::kLogLinesPerMinute);
    // The rest are counted in one line when the minute (here: the server)
    // ends.
    std::smatch m;
    REQUIRE_MESSAGE(std::regex_search(
                        log, m, std::regex(R"(refused (\d+) more connections? from 127\.0\.0\.1)")),
                    log);
    CHECK(std::stoi(m[1]) >= 20);
    CHECK(CountLines(log, "\n") < 20);
  }

  TEST_CASE("damaged messages from a member outside a sync are logged, a few a minute") {
    TempHome a, b;
    Community(a, b);
    Server server = Server::Start(a, "a");
    auto me = core::Identity::Load(b.home());
    REQUIRE(me.ok());
    auto server_key = sync::ParseNodeId(NodeId(a));
    REQUIRE(server_key.ok());
    zmq::context_t context;
    zmq::socket_t raw(context, zmq::socket_type::dealer);
    REQUIRE(sync::MakeCurveClient(raw, **me, *server_key).ok());
    raw.set(zmq::sockopt::linger, 0);
    raw.set(zmq::sockopt::rcvtimeo, 5000);
    raw.connect(server.address());
    for (int i = 0; i < 20; ++i) {
      REQUIRE(raw.send(zmq::buffer(std::string(7 + i, '\x5a'))));
      zmq::message_t reply;
      REQUIRE(raw.recv(reply));
      auto decoded = sync::DecodeMessage(
          std::string_view(static_cast<const char*>(reply.data()), reply.size()));
      REQUIRE(decoded.ok());
      REQUIRE(std::holds_alternative<sync::Error>(*decoded));
      CHECK(std::get<sync::Error>(*decoded).code == sync::ErrorCode::kBadMessage);
    }
    REQUIRE(server.process->Stop(SIGTERM) == 0);
    std::string log = server.process->out();
    CHECK(CountLines(log, "sent a damaged message") == sync::kLogLinesPerMinute);
    CHECK(Contains(log, "李娜"));
    CHECK(Contains(log, "sent 15 more damaged messages outside a sync"));
  }

  TEST_CASE("hundreds of idle connections do not keep a member out of a server with few files") {
    if (access("/usr/bin/prlimit", X_OK) != 0 && access("/bin/prlimit", X_OK) != 0) {
      MESSAGE("skipped: prlimit (util-linux) is needed to give the server a low file limit");
      return;
    }
    // This test opens many sockets itself.
    rlimit mine{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &mine) == 0);
    if (mine.rlim_cur < mine.rlim_max) {
      mine.rlim_cur = mine.rlim_max;
      setrlimit(RLIMIT_NOFILE, &mine);
    }
    TempHome a, b;
    Community(a, b);
    // 100 files in all, and no higher hard limit to raise the soft one to.
    Background server(a.home(), {"serve", "--listen", "tcp://127.0.0.1:*", "--sync-every", "0"},
                      a.Beside("a"), {}, {"prlimit", "--nofile=100:100", "--"});
    std::string port = server.WaitFor(R"(on tcp://127\.0\.0\.1:(\d+))");
    Ok(b, {"peer", "add", "a", "tcp://127.0.0.1:" + port, "--key", NodeId(a)});

    // Idle connections that never send a byte, from another loopback
    // address than the member's: as many as the test may open, up to 400.
    sockaddr_in from{}, to{};
    from.sin_family = to.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.2", &from.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    to.sin_port = htons(static_cast<uint16_t>(std::stoi(port)));
    std::vector<int> idle;
    for (int i = 0; i < 400; ++i) {
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) break;
      if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
        close(fd);
        break;
      }
      (void)connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);  // EINPROGRESS
      idle.push_back(fd);
    }
    REQUIRE(idle.size() >= 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));

    auto started = std::chrono::steady_clock::now();
    CliResult synced = b.Qun({"--json", "sync", "a", "--timeout", "5"});
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK_EXIT(synced, 0);
    CHECK(seconds < 4.0);
    CHECK(server.Running());
    CHECK(Contains(server.out(), "closed a connection from 127.0.0.2"));
    for (int fd : idle) close(fd);
    CHECK(server.Stop(SIGTERM) == 0);
  }
}
