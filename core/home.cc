#include "core/home.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "base/i18n.h"

namespace qun::core {

Result<std::string> ResolveHome(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("QUN_HOME"); env && *env) return std::string(env);
  const char* home = std::getenv("HOME");
  if (!home || !*home)
    return Status::InvalidArgument(
        _("cannot tell where to keep Qun's data: neither --home, $QUN_HOME nor $HOME is set; "
          "pass --home DIR"));
  return std::string(home) + "/.local/share/qun";
}

static Status NotWritable(const std::string& home, int err) {
  return Status::IOError(
      i18n::Format(_("cannot use {0} as Qun's home: {1}; choose a folder you may write to with "
                     "--home DIR, or fix its permissions (chmod u+rwx {0})"),
                   home, strerror(err)));
}

Status PrepareHome(const std::string& home) {
  std::error_code ec;
  std::filesystem::create_directories(home, ec);
  if (ec) return NotWritable(home, ec.value());
  struct stat st;
  if (stat(home.c_str(), &st) != 0) return NotWritable(home, errno);
  if (!S_ISDIR(st.st_mode))
    return Status::IOError(
        i18n::Format(_("{} is a file, not a folder; choose another home with --home DIR"), home));
  // The home holds the node's secret key and the community's database
  // (names, phones): only its owner may enter, whether qun made the folder
  // just now or the user chose one that already existed (and may have been
  // made 0755 or 0777).
  if ((st.st_mode & 0777) != 0700 && chmod(home.c_str(), 0700) != 0)
    return Status::IOError(
        i18n::Format(_("cannot make {} private to you (chmod 700): {}; choose a folder of your "
                       "own with --home DIR"),
                     home, strerror(errno)));
  if (access(home.c_str(), W_OK | X_OK) != 0) return NotWritable(home, errno);
  return Status::Ok();
}

namespace {

// Makes one of the node's own files private when it is not: a database made
// by an older qun under a lax umask (0644) sat in a private home, so only
// its mode was wrong, not who could read it.
void Tighten(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0 &&
      st.st_uid == geteuid())
    chmod(path.c_str(), st.st_mode & 0700);
}

}  // namespace

Status CheckHome(const std::string& home) {
  struct stat st;
  if (stat(home.c_str(), &st) != 0) {
    if (errno == ENOENT)
      return Status::NotFound(
          i18n::Format(_("no Qun node in {}; run `qun init --name NAME` to create one, or pass "
                         "the right --home DIR"),
                       home));
    return NotWritable(home, errno);
  }
  if (!S_ISDIR(st.st_mode))
    return Status::IOError(
        i18n::Format(_("{} is a file, not a folder; choose another home with --home DIR"), home));
  if (access(home.c_str(), R_OK | X_OK) != 0) return NotWritable(home, errno);
  // Someone else who may enter the home may read the database, and one
  // who may write to it may swap node.pub (the id sent to the owner) or
  // the database itself. Qun does not change a folder's mode behind the
  // user's back: what happened may want a look (compare `qun status` with
  // what it should be) before the one command that fixes it.
  if ((st.st_mode & 077) != 0)
    return Status::IOError(i18n::Format(
        (st.st_mode & 022) != 0
            ? _("the home {0} is open to other users (mode {1:04o}): they can read the "
                "community's database and replace the node's files; run `chmod 700 {0}` and try "
                "again")
            : _("the home {0} is open to other users (mode {1:04o}): they can read the "
                "community's database; run `chmod 700 {0}` and try again"),
        home, st.st_mode & 07777));
  std::string db = DatabasePath(home);
  for (const std::string& f : {db, db + "-wal", db + "-shm", home + "/node.pub"}) Tighten(f);
  return Status::Ok();
}

std::string DatabasePath(const std::string& home) { return home + "/community.db"; }

}  // namespace qun::core
