// Calendar days and local times (base/dates.h).
#include "base/dates.h"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <time.h>

#include <string>

#include "base/when.h"

using namespace qun;

namespace {

// Runs with TZ set, restoring it afterwards.
struct TimeZone {
  std::string old;
  bool had = false;
  explicit TimeZone(const char* tz) {
    if (const char* o = getenv("TZ")) {
      old = o;
      had = true;
    }
    setenv("TZ", tz, 1);
    tzset();
  }
  ~TimeZone() {
    if (had)
      setenv("TZ", old.c_str(), 1);
    else
      unsetenv("TZ");
    tzset();
  }
};

}  // namespace

TEST_CASE("calendar days: real dates only, and the local day of an instant") {
  CHECK(core::ParseDayNumber("1970-01-01") == 0);
  CHECK(core::ParseDayNumber("2026-11-23") == 20780);
  CHECK(core::DayText(20780) == "2026-11-23");
  CHECK(core::ParseDayNumber("2024-02-29").has_value());
  CHECK_FALSE(core::ParseDayNumber("2026-02-29").has_value());
  CHECK_FALSE(core::ParseDayNumber("2026-13-01").has_value());
  CHECK_FALSE(core::ParseDayNumber("2026-1-01").has_value());
  CHECK_FALSE(core::ParseDayNumber("２０２６-11-23").has_value());
  CHECK(core::Weekday(20780) == 0);  // 2026-11-23 is a Monday
  CHECK(*core::ParseDay("yesterday", 20780, core::Lean::kPast) == 20779);
  auto bad = core::ParseDay("23 11 2026", 20780, core::Lean::kPast);
  CHECK(bad.status().code() == Status::Code::kInvalidArgument);
  CHECK(bad.status().message().find("2026-12-06") != std::string::npos);
  CHECK(*core::ParseDays("60d") == 60);
  CHECK(*core::ParseDays("8w") == 56);
  CHECK(*core::ParseDays("14") == 14);
  CHECK_FALSE(core::ParseDays("-3d").ok());
  CHECK_FALSE(core::ParseDays("d").ok());

  TimeZone shanghai("Asia/Shanghai");
  // 2026-11-23 23:30 in Shanghai is 15:30 UTC the same day; 00:30 the next
  // day in Shanghai is still the 23rd in UTC.
  int64_t late = *core::ParseLocalTime("2026-11-23 23:30");
  CHECK(late == core::LocalMidnightMs(20780) + (23 * 60 + 30) * 60'000);
  CHECK(late == 1'795'447'800'000);  // 15:30 UTC
  CHECK(core::LocalDay(late) == 20780);
  CHECK(core::LocalDay(late + 3'600'000) == 20781);
  CHECK(core::FormatLocalTime(late) == "2026-11-23 23:30");
  CHECK(*core::ParseLocalTime("2026-11-23T23:30") == late);
  CHECK_FALSE(core::ParseLocalTime("2026-11-23 24:00").ok());
  CHECK_FALSE(core::ParseLocalTime("tomorrow").ok());
}
