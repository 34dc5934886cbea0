#include "sync/transport.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <cstring>

#include "base/i18n.h"
#include "core/hlc.h"
#include "sync/protocol.h"

namespace qun::sync {

Status MakeCurveServer(zmq::socket_t& socket, const core::Identity& me) {
  QUN_ASSIGN_OR_RETURN(core::Identity::CurveKey public_key,
                       core::Identity::CurvePublicKey(me.public_key()));
  try {
    socket.set(zmq::sockopt::curve_server, 1);
    socket.set(zmq::sockopt::curve_publickey, zmq::const_buffer(public_key.data(), 32));
    QUN_RETURN_IF_ERROR(me.WithCurveSecret([&](const uint8_t* secret) {
      socket.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(secret, 32));
      return Status::Ok();
    }));
    socket.set(zmq::sockopt::zap_domain, kZapDomain);
  } catch (const zmq::error_t& e) {
    return Status::Internal(i18n::Format(_("cannot set up encryption: {}"), e.what()));
  }
  return Status::Ok();
}

Status MakeCurveClient(zmq::socket_t& socket, const core::Identity& me,
                       const core::PublicKey& server) {
  QUN_ASSIGN_OR_RETURN(core::Identity::CurveKey server_key, core::Identity::CurvePublicKey(server));
  QUN_ASSIGN_OR_RETURN(core::Identity::CurveKey public_key,
                       core::Identity::CurvePublicKey(me.public_key()));
  try {
    socket.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(server_key.data(), 32));
    socket.set(zmq::sockopt::curve_publickey, zmq::const_buffer(public_key.data(), 32));
    QUN_RETURN_IF_ERROR(me.WithCurveSecret([&](const uint8_t* secret) {
      socket.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(secret, 32));
      return Status::Ok();
    }));
  } catch (const zmq::error_t& e) {
    return Status::Internal(i18n::Format(_("cannot set up encryption: {}"), e.what()));
  }
  return Status::Ok();
}

void SetLimits(zmq::socket_t& socket, int linger_ms) {
  socket.set(zmq::sockopt::maxmsgsize, kMaxMessageSize);
  socket.set(zmq::sockopt::linger, linger_ms);
}

std::optional<SocketEvent> ReadEvent(zmq::socket_t& monitor) {
  zmq::message_t head, address;
  if (!monitor.recv(head, zmq::recv_flags::dontwait)) return std::nullopt;
  SocketEvent e;
  if (head.size() >= 6) {
    std::memcpy(&e.event, head.data(), 2);
    std::memcpy(&e.value, static_cast<const char*>(head.data()) + 2, 4);
  }
  if (head.more() && monitor.recv(address, zmq::recv_flags::dontwait))
    e.endpoint = address.to_string();
  return e;
}

Status CheckAddress(const std::string& address, bool for_listen) {
  const std::string example = for_listen ? "tcp://*:7447" : "tcp://192.168.1.20:7447";
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(i18n::Format(
        _("'{}' is not an address qun can use: {}. Write it like {}"), address, why, example));
  };
  if (address.rfind("tcp://", 0) != 0) return bad(_("it must start with tcp://"));
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon < 6) return bad(_("it has no port"));
  std::string host = address.substr(6, colon - 6);
  std::string port = address.substr(colon + 1);
  if (host.empty()) return bad(_("it has no host"));
  // A host name, an IPv4 address, [an IPv6 address], or * to listen on all:
  // nothing else reaches a terminal or a log through an address.
  bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
  for (size_t i = bracketed ? 1 : 0; i < host.size() - (bracketed ? 1 : 0); ++i) {
    unsigned char c = static_cast<unsigned char>(host[i]);
    bool ok = std::isalnum(c) || c == '.' || c == '-' || (bracketed && c == ':') ||
              (host == "*" && c == '*');
    if (!ok) return bad(_("its host has characters no host name or address has"));
  }
  if (!for_listen && host == "*") return bad(_("a peer needs a host name or address, not *"));
  if (for_listen && port == "*") return Status::Ok();  // any free port
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
    return bad(_("the port must be a number"));
  int n = std::stoi(port);
  if (n < 1 || n > 65535) return bad(_("the port must be between 1 and 65535"));
  return Status::Ok();
}

uint64_t OpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  return limit.rlim_cur == RLIM_INFINITY ? (1u << 20) : limit.rlim_cur;
}

uint64_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &limit);  // keeps the old limit when refused
  }
  return OpenFileLimit();
}

}  // namespace qun::sync
