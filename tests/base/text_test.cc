#include "base/text.h"

#include <doctest/doctest.h>

#include <string>

namespace qun::text {
namespace {

constexpr size_t kNpos = std::string_view::npos;

TEST_CASE("well-formed UTF-8 in several scripts is valid") {
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("Alice"));
  CHECK(IsValidUtf8("张伟"));
  CHECK(IsValidUtf8("Zoë Ødegård"));
  CHECK(IsValidUtf8("김민준"));
  CHECK(IsValidUtf8("\U0001F600"));        // 4-byte sequence
  CHECK(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  CHECK(FirstInvalidUtf8("张伟") == kNpos);
}

TEST_CASE("overlong encodings are rejected") {
  CHECK_FALSE(IsValidUtf8("\xC0\xAF"));  // '/' in two bytes
  CHECK_FALSE(IsValidUtf8("\xC1\xBF"));
  CHECK_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // '/' in three bytes
  CHECK_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));  // '/' in four bytes
}

TEST_CASE("UTF-16 surrogates encoded as UTF-8 are rejected") {
  CHECK_FALSE(IsValidUtf8("\xED\xA0\x80"));  // U+D800
  CHECK_FALSE(IsValidUtf8("\xED\xBF\xBF"));  // U+DFFF
  CHECK(IsValidUtf8("\xED\x9F\xBF"));        // U+D7FF, just below
}

TEST_CASE("code points above U+10FFFF are rejected") {
  CHECK_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // U+110000
  CHECK_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
  CHECK_FALSE(IsValidUtf8("\xFF"));
}

TEST_CASE("truncated sequences are rejected at the offset where they start") {
  CHECK_FALSE(IsValidUtf8("\xE5\xBC"));  // 张 without its last byte
  CHECK(FirstInvalidUtf8("ab\xE5\xBC") == 2);
  CHECK(FirstInvalidUtf8("张\xE4") == 3);
  CHECK(FirstInvalidUtf8("ok\x80rest") == 2);  // lone continuation byte
  CHECK(FirstInvalidUtf8("\xE5"
                         "a\xBC") == 0);
}

TEST_CASE("ASCII takes one column per character") {
  CHECK(DisplayWidth("") == 0);
  CHECK(DisplayWidth("Alice") == 5);
  CHECK(DisplayWidth("a b,c") == 5);
}

TEST_CASE("Chinese, Japanese and Korean characters take two columns") {
  CHECK(DisplayWidth("张伟") == 4);
  CHECK(DisplayWidth("ひらがな") == 8);
  CHECK(DisplayWidth("김민준") == 6);
  CHECK(DisplayWidth("\U00020000") == 2);  // CJK Extension B
}

TEST_CASE("mixed scripts add up column by column") {
  CHECK(DisplayWidth("张伟 Wei") == 8);
  CHECK(DisplayWidth("Zoë") == 3);
  CHECK(DisplayWidth("北京Beijing") == 11);
}

TEST_CASE("fullwidth punctuation takes two columns and the ellipsis one") {
  CHECK(DisplayWidth("，") == 2);
  CHECK(DisplayWidth("。") == 2);
  CHECK(DisplayWidth("Ａ") == 2);  // fullwidth A
  CHECK(DisplayWidth("\u2026") == 1);
}

TEST_CASE("combining marks, zero-width characters and controls take no columns") {
  CHECK(DisplayWidth("e\u0301") == 1);         // e + combining acute
  CHECK(DisplayWidth("a\u200Bb") == 2);        // zero-width space
  CHECK(DisplayWidth("\u2764\uFE0F") == 1);    // variation selector adds nothing
  CHECK(DisplayWidth("a\tb\x7F\u0085") == 2);  // C0, DEL, C1
}

TEST_CASE("emoji take two columns") {
  CHECK(DisplayWidth("\U0001F600") == 2);
  CHECK(DisplayWidth("\U0001F91D") == 2);
}

TEST_CASE("invalid bytes count one column each") { CHECK(DisplayWidth("a\xFF\xFE") == 3); }

TEST_CASE("PadRight pads a short string with spaces to the exact width") {
  CHECK(PadRight("Ann", 6) == "Ann   ");
  CHECK(PadRight("张伟", 6) == "张伟  ");
  CHECK(DisplayWidth(PadRight("张伟", 6)) == 6);
  CHECK(PadRight("exact", 5) == "exact");
  CHECK(PadRight("", 3) == "   ");
}

TEST_CASE("PadRight cuts a long string with an ellipsis to the exact width") {
  CHECK(PadRight("Alexandria", 6) == "Alexa\u2026");
  CHECK(PadRight("张伟北京", 5) == "张伟\u2026");
  CHECK(DisplayWidth(PadRight("张伟北京", 5)) == 5);
  CHECK(PadRight("Alexandria", 1) == "\u2026");
  CHECK(PadRight("Alexandria", 0) == "");
}

TEST_CASE("PadRight replaces a wide character straddling the edge with a space") {
  // Four columns leave three for text: 张 fits, 伟 would need columns 3-4.
  const std::string padded = PadRight("张伟北京", 4);
  CHECK(padded == "张\u2026 ");
  CHECK(DisplayWidth(padded) == 4);
  CHECK(IsValidUtf8(padded));
}

TEST_CASE("PadRight reaches the exact width for every width on mixed text") {
  const std::string name = "Li 张伟 (北京)";
  for (size_t width = 0; width <= 20; ++width) {
    const std::string padded = PadRight(name, width);
    CAPTURE(width);
    CHECK(DisplayWidth(padded) == width);
    CHECK(IsValidUtf8(padded));
  }
}

TEST_CASE("PadRightNoTruncate keeps a long string whole") {
  CHECK(PadRightNoTruncate("张伟北京", 4) == "张伟北京");
  CHECK(PadRightNoTruncate("张伟", 5) == "张伟 ");
}

TEST_CASE("Truncate keeps a string that fits unchanged") {
  CHECK(Truncate("张伟", 4) == "张伟");
  CHECK(Truncate("Ann", 10) == "Ann");
}

TEST_CASE("Truncate cuts at a character boundary and ends with an ellipsis") {
  CHECK(Truncate("Alexandria", 5) == "Alex\u2026");
  CHECK(DisplayWidth(Truncate("Alexandria", 5)) == 5);
  CHECK(Truncate("张伟北京", 7) == "张伟北\u2026");
  CHECK(DisplayWidth(Truncate("张伟北京", 7)) == 7);
  CHECK(Truncate("abc", 0) == "");
}

TEST_CASE("Truncate drops a wide character straddling the edge without splitting it") {
  const std::string cut = Truncate("张伟北京", 6);  // 5 columns for text: 张伟 + half of 北
  CHECK(cut == "张伟\u2026");
  CHECK(IsValidUtf8(cut));
  CHECK(DisplayWidth(cut) == 5);
}

TEST_CASE("Truncate keeps a combining mark with its base character") {
  CHECK(Truncate("Zoe\u0301 Smith", 4) == "Zoe\u0301\u2026");
}

TEST_CASE("Trim removes ASCII whitespace and ideographic spaces at both ends") {
  CHECK(Trim("  Ann \t\r\n") == "Ann");
  CHECK(Trim("\u3000张伟\u3000") == "张伟");
  CHECK(Trim(" \u3000 张 伟\u3000 ") == "张 伟");
  CHECK(Trim("\u3000\u3000") == "");
  CHECK(Trim("") == "");
}

TEST_CASE("Trim keeps inner spaces and non-space characters that share bytes with U+3000") {
  CHECK(Trim("a\u3000b") == "a\u3000b");
  CHECK(Trim("\u3001") == "\u3001");  // ideographic comma, E3 80 81
}

TEST_CASE("AsciiLower lowers ASCII letters only") {
  CHECK(AsciiLower("Alice@Example.COM") == "alice@example.com");
  CHECK(AsciiLower("ÄÖÜ张伟") == "ÄÖÜ张伟");
}

}  // namespace
}  // namespace qun::text

TEST_CASE("SplitLines gives the non-empty lines") {
  auto lines = qun::text::SplitLines("owner\n\nadmin:abc\nviewer");
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "owner");
  CHECK(lines[1] == "admin:abc");
  CHECK(lines[2] == "viewer");
  CHECK(qun::text::SplitLines("").empty());
  CHECK(qun::text::SplitLines("\n\n").empty());
}

TEST_CASE("FirstUnsafe finds terminal controls and bidi overrides") {
  using qun::text::FirstUnsafe;
  CHECK_FALSE(FirstUnsafe("张伟 Zoë 🙂", false));
  CHECK(FirstUnsafe("a\x1b[2Jb", false) == U'\x1b');
  CHECK(FirstUnsafe("a\rb", false) == U'\r');
  CHECK(FirstUnsafe("bell\a", false) == U'\a');
  CHECK(FirstUnsafe("del\x7f", false) == U'\x7f');
  CHECK(FirstUnsafe("c1 \xC2\x9B"
                    "31m",
                    false) == U'\x9b');  // U+009B, CSI
  CHECK(FirstUnsafe("evil\u202Etxt.exe", false) == U'\u202E');
  CHECK(FirstUnsafe("x\u2066y", false) == U'\u2066');
  CHECK(FirstUnsafe("x\u200Fy", false) == U'\u200F');
  CHECK(FirstUnsafe("a\u2028b", false) == U'\u2028');
  // Line breaks: refused in one-line text, allowed in notes.
  CHECK(FirstUnsafe("a\nb", false) == U'\n');
  CHECK(FirstUnsafe("a\tb", false) == U'\t');
  CHECK_FALSE(FirstUnsafe("a\nb\tc\r\nd", true));
  CHECK(FirstUnsafe("a\rb", true) == U'\r');  // a lone CR returns to the line's start
  CHECK(FirstUnsafe("a\r", true) == U'\r');
  CHECK(FirstUnsafe("a\n\x1b", true) == U'\x1b');
}

TEST_CASE("Printable shows controls instead of letting them act") {
  using qun::text::Lines;
  using qun::text::Printable;
  CHECK(Printable("张伟") == "张伟");
  CHECK(Printable("Esc\x1b]0;T\a\x1b[2J") == "Esc\u241B]0;T\u2407\u241B[2J");
  CHECK(Printable("a\rb") == "a\u240Db");
  CHECK(Printable("x\x7fy") == "x\u2421y");
  CHECK(Printable("\xC2\x9B"
                  "1m") == "\\u{9b}1m");
  CHECK(Printable("abc\u202Edef") == "abc\\u{202e}def");
  CHECK(Printable("l\u200Er") == "l\\u{200e}r");
  CHECK(Printable("bad \xFF byte") == "bad \uFFFD byte");
  // Line breaks and tabs stay, or become spaces for a single line.
  CHECK(Printable("one\ntwo\tthree") == "one\ntwo\tthree");
  CHECK(Printable("one\r\ntwo") == "one\ntwo");
  CHECK(Printable("one\ntwo\r\nthree\tfour", Lines::kFlatten) == "one two  three four");
  CHECK(Printable("a\x1b\nb", Lines::kFlatten) == "a\u241B b");
  // Nothing unsafe is left, whatever went in.
  std::string all;
  for (int c = 0; c < 0x100; ++c) all.push_back(static_cast<char>(c));
  std::string shown = Printable(all);
  CHECK(qun::text::IsValidUtf8(shown));
  CHECK_FALSE(qun::text::FirstUnsafe(shown, true));
  CHECK_FALSE(qun::text::FirstUnsafe(Printable(all, Lines::kFlatten), false));
}

TEST_CASE("a number read back from a database or a peer is digits only, or none") {
  CHECK(qun::text::ParseUint("0") == uint64_t{0});
  CHECK(qun::text::ParseUint("42") == uint64_t{42});
  CHECK(qun::text::ParseUint("18446744073709551615") == UINT64_MAX);
  // Where std::stoull would throw, wrap round or stop at junk.
  CHECK_FALSE(qun::text::ParseUint(""));
  CHECK_FALSE(qun::text::ParseUint("-1"));
  CHECK_FALSE(qun::text::ParseUint("+1"));
  CHECK_FALSE(qun::text::ParseUint(" 1"));
  CHECK_FALSE(qun::text::ParseUint("12abc"));
  CHECK_FALSE(qun::text::ParseUint("18446744073709551616"));
}
