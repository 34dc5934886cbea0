#include "core/log_reads.h"

#include <fmt/format.h>

#include "core/db.h"
#include "core/permissions.h"

namespace qun::core {
namespace {

std::optional<std::string> TextOrNone(const Value& v) {
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  return std::nullopt;
}

// The columns LoggedTxn reads, in its order; `t` is op_txn, `a` op_author.
constexpr char kTxnColumns[] =
    "t.id, a.pubkey, t.seq, coalesce(t.note, ''), t.ceiling, t.refused, t.continues";

Result<LoggedTxn> TxnFromRow(const Statement& s) {
  LoggedTxn t;
  t.id = s.Int(0);
  QUN_ASSIGN_OR_RETURN(t.author, KeyFromValue(s.GetValue(1)));
  t.seq = static_cast<uint64_t>(s.Int(2));
  t.note = s.Text(3);
  t.ceiling = HlcFromValue(s.GetValue(4));
  t.refused = TextOrNone(s.GetValue(5));
  t.continues = s.Int(6) != 0;
  return t;
}

template <typename Stmt>
Result<std::vector<LoggedTxn>> TxnRows(Stmt& s) {
  std::vector<LoggedTxn> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(LoggedTxn t, TxnFromRow(*s));
    out.push_back(std::move(t));
  }
  return out;
}

// The first column of every row, as text.
Result<std::vector<std::string>> TextColumn(CachedStatement& s) {
  std::vector<std::string> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.push_back(s->Text(0));
  }
  return out;
}

// The upper bound of the ids that start with `prefix`: ids are lowercase
// hex, colons and digits, so bumping the last character bounds them.
std::string PrefixEnd(std::string prefix) {
  if (!prefix.empty()) ++prefix.back();
  return prefix;
}

}  // namespace

Result<std::optional<LoggedTxn>> ReadTxn(Database& db, int64_t id) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM op_txn t JOIN op_author a ON a.id = t.author WHERE t.id = ?", kTxnColumns);
  QUN_ASSIGN_OR_RETURN(CachedStatement s, db.Use(kSql));
  s->Bind(1, id);
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<LoggedTxn>();
  QUN_ASSIGN_OR_RETURN(LoggedTxn t, TxnFromRow(*s));
  return std::optional<LoggedTxn>(std::move(t));
}

Result<std::vector<LoggedTxn>> TxnsOf(Database& db, const PublicKey& author, uint64_t after_seq) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM op_txn t JOIN op_author a ON a.id = t.author WHERE a.pubkey = ? AND "
      "t.seq > ? ORDER BY t.seq",
      kTxnColumns);
  QUN_ASSIGN_OR_RETURN(CachedStatement s, db.Use(kSql));
  s->Bind(1, Blob(author)).Bind(2, static_cast<int64_t>(after_seq));
  return TxnRows(s);
}

Result<uint64_t> LastSeqOf(Database& db, const PublicKey& author) {
  QUN_ASSIGN_OR_RETURN(CachedStatement s,
                       db.Use("SELECT coalesce(max(t.seq), 0) FROM op_txn t JOIN op_author a ON "
                              "a.id = t.author WHERE a.pubkey = ?"));
  s->Bind(1, Blob(author));
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  return row ? static_cast<uint64_t>(s->Int(0)) : 0;
}

Result<std::vector<Op>> OpsOfTxn(Database& db, int64_t id, const PublicKey& author) {
  QUN_ASSIGN_OR_RETURN(CachedStatement s,
                       db.Use("SELECT tbl, row_id, col, value, hlc FROM op WHERE txn = ? "
                              "ORDER BY id"));
  s->Bind(1, id);
  std::vector<Op> ops;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    ops.push_back({s->Text(0), s->Text(1), s->Text(2), s->GetValue(3),
                   Hlc{static_cast<uint64_t>(s->Int(4))}, author});
  }
  return ops;
}

Result<std::vector<PublicKey>> LogAuthors(Database& db) {
  QUN_ASSIGN_OR_RETURN(CachedStatement s, db.Use("SELECT pubkey FROM op_author ORDER BY pubkey"));
  std::vector<PublicKey> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(PublicKey k, KeyFromValue(s->GetValue(0)));
    out.push_back(k);
  }
  return out;
}

Result<std::vector<int64_t>> RoleChangeTxns(Database& db) {
  // The partial index op_roles (006_roles.sql) holds exactly these ops.
  QUN_ASSIGN_OR_RETURN(
      CachedStatement s,
      db.Use("SELECT DISTINCT txn FROM op WHERE tbl = 'node_role' OR (tbl = 'node' AND col = "
             "'invited_by') ORDER BY txn"));
  std::vector<int64_t> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.push_back(s->Int(0));
  }
  return out;
}

Result<std::vector<LoggedTxn>> RefusedTxns(Database& db) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM op_txn t JOIN op_author a ON a.id = t.author WHERE t.refused IS NOT NULL "
      "ORDER BY a.pubkey, t.seq",
      kTxnColumns);
  QUN_ASSIGN_OR_RETURN(CachedStatement s, db.Use(kSql));
  return TxnRows(s);
}

Result<int64_t> CountRefusedTxns(Database& db) {
  QUN_ASSIGN_OR_RETURN(CachedStatement s,
                       db.Use("SELECT count(*) FROM op_txn WHERE refused IS NOT NULL"));
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  return row ? s->Int(0) : 0;
}

Result<bool> RowLogged(Database& db, std::string_view table, const std::string& row_id) {
  QUN_ASSIGN_OR_RETURN(CachedStatement s,
                       db.Use("SELECT EXISTS (SELECT 1 FROM op WHERE row_id = ? AND tbl = ?)"));
  s->Bind(1, row_id).Bind(2, table);
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  return row && s->Int(0) != 0;
}

Result<bool> InvitedByOther(Database& db, const PublicKey& node) {
  // The partial index op_invites (004_peers.sql) holds these ops.
  QUN_ASSIGN_OR_RETURN(CachedStatement s,
                       db.Use("SELECT EXISTS (SELECT 1 FROM op o JOIN op_author a ON "
                              "a.id = o.author WHERE o.row_id = ? AND o.tbl = 'node' "
                              "AND o.col = 'invited_by' AND o.value IS NOT NULL AND "
                              "a.pubkey != ?)"));
  s->Bind(1, ToHex(node)).Bind(2, Blob(node));
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  return row && s->Int(0) != 0;
}

Result<std::vector<LoggedWrite>> LoggedWrites(Database& db, std::string_view table,
                                              std::string_view column,
                                              const std::string& row_prefix) {
  // Conditions only for what is asked, so that a row range can use the
  // index op_by_row.
  std::string sql =
      "SELECT o.row_id, o.value, t.refused IS NULL FROM op o JOIN op_txn t ON t.id = o.txn "
      "WHERE o.tbl = ?1";
  if (!column.empty()) sql += " AND o.col = ?2";
  if (!row_prefix.empty()) sql += " AND o.row_id >= ?3 AND o.row_id < ?4";
  sql += " ORDER BY o.id";
  QUN_ASSIGN_OR_RETURN(CachedStatement s, db.Use(sql));
  s->Bind(1, table);
  if (!column.empty()) s->Bind(2, column);
  if (!row_prefix.empty()) s->Bind(3, row_prefix).Bind(4, PrefixEnd(row_prefix));
  std::vector<LoggedWrite> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.push_back({s->Text(0), s->GetValue(1), s->Int(2) != 0});
  }
  return out;
}

Result<std::optional<Value>> LatestCountedValue(Database& db, std::string_view table,
                                                const std::string& row_id,
                                                std::string_view column) {
  QUN_ASSIGN_OR_RETURN(
      CachedStatement s,
      db.Use("SELECT o.value FROM op o JOIN op_txn t ON t.id = o.txn JOIN op_author a ON a.id = "
             "o.author WHERE o.row_id = ? AND o.tbl = ? AND o.col = ? AND t.refused IS NULL "
             "ORDER BY o.hlc DESC, a.pubkey DESC LIMIT 1"));
  s->Bind(1, row_id).Bind(2, table).Bind(3, column);
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<Value>();
  return std::optional<Value>(s->GetValue(0));
}

Result<std::vector<std::string>> LoggedRowIds(Database& db, const std::string& prefix, int limit) {
  QUN_ASSIGN_OR_RETURN(
      CachedStatement s,
      db.Use("SELECT DISTINCT row_id FROM op WHERE row_id >= ? AND row_id < ? LIMIT ?"));
  s->Bind(1, prefix).Bind(2, PrefixEnd(prefix)).Bind(3, limit);
  return TextColumn(s);
}

Result<std::optional<PublicKey>> FirstWriter(Database& db, std::string_view table,
                                             const std::string& row_id, std::string_view column) {
  QUN_ASSIGN_OR_RETURN(
      CachedStatement s,
      db.Use("SELECT a.pubkey FROM op o JOIN op_author a ON a.id = o.author WHERE o.row_id = ? "
             "AND o.tbl = ? AND o.col = ? ORDER BY o.hlc LIMIT 1"));
  s->Bind(1, row_id).Bind(2, table).Bind(3, column);
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<PublicKey>();
  QUN_ASSIGN_OR_RETURN(PublicKey k, KeyFromValue(s->GetValue(0)));
  return std::optional<PublicKey>(k);
}

Result<std::vector<std::string>> NodesWithRoles(Database& db) {
  QUN_ASSIGN_OR_RETURN(CachedStatement s,
                       db.Use("SELECT DISTINCT node FROM node_role ORDER BY node"));
  return TextColumn(s);
}

Result<LogSize> ReadLogSize(Database& db) {
  QUN_ASSIGN_OR_RETURN(CachedStatement s,
                       db.Use("SELECT (SELECT count(*) FROM op), (SELECT count(*) FROM op_txn)"));
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  LogSize out;
  if (row) {
    out.ops = s->Int(0);
    out.txns = s->Int(1);
  }
  return out;
}

std::string RowChangedSql(std::string_view table, std::string_view row_expr) {
  return fmt::format(
      "coalesce((SELECT max(hlc) FROM field_clock WHERE tbl = '{}' AND row_id = {}), 0)", table,
      row_expr);
}

std::string FieldWriterSql(std::string_view table, std::string_view row_expr,
                           std::string_view column) {
  return fmt::format(
      "(SELECT lower(hex(author)) FROM field_clock WHERE tbl = '{}' AND row_id = {} AND col = "
      "'{}')",
      table, row_expr, column);
}

}  // namespace qun::core
