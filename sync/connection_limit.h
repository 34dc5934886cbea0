// Bounds the TCP connections a server holds open for clients that have not
// yet said who they are: per address and in all.
//
// Each accepted connection costs a file descriptor until its CURVE handshake
// ends, and libzmq gives a client that sends nothing the whole handshake
// interval. Thousands of idle connections (no key needed) would otherwise
// fill the process's descriptor table, and members could not connect until
// the timers ran out. ZeroMQ has no option to bound a listening socket's
// connections, but its socket monitor reports each accepted descriptor
// (ZMQ_EVENT_ACCEPTED) and each closed one (ZMQ_EVENT_DISCONNECTED): this
// class keeps that list and, when an address or the whole server has too
// many connections still in their handshake, shuts down the oldest of them
// (shutdown(2), never close: the descriptor stays libzmq's, which then
// closes it as for any peer that hung up). A connection counts as in its
// handshake until the kernel has received more bytes on it than a CURVE
// handshake takes (TCP_INFO); a member's connection passes that within
// milliseconds, so the oldest are the idle ones.
//
// Before shutting a descriptor down it checks that it still belongs to the
// same peer (address and port): the monitor's events arrive late, and a
// descriptor may have been closed and reused meanwhile. The monitor must
// watch a socket of a context with one I/O thread (the default), so that a
// descriptor's close is reported before its reuse.
//
// Not thread-safe: the server's loop owns it.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace qun::sync {

class ConnectionLimit {
 public:
  // Bytes a client sends in the ZMTP greeting and the CURVE HELLO and
  // INITIATE commands, rounded down: more than this, and it has finished
  // (or failed) its handshake.
  static constexpr uint64_t kHandshakeBytes = 512;

  // Called with the address of each connection shut down.
  using OnShutdown = std::function<void(const std::string& address)>;

  ConnectionLimit(size_t per_address, size_t total, OnShutdown on_shutdown)
      : per_address_(per_address), total_(total), on_shutdown_(std::move(on_shutdown)) {}

  // The limits for a process that may open `fd_limit` descriptors: half of
  // them, less what the server needs itself, for connections in their
  // handshake, and at most a sixteenth of those from one address.
  static ConnectionLimit ForFdLimit(uint64_t fd_limit, OnShutdown on_shutdown);

  // A connection accepted on descriptor `fd` at `now_ms`; may shut down
  // older ones (or, when all of them are members, this one).
  void Accepted(int fd, int64_t now_ms);
  // The descriptor was closed (libzmq's DISCONNECTED event).
  void Closed(int fd) { open_.erase(fd); }

  size_t open() const { return open_.size(); }
  size_t per_address() const { return per_address_; }
  size_t total() const { return total_; }

 private:
  struct Connection {
    std::string address;  // the IP address, for the per-address bound
    sockaddr_storage peer{};
    socklen_t peer_len = 0;
    int64_t since_ms = 0;
    bool identified = false;  // passed its handshake (sticks once true)
  };
  // Whether `fd` is still the connection `c` was accepted as.
  static bool SamePeer(int fd, const Connection& c);
  // Refreshes `identified` from the kernel's byte count.
  static void Look(int fd, Connection& c);
  // Shuts down the oldest connection in its handshake among those `which`
  // selects while more than `limit` of them are; the newest (`fd`) last.
  void Bound(int fd, size_t limit, const std::function<bool(const Connection&)>& which);

  size_t per_address_, total_;
  OnShutdown on_shutdown_;
  std::map<int, Connection> open_;
};

}  // namespace qun::sync
