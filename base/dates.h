// Calendar days and local times, as organizers write them.
//
// Activity counts per calendar day: a check-in "for 2026-11-23" belongs to
// that day wherever and whenever it is synced, so days are stored as text
// (YYYY-MM-DD) and computed with as day numbers (days since 1970-01-01).
// Which day an instant falls on, and what "2026-11-28 14:00" means, follow
// the local time zone of the machine (TZ), the way the organizer reads the
// clock on the wall.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace qun::core {

// Days since 1970-01-01 of "YYYY-MM-DD"; none unless it is a real date.
std::optional<int64_t> ParseDayNumber(std::string_view text);
// "YYYY-MM-DD" of a day number.
std::string DayText(int64_t day);
// The local calendar day of an instant (unix ms).
int64_t LocalDay(int64_t unix_ms);
// The instant local midnight starts `day`.
int64_t LocalMidnightMs(int64_t day);
// The day of the week, 0 Monday ... 6 Sunday.
int Weekday(int64_t day);

// The instant of `hour`:`minute` local time on `day`.
int64_t LocalTimeMs(int64_t day, int hour, int minute);
// "YYYY-MM-DD HH:MM" in local time; "" for 0.
std::string FormatLocalTime(int64_t unix_ms);
// The same day of the month `months` later ("YYYY-MM-DD"), or the month's
// last day when it has fewer days (2026-01-31 + 1 month: 2026-02-28).
std::string AddMonths(int64_t day, int64_t months);
// A number of days: "60d", "8w" or "60". InvalidArgument otherwise.
Result<int64_t> ParseDays(std::string_view text);

}  // namespace qun::core
