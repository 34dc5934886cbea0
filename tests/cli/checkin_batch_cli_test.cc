// Check-ins as an admin pastes them from the chat: every name gets its own
// outcome and the good ones are kept (`--strict` for all or nothing), and
// `qun checkin missing` lists who has not checked in, ready to paste.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "support/cli_runner.h"
#include "support/cli_steps.h"

using namespace qun;
using namespace qun::testing;

namespace {

struct MorningGroup {
  Node home;
  MorningGroup() {
    Ok(home, {"group", "add", "早起打卡群"});
    for (const char* name : {"张伟", "李娜", "王芳", "赵强"})
      Ok(home, {"member", "add", name, "--group", "早起打卡群"});
    Ok(home, {"member", "add", "外人"});
    // What the chat shows is the group nickname.
    Ok(home, {"member", "intro", "早起打卡群", "王芳", "大家好", "--nickname", "上海-王芳-设计"});
  }
};

// Each name's outcome, as --json gives them.
std::map<std::string, std::string> Outcomes(const nlohmann::json& list) {
  std::map<std::string, std::string> out;
  for (const auto& o : list) out[o.at("typed").get<std::string>()] = o.at("outcome");
  return out;
}

}  // namespace

TEST_CASE("a pasted list of check-ins keeps every good name and says what became of each") {
  MorningGroup g;
  Ok(g.home, {"checkin", "早起打卡群", "李娜"});  // earlier, by this admin or a co-admin
  CliResult r = g.home.Qun({"--json", "checkin", "早起打卡群", "张伟，李娜、张为 外人 张伟"});
  CHECK_EXIT(r, 3);  // some names were not found
  nlohmann::json list = nlohmann::json::parse(r.out);
  CHECK(list.size() == 4);  // 张伟 given twice is one
  auto outcomes = Outcomes(list);
  CHECK(outcomes["张伟"] == "checked_in");
  CHECK(outcomes["李娜"] == "already");
  CHECK(outcomes["张为"] == "not_found");
  CHECK(outcomes["外人"] == "not_member");
  for (const auto& o : list)
    if (o.at("typed") == "张为")
      CHECK(Contains(o.at("reason").get<std::string>(), "did you mean '张伟'?"));
  // What was good is recorded: 张伟 today, and 李娜 once.
  nlohmann::json missing = OkJson(g.home, {"checkin", "missing", "早起打卡群"});
  std::vector<std::string> names;
  for (const auto& m : missing.at("missing")) names.push_back(m.at("person"));
  CHECK(names == std::vector<std::string>{"王芳", "赵强"});
  CHECK(OkJson(g.home, {"activity", "list", "--kind", "checkin"}).size() == 2);

  // In words, in both languages.
  CliResult text = g.home.Qun({"checkin", "早起打卡群", "赵强", "李娜", "外人"});
  CHECK_EXIT(text, 3);
  CHECK(Contains(text.out, "赵强 checked in for"));
  CHECK(Contains(text.out, "李娜 had already checked in for"));
  CHECK(Contains(text.out, "外人: not checked in: 外人 is not in the group '早起打卡群'"));
  CHECK(Contains(text.err, "1 name was not checked in (see above); the others were"));
  CliResult zh = g.home.Qun({"--lang", "zh", "checkin", "早起打卡群", "李娜", "欧阳"});
  CHECK(Contains(zh.out, "李娜 已经打过"));
  CHECK(Contains(zh.out, "「欧阳」：没有打卡："));
  CHECK(Contains(zh.err, "有 1 个名字没有打卡"));
}

TEST_CASE("--strict records nothing unless every name can be checked in") {
  MorningGroup g;
  std::string before = StateHashOf(g.home);
  CliResult strict = g.home.Qun({"checkin", "早起打卡群", "张伟", "外人", "--strict"});
  CHECK_EXIT(strict, 3);
  CHECK(Contains(strict.err, "nothing was recorded (--strict)"));
  CHECK(Contains(strict.err, "外人 is not in the group"));
  CHECK(StateHashOf(g.home) == before);
  // An ambiguous name is exit 4, with the ids to choose from.
  Ok(g.home, {"member", "add", "张伟", "--yes"});
  Ok(g.home, {"group", "add", "读书会"});
  CliResult shared = g.home.Qun({"--json", "checkin", "读书会", "张伟"});
  CHECK_EXIT(shared, 4);
  nlohmann::json list = nlohmann::json::parse(shared.out);
  REQUIRE(list.size() == 1);
  CHECK(list[0].at("outcome") == "ambiguous");
  CHECK(list[0].at("choices").size() == 2);
  // Every name good: --strict records them all, exit 0.
  Ok(g.home, {"checkin", "早起打卡群", "张伟", "李娜", "--strict"});
  CHECK(OkJson(g.home, {"activity", "list", "--kind", "checkin"}).size() == 2);
}

TEST_CASE("checkin missing lists who has not checked in, with a line to paste into the chat") {
  MorningGroup g;
  Ok(g.home, {"checkin", "早起打卡群", "张伟", "李娜"});
  CliResult text = Ok(g.home, {"checkin", "missing", "早起打卡群"});
  CHECK(Contains(text.out, "2 of 4 members"));
  CHECK(Contains(text.out, "@上海-王芳-设计 @赵强 — not checked in yet today"));
  CliResult zh = Ok(g.home, {"--lang", "zh", "checkin", "missing", "早起打卡群"});
  CHECK(Contains(zh.out, "@上海-王芳-设计 @赵强 今天还没打卡哦"));
  CHECK(Contains(zh.out, "可以直接贴到群里"));
  // Another day: nobody checked in yesterday.
  nlohmann::json yesterday = OkJson(g.home, {"checkin", "missing", "早起打卡群", "--date", "昨天"});
  CHECK(yesterday.at("missing").size() == 4);
  CHECK(Contains(yesterday.at("text").get<std::string>(), "not checked in for"));
  // Everyone in: said so, and nothing to paste.
  Ok(g.home, {"checkin", "早起打卡群", "王芳，赵强"});
  CHECK(Contains(Ok(g.home, {"checkin", "missing", "早起打卡群"}).out, "Everyone in 早起打卡群"));
  CHECK(OkJson(g.home, {"checkin", "missing", "早起打卡群"}).at("text") == "");
  // Without a group or names, `qun checkin` says what it needs.
  CliResult bare = g.home.Qun({"checkin"});
  CHECK_EXIT(bare, 2);
  CHECK(Contains(bare.err, "qun checkin missing GROUP"));
}

TEST_CASE("event attend marks a pasted list, each name with its outcome") {
  MorningGroup g;
  Ok(g.home, {"event", "add", "早起打卡群", "晨跑", "--at", "2099-05-04 07:00"});
  // One name: as it always was, an object.
  nlohmann::json one = OkJson(g.home, {"event", "attend", "晨跑", "张伟"});
  CHECK(one.at("changed") == true);
  CHECK_FALSE(one.contains("typed"));
  CHECK_EXIT(g.home.Qun({"event", "attend", "晨跑", "欧阳"}), 3);
  // Several: each marked or not, the good ones kept.
  CliResult many = g.home.Qun({"event", "attend", "晨跑", "张伟，李娜、外人 张为"});
  CHECK_EXIT(many, 3);
  CHECK(Contains(many.out, "张伟 was already marked as attending '晨跑'"));
  CHECK(Contains(many.out, "李娜 attended '晨跑'"));
  CHECK(Contains(many.out, "'外人': not marked: 外人 is not in the group"));
  CHECK(Contains(many.out, "'张为': not marked: no person matches '张为'; did you mean '张伟'?"));
  CHECK(Contains(many.err, "2 names were not marked (see above); the others were"));
  nlohmann::json list = OkJson(g.home, {"event", "attend", "晨跑", "王芳 赵强"});
  REQUIRE(list.is_array());
  CHECK(list.size() == 2);
  CHECK(list[0].at("typed") == "王芳");
  CHECK(list[1].at("changed") == true);
  // --strict: nobody, and the state unchanged.
  std::string before = StateHashOf(g.home);
  CliResult strict =
      g.home.Qun({"event", "attend", "晨跑", "张伟", "欧阳", "--absent", "--strict"});
  CHECK_EXIT(strict, 3);
  CHECK(Contains(strict.err, "nobody was marked (--strict)"));
  CHECK(StateHashOf(g.home) == before);
}
