// The history `qun log` shows: the op log read back, each row named in
// words (core/oplog.h, RowLabel and ReadLog). Split from oplog.cc, which
// writes the log; this only reads it.
#include "core/history.h"

#include <fmt/args.h>
#include <fmt/format.h>

#include <array>
#include <string_view>

#include "base/i18n.h"
#include "core/db.h"
#include "core/oplog.h"
#include "core/schema.h"

namespace qun::core {

namespace {

// How the rows of a table are named: `sql` gives the parts, `format` puts
// them together. `format` is the stored label, in English (--json, refusal
// reasons); the ones with words in them are marked for the catalog and
// translated where a label is shown. `words[i]`, when set, is the context of
// part i: a stored value with a word of its own (an activity's kind, a
// contact's kind), shown in the language chosen.
struct LabelOf {
  const char* table;
  const char* sql;
  const char* format;
  std::array<const char*, 4> words{};
};

constexpr LabelOf kLabels[] = {
    {"community", "SELECT coalesce(name,'') FROM community WHERE id=?", "{}"},
    {"node", "SELECT coalesce(name,'') FROM node WHERE id=?", "{}"},
    {"chat_group", "SELECT coalesce(name,'') FROM chat_group WHERE id=?", "{}"},
    {"person", "SELECT coalesce(display_name,'') FROM person WHERE id=?", "{}"},
    {"person_handle",
     "SELECT coalesce(p.display_name,''), coalesce(h.kind,''), coalesce(h.value,'') FROM "
     "person_handle h LEFT JOIN person p ON p.id=h.person_id WHERE h.id=?",
     "{} · {} {}",
     {nullptr, "handle kind"}},
    {"person_tag",
     "SELECT coalesce(p.display_name,''), coalesce(t.tag,'') FROM person_tag t LEFT JOIN person p "
     "ON p.id=t.person_id WHERE t.id=?",
     N_("{} · tag {}")},
    {"membership",
     "SELECT coalesce(p.display_name,''), coalesce(g.name,'') FROM membership m LEFT JOIN person "
     "p ON p.id=m.person_id LEFT JOIN chat_group g ON g.id=m.group_id WHERE m.id=?",
     "{} @ {}"},
    {"application",
     "SELECT coalesce(p.display_name,''), coalesce(g.name,'') FROM application a LEFT JOIN "
     "person p ON p.id=a.person_id LEFT JOIN chat_group g ON g.id=a.group_id WHERE a.id=?",
     N_("{} @ {} · application")},
    {"activity",
     "SELECT coalesce(p.display_name,''), coalesce(g.name,''), coalesce(a.kind,''), "
     "coalesce(a.day,'') FROM activity a LEFT JOIN person p ON p.id=a.person_id LEFT JOIN "
     "chat_group g ON g.id=a.group_id WHERE a.id=?",
     "{} @ {} · {} {}",
     {nullptr, nullptr, "activity kind"}},
    {"topic",
     "SELECT coalesce(t.title,''), coalesce(g.name,'') FROM topic t LEFT JOIN chat_group g ON "
     "g.id=t.group_id WHERE t.id=?",
     "{} @ {}"},
    {"event",
     "SELECT coalesce(e.title,''), coalesce(g.name,'') FROM event e LEFT JOIN chat_group g ON "
     "g.id=e.group_id WHERE e.id=?",
     "{} @ {}"},
    {"signup",
     "SELECT coalesce(p.display_name,''), coalesce(e.title,'') FROM signup s LEFT JOIN person p "
     "ON p.id=s.person_id LEFT JOIN event e ON e.id=s.event_id WHERE s.id=?",
     N_("{} · sign-up for {}")},
    {"poll", "SELECT coalesce(question,'') FROM poll WHERE id=?", "{}"},
    {"vote",
     "SELECT coalesce(p.display_name,''), coalesce(q.question,'') FROM vote v LEFT JOIN person p "
     "ON p.id=v.person_id LEFT JOIN poll q ON q.id=v.poll_id WHERE v.id=?",
     N_("{} · vote on {}")},
    {"content", "SELECT coalesce(title,'') FROM content WHERE id=?", "{}"},
    {"warning",
     "SELECT coalesce(p.display_name,''), coalesce(g.name,'') FROM warning w LEFT JOIN person p "
     "ON p.id=w.person_id LEFT JOIN chat_group g ON g.id=w.group_id WHERE w.id=?",
     N_("{} @ {} · warning")},
    {"ban",
     "SELECT coalesce(p.display_name,'') FROM ban b LEFT JOIN person p ON p.id=b.person_id WHERE "
     "b.id=?",
     N_("{} · community ban")},
};

Result<std::string> Label(Database& db, const std::string& table, const std::string& row_id,
                          bool shown) {
  const LabelOf* of = nullptr;
  for (const LabelOf& l : kLabels)
    if (table == l.table) of = &l;
  if (!of) return std::string();
  QUN_ASSIGN_OR_RETURN(CachedStatement s, db.Use(of->sql));
  s->Bind(1, row_id);
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::string();
  fmt::dynamic_format_arg_store<fmt::format_context> parts;
  // One part for each {} of the format.
  int n = 0;
  for (std::string_view f = of->format; f.find("{}") != std::string_view::npos;
       f.remove_prefix(f.find("{}") + 2))
    ++n;
  for (int i = 0; i < n; ++i) {
    std::string part = s->Text(i);
    if (shown && i < static_cast<int>(of->words.size()) && of->words[i] && !part.empty())
      part = i18n::TrContext(of->words[i], part.c_str());
    parts.push_back(std::move(part));
  }
  return fmt::vformat(shown ? _(of->format) : of->format, parts);
}

}  // namespace

Result<std::string> RowLabel(Database& db, const std::string& table, const std::string& row_id) {
  return Label(db, table, row_id, /*shown=*/false);
}

Result<std::string> ShownRowLabel(Database& db, const std::string& table,
                                  const std::string& row_id) {
  return Label(db, table, row_id, /*shown=*/true);
}

Result<std::vector<LogEntry>> ReadLog(Database& db, const std::optional<std::string>& row_id,
                                      int64_t limit) {
  // The "from" value of a write is the value of the write before it on the
  // same field in (HLC, author) order: what last-writer-wins showed before.
  std::string rows_filter;
  if (row_id) {
    rows_filter =
        "WHERE o.row_id = ?1 "
        "OR o.row_id IN (SELECT id FROM person_handle WHERE person_id = ?1) "
        "OR o.row_id IN (SELECT id FROM person_tag WHERE person_id = ?1) "
        "OR o.row_id IN (SELECT id FROM membership WHERE person_id = ?1 OR group_id = ?1) "
        // What belongs to a person in any group; a group's own rows carry
        // its id as their prefix.
        "OR o.row_id IN (SELECT id FROM application WHERE person_id = ?1) "
        "OR o.row_id IN (SELECT id FROM activity WHERE person_id = ?1) "
        "OR o.row_id IN (SELECT id FROM signup WHERE person_id = ?1) "
        "OR o.row_id IN (SELECT id FROM vote WHERE person_id = ?1) "
        "OR o.row_id IN (SELECT id FROM warning WHERE person_id = ?1) "
        "OR o.row_id IN (SELECT id FROM ban WHERE person_id = ?1) "
        "OR (length(?1) = 32 AND o.row_id >= ?1 || '.' AND o.row_id < ?1 || '/')";
  }
  // The previous write is looked up per shown row (index op_by_row), so a
  // short log of a large community reads a few rows, not the whole log.
  std::string sql = fmt::format(
      "SELECT o.hlc, hex(a.pubkey), n.name, t.seq, t.note, o.tbl, o.row_id, o.col, "
      "  (SELECT p.value FROM op p JOIN op_author pa ON pa.id = p.author "
      "   WHERE p.row_id = o.row_id AND p.tbl = o.tbl AND p.col = o.col "
      "     AND (p.hlc, pa.pubkey) < (o.hlc, a.pubkey) "
      "   ORDER BY p.hlc DESC, pa.pubkey DESC LIMIT 1), "
      "  o.value, t.refused IS NULL "
      "FROM op o "
      "JOIN op_author a ON a.id = o.author "
      "JOIN op_txn t ON t.id = o.txn "
      "LEFT JOIN node n ON n.id = lower(hex(a.pubkey)) "
      "{} ORDER BY o.hlc DESC, o.id DESC {}",
      rows_filter, limit > 0 ? fmt::format("LIMIT {}", limit) : "");
  QUN_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  if (row_id) stmt.Bind(1, *row_id);
  std::vector<LogEntry> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    LogEntry e;
    e.hlc = Hlc{static_cast<uint64_t>(stmt.Int(0))};
    e.author = stmt.Text(1);
    for (char& c : e.author) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    e.author_name = stmt.Text(2);
    e.seq = stmt.Int(3);
    e.note = stmt.Text(4);
    e.table = stmt.Text(5);
    e.row_id = stmt.Text(6);
    e.column = stmt.Text(7);
    e.old_value = stmt.GetValue(8);
    e.new_value = stmt.GetValue(9);
    e.counts = stmt.Int(10) != 0;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace qun::core
