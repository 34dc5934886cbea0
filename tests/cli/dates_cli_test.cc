// Dates and times on the command line as organizers write them, the echo of
// what was understood, the refusals of a past event and a future check-in,
// and the same messages in Chinese (LANG=zh_CN.UTF-8, QUN_LANG, --lang).
#include <doctest/doctest.h>

#include <chrono>

#include "base/dates.h"
#include "support/cli_runner.h"
#include "support/cli_steps.h"

using namespace qun;
using namespace qun::testing;

namespace {

int64_t TodayHere() {
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  return core::LocalDay(now);
}

struct Group {
  TempHome home;
  Group() {
    Ok(home, {"init", "--name", "测试社区", "--admin", "小林"});
    Ok(home, {"group", "add", "读书会"});
    Ok(home, {"member", "add", "张伟", "--group", "读书会"});
  }
  CliResult Qun(const std::vector<std::string>& args, const CliOptions& o = {}) const {
    return home.Qun(args, o);
  }
  nlohmann::json Event(const std::string& id) const { return OkJson(home, {"event", "show", id}); }
};

std::string Line(const std::string& out) { return out.substr(0, out.find('\n')); }

}  // namespace

TEST_CASE("an event's time as people write it: words, Chinese hours, full-width digits") {
  Group g;
  int64_t today = TodayHere();
  CliResult r =
      g.Qun({"event", "add", "读书会", "夜读", "--at", "明天 晚上8点", "--until", "22:30"});
  REQUIRE_EXIT(r, 0);
  // What was understood is said back, with the weekday.
  CHECK(Contains(r.err, "明天 晚上8点 = " + core::DayText(today + 1)));
  CHECK(Contains(r.err, "20:00"));
  nlohmann::json e = g.Event(Line(r.out));
  CHECK(e["starts_at"].get<int64_t>() == core::LocalTimeMs(today + 1, 20, 0));
  // A time alone ends it on the day it starts.
  CHECK(e["ends_at"].get<int64_t>() == core::LocalTimeMs(today + 1, 22, 30));

  CliResult wide =
      g.Qun({"event", "add", "读书会", "年会", "--at", "２０９９－１１－２８ １４：００"});
  REQUIRE_EXIT(wide, 0);
  CHECK(g.Event(Line(wide.out))["starts_at"].get<int64_t>() ==
        core::LocalTimeMs(*core::ParseDayNumber("2099-11-28"), 14, 0));
  CHECK_FALSE(Contains(wide.err, " = "));  // a full date needs no echo

  CliResult chinese = g.Qun({"event", "add", "读书会", "晚会", "--at", "2099年12月31日下午3点半"});
  REQUIRE_EXIT(chinese, 0);
  CHECK(g.Event(Line(chinese.out))["starts_at"].get<int64_t>() ==
        core::LocalTimeMs(*core::ParseDayNumber("2099-12-31"), 15, 30));
}

TEST_CASE(
    "an event that has started already needs --yes — a check-in for a day to come is refused") {
  Group g;
  std::string before = StateHashOf(g.home);
  CliResult past = g.Qun({"event", "add", "读书会", "补记", "--at", "昨天 10:00"});
  CHECK_EXIT(past, 2);
  CHECK(Contains(past.err, "has passed already"));
  CHECK(Contains(past.err, "--yes"));
  CliResult ambiguous = g.Qun({"event", "add", "读书会", "补记", "--at", "6/12/2099 10:00"});
  CHECK_EXIT(ambiguous, 2);
  CHECK(Contains(ambiguous.err, "2099-06-12 or 2099-12-06"));
  CliResult future = g.Qun({"checkin", "读书会", "张伟", "--date", "明天"});
  CHECK_EXIT(future, 2);
  CHECK(Contains(future.err, "a check-in is for today or a day gone by"));
  CHECK(StateHashOf(g.home) == before);

  REQUIRE_EXIT(g.Qun({"event", "add", "读书会", "补记", "--at", "昨天 10:00", "--yes"}), 0);
  CliResult yesterday = g.Qun({"checkin", "读书会", "张伟", "--date", "昨天"});
  REQUIRE_EXIT(yesterday, 0);
  CHECK(Contains(yesterday.err, "昨天 = " + core::DayText(TodayHere() - 1)));
}

TEST_CASE(
    "qun speaks Chinese when the locale, QUN_LANG or --lang says so, and JSON stays the same") {
  Group g;
  auto bad = [&](const CliOptions& o, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"event", "add", "读书会", "夜读", "--at", "下个月"};
    args.insert(args.end(), extra.begin(), extra.end());
    CliResult r = g.Qun(args, o);
    CHECK_EXIT(r, 2);
    return r.err;
  };
  std::string english = bad({});
  CHECK(Contains(english, "qun: error: "));
  CHECK(Contains(english, "is not a date"));
  CliOptions zh;
  zh.env["LANG"] = "zh_CN.UTF-8";
  std::string chinese = bad(zh);
  CHECK(Contains(chinese, "qun：出错了："));
  CHECK(Contains(chinese, "不是日期"));
  CHECK_FALSE(Contains(chinese, "is not a date"));
  CliOptions lc_all;
  lc_all.env["LC_ALL"] = "zh_TW.UTF-8";
  CHECK(Contains(bad(lc_all), "不是日期"));
  CliOptions forced_en = zh;
  forced_en.env["QUN_LANG"] = "en";
  CHECK(Contains(bad(forced_en), "is not a date"));
  CHECK(Contains(bad({}, {"--lang", "zh"}), "不是日期"));
  CHECK(Contains(bad(zh, {"--lang=en"}), "is not a date"));
  CliResult unknown = g.Qun({"--lang", "fr", "status"});
  CHECK_EXIT(unknown, 2);
  CHECK(Contains(unknown.err, "--lang zh"));
  CliOptions french;
  french.env["QUN_LANG"] = "fr";
  CliResult unknown_env = g.Qun({"status"}, french);
  CHECK_EXIT(unknown_env, 2);
  CHECK(Contains(unknown_env.err, "QUN_LANG=zh"));

  // The echo names the weekday in the language spoken; JSON does not change.
  CliResult made = g.Qun({"event", "add", "读书会", "夜读", "--at", "2099-11-28 14:00"}, zh);
  REQUIRE_EXIT(made, 0);
  std::string id = Line(made.out);
  CliResult zh_json = g.Qun({"--json", "event", "show", id}, zh);
  CliResult en_json = g.Qun({"--json", "event", "show", id});
  REQUIRE_EXIT(zh_json, 0);
  CHECK(zh_json.out == en_json.out);
  CliResult echo = g.Qun({"event", "add", "读书会", "周末", "--at", "12/31 20:00", "--lang", "zh"});
  REQUIRE_EXIT(echo, 0);
  CHECK((Contains(echo.err, "周") && !Contains(echo.err, "day 20:00")));
}
