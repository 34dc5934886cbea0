// Text helpers for people's names in many scripts: UTF-8 validation, display
// width in a terminal (East Asian wide characters take two columns), and
// padding/truncation that never cuts a character in half.
//
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qun::text {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing
// above U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Byte offset of the first invalid UTF-8 sequence, or npos when valid.
size_t FirstInvalidUtf8(std::string_view s);

// The code points of `s`; each invalid byte becomes U+FFFD.
std::u32string CodePoints(std::string_view s);

// Columns `s` takes in a terminal: wide and fullwidth characters (CJK, Hangul,
// fullwidth forms, most emoji) count 2, combining marks and zero-width
// characters 0, control characters 0, everything else 1. `s` must be valid
// UTF-8; invalid bytes count 1 each.
size_t DisplayWidth(std::string_view s);

// Pads `s` with spaces on the right up to `width` columns. When `s` is wider,
// it is cut at a character boundary and ends with "…" so the result takes
// exactly `width` columns (a wide character that would straddle the edge is
// dropped and the missing column is filled with a space after the "…").
std::string PadRight(std::string_view s, size_t width);

// Like PadRight but keeps `s` whole when it is wider than `width`.
std::string PadRightNoTruncate(std::string_view s, size_t width);

// Cuts `s` to at most `width` columns, ending with "…" when it was cut. The
// result is one column short of `width` when a wide character straddled the
// edge; use PadRight for an exact width.
std::string Truncate(std::string_view s, size_t width);

// Trims ASCII whitespace and U+3000 (ideographic space) at both ends.
std::string Trim(std::string_view s);

// Appends the UTF-8 encoding of `cp` (a valid code point) to `out`.
void AppendUtf8(char32_t cp, std::string& out);

// What a Chinese input method types for ASCII, as ASCII: the full-width
// forms U+FF01..U+FF5E (１, Ａ, －, ：, ＝) and the ideographic space. Other
// text is kept as it is.
std::string FoldWidth(std::string_view s);

// Edits (insert, delete, replace, swap of neighbours) that make `a` into
// `b`, counted over code points: how far a typo is from a name.
size_t EditDistance(std::u32string_view a, std::u32string_view b);

// Lower-cases ASCII letters only (handles and emails are matched this way).
std::string AsciiLower(std::string_view s);

// Characters that can act on a terminal or reorder what it shows rather than
// print: C0 controls, DEL, C1 controls (U+0080..U+009F, which some terminals
// take as escape sequences even when UTF-8 encoded), the bidirectional
// embeddings, overrides, isolates and marks (U+061C, U+200E, U+200F,
// U+202A..U+202E, U+2066..U+2069) and the line and paragraph separators
// U+2028, U+2029. Line feed and tab are in this set too; callers that allow
// them say so.
bool IsUnsafeCodePoint(char32_t cp);

// The first unsafe character of `s` (see IsUnsafeCodePoint), if any. With
// `allow_line_breaks`, line feed, tab and a carriage return right before a
// line feed (Windows line ends) are allowed. Invalid UTF-8 is not this
// function's concern: it is skipped.
std::optional<char32_t> FirstUnsafe(std::string_view s, bool allow_line_breaks);

// How Printable treats line breaks and tabs.
enum class Lines {
  kKeep,     // '\n' and '\t' stay; "\r\n" becomes "\n"
  kFlatten,  // '\n', '\r' and '\t' become a space: one table cell, one log line
};

// `s` made safe to print on a terminal, for text that may come from other
// nodes, old databases or imported files: every unsafe character (see
// IsUnsafeCodePoint) other than the line breaks `lines` keeps becomes
// visible instead of acting. C0 controls and DEL become their Control
// Pictures (ESC shows as "\u241B" ␛, CR as ␍, BEL as ␇); the others become
// "\u{202e}"-style escapes; each invalid UTF-8 byte becomes U+FFFD. Text
// without any of these comes back unchanged.
std::string Printable(std::string_view s, Lines lines = Lines::kKeep);

// The non-empty lines of `s` (separated by '\n'), as views into it.
std::vector<std::string_view> SplitLines(std::string_view s);

// `s` as a decimal number: digits only (no sign, space or anything after),
// not above UINT64_MAX. For numbers read back from a database or a peer,
// where std::stoull would throw, wrap "-1" round, or stop at junk.
std::optional<uint64_t> ParseUint(std::string_view s);

}  // namespace qun::text
