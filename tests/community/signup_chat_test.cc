// The 接龙 writer, parser and name matcher (community/signup_chat.h).
#include "community/signup_chat.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>

#include "base/dates.h"
#include "base/when.h"

using namespace qun;
using core::ChatEntry;
using core::ChatMatch;
using core::ChatPerson;

namespace {

// The pasted lists are read in China's time zone, as organizers there do.
struct ShanghaiTime {
  std::string old;
  bool had = false;
  ShanghaiTime() {
    if (const char* tz = std::getenv("TZ")) {
      old = tz;
      had = true;
    }
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
  }
  ~ShanghaiTime() {
    if (had)
      setenv("TZ", old.c_str(), 1);
    else
      unsetenv("TZ");
    tzset();
  }
};

std::vector<std::string> Names(const core::ChatParse& p) {
  std::vector<std::string> out;
  for (const auto& e : p.entries) out.push_back(e.name());
  return out;
}

}  // namespace

TEST_CASE("the chat list has the 接龙 header, date, capacity, numbered lines and the waitlist") {
  ShanghaiTime tz;
  core::ChatHeader h;
  h.title = "周六读书会";
  h.starts_at = *core::ParseLocalTime("2026-11-28 14:00");
  h.place = "静安图书馆";
  h.mode = "offline";
  h.capacity = 20;
  h.status = "open";
  std::string out = core::FormatChatList(
      h, {{"张伟", 0, ""}, {"李娜", 1, ""}, {"王芳", 0, "带孩子"}}, {{"赵强", 0, ""}});
  CHECK(out ==
        "#接龙\n"
        "周六读书会 11月28日(周六) 14:00 静安图书馆\n"
        "报名上限 20 人\n"
        "\n"
        "1. 张伟\n"
        "2. 李娜 +1\n"
        "3. 王芳 带孩子\n"
        "候补:\n"
        "1. 赵强\n");
}

TEST_CASE("the chat list shows the end time, online events, no limit and a closed status") {
  ShanghaiTime tz;
  core::ChatHeader h;
  h.title = "线上分享";
  h.starts_at = *core::ParseLocalTime("2026-12-01 20:00");
  h.ends_at = *core::ParseLocalTime("2026-12-01 21:30");
  h.mode = "online";
  h.status = "closed";
  std::string out = core::FormatChatList(h, {{"Alice", 2, "晚到"}}, {});
  CHECK(out ==
        "#接龙\n"
        "线上分享 12月1日(周二) 20:00-21:30 线上（已截止）\n"
        "\n"
        "1. Alice +2 晚到\n");
  CHECK(core::ChatDateTime(*core::ParseLocalTime("2026-12-31 22:00"),
                           *core::ParseLocalTime("2027-01-01 02:00")) ==
        "12月31日(周四) 22:00-1月1日(周五) 02:00");
}

TEST_CASE("a written list parses back to the same names, guests, notes and waitlist") {
  ShanghaiTime tz;
  core::ChatHeader h;
  h.title = "周六读书会";
  h.starts_at = *core::ParseLocalTime("2026-11-28 14:00");
  h.place = "静安图书馆";
  h.capacity = 3;
  std::string out =
      core::FormatChatList(h, {{"张伟", 0, ""}, {"李娜", 1, "带孩子 晚到"}}, {{"赵强", 0, ""}});
  core::ChatParse p = core::ParseChatList(out);
  REQUIRE(p.entries.size() == 3);
  CHECK(Names(p) == std::vector<std::string>{"张伟", "李娜", "赵强"});
  CHECK(p.entries[1].guests == 1);
  CHECK(p.entries[1].note() == "带孩子 晚到");
  CHECK_FALSE(p.entries[1].waitlist);
  CHECK(p.entries[2].waitlist);
  CHECK(p.headers == 4);  // #接龙, title, capacity, 候补
}

TEST_CASE("numbers are read in every form the chats use") {
  std::string text =
      "1. 张伟\n"
      "2、李娜\n"
      "3) 王芳\n"
      "4）赵强\n"
      "５．刘洋\n"
      "6 陈静\n"
      "７、 杨帆\n"
      "8.黄磊\n"
      "9️⃣ 周杰\n"
      "10。吴敏\n";
  core::ChatParse p = core::ParseChatList(text);
  CHECK(Names(p) == std::vector<std::string>{"张伟", "李娜", "王芳", "赵强", "刘洋", "陈静", "杨帆",
                                             "黄磊", "周杰", "吴敏"});
  CHECK(p.entries[4].number == 5);
  CHECK(p.entries[9].number == 10);
  CHECK(p.entries[9].line == 10);
}

TEST_CASE("a line with a guest count and a note: 12. 张伟 +2 晚到半小时") {
  core::ChatParse p = core::ParseChatList("12. 张伟 +2 晚到半小时");
  REQUIRE(p.entries.size() == 1);
  const ChatEntry& e = p.entries[0];
  CHECK(e.number == 12);
  CHECK(e.name() == "张伟");
  CHECK(e.guests == 2);
  CHECK(e.tail == "晚到半小时");
  CHECK(e.note() == "晚到半小时");
}

TEST_CASE("guest counts are read attached, full-width and as emoji, and only as +1 to +99") {
  core::ChatParse p = core::ParseChatList(
      "1. 张伟+1\n"
      "2. 李娜 ＋２\n"
      "3. 王芳 ➕1 带孩子\n"
      "4. 赵强 +0\n"
      "5. 刘洋 +100\n"
      "6. C++ 爱好者\n");
  REQUIRE(p.entries.size() == 6);
  CHECK(p.entries[0].name() == "张伟");
  CHECK(p.entries[0].guests == 1);
  CHECK(p.entries[1].guests == 2);
  CHECK(p.entries[2].guests == 1);
  CHECK(p.entries[2].note() == "带孩子");
  CHECK(p.entries[3].guests == 0);
  CHECK(p.entries[3].note() == "+0");
  CHECK(p.entries[4].guests == 0);
  CHECK(p.entries[5].name() == "C++");
  CHECK(p.entries[5].guests == 0);
}

TEST_CASE("headers, example lines, blank lines, dates and times are not sign-ups") {
  std::string text =
      "#接龙\n"
      "周六读书会\n"
      "11月28日 14:00\n"
      "2026.11.28 静安\n"
      "14:00 集合\n"
      "\n"
      "例 张三 +1\n"
      "例：李四\n"
      "1. 例 王五\n"
      "\n"
      "1. 张伟\n"
      "2. \n"
      "3.\n";
  core::ChatParse p = core::ParseChatList(text);
  CHECK(Names(p) == std::vector<std::string>{"张伟"});
  CHECK(p.entries[0].line == 11);
  CHECK(p.headers == 8);
  CHECK(p.empty_slots == 2);
}

TEST_CASE("CRLF, a BOM, ideographic and WeChat spaces, and zero-width characters are tolerated") {
  std::string text =
      "\xEF\xBB\xBF#接龙\r\n"
      "读书会\r\n"
      "\r\n"
      "1.\xE3\x80\x80张伟\r\n"           // ideographic space
      "2. 李娜\xE2\x80\x85+1\r\n"        // U+2005, as after an @mention
      "3. \xE2\x80\x8B王芳\xC2\xA0\r\n"  // zero-width space, no-break space
      "4. 赵强";                         // no final line break
  core::ChatParse p = core::ParseChatList(text);
  CHECK(Names(p) == std::vector<std::string>{"张伟", "李娜", "王芳", "赵强"});
  CHECK(p.entries[1].guests == 1);
  CHECK(p.entries[3].line == 7);
  for (const auto& e : p.entries) CHECK(e.text.find('\r') == std::string::npos);
}

TEST_CASE("emoji around names and numbers are tolerated") {
  core::ChatParse p = core::ParseChatList(
      "🔥1. 张伟🌈\n"
      "2. 🎉李娜 +1\n");
  REQUIRE(p.entries.size() == 2);
  CHECK(p.entries[0].name() == "张伟🌈");
  CHECK(core::ChatNameKey(p.entries[0].name()) == "张伟");
  CHECK(core::ChatNameKey(p.entries[1].name()) == "李娜");
}

TEST_CASE("entries after the 候补 header are waitlist entries, in order, numbering restarted") {
  core::ChatParse p = core::ParseChatList(
      "1. 张伟\n"
      "2. 李娜\n"
      "【候补】\n"
      "1. 赵强\n"
      "2. 刘洋\n");
  REQUIRE(p.entries.size() == 4);
  CHECK_FALSE(p.entries[1].waitlist);
  CHECK(p.entries[2].waitlist);
  CHECK(p.entries[3].waitlist);
  CHECK(p.entries[3].number == 2);
}

TEST_CASE("duplicated lines are both parsed, and the matcher keeps the first") {
  core::ChatParse p = core::ParseChatList(
      "1. 张伟\n"
      "2. 李娜\n"
      "3. 张伟\n");
  REQUIRE(p.entries.size() == 3);
  std::vector<ChatPerson> people = {{"p1", "张伟", {"张伟"}}, {"p2", "李娜", {"李娜"}}};
  auto m = core::MatchChatEntries(p.entries, people);
  REQUIRE(m.size() == 3);
  CHECK(m[0].kind == ChatMatch::Kind::kMatched);
  CHECK(m[2].kind == ChatMatch::Kind::kDuplicate);
  CHECK(m[2].person_id == "p1");
  CHECK(m[2].first_line == 1);
}

TEST_CASE("names match display names, nicknames and handles, exactly then case-insensitively") {
  std::vector<ChatPerson> people = {
      {"p1", "张伟", {"张伟", "阿伟", "北京-张伟-产品", "zhangwei88"}},
      {"p2", "Alice Wang", {"Alice Wang"}},
      {"p3", "Alice", {"Alice"}},
      {"p4", "Ｂｏｂ", {"Ｂｏｂ"}},
  };
  core::ChatParse p = core::ParseChatList(
      "1. 阿伟\n"
      "2. 北京-张伟-产品 +1\n"
      "3. ZhangWei88\n"
      "4. alice wang 晚到\n"
      "5. ALICE\n"
      "6. bob\n"
      "7. @张伟，\n");
  auto m = core::MatchChatEntries(p.entries, people);
  REQUIRE(m.size() == 7);
  CHECK(m[0].person_id == "p1");
  CHECK(m[1].kind == ChatMatch::Kind::kDuplicate);  // p1 again
  CHECK(m[2].kind == ChatMatch::Kind::kDuplicate);
  CHECK(m[3].kind == ChatMatch::Kind::kMatched);
  CHECK(m[3].person_id == "p2");  // the longest run of words wins
  CHECK(m[3].note == "晚到");
  CHECK(m[4].person_id == "p3");
  CHECK(m[5].person_id == "p4");  // full-width letters fold to ASCII
  CHECK(m[6].kind == ChatMatch::Kind::kDuplicate);
}

TEST_CASE("the note is what follows the matched name, guest count or not") {
  std::vector<ChatPerson> people = {{"p1", "王芳", {"王芳"}}};
  auto m = core::MatchChatEntries(core::ParseChatList("3. 王芳 带孩子 +1 晚到").entries, people);
  REQUIRE(m.size() == 1);
  CHECK(m[0].person_id == "p1");
  CHECK(m[0].entry.guests == 1);
  CHECK(m[0].note == "带孩子 晚到");
}

TEST_CASE("an exact name beats a case-insensitive one — two people with one name are ambiguous") {
  std::vector<ChatPerson> people = {{"p1", "amy", {"amy"}},
                                    {"p2", "Amy", {"Amy"}},
                                    {"p3", "李娜", {"李娜"}},
                                    {"p4", "李娜", {"李娜"}}};
  auto m = core::MatchChatEntries(core::ParseChatList("1. Amy\n2. AMY\n3. 李娜\n4. 小明").entries,
                                  people);
  REQUIRE(m.size() == 4);
  CHECK(m[0].kind == ChatMatch::Kind::kMatched);
  CHECK(m[0].person_id == "p2");
  CHECK(m[1].kind == ChatMatch::Kind::kAmbiguous);
  CHECK(m[1].candidates.size() == 2);
  CHECK(m[2].kind == ChatMatch::Kind::kAmbiguous);
  CHECK(m[2].candidates == std::vector<std::string>{"p3", "p4"});
  CHECK(m[3].kind == ChatMatch::Kind::kUnmatched);
  CHECK(m[3].entry.line == 4);
}

TEST_CASE("name keys fold width, case, emoji, spaces and surrounding punctuation") {
  CHECK(core::ChatNameKey("  Ａｌｉｃｅ　Ｗａｎｇ ") == "alice wang");
  CHECK(core::ChatNameKey("张伟🌈✨") == "张伟");
  CHECK(core::ChatNameKey("@李娜。") == "李娜");
  CHECK(core::ChatNameKey("🎉") == "");
}
