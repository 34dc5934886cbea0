// Running out: a disk that fills up in the middle of an import, and a
// database file qun may not write. Each must end in a clear error (exit 7,
// naming the file, saying what to check), write nothing half, and leave a
// node that works as soon as the cause is gone.
//
// The full disk is a small tmpfs where the test may mount one (as root),
// and everywhere a file size limit (RLIMIT_FSIZE, set with prlimit from
// util-linux, SIGXFSZ ignored): writes past it fail as on a full disk.
#include <doctest/doctest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_runner.h"
#include "support/cli_steps.h"

using nlohmann::json;
using qun::testing::CliOptions;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::NodeId;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::StateHashOf;
using qun::testing::TempHome;

namespace {

int64_t People(const TempHome& home) {
  return json::parse(Ok(home, {"--json", "status"}).out)["people"].get<int64_t>();
}

std::string Sheet(int count) {
  std::string sheet = "display_name,wechat,city,notes\n";
  for (int i = 0; i < count; ++i)
    sheet += "成员" + std::to_string(i) + ",wx_" + std::to_string(i) + ",深圳," +
             std::string(100, 'n') + "\n";
  return sheet;
}

uintmax_t SizeOf(const std::string& path) {
  std::error_code ec;
  uintmax_t n = std::filesystem::file_size(path, ec);
  return ec ? 0 : n;
}

bool HaveTool(const char* name) {
  return access((std::string("/usr/bin/") + name).c_str(), X_OK) == 0 ||
         access((std::string("/bin/") + name).c_str(), X_OK) == 0;
}

// A tmpfs mounted on `path` for the life of this object.
class SmallDisk {
 public:
  // Empty when this process may not mount (not root, or in a container
  // that forbids it); `why` then says so.
  static std::unique_ptr<SmallDisk> Mount(const std::string& path, std::string* why) {
    std::filesystem::create_directories(path);
    if (mount("tmpfs", path.c_str(), "tmpfs", 0, "size=8m,mode=0700") != 0) {
      *why = std::string("cannot mount a tmpfs: ") + std::strerror(errno);
      return nullptr;
    }
    return std::unique_ptr<SmallDisk>(new SmallDisk(path));
  }
  ~SmallDisk() { umount2(path_.c_str(), MNT_DETACH); }
  // Makes the file system `bytes` large (at least what it holds).
  void Resize(uintmax_t bytes) {
    std::string options = "size=" + std::to_string(bytes) + ",mode=0700";
    REQUIRE_MESSAGE(mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT, options.c_str()) == 0,
                    "cannot resize the tmpfs: " << std::strerror(errno));
  }
  uintmax_t Used() const {
    struct statvfs st;
    REQUIRE(statvfs(path_.c_str(), &st) == 0);
    return static_cast<uintmax_t>(st.f_blocks - st.f_bfree) * st.f_frsize;
  }

 private:
  explicit SmallDisk(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace

TEST_SUITE("resources") {
  TEST_CASE("a small file system that fills during an import: exit 7, nothing half written") {
    TempHome h;
    std::string why;
    auto disk = SmallDisk::Mount(h.home(), &why);
    if (!disk) {
      MESSAGE("skipped: " << why << " (the test with a file size limit below still runs)");
      return;
    }
    Ok(h, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Ok(h, {"member", "add", "张伟", "--wechat", "zw_001"});
    std::string before = StateHashOf(h);
    // Room for what is there and a little more: the import needs megabytes.
    disk->Resize(disk->Used() + 256 * 1024);
    CliResult r = h.Qun({"import", "members", h.Write("big.csv", Sheet(3000))});
    CHECK_EXIT(r, 7);
    CHECK(Contains(r.err, h.InHome("community.db")));
    CHECK(Contains(r.err, "is full"));
    // Nothing of the sheet went in; the file is sound even on the full disk.
    CHECK(People(h) == 1);
    CHECK(StateHashOf(h) == before);
    CHECK_EXIT(h.Qun({"check", "--quick"}), 0);
    // The replay needs room for a scratch copy: it says so before it starts.
    CliResult replay = h.Qun({"check"});
    CHECK_EXIT(replay, 7);
    CHECK(Contains(replay.err, "too full for the replay"));
    CHECK(Contains(replay.err, "qun check --quick"));
    CHECK_FALSE(std::filesystem::exists(h.InHome("community.db.check")));
    // An edit on the full disk fails as clearly, or fits; either way the
    // node stays whole.
    CliResult edit = h.Qun({"member", "edit", "zw_001", "--city", "深圳"});
    CHECK((edit.exit_code == 0 || edit.exit_code == 7));
    // Room again: the full check and the same import go through.
    disk->Resize(64 << 20);
    CHECK_EXIT(h.Qun({"check"}), 0);
    Ok(h, {"import", "members", h.Beside("big.csv")});
    CHECK(People(h) == 3001);
    CHECK_EXIT(h.Qun({"check"}), 0);
  }

  TEST_CASE("a disk with no room left at all says it is full, not that reading failed") {
    TempHome h;
    std::string why;
    auto disk = SmallDisk::Mount(h.home(), &why);
    if (!disk) {
      MESSAGE("skipped: " << why);
      return;
    }
    Ok(h, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Ok(h, {"member", "add", "张伟", "--wechat", "zw_001"});
    // The last command removed its -wal and -shm on closing; the next one
    // must make them again, and a disk without a free page refuses the
    // -shm: SQLite reports that as an I/O error with ENOSPC behind it.
    disk->Resize(disk->Used() + 64 * 1024);
    {
      std::ofstream filler(h.InHome("filler"), std::ios::binary);
      std::string block(4096, 'x');
      for (int i = 0; i < 1024 && filler.write(block.data(), block.size()); ++i) {
      }
    }
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"status"}, std::vector<std::string>{"check", "--quick"}}) {
      CliResult r = h.Qun(args);
      CHECK_EXIT(r, 7);
      CHECK(Contains(r.err, "is full"));
      CHECK(!Contains(r.err, "disk I/O error"));
    }
    // Room again: the node is whole.
    std::filesystem::remove(h.InHome("filler"));
    disk->Resize(64 << 20);
    CHECK_EXIT(h.Qun({"check"}), 0);
  }

  TEST_CASE("a disk that fills during an import: exit 7, nothing half written, fine once freed") {
    if (!HaveTool("prlimit")) {
      MESSAGE("skipped: prlimit (util-linux) is needed to limit file sizes");
      return;
    }
    TempHome h;
    Ok(h, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Ok(h, {"member", "add", "张伟", "--wechat", "zw_001"});
    std::string sheet = h.Write("big.csv", Sheet(3000));
    // Room for what is there and a little more: the import needs megabytes.
    uintmax_t limit =
        std::max(SizeOf(h.InHome("community.db")), SizeOf(h.InHome("community.db-wal"))) +
        256 * 1024;
    CliOptions full;
    full.prefix = {"sh", "-c",
                   "trap '' XFSZ; exec prlimit --fsize=" + std::to_string(limit) + " -- \"$@\"",
                   "sh"};
    CliResult r = h.Qun({"import", "members", sheet}, full);
    CHECK_EXIT(r, 7);
    CHECK(Contains(r.err, h.InHome("community.db")));
    CHECK((Contains(r.err, "check the disk") || Contains(r.err, "is full")));
    // Nothing of the sheet went in, and the node is sound.
    CHECK(People(h) == 1);
    CHECK_EXIT(h.Qun({"check"}), 0);
    // Room again: the same import goes through.
    Ok(h, {"import", "members", sheet});
    CHECK(People(h) == 3001);
    CHECK_EXIT(h.Qun({"check"}), 0);
  }

  TEST_CASE("a database file qun may not write: exit 7 naming it, and writes again once allowed") {
    TempHome h;
    Ok(h, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Ok(h, {"member", "add", "张伟", "--wechat", "zw_001"});
    std::string db = h.InHome("community.db");
    CliOptions as_other;
    if (geteuid() == 0) {
      // Root writes any file: run qun as nobody, owner of the home, against
      // a database file nobody may write.
      if (!HaveTool("setpriv")) {
        MESSAGE("skipped: setpriv (util-linux) is needed to drop root's privileges");
        return;
      }
      as_other.prefix = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
      REQUIRE(chmod(h.root().c_str(), 0755) == 0);
      for (const auto& e : std::filesystem::recursive_directory_iterator(h.home()))
        REQUIRE(chown(e.path().c_str(), 65534, 65534) == 0);
      REQUIRE(chown(h.home().c_str(), 65534, 65534) == 0);
      CliResult version = h.Qun({"--version"}, as_other);
      if (version.exit_code != 0) {
        MESSAGE("skipped: uid 65534 cannot run " << QUN_BINARY << ": " << version.Describe());
        return;
      }
    }
    REQUIRE(chmod(db.c_str(), 0444) == 0);
    CliResult r = h.Qun({"member", "add", "李娜", "--wechat", "ln_002"}, as_other);
    CHECK_EXIT(r, 7);
    CHECK(Contains(r.err, db));
    CliResult imported = h.Qun({"import", "members", h.Write("s.csv", Sheet(10))}, as_other);
    CHECK_EXIT(imported, 7);
    // The message names what to fix: SQLite made the -wal and -shm files
    // with the database file's mode, so they are read-only too now.
    CHECK(Contains(r.err, "-wal and -shm"));
    for (const std::string& f : {db, db + "-wal", db + "-shm"})
      if (std::filesystem::exists(f)) REQUIRE(chmod(f.c_str(), 0644) == 0);
    CliResult again = h.Qun({"member", "add", "李娜", "--wechat", "ln_002"}, as_other);
    CHECK_EXIT(again, 0);
    CHECK_EXIT(h.Qun({"check"}, as_other), 0);
    CHECK(People(h) == 2);
  }
}
