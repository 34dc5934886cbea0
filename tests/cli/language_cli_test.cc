// Qun in the organizers' language, end to end: every help page in Chinese,
// the same --json in every language, commands answering in Chinese when the
// locale or --lang says so, "did you mean" for a mistyped command or option,
// and arguments as a Chinese input method types them.
#include <doctest/doctest.h>

#include <regex>

#include "base/text.h"
#include "support/cli_runner.h"
#include "support/cli_steps.h"

using namespace qun;
using namespace qun::testing;

namespace {

bool HasHan(const std::string& s) {
  for (char32_t c : text::CodePoints(s))
    if (c >= 0x3400 && c <= 0x9FFF) return true;
  return false;
}

// The command names listed under a help page's 命令 heading.
std::vector<std::string> CommandsOn(const std::string& help) {
  std::vector<std::string> out;
  bool in = false;
  for (const std::string& line : Lines(help)) {
    if (line == "命令:") {
      in = true;
      continue;
    }
    if (line.empty()) in = false;
    if (in && line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ')
      out.push_back(line.substr(2, line.find(' ', 2) - 2));
  }
  return out;
}

// A help line's description: the text after the name column, or a line
// that is all description (under a name too wide for its column).
std::optional<std::string> DescriptionOf(const std::string& line) {
  static const std::regex kRow(R"(^  \S.*?\s{2,}(\S.*)$)");
  static const std::regex kAlone(R"(^\s{20,}(\S.*)$)");
  std::smatch m;
  if (std::regex_match(line, m, kRow) || std::regex_match(line, m, kAlone)) return m[1].str();
  return std::nullopt;
}

struct Community {
  TempHome home;
  Community() {
    Ok(home, {"init", "--name", "测试社区", "--admin", "小林"});
    Ok(home, {"group", "add", "早起群", "--kind", "interest"});
    Ok(home, {"member", "add", "张伟", "--group", "早起群", "--city", "深圳"});
    Ok(home, {"member", "add", "李娜", "--group", "早起群"});
    Ok(home, {"member", "add", "王芳", "--group", "早起群"});
  }
};

}  // namespace

TEST_CASE("every help page speaks Chinese under --lang zh, every option and command described") {
  TempHome home;
  std::vector<std::vector<std::string>> todo = {{}};
  size_t pages = 0;
  while (!todo.empty()) {
    std::vector<std::string> path = todo.back();
    todo.pop_back();
    std::vector<std::string> args = {"--lang", "zh"};
    args.insert(args.end(), path.begin(), path.end());
    args.push_back("--help");
    CliResult r = home.Qun(args);
    std::string page;
    for (const std::string& a : args) page += a + " ";
    CAPTURE(page);
    REQUIRE_EXIT(r, 0);
    ++pages;
    CHECK(Contains(r.out, "用法:"));
    for (const char* english : {"Usage", "Options:", "Subcommands:", "Positionals:", "Exit codes"})
      CHECK_FALSE(Contains(r.out, english));
    CHECK(HasHan(Lines(r.out).front()));  // what the command is for
    for (const std::string& line : Lines(r.out)) {
      if (std::optional<std::string> d = DescriptionOf(line)) {
        CAPTURE(line);
        CHECK(HasHan(*d));
        // The option's column: its value's kind and REQUIRED in Chinese.
        std::string spec = line.substr(0, line.size() - d->size());
        // (after the option's or argument's name, which may be TEXT itself)
        size_t name = spec.find_first_not_of(' ');
        spec = name == std::string::npos ? "" : spec.substr(name);
        spec = spec.substr(std::min(spec.find(' '), spec.size()));
        for (const char* label : {" TEXT", " REQUIRED", " INT", " NUMBER"})
          CHECK_FALSE(Contains(spec, label));
      }
    }
    for (const std::string& sub : CommandsOn(r.out)) {
      std::vector<std::string> next = path;
      next.push_back(sub);
      todo.push_back(next);
    }
  }
  CHECK(pages > 60);  // the walk reached the commands, not only the top page
}

TEST_CASE("--json output is the same in English, under --lang zh and under a Chinese locale") {
  Community c;
  Ok(c.home, {"checkin", "早起群", "张伟"});
  std::vector<std::vector<std::string>> commands = {
      {"group", "list"},          {"group", "show", "早起群"}, {"member", "list"},
      {"member", "show", "张伟"}, {"streaks", "早起群"},       {"report", "levels", "早起群"},
      {"log", "--limit", "5"},    {"group", "show", "不存在"}};
  for (const auto& command : commands) {
    std::vector<std::string> args = command;
    args.push_back("--json");
    CAPTURE(args);
    CliResult en = c.home.Qun(args);
    CliResult zh_env = c.home.Qun(args, {.env = {{"LANG", "zh_CN.UTF-8"}}});
    std::vector<std::string> zh_args = {"--lang", "zh"};
    zh_args.insert(zh_args.end(), args.begin(), args.end());
    CliResult zh_flag = c.home.Qun(zh_args);
    CHECK(en.exit_code == zh_env.exit_code);
    CHECK(en.exit_code == zh_flag.exit_code);
    CHECK(en.out == zh_env.out);
    CHECK(en.out == zh_flag.out);
    CHECK(en.err == zh_flag.err);
    if (en.exit_code != 0) CHECK(Contains(en.err, "\"code\": \"not_found\""));
  }
}

TEST_CASE("commands answer in Chinese when the locale or --lang says so, English otherwise") {
  Community c;
  CliResult added = c.home.Qun({"group", "add", "读书会"}, {.env = {{"LANG", "zh_CN.UTF-8"}}});
  REQUIRE_EXIT(added, 0);
  CHECK(Contains(added.out, "已添加群 读书会"));

  // Table headings and the stored values' words: 在群 for an active member.
  CliResult shown = c.home.Qun({"--lang", "zh", "group", "show", "早起群"});
  REQUIRE_EXIT(shown, 0);
  CHECK(Contains(shown.out, "兴趣群"));
  CHECK(Contains(shown.out, "在群"));
  CHECK_FALSE(Contains(shown.out, "active"));
  CliResult english = c.home.Qun({"group", "show", "早起群"});
  CHECK(Contains(english.out, "interest"));
  CHECK(Contains(english.out, "active"));

  // Errors keep their exit code and speak the language.
  CliResult missing = c.home.Qun({"group", "show", "不存在"}, {.env = {{"LC_ALL", "zh_CN.UTF-8"}}});
  CHECK_EXIT(missing, 3);
  CHECK(missing.err.rfind("qun：出错了：", 0) == 0);
  CHECK(Contains(missing.err, "找不到群"));
  CliResult missing_en = c.home.Qun({"group", "show", "不存在"});
  CHECK_EXIT(missing_en, 3);
  CHECK(missing_en.err.rfind("qun: error: ", 0) == 0);

  // QUN_LANG wins over the locale, --lang over both.
  CliResult qun_lang = c.home.Qun({"group", "show", "不存在"},
                                  {.env = {{"LANG", "zh_CN.UTF-8"}, {"QUN_LANG", "en"}}});
  CHECK(qun_lang.err.rfind("qun: error: ", 0) == 0);
  CliResult flag =
      c.home.Qun({"--lang", "en", "group", "show", "不存在"}, {.env = {{"QUN_LANG", "zh"}}});
  CHECK(flag.err.rfind("qun: error: ", 0) == 0);

  // A bad option value, in Chinese too.
  CliResult not_number = c.home.Qun({"--lang", "zh", "group", "add", "跑团", "--capacity", "很多"});
  CHECK_EXIT(not_number, 2);
  CHECK(Contains(not_number.err, "--capacity 要填数字"));
}

TEST_CASE("a mistyped command or option gets the closest ones, in either language") {
  Community c;
  std::string before = StateHashOf(c.home);

  CliResult top = c.home.Qun({"grup", "list"});
  CHECK_EXIT(top, 2);
  CHECK(Contains(top.err, "`grup` is not a command of `qun`; did you mean `qun group`?"));

  CliResult sub = c.home.Qun({"--lang", "zh", "group", "lst"});
  CHECK_EXIT(sub, 2);
  CHECK(Contains(sub.err, "你是不是想用 `qun group list`"));

  CliResult swapped = c.home.Qun({"memebr", "list"});
  CHECK_EXIT(swapped, 2);
  CHECK(Contains(swapped.err, "`qun member`"));

  CliResult option = c.home.Qun({"group", "add", "新群", "--kindd", "interest"});
  CHECK_EXIT(option, 2);
  CHECK(Contains(option.err, "`qun group add` has no option --kindd; did you mean --kind?"));

  CliResult none = c.home.Qun({"xyzzy"});
  CHECK_EXIT(none, 2);
  CHECK(Contains(none.err, "its commands are: "));
  CHECK(Contains(none.err, "group"));

  CliResult bare = c.home.Qun({"--lang", "zh", "group"});
  CHECK_EXIT(bare, 2);
  CHECK(Contains(bare.err, "`qun group` 后面要跟一个命令：add, list, show, edit, archive"));
  CliResult nothing = c.home.Qun({});
  CHECK_EXIT(nothing, 2);
  CHECK(Contains(nothing.err, "`qun` needs a command: "));

  CHECK(StateHashOf(c.home) == before);  // no refused command wrote anything
}

TEST_CASE("arguments as a Chinese input method types them: ——option, full-width digits, lists") {
  Community c;
  // ——capacity and １００: the dashes and digits of an input method.
  REQUIRE_EXIT(c.home.Qun({"group", "add", "跑团", "——capacity", "１００", "——fee", "４９．９０",
                           "——admission", "paid"}),
               0);
  nlohmann::json g = OkJson(c.home, {"group", "show", "跑团"});
  CHECK(g["capacity"] == 100);
  CHECK(g["fee"] == "49.90");
  // ——json is --json, and then the output is the same as in English.
  CliResult wide_json = c.home.Qun({"group", "list", "——json"}, {.env = {{"QUN_LANG", "zh"}}});
  REQUIRE_EXIT(wide_json, 0);
  CHECK(wide_json.out == c.home.Qun({"group", "list", "--json"}).out);
  // A full-width option name: －－ｃｉｔｙ.
  REQUIRE_EXIT(c.home.Qun({"member", "edit", "李娜", "－－ｃｉｔｙ", "广州"}), 0);
  CHECK(OkJson(c.home, {"member", "show", "李娜"})["city"] == "广州");

  // A list pasted from the chat: 张伟，李娜、王芳 is three people.
  CliResult list = c.home.Qun({"checkin", "早起群", "张伟，李娜、王芳"});
  REQUIRE_EXIT(list, 0);
  CHECK(Contains(list.out, "张伟"));
  CHECK(Contains(list.out, "李娜"));
  CHECK(Contains(list.out, "王芳"));
  nlohmann::json streaks = OkJson(c.home, {"streaks", "早起群"});
  CHECK(streaks.size() == 3);
  // Spaces part Chinese names, not a Latin one.
  Ok(c.home, {"member", "add", "Zhang Wei", "--group", "早起群"});
  Ok(c.home, {"member", "add", "赵六", "--group", "早起群", "--tag", "徒步，露营；读书"});
  nlohmann::json zhao = OkJson(c.home, {"member", "show", "赵六"});
  CHECK(zhao["tags"].size() == 3);
  CHECK(ListedNames(c.home, {"--tag", "露营"}) == std::set<std::string>{"赵六"});
  REQUIRE_EXIT(c.home.Qun({"checkin", "早起群", "Zhang Wei", "--date", "昨天"}), 0);
  REQUIRE_EXIT(c.home.Qun({"checkin", "早起群", "赵六 张伟", "--date", "昨天"}), 0);
  CHECK(OkJson(c.home, {"streaks", "早起群"}).size() == 5);

  // Text people write keeps its full-width punctuation.
  Ok(c.home, {"member", "edit", "王芳", "--notes", "（周六）可带家属：２人"});
  CHECK(OkJson(c.home, {"member", "show", "王芳"})["notes"] == "（周六）可带家属：２人");
}
