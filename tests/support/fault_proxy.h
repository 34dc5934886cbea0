// A TCP proxy that damages the traffic between two qun nodes on purpose:
// it cuts connections, truncates, duplicates, corrupts, reorders and delays
// what passes, each with a seeded probability per chunk read. For the
// network-fault tests; one thread, poll(2), blocking writes of small chunks.
//
// Header-only, like cli_runner.h.
#pragma once

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace qun::testing {

struct FaultPlan {
  double cut = 0;        // close both sides of the connection
  double truncate = 0;   // pass a prefix of the chunk, then close
  double duplicate = 0;  // pass the chunk twice
  double corrupt = 0;    // flip one byte
  double reorder = 0;    // hold the chunk back until the next one passed
  int max_delay_ms = 0;  // wait up to this long before passing a chunk
};

struct FaultCounts {
  int connections = 0, cuts = 0, truncations = 0, duplicates = 0, corruptions = 0, reorders = 0;
  int Faults() const { return cuts + truncations + duplicates + corruptions + reorders; }
};

class FaultProxy {
 public:
  // Forwards connections to 127.0.0.1:`target_port`.
  FaultProxy(int target_port, uint64_t seed) : target_port_(target_port), rng_(seed) {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(listen(listener_, 16) == 0);
    socklen_t len = sizeof a;
    REQUIRE(getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~FaultProxy() {
    stop_ = true;
    thread_.join();
    for (Pair& p : pairs_) Close(p);
    close(listener_);
  }
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::string address() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  void SetPlan(const FaultPlan& plan) {
    std::lock_guard<std::mutex> lock(mu_);
    plan_ = plan;
  }
  FaultCounts counts() {
    std::lock_guard<std::mutex> lock(mu_);
    return counts_;
  }
  // Cuts every open connection now (a laptop lid closed).
  void CutAll() { cut_all_ = true; }

 private:
  struct Pair {
    int fd[2] = {-1, -1};  // 0: the connecting side, 1: the target
    std::string held[2];   // a chunk held back for reordering, per direction
  };

  static bool WriteAll(int fd, const char* p, size_t n) {
    while (n > 0) {
      ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
      if (w <= 0) return false;
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }
  static void Close(Pair& p) {
    for (int& fd : p.fd)
      if (fd >= 0) {
        close(fd);
        fd = -1;
      }
  }
  bool Roll(double p) { return p > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  void Accept() {
    int c = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;
    int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(target_port_));
    if (t < 0 || connect(t, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      close(c);
      if (t >= 0) close(t);
      return;
    }
    Pair p;
    p.fd[0] = c;
    p.fd[1] = t;
    pairs_.push_back(p);
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_.connections;
  }

  // Passes one chunk from side `from` of `p`, damaged as the plan says.
  // False when the pair is finished.
  bool Pass(Pair& p, int from) {
    char buf[8192];
    ssize_t n = recv(p.fd[from], buf, sizeof buf, 0);
    if (n <= 0) return false;
    std::string chunk(buf, static_cast<size_t>(n));
    FaultPlan plan;
    {
      std::lock_guard<std::mutex> lock(mu_);
      plan = plan_;
    }
    int to = 1 - from;
    auto count = [&](int FaultCounts::*field) {
      std::lock_guard<std::mutex> lock(mu_);
      ++(counts_.*field);
    };
    if (plan.max_delay_ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(
          std::uniform_int_distribution<int>(0, plan.max_delay_ms)(rng_)));
    if (Roll(plan.cut)) {
      count(&FaultCounts::cuts);
      return false;
    }
    if (Roll(plan.truncate)) {
      count(&FaultCounts::truncations);
      size_t keep = std::uniform_int_distribution<size_t>(0, chunk.size() - 1)(rng_);
      WriteAll(p.fd[to], chunk.data(), keep);
      return false;
    }
    if (Roll(plan.corrupt)) {
      count(&FaultCounts::corruptions);
      size_t at = std::uniform_int_distribution<size_t>(0, chunk.size() - 1)(rng_);
      chunk[at] = static_cast<char>(chunk[at] ^ 0x5a);
    }
    if (p.held[from].empty() && Roll(plan.reorder)) {
      count(&FaultCounts::reorders);
      p.held[from] = std::move(chunk);
      return true;
    }
    bool ok = WriteAll(p.fd[to], chunk.data(), chunk.size());
    if (ok && !p.held[from].empty()) {
      ok = WriteAll(p.fd[to], p.held[from].data(), p.held[from].size());
      p.held[from].clear();
    }
    if (ok && Roll(plan.duplicate)) {
      count(&FaultCounts::duplicates);
      ok = WriteAll(p.fd[to], chunk.data(), chunk.size());
    }
    return ok;
  }

  void Loop() {
    while (!stop_) {
      if (cut_all_.exchange(false)) {
        for (Pair& p : pairs_) Close(p);
        pairs_.clear();
      }
      std::vector<pollfd> fds{{listener_, POLLIN, 0}};
      for (const Pair& p : pairs_) {
        fds.push_back({p.fd[0], POLLIN, 0});
        fds.push_back({p.fd[1], POLLIN, 0});
      }
      const size_t polled = pairs_.size();
      if (poll(fds.data(), fds.size(), 50) <= 0) continue;
      std::vector<Pair> alive;
      for (size_t i = 0; i < polled; ++i) {
        Pair& p = pairs_[i];
        bool ok = true;
        for (int side = 0; side < 2 && ok; ++side) {
          short ev = fds[1 + 2 * i + side].revents;
          if (ev & (POLLIN | POLLHUP | POLLERR)) ok = Pass(p, side);
        }
        if (ok)
          alive.push_back(p);
        else
          Close(p);
      }
      pairs_ = std::move(alive);
      if (fds[0].revents & POLLIN) Accept();
    }
  }

  int target_port_;
  int port_ = 0;
  int listener_ = -1;
  std::mt19937_64 rng_;
  std::mutex mu_;
  FaultPlan plan_;
  FaultCounts counts_;
  std::vector<Pair> pairs_;
  std::atomic<bool> stop_{false}, cut_all_{false};
  std::thread thread_;
};

}  // namespace qun::testing
