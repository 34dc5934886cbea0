// End-to-end tests of import and export: members sheets in (UTF-8,
// GB18030, from stdin, with bad rows, dry runs, killed midway) and
// members, groups and memberships out (CSV with BOM and CRLF, JSON), and
// the round trip between two homes.
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
using qun::testing::Exists;
using qun::testing::Init;
using qun::testing::ListedNames;
using qun::testing::Node;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::ReadFile;
using qun::testing::SamplePath;
using qun::testing::Snapshot;
using qun::testing::TempHome;

namespace {

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

TEST_SUITE("cli") {
  TEST_CASE("importing the sample sheet adds 240 people and importing it again changes nothing") {
    Node h;
    CliResult first = Ok(h, {"import", "members", SamplePath()});
    CHECK(Contains(first.out, "UTF-8 with BOM"));
    CHECK(Contains(first.out, "240 imported, 0 updated, 0 unchanged, 0 rejected"));
    CHECK(OkJson(h, {"status"}).at("people") == 240);
    std::string before = Snapshot(h);

    json again = OkJson(h, {"import", "members", SamplePath()});
    CHECK(again.at("rows") == 240);
    CHECK(again.at("imported") == 0);
    CHECK(again.at("updated") == 0);
    CHECK(again.at("unchanged") == 240);
    CHECK(again.at("rejected") == 0);
    CHECK(Snapshot(h) == before);

    // Quoted fields with commas, doubled quotes and line breaks survive.
    json mo = OkJson(h, {"member", "show", "wx_587703"});
    CHECK(mo.at("display_name") == "莫军洋");
    CHECK(mo.at("intro") == "喜欢\"慢生活\"");
    CHECK(mo.at("offers") == "摄影, 修图");
    CHECK(OkJson(h, {"member", "show", "wx_667892"}).at("intro") == "两个娃的妈妈，\n周末带娃徒步");
  }

  TEST_CASE("export members, import into a fresh home and export again gives the same bytes") {
    Node a;
    Ok(a, {"import", "members", SamplePath()});
    AddPerson(a, {"Alice Chen", "--email", "alice@example.org", "--referred-by", "wx_587703",
                  "--notes", "line one\nline \"two\", with comma", "--yes"});
    std::string first = Ok(a, {"export", "members"}).out;

    Node b("另一个节点");
    std::string path = b.Write("members.csv", first);
    json imported = OkJson(b, {"import", "members", path});
    CHECK(imported.at("imported") == 241);
    CHECK(imported.at("rejected") == 0);
    std::string second = Ok(b, {"export", "members"}).out;
    CHECK(second.size() == first.size());
    CHECK(second == first);

    // Re-importing the export into its own home changes nothing.
    json back = OkJson(a, {"import", "members", a.Write("own.csv", first)});
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

    json people = OkJson(h, {"member", "list"});
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
    CHECK(OkJson(h, {"member", "show", "good_1"}).at("display_name") == "好人");
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

  TEST_CASE("importing a folder instead of a file says so with exit 2") {
    TempHome h;
    Init(h);
    CliResult r = h.Qun({"import", "members", h.root()});
    CHECK_EXIT(r, 2);
    CHECK(Contains(r.err, "is a folder"));
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
      int64_t people = OkJson(h, {"status"}).at("people").get<int64_t>();
      CHECK((people == 0 || people == kRows));
      if (people == kRows) break;  // this machine finished before the kill
    }
    json done = OkJson(h, {"import", "members", path});
    CHECK(done.at("imported").get<int64_t>() + done.at("unchanged").get<int64_t>() == kRows);
    CHECK(OkJson(h, {"status"}).at("people") == kRows);
  }
}
