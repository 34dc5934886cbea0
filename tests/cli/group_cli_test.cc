// End-to-end tests of groups: `qun group add/show/edit/list/archive`, and
// the names, kinds and fees they refuse.
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

using nlohmann::json;
using qun::testing::AddGroup;
using qun::testing::AddPerson;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::Init;
using qun::testing::LineStartingWith;
using qun::testing::Node;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::Short;
using qun::testing::TempHome;

TEST_SUITE("cli") {
  TEST_CASE("qun group add, show, edit and list report every setting, also as JSON") {
    Node h;
    CliResult added = Ok(h, {"group", "add", "Shanghai Founders", "--kind", "regional",
                             "--platform", "telegram", "--handle", "@shfounders"});
    CHECK(Contains(added.out, "Added group Shanghai Founders ("));

    json g = OkJson(
        h, {"group", "add", "北京交流群", "--kind", "exchange", "--platform", "wechat", "--handle",
            "bj_group", "--capacity", "300", "--admission", "paid", "--fee", "49.9", "--rules",
            "不发广告", "--intro-template", "我是谁 / 我需要什么 / 我能提供什么"});
    std::string id = g.at("id").get<std::string>();
    CHECK(id.size() == 32);
    CHECK(g.at("name") == "北京交流群");
    CHECK(g.at("kind") == "exchange");
    CHECK(g.at("platform") == "wechat");
    CHECK(g.at("handle") == "bj_group");
    CHECK(g.at("capacity") == 300);
    CHECK(g.at("admission") == "paid");
    CHECK(g.at("fee") == "49.90");
    CHECK(g.at("rules") == "不发广告");
    CHECK(g.at("intro_template") == "我是谁 / 我需要什么 / 我能提供什么");
    CHECK(g.at("status") == "active");
    CHECK(g.at("active_members") == 0);
    CHECK(g.at("created_at").get<int64_t>() > 0);

    AddPerson(h, {"张伟", "--group", "北京交流群", "--role", "admin"});
    json shown = OkJson(h, {"group", "show", "北京交流群"});
    CHECK(shown.at("id") == id);
    CHECK(shown.at("active_members") == 1);
    REQUIRE(shown.at("members").size() == 1);
    CHECK(shown["members"][0].at("person") == "张伟");
    CHECK(shown["members"][0].at("role") == "admin");

    CliResult text = Ok(h, {"group", "show", Short(id)});
    CHECK(Contains(text.out, "北京交流群"));
    CHECK(Contains(text.out, "1/300"));
    CHECK(Contains(text.out, "paid, fee 49.90"));
    CHECK(Contains(text.out, "不发广告"));
    CHECK(Contains(text.out, "张伟"));

    json edited =
        OkJson(h, {"group", "edit", "北京交流群", "--name", "北京交流一群", "--capacity", "200"});
    CHECK(edited.at("changed_fields") == 2);
    CHECK(edited.at("name") == "北京交流一群");
    CHECK(edited.at("capacity") == 200);
    CHECK(edited.at("rules") == "不发广告");  // untouched
    CliResult same = Ok(h, {"group", "edit", "北京交流一群", "--capacity", "200"});
    CHECK(Contains(same.out, "Nothing changed"));
    CHECK_EXIT(h.Qun({"group", "show", "北京交流群"}), 3);

    json list = OkJson(h, {"group", "list"});
    REQUIRE(list.size() == 2);
    std::set<std::string> names;
    for (const json& e : list) names.insert(e.at("name"));
    CHECK(names == std::set<std::string>{"北京交流一群", "Shanghai Founders"});
    CliResult table = Ok(h, {"group", "list"});
    CHECK(Contains(table.out, "1/200"));
    CHECK(Contains(table.out, "paid 49.90"));
    CHECK(Contains(table.out, "telegram"));
  }

  TEST_CASE("a duplicate group name is refused with exit 4 naming the existing group") {
    Node h;
    std::string id = AddGroup(h, {"Shanghai Founders"});
    std::string other = AddGroup(h, {"北京交流群"});

    CliResult same = h.Qun({"group", "add", "Shanghai Founders"});
    CHECK_EXIT(same, 4);
    CHECK(Contains(same.err, "already exists"));
    CHECK(Contains(same.err, "Shanghai Founders"));
    CHECK(Contains(same.err, Short(id)));

    // Names differing only in ASCII case are the same name.
    CliResult upper = h.Qun({"group", "add", "SHANGHAI founders"});
    CHECK_EXIT(upper, 4);
    CHECK(Contains(upper.err, Short(id)));
    CliResult rename = h.Qun({"group", "edit", Short(other), "--name", "shanghai FOUNDERS"});
    CHECK_EXIT(rename, 4);
    CHECK(Contains(rename.err, Short(id)));

    CliResult chinese = h.Qun({"group", "add", "北京交流群"});
    CHECK_EXIT(chinese, 4);
    CHECK(Contains(chinese.err, "北京交流群"));
    CHECK(Contains(chinese.err, Short(other)));

    CHECK(OkJson(h, {"group", "list"}).size() == 2);
  }

  TEST_CASE("an invalid group kind is refused with exit 2 listing the allowed kinds") {
    Node h;
    CliResult kind = h.Qun({"group", "add", "X", "--kind", "bogus"});
    CHECK_EXIT(kind, 2);
    CHECK(Contains(kind.err, "bogus"));
    for (const char* k : {"exchange", "course", "regional", "resource", "interest", "other"})
      CHECK_MESSAGE(Contains(kind.err, k), "'" << k << "' missing from: " << kind.err);

    CliResult platform = h.Qun({"group", "add", "X", "--platform", "myspace"});
    CHECK_EXIT(platform, 2);
    for (const char* p : {"wechat", "qq", "telegram", "discord"})
      CHECK_MESSAGE(Contains(platform.err, p), "'" << p << "' missing from: " << platform.err);

    CHECK_EXIT(h.Qun({"group", "add", "X", "--fee", "¥50"}), 2);
    CHECK_EXIT(h.Qun({"group", "add", "X", "--capacity", "0"}), 2);
    CHECK(OkJson(h, {"group", "list"}).empty());
  }

  TEST_CASE("an archived group is hidden from group list and shown with --all") {
    Node h;
    AddGroup(h, {"北京交流群"});
    std::string old_id = AddGroup(h, {"旧群 Old"});
    AddPerson(h, {"张伟"});

    CliResult archived = Ok(h, {"group", "archive", "旧群 Old"});
    CHECK(Contains(archived.out, "Archived group 旧群 Old"));
    CHECK(Contains(archived.out, "--status active"));

    CliResult list = Ok(h, {"group", "list"});
    CHECK(Contains(list.out, "北京交流群"));
    CHECK_FALSE(Contains(list.out, "旧群 Old"));
    CliResult all = Ok(h, {"group", "list", "--all"});
    CHECK(Contains(all.out, "北京交流群"));
    std::string row = LineStartingWith(all.out, Short(old_id));
    CHECK(Contains(row, "旧群 Old"));
    CHECK(Contains(row, "archived"));

    CHECK(OkJson(h, {"group", "list"}).size() == 1);
    json with_all = OkJson(h, {"group", "list", "--all"});
    REQUIRE(with_all.size() == 2);
    for (const json& g : with_all)
      CHECK(g.at("status") == (g.at("id") == old_id ? "archived" : "active"));

    // An archived group takes no new members, until it is reactivated.
    CHECK_EXIT(h.Qun({"member", "join", "旧群 Old", "张伟"}), 4);
    Ok(h, {"group", "edit", "旧群 Old", "--status", "active"});
    CHECK(Contains(Ok(h, {"group", "list"}).out, "旧群 Old"));
    Ok(h, {"member", "join", "旧群 Old", "张伟"});
  }

  TEST_CASE("a duplicate group name in another case is refused quoting the existing name") {
    TempHome h;
    Init(h);
    Ok(h, {"group", "add", "Shanghai Founders"});
    CliResult r = h.Qun({"group", "add", "SHANGHAI founders"});
    CHECK_EXIT(r, 4);
    CHECK(Contains(r.err, "'Shanghai Founders'"));
  }

  TEST_CASE("a fee without digits is refused with exit 2") {
    TempHome h;
    Init(h);
    for (const char* fee : {".", "", "1.234", "abc", "-5"}) {
      CAPTURE(fee);
      CliResult r = h.Qun({"group", "add", "付费群", "--admission", "paid", "--fee", fee});
      CHECK_EXIT(r, 2);
    }
    CHECK(OkJson(h, {"group", "add", "付费群", "--fee", "49.9"}).at("fee") == "49.90");
  }
}
