// A week of a community, run by two admins on two laptops who sync by file
// now and then: groups, admissions, check-ins, homework, an event whose
// sign-ups both take offline, a poll, warnings. Afterwards both laptops
// print the same reports, figure for figure.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "support/cli_runner.h"
#include "support/cli_steps.h"

using nlohmann::json;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::TempHome;
using qun::testing::TwoHomes;

namespace {

std::string Short(const json& created) { return created["id"].get<std::string>().substr(33, 8); }

}  // namespace

TEST_CASE("a scripted week on two laptops gives the same reports on both") {
  TwoHomes c("湾区读书会");
  TempHome& a = c.a;  // 小林
  TempHome& b = c.b;  // 李娜

  // Monday, on 小林's laptop: two groups and the people.
  Ok(a, {"group", "add", "读书会", "--admission", "application", "--capacity", "4", "--question",
         "最近在读什么"});
  Ok(a, {"group", "add", "徒步群", "--capacity", "30", "--nickname-pattern", "city-name"});
  struct P {
    const char* name;
    const char* wechat;
    std::vector<std::string> extra;
  };
  for (const P& p : std::vector<P>{
           {"张伟", "zw01", {"--tag", "读书", "--needs", "摄影", "--offers", "编程"}},
           {"王芳",
            "wf02",
            {"--tag", "读书", "--tag", "徒步", "--offers", "人像摄影", "--referred-by", "张伟"}},
           {"赵强", "zq03", {"--tag", "徒步", "--referred-by", "张伟"}},
           {"陈静", "cj04", {"--needs", "编程", "--referred-by", "王芳"}},
           {"刘洋", "ly05", {}},
           {"Alice Wang", "alice06", {"--tag", "读书"}}}) {
    std::vector<std::string> args = {"member", "add", p.name, "--wechat", p.wechat};
    args.insert(args.end(), p.extra.begin(), p.extra.end());
    Ok(a, args);
  }
  for (const char* p : {"张伟", "王芳", "赵强", "陈静", "Alice Wang"})
    Ok(a, {"member", "join", "徒步群", p});
  for (const char* p : {"张伟", "王芳", "陈静", "刘洋", "Alice Wang"})
    Ok(a, {"admission", "apply", "读书会", p, "--answer", "《活着》"});
  Ok(a, {"admission", "approve", "读书会", "张伟"});
  Ok(a, {"admission", "approve", "读书会", "王芳"});
  c.Exchange();

  // Tuesday: each decides applications on their own laptop.
  Ok(b, {"admission", "approve", "读书会", "陈静", "--reason", "老朋友"});
  Ok(b, {"admission", "reject", "读书会", "刘洋", "--reason", "没有回答问题"});
  Ok(a, {"admission", "approve", "读书会", "Alice Wang"});
  Ok(a, {"topic", "add", "读书会", "第一周：读《活着》", "--deadline", "2026-11-20 20:00"});
  c.Exchange();

  // Through the week: check-ins recorded on both laptops, some twice.
  for (const char* day : {"2026-11-17", "2026-11-18", "2026-11-20"})
    Ok(a, {"checkin", "读书会", "张伟", "--date", day});
  for (const char* day : {"2026-11-18", "2026-11-19"})
    Ok(b, {"checkin", "读书会", "王芳", "陈静", "--date", day});
  Ok(b, {"checkin", "读书会", "张伟", "--date", "2026-11-20"});  // also on 小林's laptop
  Ok(a, {"checkin", "徒步群", "赵强", "--date", "2026-11-19"});
  Ok(a, {"topic", "submit", "第一周：读《活着》", "张伟", "--at", "2026-11-20 19:00"});
  c.Send(a, b);
  Ok(b, {"topic", "submit", "第一周：读《活着》", "王芳", "--at", "2026-11-21 09:00"});
  Ok(b, {"activity", "add", "读书会", "陈静", "--kind", "talk", "--note", "余华的写法", "--date",
         "2026-11-21"});

  // Friday: an outing with six places; both take sign-ups offline.
  json outing = OkJson(a, {"event", "add", "徒步群", "周六徒步", "--at", "2030-05-04 08:00",
                           "--place", "麦理浩径", "--capacity", "3"});
  std::string event = Short(outing);
  json poll = OkJson(a, {"poll", "add", "读书会", "下次读什么？", "--option", "《兄弟》",
                         "--option", "《许三观卖血记》"});
  std::string poll_id = Short(poll);
  c.Exchange();
  Ok(a, {"event", "signup", event, "张伟"});
  Ok(a, {"event", "signup", event, "赵强", "--plus", "1"});
  Ok(b, {"event", "signup", event, "王芳"});
  Ok(b, {"event", "signup", event, "陈静"});
  Ok(a, {"poll", "vote", poll_id, "张伟", "1"});
  Ok(b, {"poll", "vote", poll_id, "张伟", "2"});  // the same person, changed mind later
  Ok(b, {"poll", "vote", poll_id, "王芳", "2"});
  Ok(a, {"warn", "徒步群", "Alice Wang", "发广告"});
  Ok(a, {"warn", "徒步群", "Alice Wang", "又发广告"});
  Ok(b, {"warn", "徒步群", "Alice Wang", "私信骚扰"});
  Ok(b, {"member", "intro", "徒步群", "赵强", "--nickname", "深圳-赵强"});
  c.Exchange();

  CHECK(c.StateHash(a) == c.StateHash(b));
  const std::vector<std::vector<std::string>> reports = {
      {"report", "levels", "读书会", "--as-of", "2026-11-22"},
      {"report", "inactive", "徒步群", "--days", "2d", "--as-of", "2026-11-22"},
      {"report", "lurkers", "徒步群", "--grace", "0d", "--as-of", "2026-11-22"},
      {"report", "core", "读书会", "--as-of", "2026-11-22"},
      {"report", "health", "--weeks", "2", "--as-of", "2026-11-22"},
      {"report", "activity", "--weeks", "2", "--as-of", "2026-11-22"},
      {"report", "referrals"},
      {"report", "expiring", "--days", "400", "--as-of", "2026-11-22"},
      {"streaks", "读书会", "--as-of", "2026-11-22"},
      {"topic", "status", "第一周：读《活着》"},
      {"admission", "list"},
      {"event", "show", event},
      {"poll", "show", poll_id},
      {"warn", "due"},
      {"member", "check-nicknames", "徒步群"},
      {"match", "张伟"},
      {"person", "Alice Wang"},
  };
  for (const auto& r : reports) {
    CAPTURE(r);
    CHECK(OkJson(a, r).dump() == OkJson(b, r).dump());
  }
  CHECK(Ok(a, {"event", "show", event, "--chat"}).out ==
        Ok(b, {"event", "show", event, "--chat"}).out);

  // And the figures are the ones the week made.
  json levels = OkJson(b, {"report", "levels", "读书会", "--as-of", "2026-11-22"});
  REQUIRE(levels["people"].size() == 4);  // 刘洋 was rejected
  CHECK(levels["people"][0]["person"] == "张伟");
  CHECK(levels["people"][0]["facts"] == 4);  // three check-ins (one recorded twice) and homework
  json shown = OkJson(b, {"event", "show", event});
  CHECK(shown["signups"].size() + shown["waitlist"].size() == 4);
  CHECK(shown["places_taken"] == 3);
  json votes = OkJson(a, {"poll", "show", poll_id});
  CHECK(votes["total"] == 2);
  json due = OkJson(a, {"warn", "due"});
  REQUIRE(due.size() == 1);
  json status = OkJson(a, {"topic", "status", "第一周：读《活着》"});
  CHECK(status["on_time"] == 1);
  CHECK(status["late"] == 1);
}
