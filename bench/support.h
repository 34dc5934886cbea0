// What every stage of the bench needs: figures formatted for the table,
// stopping cleanly on Ctrl-C, a temporary folder, and child processes whose
// time and peak memory are measured from outside.
//
// Peak RSS of a child is ru_maxrss from wait4(). Linux counts in it the
// pages the child had from fork() before it called exec, so everything
// heavy runs in child processes and the bench itself stays small.
#pragma once

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "base/status.h"

namespace qun::bench {

using Clock = std::chrono::steady_clock;

// 1234567 -> "1,234,567".
inline std::string Grouped(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

inline std::string PerSecond(double count, double seconds) {
  return Grouped(static_cast<uint64_t>(seconds > 0 ? count / seconds : 0));
}

inline double Mib(double bytes) { return bytes / (1024.0 * 1024.0); }

inline std::string Bytes(uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  if (bytes < 1024 * 1024) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024.0);
  return fmt::format("{:.1f} MiB", Mib(static_cast<double>(bytes)));
}

inline double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

inline double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t mid = v.size() / 2;
  return v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

// What a figure is as a share of its baseline: "36%", or "100.1%" with
// `decimals`.
inline std::string Share(double figure, double baseline, int decimals = 0) {
  return baseline > 0 ? fmt::format("{:.{}f}%", 100 * figure / baseline, decimals) : "-";
}

// Set by SIGINT or SIGTERM. The bench then stops what it is waiting for and
// unwinds, so that its children are stopped and its temporary folder (a few
// gigabytes in a full run) is removed.
inline volatile std::sig_atomic_t g_interrupted = 0;

inline void OnStopSignal(int) { g_interrupted = 1; }

// Installs OnStopSignal (`catch_them`), or the default action again (in a
// forked child, which should simply die). Without SA_RESTART, so that a
// blocking read or wait returns EINTR and the flag is seen.
inline void HandleStopSignals(bool catch_them) {
  struct sigaction sa {};
  sa.sa_handler = catch_them ? OnStopSignal : SIG_DFL;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

inline Status Interrupted() { return Status::Internal("interrupted"); }

// ---------------------------------------------------------------------------
// Files and folders

// A folder from mkdtemp, removed with everything in it when destroyed.
class TempDir {
 public:
  static Result<std::unique_ptr<TempDir>> Create() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/qun-bench-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr)
      return Status::IOError(
          fmt::format("cannot create a temporary folder {}: {}", pattern, std::strerror(errno)));
    return std::unique_ptr<TempDir>(new TempDir(pattern));
  }
  ~TempDir() {
    std::error_code ec;
    if (!keep_) std::filesystem::remove_all(path_, ec);
  }
  void Keep() { keep_ = true; }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
  bool keep_ = false;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string Trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

// write() until all of `bytes` is out; false on an error.
inline bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR && !g_interrupted) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads until end of file, or up to and including `stop` when it is given.
inline std::string ReadAll(int fd, std::optional<char> stop = std::nullopt) {
  std::string out;
  char buf[4096];
  while (true) {
    ssize_t n = read(fd, buf, stop ? 1 : sizeof buf);
    if (n < 0 && errno == EINTR && !g_interrupted) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (stop && buf[0] == *stop) break;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Child processes

// How a child ended, and what it used.
struct Ended {
  int status = 0;  // as wait4() gives it
  rusage usage{};
  double seconds = 0;  // from fork() to wait4()'s return
  bool ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
  double peak_rss_mib() const { return static_cast<double>(usage.ru_maxrss) / 1024.0; }
};

inline std::string HowEnded(int status) {
  if (WIFEXITED(status)) return fmt::format("exit code {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("signal {}", WTERMSIG(status));
  return "an unknown way";
}

// One child process of this one: a program run with exec, or a function run
// in a fork. A child still running when this is destroyed gets SIGTERM and
// is waited for, so that a failed run leaves no `qun serve` behind.
class Child {
 public:
  // Runs `argv[0]` with stdin from /dev/null and stdout and stderr into the
  // files given.
  static Result<std::unique_ptr<Child>> Exec(const std::vector<std::string>& argv,
                                             const std::string& out_path,
                                             const std::string& err_path) {
    // Everything the child needs is made before fork(), so that the child
    // only calls what is safe there.
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    auto close_all = [&] {
      for (int fd : {in, out, err})
        if (fd >= 0) close(fd);
    };
    if (in < 0 || out < 0 || err < 0) {
      close_all();
      return Status::IOError(
          fmt::format("cannot open the files for {}: {}", argv[0], std::strerror(errno)));
    }
    std::fflush(stdout);
    std::fflush(stderr);
    auto started = Clock::now();
    pid_t pid = fork();
    if (pid == 0) {
      dup2(in, 0);
      dup2(out, 1);
      dup2(err, 2);
      execv(args[0], args.data());
      static const char kFailed[] = "qun_bench: exec failed\n";
      ssize_t ignored = write(2, kFailed, sizeof kFailed - 1);
      (void)ignored;
      _exit(127);
    }
    close_all();
    if (pid < 0) return Status::Internal(fmt::format("fork failed: {}", std::strerror(errno)));
    return std::unique_ptr<Child>(new Child(pid, started));
  }

  // Runs `body` in a forked child, which exits when it returns (0), throws
  // or fails (1).
  static Result<std::unique_ptr<Child>> Fork(const std::function<bool()>& body) {
    std::fflush(stdout);
    std::fflush(stderr);
    auto started = Clock::now();
    pid_t pid = fork();
    if (pid == 0) {
      HandleStopSignals(false);
      bool ok = false;
      try {
        ok = body();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "qun_bench: a child process failed: %s\n", e.what());
      }
      // _exit: the child must not run this process's destructors (the
      // temporary folder's among them).
      _exit(ok ? 0 : 1);
    }
    if (pid < 0) return Status::Internal(fmt::format("fork failed: {}", std::strerror(errno)));
    return std::unique_ptr<Child>(new Child(pid, started));
  }

  ~Child() {
    if (!ended_) (void)Stop();
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Waits for the child to end; "interrupted" if the bench is asked to stop
  // first.
  Result<Ended> Wait() { return Reap(0, true); }
  // Asks the child to stop (SIGTERM), then waits for it, even when the bench
  // is stopping.
  Result<Ended> Stop() {
    if (!ended_) kill(pid_, SIGTERM);
    return Reap(0, false);
  }
  // False once the child has ended (and is then reaped).
  bool Running() {
    if (ended_) return false;
    (void)Reap(WNOHANG, false);
    return !ended_;
  }
  const Ended& ended() const { return *ended_; }

 private:
  Child(pid_t pid, Clock::time_point started) : pid_(pid), started_(started) {}

  Result<Ended> Reap(int flags, bool interruptible) {
    while (!ended_) {
      if (interruptible && g_interrupted) return Interrupted();
      Ended e;
      pid_t got = wait4(pid_, &e.status, flags, &e.usage);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return Status::Internal(fmt::format("wait4 failed: {}", std::strerror(errno)));
      if (got == 0) return Status::Internal("still running");  // WNOHANG
      e.seconds = Seconds(started_);
      ended_ = e;
    }
    return *ended_;
  }

  pid_t pid_;
  Clock::time_point started_;
  std::optional<Ended> ended_;
};

// Runs `work` in a forked child and returns what it returned: every heavy
// stage runs this way, in a fresh process, and this one stays small. T is
// copied through a pipe byte for byte, so it must be trivially copyable.
template <typename T>
Result<T> InChild(const std::function<Result<T>()>& work, double* peak_rss_mib = nullptr) {
  static_assert(std::is_trivially_copyable_v<T>);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return Status::Internal(fmt::format("pipe failed: {}", std::strerror(errno)));
  auto child = Child::Fork([&] {
    close(fds[0]);
    Result<T> r = work();
    std::string reply(1, r.ok() ? '+' : '-');
    if (r.ok())
      reply.append(reinterpret_cast<const char*>(&*r), sizeof(T));
    else
      reply += r.status().message();
    return WriteAll(fds[1], reply);
  });
  close(fds[1]);
  if (!child.ok()) {
    close(fds[0]);
    return child.status();
  }
  std::string reply = ReadAll(fds[0]);
  close(fds[0]);
  QUN_ASSIGN_OR_RETURN(Ended ended, (*child)->Wait());
  if (peak_rss_mib) *peak_rss_mib = ended.peak_rss_mib();
  if (!reply.empty() && reply[0] == '-') return Status::Internal(reply.substr(1));
  if (!ended.ok() || reply.size() != 1 + sizeof(T))
    return Status::Internal(
        fmt::format("a child process of the bench ended with {}", HowEnded(ended.status)));
  T out;
  std::memcpy(&out, reply.data() + 1, sizeof(T));
  return out;
}

}  // namespace qun::bench
