#include "cli/output.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>

#include "core/text.h"

namespace qun::cli {

bool StdoutIsTerminal() { return isatty(STDOUT_FILENO) == 1; }

bool UseColor() {
  const char* no_color = std::getenv("NO_COLOR");
  return StdoutIsTerminal() && !(no_color && *no_color);
}

std::string FormatTime(int64_t ms) {
  if (ms <= 0) return "";
  time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm_local;
  localtime_r(&secs, &tm_local);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm_local);
  return buf;
}

void Table::SetMaxWidth(size_t column, size_t max_width) {
  if (max_widths_.size() <= column) max_widths_.resize(column + 1, 0);
  max_widths_[column] = max_width;
}

std::string Table::Render() const {
  size_t n = headers_.size();
  auto cell = [&](const std::vector<std::string>& row, size_t c) -> std::string {
    std::string v = c < row.size() ? row[c] : "";
    // A table cell is one line: line breaks inside a value become spaces.
    for (char& ch : v)
      if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
    if (c < max_widths_.size() && max_widths_[c] > 0) v = text::Truncate(v, max_widths_[c]);
    return v;
  };
  std::vector<size_t> widths(n, 0);
  for (size_t c = 0; c < n; ++c) widths[c] = text::DisplayWidth(headers_[c]);
  for (const auto& row : rows_)
    for (size_t c = 0; c < n; ++c)
      widths[c] = std::max(widths[c], text::DisplayWidth(cell(row, c)));

  bool color = UseColor();
  std::string out;
  auto line = [&](const std::vector<std::string>& row, bool header) {
    std::string l;
    for (size_t c = 0; c < n; ++c) {
      std::string v = header ? headers_[c] : cell(row, c);
      l += c + 1 == n ? v : text::PadRightNoTruncate(v, widths[c]) + "  ";
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    if (header && color) l = "\x1b[1m" + l + "\x1b[0m";
    out += l + "\n";
  };
  line(headers_, true);
  for (const auto& row : rows_) line(row, false);
  return out;
}

std::string Details::Render() const {
  size_t width = 0;
  for (const auto& [label, value] : rows_) width = std::max(width, text::DisplayWidth(label));
  std::string out;
  std::string indent(width + 2, ' ');
  for (const auto& [label, value] : rows_) {
    out += text::PadRightNoTruncate(label + ":", width + 2);
    std::string v = value;
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
