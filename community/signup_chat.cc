#include "community/signup_chat.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "base/dates.h"
#include "base/text.h"

namespace qun::core {
namespace {

void AppendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::string ToUtf8(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) AppendUtf8(out, c);
  return out;
}

// The spaces chats paste: ASCII, no-break, the en/em spaces WeChat puts
// after an @mention, the ideographic space.
bool IsSpace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Characters that take no room and mean nothing here: a BOM, zero-width
// spaces, direction marks.
bool IsInvisible(char32_t c) {
  return c == 0xFEFF || c == 0x200B || c == 0x200C || c == 0x200E || c == 0x200F || c == 0x2060 ||
         c == '\r';
}

// Emoji and the pictographs, arrows and shapes people decorate lists with,
// with the joiners and selectors that build emoji sequences.
bool IsEmoji(char32_t c) {
  return (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) ||
         (c >= 0x2B00 && c <= 0x2BFF) || (c >= 0x2300 && c <= 0x23FF) ||
         (c >= 0x2190 && c <= 0x21FF) || (c >= 0x25A0 && c <= 0x25FF) ||
         (c >= 0xFE00 && c <= 0xFE0F) || c == 0x200D || c == 0x20E3 ||
         (c >= 0xE0020 && c <= 0xE007F) || c == 0x3030 || c == 0x303D;
}

int DigitValue(char32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 0xFF10 && c <= 0xFF19) return static_cast<int>(c - 0xFF10);  // ０-９
  return -1;
}

bool IsPlus(char32_t c) { return c == '+' || c == 0xFF0B || c == 0x2795; }  // + ＋ ➕

// What may follow a list number: "1." "1、" "1)" "1）" "1。" "1，" "１．".
bool IsNumberSeparator(char32_t c) {
  return c == '.' || c == 0xFF0E || c == 0x3001 || c == ')' || c == 0xFF09 || c == 0x3002 ||
         c == ',' || c == 0xFF0C;
}

// Punctuation trimmed off a name before keys are compared ("@张伟", "张伟，").
bool IsNamePunct(char32_t c) {
  switch (c) {
    case ',':
    case '.':
    case ';':
    case ':':
    case '!':
    case '?':
    case '~':
    case '-':
    case '_':
    case '*':
    case '@':
    case '#':
    case 0x3001:
    case 0x3002:
    case 0xB7:
    case 0x30FB:
      return true;
    default:
      return false;
  }
}

// The line with invisible characters dropped and every space made ' ',
// trimmed.
std::u32string CleanLine(std::string_view line) {
  std::u32string out;
  for (char32_t c : text::CodePoints(line)) {
    if (IsInvisible(c)) continue;
    out += IsSpace(c) ? U' ' : c;
  }
  size_t b = out.find_first_not_of(U' ');
  if (b == std::u32string::npos) return {};
  size_t e = out.find_last_not_of(U' ');
  return out.substr(b, e - b + 1);
}

std::vector<std::string> Words(std::u32string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == U' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != U' ') ++j;
    if (j > i) out.push_back(ToUtf8(s.substr(i, j - i)));
    i = j;
  }
  return out;
}

std::string JoinWords(const std::vector<std::string>& words, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to && i < words.size(); ++i) out += (out.empty() ? "" : " ") + words[i];
  return out;
}

// Whether a line that carries no number is the 候补 (waitlist) header,
// decorated or not: "候补:", "【候补】", "候补名单".
bool IsWaitlistHeader(std::u32string_view line) {
  size_t i = 0;
  while (i < line.size() && (IsEmoji(line[i]) || line[i] == U' ' || line[i] == U'【' ||
                             line[i] == U'[' || line[i] == U'(' || line[i] == U'（' ||
                             line[i] == U'#' || line[i] == U'-' || line[i] == U'='))
    ++i;
  return line.substr(i).rfind(U"候补", 0) == 0;
}

// One line in the text: a single line without its line break, newline
// characters in names replaced.
std::string OneLine(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return text::Trim(out);
}

std::string LineText(const ChatLine& l) {
  std::string out = OneLine(l.name);
  if (l.guests > 0) out += fmt::format(" +{}", l.guests);
  std::string note = OneLine(l.note);
  if (!note.empty()) out += " " + note;
  return out;
}

}  // namespace

std::string ChatEntry::note() const {
  std::string out = JoinWords(words, 1, words.size());
  if (!tail.empty()) out += (out.empty() ? "" : " ") + tail;
  return out;
}

std::string ChatDateTime(int64_t starts_at, int64_t ends_at) {
  static const char* kWeekdays[] = {"周一", "周二", "周三", "周四", "周五", "周六", "周日"};
  auto date = [](int64_t ms) {
    int64_t day = LocalDay(ms);
    std::string d = DayText(day);  // YYYY-MM-DD
    int month = std::stoi(d.substr(5, 2)), mday = std::stoi(d.substr(8, 2));
    return fmt::format("{}月{}日({})", month, mday, kWeekdays[Weekday(day)]);
  };
  auto clock = [](int64_t ms) {
    std::string t = FormatLocalTime(ms);  // "" for an event without a time
    return t.size() > 11 ? t.substr(11) : std::string();
  };
  std::string out = date(starts_at);
  std::string start = clock(starts_at);
  if (ends_at <= 0) return start == "00:00" ? out : out + " " + start;
  out += " " + start + "-";
  if (LocalDay(ends_at) != LocalDay(starts_at)) out += date(ends_at) + " ";
  return out + clock(ends_at);
}

std::string FormatChatList(const ChatHeader& h, const std::vector<ChatLine>& in,
                           const std::vector<ChatLine>& waitlist) {
  std::string out = "#接龙\n";
  std::string title = OneLine(h.title) + " " + ChatDateTime(h.starts_at, h.ends_at);
  std::string place = OneLine(h.place);
  if (place.empty() && h.mode == "online") place = "线上";
  if (!place.empty()) title += " " + place;
  if (h.status == "closed") title += "（已截止）";
  if (h.status == "cancelled") title += "（已取消）";
  out += title + "\n";
  if (h.capacity) out += fmt::format("报名上限 {} 人\n", *h.capacity);
  out += "\n";
  for (size_t i = 0; i < in.size(); ++i) out += fmt::format("{}. {}\n", i + 1, LineText(in[i]));
  if (!waitlist.empty()) {
    out += "候补:\n";
    for (size_t i = 0; i < waitlist.size(); ++i)
      out += fmt::format("{}. {}\n", i + 1, LineText(waitlist[i]));
  }
  return out;
}

ChatParse ParseChatList(std::string_view text) {
  ChatParse result;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  bool waitlist = false;
  int line_no = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    std::u32string line = CleanLine(raw);
    if (line.empty()) {
      if (end == text.size()) break;
      continue;
    }
    // Decorations before the number: "🔥1. 张伟".
    size_t i = 0;
    while (i < line.size() && (IsEmoji(line[i]) || line[i] == U' ') && DigitValue(line[i]) < 0) ++i;
    int number = 0;
    size_t digits = 0;
    while (i < line.size() && DigitValue(line[i]) >= 0 && digits < 6) {
      number = number * 10 + DigitValue(line[i]);
      ++i;
      ++digits;
    }
    auto header = [&] {
      if (IsWaitlistHeader(line)) waitlist = true;
      ++result.headers;
    };
    if (digits == 0 || number > 999) {
      header();
      if (end == text.size()) break;
      continue;
    }
    // What follows the number decides whether this is an entry: a keycap
    // ("1️⃣"), a separator ("1." "1、" "１．") or a space; "11月28日",
    // "14:00" and "2026.11.28" are not.
    bool entry = false;
    if (i < line.size() && (line[i] == 0xFE0F || line[i] == 0x20E3)) {
      while (i < line.size() && (line[i] == 0xFE0F || line[i] == 0x20E3)) ++i;
      entry = true;
    } else if (i < line.size() && IsNumberSeparator(line[i])) {
      while (i < line.size() && IsNumberSeparator(line[i])) ++i;
      entry = i >= line.size() || DigitValue(line[i]) < 0;
    } else if (i >= line.size() || line[i] == U' ') {
      entry = true;
    }
    if (!entry) {
      header();
      if (end == text.size()) break;
      continue;
    }
    while (i < line.size() && line[i] == U' ') ++i;
    std::u32string rest = line.substr(i);
    if (rest.rfind(U"例", 0) == 0) {  // "1. 例 张三 +1": the example, not a sign-up
      ++result.headers;
      if (end == text.size()) break;
      continue;
    }
    ChatEntry e;
    e.line = line_no;
    e.number = number;
    e.text = ToUtf8(line);
    e.waitlist = waitlist;
    // The guest count: the first "+N" (N from 1 to 99), attached or not.
    std::u32string before = rest, after;
    for (size_t p = 0; p < rest.size(); ++p) {
      if (!IsPlus(rest[p])) continue;
      size_t q = p + 1;
      if (q < rest.size() && rest[q] == 0xFE0F) ++q;  // ➕️
      int64_t n = 0;
      size_t nd = 0;
      while (q < rest.size() && DigitValue(rest[q]) >= 0 && nd < 3) {
        n = n * 10 + DigitValue(rest[q]);
        ++q;
        ++nd;
      }
      if (nd == 0 || nd > 2 || n == 0 || (q < rest.size() && DigitValue(rest[q]) >= 0)) continue;
      e.guests = n;
      before = rest.substr(0, p);
      after = rest.substr(q);
      break;
    }
    e.words = Words(before);
    e.tail = text::Trim(ToUtf8(after));
    if (e.words.empty()) {  // "3. +1 张伟"
      e.words = Words(after);
      e.tail.clear();
    }
    if (e.words.empty()) {
      ++result.empty_slots;
    } else {
      result.entries.push_back(std::move(e));
    }
    if (end == text.size()) break;
  }
  return result;
}

std::string ChatNameKey(std::string_view name) {
  std::u32string folded;
  for (char32_t c : text::CodePoints(name)) {
    if (IsInvisible(c) || IsEmoji(c)) continue;
    if (IsSpace(c)) c = U' ';
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    if (c == U' ' && (folded.empty() || folded.back() == U' ')) continue;
    folded += c;
  }
  size_t b = 0, e = folded.size();
  while (b < e && (folded[b] == U' ' || IsNamePunct(folded[b]))) ++b;
  while (e > b && (folded[e - 1] == U' ' || IsNamePunct(folded[e - 1]))) --e;
  return ToUtf8(folded.substr(b, e - b));
}

std::vector<ChatMatch> MatchChatEntries(const std::vector<ChatEntry>& entries,
                                        const std::vector<ChatPerson>& people) {
  std::vector<std::vector<std::string>> keys(people.size());
  for (size_t p = 0; p < people.size(); ++p)
    for (const auto& n : people[p].names) keys[p].push_back(ChatNameKey(n));
  auto find = [&](const std::string& candidate, bool by_key) {
    std::vector<std::string> ids;
    std::string key = by_key ? ChatNameKey(candidate) : candidate;
    if (key.empty()) return ids;
    for (size_t p = 0; p < people.size(); ++p) {
      const auto& names = by_key ? keys[p] : people[p].names;
      for (const auto& n : names) {
        if (n.empty() || n != key) continue;
        if (std::find(ids.begin(), ids.end(), people[p].id) == ids.end())
          ids.push_back(people[p].id);
        break;
      }
    }
    return ids;
  };
  std::vector<ChatMatch> out;
  std::map<std::string, int> first_line;
  for (const ChatEntry& e : entries) {
    ChatMatch m;
    m.entry = e;
    m.note = e.note();
    for (size_t k = e.words.size(); k >= 1; --k) {
      std::string candidate = JoinWords(e.words, 0, k);
      std::vector<std::string> ids = find(candidate, false);
      if (ids.empty()) ids = find(candidate, true);
      if (ids.empty()) continue;
      m.matched_name = candidate;
      if (ids.size() > 1) {
        m.kind = ChatMatch::Kind::kAmbiguous;
        m.candidates = ids;
      } else {
        m.kind = ChatMatch::Kind::kMatched;
        m.person_id = ids[0];
        m.note = JoinWords(e.words, k, e.words.size());
        if (!e.tail.empty()) m.note += (m.note.empty() ? "" : " ") + e.tail;
      }
      break;
    }
    if (m.kind == ChatMatch::Kind::kMatched) {
      auto [it, fresh] = first_line.emplace(m.person_id, e.line);
      if (!fresh) {
        m.kind = ChatMatch::Kind::kDuplicate;
        m.first_line = it->second;
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace qun::core
