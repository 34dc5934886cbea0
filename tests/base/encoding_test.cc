#include "base/encoding.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "base/text.h"

namespace qun::encoding {
namespace {

// "张伟,北京" in GB18030 (GBK-compatible two-byte codes), as Excel on Chinese
// Windows saves it.
constexpr std::string_view kZhangWeiBeijingGb18030 = "\xD5\xC5\xCE\xB0,\xB1\xB1\xBE\xA9";

std::string Gb18030(std::string_view utf8) {
  Result<std::string> r = EncodeAs(utf8, Encoding::kGb18030);
  REQUIRE(r.ok());
  return *r;
}

TEST_CASE("plain ASCII is detected as UTF-8 and returned unchanged") {
  Result<Decoded> d = DecodeAuto("name,city\r\nAnn,London\r\n");
  REQUIRE(d.ok());
  CHECK(d->detected == Encoding::kUtf8);
  CHECK(d->utf8 == "name,city\r\nAnn,London\r\n");
}

TEST_CASE("empty input is UTF-8") {
  Result<Decoded> d = DecodeAuto("");
  REQUIRE(d.ok());
  CHECK(d->detected == Encoding::kUtf8);
  CHECK(d->utf8.empty());
}

TEST_CASE("UTF-8 without BOM is detected as UTF-8") {
  Result<Decoded> d = DecodeAuto("张伟,北京\n");
  REQUIRE(d.ok());
  CHECK(d->detected == Encoding::kUtf8);
  CHECK(d->utf8 == "张伟,北京\n");
}

TEST_CASE("UTF-8 with BOM is detected and the BOM is stripped") {
  Result<Decoded> d = DecodeAuto("\xEF\xBB\xBF张伟,北京\n");
  REQUIRE(d.ok());
  CHECK(d->detected == Encoding::kUtf8Bom);
  CHECK(d->utf8 == "张伟,北京\n");
}

TEST_CASE("GB18030 encoding of Chinese names matches the known bytes") {
  CHECK(Gb18030("张伟") == "\xD5\xC5\xCE\xB0");
  CHECK(Gb18030("张伟,北京") == kZhangWeiBeijingGb18030);
}

TEST_CASE("GB18030 bytes are detected as GB18030 and converted back exactly") {
  Result<Decoded> d = DecodeAuto(kZhangWeiBeijingGb18030);
  REQUIRE(d.ok());
  CHECK(d->detected == Encoding::kGb18030);
  CHECK(d->utf8 == "张伟,北京");

  const std::string file = Gb18030("display_name,city\r\n张伟,北京\r\n李娜,上海\r\n");
  Result<Decoded> f = DecodeAuto(file);
  REQUIRE(f.ok());
  CHECK(f->detected == Encoding::kGb18030);
  CHECK(f->utf8 == "display_name,city\r\n张伟,北京\r\n李娜,上海\r\n");
}

TEST_CASE("valid UTF-8 wins over GB18030 even when both decode") {
  // The UTF-8 bytes of "中文" also decode as GB18030 (to mojibake).
  const std::string utf8 = "中文";
  CHECK(DecodeAs(utf8, Encoding::kGb18030).ok());
  Result<Decoded> d = DecodeAuto(utf8);
  REQUIRE(d.ok());
  CHECK(d->detected == Encoding::kUtf8);
  CHECK(d->utf8 == "中文");
}

TEST_CASE("UTF-16LE with BOM is detected and converted") {
  // BOM, then U+5F20 张 and U+4F1F 伟, little-endian.
  const std::string bytes("\xFF\xFE\x20\x5F\x1F\x4F,\x00\n\x00", 10);
  Result<Decoded> d = DecodeAuto(bytes);
  REQUIRE(d.ok());
  CHECK(d->detected == Encoding::kUtf16Le);
  CHECK(d->utf8 == "张伟,\n");
}

TEST_CASE("UTF-16BE with BOM is detected and converted") {
  const std::string bytes("\xFE\xFF\x5F\x20\x4F\x1F", 6);
  Result<Decoded> d = DecodeAuto(bytes);
  REQUIRE(d.ok());
  CHECK(d->detected == Encoding::kUtf16Be);
  CHECK(d->utf8 == "张伟");
}

TEST_CASE("random bytes invalid in both UTF-8 and GB18030 are refused with a line number") {
  std::mt19937 rng(20240501);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string garbage;
  for (int i = 0; i < 256; ++i) garbage.push_back(static_cast<char>(byte(rng)));
  garbage[0] = '\x80';  // not a BOM, not a valid start in either encoding

  Result<Decoded> d = DecodeAuto(garbage);
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().code() == Status::Code::kInvalidArgument);
  CHECK(d.status().message().find("line") != std::string::npos);
  CHECK(d.status().message().find("--encoding") != std::string::npos);
}

TEST_CASE("an undecodable byte is reported on the line where it occurs") {
  Result<Decoded> d = DecodeAuto("name,city\nAnn,London\nBob,\x80\xFF\n");
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().code() == Status::Code::kInvalidArgument);
  CHECK(d.status().message().find("line 3") != std::string::npos);
}

TEST_CASE("a GB18030 file with one bad byte is reported where GB18030 stops") {
  // UTF-8 fails on the first byte, GB18030 only on line 3: report line 3.
  const std::string bytes = Gb18030("张伟\n北京\n") + "\xFF";
  Result<Decoded> d = DecodeAuto(bytes);
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().message().find("line 3") != std::string::npos);
  CHECK(d.status().message().find("GB18030") != std::string::npos);
}

TEST_CASE("DecodeAs reports a character cut off at the end of the file") {
  Result<std::string> r = DecodeAs("\xD5\xC5\xCE", Encoding::kGb18030);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kInvalidArgument);
  CHECK(r.status().message().find("middle of a character") != std::string::npos);
}

TEST_CASE("DecodeAs counts UTF-16 lines by code unit") {
  // "a\nb\n" then a lone high surrogate on line 3.
  const std::string bytes(
      "\xFF\xFE"
      "a\0\n\0b\0\n\0\x00\xD8"
      "c\0",
      14);
  Result<std::string> r = DecodeAs(bytes, Encoding::kUtf16Le);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("line 3") != std::string::npos);
}

TEST_CASE("DecodeAs UTF-8 strips a BOM and refuses invalid bytes") {
  Result<std::string> ok = DecodeAs(
      "\xEF\xBB\xBF"
      "Ann",
      Encoding::kUtf8);
  REQUIRE(ok.ok());
  CHECK(*ok == "Ann");

  Result<std::string> bad = DecodeAs("Ann\nB\xC0\xAF\n", Encoding::kUtf8);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("line 2") != std::string::npos);
}

TEST_CASE("Parse maps GBK and GB2312 to GB18030 and accepts common spellings") {
  CHECK(*Parse("gbk") == Encoding::kGb18030);
  CHECK(*Parse("GB2312") == Encoding::kGb18030);
  CHECK(*Parse("gb18030") == Encoding::kGb18030);
  CHECK(*Parse("utf-8") == Encoding::kUtf8);
  CHECK(*Parse("UTF8") == Encoding::kUtf8);
  CHECK(*Parse("utf-8-bom") == Encoding::kUtf8Bom);
  CHECK(*Parse("utf-16le") == Encoding::kUtf16Le);
  CHECK(*Parse("UTF-16BE") == Encoding::kUtf16Be);
}

TEST_CASE("Parse refuses auto and unknown names") {
  CHECK(Parse("auto").status().code() == Status::Code::kInvalidArgument);
  Result<Encoding> r = Parse("latin-1");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("latin-1") != std::string::npos);
}

TEST_CASE("Name gives a readable name for each encoding") {
  CHECK(std::string(Name(Encoding::kUtf8)) == "UTF-8");
  CHECK(std::string(Name(Encoding::kUtf8Bom)) == "UTF-8 with BOM");
  CHECK(std::string(Name(Encoding::kGb18030)) == "GB18030");
  CHECK(std::string(Name(Encoding::kUtf16Le)) == "UTF-16LE");
}

TEST_CASE("EncodeAs then DecodeAs and DecodeAuto round-trip every encoding") {
  const std::string text =
      "display_name,city\r\n张伟,北京\r\nZoë,\"Ødegård\"\r\n李娜 \U0001F600\r\n";
  for (Encoding e : {Encoding::kUtf8, Encoding::kUtf8Bom, Encoding::kGb18030, Encoding::kUtf16Le,
                     Encoding::kUtf16Be}) {
    CAPTURE(Name(e));
    Result<std::string> bytes = EncodeAs(text, e);
    REQUIRE(bytes.ok());
    Result<std::string> back = DecodeAs(*bytes, e);
    REQUIRE(back.ok());
    CHECK(*back == text);
    Result<Decoded> auto_back = DecodeAuto(*bytes);
    REQUIRE(auto_back.ok());
    CHECK(auto_back->detected == e);
    CHECK(auto_back->utf8 == text);
  }
}

TEST_CASE("EncodeAs refuses text that is not UTF-8") {
  CHECK(EncodeAs("a\xFF", Encoding::kGb18030).status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("the sample members file is UTF-8 with BOM") {
  std::ifstream in(QUN_TEST_DATA "/members-sample.csv", std::ios::binary);
  REQUIRE(in.good());
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Result<Decoded> d = DecodeAuto(bytes);
  REQUIRE(d.ok());
  CHECK(d->detected == Encoding::kUtf8Bom);
  CHECK(d->utf8.size() == bytes.size() - 3);
  CHECK(d->utf8.rfind("display_name,", 0) == 0);
}

}  // namespace
}  // namespace qun::encoding

TEST_CASE("GBK text that happens to be valid UTF-8 is still read as GB18030") {
  // 郑叶 in GBK is D6 A3 D2 B6: valid UTF-8 for U+05A3 U+04B6.
  const std::string gbk = "name,wechat\n\xd6\xa3\xd2\xb6,zy1\n";
  REQUIRE(qun::text::IsValidUtf8(gbk));
  auto d = qun::encoding::DecodeAuto(gbk);
  REQUIRE(d.ok());
  CHECK(d->detected == qun::encoding::Encoding::kGb18030);
  CHECK(d->utf8 == "name,wechat\n郑叶,zy1\n");
}

TEST_CASE("genuine UTF-8 in Latin, Greek and Cyrillic scripts stays UTF-8") {
  for (const std::string s : {"name\nJosé Łódź\n", "name\nΨυχή\n", "name\nПётр Иванов\n",
                              "name\nMüller, Ørsted\n", "name\nTrần Văn\n"}) {
    CAPTURE(s);
    auto d = qun::encoding::DecodeAuto(s);
    REQUIRE(d.ok());
    CHECK(d->detected == qun::encoding::Encoding::kUtf8);
    CHECK(d->utf8 == s);
  }
}
