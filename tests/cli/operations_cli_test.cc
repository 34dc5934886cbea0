// End-to-end tests of admission, the entry ritual, activity facts, reports
// and the member commands that go with them, run as the real binary.
#include <doctest/doctest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "base/dates.h"
#include "support/cli_runner.h"
#include "support/cli_steps.h"
#include "support/xml_check.h"

using nlohmann::json;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::ReadFile;
using qun::testing::TempHome;

namespace {
// A day counted from today, as YYYY-MM-DD: the CLI's own clock is real, so
// dates the tests compare with must move with it.
std::string DayFromToday(int64_t offset) {
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return qun::core::DayText(qun::core::LocalDay(now_ms) + offset);
}
}  // namespace

namespace {

// A founded community with group 读书会 (capacity 2, application, two
// screening questions) and three people.
struct Club {
  TempHome home;
  Club(const char* admission = "application") {
    Ok(home, {"init", "--name", "测试社区", "--admin", "小林"});
    Ok(home, {"group", "add", "读书会", "--capacity", "2", "--admission", admission, "--question",
              "你是谁", "--question", "为什么想加入"});
    for (const char* name : {"张伟", "李娜", "王芳"}) Ok(home, {"member", "add", name});
  }
  std::string Hash() { return Ok(home, {"state-hash"}).out; }
};

}  // namespace

TEST_SUITE("cli operations") {
  TEST_CASE("admission: apply with answers, approve, reject with a reason, waitlist when full") {
    Club c;
    CliResult short_answers =
        c.home.Qun({"admission", "apply", "读书会", "张伟", "--answer", "学生"});
    CHECK_EXIT(short_answers, 2);
    CHECK(Contains(short_answers.err, "2. 为什么想加入"));
    for (const char* p : {"张伟", "李娜", "王芳"})
      Ok(c.home, {"admission", "apply", "读书会", p, "--answer", "学生", "--answer", "爱读书"});
    CliResult again =
        c.home.Qun({"admission", "apply", "读书会", "张伟", "--answer", "a", "--answer", "b"});
    CHECK_EXIT(again, 4);
    CHECK(Contains(again.err, "already applied"));

    CHECK(Contains(Ok(c.home, {"admission", "approve", "读书会", "张伟", "--reason", "认真"}).out,
                   "now a member"));
    CliResult no_reason = c.home.Qun({"admission", "reject", "读书会", "李娜"});
    CHECK_EXIT(no_reason, 2);
    json rejected =
        OkJson(c.home, {"admission", "reject", "读书会", "李娜", "--reason", "名额有限"});
    CHECK(rejected["status"] == "rejected");
    CHECK(rejected["reason"] == "名额有限");
    CHECK(rejected["decided_by_name"] == "小林");
    CliResult twice = c.home.Qun({"admission", "approve", "读书会", "李娜"});
    CHECK_EXIT(twice, 4);
    CHECK(Contains(twice.err, "already rejected by 小林"));

    // The group fills: the next approval waits, and moves up when a place frees.
    Ok(c.home, {"member", "add", "赵强", "--group", "读书会"});
    CliResult waits = Ok(c.home, {"admission", "approve", "读书会", "王芳"});
    CHECK(Contains(waits.out, "waitlist"));
    json list = OkJson(c.home, {"admission", "waitlist", "读书会"});
    REQUIRE(list["waitlist"].size() == 1);
    CHECK(list["waitlist"][0]["person"] == "王芳");
    CliResult left = Ok(c.home, {"member", "leave", "读书会", "赵强"});
    CHECK(Contains(left.out, "王芳 moved up from the waitlist"));
    json pending = OkJson(c.home, {"admission", "list", "--status", "approved"});
    CHECK(pending.size() == 2);
    CHECK_EXIT(c.home.Qun({"admission", "list", "--status", "maybe"}), 2);
  }

  TEST_CASE("a paid group's applicant is approved once paid, and their dues show as expiring") {
    Club c("paid");
    Ok(c.home, {"admission", "apply", "读书会", "张伟", "--answer", "a", "--answer", "b"});
    std::string before = c.Hash();
    CliResult unpaid = c.home.Qun({"admission", "approve", "读书会", "张伟"});
    CHECK_EXIT(unpaid, 4);
    CHECK(Contains(unpaid.err, "qun admission paid"));
    CHECK(c.Hash() == before);
    Ok(c.home, {"admission", "paid", "读书会", "张伟"});
    Ok(c.home, {"admission", "approve", "读书会", "张伟", "--paid-until", DayFromToday(8)});
    json soon = OkJson(c.home, {"report", "expiring", "--days", "14", "--as-of", DayFromToday(0)});
    REQUIRE(soon["members"].size() == 1);
    CHECK(soon["members"][0]["person"] == "张伟");
    CHECK(soon["members"][0]["days_left"] == 8);
    CHECK(
        OkJson(c.home, {"report", "expiring", "--days", "7", "--as-of", DayFromToday(0)})["members"]
            .empty());
    // Run out already: how many days ago, with the unit.
    CliResult late = Ok(c.home, {"report", "expiring", "--as-of", DayFromToday(11)});
    CHECK(Contains(late.out, "expired 3 days ago"));
    CliResult late_zh =
        Ok(c.home, {"--lang", "zh", "report", "expiring", "--as-of", DayFromToday(9)});
    CHECK(Contains(late_zh.out, "已过期 1 天"));
    CHECK(Contains(Ok(c.home, {"report", "expiring", "--as-of", DayFromToday(9)}).out,
                   "expired 1 day ago"));
    // Paying on extends from the current end.
    json paid = OkJson(c.home, {"member", "pay", "读书会", "张伟", "--months", "3"});
    CHECK(paid["paid_until"] ==
          qun::core::AddMonths(*qun::core::ParseDayNumber(DayFromToday(8)), 3));
    CHECK_EXIT(c.home.Qun({"member", "pay", "读书会", "张伟", "--until", "March"}), 2);
    CHECK_EXIT(c.home.Qun({"member", "pay", "读书会", "张伟"}), 2);
    CHECK_EXIT(c.home.Qun({"member", "pay", "读书会", "李娜", "--months", "1"}), 3);
  }

  TEST_CASE("entry ritual: the template, an introduction, and who breaks the nickname convention") {
    Club c("open");
    Ok(c.home, {"group", "edit", "读书会", "--intro-template", "我是谁：\n我需要：\n我能提供：",
                "--nickname-pattern", "city-name-trade", "--capacity", "10"});
    CHECK(Contains(Ok(c.home, {"member", "intro", "读书会"}).out, "我能提供："));
    for (const char* p : {"张伟", "李娜", "王芳"}) Ok(c.home, {"member", "join", "读书会", p});
    json intro = OkJson(c.home, {"member", "intro", "读书会", "张伟", "我是谁：设计师 我需要：客户",
                                 "--nickname", "上海－张伟－设计"});
    CHECK(intro["missing_headings"] == json::array({"我能提供"}));
    CHECK(intro["nickname_problem"] == "");
    Ok(c.home, {"member", "intro", "读书会", "李娜", "--nickname", "李娜"});
    json check = OkJson(c.home, {"member", "check-nicknames", "读书会"});
    CHECK(check["checked"] == 3);
    REQUIRE(check["not_following"].size() == 2);
    CHECK(check["not_following"][0]["person"] == "李娜");
    CHECK(check["not_following"][0]["problem"] == "1 part instead of 3: city-name-trade");
    CHECK(check["not_following"][1]["problem"] == "no nickname");
    json group = OkJson(c.home, {"group", "show", "读书会"});
    json zw;
    for (const auto& m : group["members"])
      if (m["person"] == "张伟") zw = m;
    CHECK(zw["nickname"] == "上海－张伟－设计");
    CHECK(Contains(zw["intro"].get<std::string>(), "设计师"));
    CHECK_EXIT(c.home.Qun({"member", "intro", "读书会", "张伟"}), 2);
    Ok(c.home, {"group", "add", "无约定群"});
    CHECK_EXIT(c.home.Qun({"member", "check-nicknames", "无约定群"}), 2);
  }

  TEST_CASE("check-ins, streaks, topics and talks, with every refusal clear") {
    Club c("open");
    Ok(c.home, {"member", "join", "读书会", "张伟"});
    Ok(c.home, {"member", "join", "读书会", "李娜"});
    std::string before = c.Hash();
    CliResult outsider = c.home.Qun({"checkin", "读书会", "张伟", "王芳", "--strict"});
    CHECK_EXIT(outsider, 3);
    CHECK(Contains(outsider.err, "王芳 is not in the group"));
    CHECK(c.Hash() == before);  // --strict: all or nothing, 张伟's is not kept either
    // Without it, each name has its own outcome and the good ones are kept.
    CliResult partial = c.home.Qun({"checkin", "读书会", "张伟", "王芳", "--date", "2026-11-01"});
    CHECK_EXIT(partial, 3);
    CHECK(Contains(partial.out, "张伟 checked in for 2026-11-01"));
    CHECK(Contains(partial.out, "王芳: not checked in: 王芳 is not in the group"));
    CHECK(Contains(partial.err, "1 name was not checked in (see above); the others were"));
    for (const char* day : {"2026-11-18", "2026-11-19", "2026-11-21"})
      Ok(c.home, {"checkin", "读书会", "张伟", "--date", day});
    // A second check-in for a day is no error: it is already there.
    std::string checked = c.Hash();
    CliResult again = Ok(c.home, {"checkin", "读书会", "张伟", "--date", "2026-11-21"});
    CHECK(Contains(again.out, "张伟 had already checked in for 2026-11-21"));
    // Written day first it is the same day.
    json same = OkJson(c.home, {"checkin", "读书会", "张伟", "--date", "21/11/2026"});
    CHECK(same[0]["outcome"] == "already");
    CHECK(c.Hash() == checked);
    CHECK_EXIT(c.home.Qun({"checkin", "读书会", "张伟", "--date", "2026-11-31"}), 2);
    json twice = OkJson(c.home, {"checkin", "读书会", "李娜", "李娜", "--date", "2026-11-18"});
    CHECK(twice.size() == 1);  // a name given twice is one check-in
    CHECK_EXIT(c.home.Qun({"checkin", "读书会", "张伟", "--date", "2999-01-01"}), 2);
    json streaks = OkJson(c.home, {"streaks", "读书会", "--as-of", "2026-11-22"});
    REQUIRE(streaks.size() == 2);
    CHECK(streaks[0]["person"] == "张伟");
    CHECK(streaks[0]["current"] == 3);  // the 20th was missed and forgiven
    CHECK(OkJson(c.home, {"streaks", "读书会", "--as-of", "2026-11-24"})[0]["current"] == 0);

    json topic = OkJson(
        c.home, {"topic", "add", "读书会", "第一周：读《活着》", "--deadline", "2026-11-22 20:00"});
    std::string tid = topic["id"].get<std::string>().substr(33, 8);
    Ok(c.home, {"topic", "submit", tid, "张伟", "--at", "2026-11-22 19:59"});
    CliResult late =
        Ok(c.home, {"topic", "submit", "第一周：读《活着》", "李娜", "--at", "2026-11-22 20:01"});
    CHECK(Contains(late.out, "recorded as late"));
    json status = OkJson(c.home, {"topic", "status", tid});
    CHECK(status["on_time"] == 1);
    CHECK(status["late"] == 1);
    CHECK(status["missing"] == 0);
    json topics = OkJson(c.home, {"topic", "list", "--group", "读书会"});
    REQUIRE(topics.size() == 1);
    CHECK(topics[0]["title"] == "第一周：读《活着》");
    CHECK(topics[0]["submitted"] == 2);
    CHECK_EXIT(c.home.Qun({"topic", "add", "读书会", "x", "--deadline", "soon"}), 2);
    CHECK_EXIT(c.home.Qun({"topic", "submit", "no such topic", "张伟"}), 3);

    CHECK_EXIT(c.home.Qun({"activity", "add", "读书会", "李娜", "--kind", "checkin"}), 2);
    json talk = OkJson(c.home, {"activity", "add", "读书会", "李娜", "--kind", "talk", "--note",
                                "分享：如何读长篇", "--date", "2026-11-20"});
    json all = OkJson(c.home, {"activity", "list", "--group", "读书会", "-n", "0"});
    CHECK(all.size() == 8);
    Ok(c.home, {"activity", "remove", talk["id"].get<std::string>().substr(33, 8)});
    CHECK(OkJson(c.home, {"activity", "list", "--kind", "talk"}).empty());
  }

  TEST_CASE("reports: levels, inactive, lurkers, core candidates, and a reversible purge") {
    Club c("open");
    Ok(c.home, {"group", "edit", "读书会", "--capacity", "10", "--level-window", "7d",
                "--level-core", "3", "--level-active", "2"});
    for (const char* p : {"张伟", "李娜", "王芳"}) Ok(c.home, {"member", "join", "读书会", p});
    for (const char* day : {"2026-11-20", "2026-11-21", "2026-11-22"})
      Ok(c.home, {"checkin", "读书会", "张伟", "--date", day});
    Ok(c.home, {"checkin", "读书会", "李娜", "--date", "2026-11-22"});
    json levels = OkJson(c.home, {"report", "levels", "读书会", "--as-of", "2026-11-22"});
    REQUIRE(levels["people"].size() == 3);
    CHECK(levels["people"][0]["person"] == "张伟");
    CHECK(levels["people"][0]["level"] == "core");
    CHECK(levels["people"][1]["level"] == "observer");
    CHECK(levels["people"][2]["level"] == "lurker");
    json listed = OkJson(c.home, {"member", "list", "--group", "读书会"});
    bool has_level = false;
    for (const auto& p : listed) has_level = has_level || p.contains("level");
    CHECK(has_level);
    CHECK(OkJson(c.home, {"report", "core", "读书会", "--as-of", "2026-11-22"})["people"].size() ==
          1);

    // Sixty days on, everyone is inactive; 王芳 never was active at all.
    json inactive = OkJson(
        c.home, {"report", "inactive", "读书会", "--days", "60d", "--as-of", DayFromToday(61)});
    CHECK(inactive["people"].size() == 3);
    json lurkers = OkJson(c.home, {"report", "lurkers", "读书会", "--as-of", DayFromToday(61)});
    REQUIRE(lurkers["people"].size() == 1);
    CHECK(lurkers["people"][0]["person"] == "王芳");

    // A purge that cannot surprise. They joined in January (the sheet's
    // date, not the day of the import); as of 12-01, only 王芳 has been
    // inactive for 60 days: a third of the group, more than 30%.
    for (const char* p : {"张伟", "李娜", "王芳"})
      Ok(c.home, {"member", "set-joined", "读书会", p, "2026-01-05"});
    std::string before = c.Hash();
    CliResult dry =
        Ok(c.home, {"member", "purge", "--inactive", "60d", "读书会", "--as-of", "2026-12-01"});
    CHECK(Contains(dry.out, "dry run"));
    CHECK(Contains(dry.out, "  王芳 (last active: never)"));
    CHECK_FALSE(Contains(dry.out, "张伟"));
    CHECK(Contains(dry.out, "That is 33% of its 3 members."));
    CHECK(Contains(dry.out, "On record in 读书会: checkin (4)."));
    CHECK(c.Hash() == before);
    CliResult share = c.home.Qun(
        {"member", "purge", "--inactive", "60d", "读书会", "--as-of", "2026-12-01", "--apply"});
    CHECK_EXIT(share, 4);
    CHECK(Contains(share.err,
                   "this would purge 1 of the 3 members of '读书会' (33%), more than "
                   "30%"));
    CHECK(c.Hash() == before);
    // A day still to come is refused with --apply, whatever the share.
    CliResult ahead = c.home.Qun({"member", "purge", "--inactive", "60d", "读书会", "--as-of",
                                  DayFromToday(61), "--apply", "--yes"});
    CHECK_EXIT(ahead, 2);
    CHECK(Contains(ahead.err, "is still to come"));
    CHECK(c.Hash() == before);
    Ok(c.home, {"member", "purge", "--inactive", "60d", "读书会", "--as-of", "2026-12-01",
                "--apply", "--max-share", "40"});
    json purged = OkJson(c.home, {"member", "list", "--group", "读书会", "--status", "purged"});
    REQUIRE(purged.size() == 1);
    CHECK(purged[0]["display_name"] == "王芳");
    Ok(c.home, {"member", "purge", "读书会", "--restore", "--apply"});
    CHECK(OkJson(c.home, {"member", "list", "--group", "读书会", "--status", "active"}).size() ==
          3);
    CHECK(c.Hash() != before);  // the purge and the restore are in the history

    // A group with nothing on record: the dry run says so, --apply needs
    // --anyway even with --yes.
    Ok(c.home, {"group", "add", "空群"});
    Ok(c.home, {"member", "join", "空群", "李娜", "--since", "2026-01-05"});
    CliResult empty_dry =
        Ok(c.home, {"member", "purge", "--inactive", "60d", "空群", "--as-of", "2026-12-01"});
    CHECK(Contains(empty_dry.out, "'空群' has no activity on record"));
    CliResult refused = c.home.Qun({"member", "purge", "--inactive", "60d", "空群", "--as-of",
                                    "2026-12-01", "--apply", "--yes"});
    CHECK_EXIT(refused, 4);
    CHECK(Contains(refused.err, "pass --anyway"));
    json forced = OkJson(c.home, {"member", "purge", "--inactive", "60d", "空群", "--as-of",
                                  "2026-12-01", "--apply", "--yes", "--anyway"});
    CHECK(forced["people"].size() == 1);
    CHECK(forced["on_record"].empty());
    CHECK(forced["percent"] == 100);
    CHECK_EXIT(c.home.Qun({"member", "purge", "读书会"}), 2);
    CHECK_EXIT(c.home.Qun({"member", "purge", "读书会", "--inactive", "sixty"}), 2);
  }

  TEST_CASE("health and activity reports write SVG charts that hold their figures") {
    Club c("open");
    Ok(c.home, {"group", "edit", "读书会", "--capacity", "10"});
    Ok(c.home, {"group", "add", "徒步群", "--capacity", "50"});
    for (const char* p : {"张伟", "李娜"}) Ok(c.home, {"member", "join", "读书会", p});
    Ok(c.home, {"member", "join", "徒步群", "王芳"});
    Ok(c.home, {"checkin", "读书会", "张伟", "--date", "2026-11-16"});
    Ok(c.home, {"checkin", "读书会", "李娜", "--date", "2026-11-17"});
    Ok(c.home, {"checkin", "徒步群", "王芳", "--date", "2026-11-23"});

    std::string health_svg = c.home.Beside("health.svg");
    json health =
        OkJson(c.home, {"report", "health", "--as-of", "2026-11-23", "--svg", health_svg});
    REQUIRE(health["groups"].size() == 2);
    std::string svg = ReadFile(health_svg);
    CHECK(qun::testing::XmlProblem(svg) == "");
    CHECK(Contains(svg, "data-label=\"读书会\" data-value=\"2\" data-limit=\"10\""));
    CHECK(Contains(svg, "data-label=\"徒步群\" data-value=\"1\" data-limit=\"50\""));

    std::string activity_svg = c.home.Beside("activity.svg");
    json activity = OkJson(c.home, {"report", "activity", "--weeks", "2", "--as-of", "2026-11-23",
                                    "--svg", activity_svg});
    REQUIRE(activity["weeks"].size() == 2);
    CHECK(activity["weeks"][0]["week"] == "2026-11-16");
    CHECK(activity["weeks"][0]["activity"] == 2);
    CHECK(activity["weeks"][1]["activity"] == 1);
    svg = ReadFile(activity_svg);
    CHECK(qun::testing::XmlProblem(svg) == "");
    CHECK(Contains(svg, "data-series=\"all activity\""));
    CHECK(Contains(svg, "data-label=\"2026-11-16\" data-value=\"2\""));
    // In Chinese the legend is Chinese and the series keys stay as they are.
    std::string zh_svg = c.home.Beside("activity-zh.svg");
    Ok(c.home, {"--lang", "zh", "report", "activity", "--weeks", "2", "--as-of", "2026-11-23",
                "--svg", zh_svg});
    std::string zh = ReadFile(zh_svg);
    CHECK(Contains(zh, "data-series=\"all activity\""));
    CHECK_FALSE(Contains(zh, ">all activity<"));
    CHECK(Contains(zh, ">全部活跃记录<"));
    CHECK(Contains(svg, "data-label=\"2026-11-23\" data-value=\"1\""));

    json one = OkJson(c.home, {"report", "health", "--group", "读书会", "--weeks", "2", "--as-of",
                               "2026-11-23", "--svg", c.home.Beside("one.svg")});
    CHECK(one["groups"][0]["active_members"] == 2);  // both within the 30-day window
    CHECK(qun::testing::XmlProblem(ReadFile(c.home.Beside("one.svg"))) == "");
    CHECK_EXIT(c.home.Qun({"report", "health", "--weeks", "0"}), 2);
    CliResult to_stdout = c.home.Qun({"report", "activity", "--svg", "-"});
    CHECK_EXIT(to_stdout, 2);
    CHECK(Contains(to_stdout.err, "--svg needs a file name"));
    CliResult unwritable =
        c.home.Qun({"report", "activity", "--svg", c.home.Beside("no/such/dir/a.svg")});
    CHECK(unwritable.exit_code != 0);
  }

  TEST_CASE("match and referrals come only from what was entered") {
    Club c("open");
    Ok(c.home, {"member", "edit", "张伟", "--needs", "摄影，找工作", "--offers", "Python编程",
                "--tag", "读书", "--tag", "徒步"});
    Ok(c.home, {"member", "edit", "李娜", "--offers", "人像摄影", "--tag", "读书", "--referred-by",
                "张伟"});
    Ok(c.home, {"member", "edit", "王芳", "--needs", "python", "--tag", "徒步", "--tag", "读书",
                "--referred-by", "李娜"});
    json m = OkJson(c.home, {"match", "张伟"});
    REQUIRE(m["common_tags"].size() == 2);
    CHECK(m["common_tags"][0]["person"] == "王芳");  // two tags in common
    REQUIRE(m["offers_my_needs"].size() == 1);
    CHECK(m["offers_my_needs"][0]["person"] == "李娜");
    CHECK(m["offers_my_needs"][0]["matches"][0]["offer"] == "人像摄影");
    CHECK(m["offers_my_needs"][0]["matches"][0]["need"] == "摄影");
    REQUIRE(m["needs_my_offers"].size() == 1);
    CHECK(m["needs_my_offers"][0]["person"] == "王芳");
    json tree = OkJson(c.home, {"report", "referrals"});
    REQUIRE(tree.size() == 3);
    CHECK(tree[0]["person"] == "张伟");
    CHECK(tree[0]["direct"] == 1);
    CHECK(tree[0]["total"] == 2);
    CHECK(tree[2]["person"] == "王芳");
    CHECK(tree[2]["depth"] == 2);
    CHECK_EXIT(c.home.Qun({"match", "nobody"}), 3);
  }

  TEST_CASE("match pairs Chinese needs and offers that share a word, not a word saying how") {
    Club c("open");
    Ok(c.home, {"member", "edit", "张伟", "--needs", "设计外包"});
    Ok(c.home, {"member", "edit", "李娜", "--offers", "免费设计咨询"});
    Ok(c.home, {"member", "edit", "王芳", "--offers", "平面設計"});  // Traditional
    Ok(c.home, {"member", "add", "赵六", "--offers", "免费法律咨询"});
    json m = OkJson(c.home, {"match", "张伟"});
    std::set<std::string> offering;
    for (const json& o : m["offers_my_needs"]) offering.insert(o["person"].get<std::string>());
    CHECK(offering == std::set<std::string>{"李娜", "王芳"});
    // The other way round: 李娜's offer answers 张伟's need.
    json theirs = OkJson(c.home, {"match", "李娜"});
    REQUIRE(theirs["needs_my_offers"].size() == 1);
    CHECK(theirs["needs_my_offers"][0]["person"] == "张伟");
    CHECK(theirs["needs_my_offers"][0]["matches"][0]["need"] == "设计外包");
  }

  TEST_CASE("adding a person banned elsewhere asks first, and --yes answers for scripts") {
    Club c("open");
    Ok(c.home, {"group", "add", "徒步群"});
    Ok(c.home, {"member", "join", "徒步群", "王芳"});
    Ok(c.home, {"member", "set-status", "徒步群", "王芳", "banned"});
    std::string before = c.Hash();
    CliResult asked = c.home.Qun({"member", "join", "读书会", "王芳"});
    CHECK_EXIT(asked, 4);
    CHECK(Contains(asked.err, "banned from the group 徒步群"));
    CHECK(Contains(asked.err, "--yes"));
    CHECK(c.Hash() == before);
    CliResult yes = Ok(c.home, {"member", "join", "读书会", "王芳", "--yes"});
    CHECK(Contains(yes.err, "banned"));
    // The full group offers its waitlist.
    Ok(c.home, {"group", "edit", "读书会", "--capacity", "1"});
    CliResult full = c.home.Qun({"member", "join", "读书会", "张伟"});
    CHECK_EXIT(full, 4);
    CHECK(Contains(full.err, "--waitlist"));
    json waiting = OkJson(c.home, {"member", "join", "读书会", "张伟", "--waitlist"});
    CHECK(waiting["status"] == "waitlisted");
    json raised = OkJson(c.home, {"group", "edit", "读书会", "--capacity", "2"});
    CHECK(raised["promoted_from_waitlist"].size() == 1);
  }
}
