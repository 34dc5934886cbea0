// How `qun` shows things: aligned tables that respect the display width of
// Chinese text, key/value blocks, JSON for scripts, and progress bars.
//
// Colour and progress bars appear only on a terminal (and never with
// NO_COLOR set), so piped output stays plain.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace qun::cli {

bool StdoutIsTerminal();
bool UseColor();

// What `qun` writes for a person to read on a terminal, made safe: text from
// other nodes, old databases or imported files may hold control characters
// and bidi overrides (text::Printable shows them instead of letting them
// act). Line breaks and tabs stay. The only escape sequences let through are
// kBold and kReset, the table headers' own, and only when UseColor().
std::string TerminalText(std::string_view s);
constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kReset = "\x1b[0m";

// Text that prints on one line (a log line, a name inside a sentence): as
// TerminalText, and line breaks and tabs become spaces, so no value can
// start a line that looks like another.
std::string OneLine(std::string_view s);

// A JSON text (nlohmann::json::dump) with DEL, C1 controls, bidi controls
// and the line separators written as \u escapes too: the same JSON, the same
// data, and nothing in it acts on the terminal it is printed to. (dump
// escapes the C0 controls already.)
std::string EscapeJsonControls(std::string dumped);

// "2026-11-23 17:32" in local time; "" for 0.
std::string FormatTime(int64_t ms);

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  // Columns whose content is wider than `max_width` are cut with "…".
  void SetMaxWidth(size_t column, size_t max_width);
  std::string Render() const;
  size_t size() const { return rows_.size(); }

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<size_t> max_widths_;
};

// Lines "label: value", labels padded to one width. Multi-line values are
// indented under their label.
class Details {
 public:
  void Add(std::string label, std::string value) {
    rows_.emplace_back(std::move(label), std::move(value));
  }
  std::string Render() const;

 private:
  std::vector<std::pair<std::string, std::string>> rows_;
};

// A progress bar on stderr for work that takes more than a second. It stays
// silent when stderr is not a terminal, unless QUN_PROGRESS=always (tests).
class Progress {
 public:
  Progress(std::string label, int64_t total);
  ~Progress();
  void Update(int64_t done);
  // For work whose size is learnt on the way (a network sync).
  void SetTotal(int64_t total) { total_ = total; }
  void Finish();

 private:
  std::string label_;
  int64_t total_;
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace qun::cli
