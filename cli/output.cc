#include "cli/output.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>

#include "base/dates.h"
#include "base/text.h"

namespace qun::cli {

bool StdoutIsTerminal() { return isatty(STDOUT_FILENO) == 1; }

bool UseColor() {
  const char* no_color = std::getenv("NO_COLOR");
  return StdoutIsTerminal() && !(no_color && *no_color);
}

std::string TerminalText(std::string_view s) {
  if (!UseColor()) return text::Printable(s);
  // Our own style sequences pass; every other byte is made printable.
  std::string out;
  while (!s.empty()) {
    size_t bold = s.find(kBold), reset = s.find(kReset);
    size_t at = std::min(bold, reset);
    out += text::Printable(s.substr(0, at));
    if (at == std::string_view::npos) break;
    const std::string_view seq = at == bold ? kBold : kReset;
    out += seq;
    s.remove_prefix(at + seq.size());
  }
  return out;
}

std::string OneLine(std::string_view s) { return text::Printable(s, text::Lines::kFlatten); }

std::string EscapeJsonControls(std::string dumped) {
  // Every byte of these characters' UTF-8 is 0x7F or above, so none can be
  // part of JSON's own syntax: they only occur inside strings, where a \u
  // escape means the same character.
  bool any = false;
  for (char c : dumped)
    if (static_cast<unsigned char>(c) >= 0x7F) any = true;
  if (!any) return dumped;
  std::string out;
  out.reserve(dumped.size());
  for (size_t i = 0; i < dumped.size();) {
    const auto b = static_cast<unsigned char>(dumped[i]);
    if (b < 0x7F) {  // JSON's syntax, and ASCII text dump already escaped
      out.push_back(dumped[i++]);
      continue;
    }
    size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    if (i + len > dumped.size()) len = dumped.size() - i;
    std::string_view ch(dumped.data() + i, len);
    std::u32string cps = text::CodePoints(ch);
    if (cps.size() == 1 && cps[0] != U'\uFFFD' && text::IsUnsafeCodePoint(cps[0])) {
      out += fmt::format("\\u{:04x}", static_cast<uint32_t>(cps[0]));
    } else {
      out.append(ch);
    }
    i += len;
  }
  return out;
}

std::string FormatTime(int64_t ms) { return ms <= 0 ? "" : core::FormatLocalTime(ms); }

void Table::SetMaxWidth(size_t column, size_t max_width) {
  if (max_widths_.size() <= column) max_widths_.resize(column + 1, 0);
  max_widths_[column] = max_width;
}

std::string Table::Render() const {
  size_t n = headers_.size();
  auto cell = [&](const std::vector<std::string>& row, size_t c) -> std::string {
    // A table cell is one line: line breaks inside a value become spaces,
    // and controls become visible before the widths are measured.
    std::string v = OneLine(c < row.size() ? row[c] : "");
    if (c < max_widths_.size() && max_widths_[c] > 0) v = text::Truncate(v, max_widths_[c]);
    return v;
  };
  std::vector<size_t> widths(n, 0);
  for (size_t c = 0; c < n; ++c) widths[c] = text::DisplayWidth(OneLine(headers_[c]));
  for (const auto& row : rows_)
    for (size_t c = 0; c < n; ++c)
      widths[c] = std::max(widths[c], text::DisplayWidth(cell(row, c)));

  bool color = UseColor();
  std::string out;
  auto line = [&](const std::vector<std::string>& row, bool header) {
    std::string l;
    for (size_t c = 0; c < n; ++c) {
      std::string v = header ? OneLine(headers_[c]) : cell(row, c);
      l += c + 1 == n ? v : text::PadRightNoTruncate(v, widths[c]) + "  ";
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    if (header && color) l = std::string(kBold) + l + std::string(kReset);
    out += l + "\n";
  };
  line(headers_, true);
  for (const auto& row : rows_) line(row, false);
  return out;
}

std::string Details::Render() const {
  size_t width = 0;
  for (const auto& [label, value] : rows_)
    width = std::max(width, text::DisplayWidth(OneLine(label)));
  std::string out;
  std::string indent(width + 2, ' ');
  for (const auto& [label, value] : rows_) {
    out += text::PadRightNoTruncate(OneLine(label) + ":", width + 2);
    std::string v = text::Printable(value);
    size_t pos = 0;
    while ((pos = v.find('\n', pos)) != std::string::npos) {
      v.insert(pos + 1, indent);
      pos += indent.size() + 1;
    }
    out += v + "\n";
  }
  return out;
}

Progress::Progress(std::string label, int64_t total) : label_(std::move(label)), total_(total) {
  const char* mode = std::getenv("QUN_PROGRESS");
  std::string m = mode ? mode : "";
  enabled_ = m == "always" || (m != "never" && isatty(STDERR_FILENO) == 1);
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

Progress::~Progress() { Finish(); }

void Progress::Update(int64_t done) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  bool forced = std::getenv("QUN_PROGRESS") && std::string(std::getenv("QUN_PROGRESS")) == "always";
  // Only work that lasts more than a second earns a bar; redraw ten times a second.
  if (!forced && now - start_ < std::chrono::seconds(1)) return;
  if (shown_ && now - last_draw_ < std::chrono::milliseconds(100) && done < total_) return;
  last_draw_ = now;
  shown_ = true;
  constexpr int kBar = 30;
  int filled = total_ > 0 ? static_cast<int>(kBar * done / total_) : kBar;
  std::string bar;
  for (int i = 0; i < kBar; ++i) bar += i < filled ? "#" : "-";
  fmt::print(stderr, "\r{} [{}] {}/{}", label_, bar, done, total_);
  std::fflush(stderr);
}

void Progress::Finish() {
  if (shown_) {
    fmt::print(stderr, "\n");
    shown_ = false;
  }
}

}  // namespace qun::cli
