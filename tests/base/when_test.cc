// Dates and times as organizers write them (base/when.h), against a fixed
// today: Sunday 2026-12-06.
#include "base/when.h"

#include <doctest/doctest.h>

#include <string>

#include "base/dates.h"

using namespace qun;
using core::Lean;

namespace {

const int64_t kToday = *core::ParseDayNumber("2026-12-06");  // a Sunday

struct DayCase {
  const char* text;
  Lean lean;
  const char* day;
  bool inferred;
};

struct TimeCase {
  const char* text;
  const char* day;
  int hour, minute;
};

}  // namespace

TEST_CASE("today, the fixed day these cases count from, is a Sunday") {
  CHECK(core::Weekday(kToday) == 6);
}

TEST_CASE("every way of writing a date reads as the day meant") {
  const DayCase cases[] = {
      {"2026-12-06", Lean::kNear, "2026-12-06", false},
      {"2026-12-6", Lean::kNear, "2026-12-06", false},
      {"2026/12/6", Lean::kNear, "2026-12-06", false},
      {"2026.12.6", Lean::kNear, "2026-12-06", false},
      {"20261206", Lean::kNear, "2026-12-06", false},
      {"  2026-12-06  ", Lean::kNear, "2026-12-06", false},
      {"2026年12月6日", Lean::kNear, "2026-12-06", false},
      {"2026年12月6号", Lean::kNear, "2026-12-06", false},
      {"二〇二六年十二月六日", Lean::kNear, "2026-12-06", false},
      {"12/6", Lean::kNear, "2026-12-06", true},
      {"12-6", Lean::kNear, "2026-12-06", true},
      {"12月6日", Lean::kNear, "2026-12-06", true},
      {"12月6号", Lean::kNear, "2026-12-06", true},
      {"十二月六日", Lean::kNear, "2026-12-06", true},
      {"１２月６日", Lean::kNear, "2026-12-06", true},
      {"２０２６－１２－０６", Lean::kNear, "2026-12-06", false},
      {"12／6", Lean::kNear, "2026-12-06", true},
      {"今天", Lean::kNear, "2026-12-06", true},
      {"今日", Lean::kNear, "2026-12-06", true},
      {"明天", Lean::kNear, "2026-12-07", true},
      {"后天", Lean::kNear, "2026-12-08", true},
      {"大后天", Lean::kNear, "2026-12-09", true},
      {"昨天", Lean::kNear, "2026-12-05", true},
      {"前天", Lean::kNear, "2026-12-04", true},
      {"today", Lean::kNear, "2026-12-06", true},
      {"Tomorrow", Lean::kNear, "2026-12-07", true},
      {"yesterday", Lean::kNear, "2026-12-05", true},
      // A bare weekday leans: an event's Saturday lies ahead, a check-in's
      // behind; said plainly it is this week's.
      {"周六", Lean::kFuture, "2026-12-12", true},
      {"周六", Lean::kPast, "2026-12-05", true},
      {"周六", Lean::kNear, "2026-12-05", true},
      {"星期六", Lean::kFuture, "2026-12-12", true},
      {"礼拜六", Lean::kFuture, "2026-12-12", true},
      {"周日", Lean::kFuture, "2026-12-06", true},
      {"星期天", Lean::kPast, "2026-12-06", true},
      {"周一", Lean::kPast, "2026-11-30", true},
      {"周一", Lean::kFuture, "2026-12-07", true},
      {"下周六", Lean::kPast, "2026-12-12", true},
      {"下个星期一", Lean::kPast, "2026-12-07", true},
      {"本周日", Lean::kFuture, "2026-12-06", true},
      {"这周六", Lean::kFuture, "2026-12-05", true},
      {"上周五", Lean::kFuture, "2026-11-27", true},
      {"下下周三", Lean::kNear, "2026-12-16", true},
      {"周6", Lean::kFuture, "2026-12-12", true},
      {"sat", Lean::kFuture, "2026-12-12", true},
      {"Saturday", Lean::kPast, "2026-12-05", true},
      {"next sat", Lean::kPast, "2026-12-12", true},
      {"last saturday", Lean::kFuture, "2026-12-05", true},
      {"this mon", Lean::kFuture, "2026-11-30", true},
      // No year: the lean picks it.
      {"1/5", Lean::kFuture, "2027-01-05", true},
      {"1/5", Lean::kPast, "2026-01-05", true},
      {"1/5", Lean::kNear, "2027-01-05", true},
      {"11月28日", Lean::kNear, "2026-11-28", true},
      {"12/7", Lean::kPast, "2025-12-07", true},
      {"25/12", Lean::kNear, "2026-12-25", true},
      // Day and month in either order, when only one order is a date.
      {"13/6/2026", Lean::kNear, "2026-06-13", true},
      {"12/25/2026", Lean::kNear, "2026-12-25", true},
      {"6/6/2026", Lean::kNear, "2026-06-06", true},
  };
  for (const DayCase& c : cases) {
    CAPTURE(c.text);
    auto w = core::ParseWhen(c.text, kToday, c.lean);
    REQUIRE_MESSAGE(w.ok(), w.status().message());
    CHECK(core::DayText(w->day) == c.day);
    CHECK(w->inferred == c.inferred);
    CHECK_FALSE(w->minute.has_value());
  }
}

TEST_CASE("times of day as they are written and said") {
  const TimeCase cases[] = {
      {"2026-12-12 20:00", "2026-12-12", 20, 0},
      {"2026-12-12T20:00", "2026-12-12", 20, 0},
      {"2026-12-12 20:00:30", "2026-12-12", 20, 0},
      {"12/12 20:00", "2026-12-12", 20, 0},
      {"12/12, 8:05", "2026-12-12", 8, 5},
      {"周六 下午3点", "2026-12-12", 15, 0},
      {"周六下午3点半", "2026-12-12", 15, 30},
      {"周六的下午三点半", "2026-12-12", 15, 30},
      {"明天早上8点", "2026-12-07", 8, 0},
      {"明天 晚上8点", "2026-12-07", 20, 0},
      {"2026年12月12日晚上8点", "2026-12-12", 20, 0},
      {"12月12日 14:00", "2026-12-12", 14, 0},
      {"sat 8pm", "2026-12-12", 20, 0},
      {"tomorrow 8:30 am", "2026-12-07", 8, 30},
      {"tomorrow 12am", "2026-12-07", 0, 0},
      {"tomorrow 12pm", "2026-12-07", 12, 0},
      {"明天中午12点", "2026-12-07", 12, 0},
      {"明天中午1点", "2026-12-07", 13, 0},
      {"明天凌晨1点", "2026-12-07", 1, 0},
      {"明天3点一刻", "2026-12-07", 3, 15},
      {"明天十点十五分", "2026-12-07", 10, 15},
      {"明天两点", "2026-12-07", 2, 0},
      {"明天晚8点", "2026-12-07", 20, 0},
      {"明天８：００", "2026-12-07", 8, 0},
      {"明天 20点整", "2026-12-07", 20, 0},
  };
  for (const TimeCase& c : cases) {
    CAPTURE(c.text);
    auto w = core::ParseWhen(c.text, kToday, Lean::kFuture);
    REQUIRE_MESSAGE(w.ok(), w.status().message());
    CHECK(core::DayText(w->day) == c.day);
    REQUIRE(w->minute.has_value());
    CHECK(*w->minute == c.hour * 60 + c.minute);
  }
}

TEST_CASE("a time alone is today's, or tomorrow's once it has passed for what lies ahead") {
  auto later = core::ParseWhen("20:00", kToday, Lean::kFuture, 9 * 60);
  REQUIRE(later.ok());
  CHECK(later->day == kToday);
  CHECK(*later->minute == 20 * 60);
  CHECK(later->inferred);
  auto passed = core::ParseWhen("晚上8点", kToday, Lean::kFuture, 21 * 60);
  REQUIRE(passed.ok());
  CHECK(passed->day == kToday + 1);
  auto past = core::ParseWhen("8:00", kToday, Lean::kPast, 21 * 60);
  REQUIRE(past.ok());
  CHECK(past->day == kToday);
}

TEST_CASE("what is not a date, or could be two, is refused saying why") {
  struct Refusal {
    const char* text;
    const char* says;
  };
  const Refusal cases[] = {
      {"banana", "is not a date"},
      {"", "is not a date"},
      {"12", "is not a date"},
      {"2026-12", "is not a date"},
      {"周八", "is not a date"},
      {"下周", "is not a date"},
      {"晚上", "is not a date"},
      {"2026-02-30", "is not a real date"},
      {"2月30日", "is not a real date"},
      {"2026年13月1日", "is not a real date"},
      {"6/12/2026", "could be 2026-06-12 or 2026-12-06"},
      {"明天 25:00", "is not a time of day"},
      {"明天 8点61", "is not a time of day"},
      {"13pm", "is not a time of day"},
      {"明天 8:5", "is not a date"},
      {"周六 然后", "is not a date"},
  };
  for (const Refusal& c : cases) {
    CAPTURE(c.text);
    auto w = core::ParseWhen(c.text, kToday, Lean::kNear);
    REQUIRE_FALSE(w.ok());
    CHECK(w.status().code() == Status::Code::kInvalidArgument);
    CHECK(w.status().message().find(c.says) != std::string::npos);
  }
}

TEST_CASE("a date-only argument refuses a time, and the echo shows what was understood") {
  core::When w;
  auto day = core::ParseDay("周六", kToday, Lean::kFuture, &w);
  REQUIRE(day.ok());
  CHECK(core::Echo(w) == "周六 = 2026-12-12 Saturday");
  auto plain = core::ParseWhen("2026-12-12", kToday, Lean::kFuture);
  REQUIRE(plain.ok());
  CHECK(core::Echo(*plain).empty());
  auto timed = core::ParseDay("周六 20:00", kToday, Lean::kFuture);
  REQUIRE_FALSE(timed.ok());
  CHECK(timed.status().message().find("date only") != std::string::npos);
  auto at = core::ParseWhen("周六晚上8点", kToday, Lean::kFuture);
  REQUIRE(at.ok());
  CHECK(core::Describe(*at) == "2026-12-12 Saturday 20:00");
  CHECK(core::LocalMs(*at) == core::LocalTimeMs(at->day, 20, 0));
}
