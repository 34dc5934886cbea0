// Text helpers for people's names in many scripts: UTF-8 validation, display
// width in a terminal (East Asian wide characters take two columns), and
// padding/truncation that never cuts a character in half.
//
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
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

// Lower-cases ASCII letters only (handles and emails are matched this way).
std::string AsciiLower(std::string_view s);

// The non-empty lines of `s` (separated by '\n'), as views into it.
std::vector<std::string_view> SplitLines(std::string_view s);

}  // namespace qun::text
