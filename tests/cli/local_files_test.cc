// What qun leaves on the local disk is for its user alone: the home is
// mode 0700 and what qun writes is 0600, whatever the umask and whatever
// mode a folder chosen as home had.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/cli_runner.h"
#include "support/cli_steps.h"

using qun::testing::CliOptions;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::Ok;
using qun::testing::TempHome;
using qun::testing::TwoHomes;

namespace {

unsigned Mode(const std::string& path) {
  struct stat st;
  REQUIRE_MESSAGE(stat(path.c_str(), &st) == 0, path);
  return st.st_mode & 07777;
}

// Runs qun under a shell's umask.
CliOptions WithUmask(const std::string& mask) {
  CliOptions o;
  o.prefix = {"sh", "-c", "umask " + mask + "; exec \"$@\"", "sh"};
  return o;
}

}  // namespace

TEST_SUITE("local files") {
  TEST_CASE(
      "qun init in an existing 0777 folder under umask 000 leaves a 0700 home of 0600 files") {
    TempHome h;
    REQUIRE(mkdir(h.home().c_str(), 0777) == 0);
    REQUIRE(chmod(h.home().c_str(), 0777) == 0);
    CliOptions lax = WithUmask("000");
    REQUIRE_EXIT(h.Qun({"init", "--name", "湾区读书会", "--admin", "王芳"}, lax), 0);
    REQUIRE_EXIT(h.Qun({"member", "add", "张伟", "--phone", "13812345678"}, lax), 0);
    CHECK(Mode(h.home()) == 0700);
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(h.home())) {
      CHECK_MESSAGE(Mode(e.path()) == 0600, e.path());
      ++files;
    }
    CHECK(files >= 4);  // community.db, community.key, node.key, node.pub
    // A node made to join, in another pre-made folder, likewise.
    TempHome j;
    REQUIRE(mkdir(j.home().c_str(), 0755) == 0);
    REQUIRE_EXIT(j.Qun({"init", "--join"}, lax), 0);
    CHECK(Mode(j.home()) == 0700);
    for (const auto& e : std::filesystem::directory_iterator(j.home()))
      CHECK_MESSAGE(Mode(e.path()) == 0600, e.path());
  }

  TEST_CASE("a node whose home was opened to others is refused until it is private again") {
    TempHome h;
    Ok(h, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    REQUIRE(chmod(h.home().c_str(), 0755) == 0);
    CliResult r = h.Qun({"status"});
    CHECK_EXIT(r, 7);
    CHECK(Contains(r.err, "chmod 700 " + h.home()));
    CHECK(Contains(r.err, "other users"));
    REQUIRE(chmod(h.home().c_str(), 0770) == 0);
    CliResult writable = h.Qun({"member", "add", "张伟"});
    CHECK_EXIT(writable, 7);
    CHECK(Contains(writable.err, "replace the node's files"));
    // Fixed as the message says, it works; a database left 0644 by an older
    // qun is made 0600 on the way.
    REQUIRE(chmod(h.home().c_str(), 0700) == 0);
    REQUIRE(chmod(h.InHome("community.db").c_str(), 0644) == 0);
    Ok(h, {"status"});
    CHECK(Mode(h.InHome("community.db")) == 0600);
  }

  TEST_CASE("exports and bundles are readable by their owner only, whatever the umask") {
    TwoHomes homes;
    TempHome& a = homes.a;
    Ok(a, {"member", "add", "张伟", "--phone", "13812345678", "--wechat", "zw_001"});
    CliOptions usual = WithUmask("022");
    std::string csv = a.Beside("members.csv");
    REQUIRE_EXIT(a.Qun({"export", "members", "-o", csv}, usual), 0);
    CHECK(Contains(qun::testing::ReadFile(csv), "13812345678"));
    CHECK(Mode(csv) == 0600);
    // Over an existing file that others could read: the new one is private.
    REQUIRE(chmod(csv.c_str(), 0644) == 0);
    REQUIRE_EXIT(a.Qun({"export", "members", "-o", csv}, usual), 0);
    CHECK(Mode(csv) == 0600);
    std::string vector = homes.b.Beside("b.vector");
    REQUIRE_EXIT(homes.b.Qun({"bundle", "vector", "-o", vector}, usual), 0);
    CHECK(Mode(vector) == 0600);
    std::string bundle = a.Beside("to-b.qunb");
    REQUIRE_EXIT(a.Qun({"bundle", "export", "--for", vector, "-o", bundle}, usual), 0);
    CHECK(Mode(bundle) == 0600);
  }
}
