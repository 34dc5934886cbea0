// Keeps a server's log readable, and its size bounded, under a flood of
// events worth a line each (refused connections, damaged messages): per key
// (an address, a node), the first few lines of each minute are logged and
// the rest only counted, then summed up in one line when that minute ends.
//
// A value type with no clock of its own: the caller passes the time, so
// tests need not wait. Not thread-safe; a server's loop owns one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace qun::sync {

class LogLimit {
 public:
  // Keys beyond this many at once share one count: a flood from many
  // addresses grows neither the log nor this table without bound.
  static constexpr size_t kMaxKeys = 1000;
  static constexpr char kOtherKey[] = "other addresses";

  LogLimit(size_t lines_per_window, int64_t window_ms)
      : lines_per_window_(lines_per_window), window_ms_(window_ms) {}

  // Whether a line about `key` may be logged at `now_ms`; when not, it is
  // counted for the summary (under kOtherKey when the table is full).
  bool Allow(const std::string& key, int64_t now_ms);

  // The keys whose window has ended by `now_ms` and that had lines held
  // back, with how many; those windows are forgotten.
  std::vector<std::pair<std::string, uint64_t>> Expire(int64_t now_ms);

  size_t keys() const { return windows_.size(); }

 private:
  struct Window {
    int64_t start_ms = 0;
    size_t logged = 0;
    uint64_t held_back = 0;
  };
  size_t lines_per_window_;
  int64_t window_ms_;
  std::map<std::string, Window> windows_;
};

}  // namespace qun::sync
