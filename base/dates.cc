#include "base/dates.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <chrono>
#include <ctime>

#include "base/i18n.h"

namespace qun::core {
namespace {

bool ParseInt(std::string_view s, int& out) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::optional<int64_t> ParseDayNumber(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (!ParseInt(text.substr(0, 4), y) || !ParseInt(text.substr(5, 2), m) ||
      !ParseInt(text.substr(8, 2), d))
    return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd).time_since_epoch().count();
}

std::string DayText(int64_t day) {
  std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(day))};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

int64_t LocalDay(int64_t unix_ms) {
  time_t secs = static_cast<time_t>(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
  struct tm tm_local {};
  localtime_r(&secs, &tm_local);
  std::chrono::year_month_day ymd{std::chrono::year(tm_local.tm_year + 1900),
                                  std::chrono::month(static_cast<unsigned>(tm_local.tm_mon + 1)),
                                  std::chrono::day(static_cast<unsigned>(tm_local.tm_mday))};
  return std::chrono::sys_days(ymd).time_since_epoch().count();
}

int64_t LocalMidnightMs(int64_t day) {
  std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(day))};
  struct tm tm_local {};
  tm_local.tm_year = static_cast<int>(ymd.year()) - 1900;
  tm_local.tm_mon = static_cast<int>(static_cast<unsigned>(ymd.month())) - 1;
  tm_local.tm_mday = static_cast<int>(static_cast<unsigned>(ymd.day()));
  tm_local.tm_isdst = -1;
  return static_cast<int64_t>(mktime(&tm_local)) * 1000;
}

int Weekday(int64_t day) {
  // 1970-01-01 was a Thursday (3 counting from Monday = 0).
  return static_cast<int>(((day % 7) + 7 + 3) % 7);
}

int64_t LocalTimeMs(int64_t day, int hour, int minute) {
  std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(day))};
  struct tm tm_local {};
  tm_local.tm_year = static_cast<int>(ymd.year()) - 1900;
  tm_local.tm_mon = static_cast<int>(static_cast<unsigned>(ymd.month())) - 1;
  tm_local.tm_mday = static_cast<int>(static_cast<unsigned>(ymd.day()));
  tm_local.tm_hour = hour;
  tm_local.tm_min = minute;
  tm_local.tm_isdst = -1;
  return static_cast<int64_t>(mktime(&tm_local)) * 1000;
}

std::string FormatLocalTime(int64_t unix_ms) {
  if (unix_ms == 0) return "";
  time_t secs = static_cast<time_t>(unix_ms / 1000);
  struct tm tm_local {};
  localtime_r(&secs, &tm_local);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm_local);
  return buf;
}

std::string AddMonths(int64_t day, int64_t months) {
  using namespace std::chrono;
  year_month_day ymd{sys_days(days(day))};
  year_month_day moved = ymd + std::chrono::months(months);
  if (!moved.ok()) moved = moved.year() / moved.month() / last;
  return DayText(sys_days(moved).time_since_epoch().count());
}

Result<int64_t> ParseDays(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument(
        i18n::Format(_("'{}' is not a number of days: write it like 60d, 8w or 60"), text));
  };
  if (text.empty()) return bad();
  int64_t per = 1;
  std::string_view digits = text;
  if (text.back() == 'd') {
    digits = text.substr(0, text.size() - 1);
  } else if (text.back() == 'w') {
    digits = text.substr(0, text.size() - 1);
    per = 7;
  }
  int n = 0;
  if (digits.size() > 6 || !ParseInt(digits, n)) return bad();
  return n * per;
}

}  // namespace qun::core
