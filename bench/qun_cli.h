// Running the qun CLI from the bench, as admins run it: making nodes,
// serving, syncing, reading a node's state hash.
#pragma once

#include <nlohmann/json.hpp>
#include <thread>

#include "bench/support.h"

namespace qun::bench {

// The qun binary and the folder its output files go in.
struct QunRunner {
  std::string qun;
  const TempDir* tmp = nullptr;
};

// ---------------------------------------------------------------------------
// Running qun

struct Ran {
  Ended ended;
  std::string out;
};

// Runs `qun ARGS...` to its end; an error, with what it printed to stderr,
// unless it exits with 0.
inline Result<Ran> RunQun(const QunRunner& q, const std::vector<std::string>& args) {
  std::vector<std::string> argv{q.qun};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string out_path = *q.tmp / "qun.out", err_path = *q.tmp / "qun.err";
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
inline std::string NodeId(const std::string& home) { return Trimmed(ReadFile(home + "/node.pub")); }

// Makes `first` the founder of a new community and `second` another admin's
// node in it, the way two admins do it with the CLI.
inline Status MakePair(const QunRunner& q, const std::string& first, const std::string& second) {
  QUN_RETURN_IF_ERROR(
      RunQun(q, {"--home", first, "init", "--name", "Bench", "--admin", "Alice"}).status());
  QUN_RETURN_IF_ERROR(RunQun(q, {"--home", second, "init", "--join", "--admin", "Bob"}).status());
  const std::string invite = second + ".invite.qun";
  QUN_RETURN_IF_ERROR(
      RunQun(q, {"--home", first, "invite", NodeId(second), "-o", invite, "--name", "Bob"})
          .status());
  return RunQun(q, {"--home", second, "join", invite}).status();
}

// `qun serve` on `home`, on a free port of 127.0.0.1, syncing with no one on
// its own. Returns once it has said where it listens.
inline Result<std::unique_ptr<Child>> StartServe(const QunRunner& q, const std::string& home,
                                                 std::string* endpoint) {
  const std::string log = home + ".serve.log", err = home + ".serve.err";
  QUN_ASSIGN_OR_RETURN(auto child, Child::Exec({q.qun, "--home", home, "serve", "--listen",
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
inline Result<Ended> StopServe(Child& serve) {
  QUN_ASSIGN_OR_RETURN(Ended ended, serve.Stop());
  if (!ended.ok())
    return Status::Internal(fmt::format("`qun serve` ended with {}", HowEnded(ended.status)));
  return ended;
}

// Points `home`'s peer `name` at `endpoint`, where the node `server_home`
// serves.
inline Status SetPeer(const QunRunner& q, const std::string& home, const std::string& name,
                      const std::string& endpoint, const std::string& server_home) {
  // A peer added before (at another port) goes first.
  (void)RunQun(q, {"--home", home, "peer", "remove", name});
  return RunQun(q, {"--home", home, "peer", "add", name, endpoint, "--key", NodeId(server_home)})
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

inline Result<SyncRun> Sync(const QunRunner& q, const std::string& home, const std::string& peer) {
  QUN_ASSIGN_OR_RETURN(Ran ran, RunQun(q, {"--home", home, "--json", "sync", peer}));
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

inline Result<std::string> StateHash(const QunRunner& q, const std::string& home) {
  QUN_ASSIGN_OR_RETURN(Ran ran, RunQun(q, {"--home", home, "state-hash"}));
  return Trimmed(ran.out);
}

}  // namespace qun::bench
