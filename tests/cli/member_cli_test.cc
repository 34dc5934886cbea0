// End-to-end tests of people and references to them: `qun member
// add/list/show/edit/remove`, memberships (join, leave, set-status,
// set-role), contact handles, and the id prefixes, names and handles a
// command accepts for a person.
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
using qun::testing::Lines;
using qun::testing::LineStartingWith;
using qun::testing::ListedNames;
using qun::testing::Node;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::Short;
using qun::testing::Snapshot;
using qun::testing::TempHome;

TEST_SUITE("cli") {
  TEST_CASE("qun member add keeps Chinese and Latin names and normalizes contact handles") {
    Node h;
    CliResult added = Ok(h, {"member", "add", "张伟", "--nickname", "北京-张伟-设计", "--wechat",
                             "zhangwei_88", "--city", "北京", "--tag", "摄影", "--tag", "创业"});
    CHECK(Contains(added.out, "Added 张伟 ("));

    json alice = OkJson(h, {"member", "add", "Alice Chen", "--phone", "+1 415-555-0101", "--email",
                            "Alice@Example.ORG", "--city", "San Francisco", "--tag", "AI",
                            "--referred-by", "zhangwei_88", "--intro", "做设计的\n也拍照"});
    CHECK(alice.at("display_name") == "Alice Chen");
    CHECK(alice["handles"]["phone"] == json::array({"+14155550101"}));
    CHECK(alice["handles"]["email"] == json::array({"alice@example.org"}));
    CHECK(alice["handles"]["wechat"].empty());
    CHECK(alice.at("tags") == json::array({"AI"}));
    CHECK(alice.at("intro") == "做设计的\n也拍照");

    json zhang = OkJson(h, {"member", "show", "北京-张伟-设计"});
    CHECK(zhang.at("display_name") == "张伟");
    CHECK(zhang.at("city") == "北京");
    CHECK(zhang.at("tags") == json::array({"创业", "摄影"}));
    CHECK(zhang["handles"]["wechat"] == json::array({"zhangwei_88"}));
    CHECK(alice.at("referred_by") == zhang.at("id"));

    // Any handle finds the person, a phone however it is typed.
    CHECK(OkJson(h, {"member", "show", "+1 (415) 555-0101"}).at("id") == alice.at("id"));
    CHECK(OkJson(h, {"member", "show", "ALICE@example.org"}).at("id") == alice.at("id"));
    CHECK(OkJson(h, {"member", "show", "alice chen"}).at("id") == alice.at("id"));

    CliResult text = Ok(h, {"member", "show", "Alice Chen"});
    CHECK(Contains(text.out, "phone +14155550101, email alice@example.org"));
    CHECK(Contains(text.out, "San Francisco"));
    CHECK(Contains(text.out, "张伟 (" + Short(zhang.at("id")) + ")"));
    CHECK(Contains(text.out, "Not in any group."));

    CHECK_EXIT(h.Qun({"member", "add", "Bad", "--email", "not-an-email"}), 2);
    CHECK_EXIT(h.Qun({"member", "add", "Bad", "--phone", "call me"}), 2);
    CHECK(ListedNames(h) == std::set<std::string>{"张伟", "Alice Chen"});
  }

  TEST_CASE("qun member list filters by group, tag, city, membership status and role") {
    Node h;
    AddGroup(h, {"北京交流群"});
    AddGroup(h, {"Shanghai Founders"});
    AddPerson(h, {"张伟", "--city", "北京", "--tag", "摄影", "--tag", "创业", "--group",
                  "北京交流群", "--role", "admin"});
    AddPerson(h, {"李娜", "--city", "上海", "--tag", "摄影", "--group", "北京交流群"});
    AddPerson(h, {"Bob Smith", "--city", "上海", "--tag", "AI"});
    AddPerson(h, {"王芳", "--city", "北京"});
    Ok(h, {"member", "set-status", "北京交流群", "李娜", "muted"});
    Ok(h, {"member", "join", "Shanghai Founders", "李娜", "--role", "core"});
    Ok(h, {"member", "join", "Shanghai Founders", "Bob Smith"});
    Ok(h, {"member", "leave", "Shanghai Founders", "Bob Smith"});

    using Names = std::set<std::string>;
    CHECK(ListedNames(h) == Names{"张伟", "李娜", "Bob Smith", "王芳"});
    CHECK(ListedNames(h, {"--group", "北京交流群"}) == Names{"张伟", "李娜"});
    CHECK(ListedNames(h, {"--group", "Shanghai Founders"}) == Names{"李娜"});
    CHECK(ListedNames(h, {"--tag", "摄影"}) == Names{"张伟", "李娜"});
    CHECK(ListedNames(h, {"--city", "上海"}) == Names{"李娜", "Bob Smith"});
    CHECK(ListedNames(h, {"--tag", "摄影", "--city", "上海"}) == Names{"李娜"});
    CHECK(ListedNames(h, {"--status", "left"}) == Names{"Bob Smith"});
    CHECK(ListedNames(h, {"--status", "muted"}) == Names{"李娜"});
    CHECK(ListedNames(h, {"--role", "admin"}) == Names{"张伟"});
    CHECK(ListedNames(h, {"--role", "core"}) == Names{"李娜"});
    CHECK(ListedNames(h, {"--group", "Shanghai Founders", "--status", "left"}) ==
          Names{"Bob Smith"});
    CHECK(ListedNames(h, {"--group", "北京交流群", "--role", "core"}).empty());

    // With --group, each person's role and status there.
    json in_group = OkJson(h, {"member", "list", "--group", "北京交流群"});
    for (const json& p : in_group) {
      if (p.at("display_name") == "张伟") {
        CHECK(p.at("role") == "admin");
        CHECK(p.at("status") == "active");
      } else {
        CHECK(p.at("role") == "member");
        CHECK(p.at("status") == "muted");
      }
    }
    CliResult table = Ok(h, {"member", "list", "--group", "北京交流群"});
    CHECK(Contains(Lines(table.out).at(0), "ROLE"));
    CHECK(Contains(table.out, "muted"));
    CHECK(Contains(table.out, "2 people"));
    CHECK(Contains(Ok(h, {"member", "list", "--city", "深圳"}).out, "No one matches."));

    CliResult bad_status = h.Qun({"member", "list", "--status", "gone"});
    CHECK_EXIT(bad_status, 2);
    CHECK(Contains(bad_status.err, "applicant"));
    CHECK_EXIT(h.Qun({"member", "list", "--role", "king"}), 2);
    CHECK_EXIT(h.Qun({"member", "list", "--group", "No Such Group"}), 3);
  }

  TEST_CASE("qun member show lists a person's memberships across all groups") {
    Node h;
    std::string bj = AddGroup(h, {"北京交流群"});
    std::string sh = AddGroup(h, {"Shanghai Founders"});
    AddGroup(h, {"摄影兴趣群"});
    AddPerson(h, {"张伟", "--wechat", "zw_1"});
    std::string li = AddPerson(h, {"李娜", "--group", "北京交流群"});
    Ok(h,
       {"member", "join", "Shanghai Founders", "李娜", "--role", "core", "--invited-by", "zw_1"});
    Ok(h, {"member", "set-status", "北京交流群", "李娜", "muted"});

    json shown = OkJson(h, {"member", "show", "李娜"});
    CHECK(shown.at("id") == li);
    REQUIRE(shown.at("memberships").size() == 2);
    std::map<std::string, json> by_group;
    for (const json& m : shown["memberships"]) by_group[m.at("group").get<std::string>()] = m;
    REQUIRE(by_group.count("北京交流群"));
    REQUIRE(by_group.count("Shanghai Founders"));
    CHECK(by_group["北京交流群"].at("group_id") == bj);
    CHECK(by_group["北京交流群"].at("role") == "member");
    CHECK(by_group["北京交流群"].at("status") == "muted");
    CHECK(by_group["Shanghai Founders"].at("group_id") == sh);
    CHECK(by_group["Shanghai Founders"].at("role") == "core");
    CHECK(by_group["Shanghai Founders"].at("status") == "active");
    CHECK(by_group["Shanghai Founders"].at("invited_by") ==
          OkJson(h, {"member", "show", "zw_1"}).at("id"));

    CliResult text = Ok(h, {"member", "show", Short(li)});
    std::string bj_row = LineStartingWith(text.out, Short(bj));
    CHECK(Contains(bj_row, "北京交流群"));
    CHECK(Contains(bj_row, "muted"));
    std::string sh_row = LineStartingWith(text.out, Short(sh));
    CHECK(Contains(sh_row, "Shanghai Founders"));
    CHECK(Contains(sh_row, "core"));
    CHECK_FALSE(Contains(text.out, "摄影兴趣群"));
  }

  TEST_CASE("qun member edit changes only the fields given") {
    Node h;
    std::string id = AddPerson(h, {"张伟", "--nickname", "老张", "--wechat", "zw_1", "--city",
                                   "北京", "--tag", "摄影", "--tag", "创业", "--intro", "设计师"});

    json edited = OkJson(h, {"member", "edit", "zw_1", "--city", "上海", "--add-tag", "投资",
                             "--remove-tag", "摄影", "--phone", "138 0013 8000"});
    CHECK(edited.at("id") == id);
    CHECK(edited.at("changed_fields").get<int>() > 0);
    CHECK(edited.at("city") == "上海");
    CHECK(edited.at("tags") == json::array({"创业", "投资"}));
    CHECK(edited["handles"]["phone"] == json::array({"13800138000"}));
    CHECK(edited["handles"]["wechat"] == json::array({"zw_1"}));
    CHECK(edited.at("nickname") == "老张");
    CHECK(edited.at("intro") == "设计师");
    CHECK(edited.at("display_name") == "张伟");

    CliResult renamed = Ok(h, {"member", "edit", "老张", "--name", "张伟伟", "--remove-wechat",
                               "zw_1", "--wechat", "zw_2"});
    CHECK(Contains(renamed.out, "Updated 张伟伟 (" + Short(id) + ")"));
    json after = OkJson(h, {"member", "show", "张伟伟"});
    CHECK(after["handles"]["wechat"] == json::array({"zw_2"}));
    CHECK_EXIT(h.Qun({"member", "show", "zw_1"}), 3);

    CliResult nothing = Ok(h, {"member", "edit", "张伟伟", "--city", "上海"});
    CHECK(Contains(nothing.out, "Nothing changed for 张伟伟"));
    CHECK_EXIT(h.Qun({"member", "edit", "nobody", "--city", "上海"}), 3);
  }

  TEST_CASE("a removed person disappears from lists but the log keeps their history") {
    Node h;
    AddGroup(h, {"北京交流群"});
    std::string id =
        AddPerson(h, {"张伟", "--wechat", "zw_1", "--city", "北京", "--group", "北京交流群"});
    AddPerson(h, {"李娜"});

    CliResult removed = Ok(h, {"member", "remove", "张伟"});
    CHECK(Contains(removed.out, "Removed 张伟 (" + Short(id) + ")"));
    CHECK(Contains(removed.out, "qun log " + Short(id)));

    CHECK(ListedNames(h) == std::set<std::string>{"李娜"});
    CHECK_FALSE(Contains(Ok(h, {"member", "list"}).out, "张伟"));
    CHECK(ListedNames(h, {"--group", "北京交流群"}).empty());
    CHECK_EXIT(h.Qun({"member", "show", Short(id)}), 3);
    CHECK_EXIT(h.Qun({"member", "show", "zw_1"}), 3);
    CHECK(OkJson(h, {"status"}).at("people") == 1);
    CHECK(OkJson(h, {"status"}).at("active_memberships") == 0);
    CHECK(OkJson(h, {"group", "show", "北京交流群"}).at("members").empty());

    json log = OkJson(h, {"log", Short(id), "-n", "0"});
    std::set<std::string> fields;
    for (const json& e : log) fields.insert(e.at("field"));
    CHECK(fields.count("display_name"));
    CHECK(fields.count("city"));
    CHECK(fields.count("deleted"));
    CHECK(Contains(Ok(h, {"log", Short(id)}).out, "member remove"));

    // Adding them again with the same handle brings the record back.
    CHECK(AddPerson(h, {"张伟", "--wechat", "zw_1"}) == id);
    CHECK(ListedNames(h) == std::set<std::string>{"张伟", "李娜"});
  }

  TEST_CASE("join, leave, set-status and set-role change the membership and refuse bad values") {
    Node h;
    AddGroup(h, {"北京交流群", "--capacity", "2"});
    AddPerson(h, {"张伟"});
    AddPerson(h, {"李娜"});
    AddPerson(h, {"Bob Smith"});

    CliResult joined = Ok(h, {"member", "join", "北京交流群", "张伟", "--role", "admin"});
    CHECK(Contains(joined.out, "张伟 in 北京交流群: role admin, status active"));
    json m = OkJson(h, {"member", "join", "北京交流群", "李娜", "--invited-by", "张伟"});
    CHECK(m.at("person") == "李娜");
    CHECK(m.at("group") == "北京交流群");
    CHECK(m.at("role") == "member");
    CHECK(m.at("status") == "active");
    CHECK(m.at("invited_by") == OkJson(h, {"member", "show", "张伟"}).at("id"));
    CHECK(OkJson(h, {"status"}).at("active_memberships") == 2);

    CliResult full = h.Qun({"member", "join", "北京交流群", "Bob Smith"});
    CHECK_EXIT(full, 4);
    CHECK(Contains(full.err, "full"));

    CHECK(OkJson(h, {"member", "set-role", "北京交流群", "李娜", "core"}).at("role") == "core");
    CHECK(OkJson(h, {"member", "set-status", "北京交流群", "李娜", "muted"}).at("status") ==
          "muted");
    CliResult left = Ok(h, {"member", "leave", "北京交流群", "李娜"});
    CHECK(Contains(left.out, "李娜 in 北京交流群: role core, status left"));
    CHECK(OkJson(h, {"status"}).at("active_memberships") == 1);

    CliResult bad_status = h.Qun({"member", "set-status", "北京交流群", "张伟", "asleep"});
    CHECK_EXIT(bad_status, 2);
    for (const char* s : {"applicant", "active", "muted", "left", "removed", "banned"})
      CHECK(Contains(bad_status.err, s));
    CliResult bad_role = h.Qun({"member", "set-role", "北京交流群", "张伟", "king"});
    CHECK_EXIT(bad_role, 2);
    for (const char* r : {"member", "core", "admin", "owner"}) CHECK(Contains(bad_role.err, r));
    CHECK_EXIT(h.Qun({"member", "join", "北京交流群", "nobody"}), 3);
    CHECK_EXIT(h.Qun({"member", "join", "No Such Group", "张伟"}), 3);
    CHECK(OkJson(h, {"member", "show", "张伟"})["memberships"][0].at("role") == "admin");
  }

  TEST_CASE("a wechat handle already used by another person is refused with exit 4 naming them") {
    Node h;
    std::string id = AddPerson(h, {"张伟", "--wechat", "zw_1", "--email", "zw@example.org"});
    AddPerson(h, {"李娜", "--wechat", "ln_1"});
    std::string before = Snapshot(h);

    CliResult dup = h.Qun({"member", "add", "李四", "--wechat", "zw_1"});
    CHECK_EXIT(dup, 4);
    CHECK(Contains(dup.err, "张伟"));
    CHECK(Contains(dup.err, Short(id)));

    CliResult edit = h.Qun({"member", "edit", "李娜", "--wechat", "zw_1"});
    CHECK_EXIT(edit, 4);
    CHECK(Contains(edit.err, "张伟"));

    // Email addresses compare without case.
    CliResult email = h.Qun({"member", "add", "李四", "--email", "ZW@Example.org"});
    CHECK_EXIT(email, 4);
    CHECK(Contains(email.err, "张伟"));

    CHECK(Snapshot(h) == before);
  }

  TEST_CASE("the same person added offline in two homes with the same wechat gets the same id") {
    Node a("社区");
    Node b("社区");
    std::string in_a = AddPerson(a, {"王芳", "--wechat", "wang_fang_88", "--city", "北京"});
    std::string in_b =
        AddPerson(b, {"Wang Fang", "--wechat", "wang_fang_88", "--phone", "13800138000"});
    CHECK(in_a.size() == 32);
    CHECK(in_a == in_b);
    // Without a handle there is no natural key: ids are random.
    CHECK(AddPerson(a, {"李娜"}) != AddPerson(b, {"李娜"}));
    CHECK(AddPerson(a, {"Other", "--wechat", "other_1"}) != in_a);
  }

  TEST_CASE("an id prefix shown by member list resolves to the person") {
    Node h;
    std::string gid = AddGroup(h, {"北京交流群"});
    std::string zhang = AddPerson(h, {"张伟", "--wechat", "zw_prefix_1"});
    std::string li = AddPerson(h, {"李娜", "--wechat", "ln_prefix_2"});

    CliResult list = Ok(h, {"member", "list"});
    std::string row = LineStartingWith(list.out, Short(zhang));
    std::string shown_prefix = row.substr(0, row.find(' '));
    CHECK(shown_prefix.size() == 8);
    CHECK(OkJson(h, {"member", "show", shown_prefix}).at("id") == zhang);
    CHECK(OkJson(h, {"member", "show", li.substr(0, 6)}).at("id") == li);
    CHECK(OkJson(h, {"member", "show", li}).at("id") == li);
    std::string upper = Short(li);
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    CHECK(OkJson(h, {"member", "show", upper}).at("id") == li);
    Ok(h, {"member", "join", Short(gid), shown_prefix});
    CHECK(OkJson(h, {"group", "show", Short(gid)}).at("members").size() == 1);
  }

  TEST_CASE("an ambiguous reference is refused with exit 4 and an unknown one with exit 3") {
    Node h;
    // Ids derived from 1200 handles share some 4-character prefix.
    std::string csv = "display_name,wechat\n";
    for (int i = 0; i < 1200; ++i)
      csv += "Person " + std::to_string(i) + ",amb_" + std::to_string(i) + "\n";
    Ok(h, {"import", "members", h.Write("many.csv", csv)});
    std::map<std::string, std::vector<std::string>> by_prefix;
    for (const json& p : OkJson(h, {"member", "list"}))
      by_prefix[p.at("id").get<std::string>().substr(0, 4)].push_back(p.at("id"));
    REQUIRE(by_prefix.size() < 1200);
    std::string shared, unused;
    for (const auto& [prefix, ids] : by_prefix)
      if (ids.size() >= 2 && shared.empty()) shared = prefix;
    for (int i = 0; i < 0x10000 && unused.empty(); ++i) {
      char buf[16];
      snprintf(buf, sizeof buf, "%04x", i);
      if (!by_prefix.count(buf)) unused = buf;
    }
    REQUIRE(!shared.empty());

    CliResult prefix = h.Qun({"member", "show", shared});
    CHECK_EXIT(prefix, 4);
    CHECK(Contains(prefix.err, "ambiguous"));
    for (const std::string& id : by_prefix[shared]) CHECK(Contains(prefix.err, Short(id)));
    CHECK_EXIT(h.Qun({"member", "edit", shared, "--city", "北京"}), 4);

    std::string a = AddPerson(h, {"张伟", "--city", "北京"});
    std::string b = AddPerson(h, {"张伟", "--city", "上海", "--yes"});
    CliResult name = h.Qun({"member", "show", "张伟"});
    CHECK_EXIT(name, 4);
    CHECK(Contains(name.err, "ambiguous"));
    CHECK(Contains(name.err, Short(a)));
    CHECK(Contains(name.err, Short(b)));
    AddGroup(h, {"北京交流群"});
    CHECK_EXIT(h.Qun({"member", "join", "北京交流群", "张伟"}), 4);
    CHECK(OkJson(h, {"group", "show", "北京交流群"}).at("members").empty());

    CHECK_EXIT(h.Qun({"member", "show", unused}), 3);
    CliResult unknown = h.Qun({"member", "show", "Nobody Here"});
    CHECK_EXIT(unknown, 3);
    CHECK(Contains(unknown.err, "Nobody Here"));
    CHECK_EXIT(h.Qun({"group", "show", "No Such Group"}), 3);
    CHECK_EXIT(h.Qun({"log", "Nobody Here"}), 3);
  }

  TEST_CASE("a wechat id finds its person whatever the case it is typed in") {
    TempHome h;
    Init(h);
    Ok(h, {"member", "add", "王芳", "--wechat", "WangFang_88"});
    CHECK(OkJson(h, {"member", "show", "WangFang_88"}).at("display_name") == "王芳");
    Ok(h, {"member", "edit", "wangfang_88", "--city", "北京"});
    Ok(h, {"log", "WANGFANG_88"});
    CliResult dup = h.Qun({"member", "add", "另一个", "--wechat", "WANGFANG_88"});
    CHECK_EXIT(dup, 4);
    CHECK(Contains(dup.err, "王芳"));
  }
}
