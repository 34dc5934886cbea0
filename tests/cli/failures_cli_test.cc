// End-to-end tests of how qun fails: the exit codes of docs/cli.md for a
// bad argument (2), a missing home (3), a locked database (5), a damaged
// one (6), a home or key it may not use (7) and a newer database (8).
//
// Each test case runs the real binary in its own temporary home and checks
// what a user or a script would see — output, exit codes (docs/cli.md),
// files on disk. The steps come from support/cli_steps.h.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "support/cli_runner.h"
#include "support/cli_steps.h"
#include "support/direct_sql.h"

using nlohmann::json;
using qun::testing::AddPerson;
using qun::testing::CliOptions;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::ExecSql;
using qun::testing::Exists;
using qun::testing::FileMode;
using qun::testing::Init;
using qun::testing::ListedNames;
using qun::testing::Node;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::ReadFile;
using qun::testing::RunQun;
using qun::testing::Snapshot;
using qun::testing::TempHome;
using qun::testing::WriteFile;

TEST_SUITE("cli") {
  TEST_CASE("an argument that is not valid UTF-8 is refused with exit 2 and nothing is written") {
    Node h;
    AddPerson(h, {"张伟"});
    std::string before = Snapshot(h);
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"member", "add", "\xff\xfe"},
                                               {"member", "add", "Ok", "--city", "\xe5\x8c"},
                                               {"member", "edit", "张伟", "--city", "\xc0\xaf"},
                                               {"group", "add", "G\xff"}}) {
      CliResult r = h.Qun(args);
      CHECK_EXIT(r, 2);
      CHECK(Contains(r.err, "UTF-8"));
      CHECK(r.out.empty());
    }
    CHECK(Snapshot(h) == before);
  }

  TEST_CASE("a database locked by another process gives exit 5 and works again once released") {
    Node h;
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(h.InHome("community.db").c_str(), &db, SQLITE_OPEN_READWRITE,
                            nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);

    CliOptions busy;
    busy.env = {{"QUN_BUSY_TIMEOUT_MS", "200"}};
    auto start = std::chrono::steady_clock::now();
    CliResult locked = h.Qun({"member", "add", "X"}, busy);
    auto took = std::chrono::steady_clock::now() - start;
    CHECK_EXIT(locked, 5);
    CHECK(Contains(locked.err, "another qun process"));
    CHECK(Contains(locked.err, "try again"));
    CHECK(took < std::chrono::seconds(3));  // the short timeout was honoured

    REQUIRE(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_close(db) == SQLITE_OK);
    CliResult after = h.Qun({"member", "add", "X"}, busy);
    CHECK_EXIT(after, 0);
    CHECK(ListedNames(h) == std::set<std::string>{"X"});
  }

  TEST_CASE("a database overwritten with garbage gives exit 6 and mentions a backup") {
    Node h;
    AddPerson(h, {"张伟"});
    std::remove(h.InHome("community.db-wal").c_str());
    std::remove(h.InHome("community.db-shm").c_str());
    std::string garbage;
    uint32_t x = 12345;
    for (int i = 0; i < 65536; ++i) {
      x = x * 1103515245 + 12345;
      garbage += static_cast<char>(x >> 24);
    }
    WriteFile(h.InHome("community.db"), garbage);

    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"status"}, {"member", "list"}, {"member", "add", "李娜"}}) {
      CliResult r = h.Qun(args);
      CHECK_EXIT(r, 6);
      CHECK(Contains(r.err, "backup"));
      CHECK(Contains(r.err, h.InHome("community.db")));
    }
    CHECK(ReadFile(h.InHome("community.db")) == garbage);
  }

  TEST_CASE("an SQLite database of another program gives exit 6") {
    Node h;
    std::remove(h.InHome("community.db").c_str());
    std::remove(h.InHome("community.db-wal").c_str());
    std::remove(h.InHome("community.db-shm").c_str());
    ExecSql(h.InHome("community.db"),
            "CREATE TABLE contacts(name TEXT); INSERT INTO contacts VALUES ('张伟');");
    std::string bytes = ReadFile(h.InHome("community.db"));

    CliResult r = h.Qun({"status"});
    CHECK_EXIT(r, 6);
    CHECK(Contains(r.err, "not a Qun database"));
    CHECK_EXIT(h.Qun({"member", "add", "李娜"}), 6);
    CHECK(ReadFile(h.InHome("community.db")) == bytes);
  }

  TEST_CASE("a database from a newer qun gives exit 8 asking to upgrade") {
    Node h;
    AddPerson(h, {"张伟"});
    ExecSql(h.InHome("community.db"), "PRAGMA user_version=99");
    CliResult r = h.Qun({"status"});
    CHECK_EXIT(r, 8);
    CHECK(Contains(r.err, "upgrade qun"));
    CHECK(Contains(r.err, "99"));
    CHECK_EXIT(h.Qun({"member", "add", "李娜"}), 8);
    CHECK_EXIT(h.Qun({"member", "list"}), 8);
  }

  TEST_CASE("a home this user may not enter gives exit 7 naming the folder and --home") {
    Node h;
    CliOptions as_other;
    if (geteuid() == 0) {
      // Root reads any folder; run qun as nobody against a root-owned 0700 home.
      if (access("/usr/bin/setpriv", X_OK) != 0 && access("/bin/setpriv", X_OK) != 0) {
        MESSAGE("skipped: setpriv (util-linux) is needed to drop root's privileges");
        return;
      }
      as_other.prefix = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
      REQUIRE(chmod(h.root().c_str(), 0755) == 0);  // nobody may reach the home itself
      CliResult version = RunQun({"--version"}, as_other);
      if (version.exit_code != 0) {
        MESSAGE("skipped: uid 65534 cannot run " << QUN_BINARY << ": " << version.Describe());
        return;
      }
      REQUIRE(FileMode(h.home()) == 0700);
    } else {
      REQUIRE(chmod(h.home().c_str(), 0) == 0);
    }

    std::vector<std::vector<std::string>> commands = {{"status"}, {"member", "add", "张伟"}};
    // As the owner, init would simply restore the folder's mode (then find the node).
    if (geteuid() == 0) commands.push_back({"init", "--name", "x"});
    for (const auto& args : commands) {
      CliResult r = h.Qun(args, as_other);
      CHECK_EXIT(r, 7);
      CHECK(Contains(r.err, h.home()));
      CHECK(Contains(r.err, "--home"));
    }
    if (geteuid() != 0) REQUIRE(chmod(h.home().c_str(), 0700) == 0);
    CHECK(OkJson(h, {"status"}).at("people") == 0);
  }

  TEST_CASE("a missing home gives exit 3 asking to run qun init") {
    TempHome h;
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"status"}, {"member", "list"}, {"member", "add", "张伟"}, {"log"}}) {
      CliResult r = h.Qun(args);
      CHECK_EXIT(r, 3);
      CHECK(Contains(r.err, "qun init"));
      CHECK(Contains(r.err, h.home()));
    }
    CHECK_FALSE(Exists(h.home()));

    // A home holding a database but no key.
    Init(h);
    std::remove(h.InHome("node.key").c_str());
    CliResult no_key = h.Qun({"status"});
    CHECK_EXIT(no_key, 3);
    CHECK(Contains(no_key.err, "node.key"));
  }

  TEST_CASE("a secret key readable by others gives exit 7 asking for chmod 600") {
    Node h;
    REQUIRE(chmod(h.InHome("node.key").c_str(), 0644) == 0);
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"status"}, {"member", "add", "张伟"}}) {
      CliResult r = h.Qun(args);
      CHECK_EXIT(r, 7);
      CHECK(Contains(r.err, "chmod 600"));
      CHECK(Contains(r.err, h.InHome("node.key")));
    }
    REQUIRE(chmod(h.InHome("node.key").c_str(), 0600) == 0);
    CHECK(OkJson(h, {"status"}).at("people") == 0);
  }
}
