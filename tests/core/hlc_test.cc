#include "core/hlc.h"

#include <doctest/doctest.h>

using qun::core::FakeClock;
using qun::core::Hlc;
using qun::core::HlcClock;

TEST_CASE("hlc packs physical time and counter so that integers order like timestamps") {
  Hlc a = Hlc::From(1000, 5);
  CHECK(a.physical_ms() == 1000);
  CHECK(a.counter() == 5);
  CHECK(Hlc::From(1000, 6) > a);
  CHECK(Hlc::From(1001, 0) > Hlc::From(1000, Hlc::kCounterMax));
  CHECK(Hlc::From(1001, 0).packed > Hlc::From(1000, Hlc::kCounterMax).packed);
}

TEST_CASE("hlc follows the wall clock when it moves forward") {
  FakeClock clock(5000);
  HlcClock hlc(&clock, Hlc{});
  CHECK(hlc.Now() == Hlc::From(5000, 0));
  clock.Advance(10);
  CHECK(hlc.Now() == Hlc::From(5010, 0));
}

TEST_CASE("hlc is strictly monotonic within one millisecond") {
  FakeClock clock(5000);
  HlcClock hlc(&clock, Hlc{});
  Hlc prev = hlc.Now();
  for (int i = 0; i < 1000; ++i) {
    Hlc next = hlc.Now();
    CHECK(next > prev);
    CHECK(next.physical_ms() == 5000);
    prev = next;
  }
}

TEST_CASE("hlc never goes backwards when the wall clock jumps back") {
  FakeClock clock(10'000);
  HlcClock hlc(&clock, Hlc{});
  Hlc before = hlc.Now();
  clock.Set(2'000);  // the user fixed a clock that ran 8 s fast
  Hlc after = hlc.Now();
  CHECK(after > before);
  CHECK(after.physical_ms() == 10'000);
  CHECK(after.counter() == 1);
  clock.Set(10'001);
  CHECK(hlc.Now() == Hlc::From(10'001, 0));
}

TEST_CASE("hlc counter overflow borrows the next millisecond") {
  FakeClock clock(7000);
  HlcClock hlc(&clock, Hlc::From(7000, Hlc::kCounterMax - 1));
  CHECK(hlc.Now() == Hlc::From(7000, Hlc::kCounterMax));
  Hlc overflowed = hlc.Now();
  CHECK(overflowed == Hlc::From(7001, 0));
  CHECK(hlc.Now() == Hlc::From(7001, 1));  // wall clock still at 7000
}

TEST_CASE("hlc orders a local write after a remote timestamp it observed") {
  FakeClock clock(1000);
  HlcClock hlc(&clock, Hlc{});
  hlc.Observe(Hlc::From(9000, 3));
  Hlc next = hlc.Now();
  CHECK(next > Hlc::From(9000, 3));
  hlc.Observe(Hlc::From(10, 0));  // an older timestamp changes nothing
  CHECK(hlc.Now() > next);
}

TEST_CASE("hlc resumes above a persisted high-water mark") {
  FakeClock clock(100);
  HlcClock hlc(&clock, Hlc::From(500, 2));
  CHECK(hlc.Now() == Hlc::From(500, 3));
}

TEST_CASE("hlc prints as a UTC time") {
  CHECK(Hlc::From(0, 0).ToString() == "1970-01-01 00:00:00.000 UTC");
  CHECK(Hlc::From(1'795'427'188'123, 2).ToString() == "2026-11-23 09:46:28.123 UTC #2");
}
