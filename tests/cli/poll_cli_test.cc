// `qun poll ...` end to end: polls, votes, results as bars, and bad input.
#include <doctest/doctest.h>

#include <regex>

#include "support/cli_runner.h"
#include "support/cli_steps.h"

using namespace qun::testing;

namespace {

std::string Line(const std::string& out) { return out.substr(0, out.find('\n')); }

// The group 读书会 with three members and an outsider, and a poll in it.
struct Club {
  TempHome home;
  std::string poll;

  Club() {
    Ok(home, {"init", "--name", "测试社区", "--admin", "小林"});
    Ok(home, {"group", "add", "读书会"});
    for (const char* name : {"张伟", "李娜", "王芳"})
      Ok(home, {"member", "add", name, "--group", "读书会"});
    Ok(home, {"member", "add", "路人"});
    poll = Line(Ok(home, {"poll", "add", "读书会", "周六去哪儿？", "--option", "静安图书馆",
                          "--option", "咖啡馆", "--option", "online"})
                    .out);
  }
  CliResult Qun(const std::vector<std::string>& args) const { return home.Qun(args); }
  std::string Hash() const { return Ok(home, {"state-hash"}).out; }
};

}  // namespace

TEST_CASE("poll add prints the short id — votes are counted and shown as bars with names") {
  Club c;
  CHECK(std::regex_match(c.poll, std::regex("[0-9a-f]{8}")));
  CHECK(Contains(Ok(c.home, {"poll", "vote", c.poll, "张伟", "1"}).out,
                 "张伟 voted 1. 静安图书馆 in '周六去哪儿？'"));
  Ok(c.home, {"poll", "vote", c.poll, "李娜", "咖啡馆"});
  Ok(c.home, {"poll", "vote", c.poll, "王芳", "1"});
  CHECK(Contains(Ok(c.home, {"poll", "vote", c.poll, "王芳", "2"}).out,
                 "王芳 changed their vote in '周六去哪儿？' from 1. 静安图书馆 to 2. 咖啡馆"));
  CHECK(Contains(Ok(c.home, {"poll", "vote", c.poll, "王芳", "2"}).out, "nothing changed"));
  CliResult show = Ok(c.home, {"poll", "show", c.poll});
  CHECK(Contains(show.out, "Votes:  3"));
  CHECK(Contains(show.out, "  1. 静安图书馆  ██████▌                 1   33.3%\n"));
  CHECK(Contains(show.out, "  2. 咖啡馆      █████████████▌          2   66.7%\n"));
  CHECK(Contains(show.out, "  3. online                              0    0.0%\n"));
  CHECK(Contains(show.out, "2. 咖啡馆: 李娜, 王芳"));
  nlohmann::json j = OkJson(c.home, {"poll", "show", c.poll});
  CHECK(j["total"] == 3);
  CHECK(j["counts"][0]["votes"] == 1);
  CHECK(j["counts"][1]["votes"] == 2);
  CHECK(j["counts"][1]["percent"] == 66.7);
  CHECK(j["counts"][2]["votes"] == 0);
  CHECK(j["votes"].size() == 3);
  CHECK(j["closed"] == false);
}

TEST_CASE("poll add refuses too few, empty or repeated options and bad closing times") {
  Club c;
  std::string before = c.Hash();
  auto add = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"poll", "add", "读书会", "吃什么？"};
    args.insert(args.end(), extra.begin(), extra.end());
    return c.Qun(args);
  };
  CliResult one = add({"--option", "火锅"});
  CHECK_EXIT(one, 2);
  CHECK(Contains(one.err, "2 to 20 options"));
  CliResult empty = add({"--option", "火锅", "--option", " "});
  CHECK_EXIT(empty, 2);
  CHECK(Contains(empty.err, "option 2 is empty"));
  CliResult twice = add({"--option", "火锅", "--option", "火锅"});
  CHECK_EXIT(twice, 2);
  CHECK(Contains(twice.err, "given twice"));
  std::vector<std::string> many;
  for (int i = 1; i <= 21; ++i) {
    many.push_back("--option");
    many.push_back("选项" + std::to_string(i));
  }
  CHECK_EXIT(add(many), 2);
  CliResult past = add({"--option", "火锅", "--option", "烧烤", "--closes", "2001-01-01 12:00"});
  CHECK_EXIT(past, 2);
  CHECK(Contains(past.err, "already passed"));
  CliResult format = add({"--option", "火锅", "--option", "烧烤", "--closes", "明天中午"});
  CHECK_EXIT(format, 2);
  CHECK(Contains(format.err, "--closes"));
  CHECK_EXIT(c.Qun({"poll", "add", "没有这个群", "吃什么？", "--option", "a", "--option", "b"}), 3);
  CHECK(c.Hash() == before);
}

TEST_CASE("bad votes are refused: unknown option, outsider, unknown poll, closed poll") {
  Club c;
  std::string before = c.Hash();
  CliResult number = c.Qun({"poll", "vote", c.poll, "张伟", "4"});
  CHECK_EXIT(number, 2);
  CHECK(Contains(number.err, "there is no option 4"));
  CHECK(Contains(number.err, "1. 静安图书馆"));
  CHECK_EXIT(c.Qun({"poll", "vote", c.poll, "张伟", "0"}), 2);
  CliResult text = c.Qun({"poll", "vote", c.poll, "张伟", "公园"});
  CHECK_EXIT(text, 2);
  CHECK(Contains(text.err, "not one of the options"));
  CliResult outsider = c.Qun({"poll", "vote", c.poll, "路人", "1"});
  CHECK_EXIT(outsider, 3);
  CHECK(Contains(outsider.err, "路人 is not in the group"));
  CliResult unknown = c.Qun({"poll", "vote", "没有的投票", "张伟", "1"});
  CHECK_EXIT(unknown, 3);
  CHECK(Contains(unknown.err, "qun poll list"));
  CHECK(c.Hash() == before);
  CHECK(Contains(Ok(c.home, {"poll", "close", c.poll}).out, "Closed the poll"));
  CHECK(Contains(Ok(c.home, {"poll", "close", c.poll}).out, "closed already"));
  before = c.Hash();
  CliResult closed = c.Qun({"poll", "vote", c.poll, "张伟", "1"});
  CHECK_EXIT(closed, 4);
  CHECK(Contains(closed.err, "is closed"));
  CHECK(c.Hash() == before);
}

TEST_CASE("poll list shows each poll with its votes and status") {
  Club c;
  Ok(c.home, {"group", "add", "徒步群"});
  Ok(c.home, {"poll", "add", "徒步群", "几点出发？", "--option", "八点", "--option", "九点",
              "--closes", "2099-01-01 12:00"});
  Ok(c.home, {"poll", "vote", c.poll, "张伟", "3"});
  nlohmann::json all = OkJson(c.home, {"poll", "list"});
  REQUIRE(all.size() == 2);
  nlohmann::json one = OkJson(c.home, {"poll", "list", "--group", "读书会"});
  REQUIRE(one.size() == 1);
  CHECK(one[0]["question"] == "周六去哪儿？");
  CHECK(one[0]["total"] == 1);
  CliResult text = Ok(c.home, {"poll", "list"});
  CHECK(Contains(text.out, "open until 2099-01-01 12:00"));
  CHECK(Contains(text.out, "周六去哪儿？"));
  CHECK_EXIT(c.Qun({"poll", "list", "--group", "没有这个群"}), 3);
}

TEST_CASE("two admins record one person's vote offline — both end with the later one") {
  TwoHomes h;
  Ok(h.a, {"group", "add", "读书会"});
  Ok(h.a, {"member", "add", "张伟", "--group", "读书会"});
  std::string poll = Line(
      Ok(h.a, {"poll", "add", "读书会", "周六去哪儿？", "--option", "公园", "--option", "图书馆"})
          .out);
  h.Send(h.a, h.b);
  Ok(h.a, {"poll", "vote", poll, "张伟", "1"});
  Ok(h.b, {"poll", "vote", poll, "张伟", "2"});  // later
  h.Exchange();
  nlohmann::json a = OkJson(h.a, {"poll", "show", poll});
  nlohmann::json b = OkJson(h.b, {"poll", "show", poll});
  CHECK(a == b);
  CHECK(a["total"] == 1);
  CHECK(a["counts"][1]["votes"] == 1);
  CHECK(h.StateHash(h.a) == h.StateHash(h.b));
}
