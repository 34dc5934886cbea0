// Names as organizers say them: a name two people share (the group a
// command is about decides, else a numbered choice with what tells them
// apart and the command for each), a second person of a name asked about
// first, names found by pinyin, "did you mean" by characters and by sound,
// and lists in pinyin order.
#include <doctest/doctest.h>

#include "support/cli_runner.h"
#include "support/cli_steps.h"

using namespace qun;
using namespace qun::testing;

namespace {

struct TwoWangFang {
  TempHome home;
  std::string beijing, shanghai;  // the two 王芳's ids
  TwoWangFang() {
    Ok(home, {"init", "--name", "测试社区", "--admin", "小林"});
    Ok(home, {"group", "add", "读书会"});
    Ok(home, {"group", "add", "早起打卡群"});
    beijing = OkJson(home, {"member", "add", "王芳", "--group", "读书会", "--city", "北京",
                            "--wechat", "wangfang_88"})
                  .at("id");
    shanghai =
        OkJson(home, {"member", "add", "王芳", "--group", "早起打卡群", "--city", "上海", "--yes"})
            .at("id");
    Ok(home, {"member", "add", "张伟", "--group", "早起打卡群"});
  }
};

// The error of a reference that matched nothing (exit 3).
std::string NotFound(const TempHome& home, const std::vector<std::string>& args) {
  CliResult r = home.Qun(args);
  CHECK_EXIT(r, 3);
  return r.err;
}

}  // namespace

TEST_CASE("a second person of a name is asked about first — --yes adds them") {
  TempHome home;
  Ok(home, {"init", "--name", "测试社区", "--admin", "小林"});
  Ok(home, {"member", "add", "王芳", "--city", "北京"});
  std::string before = StateHashOf(home);
  CliResult again = home.Qun({"member", "add", "王芳"});
  CHECK_EXIT(again, 4);
  CHECK(Contains(again.err, "someone named 王芳 is in the community already"));
  CHECK(Contains(again.err, "北京"));
  CHECK(Contains(again.err, "--yes"));
  CHECK(StateHashOf(home) == before);  // nothing written
  CliResult zh = home.Qun({"--lang", "zh", "member", "add", "王芳"});
  CHECK_EXIT(zh, 4);
  CHECK(Contains(zh.err, "已经有叫 王芳 的人"));
  REQUIRE_EXIT(home.Qun({"member", "add", "王芳", "--yes"}), 0);
  CHECK(OkJson(home, {"member", "list", "--name", "王芳"}).size() == 2);
}

TEST_CASE("a shared name: the command's group decides, else a numbered choice with commands") {
  TwoWangFang c;
  // The trial: a second 王芳 made every command naming the first one fail.
  // Where a group is given, its member is the one meant.
  REQUIRE_EXIT(c.home.Qun({"checkin", "早起打卡群", "王芳"}), 0);
  int checked = 0;
  for (const auto& s : OkJson(c.home, {"streaks", "早起打卡群"}))
    if (s["total"] == 1) {
      CHECK(s["person_id"] == c.shanghai);
      ++checked;
    }
  CHECK(checked == 1);
  REQUIRE_EXIT(c.home.Qun({"warn", "读书会", "王芳", "刷屏"}), 0);
  CHECK(OkJson(c.home, {"member", "show", c.beijing.substr(0, 8)}).at("display_name") == "王芳");

  // Without a group: each one numbered, with what tells them apart, and
  // the command to run for each.
  CliResult which = c.home.Qun({"member", "show", "王芳"});
  CHECK_EXIT(which, 4);
  CHECK(Contains(which.err, "'王芳' is ambiguous: 2 people answer to it"));
  CHECK(Contains(which.err, "1. 王芳 (北京 · wechat …g_88 · 读书会"));
  CHECK(Contains(which.err, "2. 王芳 (上海 · 早起打卡群"));
  CHECK(Contains(which.err, "To say which, run one of:"));
  CHECK(Contains(which.err, "1. qun member show " + c.beijing.substr(0, 8)));
  CHECK(Contains(which.err, "2. qun member show " + c.shanghai.substr(0, 8)));
  // The command given works.
  CHECK(OkJson(c.home, {"member", "show", c.shanghai.substr(0, 8)}).at("city") == "上海");

  CliResult json = c.home.Qun({"member", "show", "王芳", "--json"});
  CHECK_EXIT(json, 4);
  nlohmann::json err = nlohmann::json::parse(json.err);
  CHECK(err["error"]["choices"] == nlohmann::json::array({c.beijing, c.shanghai}));

  CliResult zh = c.home.Qun({"--lang", "zh", "member", "show", "王芳"});
  CHECK_EXIT(zh, 4);
  CHECK(Contains(zh.err, "微信号 …g_88"));
  CHECK(Contains(zh.err, "2. qun --lang zh member show " + c.shanghai.substr(0, 8)));
}

TEST_CASE("names are found by pinyin, whole or initials, and listed in pinyin order") {
  TwoWangFang c;
  for (const char* typed : {"zhangwei", "zhang wei", "ZhangWei", "zw"})
    CHECK(OkJson(c.home, {"member", "show", typed}).at("display_name") == "张伟");
  CHECK(OkJson(c.home, {"group", "show", "dushuhui"}).at("name") == "读书会");
  CHECK(ListedNames(c.home, {"--name", "zw"}) == std::set<std::string>{"张伟"});
  CHECK(ListedNames(c.home, {"--name", "伟"}) == std::set<std::string>{"张伟"});
  CHECK(ListedNames(c.home, {"--name", "wangfang_8"}) == std::set<std::string>{"王芳"});
  // Two people sound alike: a choice, as for a shared name.
  CHECK_EXIT(c.home.Qun({"member", "show", "wangfang"}), 4);

  Ok(c.home, {"member", "add", "阿明"});
  Ok(c.home, {"member", "add", "李娜"});
  std::vector<std::string> order;
  for (const auto& p : OkJson(c.home, {"member", "list"}))
    order.push_back(p.at("display_name").get<std::string>());
  CHECK(order == std::vector<std::string>{"阿明", "李娜", "王芳", "王芳", "张伟"});

  // A group's members, the groups, the memberships export and a report
  // follow the same order.
  Ok(c.home, {"group", "add", "Anime Club"});
  Ok(c.home, {"group", "add", "爱心群"});
  for (const char* name : {"李娜", "阿明"}) Ok(c.home, {"member", "join", "早起打卡群", name});
  std::vector<std::string> members;
  nlohmann::json shown = OkJson(c.home, {"group", "show", "早起打卡群"});
  for (const auto& m : shown.at("members")) members.push_back(m.at("person").get<std::string>());
  CHECK(members == std::vector<std::string>{"阿明", "李娜", "王芳", "张伟"});
  std::vector<std::string> groups;
  for (const auto& g : OkJson(c.home, {"group", "list"})) groups.push_back(g.at("name"));
  CHECK(groups == std::vector<std::string>{"爱心群", "读书会", "早起打卡群", "Anime Club"});
  std::vector<std::string> rows;
  for (const auto& m : OkJson(c.home, {"export", "memberships", "--format", "json"}))
    rows.push_back(m.at("group").get<std::string>() + "/" + m.at("person").get<std::string>());
  CHECK(rows == std::vector<std::string>{"读书会/王芳", "早起打卡群/阿明", "早起打卡群/李娜",
                                         "早起打卡群/王芳", "早起打卡群/张伟"});
  std::vector<std::string> inactive;
  nlohmann::json report =
      OkJson(c.home, {"report", "inactive", "早起打卡群", "--days", "0", "--as-of", "2099-01-01"});
  for (const auto& e : report.at("people")) inactive.push_back(e.at("person").get<std::string>());
  CHECK(inactive == std::vector<std::string>{"阿明", "李娜", "王芳", "张伟"});
}

TEST_CASE("a mistyped group or person gets the closest names, by characters or by sound") {
  TwoWangFang c;
  // 咔 for 卡: another character, the same sound.
  CHECK(Contains(NotFound(c.home, {"group", "show", "早起打咔群"}), "did you mean '早起打卡群'?"));
  CHECK(Contains(NotFound(c.home, {"member", "show", "张为"}), "did you mean '张伟'?"));
  CHECK(Contains(NotFound(c.home, {"--lang", "zh", "checkin", "早起打咔群", "张伟"}),
                 "'早起打卡群'"));
  CHECK_FALSE(Contains(NotFound(c.home, {"member", "show", "欧阳修"}), "did you mean"));
}

TEST_CASE("a mistyped event or poll title gets the closest titles, in both languages") {
  TwoWangFang c;
  Ok(c.home, {"event", "add", "读书会", "梧桐山徒步", "--at", "2099-05-04 08:00"});
  Ok(c.home,
     {"poll", "add", "读书会", "下次读什么？", "--option", "《兄弟》", "--option", "《活着》"});
  std::string before = Ok(c.home, {"state-hash"}).out;
  CHECK(Contains(NotFound(c.home, {"event", "signup", "梧桐山徒布", "张伟"}),
                 "did you mean '梧桐山徒步'?"));
  CHECK(Contains(NotFound(c.home, {"poll", "vote", "下次读甚么？", "张伟", "1"}),
                 "did you mean '下次读什么？'?"));
  CHECK(Contains(NotFound(c.home, {"--lang", "zh", "event", "show", "梧桐山徒布"}),
                 "你是不是要找 '梧桐山徒步'"));
  CHECK_FALSE(Contains(NotFound(c.home, {"event", "show", "年会"}), "did you mean"));
  CHECK(Ok(c.home, {"state-hash"}).out == before);
}
