// Running out: a disk that fills up in the middle of an import, and a
// database file qun may not write. Each must end in a clear error (exit 7,
// naming the file, saying what to check), write nothing half, and leave a
// node that works as soon as the cause is gone.
//
// The full disk is a file size limit (RLIMIT_FSIZE, set with prlimit from
// util-linux, SIGXFSZ ignored): writes past it fail as on a full disk,
// without a small file system to mount.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_runner.h"
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

}  // namespace

TEST_SUITE("resources") {
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
