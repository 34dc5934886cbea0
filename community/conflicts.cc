#include "community/conflicts.h"

#include <fmt/format.h>

#include <set>

#include "base/i18n.h"
#include "core/ids.h"
#include "core/log_reads.h"

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
    c.summary = i18n::Format(_("{} groups are named '{}': {}"), c.ids.size(), groups.Text(0),
                             ShortList(c.ids));
    c.fix =
        i18n::Format(_("rename one: `qun group edit {} --name NEW-NAME`"), ShortId(c.ids.back()));
    out.push_back(std::move(c));
  }
  // People of one name created on different laptops: who created a person
  // record is the author of its created_at write.
  QUN_ASSIGN_OR_RETURN(
      Statement people,
      db.Prepare("SELECT display_name, group_concat(id) FROM (SELECT id, display_name FROM "
                 "person WHERE deleted = 0 AND display_name IS NOT NULL ORDER BY id) GROUP BY "
                 "display_name HAVING count(*) > 1 ORDER BY 1"));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, people.Step());
    if (!row) break;
    std::vector<std::string> ids = Split(people.Text(1));
    std::set<PublicKey> creators;
    for (const std::string& id : ids) {
      QUN_ASSIGN_OR_RETURN(std::optional<PublicKey> creator,
                           FirstWriter(db, "person", id, "created_at"));
      if (creator) creators.insert(*creator);
    }
    if (creators.size() < 2) continue;
    Conflict c;
    c.kind = "possible duplicate";
    c.ids = std::move(ids);
    c.summary = i18n::Format(_("'{}' was added on different laptops {} times: {}"), people.Text(0),
                             c.ids.size(), ShortList(c.ids));
    c.fix = i18n::Format(_("if they are one person: `qun member merge {} {}`"), ShortId(c.ids[0]),
                         ShortId(c.ids[1]));
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace qun::core
