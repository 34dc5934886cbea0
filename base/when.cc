#include "base/when.h"

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <vector>

#include "base/dates.h"
#include "base/i18n.h"
#include "base/text.h"

namespace qun::core {
namespace {

// The text as code points, full-width forms folded to ASCII (１２：００,
// ／, －), the ideographic space to a space, ASCII letters lowered.
std::u32string Fold(std::string_view text) {
  std::u32string out;
  for (char32_t c : text::CodePoints(text)) {
    if (c >= 0xFF01 && c <= 0xFF5E) c = c - 0xFF01 + 0x21;
    if (c == 0x3000) c = ' ';
    if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
    out.push_back(c);
  }
  return out;
}

struct Cursor {
  const std::u32string& s;
  size_t i = 0;

  bool Done() const { return i >= s.size(); }
  char32_t Peek(size_t ahead = 0) const { return i + ahead < s.size() ? s[i + ahead] : 0; }
  bool Eat(std::u32string_view word) {
    if (s.compare(i, word.size(), word) != 0) return false;
    i += word.size();
    return true;
  }
  // An English word: not followed by another letter.
  bool EatWord(std::u32string_view word) {
    if (s.compare(i, word.size(), word) != 0) return false;
    char32_t next = Peek(word.size());
    if (next >= 'a' && next <= 'z') return false;
    i += word.size();
    return true;
  }
  void SkipSpaces() {
    while (Peek() == ' ' || Peek() == '\t') ++i;
  }
};

struct Number {
  int value = 0;
  int digits = 0;  // how many digits were written
};

std::optional<Number> AsciiNumber(Cursor& c) {
  Number n;
  while (c.Peek() >= '0' && c.Peek() <= '9' && n.digits < 9) {
    n.value = n.value * 10 + static_cast<int>(c.Peek() - '0');
    ++n.digits;
    ++c.i;
  }
  if (n.digits == 0) return std::nullopt;
  return n;
}

int ChineseDigit(char32_t c) {
  switch (c) {
    case U'零':
    case U'〇':
      return 0;
    case U'一':
      return 1;
    case U'二':
    case U'两':
      return 2;
    case U'三':
      return 3;
    case U'四':
      return 4;
    case U'五':
      return 5;
    case U'六':
      return 6;
    case U'七':
      return 7;
    case U'八':
      return 8;
    case U'九':
      return 9;
    default:
      return -1;
  }
}

// 八, 十二, 二十, 二十三, 三十一; a run of digits (二〇二六) as written.
std::optional<Number> ChineseNumber(Cursor& c) {
  size_t start = c.i;
  if (c.Peek() == U'十') {
    ++c.i;
    int ones = ChineseDigit(c.Peek());
    if (ones > 0) ++c.i;
    return Number{10 + std::max(ones, 0), 2};
  }
  int first = ChineseDigit(c.Peek());
  if (first < 0) return std::nullopt;
  ++c.i;
  if (c.Peek() == U'十') {
    ++c.i;
    int ones = ChineseDigit(c.Peek());
    if (ones > 0) ++c.i;
    return Number{first * 10 + std::max(ones, 0), 2};
  }
  Number n{first, 1};
  while (ChineseDigit(c.Peek()) >= 0 && n.digits < 4) {
    n.value = n.value * 10 + ChineseDigit(c.Peek());
    ++n.digits;
    ++c.i;
  }
  if (n.digits == 1 && first == 0) {
    c.i = start;
    return std::nullopt;
  }
  return n;
}

std::optional<Number> AnyNumber(Cursor& c) {
  if (auto n = AsciiNumber(c)) return n;
  return ChineseNumber(c);
}

std::optional<int64_t> DayOf(int y, int m, int d) {
  using namespace std::chrono;
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  year_month_day ymd{year(y), month(static_cast<unsigned>(m)), day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  return sys_days(ymd).time_since_epoch().count();
}

int YearOf(int64_t day) {
  using namespace std::chrono;
  year_month_day ymd{sys_days(days(day))};
  return static_cast<int>(ymd.year());
}

std::string Quoted(std::string_view written) { return fmt::format("'{}'", written); }

Status NotADate(std::string_view written) {
  return Status::InvalidArgument(fmt::format(
      fmt::runtime(_("{} is not a date: write it as 2026-12-06, 12/6, 12月6日, 周六 or 明天, "
                     "with a time as 20:00 or 晚上8点 where one is asked for")),
      Quoted(written)));
}

Status NotARealDate(std::string_view written) {
  return Status::InvalidArgument(fmt::format(
      fmt::runtime(_("{} is not a real date: check the month and the day")), Quoted(written)));
}

// A month and day without a year: the year the lean picks.
Result<int64_t> WithoutYear(int m, int d, int64_t today, Lean lean, std::string_view written) {
  int y = YearOf(today);
  std::vector<int64_t> candidates;
  for (int year : {y - 1, y, y + 1})
    if (auto day = DayOf(year, m, d)) candidates.push_back(*day);
  if (candidates.empty()) return NotARealDate(written);
  std::optional<int64_t> pick;
  for (int64_t day : candidates) {
    switch (lean) {
      case Lean::kFuture:
        if (day >= today && (!pick || day < *pick)) pick = day;
        break;
      case Lean::kPast:
        if (day <= today && (!pick || day > *pick)) pick = day;
        break;
      case Lean::kNear:
        if (!pick || std::llabs(day - today) < std::llabs(*pick - today) ||
            (std::llabs(day - today) == std::llabs(*pick - today) && day > *pick))
          pick = day;
        break;
    }
  }
  if (!pick) return NotARealDate(written);
  return *pick;
}

struct DateHit {
  int64_t day = 0;
  bool inferred = false;
};

std::optional<int> WeekdayChar(char32_t c) {
  switch (c) {
    case U'一':
    case '1':
      return 0;
    case U'二':
    case '2':
      return 1;
    case U'三':
    case '3':
      return 2;
    case U'四':
    case '4':
      return 3;
    case U'五':
    case '5':
      return 4;
    case U'六':
    case '6':
      return 5;
    case U'日':
    case U'天':
    case '7':
      return 6;
    default:
      return std::nullopt;
  }
}

int64_t ResolveWeekday(int wd, std::optional<int> week_offset, int64_t today, Lean lean) {
  int64_t monday = today - Weekday(today);
  if (week_offset) return monday + 7 * *week_offset + wd;
  int64_t this_week = monday + wd;
  switch (lean) {
    case Lean::kFuture:
      return this_week >= today ? this_week : this_week + 7;
    case Lean::kPast:
      return this_week <= today ? this_week : this_week - 7;
    case Lean::kNear:
      break;
  }
  return this_week;
}

std::optional<DateHit> WeekdayDate(Cursor& c, int64_t today, Lean lean) {
  size_t start = c.i;
  // Chinese: [下下|下|上上|上|本|这][个](周|星期|礼拜)X
  std::optional<int> offset;
  if (c.Eat(U"下下"))
    offset = 2;
  else if (c.Eat(U"上上"))
    offset = -2;
  else if (c.Eat(U"下"))
    offset = 1;
  else if (c.Eat(U"上"))
    offset = -1;
  else if (c.Eat(U"本") || c.Eat(U"这"))
    offset = 0;
  if (offset) c.Eat(U"个");
  if (c.Eat(U"周") || c.Eat(U"星期") || c.Eat(U"礼拜") || c.Eat(U"禮拜")) {
    if (auto wd = WeekdayChar(c.Peek())) {
      ++c.i;
      return DateHit{ResolveWeekday(*wd, offset, today, lean), true};
    }
  }
  c.i = start;
  // English: [next|last|this] mon..sun
  enum class Rel { kNone, kNext, kLast, kThis } rel = Rel::kNone;
  if (c.EatWord(U"next"))
    rel = Rel::kNext;
  else if (c.EatWord(U"last"))
    rel = Rel::kLast;
  else if (c.EatWord(U"this"))
    rel = Rel::kThis;
  c.SkipSpaces();
  static const std::array<std::array<std::u32string_view, 3>, 7> kNames = {{
      {U"monday", U"mon", U""},
      {U"tuesday", U"tues", U"tue"},
      {U"wednesday", U"wed", U""},
      {U"thursday", U"thurs", U"thu"},
      {U"friday", U"fri", U""},
      {U"saturday", U"sat", U""},
      {U"sunday", U"sun", U""},
  }};
  for (int wd = 0; wd < 7; ++wd)
    for (std::u32string_view name : kNames[wd]) {
      if (name.empty() || !c.EatWord(name)) continue;
      int64_t this_week = today - Weekday(today) + wd;
      switch (rel) {
        case Rel::kNext:
          return DateHit{this_week > today ? this_week : this_week + 7, true};
        case Rel::kLast:
          return DateHit{this_week < today ? this_week : this_week - 7, true};
        case Rel::kThis:
          return DateHit{this_week, true};
        case Rel::kNone:
          return DateHit{ResolveWeekday(wd, std::nullopt, today, lean), true};
      }
    }
  c.i = start;
  return std::nullopt;
}

std::optional<DateHit> RelativeWord(Cursor& c, int64_t today) {
  struct Word {
    std::u32string_view text;
    int offset;
    bool english;
  };
  static const Word kWords[] = {
      {U"大后天", 3, false},    {U"后天", 2, false},  {U"明天", 1, false},
      {U"明日", 1, false},      {U"今天", 0, false},  {U"今日", 0, false},
      {U"大前天", -3, false},   {U"前天", -2, false}, {U"昨天", -1, false},
      {U"昨日", -1, false},     {U"today", 0, true},  {U"tomorrow", 1, true},
      {U"yesterday", -1, true},
  };
  for (const Word& w : kWords)
    if (w.english ? c.EatWord(w.text) : c.Eat(w.text)) return DateHit{today + w.offset, true};
  return std::nullopt;
}

// Numbers: 2026-12-6, 2026/12/6, 2026.12.6, 12/6, 12-6, 6/12/2026, 20261206;
// 2026年12月6日, 12月6日, 12月6号.
Result<std::optional<DateHit>> NumericDate(Cursor& c, int64_t today, Lean lean,
                                           std::string_view written) {
  size_t start = c.i;
  std::optional<Number> first = AnyNumber(c);
  if (!first) return std::optional<DateHit>();
  auto none = [&]() -> Result<std::optional<DateHit>> {
    c.i = start;
    return std::optional<DateHit>();
  };
  if (c.Peek() == U'年') {
    ++c.i;
    c.SkipSpaces();
    std::optional<Number> m = AnyNumber(c);
    if (!m || !c.Eat(U"月")) return NotADate(written);
    c.SkipSpaces();
    std::optional<Number> d = AnyNumber(c);
    if (!d) return NotADate(written);
    if (!c.Eat(U"日")) c.Eat(U"号");
    int y = first->value;
    if (first->digits == 2) y += 2000;
    auto day = DayOf(y, m->value, d->value);
    if (!day) return NotARealDate(written);
    return std::optional<DateHit>(DateHit{*day, false});
  }
  if (c.Peek() == U'月') {
    ++c.i;
    c.SkipSpaces();
    std::optional<Number> d = AnyNumber(c);
    if (!d) return NotADate(written);
    if (!c.Eat(U"日")) c.Eat(U"号");
    QUN_ASSIGN_OR_RETURN(int64_t day, WithoutYear(first->value, d->value, today, lean, written));
    return std::optional<DateHit>(DateHit{day, true});
  }
  char32_t sep = c.Peek();
  if (sep != '-' && sep != '/' && sep != '.') {
    if (first->digits == 8) {
      int v = first->value;
      auto day = DayOf(v / 10000, v / 100 % 100, v % 100);
      if (!day) return NotARealDate(written);
      return std::optional<DateHit>(DateHit{*day, false});
    }
    return none();
  }
  std::vector<Number> parts{*first};
  while (parts.size() < 3 && c.Peek() == sep) {
    size_t at = c.i;
    ++c.i;
    std::optional<Number> n = AsciiNumber(c);
    if (!n) {
      c.i = at;
      break;
    }
    parts.push_back(*n);
  }
  if (parts.size() < 2) return none();
  if (parts.size() == 3) {
    if (parts[0].digits == 4) {
      auto day = DayOf(parts[0].value, parts[1].value, parts[2].value);
      if (!day) return NotARealDate(written);
      return std::optional<DateHit>(DateHit{*day, false});
    }
    if (parts[2].digits != 4) return NotADate(written);
    int a = parts[0].value, b = parts[1].value, y = parts[2].value;
    if (a > 12 || b > 12 || a == b) {
      int m = a > 12 ? b : a, d = a > 12 ? a : b;
      auto day = DayOf(y, m, d);
      if (!day) return NotARealDate(written);
      return std::optional<DateHit>(DateHit{*day, true});
    }
    auto month_first = DayOf(y, a, b), day_first = DayOf(y, b, a);
    if (month_first && day_first)
      return Status::InvalidArgument(
          fmt::format(fmt::runtime(_("{} could be {} or {}: write the year first, as YYYY-MM-DD")),
                      Quoted(written), DayText(*month_first), DayText(*day_first)));
    std::optional<int64_t> day = month_first ? month_first : day_first;
    if (!day) return NotARealDate(written);
    return std::optional<DateHit>(DateHit{*day, true});
  }
  if (parts[0].digits == 4) return NotADate(written);  // a year and a month: no day
  int a = parts[0].value, b = parts[1].value;
  // Month first, as Chinese writes it (12/6 is 12月6日); 25/12 can only be
  // day first.
  int m = a, d = b;
  if (a > 12 && b <= 12) std::swap(m, d);
  QUN_ASSIGN_OR_RETURN(int64_t day, WithoutYear(m, d, today, lean, written));
  return std::optional<DateHit>(DateHit{day, true});
}

enum class Period { kNone, kEarly, kMorning, kNoon, kAfternoon, kEvening };

// 8:00, 20:00, 8点, 8点半, 8点15, 8点15分, 3点一刻, 晚上8点, 下午三点半, 8pm, 8:30 am.
Result<std::optional<int>> TimeOfDay(Cursor& c, std::string_view written) {
  size_t start = c.i;
  auto none = [&]() -> Result<std::optional<int>> {
    c.i = start;
    return std::optional<int>();
  };
  Period period = Period::kNone;
  struct Word {
    std::u32string_view text;
    Period period;
  };
  static const Word kPeriods[] = {
      {U"凌晨", Period::kEarly},     {U"清晨", Period::kMorning},   {U"早上", Period::kMorning},
      {U"早晨", Period::kMorning},   {U"上午", Period::kMorning},   {U"中午", Period::kNoon},
      {U"下午", Period::kAfternoon}, {U"傍晚", Period::kAfternoon}, {U"晚上", Period::kEvening},
      {U"夜里", Period::kEvening},   {U"夜间", Period::kEvening},   {U"早", Period::kMorning},
      {U"晚", Period::kEvening},
  };
  for (const Word& w : kPeriods)
    if (c.Eat(w.text)) {
      period = w.period;
      break;
    }
  c.SkipSpaces();
  std::optional<Number> hour = AnyNumber(c);
  if (!hour) return period == Period::kNone ? none() : Status(NotADate(written));
  int h = hour->value, m = 0;
  bool clock = false;
  if (c.Peek() == ':') {
    ++c.i;
    std::optional<Number> minute = AsciiNumber(c);
    if (!minute || minute->digits != 2) return NotADate(written);
    m = minute->value;
    if (c.Peek() == ':') {  // seconds, dropped
      ++c.i;
      if (!AsciiNumber(c)) return NotADate(written);
    }
    clock = true;
  } else if (c.Eat(U"点") || c.Eat(U"點") || c.Eat(U"时") || c.Eat(U"時")) {
    clock = true;
    if (c.Eat(U"半")) {
      m = 30;
    } else if (c.Eat(U"一刻")) {
      m = 15;
    } else if (c.Eat(U"三刻")) {
      m = 45;
    } else if (c.Eat(U"整")) {
      m = 0;
    } else if (std::optional<Number> minute = AnyNumber(c)) {
      m = minute->value;
      c.Eat(U"分");
    }
  }
  c.SkipSpaces();
  bool am = c.EatWord(U"am") || c.EatWord(U"a.m.");
  bool pm = !am && (c.EatWord(U"pm") || c.EatWord(U"p.m."));
  if (!clock && !am && !pm) return period == Period::kNone ? none() : Status(NotADate(written));
  auto bad_time = [&] {
    return Status::InvalidArgument(fmt::format(
        fmt::runtime(_("{} is not a time of day: write it as 20:00 or 晚上8点")), Quoted(written)));
  };
  if (m > 59) return bad_time();
  if (am || pm) {
    if (h < 1 || h > 12) return bad_time();
    if (am && h == 12) h = 0;
    if (pm && h != 12) h += 12;
  }
  switch (period) {
    case Period::kEarly:
      if (h == 12) h = 0;
      break;
    case Period::kNoon:
      if (h >= 1 && h <= 2) h += 12;
      break;
    case Period::kAfternoon:
    case Period::kEvening:
      if (h >= 1 && h <= 11) h += 12;
      break;
    case Period::kMorning:
    case Period::kNone:
      break;
  }
  if (h > 23) return bad_time();
  return std::optional<int>(h * 60 + m);
}

}  // namespace

Result<When> ParseWhen(std::string_view text, int64_t today, Lean lean,
                       std::optional<int> now_minute) {
  std::string written = text::Trim(text);
  std::u32string folded = Fold(written);
  Cursor c{folded};
  c.SkipSpaces();
  std::optional<DateHit> date = RelativeWord(c, today);
  if (!date) date = WeekdayDate(c, today, lean);
  if (!date) {
    QUN_ASSIGN_OR_RETURN(date, NumericDate(c, today, lean, written));
  }
  if (date) {
    c.SkipSpaces();
    // 2026-12-06T20:00, "12/6, 20:00", 周六的下午
    if (c.Peek() == 't' || c.Peek() == ',' || c.Peek() == U'，' || c.Peek() == U'的') ++c.i;
    c.SkipSpaces();
  }
  QUN_ASSIGN_OR_RETURN(std::optional<int> minute, TimeOfDay(c, written));
  c.SkipSpaces();
  if (!c.Done() || (!date && !minute)) return NotADate(written);
  When w;
  w.written = written;
  w.minute = minute;
  if (date) {
    w.day = date->day;
    w.inferred = date->inferred;
  } else {
    w.day = today;
    w.dated = false;
    if (lean == Lean::kFuture && now_minute && *minute < *now_minute) ++w.day;
    w.inferred = true;
  }
  return w;
}

Result<int64_t> ParseDay(std::string_view text, int64_t today, Lean lean, When* parsed) {
  QUN_ASSIGN_OR_RETURN(When w, ParseWhen(text, today, lean));
  if (w.minute)
    return Status::InvalidArgument(fmt::format(
        fmt::runtime(_("{} has a time of day; give the date only (e.g. 2026-12-06 or 周六)")),
        Quoted(w.written)));
  if (parsed) *parsed = w;
  return w.day;
}

int64_t LocalMs(const When& w) {
  int64_t ms = LocalMidnightMs(w.day);
  if (!w.minute) return ms;
  // Through the calendar, not by adding minutes to midnight: a day when
  // the clocks change has 23 or 25 hours.
  return LocalTimeMs(w.day, *w.minute / 60, *w.minute % 60);
}

Result<int64_t> ParseLocalTime(std::string_view text) {
  QUN_ASSIGN_OR_RETURN(When w, ParseWhen(text, 0, Lean::kNear));
  if (w.inferred) return NotADate(w.written);
  return LocalMs(w);
}

std::string WeekdayName(int weekday) {
  static const char* const kNames[] = {N_("Monday"),   N_("Tuesday"), N_("Wednesday"),
                                       N_("Thursday"), N_("Friday"),  N_("Saturday"),
                                       N_("Sunday")};
  return _(kNames[((weekday % 7) + 7) % 7]);
}

std::string Describe(const When& w) {
  std::string out = fmt::format("{} {}", DayText(w.day), WeekdayName(Weekday(w.day)));
  if (w.minute) out += fmt::format(" {:02}:{:02}", *w.minute / 60, *w.minute % 60);
  return out;
}

std::string Echo(const When& w) {
  if (!w.inferred) return "";
  return fmt::format("{} = {}", w.written, Describe(w));
}

}  // namespace qun::core
