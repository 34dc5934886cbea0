// The ZeroMQ baseline: what raw ZeroMQ moves between two processes over
// tcp://127.0.0.1, with and without CURVE, so that a sync's wire rate can be
// read against it.
#pragma once

#include <sodium.h>

#include <array>
#include <zmq.hpp>

#include "bench/support.h"

namespace qun::bench {

// Keys for the baseline's CURVE: raw X25519 key pairs, as CURVE uses.
struct CurveKeys {
  std::array<uint8_t, crypto_box_PUBLICKEYBYTES> server_public{}, client_public{};
  std::array<uint8_t, crypto_box_SECRETKEYBYTES> server_secret{}, client_secret{};
};

inline CurveKeys NewCurveKeys() {
  CurveKeys k;
  crypto_box_keypair(k.server_public.data(), k.server_secret.data());
  crypto_box_keypair(k.client_public.data(), k.client_secret.data());
  return k;
}

// The sink's messages are one byte of kind, then padding: data is counted;
// ping is answered at once; end is answered with the count of data messages
// since the last end.
constexpr char kData = 'D', kPing = 'P', kEnd = 'E';

// The receiving end: a ROUTER bound to a free port of 127.0.0.1, CURVE
// server when `keys` is given, without ZAP (so it takes any client key).
// Writes its endpoint and a newline to `report_fd`, then serves until
// killed.
inline bool RunSink(const CurveKeys* keys, int report_fd) {
  zmq::context_t context;
  zmq::socket_t router(context, zmq::socket_type::router);
  if (keys) {
    router.set(zmq::sockopt::curve_server, 1);
    router.set(zmq::sockopt::curve_publickey,
               zmq::const_buffer(keys->server_public.data(), keys->server_public.size()));
    router.set(zmq::sockopt::curve_secretkey,
               zmq::const_buffer(keys->server_secret.data(), keys->server_secret.size()));
  }
  router.bind("tcp://127.0.0.1:*");
  bool reported = WriteAll(report_fd, router.get(zmq::sockopt::last_endpoint) + "\n");
  close(report_fd);
  if (!reported) return false;
  uint64_t data = 0;
  while (true) {
    zmq::message_t from, body;
    if (!router.recv(from) || !router.recv(body) || body.size() == 0) continue;
    char kind = *static_cast<const char*>(body.data());
    if (kind == kData) {
      ++data;
      continue;
    }
    std::string reply(1, kind);
    if (kind == kEnd) {
      reply.append(reinterpret_cast<const char*>(&data), sizeof data);
      data = 0;
    }
    router.send(from, zmq::send_flags::sndmore);
    router.send(zmq::buffer(reply), zmq::send_flags::none);
  }
}

// A sink in a child process, killed when destroyed.
struct Sink {
  std::unique_ptr<Child> child;
  std::string endpoint;
};

inline Result<Sink> StartSink(const CurveKeys* keys) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return Status::Internal(fmt::format("pipe failed: {}", std::strerror(errno)));
  auto child = Child::Fork([&] {
    close(fds[0]);
    return RunSink(keys, fds[1]);
  });
  close(fds[1]);
  std::string line = child.ok() ? ReadAll(fds[0], '\n') : "";
  close(fds[0]);
  if (!child.ok()) return child.status();
  if (line.empty() || line.back() != '\n') return Status::Internal("the ZeroMQ sink did not start");
  line.pop_back();
  return Sink{std::move(*child), line};
}

// A DEALER connected to `endpoint`, CURVE client of the sink when `keys`
// is given.
inline zmq::socket_t Dealer(zmq::context_t& context, const std::string& endpoint,
                            const CurveKeys* keys) {
  zmq::socket_t dealer(context, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.set(zmq::sockopt::rcvtimeo, 30'000);
  if (keys) {
    dealer.set(zmq::sockopt::curve_serverkey,
               zmq::const_buffer(keys->server_public.data(), keys->server_public.size()));
    dealer.set(zmq::sockopt::curve_publickey,
               zmq::const_buffer(keys->client_public.data(), keys->client_public.size()));
    dealer.set(zmq::sockopt::curve_secretkey,
               zmq::const_buffer(keys->client_secret.data(), keys->client_secret.size()));
  }
  dealer.connect(endpoint);
  return dealer;
}

// Sends one message of `kind` and waits for the answer.
inline Result<zmq::message_t> Ask(zmq::socket_t& dealer, char kind) {
  dealer.send(zmq::buffer(&kind, 1), zmq::send_flags::none);
  zmq::message_t reply;
  if (!dealer.recv(reply)) return Status::Internal("the ZeroMQ sink did not answer within 30 s");
  return reply;
}

struct Stream {
  double seconds = 0;
  uint64_t messages = 0, bytes = 0;
};

// Streams `count` messages of `size` bytes to the sink, once connected (a
// ping answered), and times them until the sink has counted them all.
inline Result<Stream> StreamTo(const std::string& endpoint, const CurveKeys* keys, size_t size,
                               uint64_t count) {
  zmq::context_t context;
  zmq::socket_t dealer = Dealer(context, endpoint, keys);
  QUN_RETURN_IF_ERROR(Ask(dealer, kPing).status());
  std::string payload(size, 'x');
  payload[0] = kData;
  auto start = Clock::now();
  for (uint64_t i = 0; i < count; ++i) dealer.send(zmq::buffer(payload), zmq::send_flags::none);
  QUN_ASSIGN_OR_RETURN(zmq::message_t reply, Ask(dealer, kEnd));
  Stream out{Seconds(start), count, count * size};
  uint64_t counted = 0;
  if (reply.size() == 1 + sizeof counted)
    std::memcpy(&counted, static_cast<const char*>(reply.data()) + 1, sizeof counted);
  if (counted != count)
    return Status::Internal(
        fmt::format("the ZeroMQ sink counted {} messages of the {} sent", counted, count));
  return out;
}

// The median time of a connect (TCP, then the CURVE handshake) and one
// round trip, each on a fresh socket: what any sync costs before it
// starts, less starting a process.
inline Result<double> ConnectAndPing(const std::string& endpoint, const CurveKeys* keys, int runs) {
  zmq::context_t context;
  std::vector<double> seconds;
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    zmq::socket_t dealer = Dealer(context, endpoint, keys);
    QUN_RETURN_IF_ERROR(Ask(dealer, kPing).status());
    seconds.push_back(Seconds(start));
  }
  return Median(seconds);
}

}  // namespace qun::bench
