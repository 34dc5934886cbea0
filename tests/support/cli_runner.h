// Runs the real `qun` binary for end-to-end tests: an argv vector (no shell,
// so no quoting), optional standard input, extra environment variables and an
// optional prefix command (e.g. setpriv); captures stdout, stderr and the exit
// code. TempHome gives each test case its own folder under /tmp and removes
// it afterwards, permissions restored first.
//
// Header-only, because the test target globs only *_test.cc files. Neither
// type is thread-safe; the test binary runs one test case at a time.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/temp_dir.h"

extern char** environ;

namespace qun::testing {

struct CliOptions {
  std::string stdin_bytes{};                 // written to the child's stdin, then closed
  std::map<std::string, std::string> env{};  // added to (or replacing) the environment
  std::vector<std::string> prefix{};         // e.g. {"setpriv", "--reuid=65534", ...}
  std::chrono::milliseconds timeout{30000};  // the child is killed after this long
};

struct CliResult {
  int exit_code = -1;  // the exit status, or 128 + signal number
  std::string out, err;
  bool timed_out = false;

  // For failure messages: the exit code and both streams.
  std::string Describe() const {
    return "exit " + std::to_string(exit_code) + (timed_out ? " (timed out)" : "") +
           "\n--- stdout:\n" + out + "\n--- stderr:\n" + err;
  }
};

namespace internal {

// Environment variables that change qun's behaviour; the child never
// inherits them from whoever runs the tests, only gets what a test sets.
// The locale's variables too: the language qun speaks follows them, and a
// test that wants Chinese says so.
inline bool IsQunVariable(const std::string& entry) {
  for (const char* prefix : {"QUN_", "NO_COLOR=", "LANG=", "LANGUAGE=", "LC_ALL=", "LC_MESSAGES="})
    if (entry.rfind(prefix, 0) == 0) return true;
  return false;
}

class Pipe {
 public:
  Pipe() { REQUIRE(pipe2(fds_, O_CLOEXEC) == 0); }
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }
  void CloseRead() { Close(fds_[0]); }
  void CloseWrite() { Close(fds_[1]); }

 private:
  static void Close(int& fd) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
  int fds_[2] = {-1, -1};
};

}  // namespace internal

// Runs `argv` (argv[0] is the program; found on PATH when it has no '/').
inline CliResult RunProgram(const std::vector<std::string>& argv, const CliOptions& options = {}) {
  REQUIRE(!argv.empty());
  // A child that exits without reading its input must not kill the tests.
  signal(SIGPIPE, SIG_IGN);

  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    std::string name = entry.substr(0, entry.find('='));
    if (internal::IsQunVariable(entry) || options.env.count(name)) continue;
    env_strings.push_back(entry);
  }
  for (const auto& [name, value] : options.env) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  std::vector<std::string> args = argv;
  std::vector<char*> argvp;
  for (auto& a : args) argvp.push_back(a.data());
  argvp.push_back(nullptr);

  internal::Pipe in, out, err;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read_end(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.write_end(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write_end(), STDERR_FILENO);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argvp[0], &actions, nullptr, argvp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE_MESSAGE(rc == 0, "cannot start " << args[0] << ": " << strerror(rc));
  in.CloseRead();
  out.CloseWrite();
  err.CloseWrite();

  CliResult result;
  size_t written = 0;
  if (options.stdin_bytes.empty()) in.CloseWrite();
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    std::vector<pollfd> fds;
    if (out_open) fds.push_back({out.read_end(), POLLIN, 0});
    if (err_open) fds.push_back({err.read_end(), POLLIN, 0});
    if (in.write_end() >= 0) fds.push_back({in.write_end(), POLLOUT, 0});
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    int n = poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    REQUIRE(n >= 0);
    for (const pollfd& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == in.write_end()) {
        ssize_t w =
            write(p.fd, options.stdin_bytes.data() + written, options.stdin_bytes.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 || written == options.stdin_bytes.size()) in.CloseWrite();
        continue;
      }
      char buf[65536];
      ssize_t r = read(p.fd, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        (p.fd == out.read_end() ? out_open : err_open) = false;
        continue;
      }
      (p.fd == out.read_end() ? result.out : result.err).append(buf, static_cast<size_t>(r));
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.exit_code = 128 + WTERMSIG(status);
  return result;
}

// Runs `qun args...`, behind options.prefix when given.
inline CliResult RunQun(const std::vector<std::string>& args, const CliOptions& options = {}) {
  std::vector<std::string> argv = options.prefix;
  argv.push_back(QUN_BINARY);
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, options);
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  REQUIRE_MESSAGE(out.good(), "cannot write " << path);
}

// A fresh temporary folder for one test case (see support/temp_dir.h). The
// node's home is its subfolder `home`, which does not exist until `qun init`
// creates it.
class TempHome {
 public:
  const std::string& root() const { return dir_.path(); }
  const std::string& home() const { return home_; }
  // A path inside the home (community.db, node.key...).
  std::string InHome(const std::string& name) const { return home_ + "/" + name; }
  // A path next to the home, for input and output files.
  std::string Beside(const std::string& name) const { return dir_ / name; }

  // Writes a file next to the home and returns its path.
  std::string Write(const std::string& name, const std::string& bytes) const {
    WriteFile(Beside(name), bytes);
    return Beside(name);
  }

  // Runs qun with QUN_HOME set to this home (unless options.env sets it).
  CliResult Qun(const std::vector<std::string>& args, CliOptions options = {}) const {
    options.env.try_emplace("QUN_HOME", home_);
    return RunQun(args, options);
  }

 private:
  TempDir dir_;
  std::string home_ = dir_ / "home";
};

inline bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace qun::testing

// Checks the exit code; on failure prints the command's stdout and stderr.
// `result` is evaluated once: it is often the qun command itself, which
// must not run again to describe its failure.
#define CHECK_EXIT(result, code)                                            \
  do {                                                                      \
    const auto& qun_result_ = (result);                                     \
    CHECK_MESSAGE(qun_result_.exit_code == (code), qun_result_.Describe()); \
  } while (0)
#define REQUIRE_EXIT(result, code)                                            \
  do {                                                                        \
    const auto& qun_result_ = (result);                                       \
    REQUIRE_MESSAGE(qun_result_.exit_code == (code), qun_result_.Describe()); \
  } while (0)
