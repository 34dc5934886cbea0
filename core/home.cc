#include "core/home.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace qun::core {

Result<std::string> ResolveHome(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("QUN_HOME"); env && *env) return std::string(env);
  const char* home = std::getenv("HOME");
  if (!home || !*home)
    return Status::InvalidArgument(
        "cannot tell where to keep Qun's data: neither --home, $QUN_HOME nor $HOME is set; "
        "pass --home DIR");
  return std::string(home) + "/.local/share/qun";
}

static Status NotWritable(const std::string& home, int err) {
  return Status::IOError(fmt::format(
      "cannot use {} as Qun's home: {}; choose a folder you may write to with --home DIR, or "
      "fix its permissions (chmod u+rwx {})",
      home, strerror(err), home));
}

Status PrepareHome(const std::string& home) {
  std::error_code ec;
  bool created = std::filesystem::create_directories(home, ec);
  if (ec) return NotWritable(home, ec.value());
  struct stat st;
  if (stat(home.c_str(), &st) != 0) return NotWritable(home, errno);
  if (!S_ISDIR(st.st_mode))
    return Status::IOError(
        fmt::format("{} is a file, not a folder; choose another home with --home DIR", home));
  // A folder made for the node holds its secret key: only its owner may
  // enter. A folder the user chose that already existed keeps its mode.
  if (created) chmod(home.c_str(), 0700);
  if (access(home.c_str(), W_OK | X_OK) != 0) return NotWritable(home, errno);
  return Status::Ok();
}

Status CheckHome(const std::string& home) {
  struct stat st;
  if (stat(home.c_str(), &st) != 0) {
    if (errno == ENOENT)
      return Status::NotFound(fmt::format(
          "no Qun node in {}; run `qun init --name NAME` to create one, or pass the right "
          "--home DIR",
          home));
    return NotWritable(home, errno);
  }
  if (!S_ISDIR(st.st_mode))
    return Status::IOError(
        fmt::format("{} is a file, not a folder; choose another home with --home DIR", home));
  if (access(home.c_str(), R_OK | X_OK) != 0) return NotWritable(home, errno);
  return Status::Ok();
}

std::string DatabasePath(const std::string& home) { return home + "/community.db"; }

}  // namespace qun::core
