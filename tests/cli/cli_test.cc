// End-to-end tests of the `qun` command line: each test case runs the real
// binary in its own temporary home and checks what a user or a script would
// see — output, exit codes (docs/cli.md), files on disk.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/store.h"
#include "support/cli_runner.h"

using nlohmann::json;
using qun::testing::CliOptions;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::ReadFile;
using qun::testing::RunQun;
using qun::testing::TempHome;
using qun::testing::WriteFile;

namespace {

// Runs qun in `home`; the command must succeed.
CliResult Ok(const TempHome& home, const std::vector<std::string>& args, CliOptions options = {}) {
  CliResult r = home.Qun(args, std::move(options));
  REQUIRE_EXIT(r, 0);
  return r;
}

// Runs `qun --json args...` in `home`; it must succeed and print JSON.
json Json(const TempHome& home, std::vector<std::string> args) {
  args.insert(args.begin(), "--json");
  CliResult r = Ok(home, args);
  json j = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  REQUIRE_MESSAGE(!j.is_discarded(), "not JSON: " << r.out);
  return j;
}

void Init(const TempHome& home, const std::string& name = "测试社区") {
  Ok(home, {"init", "--name", name, "--admin", "小林"});
}

// A home with a node in it.
struct Node : TempHome {
  explicit Node(const std::string& name = "测试社区") { Init(*this, name); }
};

std::string AddPerson(const TempHome& home, std::vector<std::string> args) {
  args.insert(args.begin(), {"member", "add"});
  json j = Json(home, args);
  return j.at("id").get<std::string>();
}

std::string AddGroup(const TempHome& home, std::vector<std::string> args) {
  args.insert(args.begin(), {"group", "add"});
  json j = Json(home, args);
  return j.at("id").get<std::string>();
}

std::string Short(const std::string& id) { return id.substr(0, 8); }

// The display names `member list --json args...` prints.
std::set<std::string> ListedNames(const TempHome& home, std::vector<std::string> args = {}) {
  args.insert(args.begin(), {"member", "list"});
  std::set<std::string> names;
  for (const json& p : Json(home, args)) names.insert(p.at("display_name").get<std::string>());
  return names;
}

// Everything that tells whether a command wrote: the counts and the history.
std::string Snapshot(const TempHome& home) {
  json status = Json(home, {"status"});
  json log = Json(home, {"log", "-n", "0"});
  return status.dump() + "\n" + log.dump();
}

std::string Hex(std::string_view bytes, bool upper = false) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

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

// The line of a table that starts with `key` (a short id).
std::string LineStartingWith(const std::string& text, const std::string& key) {
  for (const std::string& line : Lines(text))
    if (line.rfind(key, 0) == 0) return line;
  FAIL("no line starts with " << key << " in:\n" << text);
  return "";
}

std::string SamplePath() { return std::string(QUN_TEST_DATA) + "/members-sample.csv"; }

// Runs SQL on a database file from the test process.
void ExecSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) ==
          SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, sql << ": " << message);
}

int FileMode(const std::string& path) {
  struct stat st;
  REQUIRE_MESSAGE(stat(path.c_str(), &st) == 0, "cannot stat " << path);
  return static_cast<int>(st.st_mode & 07777);
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// Whether every line break outside quoted fields is a CRLF; counts records.
bool AllRecordsEndWithCrlf(const std::string& csv, size_t* records) {
  bool quoted = false;
  *records = 0;
  for (size_t i = 0; i < csv.size(); ++i) {
    if (csv[i] == '"') quoted = !quoted;
    if (csv[i] == '\n' && !quoted) {
      if (i == 0 || csv[i - 1] != '\r') return false;
      ++*records;
    }
  }
  return !csv.empty() && csv.back() == '\n';
}

constexpr std::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

namespace doctest {
template <>
struct StringMaker<std::set<std::string>> {
  static String convert(const std::set<std::string>& names) {
    std::string out = "{";
    for (const std::string& n : names) out += (out.size() > 1 ? ", " : "") + n;
    return (out + "}").c_str();
  }
};
}  // namespace doctest

TEST_SUITE("cli") {
  // ------------------------------------------------------------- node

  TEST_CASE("qun init writes a private key file and never prints the secret key") {
    TempHome h;
    CliResult init = h.Qun({"init", "--name", "湾区创业者社区 Bay Founders", "--admin", "小林"});
    REQUIRE_EXIT(init, 0);
    CHECK(Contains(init.out, "Created community '湾区创业者社区 Bay Founders'"));
    CHECK(Contains(init.out, h.home()));

    CHECK(FileMode(h.home()) == 0700);
    CHECK(FileMode(h.InHome("node.key")) == 0600);
    std::string key = ReadFile(h.InHome("node.key"));
    REQUIRE(key.size() == 64);
    // An Ed25519 secret key is the 32-byte seed followed by the public key;
    // the public half is the node id and may be shown, the seed never.
    std::string seed = key.substr(0, 32);
    std::string node_id = Hex(key.substr(32));
    CHECK(ReadFile(h.InHome("node.pub")) == node_id + "\n");
    CHECK(Contains(init.out, node_id));

    std::vector<CliResult> outputs = {init,
                                      h.Qun({"status"}),
                                      h.Qun({"--json", "status"}),
                                      h.Qun({"log", "-n", "0"}),
                                      h.Qun({"--json", "log", "-n", "0"}),
                                      h.Qun({"export", "members"}),
                                      h.Qun({"init", "--name", "again"})};
    for (const CliResult& r : outputs) {
      for (const std::string* stream : {&r.out, &r.err}) {
        CHECK_FALSE(Contains(*stream, Hex(key)));
        CHECK_FALSE(Contains(*stream, Hex(seed)));
        CHECK_FALSE(Contains(*stream, Hex(seed, /*upper=*/true)));
        CHECK_FALSE(Contains(*stream, seed));
      }
    }
  }

  TEST_CASE("qun status --json shows the community name, node id, schema version and counts") {
    Node h("湾区创业者社区 Bay Founders");
    AddGroup(h, {"北京交流群"});
    AddGroup(h, {"Old Group"});
    Ok(h, {"group", "archive", "Old Group"});
    AddPerson(h, {"张伟", "--wechat", "zw_1", "--group", "北京交流群"});
    AddPerson(h, {"李娜"});
    AddPerson(h, {"Alice Chen"});

    json s = Json(h, {"status"});
    CHECK(s.at("community") == "湾区创业者社区 Bay Founders");
    std::string node_id = ReadFile(h.InHome("node.pub"));
    node_id.pop_back();  // the newline
    CHECK(s.at("node_id") == node_id);
    CHECK(s.at("node_id").get<std::string>().size() == 64);
    CHECK(s.at("community_id").get<std::string>().size() == 32);
    CHECK(s.at("schema_version") == qun::core::Store::LatestSchemaVersion());
    CHECK(s.at("groups") == 1);
    CHECK(s.at("archived_groups") == 1);
    CHECK(s.at("people") == 3);
    CHECK(s.at("active_memberships") == 1);
    CHECK(s.at("changes") == 7);  // init, 2 group adds, archive, 3 member adds
    CHECK(s.at("home") == h.home());
    CHECK(s.at("database") == h.InHome("community.db"));

    CliResult text = Ok(h, {"status"});
    CHECK(Contains(text.out, "湾区创业者社区 Bay Founders"));
    CHECK(Contains(text.out, node_id));
    CHECK(Contains(text.out, "1 active, 1 archived"));
    CHECK(Contains(text.out, "version " + std::to_string(qun::core::Store::LatestSchemaVersion())));
  }

  TEST_CASE("qun init in a home that already holds a node fails with exit 4 and changes nothing") {
    Node h("First");
    AddPerson(h, {"张伟"});
    std::string before = Snapshot(h);
    std::string key = ReadFile(h.InHome("node.key"));
    std::string pub = ReadFile(h.InHome("node.pub"));
    std::string db = ReadFile(h.InHome("community.db"));

    CliResult again = h.Qun({"init", "--name", "Second"});
    CHECK_EXIT(again, 4);
    CHECK(Contains(again.err, "already"));
    CHECK(Contains(again.err, h.home()));
    CHECK(again.out.empty());

    CliResult as_json = h.Qun({"--json", "init", "--name", "Second"});
    CHECK_EXIT(as_json, 4);
    json err = json::parse(as_json.err, nullptr, false);
    REQUIRE_MESSAGE(!err.is_discarded(), as_json.err);
    CHECK(err["error"]["code"] == "conflict");

    CHECK(ReadFile(h.InHome("node.key")) == key);
    CHECK(ReadFile(h.InHome("node.pub")) == pub);
    CHECK(ReadFile(h.InHome("community.db")) == db);
    CHECK_FALSE(Exists(h.InHome("community.db-wal")));
    CHECK(Snapshot(h) == before);
    CHECK(Json(h, {"status"}).at("community") == "First");
  }

  // ------------------------------------------------------------- groups

  TEST_CASE("qun group add, show, edit and list report every setting, also as JSON") {
    Node h;
    CliResult added = Ok(h, {"group", "add", "Shanghai Founders", "--kind", "regional",
                             "--platform", "telegram", "--handle", "@shfounders"});
    CHECK(Contains(added.out, "Added group Shanghai Founders ("));

    json g = Json(
        h, {"group", "add", "北京交流群", "--kind", "exchange", "--platform", "wechat", "--handle",
            "bj_group", "--capacity", "300", "--admission", "paid", "--fee", "49.9", "--rules",
            "不发广告", "--intro-template", "我是谁 / 我需要什么 / 我能提供什么"});
    std::string id = g.at("id").get<std::string>();
    CHECK(id.size() == 32);
    CHECK(g.at("name") == "北京交流群");
    CHECK(g.at("kind") == "exchange");
    CHECK(g.at("platform") == "wechat");
    CHECK(g.at("handle") == "bj_group");
    CHECK(g.at("capacity") == 300);
    CHECK(g.at("admission") == "paid");
    CHECK(g.at("fee") == "49.90");
    CHECK(g.at("rules") == "不发广告");
    CHECK(g.at("intro_template") == "我是谁 / 我需要什么 / 我能提供什么");
    CHECK(g.at("status") == "active");
    CHECK(g.at("active_members") == 0);
    CHECK(g.at("created_at").get<int64_t>() > 0);

    AddPerson(h, {"张伟", "--group", "北京交流群", "--role", "admin"});
    json shown = Json(h, {"group", "show", "北京交流群"});
    CHECK(shown.at("id") == id);
    CHECK(shown.at("active_members") == 1);
    REQUIRE(shown.at("members").size() == 1);
    CHECK(shown["members"][0].at("person") == "张伟");
    CHECK(shown["members"][0].at("role") == "admin");

    CliResult text = Ok(h, {"group", "show", Short(id)});
    CHECK(Contains(text.out, "北京交流群"));
    CHECK(Contains(text.out, "1/300"));
    CHECK(Contains(text.out, "paid, fee 49.90"));
    CHECK(Contains(text.out, "不发广告"));
    CHECK(Contains(text.out, "张伟"));

    json edited =
        Json(h, {"group", "edit", "北京交流群", "--name", "北京交流一群", "--capacity", "200"});
    CHECK(edited.at("changed_fields") == 2);
    CHECK(edited.at("name") == "北京交流一群");
    CHECK(edited.at("capacity") == 200);
    CHECK(edited.at("rules") == "不发广告");  // untouched
    CliResult same = Ok(h, {"group", "edit", "北京交流一群", "--capacity", "200"});
    CHECK(Contains(same.out, "Nothing changed"));
    CHECK_EXIT(h.Qun({"group", "show", "北京交流群"}), 3);

    json list = Json(h, {"group", "list"});
    REQUIRE(list.size() == 2);
    std::set<std::string> names;
    for (const json& e : list) names.insert(e.at("name"));
    CHECK(names == std::set<std::string>{"北京交流一群", "Shanghai Founders"});
    CliResult table = Ok(h, {"group", "list"});
    CHECK(Contains(table.out, "1/200"));
    CHECK(Contains(table.out, "paid 49.90"));
    CHECK(Contains(table.out, "telegram"));
  }

  TEST_CASE("a duplicate group name is refused with exit 4 naming the existing group") {
    Node h;
    std::string id = AddGroup(h, {"Shanghai Founders"});
    std::string other = AddGroup(h, {"北京交流群"});

    CliResult same = h.Qun({"group", "add", "Shanghai Founders"});
    CHECK_EXIT(same, 4);
    CHECK(Contains(same.err, "already exists"));
    CHECK(Contains(same.err, "Shanghai Founders"));
    CHECK(Contains(same.err, Short(id)));

    // Names differing only in ASCII case are the same name.
    CliResult upper = h.Qun({"group", "add", "SHANGHAI founders"});
    CHECK_EXIT(upper, 4);
    CHECK(Contains(upper.err, Short(id)));
    CliResult rename = h.Qun({"group", "edit", Short(other), "--name", "shanghai FOUNDERS"});
    CHECK_EXIT(rename, 4);
    CHECK(Contains(rename.err, Short(id)));

    CliResult chinese = h.Qun({"group", "add", "北京交流群"});
    CHECK_EXIT(chinese, 4);
    CHECK(Contains(chinese.err, "北京交流群"));
    CHECK(Contains(chinese.err, Short(other)));

    CHECK(Json(h, {"group", "list"}).size() == 2);
  }

  TEST_CASE("an invalid group kind is refused with exit 2 listing the allowed kinds") {
    Node h;
    CliResult kind = h.Qun({"group", "add", "X", "--kind", "bogus"});
    CHECK_EXIT(kind, 2);
    CHECK(Contains(kind.err, "bogus"));
    for (const char* k : {"exchange", "course", "regional", "resource", "interest", "other"})
      CHECK_MESSAGE(Contains(kind.err, k), "'" << k << "' missing from: " << kind.err);

    CliResult platform = h.Qun({"group", "add", "X", "--platform", "myspace"});
    CHECK_EXIT(platform, 2);
    for (const char* p : {"wechat", "qq", "telegram", "discord"})
      CHECK_MESSAGE(Contains(platform.err, p), "'" << p << "' missing from: " << platform.err);

    CHECK_EXIT(h.Qun({"group", "add", "X", "--fee", "¥50"}), 2);
    CHECK_EXIT(h.Qun({"group", "add", "X", "--capacity", "0"}), 2);
    CHECK(Json(h, {"group", "list"}).empty());
  }

  TEST_CASE("an archived group is hidden from group list and shown with --all") {
    Node h;
    AddGroup(h, {"北京交流群"});
    std::string old_id = AddGroup(h, {"旧群 Old"});
    AddPerson(h, {"张伟"});

    CliResult archived = Ok(h, {"group", "archive", "旧群 Old"});
    CHECK(Contains(archived.out, "Archived group 旧群 Old"));
    CHECK(Contains(archived.out, "--status active"));

    CliResult list = Ok(h, {"group", "list"});
    CHECK(Contains(list.out, "北京交流群"));
    CHECK_FALSE(Contains(list.out, "旧群 Old"));
    CliResult all = Ok(h, {"group", "list", "--all"});
    CHECK(Contains(all.out, "北京交流群"));
    std::string row = LineStartingWith(all.out, Short(old_id));
    CHECK(Contains(row, "旧群 Old"));
    CHECK(Contains(row, "archived"));

    CHECK(Json(h, {"group", "list"}).size() == 1);
    json with_all = Json(h, {"group", "list", "--all"});
    REQUIRE(with_all.size() == 2);
    for (const json& g : with_all)
      CHECK(g.at("status") == (g.at("id") == old_id ? "archived" : "active"));

    // An archived group takes no new members, until it is reactivated.
    CHECK_EXIT(h.Qun({"member", "join", "旧群 Old", "张伟"}), 4);
    Ok(h, {"group", "edit", "旧群 Old", "--status", "active"});
    CHECK(Contains(Ok(h, {"group", "list"}).out, "旧群 Old"));
    Ok(h, {"member", "join", "旧群 Old", "张伟"});
  }

  // ------------------------------------------------------------- people

  TEST_CASE("qun member add keeps Chinese and Latin names and normalizes contact handles") {
    Node h;
    CliResult added = Ok(h, {"member", "add", "张伟", "--nickname", "北京-张伟-设计", "--wechat",
                             "zhangwei_88", "--city", "北京", "--tag", "摄影", "--tag", "创业"});
    CHECK(Contains(added.out, "Added 张伟 ("));

    json alice = Json(h, {"member", "add", "Alice Chen", "--phone", "+1 415-555-0101", "--email",
                          "Alice@Example.ORG", "--city", "San Francisco", "--tag", "AI",
                          "--referred-by", "zhangwei_88", "--intro", "做设计的\n也拍照"});
    CHECK(alice.at("display_name") == "Alice Chen");
    CHECK(alice["handles"]["phone"] == json::array({"+14155550101"}));
    CHECK(alice["handles"]["email"] == json::array({"alice@example.org"}));
    CHECK(alice["handles"]["wechat"].empty());
    CHECK(alice.at("tags") == json::array({"AI"}));
    CHECK(alice.at("intro") == "做设计的\n也拍照");

    json zhang = Json(h, {"member", "show", "北京-张伟-设计"});
    CHECK(zhang.at("display_name") == "张伟");
    CHECK(zhang.at("city") == "北京");
    CHECK(zhang.at("tags") == json::array({"创业", "摄影"}));
    CHECK(zhang["handles"]["wechat"] == json::array({"zhangwei_88"}));
    CHECK(alice.at("referred_by") == zhang.at("id"));

    // Any handle finds the person, a phone however it is typed.
    CHECK(Json(h, {"member", "show", "+1 (415) 555-0101"}).at("id") == alice.at("id"));
    CHECK(Json(h, {"member", "show", "ALICE@example.org"}).at("id") == alice.at("id"));
    CHECK(Json(h, {"member", "show", "alice chen"}).at("id") == alice.at("id"));

    CliResult text = Ok(h, {"member", "show", "Alice Chen"});
    CHECK(Contains(text.out, "phone +14155550101, email alice@example.org"));
    CHECK(Contains(text.out, "San Francisco"));
    CHECK(Contains(text.out, "张伟 (" + Short(zhang.at("id")) + ")"));
    CHECK(Contains(text.out, "Not in any group."));

    CHECK_EXIT(h.Qun({"member", "add", "Bad", "--email", "not-an-email"}), 2);
    CHECK_EXIT(h.Qun({"member", "add", "Bad", "--phone", "call me"}), 2);
    CHECK(ListedNames(h) == std::set<std::string>{"张伟", "Alice Chen"});
  }

  TEST_CASE("qun member list filters by group, tag, city, membership status and role") {
    Node h;
    AddGroup(h, {"北京交流群"});
    AddGroup(h, {"Shanghai Founders"});
    AddPerson(h, {"张伟", "--city", "北京", "--tag", "摄影", "--tag", "创业", "--group",
                  "北京交流群", "--role", "admin"});
    AddPerson(h, {"李娜", "--city", "上海", "--tag", "摄影", "--group", "北京交流群"});
    AddPerson(h, {"Bob Smith", "--city", "上海", "--tag", "AI"});
    AddPerson(h, {"王芳", "--city", "北京"});
    Ok(h, {"member", "set-status", "北京交流群", "李娜", "muted"});
    Ok(h, {"member", "join", "Shanghai Founders", "李娜", "--role", "core"});
    Ok(h, {"member", "join", "Shanghai Founders", "Bob Smith"});
    Ok(h, {"member", "leave", "Shanghai Founders", "Bob Smith"});

    using Names = std::set<std::string>;
    CHECK(ListedNames(h) == Names{"张伟", "李娜", "Bob Smith", "王芳"});
    CHECK(ListedNames(h, {"--group", "北京交流群"}) == Names{"张伟", "李娜"});
    CHECK(ListedNames(h, {"--group", "Shanghai Founders"}) == Names{"李娜"});
    CHECK(ListedNames(h, {"--tag", "摄影"}) == Names{"张伟", "李娜"});
    CHECK(ListedNames(h, {"--city", "上海"}) == Names{"李娜", "Bob Smith"});
    CHECK(ListedNames(h, {"--tag", "摄影", "--city", "上海"}) == Names{"李娜"});
    CHECK(ListedNames(h, {"--status", "left"}) == Names{"Bob Smith"});
    CHECK(ListedNames(h, {"--status", "muted"}) == Names{"李娜"});
    CHECK(ListedNames(h, {"--role", "admin"}) == Names{"张伟"});
    CHECK(ListedNames(h, {"--role", "core"}) == Names{"李娜"});
    CHECK(ListedNames(h, {"--group", "Shanghai Founders", "--status", "left"}) ==
          Names{"Bob Smith"});
    CHECK(ListedNames(h, {"--group", "北京交流群", "--role", "core"}).empty());

    // With --group, each person's role and status there.
    json in_group = Json(h, {"member", "list", "--group", "北京交流群"});
    for (const json& p : in_group) {
      if (p.at("display_name") == "张伟") {
        CHECK(p.at("role") == "admin");
        CHECK(p.at("status") == "active");
      } else {
        CHECK(p.at("role") == "member");
        CHECK(p.at("status") == "muted");
      }
    }
    CliResult table = Ok(h, {"member", "list", "--group", "北京交流群"});
    CHECK(Contains(Lines(table.out).at(0), "ROLE"));
    CHECK(Contains(table.out, "muted"));
    CHECK(Contains(table.out, "2 people"));
    CHECK(Contains(Ok(h, {"member", "list", "--city", "深圳"}).out, "No one matches."));

    CliResult bad_status = h.Qun({"member", "list", "--status", "gone"});
    CHECK_EXIT(bad_status, 2);
    CHECK(Contains(bad_status.err, "applicant"));
    CHECK_EXIT(h.Qun({"member", "list", "--role", "king"}), 2);
    CHECK_EXIT(h.Qun({"member", "list", "--group", "No Such Group"}), 3);
  }

  TEST_CASE("qun member show lists a person's memberships across all groups") {
    Node h;
    std::string bj = AddGroup(h, {"北京交流群"});
    std::string sh = AddGroup(h, {"Shanghai Founders"});
    AddGroup(h, {"摄影兴趣群"});
    AddPerson(h, {"张伟", "--wechat", "zw_1"});
    std::string li = AddPerson(h, {"李娜", "--group", "北京交流群"});
    Ok(h,
       {"member", "join", "Shanghai Founders", "李娜", "--role", "core", "--invited-by", "zw_1"});
    Ok(h, {"member", "set-status", "北京交流群", "李娜", "muted"});

    json shown = Json(h, {"member", "show", "李娜"});
    CHECK(shown.at("id") == li);
    REQUIRE(shown.at("memberships").size() == 2);
    std::map<std::string, json> by_group;
    for (const json& m : shown["memberships"]) by_group[m.at("group").get<std::string>()] = m;
    REQUIRE(by_group.count("北京交流群"));
    REQUIRE(by_group.count("Shanghai Founders"));
    CHECK(by_group["北京交流群"].at("group_id") == bj);
    CHECK(by_group["北京交流群"].at("role") == "member");
    CHECK(by_group["北京交流群"].at("status") == "muted");
    CHECK(by_group["Shanghai Founders"].at("group_id") == sh);
    CHECK(by_group["Shanghai Founders"].at("role") == "core");
    CHECK(by_group["Shanghai Founders"].at("status") == "active");
    CHECK(by_group["Shanghai Founders"].at("invited_by") ==
          Json(h, {"member", "show", "zw_1"}).at("id"));

    CliResult text = Ok(h, {"member", "show", Short(li)});
    std::string bj_row = LineStartingWith(text.out, Short(bj));
    CHECK(Contains(bj_row, "北京交流群"));
    CHECK(Contains(bj_row, "muted"));
    std::string sh_row = LineStartingWith(text.out, Short(sh));
    CHECK(Contains(sh_row, "Shanghai Founders"));
    CHECK(Contains(sh_row, "core"));
    CHECK_FALSE(Contains(text.out, "摄影兴趣群"));
  }

  TEST_CASE("qun member edit changes only the fields given") {
    Node h;
    std::string id = AddPerson(h, {"张伟", "--nickname", "老张", "--wechat", "zw_1", "--city",
                                   "北京", "--tag", "摄影", "--tag", "创业", "--intro", "设计师"});

    json edited = Json(h, {"member", "edit", "zw_1", "--city", "上海", "--add-tag", "投资",
                           "--remove-tag", "摄影", "--phone", "138 0013 8000"});
    CHECK(edited.at("id") == id);
    CHECK(edited.at("changed_fields").get<int>() > 0);
    CHECK(edited.at("city") == "上海");
    CHECK(edited.at("tags") == json::array({"创业", "投资"}));
    CHECK(edited["handles"]["phone"] == json::array({"13800138000"}));
    CHECK(edited["handles"]["wechat"] == json::array({"zw_1"}));
    CHECK(edited.at("nickname") == "老张");
    CHECK(edited.at("intro") == "设计师");
    CHECK(edited.at("display_name") == "张伟");

    CliResult renamed = Ok(h, {"member", "edit", "老张", "--name", "张伟伟", "--remove-wechat",
                               "zw_1", "--wechat", "zw_2"});
    CHECK(Contains(renamed.out, "Updated 张伟伟 (" + Short(id) + ")"));
    json after = Json(h, {"member", "show", "张伟伟"});
    CHECK(after["handles"]["wechat"] == json::array({"zw_2"}));
    CHECK_EXIT(h.Qun({"member", "show", "zw_1"}), 3);

    CliResult nothing = Ok(h, {"member", "edit", "张伟伟", "--city", "上海"});
    CHECK(Contains(nothing.out, "Nothing changed for 张伟伟"));
    CHECK_EXIT(h.Qun({"member", "edit", "nobody", "--city", "上海"}), 3);
  }

  TEST_CASE("a removed person disappears from lists but the log keeps their history") {
    Node h;
    AddGroup(h, {"北京交流群"});
    std::string id =
        AddPerson(h, {"张伟", "--wechat", "zw_1", "--city", "北京", "--group", "北京交流群"});
    AddPerson(h, {"李娜"});

    CliResult removed = Ok(h, {"member", "remove", "张伟"});
    CHECK(Contains(removed.out, "Removed 张伟 (" + Short(id) + ")"));
    CHECK(Contains(removed.out, "qun log " + Short(id)));

    CHECK(ListedNames(h) == std::set<std::string>{"李娜"});
    CHECK_FALSE(Contains(Ok(h, {"member", "list"}).out, "张伟"));
    CHECK(ListedNames(h, {"--group", "北京交流群"}).empty());
    CHECK_EXIT(h.Qun({"member", "show", Short(id)}), 3);
    CHECK_EXIT(h.Qun({"member", "show", "zw_1"}), 3);
    CHECK(Json(h, {"status"}).at("people") == 1);
    CHECK(Json(h, {"status"}).at("active_memberships") == 0);
    CHECK(Json(h, {"group", "show", "北京交流群"}).at("members").empty());

    json log = Json(h, {"log", Short(id), "-n", "0"});
    std::set<std::string> fields;
    for (const json& e : log) fields.insert(e.at("field"));
    CHECK(fields.count("display_name"));
    CHECK(fields.count("city"));
    CHECK(fields.count("deleted"));
    CHECK(Contains(Ok(h, {"log", Short(id)}).out, "member remove"));

    // Adding them again with the same handle brings the record back.
    CHECK(AddPerson(h, {"张伟", "--wechat", "zw_1"}) == id);
    CHECK(ListedNames(h) == std::set<std::string>{"张伟", "李娜"});
  }

  TEST_CASE("join, leave, set-status and set-role change the membership and refuse bad values") {
    Node h;
    AddGroup(h, {"北京交流群", "--capacity", "2"});
    AddPerson(h, {"张伟"});
    AddPerson(h, {"李娜"});
    AddPerson(h, {"Bob Smith"});

    CliResult joined = Ok(h, {"member", "join", "北京交流群", "张伟", "--role", "admin"});
    CHECK(Contains(joined.out, "张伟 in 北京交流群: role admin, status active"));
    json m = Json(h, {"member", "join", "北京交流群", "李娜", "--invited-by", "张伟"});
    CHECK(m.at("person") == "李娜");
    CHECK(m.at("group") == "北京交流群");
    CHECK(m.at("role") == "member");
    CHECK(m.at("status") == "active");
    CHECK(m.at("invited_by") == Json(h, {"member", "show", "张伟"}).at("id"));
    CHECK(Json(h, {"status"}).at("active_memberships") == 2);

    CliResult full = h.Qun({"member", "join", "北京交流群", "Bob Smith"});
    CHECK_EXIT(full, 4);
    CHECK(Contains(full.err, "full"));

    CHECK(Json(h, {"member", "set-role", "北京交流群", "李娜", "core"}).at("role") == "core");
    CHECK(Json(h, {"member", "set-status", "北京交流群", "李娜", "muted"}).at("status") == "muted");
    CliResult left = Ok(h, {"member", "leave", "北京交流群", "李娜"});
    CHECK(Contains(left.out, "李娜 in 北京交流群: role core, status left"));
    CHECK(Json(h, {"status"}).at("active_memberships") == 1);

    CliResult bad_status = h.Qun({"member", "set-status", "北京交流群", "张伟", "asleep"});
    CHECK_EXIT(bad_status, 2);
    for (const char* s : {"applicant", "active", "muted", "left", "removed", "banned"})
      CHECK(Contains(bad_status.err, s));
    CliResult bad_role = h.Qun({"member", "set-role", "北京交流群", "张伟", "king"});
    CHECK_EXIT(bad_role, 2);
    for (const char* r : {"member", "core", "admin", "owner"}) CHECK(Contains(bad_role.err, r));
    CHECK_EXIT(h.Qun({"member", "join", "北京交流群", "nobody"}), 3);
    CHECK_EXIT(h.Qun({"member", "join", "No Such Group", "张伟"}), 3);
    CHECK(Json(h, {"member", "show", "张伟"})["memberships"][0].at("role") == "admin");
  }

  TEST_CASE("a wechat handle already used by another person is refused with exit 4 naming them") {
    Node h;
    std::string id = AddPerson(h, {"张伟", "--wechat", "zw_1", "--email", "zw@example.org"});
    AddPerson(h, {"李娜", "--wechat", "ln_1"});
    std::string before = Snapshot(h);

    CliResult dup = h.Qun({"member", "add", "李四", "--wechat", "zw_1"});
    CHECK_EXIT(dup, 4);
    CHECK(Contains(dup.err, "张伟"));
    CHECK(Contains(dup.err, Short(id)));

    CliResult edit = h.Qun({"member", "edit", "李娜", "--wechat", "zw_1"});
    CHECK_EXIT(edit, 4);
    CHECK(Contains(edit.err, "张伟"));

    // Email addresses compare without case.
    CliResult email = h.Qun({"member", "add", "李四", "--email", "ZW@Example.org"});
    CHECK_EXIT(email, 4);
    CHECK(Contains(email.err, "张伟"));

    CHECK(Snapshot(h) == before);
  }

  TEST_CASE("the same person added offline in two homes with the same wechat gets the same id") {
    Node a("社区");
    Node b("社区");
    std::string in_a = AddPerson(a, {"王芳", "--wechat", "wang_fang_88", "--city", "北京"});
    std::string in_b =
        AddPerson(b, {"Wang Fang", "--wechat", "wang_fang_88", "--phone", "13800138000"});
    CHECK(in_a.size() == 32);
    CHECK(in_a == in_b);
    // Without a handle there is no natural key: ids are random.
    CHECK(AddPerson(a, {"李娜"}) != AddPerson(b, {"李娜"}));
    CHECK(AddPerson(a, {"Other", "--wechat", "other_1"}) != in_a);
  }

  // ------------------------------------------------------------- references

  TEST_CASE("an id prefix shown by member list resolves to the person") {
    Node h;
    std::string gid = AddGroup(h, {"北京交流群"});
    std::string zhang = AddPerson(h, {"张伟", "--wechat", "zw_prefix_1"});
    std::string li = AddPerson(h, {"李娜", "--wechat", "ln_prefix_2"});

    CliResult list = Ok(h, {"member", "list"});
    std::string row = LineStartingWith(list.out, Short(zhang));
    std::string shown_prefix = row.substr(0, row.find(' '));
    CHECK(shown_prefix.size() == 8);
    CHECK(Json(h, {"member", "show", shown_prefix}).at("id") == zhang);
    CHECK(Json(h, {"member", "show", li.substr(0, 6)}).at("id") == li);
    CHECK(Json(h, {"member", "show", li}).at("id") == li);
    std::string upper = Short(li);
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    CHECK(Json(h, {"member", "show", upper}).at("id") == li);
    Ok(h, {"member", "join", Short(gid), shown_prefix});
    CHECK(Json(h, {"group", "show", Short(gid)}).at("members").size() == 1);
  }

  TEST_CASE("an ambiguous reference is refused with exit 4 and an unknown one with exit 3") {
    Node h;
    // Ids derived from 1200 handles share some 4-character prefix.
    std::string csv = "display_name,wechat\n";
    for (int i = 0; i < 1200; ++i)
      csv += "Person " + std::to_string(i) + ",amb_" + std::to_string(i) + "\n";
    Ok(h, {"import", "members", h.Write("many.csv", csv)});
    std::map<std::string, std::vector<std::string>> by_prefix;
    for (const json& p : Json(h, {"member", "list"}))
      by_prefix[p.at("id").get<std::string>().substr(0, 4)].push_back(p.at("id"));
    REQUIRE(by_prefix.size() < 1200);
    std::string shared, unused;
    for (const auto& [prefix, ids] : by_prefix)
      if (ids.size() >= 2 && shared.empty()) shared = prefix;
    for (int i = 0; i < 0x10000 && unused.empty(); ++i) {
      char buf[16];
      snprintf(buf, sizeof buf, "%04x", i);
      if (!by_prefix.count(buf)) unused = buf;
    }
    REQUIRE(!shared.empty());

    CliResult prefix = h.Qun({"member", "show", shared});
    CHECK_EXIT(prefix, 4);
    CHECK(Contains(prefix.err, "ambiguous"));
    for (const std::string& id : by_prefix[shared]) CHECK(Contains(prefix.err, Short(id)));
    CHECK_EXIT(h.Qun({"member", "edit", shared, "--city", "北京"}), 4);

    std::string a = AddPerson(h, {"张伟", "--city", "北京"});
    std::string b = AddPerson(h, {"张伟", "--city", "上海"});
    CliResult name = h.Qun({"member", "show", "张伟"});
    CHECK_EXIT(name, 4);
    CHECK(Contains(name.err, "ambiguous"));
    CHECK(Contains(name.err, Short(a)));
    CHECK(Contains(name.err, Short(b)));
    AddGroup(h, {"北京交流群"});
    CHECK_EXIT(h.Qun({"member", "join", "北京交流群", "张伟"}), 4);
    CHECK(Json(h, {"group", "show", "北京交流群"}).at("members").empty());

    CHECK_EXIT(h.Qun({"member", "show", unused}), 3);
    CliResult unknown = h.Qun({"member", "show", "Nobody Here"});
    CHECK_EXIT(unknown, 3);
    CHECK(Contains(unknown.err, "Nobody Here"));
    CHECK_EXIT(h.Qun({"group", "show", "No Such Group"}), 3);
    CHECK_EXIT(h.Qun({"log", "Nobody Here"}), 3);
  }

  // ------------------------------------------------------------- output

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

  // ------------------------------------------------------------- import and export

  TEST_CASE("importing the sample sheet adds 240 people and importing it again changes nothing") {
    Node h;
    CliResult first = Ok(h, {"import", "members", SamplePath()});
    CHECK(Contains(first.out, "UTF-8 with BOM"));
    CHECK(Contains(first.out, "240 imported, 0 updated, 0 unchanged, 0 rejected"));
    CHECK(Json(h, {"status"}).at("people") == 240);
    std::string before = Snapshot(h);

    json again = Json(h, {"import", "members", SamplePath()});
    CHECK(again.at("rows") == 240);
    CHECK(again.at("imported") == 0);
    CHECK(again.at("updated") == 0);
    CHECK(again.at("unchanged") == 240);
    CHECK(again.at("rejected") == 0);
    CHECK(Snapshot(h) == before);

    // Quoted fields with commas, doubled quotes and line breaks survive.
    json mo = Json(h, {"member", "show", "wx_587703"});
    CHECK(mo.at("display_name") == "莫军洋");
    CHECK(mo.at("intro") == "喜欢\"慢生活\"");
    CHECK(mo.at("offers") == "摄影, 修图");
    CHECK(Json(h, {"member", "show", "wx_667892"}).at("intro") == "两个娃的妈妈，\n周末带娃徒步");
  }

  TEST_CASE("export members, import into a fresh home and export again gives the same bytes") {
    Node a;
    Ok(a, {"import", "members", SamplePath()});
    AddPerson(a, {"Alice Chen", "--email", "alice@example.org", "--referred-by", "wx_587703",
                  "--notes", "line one\nline \"two\", with comma"});
    std::string first = Ok(a, {"export", "members"}).out;

    Node b("另一个节点");
    std::string path = b.Write("members.csv", first);
    json imported = Json(b, {"import", "members", path});
    CHECK(imported.at("imported") == 241);
    CHECK(imported.at("rejected") == 0);
    std::string second = Ok(b, {"export", "members"}).out;
    CHECK(second.size() == first.size());
    CHECK(second == first);

    // Re-importing the export into its own home changes nothing.
    json back = Json(a, {"import", "members", a.Write("own.csv", first)});
    CHECK(back.at("unchanged") == 241);
    CHECK(back.at("imported") == 0);
    CHECK(back.at("updated") == 0);

    // -o writes the same bytes to a file and says so on stderr.
    std::string out_path = a.Beside("out.csv");
    CliResult to_file = Ok(a, {"export", "members", "-o", out_path});
    CHECK(to_file.out.empty());
    CHECK(Contains(to_file.err, "Wrote 241 rows to " + out_path));
    CHECK(ReadFile(out_path) == first);
    CHECK_FALSE(Exists(out_path + ".qun-tmp"));
  }

  TEST_CASE("exported CSV starts with a UTF-8 BOM unless --no-bom and ends records with CRLF") {
    Node h;
    Ok(h, {"import", "members", SamplePath()});
    std::string with_bom = Ok(h, {"export", "members"}).out;
    std::string without = Ok(h, {"export", "members", "--no-bom"}).out;
    CHECK(with_bom.substr(0, 3) == kBom);
    CHECK(without.substr(0, 3) != kBom);
    CHECK(with_bom.substr(3) == without);
    CHECK(without.rfind("id,display_name,nickname,wechat,phone,email,city,tags,intro,needs,"
                        "offers,referred_by,notes\r\n",
                        0) == 0);
    size_t records = 0;
    CHECK(AllRecordsEndWithCrlf(with_bom, &records));
    CHECK(records == 241);  // header and 240 people

    for (const char* what : {"groups", "memberships"}) {
      CAPTURE(what);
      std::string csv = Ok(h, {"export", what}).out;
      CHECK(csv.substr(0, 3) == kBom);
      CHECK(AllRecordsEndWithCrlf(csv, &records));
      CHECK(Ok(h, {"export", what, "--no-bom"}).out.substr(0, 3) != kBom);
    }
  }

  TEST_CASE("export --format json, export groups and export memberships write every record") {
    Node h;
    AddGroup(h, {"摄影兴趣群", "--kind", "interest"});
    AddGroup(h, {"Archived", "--kind", "course"});
    Ok(h, {"group", "archive", "Archived"});
    Ok(h, {"import", "members", SamplePath(), "--group", "摄影兴趣群", "--role", "core"});

    json members = json::parse(Ok(h, {"export", "members", "--format", "json"}).out);
    REQUIRE(members.is_array());
    CHECK(members.size() == 240);
    std::set<std::string> ids;
    for (const json& p : members) {
      ids.insert(p.at("id").get<std::string>());
      CHECK_FALSE(p.at("display_name").get<std::string>().empty());
    }
    CHECK(ids.size() == 240);
    CHECK(json::parse(Ok(h, {"--json", "export", "members"}).out) == members);

    std::string groups_csv = Ok(h, {"export", "groups"}).out;
    CHECK(groups_csv.substr(3).rfind("id,name,kind,platform,handle,capacity,", 0) == 0);
    CHECK(Contains(groups_csv, "摄影兴趣群"));
    CHECK(Contains(groups_csv, "Archived"));  // archived groups are exported too
    json groups = json::parse(Ok(h, {"export", "groups", "--format", "json"}).out);
    REQUIRE(groups.size() == 2);
    for (const json& g : groups)
      if (g.at("name") == "摄影兴趣群") CHECK(g.at("active_members") == 240);

    json memberships = json::parse(Ok(h, {"export", "memberships", "--format", "json"}).out);
    CHECK(memberships.size() == 240);
    for (const json& m : memberships) {
      CHECK(m.at("group") == "摄影兴趣群");
      CHECK(m.at("role") == "core");
      CHECK(m.at("status") == "active");
      CHECK(ids.count(m.at("person_id").get<std::string>()));
    }
    size_t records = 0;
    CHECK(AllRecordsEndWithCrlf(Ok(h, {"export", "memberships"}).out, &records));
    CHECK(records == 241);
  }

  TEST_CASE("a GB18030 sheet imports with its Chinese names intact") {
    Node h;
    // "姓名,微信,城市,标签" and four people, as Excel on Chinese Windows saves
    // them; 𠮷 takes four bytes in GB18030 (and does not exist in GBK).
    std::string gb18030 =
        "\xd0\xd5\xc3\xfb,\xce\xa2\xd0\xc5,\xb3\xc7\xca\xd0,\xb1\xea\xc7\xa9\r\n"
        "\xd5\xc5\xce\xb0,gb_zw,\xb1\xb1\xbe\xa9,\xc9\xe3\xd3\xb0;\xb4\xb4\xd2\xb5\r\n"
        "\xc5\xb7\xd1\xf4\xc4\xc8\xc4\xc8,gb_oy,\xc9\xcf\xba\xa3,\xd2\xf4\xc0\xd6\r\n"
        "Zo\xa8\xa6 Li,gb_zl,\xc9\xee\xdb\xda,\r\n"
        "\x95\x34\xb2\x35\xcc\xef,gb_ji,,\r\n";
    std::string path = h.Write("gb18030.csv", gb18030);
    CliResult r = Ok(h, {"import", "members", path});
    CHECK(Contains(r.out, "GB18030"));
    CHECK(Contains(r.out, "4 imported"));

    json people = Json(h, {"member", "list"});
    std::map<std::string, json> by_wechat;
    for (const json& p : people) by_wechat[p["handles"]["wechat"][0].get<std::string>()] = p;
    REQUIRE(by_wechat.size() == 4);
    CHECK(by_wechat["gb_zw"].at("display_name") == "张伟");
    CHECK(by_wechat["gb_zw"].at("city") == "北京");
    CHECK(by_wechat["gb_zw"].at("tags") == json::array({"创业", "摄影"}));
    CHECK(by_wechat["gb_oy"].at("display_name") == "欧阳娜娜");
    CHECK(by_wechat["gb_oy"].at("city") == "上海");
    CHECK(by_wechat["gb_zl"].at("display_name") == "Zoé Li");
    CHECK(by_wechat["gb_zl"].at("city") == "深圳");
    CHECK(by_wechat["gb_ji"].at("display_name") == "𠮷田");
    CHECK(Contains(Ok(h, {"member", "list", "--city", "北京"}).out, "张伟"));

    // The same file through standard input, with the encoding forced.
    CliOptions stdin_file;
    stdin_file.stdin_bytes = gb18030;
    CliResult piped =
        h.Qun({"--json", "import", "members", "-", "--encoding", "gb18030"}, stdin_file);
    REQUIRE_EXIT(piped, 0);
    json report = json::parse(piped.out);
    CHECK(report.at("encoding") == "GB18030");
    CHECK(report.at("unchanged") == 4);
  }

  TEST_CASE("qun import members - reads the sheet from standard input") {
    Node h;
    CliOptions options;
    options.stdin_bytes = "display_name,wechat,city\n张伟,zw_1,北京\n\"Chen, Alice\",ac_2,\n";
    CliResult r = h.Qun({"import", "members", "-"}, options);
    REQUIRE_EXIT(r, 0);
    CHECK(Contains(r.out, "2 imported"));
    CHECK(ListedNames(h) == std::set<std::string>{"张伟", "Chen, Alice"});
  }

  TEST_CASE("a sheet with bad rows is rejected with exit 9, every line listed, nothing written") {
    Node h;
    AddPerson(h, {"Existing", "--wechat", "existing_1"});
    std::string before = Snapshot(h);
    std::string path = h.Write("bad.csv",
                               "display_name,wechat,email\n"
                               "好人,good_1,good@example.org\n"  // line 2
                               ",empty_name,\n"                  // line 3
                               "Bad Mail,bad_mail,not-an-email\n"
                               "Dup,good_1,\n"  // line 5
                               "Good Two,good_2,\n");

    CliResult r = h.Qun({"import", "members", path});
    CHECK_EXIT(r, 9);
    CHECK(Contains(r.out, "line 3: the display_name is empty"));
    CHECK(Contains(r.out, "line 4: 'not-an-email' is not an email address"));
    CHECK(Contains(r.out, "line 5:"));
    CHECK(Contains(r.out, "good_1"));
    CHECK(Contains(r.out, "also on line 2"));
    CHECK_FALSE(Contains(r.out, "line 2:"));
    CHECK_FALSE(Contains(r.out, "line 6:"));
    CHECK(Contains(r.out, "Nothing written"));
    CHECK(Contains(r.out, "3 rejected"));
    CHECK(Contains(r.err, "--skip-bad"));

    CliResult as_json = h.Qun({"--json", "import", "members", path});
    CHECK_EXIT(as_json, 9);
    json report = json::parse(as_json.out);
    CHECK(report.at("written") == false);
    std::vector<int> lines;
    for (const json& rej : report.at("rejections")) lines.push_back(rej.at("line"));
    CHECK(lines == std::vector<int>{3, 4, 5});

    CHECK(Snapshot(h) == before);
    CHECK(ListedNames(h) == std::set<std::string>{"Existing"});
  }

  TEST_CASE("--skip-bad imports the good rows of a sheet with bad rows") {
    Node h;
    std::string path = h.Write("bad.csv",
                               "display_name,wechat,email\n"
                               "好人,good_1,good@example.org\n"
                               ",empty_name,\n"
                               "Bad Mail,bad_mail,not-an-email\n"
                               "Dup,good_1,\n"
                               "Good Two,good_2,\n");
    CliResult r = h.Qun({"import", "members", path, "--skip-bad"});
    CHECK_EXIT(r, 0);
    CHECK(Contains(r.out, "line 3:"));
    CHECK(Contains(r.out, "line 4:"));
    CHECK(Contains(r.out, "line 5:"));
    CHECK(Contains(r.out, "2 imported"));
    CHECK(Contains(r.out, "3 rejected"));
    CHECK(ListedNames(h) == std::set<std::string>{"好人", "Good Two"});
    CHECK(Json(h, {"member", "show", "good_1"}).at("display_name") == "好人");
  }

  TEST_CASE(
      "an unreadable sheet, a missing name column or file is refused and nothing is written") {
    Node h;
    std::string before = Snapshot(h);

    CliResult quote = h.Qun({"import", "members",
                             h.Write("quote.csv",
                                     "display_name,wechat\nok,ok_1\n\"unclosed,x\n"
                                     "foo,y\n")});
    CHECK_EXIT(quote, 2);
    CHECK(Contains(quote.err, "line 3"));
    CHECK(Contains(quote.err, "quote"));

    CliResult no_name =
        h.Qun({"import", "members", h.Write("noname.csv", "wechat,city\nzw_1,北京\n")});
    CHECK_EXIT(no_name, 2);
    CHECK(Contains(no_name.err, "display_name"));

    std::string missing = h.Beside("no-such-file.csv");
    CliResult no_file = h.Qun({"import", "members", missing});
    CHECK_EXIT(no_file, 3);
    CHECK(Contains(no_file.err, missing));

    CHECK_EXIT(h.Qun({"import", "members", h.Write("empty.csv", "")}), 2);
    CHECK(Snapshot(h) == before);
  }

  TEST_CASE("--dry-run checks a sheet and writes nothing") {
    Node h;
    std::string before = Snapshot(h);
    CliResult r = h.Qun({"import", "members", SamplePath(), "--dry-run"});
    CHECK_EXIT(r, 0);
    CHECK(Contains(r.out, "Dry run, nothing written"));
    CHECK(Contains(r.out, "240 imported"));
    CHECK(Snapshot(h) == before);
    CHECK(ListedNames(h).empty());

    CliResult bad =
        h.Qun({"import", "members", h.Write("bad.csv", "display_name\nok\n\n,\n"), "--dry-run"});
    CHECK_EXIT(bad, 9);
    CHECK(Snapshot(h) == before);
  }

  // ------------------------------------------------------------- history

  TEST_CASE(
      "qun log of a person shows a city edit with old and new value and this node as author") {
    Node h;
    std::string id = AddPerson(h, {"张伟", "--wechat", "zw_1", "--city", "北京"});
    CliResult edit = Ok(h, {"member", "edit", "张伟", "--city", "上海"});
    CHECK(Contains(edit.out, "1 field write recorded"));
    std::string node_id = Json(h, {"status"}).at("node_id").get<std::string>();

    json log = Json(h, {"log", "张伟"});
    const json* entry = nullptr;
    for (const json& e : log)
      if (e.at("field") == "city" && e.at("to") == "上海") entry = &e;
    REQUIRE_MESSAGE(entry != nullptr, log.dump(2));
    CHECK(entry->at("from") == "北京");
    CHECK(entry->at("author") == node_id);
    CHECK(entry->at("author_name") == "小林");
    CHECK(entry->at("note") == "member edit");
    CHECK(entry->at("row_id") == id);
    CHECK(entry->at("record") == "张伟");
    // Newest first.
    CHECK(&log.front() == entry);
    // The first city write has no old value.
    bool added = false;
    for (const json& e : log)
      if (e.at("field") == "city" && e.at("to") == "北京") added = e.at("from").is_null();
    CHECK(added);

    std::string text = Ok(h, {"log", "张伟"}).out;
    std::string row = Lines(text).at(1);
    CHECK(Contains(row, "member edit"));
    CHECK(Contains(row, "city"));
    CHECK(Contains(row, "北京"));
    CHECK(Contains(row, "上海"));
    CHECK(Contains(row, "小林 " + node_id.substr(0, 8)));
  }

  TEST_CASE("the whole-community log lists the init") {
    Node h("湾区创业者社区");
    AddGroup(h, {"北京交流群"});
    std::string node_id = Json(h, {"status"}).at("node_id").get<std::string>();
    json log = Json(h, {"log", "-n", "0"});
    bool named = false;
    for (const json& e : log) {
      if (e.at("note") != "init") continue;
      CHECK(e.at("author") == node_id);
      if (e.at("table") == "community" && e.at("field") == "name") {
        named = true;
        CHECK(e.at("to") == "湾区创业者社区");
        CHECK(e.at("from").is_null());
      }
    }
    CHECK(named);
    CHECK(log.front().at("note") == "group add");
    CHECK(Contains(Ok(h, {"log"}).out, "init"));
    CHECK(Json(h, {"log", "-n", "2"}).size() == 2);
  }

  // ------------------------------------------------------------- failures

  TEST_CASE("an argument that is not valid UTF-8 is refused with exit 2 and nothing is written") {
    Node h;
    AddPerson(h, {"张伟"});
    std::string before = Snapshot(h);
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"member", "add", "\xff\xfe"},
                                               {"member", "add", "Ok", "--city", "\xe5\x8c"},
                                               {"member", "edit", "张伟", "--city", "\xc0\xaf"},
                                               {"group", "add", "G\xff"}}) {
      CliResult r = h.Qun(args);
      CHECK_EXIT(r, 2);
      CHECK(Contains(r.err, "UTF-8"));
      CHECK(r.out.empty());
    }
    CHECK(Snapshot(h) == before);
  }

  TEST_CASE("a database locked by another process gives exit 5 and works again once released") {
    Node h;
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(h.InHome("community.db").c_str(), &db, SQLITE_OPEN_READWRITE,
                            nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);

    CliOptions busy;
    busy.env = {{"QUN_BUSY_TIMEOUT_MS", "200"}};
    auto start = std::chrono::steady_clock::now();
    CliResult locked = h.Qun({"member", "add", "X"}, busy);
    auto took = std::chrono::steady_clock::now() - start;
    CHECK_EXIT(locked, 5);
    CHECK(Contains(locked.err, "another qun process"));
    CHECK(Contains(locked.err, "try again"));
    CHECK(took < std::chrono::seconds(3));  // the short timeout was honoured

    REQUIRE(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_close(db) == SQLITE_OK);
    CliResult after = h.Qun({"member", "add", "X"}, busy);
    CHECK_EXIT(after, 0);
    CHECK(ListedNames(h) == std::set<std::string>{"X"});
  }

  TEST_CASE("a database overwritten with garbage gives exit 6 and mentions a backup") {
    Node h;
    AddPerson(h, {"张伟"});
    std::remove(h.InHome("community.db-wal").c_str());
    std::remove(h.InHome("community.db-shm").c_str());
    std::string garbage;
    uint32_t x = 12345;
    for (int i = 0; i < 65536; ++i) {
      x = x * 1103515245 + 12345;
      garbage += static_cast<char>(x >> 24);
    }
    WriteFile(h.InHome("community.db"), garbage);

    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"status"}, {"member", "list"}, {"member", "add", "李娜"}}) {
      CliResult r = h.Qun(args);
      CHECK_EXIT(r, 6);
      CHECK(Contains(r.err, "backup"));
      CHECK(Contains(r.err, h.InHome("community.db")));
    }
    CHECK(ReadFile(h.InHome("community.db")) == garbage);
  }

  TEST_CASE("an SQLite database of another program gives exit 6") {
    Node h;
    std::remove(h.InHome("community.db").c_str());
    std::remove(h.InHome("community.db-wal").c_str());
    std::remove(h.InHome("community.db-shm").c_str());
    ExecSql(h.InHome("community.db"),
            "CREATE TABLE contacts(name TEXT); INSERT INTO contacts VALUES ('张伟');");
    std::string bytes = ReadFile(h.InHome("community.db"));

    CliResult r = h.Qun({"status"});
    CHECK_EXIT(r, 6);
    CHECK(Contains(r.err, "not a Qun database"));
    CHECK_EXIT(h.Qun({"member", "add", "李娜"}), 6);
    CHECK(ReadFile(h.InHome("community.db")) == bytes);
  }

  TEST_CASE("a database from a newer qun gives exit 8 asking to upgrade") {
    Node h;
    AddPerson(h, {"张伟"});
    ExecSql(h.InHome("community.db"), "PRAGMA user_version=99");
    CliResult r = h.Qun({"status"});
    CHECK_EXIT(r, 8);
    CHECK(Contains(r.err, "upgrade qun"));
    CHECK(Contains(r.err, "99"));
    CHECK_EXIT(h.Qun({"member", "add", "李娜"}), 8);
    CHECK_EXIT(h.Qun({"member", "list"}), 8);
  }

  TEST_CASE("a home this user may not enter gives exit 7 naming the folder and --home") {
    Node h;
    CliOptions as_other;
    if (geteuid() == 0) {
      // Root reads any folder; run qun as nobody against a root-owned 0700 home.
      if (access("/usr/bin/setpriv", X_OK) != 0 && access("/bin/setpriv", X_OK) != 0) {
        MESSAGE("skipped: setpriv (util-linux) is needed to drop root's privileges");
        return;
      }
      as_other.prefix = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
      REQUIRE(chmod(h.root().c_str(), 0755) == 0);  // nobody may reach the home itself
      CliResult version = RunQun({"--version"}, as_other);
      if (version.exit_code != 0) {
        MESSAGE("skipped: uid 65534 cannot run " << QUN_BINARY << ": " << version.Describe());
        return;
      }
      REQUIRE(FileMode(h.home()) == 0700);
    } else {
      REQUIRE(chmod(h.home().c_str(), 0) == 0);
    }

    std::vector<std::vector<std::string>> commands = {{"status"}, {"member", "add", "张伟"}};
    // As the owner, init would simply restore the folder's mode (then find the node).
    if (geteuid() == 0) commands.push_back({"init", "--name", "x"});
    for (const auto& args : commands) {
      CliResult r = h.Qun(args, as_other);
      CHECK_EXIT(r, 7);
      CHECK(Contains(r.err, h.home()));
      CHECK(Contains(r.err, "--home"));
    }
    if (geteuid() != 0) REQUIRE(chmod(h.home().c_str(), 0700) == 0);
    CHECK(Json(h, {"status"}).at("people") == 0);
  }

  TEST_CASE("a missing home gives exit 3 asking to run qun init") {
    TempHome h;
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"status"}, {"member", "list"}, {"member", "add", "张伟"}, {"log"}}) {
      CliResult r = h.Qun(args);
      CHECK_EXIT(r, 3);
      CHECK(Contains(r.err, "qun init"));
      CHECK(Contains(r.err, h.home()));
    }
    CHECK_FALSE(Exists(h.home()));

    // A home holding a database but no key.
    Init(h);
    std::remove(h.InHome("node.key").c_str());
    CliResult no_key = h.Qun({"status"});
    CHECK_EXIT(no_key, 3);
    CHECK(Contains(no_key.err, "node.key"));
  }

  TEST_CASE("a secret key readable by others gives exit 7 asking for chmod 600") {
    Node h;
    REQUIRE(chmod(h.InHome("node.key").c_str(), 0644) == 0);
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"status"}, {"member", "add", "张伟"}}) {
      CliResult r = h.Qun(args);
      CHECK_EXIT(r, 7);
      CHECK(Contains(r.err, "chmod 600"));
      CHECK(Contains(r.err, h.InHome("node.key")));
    }
    REQUIRE(chmod(h.InHome("node.key").c_str(), 0600) == 0);
    CHECK(Json(h, {"status"}).at("people") == 0);
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

  // Regression tests for bugs found while writing this file.

  TEST_CASE("a refused init with an empty community name leaves no half-made node behind") {
    TempHome h;
    CHECK_EXIT(h.Qun({"init", "--name", "  "}), 2);
    struct stat st;
    CHECK(stat(h.InHome("community.db").c_str(), &st) != 0);
    CHECK(stat(h.InHome("node.key").c_str(), &st) != 0);
    CHECK(stat(h.InHome("node.pub").c_str(), &st) != 0);
    CHECK_EXIT(h.Qun({"init", "--name", "Real"}), 0);
    CHECK(Json(h, {"status"}).at("community") == "Real");
  }

  TEST_CASE("a wechat id finds its person whatever the case it is typed in") {
    TempHome h;
    Init(h);
    Ok(h, {"member", "add", "王芳", "--wechat", "WangFang_88"});
    CHECK(Json(h, {"member", "show", "WangFang_88"}).at("display_name") == "王芳");
    Ok(h, {"member", "edit", "wangfang_88", "--city", "北京"});
    Ok(h, {"log", "WANGFANG_88"});
    CliResult dup = h.Qun({"member", "add", "另一个", "--wechat", "WANGFANG_88"});
    CHECK_EXIT(dup, 4);
    CHECK(Contains(dup.err, "王芳"));
  }

  TEST_CASE("importing a folder instead of a file says so with exit 2") {
    TempHome h;
    Init(h);
    CliResult r = h.Qun({"import", "members", h.root()});
    CHECK_EXIT(r, 2);
    CHECK(Contains(r.err, "is a folder"));
  }

  TEST_CASE("a duplicate group name in another case is refused quoting the existing name") {
    TempHome h;
    Init(h);
    Ok(h, {"group", "add", "Shanghai Founders"});
    CliResult r = h.Qun({"group", "add", "SHANGHAI founders"});
    CHECK_EXIT(r, 4);
    CHECK(Contains(r.err, "'Shanghai Founders'"));
  }

  TEST_CASE("a fee without digits is refused with exit 2") {
    TempHome h;
    Init(h);
    for (const char* fee : {".", "", "1.234", "abc", "-5"}) {
      CAPTURE(fee);
      CliResult r = h.Qun({"group", "add", "付费群", "--admission", "paid", "--fee", fee});
      CHECK_EXIT(r, 2);
    }
    CHECK(Json(h, {"group", "add", "付费群", "--fee", "49.9"}).at("fee") == "49.90");
  }

  TEST_CASE("an import killed midway leaves all of it or none, and the node keeps working") {
    TempHome h;
    Init(h);
    std::string csv = "display_name,wechat,city\n";
    const int kRows = 20000;
    for (int i = 0; i < kRows; ++i)
      csv += "成员" + std::to_string(i) + ",kill_" + std::to_string(i) + ",杭州\n";
    std::string path = h.Write("big.csv", csv);
    // Kill at several moments: before, during or after the one transaction.
    for (int ms : {50, 200, 600}) {
      CAPTURE(ms);
      CliOptions options;
      options.timeout = std::chrono::milliseconds(ms);
      CliResult killed = h.Qun({"import", "members", path}, options);
      int64_t people = Json(h, {"status"}).at("people").get<int64_t>();
      CHECK((people == 0 || people == kRows));
      if (people == kRows) break;  // this machine finished before the kill
    }
    json done = Json(h, {"import", "members", path});
    CHECK(done.at("imported").get<int64_t>() + done.at("unchanged").get<int64_t>() == kRows);
    CHECK(Json(h, {"status"}).at("people") == kRows);
  }

  TEST_CASE("qun state-hash prints the same fingerprint until the data changes") {
    TempHome h;
    Init(h);
    std::string first = Ok(h, {"state-hash"}).out;
    CHECK(first.size() == 65);  // 64 hex characters and a line break
    CHECK(Ok(h, {"state-hash"}).out == first);
    Ok(h, {"member", "add", "张伟"});
    std::string second = Ok(h, {"state-hash"}).out;
    CHECK(second != first);
    CHECK(Json(h, {"state-hash"}).at("state_hash").get<std::string>() + "\n" == second);
  }
}
