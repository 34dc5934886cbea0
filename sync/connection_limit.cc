#include "sync/connection_limit.h"

#include <arpa/inet.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace qun::sync {
namespace {

// Descriptors the server keeps for itself: the database and its -wal and
// -shm, the listening socket, ZeroMQ's own pipes, the gossip thread's
// connections, a log.
constexpr uint64_t kReserved = 64;

std::string AddressOf(const sockaddr_storage& peer) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (peer.ss_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(peer).sin_addr, text, sizeof text);
  else if (peer.ss_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(peer).sin6_addr, text, sizeof text);
  return text;
}

}  // namespace

ConnectionLimit ConnectionLimit::ForFdLimit(uint64_t fd_limit, OnShutdown on_shutdown) {
  uint64_t spare = fd_limit > kReserved + 8 ? (fd_limit - kReserved) / 2 : 4;
  size_t total = static_cast<size_t>(std::min<uint64_t>(spare, 1u << 20));
  size_t per_address = std::max<size_t>(4, std::min<size_t>(64, total / 16));
  return ConnectionLimit(per_address, total, std::move(on_shutdown));
}

bool ConnectionLimit::SamePeer(int fd, const Connection& c) {
  sockaddr_storage now{};
  socklen_t len = sizeof now;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&now), &len) != 0) return false;
  return len == c.peer_len && std::memcmp(&now, &c.peer, len) == 0;
}

void ConnectionLimit::Look(int fd, Connection& c) {
  if (c.identified) return;
  tcp_info info{};
  socklen_t len = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 &&
      len >= offsetof(tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received)
    c.identified = info.tcpi_bytes_received > kHandshakeBytes;
}

void ConnectionLimit::Accepted(int fd, int64_t now_ms) {
  Connection c;
  c.peer_len = sizeof c.peer;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&c.peer), &c.peer_len) != 0) {
    open_.erase(fd);  // closed already
    return;
  }
  c.address = AddressOf(c.peer);
  c.since_ms = now_ms;
  open_[fd] = c;
  const std::string address = c.address;
  Bound(fd, per_address_, [&address](const Connection& o) { return o.address == address; });
  if (open_.count(fd)) Bound(fd, total_, [](const Connection&) { return true; });
}

void ConnectionLimit::Bound(int fd, size_t limit,
                            const std::function<bool(const Connection&)>& which) {
  // Cheap first: only when there are more connections of this kind than
  // the limit does it ask the kernel which are still in their handshake.
  size_t count = 0;
  for (const auto& [other, c] : open_)
    if (which(c)) ++count;
  if (count <= limit) return;
  std::vector<std::pair<int64_t, int>> waiting;  // (since, fd), the newcomer last
  for (auto it = open_.begin(); it != open_.end();) {
    if (!which(it->second)) {
      ++it;
      continue;
    }
    if (!SamePeer(it->first, it->second)) {  // closed, its event not read yet
      it = open_.erase(it);
      continue;
    }
    Look(it->first, it->second);
    if (!it->second.identified)
      waiting.emplace_back(it->first == fd ? INT64_MAX : it->second.since_ms, it->first);
    ++it;
  }
  if (waiting.size() <= limit) return;
  std::sort(waiting.begin(), waiting.end());
  for (size_t i = 0; i + limit < waiting.size(); ++i) {
    int victim = waiting[i].second;
    auto it = open_.find(victim);
    std::string address = it->second.address;
    shutdown(victim, SHUT_RDWR);
    open_.erase(it);
    if (on_shutdown_) on_shutdown_(address);
  }
}

}  // namespace qun::sync
