// End-to-end tests of what qun prints: columns aligned with Chinese text,
// no ANSI codes into a pipe, the progress bar, and the global flags
// (--home, --json) wherever they stand.
//
// Each test case runs the real binary in its own temporary home and checks
// what a user or a script would see — output, exit codes (docs/cli.md),
// files on disk. The steps come from support/cli_steps.h.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "support/cli_runner.h"
#include "support/cli_steps.h"

using nlohmann::json;
using qun::testing::AddGroup;
using qun::testing::AddPerson;
using qun::testing::CliOptions;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::Init;
using qun::testing::LineStartingWith;
using qun::testing::Lines;
using qun::testing::Node;
using qun::testing::Ok;
using qun::testing::RunQun;
using qun::testing::SamplePath;
using qun::testing::Short;
using qun::testing::TempHome;

namespace {

// Terminal columns of UTF-8 text: CJK ideographs, CJK punctuation and
// fullwidth forms take two, everything else one. Enough for these tests.
size_t DisplayWidth(std::string_view s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : 4;
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    for (size_t k = 1; k < len && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    i += len;
    bool wide = (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3000 && cp <= 0x303F) ||
                (cp >= 0xFF00 && cp <= 0xFF60);
    width += wide ? 2 : 1;
  }
  return width;
}

// The display column where each of `headers` starts in a table's first line.
std::vector<size_t> HeaderColumns(const std::string& header_line,
                                  const std::vector<std::string>& headers) {
  std::vector<size_t> columns;
  size_t from = 0;
  for (const std::string& h : headers) {
    size_t pos = header_line.find(h, from);
    REQUIRE_MESSAGE(pos != std::string::npos, "no header " << h << " in: " << header_line);
    columns.push_back(DisplayWidth(header_line.substr(0, pos)));
    from = pos + h.size();
  }
  return columns;
}

// Checks that each non-empty cell of `line` starts at its header's column.
void CheckAligned(const std::string& line, const std::vector<size_t>& columns,
                  const std::vector<std::string>& cells) {
  REQUIRE(cells.size() <= columns.size());
  size_t from = 0;
  for (size_t c = 0; c < cells.size(); ++c) {
    if (cells[c].empty()) continue;
    size_t pos = line.find(cells[c], from);
    REQUIRE_MESSAGE(pos != std::string::npos, "no cell '" << cells[c] << "' in: " << line);
    CHECK_MESSAGE(DisplayWidth(line.substr(0, pos)) == columns[c],
                  "cell '" << cells[c] << "' starts at display column "
                           << DisplayWidth(line.substr(0, pos)) << ", its header at " << columns[c]
                           << ":\n"
                           << line);
    from = pos + cells[c].size();
  }
}

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE("member list, group list and member show align columns with Chinese text") {
    Node h;
    struct P {
      std::string name, nickname, city, handle_flag, handle, tag;
    };
    std::vector<P> people = {
        {"张伟", "北京-张伟-设计", "北京", "--wechat", "zhangwei_88", "摄影"},
        {"Alexander Hamilton", "Alex", "San Francisco", "--email", "alex@example.org", "AI"},
        {"欧阳娜娜", "娜娜（大提琴）", "台北", "--phone", "+886912345678", "音乐"},
        {"Li", "", "上海", "--wechat", "li_x", ""},
        {"Zoë Müller", "Zoë", "Zürich", "--email", "zoe@example.org", "café"},
    };
    std::map<std::string, std::string> ids;
    for (const P& p : people) {
      std::vector<std::string> args = {p.name, "--city", p.city, p.handle_flag, p.handle};
      if (!p.nickname.empty()) args.insert(args.end(), {"--nickname", p.nickname});
      if (!p.tag.empty()) args.insert(args.end(), {"--tag", p.tag});
      ids[p.name] = AddPerson(h, args);
    }

    // A nickname too wide for its column is cut with "…" and stays aligned.
    std::string sima = AddPerson(h, {"司马相如", "--nickname", "北京-司马-设计师-摄影爱好者-创业中",
                                     "--city", "成都", "--wechat", "sima_x"});

    CliResult list = Ok(h, {"member", "list"});
    std::vector<std::string> lines = Lines(list.out);
    REQUIRE(lines.size() == people.size() + 3);  // header, rows, "6 people"
    std::vector<size_t> columns =
        HeaderColumns(lines[0], {"ID", "NAME", "NICKNAME", "CITY", "CONTACT", "TAGS"});
    for (const P& p : people) {
      std::string line = LineStartingWith(list.out, Short(ids[p.name]));
      CAPTURE(line);
      CheckAligned(line, columns,
                   {Short(ids[p.name]), p.name, p.nickname, p.city, p.handle, p.tag});
    }
    std::string cut = LineStartingWith(list.out, Short(sima));
    CHECK(Contains(cut, "北京-司马-设计师-摄影爱…"));
    CheckAligned(cut, columns, {Short(sima), "司马相如", "北京-司马-设计师", "成都", "sima_x"});

    // Groups with Chinese, fullwidth and Latin names.
    std::vector<std::vector<std::string>> groups = {
        {"北京交流群", "exchange", "wechat", "open"},
        {"Shanghai Founders", "regional", "telegram", "open"},
        {"摄影兴趣群（付费）", "interest", "wechat", "paid 49.90"},
        {"AI", "other", "discord", "invite"},
    };
    std::map<std::string, std::string> gids;
    for (const auto& g : groups) {
      std::vector<std::string> args = {g[0], "--kind", g[1], "--platform", g[2]};
      if (g[3] == "paid 49.90")
        args.insert(args.end(), {"--admission", "paid", "--fee", "49.90"});
      else
        args.insert(args.end(), {"--admission", g[3]});
      gids[g[0]] = AddGroup(h, args);
    }
    Ok(h, {"member", "join", "北京交流群", "张伟"});
    Ok(h, {"member", "join", "北京交流群", "欧阳娜娜", "--role", "admin"});
    Ok(h, {"member", "join", "摄影兴趣群（付费）", "欧阳娜娜"});

    CliResult glist = Ok(h, {"group", "list"});
    std::vector<size_t> gcolumns =
        HeaderColumns(Lines(glist.out).at(0),
                      {"ID", "NAME", "KIND", "PLATFORM", "MEMBERS", "ADMISSION", "STATUS"});
    for (const auto& g : groups) {
      std::string members = g[0] == "北京交流群"           ? "2/500"
                            : g[0] == "摄影兴趣群（付费）" ? "1/500"
                                                           : "0/500";
      std::string line = LineStartingWith(glist.out, Short(gids[g[0]]));
      CAPTURE(line);
      CheckAligned(line, gcolumns, {Short(gids[g[0]]), g[0], g[1], g[2], members, g[3], "active"});
    }

    CliResult show = Ok(h, {"member", "show", "欧阳娜娜"});
    std::string table = show.out.substr(show.out.find("GROUP"));
    std::vector<size_t> scolumns =
        HeaderColumns(Lines(table).at(0), {"GROUP", "NAME", "ROLE", "STATUS", "JOINED"});
    CheckAligned(LineStartingWith(table, Short(gids["北京交流群"])), scolumns,
                 {Short(gids["北京交流群"]), "北京交流群", "admin", "active"});
    CheckAligned(LineStartingWith(table, Short(gids["摄影兴趣群（付费）"])), scolumns,
                 {Short(gids["摄影兴趣群（付费）"]), "摄影兴趣群（付费）", "member", "active"});
  }

  TEST_CASE("output to a pipe has no ANSI escape codes") {
    Node h;
    AddGroup(h, {"北京交流群"});
    AddPerson(h, {"张伟", "--wechat", "zw_1", "--group", "北京交流群"});
    CliOptions terminal_like;
    terminal_like.env = {{"TERM", "xterm-256color"}, {"CLICOLOR_FORCE", "1"}};
    std::vector<std::vector<std::string>> commands = {
        {"status"},
        {"group", "list"},
        {"group", "show", "北京交流群"},
        {"member", "list"},
        {"member", "list", "--group", "北京交流群"},
        {"member", "show", "张伟"},
        {"log"},
        {"export", "members"},
        {"import", "members", SamplePath()},
        {"member", "show", "nobody"},
        {"group", "add", "X", "--kind", "bogus"},
        {"--help"},
    };
    for (const auto& args : commands) {
      CliResult r = h.Qun(args, terminal_like);
      CAPTURE(args.at(0));
      CHECK(r.exit_code != 1);
      CHECK((!r.out.empty() || !r.err.empty()));
      CHECK_FALSE(Contains(r.out, "\x1b"));
      CHECK_FALSE(Contains(r.err, "\x1b"));
    }
  }

  TEST_CASE("--home and --json work before or after the command, and --home wins over QUN_HOME") {
    TempHome h;
    TempHome other;
    Init(h, "Here");
    Init(other, "Elsewhere");
    CliResult after = RunQun({"status", "--home", h.home(), "--json"});
    REQUIRE_EXIT(after, 0);
    CHECK(json::parse(after.out).at("community") == "Here");
    CliResult before = other.Qun({"--home", h.home(), "status"});
    REQUIRE_EXIT(before, 0);
    CHECK(Contains(before.out, "Here"));
    CHECK_FALSE(Contains(before.out, "Elsewhere"));
  }

  TEST_CASE("QUN_PROGRESS=always shows a progress bar on stderr, and none when not on a terminal") {
    Node h;
    CliOptions always;
    always.env = {{"QUN_PROGRESS", "always"}};
    CliResult shown = h.Qun({"import", "members", SamplePath()}, always);
    REQUIRE_EXIT(shown, 0);
    CHECK(Contains(shown.err, "Importing"));
    CHECK(Contains(shown.err, "240/240"));
    CHECK(Contains(shown.err, "["));
    CHECK_FALSE(Contains(shown.out, "Importing"));
    CHECK_FALSE(Contains(shown.out, "\r"));
    CHECK(Contains(shown.out, "240 imported"));

    CliResult quiet = h.Qun({"import", "members", SamplePath()});
    REQUIRE_EXIT(quiet, 0);
    CHECK(quiet.err.empty());
    CHECK(Contains(quiet.out, "240 unchanged"));
    CliOptions never;
    never.env = {{"QUN_PROGRESS", "never"}};
    CHECK(h.Qun({"import", "members", SamplePath()}, never).err.empty());

    // The export's bar stays on stderr; the CSV on stdout is the same.
    CliResult exported = h.Qun({"export", "members"}, always);
    REQUIRE_EXIT(exported, 0);
    CHECK(Contains(exported.err, "Exporting"));
    CHECK(exported.out == Ok(h, {"export", "members"}).out);
    CHECK(Ok(h, {"export", "members"}).err.empty());
  }
}
