// The op log read back, for the layers above: which transactions it holds,
// whose, whether they count, and what their ops wrote. core/ owns the log's
// tables (op, op_txn, op_author, field_clock, meta, node_role); sync/ and
// community/ ask these functions instead of reading them with SQL of their
// own, so that a change of the log's layout stays inside core/.
//
// Every function reads in the caller's transaction (or its own snapshot)
// and borrows the Database; one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "core/hlc.h"
#include "core/identity.h"
#include "core/op.h"
#include "core/value.h"

namespace qun::core {

class Database;

// One op_txn row: a transaction of one author, as the log holds it.
struct LoggedTxn {
  int64_t id = 0;
  PublicKey author{};
  uint64_t seq = 0;
  std::string note;
  std::optional<Hlc> ceiling;
  // Why the authority rules refuse it; none when it counts.
  std::optional<std::string> refused;
  bool continues = false;  // a part of a transaction that goes on
};

// Transaction `id`; none when the log does not hold it.
Result<std::optional<LoggedTxn>> ReadTxn(Database& db, int64_t id);
// The transactions of `author` after `after_seq`, by seq.
Result<std::vector<LoggedTxn>> TxnsOf(Database& db, const PublicKey& author, uint64_t after_seq);
// The highest seq of `author` in the log; 0 when it holds none. One index
// search, whatever the history's length.
Result<uint64_t> LastSeqOf(Database& db, const PublicKey& author);
// The ops of transaction `id` in the order they were written, each with
// `author` (the transaction's).
Result<std::vector<Op>> OpsOfTxn(Database& db, int64_t id, const PublicKey& author);
// Every author the log knows of, in key order.
Result<std::vector<PublicKey>> LogAuthors(Database& db);
// The transactions that grant or take a role or invite a node (their ops
// pass IsRoleOp or IsInviteOp), in the order they entered the log.
Result<std::vector<int64_t>> RoleChangeTxns(Database& db);
// The transactions the authority rules refuse, by author key and seq.
Result<std::vector<LoggedTxn>> RefusedTxns(Database& db);
// How many transactions are refused.
Result<int64_t> CountRefusedTxns(Database& db);

// Whether any op wrote row `row_id` of `table`, counted or not.
Result<bool> RowLogged(Database& db, std::string_view table, const std::string& row_id);
// Whether someone other than `node` itself invited it (a write of its
// node.invited_by), counted or not: the log holds only applied change sets,
// so its writer was known when it was applied.
Result<bool> InvitedByOther(Database& db, const PublicKey& node);

// One logged write of a row, for the tables whose rows are read only from
// the log (IsLoggedOnly: envelopes, fork decisions).
struct LoggedWrite {
  std::string row_id;
  Value value;
  bool counts = true;  // its transaction is not refused
};
// The writes of `column` (every column when empty) of `table`, for rows
// whose id starts with `row_prefix` (every row when empty), in log order.
Result<std::vector<LoggedWrite>> LoggedWrites(Database& db, std::string_view table,
                                              std::string_view column,
                                              const std::string& row_prefix);
// The value of the counted write of (`table`, `row_id`, `column`) that wins
// last-writer-wins by raw HLC, then author; none when no counted write is
// logged.
Result<std::optional<Value>> LatestCountedValue(Database& db, std::string_view table,
                                                const std::string& row_id, std::string_view column);

// The ids of logged rows that start with `prefix` (lowercase hex), at most
// `limit` of them.
Result<std::vector<std::string>> LoggedRowIds(Database& db, const std::string& prefix, int limit);
// The author of the earliest write (by HLC) of (`table`, `row_id`,
// `column`), counted or not: who created a row. None when none is logged.
Result<std::optional<PublicKey>> FirstWriter(Database& db, std::string_view table,
                                             const std::string& row_id, std::string_view column);

// The nodes that hold a role now (node_role), as hex ids; some may not be
// well-formed keys when a broken node wrote them.
Result<std::vector<std::string>> NodesWithRoles(Database& db);

// The log's size: how many ops and transactions it holds.
struct LogSize {
  int64_t ops = 0, txns = 0;
};
Result<LogSize> ReadLogSize(Database& db);

// For the domain's listings, which show with each row when it last changed
// or who wrote one of its fields, inside one query over many rows: SQL
// expressions over the log's field clocks, so that the log's layout is
// spelled only here. `table` and `column` are the schema's names (never a
// user's text); `row_expr` is the SQL naming the row's id in the caller's
// query ("p.id").
//
// The raw HLC of the row's latest winning write; 0 when none.
std::string RowChangedSql(std::string_view table, std::string_view row_expr);
// The hex key of the node whose write of the field won; NULL when none.
std::string FieldWriterSql(std::string_view table, std::string_view row_expr,
                           std::string_view column);

}  // namespace qun::core
