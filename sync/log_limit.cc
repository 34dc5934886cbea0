#include "sync/log_limit.h"

namespace qun::sync {

bool LogLimit::Allow(const std::string& key, int64_t now_ms) {
  auto it = windows_.find(key);
  if (it != windows_.end() && now_ms - it->second.start_ms >= window_ms_) {
    // A window that ended without a summary owed starts afresh; one that
    // owes a summary waits for Expire, which the caller runs first.
    if (it->second.held_back == 0) {
      windows_.erase(it);
      it = windows_.end();
    }
  }
  if (it == windows_.end()) {
    const std::string& counted = windows_.size() >= kMaxKeys ? std::string(kOtherKey) : key;
    it = windows_.find(counted);
    if (it == windows_.end()) it = windows_.emplace(counted, Window{now_ms, 0, 0}).first;
  }
  Window& w = it->second;
  if (w.logged < lines_per_window_) {
    ++w.logged;
    return true;
  }
  ++w.held_back;
  return false;
}

std::vector<std::pair<std::string, uint64_t>> LogLimit::Expire(int64_t now_ms) {
  std::vector<std::pair<std::string, uint64_t>> due;
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (now_ms - it->second.start_ms < window_ms_) {
      ++it;
      continue;
    }
    if (it->second.held_back > 0) due.emplace_back(it->first, it->second.held_back);
    it = windows_.erase(it);
  }
  return due;
}

}  // namespace qun::sync
