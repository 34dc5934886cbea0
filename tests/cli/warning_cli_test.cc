// `qun rules`, `qun warn`, `qun ban`, `qun unban` and `qun person` end to
// end: a group's rules, warnings under them, who is due for removal, bans
// from the whole community, one person across all groups, and two admins'
// homes that end up with the same warnings and content.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "support/cli_runner.h"
#include "support/cli_steps.h"

using nlohmann::json;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::TempHome;
using qun::testing::TwoHomes;

namespace {

void Setup(const TempHome& h) {
  Ok(h, {"init", "--name", "摄影爱好者", "--admin", "小林"});
  Ok(h, {"group", "add", "北京群"});
  Ok(h, {"group", "add", "上海群"});
  Ok(h, {"member", "add", "张伟", "--wechat", "zw_001", "--group", "北京群"});
  Ok(h, {"member", "join", "上海群", "张伟"});
  Ok(h, {"member", "add", "李娜", "--wechat", "ln_002", "--group", "上海群"});
  Ok(h, {"member", "add", "王芳", "--wechat", "wf_003"});  // in no group
}

std::string Status(const TempHome& h, const std::string& group, const std::string& person) {
  json p = OkJson(h, {"person", person});
  for (const auto& g : p.at("groups"))
    if (g.at("group") == group) return g.at("status");
  return "";
}

}  // namespace

TEST_SUITE("cli warnings") {
  TEST_CASE("rules prints a group's rules and sets them") {
    TempHome h;
    Setup(h);
    CHECK(Contains(Ok(h, {"rules", "北京群"}).out, "no rules yet"));
    CliResult set = Ok(h, {"rules", "北京群", "--set", "1. 不发广告\n2. 不刷屏"});
    CHECK(Contains(set.out, "Updated the rules of 北京群"));
    CHECK(Contains(set.out, "2. 不刷屏"));
    std::string file = h.Write("rules.txt", "一、友善交流\n二、禁止广告\n");
    Ok(h, {"rules", "上海群", "--file", file});
    json r = OkJson(h, {"rules", "上海群"});
    CHECK(r.at("rules") == "一、友善交流\n二、禁止广告");
    CHECK(r.at("warning_limit") == 3);
    CHECK(OkJson(h, {"group", "show", "北京群"}).at("rules") == "1. 不发广告\n2. 不刷屏");
    CHECK_EXIT(h.Qun({"rules", "广州群"}), 3);
    CliResult both = h.Qun({"rules", "北京群", "--set", "x", "--file", file});
    CHECK_EXIT(both, 2);
    CHECK(Contains(both.err, "either --set or --file"));
    std::string bad = h.Write("bad.txt", "\xff\xfe");
    CHECK_EXIT(h.Qun({"rules", "北京群", "--file", bad}), 2);
    CHECK(OkJson(h, {"rules", "北京群"}).at("rules") == "1. 不发广告\n2. 不刷屏");
  }

  TEST_CASE("warn counts warnings and names the removal commands at the group's limit") {
    TempHome h;
    Setup(h);
    CliResult first = Ok(h, {"warn", "北京群", "张伟", "发广告"});
    CHECK(Contains(first.out, "warning 1 of 3"));
    CHECK_FALSE(Contains(first.out, "due for removal"));
    json second = OkJson(h, {"warn", "北京群", "张伟", "刷屏", "三次"});
    CHECK(second.at("reason") == "刷屏 三次");
    CHECK(second.at("count") == 2);
    CHECK(second.at("due") == false);
    CHECK(OkJson(h, {"warn", "due"}).empty());
    CliResult third = Ok(h, {"warn", "北京群", "张伟", "又发广告"});
    CHECK(Contains(third.out, "warning 3 of 3"));
    CHECK(Contains(third.out, "due for removal or a ban"));
    CHECK(Contains(third.out, "qun member set-status"));
    CHECK(Contains(third.out, "qun ban"));
    Ok(h, {"warn", "上海群", "张伟", "骂人"});
    Ok(h, {"warn", "上海群", "李娜", "发链接"});

    CHECK(OkJson(h, {"warn", "list"}).size() == 5);
    CHECK(OkJson(h, {"warn", "list", "--group", "北京群"}).size() == 3);
    CHECK(OkJson(h, {"warn", "list", "--person", "张伟"}).size() == 4);
    CHECK(OkJson(h, {"warn", "list", "--person", "李娜", "--group", "北京群"}).empty());
    json newest = OkJson(h, {"warn", "list"})[0];
    CHECK(newest.at("reason") == "发链接");
    CHECK(newest.at("given_by_name") == "小林");

    json due = OkJson(h, {"warn", "due"});
    REQUIRE(due.size() == 1);
    CHECK(due[0].at("person") == "张伟");
    CHECK(due[0].at("group") == "北京群");
    CHECK(due[0].at("warnings") == 3);
    CHECK(due[0].at("last_reason") == "又发广告");
    CHECK(due[0].at("status") == "active");
    CliResult text = Ok(h, {"warn", "due"});
    CHECK(Contains(text.out, "listed for removal or ban"));
    CHECK(Contains(text.out, "3/3"));
    CHECK(OkJson(h, {"warn", "due", "--group", "上海群"}).empty());
    // Once removed, they are no longer due (unless asked with --all).
    Ok(h, {"member", "set-status", "北京群", "张伟", "removed"});
    CHECK(OkJson(h, {"warn", "due"}).empty());
    json all = OkJson(h, {"warn", "due", "--all"});
    REQUIRE(all.size() == 1);
    CHECK(all[0].at("done") == true);
    // Warned after leaving: still recorded (warnings may come right before removal).
    CHECK(Contains(Ok(h, {"warn", "北京群", "张伟", "私信骚扰"}).out, "already removed"));
  }

  TEST_CASE("a group's own warning limit decides who is due") {
    TempHome h;
    Setup(h);
    Ok(h, {"warn", "上海群", "李娜", "发链接"});
    CHECK(OkJson(h, {"warn", "due"}).empty());
    Ok(h, {"group", "edit", "上海群", "--warning-limit", "1"});
    json due = OkJson(h, {"warn", "due"});
    REQUIRE(due.size() == 1);
    CHECK(due[0].at("limit") == 1);
  }

  TEST_CASE("warn refuses an unknown person, one not in the group, and an empty reason") {
    TempHome h;
    Setup(h);
    CliResult unknown = h.Qun({"warn", "北京群", "赵磊", "发广告"});
    CHECK_EXIT(unknown, 3);
    CHECK(Contains(unknown.err, "赵磊"));
    CliResult outsider = h.Qun({"warn", "北京群", "王芳", "发广告"});
    CHECK_EXIT(outsider, 3);
    CHECK(Contains(outsider.err, "never been in the group '北京群'"));
    CliResult empty = h.Qun({"warn", "北京群", "张伟", "  "});
    CHECK_EXIT(empty, 2);
    CHECK(Contains(empty.err, "reason is empty"));
    CHECK_EXIT(h.Qun({"warn", "北京群", "张伟"}), 2);
    CHECK_EXIT(h.Qun({"warn", "广州群", "张伟", "x"}), 3);
    CliResult nothing = h.Qun({"warn"});
    CHECK_EXIT(nothing, 2);
    CHECK(Contains(nothing.err, "qun warn list"));
    // A subcommand word as the reason asks for --.
    CliResult word = h.Qun({"warn", "北京群", "张伟", "list"});
    CHECK_EXIT(word, 2);
    CHECK(Contains(word.err, "--"));
    CHECK(OkJson(h, {"warn", "list"}).empty());
    CHECK(OkJson(h, {"warn", "--", "北京群", "张伟", "list"}).at("reason") == "list");
    CHECK(OkJson(h, {"warn", "list"}).size() == 1);
  }

  TEST_CASE("warn remove takes back a warning given by mistake") {
    TempHome h;
    Setup(h);
    std::string id = OkJson(h, {"warn", "北京群", "张伟", "认错人了"}).at("short_id");
    Ok(h, {"warn", "北京群", "张伟", "发广告"});
    CliResult removed = Ok(h, {"warn", "remove", id});
    CHECK(Contains(removed.out, "now has 1 warning there"));
    json left = OkJson(h, {"warn", "list"});
    REQUIRE(left.size() == 1);
    CHECK(left[0].at("reason") == "发广告");
    CliResult again = h.Qun({"warn", "remove", id});
    CHECK_EXIT(again, 3);
    CHECK(Contains(again.err, "qun warn list"));
    CHECK_EXIT(h.Qun({"warn", "remove", "zzzz"}), 3);
  }

  TEST_CASE("ban reaches every group at once — unban leaves each group's ban to its admins") {
    TempHome h;
    Setup(h);
    CliResult no_reason = h.Qun({"ban", "张伟"});
    CHECK_EXIT(no_reason, 2);
    CHECK(Contains(no_reason.err, "--reason"));
    CHECK_EXIT(h.Qun({"ban", "赵磊", "--reason", "x"}), 3);
    CHECK_EXIT(h.Qun({"ban", "张伟", "--reason", " "}), 2);
    CHECK(OkJson(h, {"ban", "list"}).empty());

    CliResult ban = Ok(h, {"ban", "张伟", "--reason", "多次发广告，警告无效", "--all-groups"});
    CHECK(Contains(ban.out, "Banned 张伟 from the whole community"));
    CHECK(Contains(ban.out, "北京群, 上海群"));  // pinyin order
    CHECK(Status(h, "北京群", "张伟") == "banned");
    CHECK(Status(h, "上海群", "张伟") == "banned");
    json list = OkJson(h, {"ban", "list"});
    REQUIRE(list.size() == 1);
    CHECK(list[0].at("person") == "张伟");
    CHECK(list[0].at("reason") == "多次发广告，警告无效");
    CHECK(list[0].at("banned_by_name") == "小林");
    CHECK(Contains(Ok(h, {"ban", "list"}).out, "多次发广告"));
    CliResult person = Ok(h, {"person", "张伟"});
    CHECK(Contains(person.out, "BANNED from the whole community"));
    // Adding them to a group again is refused until the ban is lifted there.
    CHECK_EXIT(h.Qun({"member", "join", "北京群", "张伟"}), 4);
    // Banning again is harmless.
    CHECK(Contains(Ok(h, {"ban", "张伟", "--reason", "广告"}).out, "already banned"));

    CliResult unban = Ok(h, {"unban", "张伟"});
    CHECK(Contains(unban.out, "Lifted the community ban on 张伟"));
    CHECK(Contains(unban.out, "qun member set-status GROUP"));
    CHECK(OkJson(h, {"ban", "list"}).empty());
    CHECK(OkJson(h, {"ban", "list", "--all"}).size() == 1);
    CHECK(Status(h, "北京群", "张伟") == "banned");
    CHECK_EXIT(h.Qun({"unban", "张伟"}), 3);
    CHECK_EXIT(h.Qun({"unban", "李娜"}), 3);
    Ok(h, {"member", "set-status", "北京群", "张伟", "active"});
    CHECK(Status(h, "北京群", "张伟") == "active");
  }

  TEST_CASE("person shows every group, role, status, warning and ban of one person") {
    TempHome h;
    Setup(h);
    Ok(h, {"member", "set-role", "北京群", "张伟", "core"});
    Ok(h, {"warn", "上海群", "张伟", "刷屏"});
    Ok(h, {"member", "set-status", "上海群", "张伟", "banned"});
    json p = OkJson(h, {"person", "zw_001"});
    CHECK(p.at("display_name") == "张伟");
    CHECK(p.at("banned") == false);
    CHECK(p.at("banned_in") == json({"上海群"}));
    REQUIRE(p.at("groups").size() == 2);
    for (const auto& g : p.at("groups")) {
      if (g.at("group") == "北京群") {
        CHECK(g.at("role") == "core");
        CHECK(g.at("status") == "active");
        CHECK(g.at("warnings") == 0);
      } else {
        CHECK(g.at("status") == "banned");
        CHECK(g.at("warnings") == 1);
        CHECK(g.at("last_warning_reason") == "刷屏");
      }
    }
    CliResult text = Ok(h, {"person", "张伟"});
    CHECK(Contains(text.out, "!! 张伟 is banned in: 上海群"));
    CHECK(Contains(text.out, "北京群"));
    CHECK(Contains(text.out, "刷屏"));
    CHECK(Contains(Ok(h, {"person", "王芳"}).out, "Not in any group"));
    CHECK_EXIT(h.Qun({"person", "赵磊"}), 3);
  }

  TEST_CASE("a group admin warns in their group, but a ban is an owner's decision") {
    TempHome a, b;
    Ok(a, {"init", "--name", "摄影爱好者", "--admin", "小林"});
    Ok(a, {"group", "add", "北京群"});
    Ok(a, {"group", "add", "上海群"});
    Ok(a, {"member", "add", "张伟", "--wechat", "zw_001", "--group", "北京群"});
    Ok(a, {"member", "join", "上海群", "张伟"});
    Ok(b, {"init", "--join", "--admin", "李娜"});
    std::string b_id = qun::testing::ReadFile(b.InHome("node.pub")).substr(0, 64);
    Ok(a, {"invite", b_id, "-o", a.Beside("invite.qun"), "--name", "李娜", "--role", "admin",
           "--group", "北京群"});
    Ok(b, {"join", a.Beside("invite.qun")});
    // What a has written since the invite reaches b.
    Ok(b, {"bundle", "vector", "-o", b.Beside("mine.vector")});
    Ok(a, {"bundle", "export", "--for", b.Beside("mine.vector"), "-o", a.Beside("out.qunb")});
    Ok(b, {"bundle", "import", a.Beside("out.qunb")});

    Ok(b, {"warn", "北京群", "张伟", "发广告"});
    CHECK_EXIT(b.Qun({"warn", "上海群", "张伟", "发广告"}), 12);
    Ok(b, {"content", "add", "北京群", "群规说明"});
    CHECK_EXIT(b.Qun({"content", "add", "上海群", "不是我的群"}), 12);
    CliResult ban = b.Qun({"ban", "张伟", "--reason", "发广告"});
    CHECK_EXIT(ban, 12);
    CHECK(Contains(ban.err, "owner"));
    CHECK(OkJson(b, {"ban", "list"}).empty());
    CHECK(Status(b, "北京群", "张伟") == "active");
    CHECK(OkJson(b, {"warn", "list"}).size() == 1);
  }

  TEST_CASE("warnings and content added on two admins' homes end up identical") {
    TwoHomes t;
    Ok(t.a, {"group", "add", "北京群"});
    Ok(t.a, {"member", "add", "张伟", "--wechat", "zw_001", "--group", "北京群"});
    t.Send(t.a, t.b);
    // Both warn the same person at the same time, and both save content.
    Ok(t.a, {"warn", "北京群", "张伟", "发广告"});
    Ok(t.b, {"warn", "北京群", "张伟", "刷屏"});
    Ok(t.a, {"content", "add", "北京群", "摄影入门指南", "--tag", "摄影"});
    Ok(t.b, {"content", "add", "北京群", "夜景拍摄", "--body", "三脚架", "--tag", "夜景"});
    t.Exchange();
    CHECK(t.StateHash(t.a) == t.StateHash(t.b));
    for (const auto& args : std::vector<std::vector<std::string>>{{"warn", "list"},
                                                                  {"warn", "due"},
                                                                  {"content", "list"},
                                                                  {"content", "search", "摄影"},
                                                                  {"content", "search", "三脚架"},
                                                                  {"person", "张伟"},
                                                                  {"ban", "list"}})
      CHECK_MESSAGE(OkJson(t.a, args) == OkJson(t.b, args), args[0] << " " << args[1]);
    json warnings = OkJson(t.a, {"warn", "list"});
    CHECK(warnings.size() == 2);
    CHECK(OkJson(t.b, {"content", "search", "摄影"}).size() == 1);
    CHECK(OkJson(t.a, {"content", "search", "三脚架"}).size() == 1);
    json person = OkJson(t.b, {"person", "张伟"});
    CHECK(person.at("groups")[0].at("warnings") == 2);
  }
}
