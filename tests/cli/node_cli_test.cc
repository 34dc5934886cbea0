// End-to-end tests of a node itself: `qun init` (its key files and what it
// refuses), `qun status`, `qun state-hash` and the history `qun log` shows.
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

#include "core/store.h"
#include "support/cli_runner.h"
#include "support/cli_steps.h"

using nlohmann::json;
using qun::testing::AddGroup;
using qun::testing::AddPerson;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::Exists;
using qun::testing::FileMode;
using qun::testing::Hex;
using qun::testing::Init;
using qun::testing::Lines;
using qun::testing::Node;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::ReadFile;
using qun::testing::Snapshot;
using qun::testing::TempHome;

TEST_SUITE("cli") {
  TEST_CASE("qun init writes a private key file and never prints the secret key") {
    TempHome h;
    CliResult init = h.Qun({"init", "--name", "湾区创业者社区 Bay Founders", "--admin", "小林"});
    REQUIRE_EXIT(init, 0);
    CHECK(Contains(init.out, "Created community '湾区创业者社区 Bay Founders'"));
    CHECK(Contains(init.out, h.home()));

    CHECK(FileMode(h.home()) == 0700);
    CHECK(FileMode(h.InHome("node.key")) == 0600);
    std::string key = ReadFile(h.InHome("node.key"));
    REQUIRE(key.size() == 64);
    // An Ed25519 secret key is the 32-byte seed followed by the public key;
    // the public half is the node id and may be shown, the seed never.
    std::string seed = key.substr(0, 32);
    std::string node_id = Hex(key.substr(32));
    CHECK(ReadFile(h.InHome("node.pub")) == node_id + "\n");
    CHECK(Contains(init.out, node_id));

    std::vector<CliResult> outputs = {init,
                                      h.Qun({"status"}),
                                      h.Qun({"--json", "status"}),
                                      h.Qun({"log", "-n", "0"}),
                                      h.Qun({"--json", "log", "-n", "0"}),
                                      h.Qun({"export", "members"}),
                                      h.Qun({"init", "--name", "again"})};
    for (const CliResult& r : outputs) {
      for (const std::string* stream : {&r.out, &r.err}) {
        CHECK_FALSE(Contains(*stream, Hex(key)));
        CHECK_FALSE(Contains(*stream, Hex(seed)));
        CHECK_FALSE(Contains(*stream, Hex(seed, /*upper=*/true)));
        CHECK_FALSE(Contains(*stream, seed));
      }
    }
  }

  TEST_CASE("qun status --json shows the community name, node id, schema version and counts") {
    Node h("湾区创业者社区 Bay Founders");
    AddGroup(h, {"北京交流群"});
    AddGroup(h, {"Old Group"});
    Ok(h, {"group", "archive", "Old Group"});
    AddPerson(h, {"张伟", "--wechat", "zw_1", "--group", "北京交流群"});
    AddPerson(h, {"李娜"});
    AddPerson(h, {"Alice Chen"});

    json s = OkJson(h, {"status"});
    CHECK(s.at("community") == "湾区创业者社区 Bay Founders");
    std::string node_id = ReadFile(h.InHome("node.pub"));
    node_id.pop_back();  // the newline
    CHECK(s.at("node_id") == node_id);
    CHECK(s.at("node_id").get<std::string>().size() == 64);
    CHECK(s.at("community_id").get<std::string>().size() == 32);
    CHECK(s.at("schema_version") == qun::core::Store::LatestSchemaVersion());
    CHECK(s.at("groups") == 1);
    CHECK(s.at("archived_groups") == 1);
    CHECK(s.at("people") == 3);
    CHECK(s.at("active_memberships") == 1);
    CHECK(s.at("changes") == 7);  // init, 2 group adds, archive, 3 member adds
    CHECK(s.at("home") == h.home());
    CHECK(s.at("database") == h.InHome("community.db"));

    CliResult text = Ok(h, {"status"});
    CHECK(Contains(text.out, "湾区创业者社区 Bay Founders"));
    CHECK(Contains(text.out, "1 active, 1 archived"));
    // The node id and the schema version are technical: with --verbose.
    CHECK_FALSE(Contains(text.out, node_id));
    CliResult verbose = Ok(h, {"status", "--verbose"});
    CHECK(Contains(verbose.out, node_id));
    CHECK(Contains(verbose.out,
                   "version " + std::to_string(qun::core::Store::LatestSchemaVersion())));
  }

  TEST_CASE("qun init in a home that already holds a node fails with exit 4 and changes nothing") {
    Node h("First");
    AddPerson(h, {"张伟"});
    std::string before = Snapshot(h);
    std::string key = ReadFile(h.InHome("node.key"));
    std::string pub = ReadFile(h.InHome("node.pub"));
    std::string db = ReadFile(h.InHome("community.db"));

    CliResult again = h.Qun({"init", "--name", "Second"});
    CHECK_EXIT(again, 4);
    CHECK(Contains(again.err, "already"));
    CHECK(Contains(again.err, h.home()));
    CHECK(again.out.empty());

    CliResult as_json = h.Qun({"--json", "init", "--name", "Second"});
    CHECK_EXIT(as_json, 4);
    json err = json::parse(as_json.err, nullptr, false);
    REQUIRE_MESSAGE(!err.is_discarded(), as_json.err);
    CHECK(err["error"]["code"] == "conflict");

    CHECK(ReadFile(h.InHome("node.key")) == key);
    CHECK(ReadFile(h.InHome("node.pub")) == pub);
    CHECK(ReadFile(h.InHome("community.db")) == db);
    CHECK_FALSE(Exists(h.InHome("community.db-wal")));
    CHECK(Snapshot(h) == before);
    CHECK(OkJson(h, {"status"}).at("community") == "First");
  }

  TEST_CASE(
      "qun log of a person shows a city edit with old and new value and this node as author") {
    Node h;
    std::string id = AddPerson(h, {"张伟", "--wechat", "zw_1", "--city", "北京"});
    CliResult edit = Ok(h, {"member", "edit", "张伟", "--city", "上海"});
    CHECK(Contains(edit.out, "1 field write recorded"));
    std::string node_id = OkJson(h, {"status"}).at("node_id").get<std::string>();

    json log = OkJson(h, {"log", "张伟"});
    const json* entry = nullptr;
    for (const json& e : log)
      if (e.at("field") == "city" && e.at("to") == "上海") entry = &e;
    REQUIRE_MESSAGE(entry != nullptr, log.dump(2));
    CHECK(entry->at("from") == "北京");
    CHECK(entry->at("author") == node_id);
    CHECK(entry->at("author_name") == "小林");
    CHECK(entry->at("note") == "member edit");
    CHECK(entry->at("row_id") == id);
    CHECK(entry->at("record") == "张伟");
    // Newest first.
    CHECK(&log.front() == entry);
    // The first city write has no old value.
    bool added = false;
    for (const json& e : log)
      if (e.at("field") == "city" && e.at("to") == "北京") added = e.at("from").is_null();
    CHECK(added);

    std::string text = Ok(h, {"log", "张伟"}).out;
    std::string row = Lines(text).at(1);
    CHECK(Contains(row, "member edit"));
    CHECK(Contains(row, "city"));
    CHECK(Contains(row, "北京"));
    CHECK(Contains(row, "上海"));
    CHECK(Contains(row, "小林 " + node_id.substr(0, 8)));
  }

  TEST_CASE("the whole-community log lists the init") {
    Node h("湾区创业者社区");
    AddGroup(h, {"北京交流群"});
    std::string node_id = OkJson(h, {"status"}).at("node_id").get<std::string>();
    json log = OkJson(h, {"log", "-n", "0"});
    bool named = false;
    for (const json& e : log) {
      if (e.at("note") != "init") continue;
      CHECK(e.at("author") == node_id);
      if (e.at("table") == "community" && e.at("field") == "name") {
        named = true;
        CHECK(e.at("to") == "湾区创业者社区");
        CHECK(e.at("from").is_null());
      }
    }
    CHECK(named);
    CHECK(log.front().at("note") == "group add");
    CHECK(Contains(Ok(h, {"log"}).out, "init"));
    CHECK(OkJson(h, {"log", "-n", "2"}).size() == 2);
  }

  TEST_CASE("a refused init with an empty community name leaves no half-made node behind") {
    TempHome h;
    CHECK_EXIT(h.Qun({"init", "--name", "  "}), 2);
    struct stat st;
    CHECK(stat(h.InHome("community.db").c_str(), &st) != 0);
    CHECK(stat(h.InHome("node.key").c_str(), &st) != 0);
    CHECK(stat(h.InHome("node.pub").c_str(), &st) != 0);
    CHECK_EXIT(h.Qun({"init", "--name", "Real"}), 0);
    CHECK(OkJson(h, {"status"}).at("community") == "Real");
  }

  TEST_CASE("qun state-hash prints the same fingerprint until the data changes") {
    TempHome h;
    Init(h);
    std::string first = Ok(h, {"state-hash"}).out;
    CHECK(first.size() == 65);  // 64 hex characters and a line break
    CHECK(Ok(h, {"state-hash"}).out == first);
    Ok(h, {"member", "add", "张伟"});
    std::string second = Ok(h, {"state-hash"}).out;
    CHECK(second != first);
    CHECK(OkJson(h, {"state-hash"}).at("state_hash").get<std::string>() + "\n" == second);
  }
}
