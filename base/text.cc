#include "base/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <iterator>
#include <vector>

namespace qun::text {
namespace {

// One decoded UTF-8 sequence. `len` is 0 when the bytes at the position do
// not start a well-formed sequence.
struct Decoded {
  char32_t cp = 0;
  size_t len = 0;
};

// Decodes the sequence at `s[i]` following the table of well-formed byte
// sequences in the Unicode standard (Table 3-7), which excludes overlongs,
// surrogates and code points above U+10FFFF.
Decoded DecodeAt(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return {b0, 1};

  size_t len;
  char32_t cp;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return {};  // continuation byte, C0/C1 overlong lead, or F5..FF
  }
  if (i + len > s.size()) return {};
  for (size_t k = 1; k < len; ++k) {
    const unsigned char b = byte(i + k);
    const unsigned char min = k == 1 ? lo : 0x80;
    const unsigned char max = k == 1 ? hi : 0xBF;
    if (b < min || b > max) return {};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, len};
}

struct Range {
  char32_t first;
  char32_t last;
};

// East Asian Wide and Fullwidth blocks (a compact subset of Unicode's
// EastAsianWidth.txt that covers names, punctuation and common emoji).
constexpr Range kWide[] = {
    {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},
    {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
    {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
    {0x1F680, 0x1F6FF}, {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

// Combining marks, zero-width spaces and joiners, direction marks,
// variation selectors and the zero-width no-break space (a stray BOM).
constexpr Range kZero[] = {
    {0x0300, 0x036F}, {0x200B, 0x200F}, {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFEFF, 0xFEFF},
};

template <size_t N>
bool InRanges(const Range (&ranges)[N], char32_t cp) {
  // Ranges are sorted and disjoint: find the first one ending at or after cp.
  const Range* it = std::lower_bound(std::begin(ranges), std::end(ranges), cp,
                                     [](const Range& r, char32_t c) { return r.last < c; });
  return it != std::end(ranges) && it->first <= cp;
}

size_t CodePointWidth(char32_t cp) {
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 0;  // C0, DEL, C1
  if (InRanges(kZero, cp)) return 0;
  if (InRanges(kWide, cp)) return 2;
  return 1;
}

// Visits each character of `s` as (byte offset, byte length, columns); an
// invalid byte is visited alone, with width 1.
template <typename F>
void ForEachChar(std::string_view s, F&& f) {
  size_t i = 0;
  while (i < s.size()) {
    const Decoded d = DecodeAt(s, i);
    const size_t len = d.len == 0 ? 1 : d.len;
    const size_t width = d.len == 0 ? 1 : CodePointWidth(d.cp);
    if (!f(i, len, width)) return;
    i += len;
  }
}

constexpr std::string_view kEllipsis = "\u2026";  // one column
constexpr std::string_view kIdeographicSpace = "\u3000";

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

std::u32string CodePoints(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    Decoded d = DecodeAt(s, i);
    out.push_back(d.len ? d.cp : U'\uFFFD');
    i += d.len ? d.len : 1;
  }
  return out;
}

bool IsValidUtf8(std::string_view s) { return FirstInvalidUtf8(s) == std::string_view::npos; }

size_t FirstInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const Decoded d = DecodeAt(s, i);
    if (d.len == 0) return i;
    i += d.len;
  }
  return std::string_view::npos;
}

size_t DisplayWidth(std::string_view s) {
  size_t total = 0;
  ForEachChar(s, [&](size_t, size_t, size_t width) {
    total += width;
    return true;
  });
  return total;
}

std::string Truncate(std::string_view s, size_t width) {
  if (DisplayWidth(s) <= width) return std::string(s);
  if (width == 0) return std::string();
  // Keep whole characters within width - 1 columns, then the ellipsis.
  // Zero-width characters right after the last kept one stay with it.
  const size_t budget = width - 1;
  size_t used = 0;
  size_t end = 0;
  ForEachChar(s, [&](size_t offset, size_t len, size_t w) {
    if (used + w > budget) return false;
    used += w;
    end = offset + len;
    return true;
  });
  std::string out(s.substr(0, end));
  out.append(kEllipsis);
  return out;
}

std::string PadRightNoTruncate(std::string_view s, size_t width) {
  std::string out(s);
  const size_t w = DisplayWidth(s);
  if (w < width) out.append(width - w, ' ');
  return out;
}

std::string PadRight(std::string_view s, size_t width) {
  return PadRightNoTruncate(Truncate(s, width), width);
}

std::string Trim(std::string_view s) {
  for (;;) {
    if (!s.empty() && IsAsciiSpace(s.front())) {
      s.remove_prefix(1);
    } else if (s.starts_with(kIdeographicSpace)) {
      s.remove_prefix(kIdeographicSpace.size());
    } else {
      break;
    }
  }
  for (;;) {
    if (!s.empty() && IsAsciiSpace(s.back())) {
      s.remove_suffix(1);
    } else if (s.ends_with(kIdeographicSpace)) {
      s.remove_suffix(kIdeographicSpace.size());
    } else {
      break;
    }
  }
  return std::string(s);
}

void AppendUtf8(char32_t cp, std::string& out) {
  assert(cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF));
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string FoldWidth(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const Decoded d = DecodeAt(s, i);
    if (d.len == 0) {  // invalid bytes are kept for the caller to refuse
      out.push_back(s[i++]);
      continue;
    }
    if (d.cp >= 0xFF01 && d.cp <= 0xFF5E)
      out.push_back(static_cast<char>(d.cp - 0xFF01 + 0x21));
    else if (d.cp == 0x3000)
      out.push_back(' ');
    else
      out.append(s.substr(i, d.len));
    i += d.len;
  }
  return out;
}

size_t EditDistance(std::u32string_view a, std::u32string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsUnsafeCodePoint(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 ||
         cp == 0x2029;
}

std::optional<char32_t> FirstUnsafe(std::string_view s, bool allow_line_breaks) {
  for (size_t i = 0; i < s.size();) {
    const Decoded d = DecodeAt(s, i);
    if (d.len == 0) {
      ++i;
      continue;
    }
    i += d.len;
    if (!IsUnsafeCodePoint(d.cp)) continue;
    if (allow_line_breaks &&
        (d.cp == '\n' || d.cp == '\t' || (d.cp == '\r' && i < s.size() && s[i] == '\n')))
      continue;
    return d.cp;
  }
  return std::nullopt;
}

std::string Printable(std::string_view s, Lines lines) {
  // Most text has nothing to replace: return it as it is, without a copy
  // made character by character.
  const std::string_view breaks = lines == Lines::kKeep ? "\r" : "\n\r\t";
  if (s.find_first_of(breaks) == std::string_view::npos && IsValidUtf8(s) &&
      !FirstUnsafe(s, lines == Lines::kKeep))
    return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const Decoded d = DecodeAt(s, i);
    if (d.len == 0) {
      out.append("\uFFFD");
      ++i;
      continue;
    }
    const char32_t cp = d.cp;
    const size_t at = i;
    i += d.len;
    if (!IsUnsafeCodePoint(cp)) {
      out.append(s.substr(at, d.len));
    } else if (cp == '\n' || cp == '\t' || cp == '\r') {
      if (lines == Lines::kFlatten) {
        out.push_back(' ');
      } else if (cp == '\r' && i < s.size() && s[i] == '\n') {
        // The line feed that follows is kept on its own.
      } else if (cp == '\r') {
        out.append("\u240D");  // ␍: a lone CR would return to the line's start
      } else {
        out.push_back(static_cast<char>(cp));
      }
    } else if (cp < 0x20) {
      // U+2400 + the code: the Control Pictures block, one column wide.
      const char32_t picture = 0x2400 + cp;
      out.push_back(static_cast<char>(0xE0 | (picture >> 12)));
      out.push_back(static_cast<char>(0x80 | ((picture >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (picture & 0x3F)));
    } else if (cp == 0x7F) {
      out.append("\u2421");  // ␡
    } else {
      out.append(fmt::format("\\u{{{:x}}}", static_cast<uint32_t>(cp)));
    }
  }
  return out;
}

std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find('\n', start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::optional<uint64_t> ParseUint(std::string_view s) {
  if (s.empty() || s.front() < '0' || s.front() > '9') return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace qun::text
