#include "sync/connection_limit.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

using qun::sync::ConnectionLimit;

namespace {

// Real loopback TCP connections: the limit asks the kernel about them.
class Loopback {
 public:
  Loopback() {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &at.sin_addr);
    REQUIRE(bind(listener_, reinterpret_cast<sockaddr*>(&at), sizeof at) == 0);
    REQUIRE(listen(listener_, 64) == 0);
    socklen_t len = sizeof at;
    REQUIRE(getsockname(listener_, reinterpret_cast<sockaddr*>(&at), &len) == 0);
    port_ = at.sin_port;
  }
  ~Loopback() {
    for (int fd : fds_) close(fd);
    close(listener_);
  }
  // A connection from `from`: (client end, server end).
  std::pair<int, int> Connect(const char* from) {
    int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(client >= 0);
    sockaddr_in src{}, dst{};
    src.sin_family = dst.sin_family = AF_INET;
    inet_pton(AF_INET, from, &src.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    dst.sin_port = port_;
    REQUIRE(bind(client, reinterpret_cast<sockaddr*>(&src), sizeof src) == 0);
    REQUIRE(connect(client, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0);
    int server = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    REQUIRE(server >= 0);
    fds_.push_back(client);
    fds_.push_back(server);
    return {client, server};
  }
  // Whether the server end was shut down, as the client sees it.
  static bool ShutDown(int client) {
    pollfd p{client, POLLIN, 0};
    if (poll(&p, 1, 1000) != 1) return false;
    char c;
    return recv(client, &c, 1, MSG_DONTWAIT) == 0;
  }

 private:
  int listener_ = -1;
  uint16_t port_ = 0;
  std::vector<int> fds_;
};

}  // namespace

TEST_CASE("too many connections in their handshake from one address: the oldest are shut down") {
  Loopback net;
  std::vector<std::string> shut;
  ConnectionLimit limit(3, 100, [&](const std::string& a) { shut.push_back(a); });
  std::vector<std::pair<int, int>> idle;
  for (int i = 0; i < 5; ++i) {
    idle.push_back(net.Connect("127.0.0.2"));
    limit.Accepted(idle.back().second, i);
  }
  // A member's connection from another address is not counted with them.
  auto member = net.Connect("127.0.0.1");
  limit.Accepted(member.second, 10);
  CHECK(shut == std::vector<std::string>{"127.0.0.2", "127.0.0.2"});
  CHECK(Loopback::ShutDown(idle[0].first));
  CHECK(Loopback::ShutDown(idle[1].first));
  CHECK(limit.open() == 4);
  // The newest are still open.
  char c;
  CHECK(recv(idle[4].first, &c, 1, MSG_DONTWAIT) < 0);
  CHECK(recv(member.first, &c, 1, MSG_DONTWAIT) < 0);
}

TEST_CASE("a connection that has sent a handshake's worth is not shut down for newer idle ones") {
  Loopback net;
  int shut = 0;
  ConnectionLimit limit(2, 100, [&](const std::string&) { ++shut; });
  auto talker = net.Connect("127.0.0.3");
  std::string hello(ConnectionLimit::kHandshakeBytes + 100, 'h');
  REQUIRE(send(talker.first, hello.data(), hello.size(), 0) == static_cast<ssize_t>(hello.size()));
  limit.Accepted(talker.second, 0);
  for (int i = 1; i <= 3; ++i) limit.Accepted(net.Connect("127.0.0.3").second, i);
  CHECK(shut == 1);  // one idle one, not the talker
  char c;
  CHECK(recv(talker.first, &c, 1, MSG_DONTWAIT) < 0);
}

TEST_CASE("the total bound shuts down the oldest idle connection of any address") {
  Loopback net;
  std::vector<std::string> shut;
  ConnectionLimit limit(10, 3, [&](const std::string& a) { shut.push_back(a); });
  const char* from[] = {"127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7"};
  std::vector<int> clients;
  for (int i = 0; i < 4; ++i) {
    auto c = net.Connect(from[i]);
    clients.push_back(c.first);
    limit.Accepted(c.second, i);
  }
  CHECK(shut == std::vector<std::string>{"127.0.0.4"});
  CHECK(Loopback::ShutDown(clients[0]));
}

TEST_CASE("a descriptor closed before its event is read is forgotten, not shut down") {
  Loopback net;
  int shut = 0;
  ConnectionLimit limit(1, 100, [&](const std::string&) { ++shut; });
  auto first = net.Connect("127.0.0.8");
  limit.Accepted(first.second, 0);
  limit.Closed(first.second);
  limit.Accepted(net.Connect("127.0.0.8").second, 1);
  CHECK(shut == 0);
  CHECK(limit.open() == 1);
}

TEST_CASE("the bounds follow the limit on open files") {
  auto small = ConnectionLimit::ForFdLimit(100, nullptr);
  CHECK(small.total() == 18);
  CHECK(small.per_address() == 4);
  auto usual = ConnectionLimit::ForFdLimit(1024, nullptr);
  CHECK(usual.total() == 480);
  CHECK(usual.per_address() == 30);
  CHECK(ConnectionLimit::ForFdLimit(1 << 20, nullptr).per_address() == 64);
}
