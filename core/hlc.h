// Hybrid logical clock: the timestamp of every op.
//
// An HLC is physical milliseconds since the Unix epoch in the high 48 bits
// and a logical counter in the low 16 bits, packed in one uint64 so that
// timestamps compare as plain integers and sort in SQLite. It never goes
// backwards, even when the wall clock does: a node whose clock jumps back
// keeps the last physical value and counts up the counter. When the counter
// would overflow (65,536 writes within one millisecond, or a long stretch of
// a clock stuck behind) the physical part borrows the next millisecond.
//
// Fields resolve last-writer-wins by (HLC, author public key): see oplog.h.
#pragma once

#include <cstdint>
#include <string>

namespace qun::core {

struct Hlc {
  static constexpr int kCounterBits = 16;
  static constexpr uint64_t kCounterMax = (uint64_t{1} << kCounterBits) - 1;

  uint64_t packed = 0;

  static Hlc From(uint64_t physical_ms, uint64_t counter) {
    return Hlc{(physical_ms << kCounterBits) | (counter & kCounterMax)};
  }
  uint64_t physical_ms() const { return packed >> kCounterBits; }
  uint64_t counter() const { return packed & kCounterMax; }
  auto operator<=>(const Hlc&) const = default;

  // "2026-11-23 09:32:19.123 UTC" (+ counter when non-zero), for logs.
  std::string ToString() const;
};

// Qun reads the computer's clocks here and nowhere else. Wall time (Unix
// milliseconds) is what records, clocks of ops and expiries say; code with a
// Store reads it through the store's PhysicalClock, which tests fake. Steady
// time only measures how long something took or how long to wait, and never
// goes back when the wall clock is set.
int64_t WallClockMs();
int64_t SteadyClockMs();

// Where physical time comes from; tests pass a fake.
class PhysicalClock {
 public:
  virtual ~PhysicalClock() = default;
  virtual uint64_t NowMs() = 0;
};

// The system's real-time clock.
class SystemClock : public PhysicalClock {
 public:
  uint64_t NowMs() override;
};

// A clock tests set by hand.
class FakeClock : public PhysicalClock {
 public:
  explicit FakeClock(uint64_t ms) : ms_(ms) {}
  uint64_t NowMs() override { return ms_; }
  void Set(uint64_t ms) { ms_ = ms; }
  void Advance(uint64_t ms) { ms_ += ms; }

 private:
  uint64_t ms_;
};

// Issues monotonic HLC timestamps. Not thread-safe: owned by the Store.
class HlcClock {
 public:
  HlcClock(PhysicalClock* physical, Hlc last) : physical_(physical), last_(last) {}

  // A timestamp strictly greater than every one issued or observed before.
  Hlc Now();
  // Takes a timestamp seen on another node's op into account, so that our
  // next local write orders after it.
  void Observe(Hlc remote);
  Hlc last() const { return last_; }

 private:
  PhysicalClock* physical_;  // borrowed
  Hlc last_;
};

}  // namespace qun::core
