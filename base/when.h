// Dates and times as organizers write them, in one parser that every
// command uses: 2026-12-06, 2026-12-6, 2026/12/6, 12/6, 12-6, 12月6日,
// 2026年12月6日, 今天/明天/后天/昨天/前天, 周六/星期六/礼拜六/下周六/本周日,
// today/tomorrow/yesterday/sat/next sat; times 8:00, 20:00, 晚上8点,
// 下午3点半, 8pm; a date and a time together ("周六 下午3点", "12/12 20:00").
// Full-width digits and punctuation (１２：００) read as their ASCII twins.
//
// A date written without its year or as a word is resolved against `today`
// and the way the command leans (a new event's date lies ahead, a check-in's
// behind), and the resolved date is to be shown back to the user
// (Describe). A form that could mean two things (6/12/2026) is refused with
// what each would be.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace qun::core {

// Which way a date without a year, or a bare weekday, is resolved.
enum class Lean {
  kPast,    // the latest such day up to today (check-ins, attendance, --as-of)
  kFuture,  // the first such day from today on (events, deadlines)
  kNear,    // this week's weekday; the year that puts the day nearest today
};

struct When {
  int64_t day = 0;            // days since 1970-01-01
  std::optional<int> minute;  // minutes after midnight, when a time was given
  bool inferred = false;      // not written as a full date: worth echoing
  bool dated = true;          // false: a time alone, on the day ParseWhen chose
  std::string written;        // the text as given, trimmed
};

// A date, with or without a time. `now_minute` (minutes after midnight
// now): a time alone ("20:00") is today's unless it has passed and the
// lean is kFuture, then tomorrow's.
Result<When> ParseWhen(std::string_view text, int64_t today, Lean lean,
                       std::optional<int> now_minute = std::nullopt);
// A date only: a time in the text is refused.
Result<int64_t> ParseDay(std::string_view text, int64_t today, Lean lean, When* parsed = nullptr);
// Unix ms of a local date and time (midnight when no time was given).
int64_t LocalMs(const When& w);
// A local date and time written in full, nothing left to guess from today
// ("2026-11-28 14:00", "2026-11-28T14:00", "2026年11月28日 下午2点"; a date
// alone is its midnight): unix ms. For text a program wrote.
Result<int64_t> ParseLocalTime(std::string_view text);

// "2026-12-12 周六" / "2026-12-12 Sat", with " 20:00" when a time was given,
// in the current language.
std::string Describe(const When& w);
// "周六 = 2026-12-12 周六": the text as written and what it was read as; for
// a note after the command's output. Empty when the text was a full date
// already.
std::string Echo(const When& w);
// The day of the week's short name in the current language (0 Monday).
std::string WeekdayName(int weekday);

}  // namespace qun::core
