// qun_net_bench: network sync between two `qun` processes over loopback,
// each figure next to a raw baseline measured in the same run.
//
// Two pairs of nodes are made with the qun CLI, as two admins make them
// (`init`, `init --join`, `invite`, `join`): A and B, where A then holds
// --ops field writes, and C and D, where C holds 1,000. The field writes go
// in through the store (core::WriteTxn, one per --batch ops, so one change
// set each) and are sealed before any sync starts, so that the timed syncs
// move change sets and do nothing else. Then `qun serve` runs on A and
// `qun --json sync` on B, each in its own process: the initial sync is
// timed, then several syncs with nothing to move, on A/B and on C/D, to
// see whether a no-op sync grows with the history (it should not).
//
// The baselines, each in a fresh process: the same field writes upserted
// into one plain SQLite table; a ZeroMQ DEALER streaming to a ROUTER over
// tcp://127.0.0.1 with CURVE (64 KiB and 128-byte messages, and 64 KiB
// without CURVE); a CURVE connect and one round trip, on a fresh socket each
// time; and `qun --version`, the cost of starting qun at all.
//
// Peak RSS of a child is ru_maxrss from wait4(). Linux counts in it the
// pages the child had from fork() before it called exec, so everything
// heavy here runs in child processes and this one stays small; its own size
// is printed as the floor of every child's figure.
//
// Everything lives in a fresh temporary folder (under $TMPDIR, else /tmp),
// removed at exit. A measurement, not a test: it checks that the sync gives
// B the state of A (equal state hashes) but never judges the times.
#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
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
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>
#include <zmq.hpp>

#include "core/home.h"
#include "core/identity.h"
#include "core/ids.h"
#include "core/oplog.h"
#include "core/store.h"
#include "sync/change_set_store.h"
#include "sync/community.h"

namespace qun::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int64_t ops = 1'000'000;
  int64_t batch = 1'000;
  int runs = 9;  // no-op syncs per pair, and samples of each small baseline
  bool quick = false;
  bool keep = false;  // leave the temporary folder, to look at the nodes after
  std::string qun;    // the qun binary
};

constexpr int64_t kQuickOps = 20'000;
constexpr int kQuickRuns = 5;
// The history of the second pair: the no-op sync with little behind it.
constexpr int64_t kSmallHistory = 1'000;
constexpr uint64_t kSeed = 20250301;

// The ZeroMQ baseline's messages: as large as a good share of a sync batch,
// and as small as the protocol's control messages.
constexpr size_t kLargeMessage = 64 * 1024;
constexpr size_t kSmallMessage = 128;

// ---------------------------------------------------------------------------
// Formatting

// 1234567 -> "1,234,567".
std::string Grouped(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string PerSecond(double count, double seconds) {
  return Grouped(static_cast<uint64_t>(seconds > 0 ? count / seconds : 0));
}

double Mib(double bytes) { return bytes / (1024.0 * 1024.0); }

std::string Bytes(uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  if (bytes < 1024 * 1024) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024.0);
  return fmt::format("{:.1f} MiB", Mib(static_cast<double>(bytes)));
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t mid = v.size() / 2;
  return v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

// What a figure is as a share of its baseline: "36%", or "100.1%" with
// `decimals`.
std::string Share(double figure, double baseline, int decimals = 0) {
  return baseline > 0 ? fmt::format("{:.{}f}%", 100 * figure / baseline, decimals) : "-";
}

// ---------------------------------------------------------------------------
// Stopping

// Set by SIGINT or SIGTERM. The bench then stops what it is waiting for and
// unwinds, so that its children are stopped and its temporary folder (a few
// gigabytes in a full run) is removed.
volatile std::sig_atomic_t g_interrupted = 0;

void OnStopSignal(int) { g_interrupted = 1; }

// Installs OnStopSignal (`catch_them`), or the default action again (in a
// forked child, which should simply die). Without SA_RESTART, so that a
// blocking read or wait returns EINTR and the flag is seen.
void HandleStopSignals(bool catch_them) {
  struct sigaction sa {};
  sa.sa_handler = catch_them ? OnStopSignal : SIG_DFL;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

Status Interrupted() { return Status::Internal("interrupted"); }

// ---------------------------------------------------------------------------
// Files and folders

// A folder from mkdtemp, removed with everything in it when destroyed.
class TempDir {
 public:
  static Result<std::unique_ptr<TempDir>> Create() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/qun-net-bench-XXXXXX";
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

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

// write() until all of `bytes` is out; false on an error.
bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR && !g_interrupted) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads until end of file, or up to and including `stop` when it is given.
std::string ReadAll(int fd, std::optional<char> stop = std::nullopt) {
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

std::string HowEnded(int status) {
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
      static const char kFailed[] = "qun_net_bench: exec failed\n";
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
        std::fprintf(stderr, "qun_net_bench: a child process failed: %s\n", e.what());
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
Result<T> InChild(const std::function<Result<T>()>& work) {
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
  if (!reply.empty() && reply[0] == '-') return Status::Internal(reply.substr(1));
  if (!ended.ok() || reply.size() != 1 + sizeof(T))
    return Status::Internal(
        fmt::format("a child process of the bench ended with {}", HowEnded(ended.status)));
  T out;
  std::memcpy(&out, reply.data() + 1, sizeof(T));
  return out;
}

// ---------------------------------------------------------------------------
// Running qun

struct Ran {
  Ended ended;
  std::string out;
};

// Runs `qun ARGS...` to its end; an error, with what it printed to stderr,
// unless it exits with 0.
Result<Ran> RunQun(const Options& opt, const TempDir& tmp, const std::vector<std::string>& args) {
  std::vector<std::string> argv{opt.qun};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string out_path = tmp / "qun.out", err_path = tmp / "qun.err";
  QUN_ASSIGN_OR_RETURN(auto child, Child::Exec(argv, out_path, err_path));
  QUN_ASSIGN_OR_RETURN(Ended ended, child->Wait());
  Ran ran{ended, ReadFile(out_path)};
  if (!ended.ok()) {
    std::string command;
    for (const std::string& a : args) command += (command.empty() ? "" : " ") + a;
    return Status::Internal(fmt::format("`qun {}` failed with {}: {}", command,
                                        HowEnded(ended.status), Trimmed(ReadFile(err_path))));
  }
  return ran;
}

// A node's id, as `qun init` left it in node.pub.
std::string NodeId(const std::string& home) { return Trimmed(ReadFile(home + "/node.pub")); }

// Makes `first` the founder of a new community and `second` another admin's
// node in it, the way two admins do it with the CLI.
Status MakePair(const Options& opt, const TempDir& tmp, const std::string& first,
                const std::string& second) {
  QUN_RETURN_IF_ERROR(
      RunQun(opt, tmp, {"--home", first, "init", "--name", "Bench", "--admin", "Alice"}).status());
  QUN_RETURN_IF_ERROR(
      RunQun(opt, tmp, {"--home", second, "init", "--join", "--admin", "Bob"}).status());
  const std::string invite = second + ".invite.qun";
  QUN_RETURN_IF_ERROR(
      RunQun(opt, tmp, {"--home", first, "invite", NodeId(second), "-o", invite, "--name", "Bob"})
          .status());
  return RunQun(opt, tmp, {"--home", second, "join", invite}).status();
}

// `qun serve` on `home`, on a free port of 127.0.0.1, syncing with no one on
// its own. Returns once it has said where it listens.
Result<std::unique_ptr<Child>> StartServe(const Options& opt, const std::string& home,
                                          std::string* endpoint) {
  const std::string log = home + ".serve.log", err = home + ".serve.err";
  QUN_ASSIGN_OR_RETURN(auto child, Child::Exec({opt.qun, "--home", home, "serve", "--listen",
                                                "tcp://127.0.0.1:*", "--sync-every", "0"},
                                               log, err));
  // It logs "... serving NODE on tcp://127.0.0.1:PORT" once bound.
  const std::string kPrefix = "tcp://127.0.0.1:";
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    if (g_interrupted) return Interrupted();
    std::string text = ReadFile(log);
    if (size_t at = text.find(kPrefix); at != std::string::npos) {
      size_t end = text.find_first_not_of("0123456789", at + kPrefix.size());
      if (end != std::string::npos && end > at + kPrefix.size()) {
        *endpoint = text.substr(at, end - at);
        return child;
      }
    }
    if (!child->Running())
      return Status::Internal(fmt::format("`qun serve` ended with {}: {}",
                                          HowEnded(child->ended().status), Trimmed(ReadFile(err))));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Status::Internal("`qun serve` did not say where it listens within 30 s");
}

// Stops a `qun serve` (SIGTERM, as Ctrl-C would) and returns how it ended;
// an error unless it stopped cleanly.
Result<Ended> StopServe(Child& serve) {
  QUN_ASSIGN_OR_RETURN(Ended ended, serve.Stop());
  if (!ended.ok())
    return Status::Internal(fmt::format("`qun serve` ended with {}", HowEnded(ended.status)));
  return ended;
}

// Points `home`'s peer `name` at `endpoint`, where the node `server_home`
// serves.
Status SetPeer(const Options& opt, const TempDir& tmp, const std::string& home,
               const std::string& name, const std::string& endpoint,
               const std::string& server_home) {
  // A peer added before (at another port) goes first.
  (void)RunQun(opt, tmp, {"--home", home, "peer", "remove", name});
  return RunQun(opt, tmp,
                {"--home", home, "peer", "add", name, endpoint, "--key", NodeId(server_home)})
      .status();
}

// One `qun --json sync` as seen from outside and as it reports itself.
struct SyncRun {
  double wall_s = 0;  // the process, from fork() to its end
  double sync_s = 0;  // the sync itself, as it reports ("seconds")
  double peak_rss_mib = 0;
  uint64_t sent = 0, received = 0, applied = 0;
  uint64_t bytes_sent = 0, bytes_received = 0;
  uint64_t wire() const { return bytes_sent + bytes_received; }
};

Result<SyncRun> Sync(const Options& opt, const TempDir& tmp, const std::string& home,
                     const std::string& peer) {
  QUN_ASSIGN_OR_RETURN(Ran ran, RunQun(opt, tmp, {"--home", home, "--json", "sync", peer}));
  SyncRun r;
  r.wall_s = ran.ended.seconds;
  r.peak_rss_mib = ran.ended.peak_rss_mib();
  try {
    auto j = nlohmann::json::parse(ran.out);
    if (!j.value("ok", false))
      return Status::Internal(fmt::format("`qun sync` did not succeed: {}", ran.out));
    r.sync_s = j.at("seconds").get<double>();
    r.sent = j.at("sent").get<uint64_t>();
    r.received = j.at("received").get<uint64_t>();
    r.applied = j.at("applied").get<uint64_t>();
    r.bytes_sent = j.at("bytes_sent").get<uint64_t>();
    r.bytes_received = j.at("bytes_received").get<uint64_t>();
  } catch (const std::exception& e) {
    return Status::Internal(
        fmt::format("cannot read the output of `qun --json sync` ({}): {}", e.what(), ran.out));
  }
  return r;
}

Result<std::string> StateHash(const Options& opt, const TempDir& tmp, const std::string& home) {
  QUN_ASSIGN_OR_RETURN(Ran ran, RunQun(opt, tmp, {"--home", home, "state-hash"}));
  return Trimmed(ran.out);
}

// ---------------------------------------------------------------------------
// The workload

struct FieldWrite {
  std::string row_id;
  const char* column;
  std::string value;
};

// A deterministic stream of field writes to person rows, shaped like a
// member sheet of a Chinese community: each new person gets a name, a city,
// a nickname and notes; one write in ten gives someone already complete new
// notes or a new nickname. Every value is new to its field, so every write
// is an op. The same seed gives the same stream to Qun and to the raw
// baseline.
class FieldWrites {
 public:
  explicit FieldWrites(uint64_t seed) : rng_(seed) {}

  FieldWrite Next() {
    ++count_;
    if (person_ > 0 && rng_() % 10 == 0) {
      std::string who = RowId(rng_() % person_);
      if (rng_() % 2)
        return {who, "nickname", fmt::format("{}{}{}", Pick(kSyllables), Pick(kSyllables), count_)};
      return {who, "notes",
              fmt::format("{}后常驻{}，在{}工作，第{}次更新", Pick(kYears), Pick(kPlaces),
                          Pick(kWork), count_)};
    }
    FieldWrite w{RowId(person_), kColumns[field_], ""};
    switch (field_) {
      case 0:
        w.value = fmt::format("{}{}{}", Pick(kFamily), Pick(kSyllables), Pick(kSyllables));
        break;
      case 1:
        w.value = Pick(kPlaces);
        break;
      case 2:
        w.value = fmt::format("{}{}", Pick(kSyllables), rng_() % 10'000);
        break;
      default:
        w.value = fmt::format("{}，{}后，在{}工作，欢迎私聊交流。", Pick(kPlaces), Pick(kYears),
                              Pick(kWork));
        break;
    }
    if (++field_ == 4) {
      field_ = 0;
      ++person_;
    }
    return w;
  }

 private:
  static constexpr const char* kColumns[] = {"display_name", "city", "nickname", "notes"};
  static constexpr const char* kFamily[] = {"孙", "马", "朱", "胡", "郑", "谢", "韩", "唐",
                                            "冯", "于", "董", "萧", "程", "曹", "袁", "邓"};
  static constexpr const char* kSyllables[] = {"子", "文", "思", "雨", "嘉", "一", "浩",  "宇",
                                               "欣", "然", "晨", "佳", "安", "琪", "Leo", "Mia"};
  static constexpr const char* kPlaces[] = {"天津", "重庆", "长沙", "青岛",      "大连",   "郑州",
                                            "昆明", "合肥", "福州", "Vancouver", "London", "Sydney",
                                            "台北", "澳门", "东京", "首尔"};
  static constexpr const char* kYears[] = {"70", "80", "85", "90", "95", "00"};
  static constexpr const char* kWork[] = {"互联网公司", "高校", "医院", "外企", "银行",
                                          "初创团队",   "NGO",  "工厂", "媒体", "自由职业"};

  template <size_t N>
  const char* Pick(const char* const (&list)[N]) {
    return list[rng_() % N];
  }
  static std::string RowId(uint64_t index) {
    return core::DerivedId("person", "net-bench-" + std::to_string(index));
  }

  std::mt19937_64 rng_;
  uint64_t count_ = 0;
  uint64_t person_ = 0;  // the person whose fields are being written
  int field_ = 0;
};

// What node A (or C) holds once filled.
struct Filled {
  int64_t ops = 0;
  double write_s = 0, seal_s = 0;
  // Every change set it holds, its founding ones included, and their bytes.
  uint64_t change_sets = 0;
  uint64_t change_set_bytes = 0;
};

// Writes `ops` field writes into the node at `home`, one WriteTxn per
// `batch`, and seals them into change sets, as the CLI would before a sync.
Result<Filled> Fill(const std::string& home, int64_t ops, int64_t batch) {
  QUN_RETURN_IF_ERROR(core::InitSodium());
  QUN_ASSIGN_OR_RETURN(auto store, core::Store::Open(core::DatabasePath(home), {}));
  // Setup, not a figure: without an fsync per commit and with a page cache
  // that holds the indexes, the million writes take a fraction of the time.
  // The syncs after run with Qun's own pragmas.
  QUN_RETURN_IF_ERROR(store->db().Exec("PRAGMA synchronous=NORMAL; PRAGMA cache_size=-1048576"));
  QUN_ASSIGN_OR_RETURN(auto identity, core::Identity::Load(home));
  QUN_ASSIGN_OR_RETURN(sync::Community community, sync::LoadCommunity(*store, home));
  sync::ChangeSetStore sets(*store, community, *identity);
  FieldWrites writes(kSeed);
  Filled out;
  auto start = Clock::now();
  for (int64_t done = 0; done < ops; done += batch) {
    QUN_ASSIGN_OR_RETURN(auto txn, store->Begin(identity->public_key(), "qun_net_bench"));
    for (int64_t i = 0; i < std::min(batch, ops - done); ++i) {
      FieldWrite w = writes.Next();
      QUN_ASSIGN_OR_RETURN(bool wrote, txn->Set("person", w.row_id, w.column, w.value));
      if (!wrote)
        return Status::Internal(
            fmt::format("the workload wrote {}.{} = {} twice", w.row_id, w.column, w.value));
      ++out.ops;
    }
    QUN_RETURN_IF_ERROR(txn->Commit());
  }
  out.write_s = Seconds(start);
  start = Clock::now();
  QUN_RETURN_IF_ERROR(sets.SealLocal().status());
  out.seal_s = Seconds(start);
  QUN_RETURN_IF_ERROR(sets.ForEachMissing({}, [&](std::string_view cs) {
    ++out.change_sets;
    out.change_set_bytes += cs.size();
    return Status::Ok();
  }));
  return out;
}

// ---------------------------------------------------------------------------
// Raw SQLite baseline

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

Status RawExec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK) return Status::Ok();
  return Status::Internal(fmt::format("raw SQLite: {}: {}", sql, sqlite3_errmsg(db)));
}

// The same field writes upserted, last writer wins by a clock column, into
// one plain table keyed by (row, column), with Qun's pragmas and one commit
// per batch: what storing the fields costs without anything of Qun's.
// Returns the seconds.
Result<double> RawUpsert(const std::string& path, int64_t ops, int64_t batch) {
  sqlite3* handle = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<sqlite3, SqliteCloser> db(handle);
  if (rc != SQLITE_OK) return Status::Internal(fmt::format("raw SQLite: cannot open {}", path));
  QUN_RETURN_IF_ERROR(RawExec(db.get(),
                              "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                              "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY; "
                              "CREATE TABLE field (row_id TEXT NOT NULL, col TEXT NOT NULL, "
                              "value, hlc INTEGER NOT NULL, PRIMARY KEY (row_id, col)) "
                              "WITHOUT ROWID"));
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db.get(),
                         "INSERT INTO field(row_id, col, value, hlc) VALUES (?1, ?2, ?3, ?4) "
                         "ON CONFLICT(row_id, col) DO UPDATE SET value = excluded.value, "
                         "hlc = excluded.hlc WHERE excluded.hlc > field.hlc",
                         -1, &raw, nullptr) != SQLITE_OK)
    return Status::Internal(fmt::format("raw SQLite: {}", sqlite3_errmsg(db.get())));
  std::unique_ptr<sqlite3_stmt, StmtFinalizer> upsert(raw);
  FieldWrites writes(kSeed);
  int64_t clock = 0;
  auto start = Clock::now();
  for (int64_t done = 0; done < ops; done += batch) {
    QUN_RETURN_IF_ERROR(RawExec(db.get(), "BEGIN IMMEDIATE"));
    for (int64_t i = 0; i < std::min(batch, ops - done); ++i) {
      FieldWrite w = writes.Next();
      sqlite3_stmt* s = upsert.get();
      sqlite3_bind_text(s, 1, w.row_id.data(), static_cast<int>(w.row_id.size()), SQLITE_STATIC);
      sqlite3_bind_text(s, 2, w.column, -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 3, w.value.data(), static_cast<int>(w.value.size()), SQLITE_STATIC);
      sqlite3_bind_int64(s, 4, ++clock);
      int step = sqlite3_step(s);
      sqlite3_reset(s);
      if (step != SQLITE_DONE)
        return Status::Internal(fmt::format("raw SQLite: upsert: {}", sqlite3_errmsg(db.get())));
    }
    QUN_RETURN_IF_ERROR(RawExec(db.get(), "COMMIT"));
  }
  return Seconds(start);
}

// ---------------------------------------------------------------------------
// Raw ZeroMQ baseline

// Keys for the baseline's CURVE: raw X25519 key pairs, as CURVE uses.
struct CurveKeys {
  std::array<uint8_t, crypto_box_PUBLICKEYBYTES> server_public{}, client_public{};
  std::array<uint8_t, crypto_box_SECRETKEYBYTES> server_secret{}, client_secret{};
};

CurveKeys NewCurveKeys() {
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
bool RunSink(const CurveKeys* keys, int report_fd) {
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

Result<Sink> StartSink(const CurveKeys* keys) {
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
zmq::socket_t Dealer(zmq::context_t& context, const std::string& endpoint, const CurveKeys* keys) {
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
Result<zmq::message_t> Ask(zmq::socket_t& dealer, char kind) {
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
Result<Stream> StreamTo(const std::string& endpoint, const CurveKeys* keys, size_t size,
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
Result<double> ConnectAndPing(const std::string& endpoint, const CurveKeys* keys, int runs) {
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

// ---------------------------------------------------------------------------
// The run

// Every figure of the table.
struct Figures {
  Filled big;
  double raw_upsert_s = 0;
  Stream curve_large, curve_small, plain_large;
  double curve_connect_s = 0;
  double version_s = 0, version_rss_mib = 0;
  SyncRun initial;
  double serve_initial_rss_mib = 0;
  // No-op syncs: [0] on C/D (small history), [1] on A/B.
  struct NoOp {
    double wall_s = 0, sync_s = 0, max_rss_mib = 0, serve_rss_mib = 0;
    uint64_t wire = 0;
  } noop[2];
  double self_rss_mib = 0;
};

double SelfPeakRssMib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// `runs` syncs of `home` with its peer "a", which has nothing to send and
// lacks nothing: the medians of their times and bytes, their largest RSS.
Result<Figures::NoOp> NoOpSyncs(const Options& opt, const TempDir& tmp, const std::string& home) {
  std::vector<double> wall, in_sync, wire;
  Figures::NoOp out;
  for (int i = 0; i < opt.runs; ++i) {
    QUN_ASSIGN_OR_RETURN(SyncRun r, Sync(opt, tmp, home, "a"));
    if (r.sent != 0 || r.received != 0)
      return Status::Internal(
          fmt::format("a sync expected to move nothing sent {} and received {} change sets", r.sent,
                      r.received));
    wall.push_back(r.wall_s);
    in_sync.push_back(r.sync_s);
    wire.push_back(static_cast<double>(r.wire()));
    out.max_rss_mib = std::max(out.max_rss_mib, r.peak_rss_mib);
  }
  out.wall_s = Median(wall);
  out.sync_s = Median(in_sync);
  out.wire = static_cast<uint64_t>(Median(wire));
  return out;
}

// Starts a fresh `qun serve` on `server`, points `client`'s peer "a" at
// it, runs `syncs`, then stops the serve and returns its peak RSS in MiB.
Result<double> WithServe(const Options& opt, const TempDir& tmp, const std::string& server,
                         const std::string& client, const std::function<Status()>& syncs) {
  std::string endpoint;
  QUN_ASSIGN_OR_RETURN(auto serve, StartServe(opt, server, &endpoint));
  QUN_RETURN_IF_ERROR(SetPeer(opt, tmp, client, "a", endpoint, server));
  QUN_RETURN_IF_ERROR(syncs());
  QUN_ASSIGN_OR_RETURN(Ended ended, StopServe(*serve));
  return ended.peak_rss_mib();
}

// Table rows: a heading when `qun` and `baseline` are both empty.
struct Row {
  std::string label, qun, baseline;
};

void PrintTable(const std::vector<Row>& rows) {
  size_t label = 0, qun = 0;
  for (const Row& r : rows) {
    if (r.qun.empty() && r.baseline.empty()) continue;
    label = std::max(label, r.label.size());
    qun = std::max(qun, r.qun.size());
  }
  fmt::print("{:<{}}  {:<{}}  {}\n", "", label, "qun", qun, "raw baseline, same run");
  for (const Row& r : rows) {
    if (r.qun.empty() && r.baseline.empty())
      fmt::print("{}\n", r.label);
    else
      fmt::print("{:<{}}  {:<{}}  {}\n", r.label, label, r.qun, qun, r.baseline);
  }
}

// Every stage of the bench, then the table.
Status Measure(const Options& opt, const TempDir& tmp) {
  const uint64_t large_count = opt.quick ? 2'048 : 16'384;
  const uint64_t small_count = opt.quick ? 100'000 : 1'000'000;
  Figures f;

  // Start-up of qun alone: the floor of any `qun sync`'s time and memory.
  {
    std::vector<double> wall, rss;
    for (int i = 0; i < opt.runs; ++i) {
      QUN_ASSIGN_OR_RETURN(Ran ran, RunQun(opt, tmp, {"--version"}));
      wall.push_back(ran.ended.seconds);
      rss.push_back(ran.ended.peak_rss_mib());
    }
    f.version_s = Median(wall);
    f.version_rss_mib = Median(rss);
  }

  fmt::print("making nodes A, B (for {} ops) and C, D (for {}) with the qun CLI\n",
             Grouped(opt.ops), Grouped(kSmallHistory));
  std::fflush(stdout);
  const std::string a = tmp / "a", b = tmp / "b", c = tmp / "c", d = tmp / "d";
  QUN_RETURN_IF_ERROR(MakePair(opt, tmp, a, b));
  QUN_RETURN_IF_ERROR(MakePair(opt, tmp, c, d));

  QUN_RETURN_IF_ERROR(InChild<Filled>([&] { return Fill(c, kSmallHistory, opt.batch); }).status());
  QUN_ASSIGN_OR_RETURN(f.big, InChild<Filled>([&] { return Fill(a, opt.ops, opt.batch); }));
  fmt::print("wrote {} ops on A in {:.1f} s and sealed them in {:.1f} s: {} change sets, {}\n",
             Grouped(f.big.ops), f.big.write_s, f.big.seal_s, Grouped(f.big.change_sets),
             Bytes(f.big.change_set_bytes));
  std::fflush(stdout);

  fmt::print("raw baselines: SQLite upsert, ZeroMQ streams and round trips\n");
  std::fflush(stdout);
  QUN_ASSIGN_OR_RETURN(f.raw_upsert_s, InChild<double>([&] {
                         return RawUpsert(tmp / "raw.db", opt.ops, opt.batch);
                       }));
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((tmp / "raw.db" + suffix).c_str());
  {
    const CurveKeys keys = NewCurveKeys();
    QUN_ASSIGN_OR_RETURN(Sink curve, StartSink(&keys));
    QUN_ASSIGN_OR_RETURN(f.curve_large, InChild<Stream>([&] {
                           return StreamTo(curve.endpoint, &keys, kLargeMessage, large_count);
                         }));
    QUN_ASSIGN_OR_RETURN(f.curve_small, InChild<Stream>([&] {
                           return StreamTo(curve.endpoint, &keys, kSmallMessage, small_count);
                         }));
    QUN_ASSIGN_OR_RETURN(f.curve_connect_s, InChild<double>([&] {
                           return ConnectAndPing(curve.endpoint, &keys, std::max(opt.runs, 21));
                         }));
    curve.child.reset();  // stopped, so that it takes no CPU from the next
    QUN_ASSIGN_OR_RETURN(Sink plain, StartSink(nullptr));
    QUN_ASSIGN_OR_RETURN(f.plain_large, InChild<Stream>([&] {
                           return StreamTo(plain.endpoint, nullptr, kLargeMessage, large_count);
                         }));
  }

  // The initial sync: B takes everything A holds, and A takes B's joining.
  fmt::print("initial sync: `qun serve` on A, `qun --json sync` on B\n");
  std::fflush(stdout);
  QUN_ASSIGN_OR_RETURN(f.serve_initial_rss_mib, WithServe(opt, tmp, a, b, [&]() -> Status {
                         QUN_ASSIGN_OR_RETURN(f.initial, Sync(opt, tmp, b, "a"));
                         return Status::Ok();
                       }));
  QUN_ASSIGN_OR_RETURN(std::string hash_a, StateHash(opt, tmp, a));
  QUN_ASSIGN_OR_RETURN(std::string hash_b, StateHash(opt, tmp, b));
  if (hash_a != hash_b || f.initial.applied != f.initial.received ||
      f.initial.received < static_cast<uint64_t>(opt.ops / opt.batch))
    return Status::Internal(fmt::format(
        "the sync did not give B the state of A: {} change sets received, {} applied; state hash "
        "{} on A, {} on B",
        f.initial.received, f.initial.applied, hash_a, hash_b));

  // No-op syncs, once C/D are in sync too. Each pair gets a fresh serve, so
  // that the serve's peak RSS is that of answering no-op syncs alone.
  fmt::print("no-op syncs: {} on C/D ({} ops of history), {} on A/B ({})\n\n", opt.runs,
             Grouped(kSmallHistory), opt.runs, Grouped(opt.ops));
  std::fflush(stdout);
  QUN_RETURN_IF_ERROR(
      WithServe(opt, tmp, c, d, [&] { return Sync(opt, tmp, d, "a").status(); }).status());
  for (int i = 0; i < 2; ++i) {
    const std::string& server = i == 0 ? c : a;
    const std::string& client = i == 0 ? d : b;
    QUN_ASSIGN_OR_RETURN(f.noop[i].serve_rss_mib,
                         WithServe(opt, tmp, server, client, [&]() -> Status {
                           QUN_ASSIGN_OR_RETURN(f.noop[i], NoOpSyncs(opt, tmp, client));
                           return Status::Ok();
                         }));
  }
  f.self_rss_mib = SelfPeakRssMib();

  // The table.
  const SyncRun& in = f.initial;
  const double ops_rate = static_cast<double>(opt.ops) / in.wall_s;
  const double raw_rate = static_cast<double>(opt.ops) / f.raw_upsert_s;
  auto mib_s = [](const Stream& s) { return Mib(static_cast<double>(s.bytes)) / s.seconds; };
  auto ms = [](double s) { return fmt::format("{:.1f} ms", 1000 * s); };
  auto mib = [](double m) { return fmt::format("{:.1f} MiB", m); };
  const std::string version_ms = fmt::format("qun --version: {}", ms(f.version_s));
  const std::string version_rss = fmt::format("qun --version: {}", mib(f.version_rss_mib));
  const std::string connect =
      fmt::format("CURVE connect + 1 round trip: {}", ms(f.curve_connect_s));
  const std::string history[2] = {Grouped(kSmallHistory), Grouped(opt.ops)};
  std::vector<Row> rows;
  rows.push_back({fmt::format("initial sync of {} ops ({} change sets), A to B", Grouped(opt.ops),
                              Grouped(in.received)),
                  "", ""});
  rows.push_back({"  ops/s", fmt::format("{} ({:.1f} s)", PerSecond(opt.ops, in.wall_s), in.wall_s),
                  fmt::format("SQLite upsert: {} ops/s (qun {})",
                              PerSecond(opt.ops, f.raw_upsert_s), Share(ops_rate, raw_rate))});
  rows.push_back({"  change sets/s", fmt::format("{:.1f}", in.received / in.wall_s),
                  fmt::format("ZeroMQ CURVE 64 KiB: {} msgs/s",
                              PerSecond(f.curve_large.messages, f.curve_large.seconds))});
  rows.push_back(
      {"  bytes on the wire", fmt::format("{} ({} B/op)", Bytes(in.wire()), in.wire() / opt.ops),
       fmt::format("change sets A holds: {} (wire {} of it)", Bytes(f.big.change_set_bytes),
                   Share(in.wire(), f.big.change_set_bytes, 2))});
  rows.push_back({"  wire rate", fmt::format("{:.1f} MiB/s", Mib(in.wire()) / in.wall_s),
                  fmt::format("ZeroMQ 64 KiB: {:.0f} MiB/s CURVE, {:.0f} MiB/s plain",
                              mib_s(f.curve_large), mib_s(f.plain_large))});
  rows.push_back({"  time in the sync itself", fmt::format("{:.1f} s", in.sync_s),
                  fmt::format("process start, {}", version_ms)});
  rows.push_back({"  peak RSS, qun sync on B", mib(in.peak_rss_mib), version_rss});
  rows.push_back({"  peak RSS, qun serve on A", mib(f.serve_initial_rss_mib), version_rss});
  rows.push_back({"  small messages", "-",
                  fmt::format("ZeroMQ CURVE 128 B: {} msgs/s",
                              PerSecond(f.curve_small.messages, f.curve_small.seconds))});
  rows.push_back(
      {fmt::format("no-op sync (already in sync), median of {} runs", opt.runs), "", ""});
  for (int i = 0; i < 2; ++i)
    rows.push_back({fmt::format("  wall time, {} ops of history", history[i]), ms(f.noop[i].wall_s),
                    version_ms});
  for (int i = 0; i < 2; ++i)
    rows.push_back(
        {fmt::format("  time in the sync, {} ops", history[i]), ms(f.noop[i].sync_s), connect});
  for (int i = 0; i < 2; ++i)
    rows.push_back(
        {fmt::format("  bytes on the wire, {} ops", history[i]), Bytes(f.noop[i].wire),
         i == 0 ? "-" : fmt::format("{} ops of history: {}", history[0], Bytes(f.noop[0].wire))});
  for (int i = 0; i < 2; ++i)
    rows.push_back({fmt::format("  peak RSS, qun sync, {} ops (max)", history[i]),
                    mib(f.noop[i].max_rss_mib), version_rss});
  for (int i = 0; i < 2; ++i)
    rows.push_back({fmt::format("  peak RSS, qun serve, {} ops", history[i]),
                    mib(f.noop[i].serve_rss_mib), version_rss});
  PrintTable(rows);

  fmt::print(
      "\nops/s, change sets/s and wire rate use the wall time of the `qun sync` process; "
      "bytes on the wire are\nthe message bytes `qun sync` sent and received, as it reports them. "
      "This process's peak RSS, which\nevery child's figure may include: {}.\n",
      mib(f.self_rss_mib));
  fmt::print("check: B applied all {} change sets it received; state hash equal on A and B\n",
             Grouped(in.applied));
  return Status::Ok();
}

// Makes the temporary folder, copies qun into it (so that a rebuild during
// the run cannot change or replace the binary halfway) and measures.
Status Run(const Options& opt) {
  QUN_RETURN_IF_ERROR(core::InitSodium());
  QUN_ASSIGN_OR_RETURN(auto tmp, TempDir::Create());
  if (opt.keep) tmp->Keep();
  fmt::print("qun_net_bench: {} ops in change sets of up to {} ops, synced over tcp://127.0.0.1\n",
             Grouped(opt.ops), Grouped(opt.batch));
  fmt::print("qun: {}\n", opt.qun);
  fmt::print("nodes on disk in {} ({}); {} CPU cores\n\n", tmp->path(),
             opt.keep ? "kept" : "removed at exit", std::thread::hardware_concurrency());
  Options run = opt;
  run.qun = *tmp / "qun";
  std::error_code ec;
  std::filesystem::copy_file(opt.qun, run.qun, ec);
  if (ec) return Status::IOError(fmt::format("cannot copy {}: {}", opt.qun, ec.message()));
  return Measure(run, *tmp);
}

const char kUsage[] =
    "usage: qun_net_bench [--ops N] [--batch M] [--runs K] [--quick] [--qun PATH] [--keep]\n"
    "  --ops N     field writes on node A, synced to node B (default 1000000)\n"
    "  --batch M   ops per write transaction, so per change set (default 1000)\n"
    "  --runs K    no-op syncs per pair, and samples of the small baselines (default 9)\n"
    "  --quick     20000 ops, 5 runs and smaller ZeroMQ streams (--ops and --runs still win)\n"
    "  --qun PATH  the qun binary (default: ../cli/qun next to this program)\n"
    "  --keep      leave the temporary folder (nodes a, b, c, d) to look at after\n"
    "Nodes go in a temporary folder under $TMPDIR (else /tmp), removed at exit.\n";

std::optional<int64_t> ParseCount(const char* s) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v <= 0 || v > 1'000'000'000) return std::nullopt;
  return v;
}

// build/cli/qun when this program is build/bench/qun_net_bench.
std::string DefaultQun() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  return (self.parent_path() / ".." / "cli" / "qun").lexically_normal().string();
}

}  // namespace
}  // namespace qun::bench

int main(int argc, char** argv) {
  using namespace qun::bench;
  Options opt;
  std::optional<int64_t> ops, runs;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--quick") {
      opt.quick = true;
    } else if (arg == "--keep") {
      opt.keep = true;
    } else if (arg == "--qun" && i + 1 < argc) {
      opt.qun = argv[++i];
    } else if ((arg == "--ops" || arg == "--batch" || arg == "--runs") && i + 1 < argc) {
      std::optional<int64_t> n = ParseCount(argv[++i]);
      if (!n || (arg == "--runs" && *n > 1000)) {
        std::fprintf(stderr, "qun_net_bench: %s needs a whole number from 1 to %s\n%s",
                     std::string(arg).c_str(), arg == "--runs" ? "1000" : "1000000000", kUsage);
        return 2;
      }
      if (arg == "--ops")
        ops = *n;
      else if (arg == "--runs")
        runs = *n;
      else
        opt.batch = *n;
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "qun_net_bench: unknown argument %s\n%s", argv[i], kUsage);
      return 2;
    }
  }
  opt.ops = ops ? *ops : opt.quick ? kQuickOps : opt.ops;
  opt.runs = static_cast<int>(runs ? *runs : opt.quick ? kQuickRuns : opt.runs);
  if (opt.qun.empty()) opt.qun = DefaultQun();
  if (access(opt.qun.c_str(), X_OK) != 0) {
    std::fprintf(stderr,
                 "qun_net_bench: cannot run qun at %s; build it (cmake --build build) or give "
                 "--qun PATH\n",
                 opt.qun.c_str());
    return 2;
  }
  opt.qun = std::filesystem::absolute(opt.qun).string();
  // A `qun serve` killed under us must not take this process with it.
  std::signal(SIGPIPE, SIG_IGN);
  HandleStopSignals(true);
  qun::Status s = Run(opt);
  if (!s.ok()) {
    std::fflush(stdout);
    std::fprintf(stderr, "qun_net_bench: %s\n", s.message().c_str());
    return 1;
  }
  return 0;
}
