// `qun event ...` end to end: events, sign-up lists with their waitlist,
// attendance, retrospectives, the 接龙 chat format and its import, and two
// admins taking sign-ups offline.
#include <doctest/doctest.h>

#include <regex>

#include "support/cli_runner.h"
#include "support/cli_steps.h"

using namespace qun::testing;

namespace {

std::string Line(const std::string& out) { return out.substr(0, out.find('\n')); }

// A community with the group 读书会, four members and one outsider, and an
// event in it far in the future.
struct Club {
  TempHome home;
  std::string event;

  explicit Club(std::optional<int> capacity = 3) {
    Ok(home, {"init", "--name", "测试社区", "--admin", "小林"});
    Ok(home, {"group", "add", "读书会"});
    for (const char* name : {"张伟", "李娜", "王芳", "赵强"})
      Ok(home, {"member", "add", name, "--group", "读书会"});
    Ok(home, {"member", "add", "路人"});
    std::vector<std::string> add = {"event",      "add",       "读书会",
                                    "周六读书会", "--at",      "2099-11-28 14:00",
                                    "--place",    "静安图书馆"};
    if (capacity) {
      add.push_back("--capacity");
      add.push_back(std::to_string(*capacity));
    }
    event = Line(Ok(home, add).out);
  }
  CliResult Qun(const std::vector<std::string>& args) const { return home.Qun(args); }
  std::string Hash() const { return Ok(home, {"state-hash"}).out; }
  nlohmann::json Show() const { return OkJson(home, {"event", "show", event}); }
};

std::vector<std::string> Names(const nlohmann::json& list) {
  std::vector<std::string> out;
  for (const auto& s : list) out.push_back(s["name"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("event add prints the short id — show gives the details") {
  Club c(20);
  CHECK(std::regex_match(c.event, std::regex("[0-9a-f]{8}")));
  Ok(c.home, {"event", "edit", c.event, "--until", "2099-11-28 16:30", "--online"});
  nlohmann::json j = c.Show();
  CHECK(j["short_id"] == c.event);
  CHECK(j["title"] == "周六读书会");
  CHECK(j["group"] == "读书会");
  CHECK(j["starts_at_local"] == "2099-11-28 14:00");
  CHECK(j["place"] == "静安图书馆");
  CHECK(j["mode"] == "online");
  CHECK(j["capacity"] == 20);
  CHECK(j["status"] == "open");
  CHECK(j["signups"].empty());
  CliResult show = Ok(c.home, {"event", "show", c.event});
  CHECK(Contains(show.out, "2099-11-28 14:00 – 16:30"));
  CHECK(Contains(show.out, "20 places: 0 taken, 20 free"));
  CHECK(Contains(show.out, "No sign-ups yet"));
  // By title, too.
  CHECK(Ok(c.home, {"event", "show", "周六读书会"}).out == show.out);
}

TEST_CASE("event add refuses bad times, modes and capacities, and writes nothing") {
  Club c;
  std::string before = c.Hash();
  auto add = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"event", "add", "读书会", "徒步"};
    args.insert(args.end(), extra.begin(), extra.end());
    return c.Qun(args);
  };
  CliResult bad_time = add({"--at", "下个月"});
  CHECK_EXIT(bad_time, 2);
  CHECK(Contains(bad_time.err, "--at"));
  CHECK(Contains(bad_time.err, "is not a date"));
  CHECK(Contains(bad_time.err, "12月6日"));
  CHECK_EXIT(add({"--at", "2099-02-30 14:00"}), 2);
  CHECK_EXIT(add({"--at", "2099-11-28 25:00"}), 2);
  CliResult early = add({"--at", "2099-11-28 14:00", "--until", "2099-11-28 13:00"});
  CHECK_EXIT(early, 2);
  CHECK(Contains(early.err, "must come after the start"));
  CHECK_EXIT(add({"--at", "2099-11-28 14:00", "--until", "tomorrow"}), 2);
  CliResult both = add({"--at", "2099-11-28 14:00", "--online", "--offline"});
  CHECK_EXIT(both, 2);
  CHECK(Contains(both.err, "not both"));
  CliResult cap = add({"--at", "2099-11-28 14:00", "--capacity", "二十"});
  CHECK_EXIT(cap, 2);
  CHECK(Contains(cap.err, "--capacity"));
  CHECK_EXIT(add({}), 2);  // --at is required
  CliResult no_group = c.Qun({"event", "add", "没有这个群", "徒步", "--at", "2099-11-28 14:00"});
  CHECK_EXIT(no_group, 3);
  CliResult no_title = c.Qun({"event", "add", "读书会", " ", "--at", "2099-11-28 14:00"});
  CHECK_EXIT(no_title, 2);
  CHECK(Contains(no_title.err, "title"));
  CHECK(c.Hash() == before);
}

TEST_CASE("sign-ups fill the places — a full event puts people on the waitlist and says so") {
  Club c(3);
  CliResult first = Ok(c.home, {"event", "signup", c.event, "张伟"});
  CHECK(Contains(first.out, "number 1 on the list (1 of 3 places taken)"));
  CliResult plus =
      Ok(c.home, {"event", "signup", c.event, "李娜", "--plus", "1", "--note", "带孩子"});
  CHECK(Contains(plus.out, "李娜 (+1) signed up"));
  CHECK(Contains(plus.out, "(3 of 3 places taken)"));
  CliResult full = Ok(c.home, {"event", "signup", c.event, "王芳"});
  CHECK(Contains(full.out, "is full (3 of 3 places taken)"));
  CHECK(Contains(full.out, "王芳 is on the waitlist at position 1"));
  nlohmann::json j = OkJson(c.home, {"event", "signup", c.event, "赵强", "--guests", "2"});
  CHECK(j["status"] == "waitlisted");
  CHECK(j["position"] == 2);
  nlohmann::json show = c.Show();
  CHECK(Names(show["signups"]) == std::vector<std::string>{"张伟", "李娜"});
  CHECK(Names(show["waitlist"]) == std::vector<std::string>{"王芳", "赵强"});
  CHECK(show["signups"][1]["guests"] == 1);
  CHECK(show["signups"][1]["note"] == "带孩子");
  CHECK(show["places_taken"] == 3);
  CliResult text = Ok(c.home, {"event", "show", c.event});
  CHECK(Contains(text.out, "Sign-ups (2 people, 3 places):"));
  CHECK(Contains(text.out, "2. 李娜 +1 带孩子"));
  CHECK(Contains(text.out, "Waitlist (2):"));
  CHECK(Contains(text.out, "2. 赵强 +2"));
}

TEST_CASE("bad sign-ups are refused clearly and write nothing") {
  Club c(3);
  Ok(c.home, {"event", "signup", c.event, "张伟"});
  std::string before = c.Hash();
  CliResult twice = c.Qun({"event", "signup", c.event, "张伟"});
  CHECK_EXIT(twice, 4);
  CHECK(Contains(twice.err, "already signed up"));
  CHECK(Contains(twice.err, "position 1"));
  CliResult outsider = c.Qun({"event", "signup", c.event, "路人"});
  CHECK_EXIT(outsider, 3);
  CHECK(Contains(outsider.err, "路人 is not in the group '读书会'"));
  CHECK(Contains(outsider.err, "qun member join"));
  CliResult no_event = c.Qun({"event", "signup", "没有的活动", "李娜"});
  CHECK_EXIT(no_event, 3);
  CHECK(Contains(no_event.err, "qun event list"));
  CHECK_EXIT(c.Qun({"event", "signup", c.event, "没有这个人"}), 3);
  CliResult guests = c.Qun({"event", "signup", c.event, "李娜", "--guests", "-1"});
  CHECK_EXIT(guests, 2);
  CHECK(c.Hash() == before);
  // Closed, then cancelled.
  Ok(c.home, {"event", "edit", c.event, "--status", "closed"});
  before = c.Hash();
  CliResult closed = c.Qun({"event", "signup", c.event, "李娜"});
  CHECK_EXIT(closed, 4);
  CHECK(Contains(closed.err, "sign-ups for '周六读书会' are closed"));
  Ok(c.home, {"event", "edit", c.event, "--status", "cancelled"});
  CliResult cancelled = c.Qun({"event", "signup", c.event, "李娜"});
  CHECK_EXIT(cancelled, 4);
  CHECK(Contains(cancelled.err, "was cancelled"));
  CHECK_EXIT(c.Qun({"event", "edit", c.event, "--status", "done"}), 2);
}

TEST_CASE("withdrawing moves the first on the waitlist up — signing up again goes to the end") {
  Club c(2);
  for (const char* n : {"张伟", "李娜", "王芳"}) Ok(c.home, {"event", "signup", c.event, n});
  CliResult out = Ok(c.home, {"event", "withdraw", c.event, "张伟"});
  CHECK(Contains(out.out, "张伟 withdrew from '周六读书会'"));
  CHECK(Contains(out.out, "王芳 moved up from the waitlist"));
  Ok(c.home, {"event", "signup", c.event, "张伟"});
  nlohmann::json show = c.Show();
  CHECK(Names(show["signups"]) == std::vector<std::string>{"李娜", "王芳"});
  CHECK(Names(show["waitlist"]) == std::vector<std::string>{"张伟"});
  CliResult never = c.Qun({"event", "withdraw", c.event, "赵强"});
  CHECK_EXIT(never, 3);
  CHECK(Contains(never.err, "赵强 is not signed up"));
  Ok(c.home, {"event", "withdraw", c.event, "张伟"});
  CHECK_EXIT(c.Qun({"event", "withdraw", c.event, "张伟"}), 4);
  CHECK(Names(c.Show()["withdrawn"]) == std::vector<std::string>{"张伟"});
}

TEST_CASE("attendance is marked, shown, and removed with --absent") {
  Club c(5);
  Ok(c.home, {"event", "signup", c.event, "张伟"});
  Ok(c.home, {"event", "signup", c.event, "李娜"});
  CHECK(Contains(Ok(c.home, {"event", "attend", c.event, "张伟"}).out, "张伟 attended"));
  CHECK(Contains(Ok(c.home, {"event", "attend", c.event, "张伟"}).out, "already marked"));
  Ok(c.home, {"event", "attend", c.event, "王芳"});  // a member who did not sign up
  std::string before = c.Hash();
  CliResult outsider = c.Qun({"event", "attend", c.event, "路人"});
  CHECK_EXIT(outsider, 3);
  CHECK(c.Hash() == before);
  nlohmann::json show = c.Show();
  CHECK(show["signups"][0]["attended"] == true);
  CHECK(show["signups"][1]["attended"] == false);
  CHECK(Names(show["walk_ins"]) == std::vector<std::string>{"王芳"});
  CliResult text = Ok(c.home, {"event", "show", c.event});
  CHECK(Contains(text.out, "1. 张伟  ✓ attended"));
  CHECK(Contains(text.out, "Attended without signing up: 王芳"));
  nlohmann::json absent = OkJson(c.home, {"event", "attend", c.event, "张伟", "--absent"});
  CHECK(absent["changed"] == true);
  CHECK(c.Show()["signups"][0]["attended"] == false);
  CHECK(
      Contains(Ok(c.home, {"event", "attend", c.event, "张伟", "--absent"}).out, "was not marked"));
}

TEST_CASE("the retrospective is saved from text or a file and shown") {
  Club c;
  Ok(c.home, {"event", "retro", c.event, "来了18人，下次换大一点的场地"});
  CHECK(c.Show()["retro"] == "来了18人，下次换大一点的场地");
  std::string file = c.home.Write("retro.md", "\xEF\xBB\xBF复盘：\n1. 签到太慢\n2. 茶歇不够\n");
  Ok(c.home, {"event", "retro", c.event, "--file", file});
  CHECK(c.Show()["retro"] == "复盘：\n1. 签到太慢\n2. 茶歇不够");
  CHECK(Contains(Ok(c.home, {"event", "show", c.event}).out, "2. 茶歇不够"));
  std::string before = c.Hash();
  CHECK_EXIT(c.Qun({"event", "retro", c.event}), 2);
  CHECK_EXIT(c.Qun({"event", "retro", c.event, "文字", "--file", file}), 2);
  CHECK_EXIT(c.Qun({"event", "retro", c.event, "  "}), 2);
  CHECK_EXIT(c.Qun({"event", "retro", c.event, "--file", c.home.Beside("missing.md")}), 3);
  CHECK(c.Hash() == before);
}

TEST_CASE("event list shows upcoming events — --all adds past and cancelled ones") {
  Club c(3);
  Ok(c.home, {"event", "add", "读书会", "去年的聚会", "--at", "2001-01-06 14:00", "--yes"});
  std::string gone = Line(
      Ok(c.home, {"event", "add", "读书会", "取消的徒步", "--at", "2099-12-06 09:00", "--online"})
          .out);
  Ok(c.home, {"event", "edit", gone, "--status", "cancelled"});
  Ok(c.home, {"event", "signup", c.event, "张伟", "--plus", "1"});
  nlohmann::json upcoming = OkJson(c.home, {"event", "list"});
  REQUIRE(upcoming.size() == 1);
  CHECK(upcoming[0]["title"] == "周六读书会");
  CHECK(upcoming[0]["places_taken"] == 2);
  nlohmann::json all = OkJson(c.home, {"event", "list", "--all", "--group", "读书会"});
  REQUIRE(all.size() == 3);
  CHECK(all[0]["title"] == "去年的聚会");
  CliResult text = Ok(c.home, {"event", "list"});
  CHECK(Contains(text.out, "周六读书会"));
  CHECK(Contains(text.out, "2/3"));
  CHECK_FALSE(Contains(text.out, "去年的聚会"));
  CHECK_EXIT(c.Qun({"event", "list", "--group", "没有这个群"}), 3);
  // Editing reports what changed.
  CHECK(Contains(Ok(c.home, {"event", "edit", c.event, "--capacity", "none"}).out, "Updated"));
  CHECK(c.Show()["capacity"].is_null());
  CHECK(Contains(Ok(c.home, {"event", "edit", c.event, "--place", "静安图书馆"}).out,
                 "Nothing changed"));
}

TEST_CASE("show --chat prints the numbered 接龙 list to paste into the group") {
  Club c(3);
  Ok(c.home, {"event", "signup", c.event, "张伟"});
  Ok(c.home, {"event", "signup", c.event, "李娜", "--plus", "1"});
  Ok(c.home, {"event", "signup", c.event, "王芳", "--note", "带孩子"});
  CliResult chat = Ok(c.home, {"event", "show", c.event, "--chat"});
  CHECK(chat.out ==
        "#接龙\n"
        "周六读书会 11月28日(周六) 14:00 静安图书馆\n"
        "报名上限 3 人\n"
        "\n"
        "1. 张伟\n"
        "2. 李娜 +1\n"
        "候补:\n"
        "1. 王芳 带孩子\n");
}

TEST_CASE(
    "import-chat signs up the pasted list, reports what it could not match, and adds "
    "nothing the second time") {
  Club c(3);
  Ok(c.home, {"member", "add", "陈静", "--nickname", "静静", "--group", "读书会"});
  std::string list = c.home.Write(
      "list.txt",
      "\xEF\xBB\xBF#接龙\r\n周六读书会\r\n例 张三 +1\r\n\r\n1. 张伟\r\n2、静静 ＋1 晚到\r\n"
      "3) 小明\r\n４．王芳\r\n5. 张伟\r\n候补:\r\n1. 赵强\r\n");
  std::string before = c.Hash();
  CliResult dry = Ok(c.home, {"event", "import-chat", c.event, list, "--dry-run"});
  CHECK(Contains(dry.out, "Would sign up 4:"));
  CHECK(Contains(dry.out, "Nothing written (--dry-run)"));
  CHECK(c.Hash() == before);
  CliResult first = Ok(c.home, {"event", "import-chat", c.event, list});
  CHECK(Contains(first.out, "Signed up 4:"));
  CHECK(Contains(first.out, "line 6: 陈静 +1 晚到 (number 2)"));
  CHECK(Contains(first.out, "line 11: 赵强 (waitlist, position 2)"));
  CHECK(Contains(first.out, "line 7: 3) 小明 — nobody in 读书会 goes by '小明'"));
  CHECK(Contains(first.out, "qun member add NAME --group"));
  CHECK(Contains(first.out, "line 9: 5. 张伟 (first at line 5)"));
  nlohmann::json show = c.Show();
  CHECK(Names(show["signups"]) == std::vector<std::string>{"张伟", "陈静"});
  CHECK(Names(show["waitlist"]) == std::vector<std::string>{"王芳", "赵强"});
  // The same list again adds nothing; once 小明 is in the group, only he is added.
  std::string after = c.Hash();
  nlohmann::json again = OkJson(c.home, {"event", "import-chat", c.event, list});
  CHECK(again["matched"].empty());
  CHECK(again["already"].size() == 4);
  REQUIRE(again["unmatched"].size() == 1);
  CHECK(again["unmatched"][0]["line"] == 7);
  CHECK(again["unmatched"][0]["name"] == "小明");
  CHECK(again["duplicates"].size() == 1);
  CHECK(c.Hash() == after);
  Ok(c.home, {"member", "add", "小明", "--group", "读书会"});
  CliOptions from_stdin;
  from_stdin.stdin_bytes = ReadFile(list);
  nlohmann::json third = OkJson(c.home, {"event", "import-chat", c.event, "-"}, from_stdin);
  REQUIRE(third["matched"].size() == 1);
  CHECK(third["matched"][0]["name"] == "小明");
  CHECK(third["unmatched"].empty());
  CHECK(Names(c.Show()["waitlist"]) == std::vector<std::string>{"王芳", "赵强", "小明"});
}

TEST_CASE("import-chat refuses a closed event and reports names two people share") {
  Club c(10);
  Ok(c.home, {"member", "add", "张伟", "--wechat", "zw_2", "--group", "读书会", "--yes"});
  std::string list = c.home.Write("list.txt", "1. 张伟\n2. 李娜\n");
  nlohmann::json j = OkJson(c.home, {"event", "import-chat", c.event, list});
  REQUIRE(j["unmatched"].size() == 1);
  CHECK(j["unmatched"][0]["reason"] == "ambiguous");
  CHECK(j["unmatched"][0]["candidates"].size() == 2);
  CHECK(j["matched"].size() == 1);
  CliResult text = Ok(c.home, {"event", "import-chat", c.event, list});
  CHECK(Contains(text.out, "'张伟' matches 2 people in 读书会"));
  Ok(c.home, {"event", "edit", c.event, "--status", "closed"});
  std::string before = c.Hash();
  CHECK_EXIT(c.Qun({"event", "import-chat", c.event, list}), 4);
  CHECK_EXIT(c.Qun({"event", "import-chat", c.event, c.home.Beside("missing.txt")}), 3);
  CHECK(c.Hash() == before);
}

TEST_CASE("two admins take sign-ups offline — after exchanging bundles both show the same list") {
  TwoHomes h;
  Ok(h.a, {"group", "add", "读书会"});
  for (const char* name : {"张伟", "李娜", "王芳", "赵强"})
    Ok(h.a, {"member", "add", name, "--group", "读书会"});
  std::string ev = Line(Ok(h.a, {"event", "add", "读书会", "周六读书会", "--at", "2099-11-28 14:00",
                                 "--capacity", "3"})
                            .out);
  h.Send(h.a, h.b);
  // Offline on both laptops.
  Ok(h.a, {"event", "signup", ev, "张伟"});
  Ok(h.a, {"event", "signup", ev, "李娜", "--plus", "1"});
  Ok(h.b, {"event", "signup", ev, "王芳"});
  Ok(h.b, {"event", "signup", ev, "李娜", "--note", "带书"});  // the same person, on b
  Ok(h.b, {"event", "attend", ev, "王芳"});
  h.Exchange();
  std::string show_a = Ok(h.a, {"--json", "event", "show", ev}).out;
  std::string show_b = Ok(h.b, {"--json", "event", "show", ev}).out;
  CHECK(show_a == show_b);
  CHECK(h.StateHash(h.a) == h.StateHash(h.b));
  nlohmann::json j = nlohmann::json::parse(show_a);
  // One sign-up for 李娜, whoever wrote it last.
  size_t lina = 0;
  for (const char* list : {"signups", "waitlist"})
    for (const auto& s : j[list]) lina += s["name"] == "李娜";
  CHECK(lina == 1);
  CHECK(j["signups"].size() + j["waitlist"].size() == 3);
  CHECK(Ok(h.a, {"event", "show", ev, "--chat"}).out ==
        Ok(h.b, {"event", "show", ev, "--chat"}).out);
}
