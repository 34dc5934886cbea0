// History from the sheet: join dates and last-active days read from a
// member sheet imported into a group, `member join --since` and
// `member set-joined`, and reports that count inactivity from them instead
// of from the day of the import.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "support/cli_runner.h"
#include "support/cli_steps.h"

using namespace qun;
using namespace qun::testing;

namespace {

// The people a report lists, in its order.
std::vector<std::string> People(const nlohmann::json& report) {
  std::vector<std::string> out;
  for (const auto& p : report.at("people")) out.push_back(p.at("person").get<std::string>());
  return out;
}

// A sheet as organizers keep it: Chinese headers, dates in the ways Excel
// and people write them, one of them Excel's day number.
constexpr const char* kSheet =
    "姓名,微信,入群日期,最后发言,邀请人\n"
    "张伟,zw_001,2026/3/5,2026-11-30 20:15,\n"
    "李娜,ln_002,2026年5月1日,,张伟\n"
    "王芳,wf_003,45356,,\n"
    "刘洋,ly_004,2026-03-05 14:22,2026/6/1,\n";

}  // namespace

TEST_CASE("a sheet's join dates and last-active days are what the reports count from") {
  Node home;
  Ok(home, {"group", "add", "读书会"});
  std::string sheet = home.Write("members.csv", kSheet);
  nlohmann::json first = OkJson(home, {"import", "members", sheet, "--group", "读书会"});
  CHECK(first.at("imported") == 4);
  CHECK(first.at("join_dates") == 4);
  CHECK(first.at("activity_days") == 2);
  CHECK(first.at("notices").empty());

  // The inactivity report of the day of the import, 30 days back: everyone
  // joined long ago, and only 张伟 spoke within the month.
  nlohmann::json inactive =
      OkJson(home, {"report", "inactive", "读书会", "--days", "30", "--as-of", "2026-12-06"});
  CHECK(People(inactive) == std::vector<std::string>{"李娜", "王芳", "刘洋"});
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& p : inactive.at("people")) by_name[p.at("person")] = p;
  CHECK(by_name["王芳"].at("joined") == "2024-03-05");  // Excel's 45356
  CHECK(by_name["李娜"].at("joined") == "2026-05-01");
  CHECK(by_name["刘洋"].at("joined") == "2026-03-05");
  CHECK(by_name["刘洋"].at("last_active") == "2026-06-01");
  // Lurkers: joined more than 14 days ago and never active.
  nlohmann::json lurkers = OkJson(home, {"report", "lurkers", "读书会", "--as-of", "2026-12-06"});
  CHECK(People(lurkers) == std::vector<std::string>{"王芳", "李娜"});
  // The referrer column under its Chinese name 邀请人.
  CHECK(OkJson(home, {"member", "show", "李娜"}).at("referred_by") ==
        OkJson(home, {"member", "show", "张伟"}).at("id"));

  // The same sheet again changes nothing.
  std::string hash = StateHashOf(home);
  nlohmann::json again = OkJson(home, {"import", "members", sheet, "--group", "读书会"});
  CHECK(again.at("join_dates") == 0);
  CHECK(again.at("activity_days") == 0);
  CHECK(StateHashOf(home) == hash);

  // A corrected date in the sheet corrects the membership.
  std::string fixed = home.Write("fixed.csv",
                                 "display_name,wechat,joined_at,last_active\n"
                                 "李娜,ln_002,2026-04-01,2026-10-01\n");
  nlohmann::json update = OkJson(home, {"import", "members", fixed, "--group", "读书会"});
  CHECK(update.at("join_dates") == 1);
  CHECK(update.at("activity_days") == 1);
  nlohmann::json after =
      OkJson(home, {"report", "inactive", "读书会", "--days", "30", "--as-of", "2026-12-06"});
  for (const auto& p : after.at("people"))
    if (p.at("person") == "李娜") {
      CHECK(p.at("joined") == "2026-04-01");
      CHECK(p.at("last_active") == "2026-10-01");
    }
}

TEST_CASE("a sheet's bad or future dates reject their row, naming the column as the sheet has it") {
  Node home;
  Ok(home, {"group", "add", "读书会"});
  std::string sheet = home.Write("bad.csv",
                                 "姓名,入群日期\n"
                                 "张伟,2026-03-05\n"
                                 "李娜,2099-01-01\n"
                                 "王芳,6/12/2026\n"
                                 "刘洋,20:00\n");
  std::string hash = StateHashOf(home);
  CliResult r = home.Qun({"import", "members", sheet, "--group", "读书会"});
  CHECK_EXIT(r, 9);
  CHECK(Contains(r.out, "line 3: 入群日期 '2099-01-01': 2099-01-01 is in the future"));
  CHECK(Contains(r.out, "line 4: 入群日期 '6/12/2026'"));
  CHECK(Contains(r.out, "line 5: 入群日期 '20:00': '20:00' is a time without a date"));
  CHECK(StateHashOf(home) == hash);
  // In Chinese, the same lines.
  CliResult zh = home.Qun({"--lang", "zh", "import", "members", sheet, "--group", "读书会"});
  CHECK(Contains(zh.out, "入群日期「2099-01-01」：2099-01-01 还没到"));
  // With --skip-bad the good row is imported with its date.
  Ok(home, {"import", "members", sheet, "--group", "读书会", "--skip-bad"});
  nlohmann::json report =
      OkJson(home, {"report", "inactive", "读书会", "--days", "30", "--as-of", "2026-12-06"});
  REQUIRE(report.at("people").size() == 1);
  CHECK(report.at("people")[0].at("joined") == "2026-03-05");
}

TEST_CASE("without --group a sheet's group columns are named as unused, not silently dropped") {
  Node home;
  std::string sheet = home.Write("members.csv", kSheet);
  CliResult r = home.Qun({"import", "members", sheet});
  REQUIRE_EXIT(r, 0);
  CHECK(Contains(r.out, "note: the column '入群日期' is about a group; import with --group GROUP"));
  CHECK(Contains(r.out, "note: the column '最后发言' is about a group"));
  CHECK(OkJson(home, {"member", "list"}).size() == 4);
}

TEST_CASE("member join --since and member set-joined set the day inactivity counts from") {
  Node home;
  Ok(home, {"group", "add", "徒步群"});
  Ok(home, {"member", "add", "张伟"});
  Ok(home, {"member", "add", "李娜"});
  CliResult joined = home.Qun({"member", "join", "徒步群", "张伟", "--since", "2026年3月1日"});
  REQUIRE_EXIT(joined, 0);
  CHECK(Contains(joined.out, "Joined on 2026-03-01"));
  Ok(home, {"member", "join", "徒步群", "李娜"});
  nlohmann::json lurkers = OkJson(home, {"report", "lurkers", "徒步群", "--as-of", "2026-12-06"});
  // 李娜 joined today (the day of the test): within the grace of 14 days.
  CHECK(People(lurkers) == std::vector<std::string>{"张伟"});

  CliResult set = home.Qun({"member", "set-joined", "徒步群", "李娜", "2026-01-15"});
  REQUIRE_EXIT(set, 0);
  CHECK(Contains(set.out, "Joined on 2026-01-15"));
  lurkers = OkJson(home, {"report", "lurkers", "徒步群", "--as-of", "2026-12-06"});
  CHECK(People(lurkers) == std::vector<std::string>{"李娜", "张伟"});
  // The log names the change in words.
  CHECK(Contains(Ok(home, {"--lang", "zh", "log"}).out, "更正入群日期"));

  std::string hash = StateHashOf(home);
  CliResult future = home.Qun({"member", "set-joined", "徒步群", "李娜", "2099-01-01"});
  CHECK_EXIT(future, 2);
  CHECK(Contains(future.err, "2099-01-01 is in the future; a join date is the day they joined"));
  CliResult future_join = home.Qun({"member", "join", "徒步群", "李娜", "--since", "2099-1-1"});
  CHECK(future_join.exit_code != 0);
  Ok(home, {"member", "add", "王芳"});
  hash = StateHashOf(home);
  CliResult outsider =
      home.Qun({"--lang", "zh", "member", "set-joined", "徒步群", "王芳", "3月1日"});
  CHECK_EXIT(outsider, 3);
  CHECK(Contains(outsider.err, "此人不在这个群里"));
  CHECK(Contains(outsider.err, "--since"));
  CHECK(StateHashOf(home) == hash);
}

TEST_CASE("import members --help lists every column it reads and the other names it takes") {
  Node home;
  CliResult help = Ok(home, {"import", "members", "--help"});
  CHECK(Contains(help.out, "Columns, found by their header in any order"));
  for (const char* name : {"display_name", "姓名", "微信号", "邀请人", "入群日期", "最后发言",
                           "last_active", "joined_at"})
    CHECK_MESSAGE(Contains(help.out, name), name);
  CHECK(Contains(Ok(home, {"--lang", "zh", "import", "members", "--help"}).out,
                 "可以读的列（按表头识别"));
}
