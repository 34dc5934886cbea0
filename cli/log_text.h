// How `qun log` words a change for the person reading it: the command that
// made it in the organizers' words, the field by the name they know it by,
// a reference by the name of what it refers to, a time as a date and a time,
// yes or no for a flag, and a row's `deleted` as "added", "removed" or
// "restored". All in the language chosen (base/i18n.h). `qun log --json`
// shows none of this: it keeps the stored names and values.
#pragma once

#include <map>
#include <string>

#include "core/history.h"

namespace qun::core {
class Database;
}

namespace qun::cli {

// The command that made a change, from its note as stored ("group add",
// "import members 通讯录.csv"), in the language chosen; a note Qun does not
// know (another version's, say) is shown as stored.
std::string ChangeName(const std::string& note);

// A field write as a person reads it.
struct ShownWrite {
  std::string field;  // "city", 城市; "added" for a row's first deleted = 0
  std::string from, to;
};

// Words a log's entries, remembering the names it looked up.
class LogWords {
 public:
  explicit LogWords(core::Database& db) : db_(db) {}
  // The row written, by name ("张伟 @ 北京交流群"); its short id when it has
  // none.
  std::string Record(const core::LogEntry& e);
  ShownWrite Write(const core::LogEntry& e);

 private:
  // The name of the row `id` of `table`, or of a node (table "node"); the
  // short id when there is none.
  std::string Name(const std::string& table, const std::string& id);
  std::string Shown(const core::LogEntry& e, const Value& v, bool to);

  core::Database& db_;
  std::map<std::string, std::string> names_;
};

}  // namespace qun::cli
