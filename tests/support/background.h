// A qun command left running in the background (`qun serve`, `qun relay`,
// a `qun sync` to be killed halfway) for multi-process tests. Its output
// goes to files next to the test's homes, so a test can wait for a line
// (the endpoint a server bound) while it runs. Killed with SIGKILL when the
// test ends, unless stopped before.
//
// Header-only, like cli_runner.h; not thread-safe.
#pragma once

#include <doctest/doctest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_runner.h"

namespace qun::testing {

class Background {
 public:
  // Starts `qun args...` with QUN_HOME=home; stdout and stderr go to
  // `log_prefix`.out and .err. A `prefix` command runs qun (e.g. prlimit
  // with its arguments, ending in --).
  Background(const std::string& home, const std::vector<std::string>& args,
             const std::string& log_prefix, std::map<std::string, std::string> env = {},
             const std::vector<std::string>& prefix = {})
      : out_path_(log_prefix + ".out"), err_path_(log_prefix + ".err") {
    env.try_emplace("QUN_HOME", home);
    env.try_emplace("QUN_PROGRESS", "never");
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) {
      std::string entry = *e;
      std::string name = entry.substr(0, entry.find('='));
      if (internal::IsQunVariable(entry) || env.count(name)) continue;
      env_strings.push_back(entry);
    }
    for (const auto& [name, value] : env) env_strings.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv = prefix;
    argv.push_back(QUN_BINARY);
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> argvp;
    for (auto& a : argv) argvp.push_back(a.data());
    argvp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int rc = posix_spawnp(&pid_, argvp[0], &actions, nullptr, argvp.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE_MESSAGE(rc == 0, "cannot start qun: " << strerror(rc));
  }
  ~Background() {
    if (pid_ > 0) Stop(SIGKILL);
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  std::string out() const { return Slurp(out_path_); }
  std::string err() const { return Slurp(err_path_); }
  pid_t pid() const { return pid_; }

  // Waits until stdout matches `pattern` (ECMAScript); returns the first
  // capture group (or the whole match). Fails the test after `timeout`.
  std::string WaitFor(const std::string& pattern,
                      std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    std::regex re(pattern);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      std::smatch m;
      std::string text = out();
      if (std::regex_search(text, m, re)) return m.size() > 1 ? m[1].str() : m[0].str();
      REQUIRE_MESSAGE(Running(), "qun exited before printing '" << pattern << "'\n--- stdout:\n"
                                                                << text << "\n--- stderr:\n"
                                                                << err());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL("timed out waiting for '" << pattern << "'\n--- stdout:\n"
                                   << out() << "\n--- stderr:\n"
                                   << err());
    return "";
  }

  bool Running() {
    if (pid_ <= 0) return false;
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      pid_ = -1;
      return false;
    }
    return true;
  }

  // Waits for the process to exit by itself; its exit code (128 + signal
  // when killed), or -1 when it did not exit within `timeout` (then killed).
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (Running()) {
      if (std::chrono::steady_clock::now() >= deadline) {
        Stop(SIGKILL);
        return -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return exit_code_;
  }

  // Sends `signal` and waits for the exit; returns the exit code.
  int Stop(int signal = SIGTERM) {
    if (pid_ <= 0) return exit_code_;
    kill(pid_, signal);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    pid_ = -1;
    return exit_code_;
  }

 private:
  static std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string out_path_, err_path_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// A `qun serve` (or relay) bound to a free loopback port chosen at run time.
struct Server {
  std::unique_ptr<Background> process;
  std::string port;
  std::string address() const { return "tcp://127.0.0.1:" + port; }

  // Starts `qun serve --listen tcp://127.0.0.1:PORT` (any free port unless
  // `port` is given) plus `extra` arguments, and waits until it listens.
  static Server Start(const TempHome& home, const std::string& name,
                      std::vector<std::string> extra = {"--sync-every", "0"},
                      const std::string& port = "*", const std::string& command = "serve") {
    Server s;
    std::vector<std::string> args{command, "--listen", "tcp://127.0.0.1:" + port};
    args.insert(args.end(), extra.begin(), extra.end());
    s.process = std::make_unique<Background>(home.home(), args, home.Beside(name));
    s.port = s.process->WaitFor(R"(on tcp://127\.0\.0\.1:(\d+))");
    return s;
  }
};

}  // namespace qun::testing
