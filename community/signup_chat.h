// Sign-up lists (接龙) as people paste them into a chat group, and back.
//
// The writer prints an event's list in the numbered form members copy,
// append their name to and paste again:
//
//   #接龙
//   周六读书会 11月28日(周六) 14:00 静安图书馆
//   报名上限 20 人
//
//   1. 张伟
//   2. 李娜 +1
//   3. 王芳 带孩子
//   候补:
//   1. 赵强
//
// The parser reads such a paste back, as forgiving as the chats are: "1.",
// "1、", "1)", "1 " and full-width "１．" numbers, keycap emoji "1️⃣", CRLF,
// a BOM, blank and header lines, "例" example lines, "+1"/"＋１" guests and
// notes after the name. The matcher then pairs each entry with a person of
// the group by their names. All three are pure functions (local time zone
// aside, for the date in the header).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qun::core {

// --- writing

struct ChatHeader {
  std::string title;
  int64_t starts_at = 0;  // unix ms
  int64_t ends_at = 0;    // 0: no end given
  std::string place;
  std::string mode;  // online or offline
  std::optional<int64_t> capacity;
  std::string status;  // open, closed or cancelled
};

struct ChatLine {
  std::string name;
  int64_t guests = 0;
  std::string note;
};

// "11月28日(周六) 14:00" or "11月28日(周六) 14:00-16:00" (an end on another
// day adds its date), in local time.
std::string ChatDateTime(int64_t starts_at, int64_t ends_at);

// The whole list, ending with a newline. The 候补 block appears only when
// someone is waiting.
std::string FormatChatList(const ChatHeader& header, const std::vector<ChatLine>& in,
                           const std::vector<ChatLine>& waitlist);

// --- reading

struct ChatEntry {
  int line = 0;                    // 1-based line of the pasted text
  int number = 0;                  // the number written before it
  std::string text;                // the line, trimmed
  std::vector<std::string> words;  // what precedes the guest count, split at spaces
  std::string tail;                // what follows the guest count
  int64_t guests = 0;              // "+2" -> 2
  bool waitlist = false;           // after the 候补 header
  // The first word and the rest: what the entry means when the matcher
  // takes the first word as the name.
  std::string name() const { return words.empty() ? "" : words[0]; }
  std::string note() const;
};

struct ChatParse {
  std::vector<ChatEntry> entries;  // in pasted order, 候补 entries last
  int headers = 0;                 // lines skipped: title, #接龙, 例, 候补...
  int empty_slots = 0;             // numbered lines with no name ("4.")
};

ChatParse ParseChatList(std::string_view text);

// --- matching entries to people

// A person who may be on the list, with every name they go by: display
// name, nickname, nickname in the group, contact handles.
struct ChatPerson {
  std::string id;
  std::string label;  // how to name them in a report
  std::vector<std::string> names;
};

struct ChatMatch {
  enum class Kind { kMatched, kUnmatched, kAmbiguous, kDuplicate };
  Kind kind = Kind::kUnmatched;
  ChatEntry entry;
  std::string person_id;                // kMatched, kDuplicate
  std::string matched_name;             // the words that matched
  std::string note;                     // what followed the name
  std::vector<std::string> candidates;  // kAmbiguous: person ids
  int first_line = 0;                   // kDuplicate: where the person was first listed
};

// The key names are compared by after an exact comparison fails: full-width
// letters and digits made ASCII, ASCII lower-cased, emoji and the
// punctuation around the name dropped, spaces collapsed.
std::string ChatNameKey(std::string_view name);

// Pairs each entry with a person: the longest run of leading words that is
// one of a person's names, exactly, else by ChatNameKey. Several people at
// the first run that matches make it ambiguous; a person matched again is a
// duplicate of their first line.
std::vector<ChatMatch> MatchChatEntries(const std::vector<ChatEntry>& entries,
                                        const std::vector<ChatPerson>& people);

}  // namespace qun::core
