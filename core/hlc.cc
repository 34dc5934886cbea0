#include "core/hlc.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>

namespace qun::core {

int64_t WallClockMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t SteadyClockMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

uint64_t SystemClock::NowMs() { return static_cast<uint64_t>(WallClockMs()); }

std::string Hlc::ToString() const {
  time_t secs = static_cast<time_t>(physical_ms() / 1000);
  struct tm tm_utc;
  gmtime_r(&secs, &tm_utc);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm_utc);
  std::string out = fmt::format("{}.{:03} UTC", buf, physical_ms() % 1000);
  if (counter() != 0) out += fmt::format(" #{}", counter());
  return out;
}

Hlc HlcClock::Now() {
  uint64_t pt = physical_->NowMs();
  if (pt > last_.physical_ms()) {
    last_ = Hlc::From(pt, 0);
  } else if (last_.counter() < Hlc::kCounterMax) {
    last_ = Hlc::From(last_.physical_ms(), last_.counter() + 1);
  } else {
    last_ = Hlc::From(last_.physical_ms() + 1, 0);
  }
  return last_;
}

void HlcClock::Observe(Hlc remote) {
  if (remote > last_) last_ = remote;
}

}  // namespace qun::core
