#include "community/conflicts.h"

#include <fmt/format.h>

#include "core/ids.h"

namespace qun::core {
namespace {

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string ShortList(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + ShortId(id);
  return out;
}

}  // namespace

Result<std::vector<Conflict>> FindConflicts(Database& db) {
  std::vector<Conflict> out;
  QUN_ASSIGN_OR_RETURN(
      Statement groups,
      db.Prepare("SELECT min(name), group_concat(id) FROM (SELECT id, name FROM chat_group WHERE "
                 "deleted=0 AND name IS NOT NULL ORDER BY id) GROUP BY name COLLATE NOCASE "
                 "HAVING count(*) > 1 ORDER BY 1"));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, groups.Step());
    if (!row) break;
    Conflict c;
    c.kind = "group name";
    c.ids = Split(groups.Text(1));
    c.summary =
        fmt::format("{} groups are named '{}': {}", c.ids.size(), groups.Text(0), ShortList(c.ids));
    c.fix = fmt::format("rename one: `qun group edit {} --name NEW-NAME`", ShortId(c.ids.back()));
    out.push_back(std::move(c));
  }
  // Who created a person record: the author of its created_at write.
  QUN_ASSIGN_OR_RETURN(
      Statement people,
      db.Prepare("WITH live AS (SELECT p.id, p.display_name, (SELECT o.author FROM op o WHERE "
                 "o.row_id = p.id AND o.tbl = 'person' AND o.col = 'created_at' ORDER BY o.hlc "
                 "LIMIT 1) AS creator FROM person p WHERE p.deleted = 0 AND p.display_name IS "
                 "NOT NULL) SELECT display_name, group_concat(id) FROM (SELECT * FROM live ORDER "
                 "BY id) GROUP BY display_name HAVING count(*) > 1 AND count(DISTINCT creator) > "
                 "1 ORDER BY 1"));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, people.Step());
    if (!row) break;
    Conflict c;
    c.kind = "possible duplicate";
    c.ids = Split(people.Text(1));
    c.summary = fmt::format("'{}' was added on different laptops {} times: {}", people.Text(0),
                            c.ids.size(), ShortList(c.ids));
    c.fix = fmt::format("if they are one person: `qun member merge {} {}`", ShortId(c.ids[0]),
                        ShortId(c.ids[1]));
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace qun::core
