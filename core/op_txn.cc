#include "core/op_txn.h"

#include "core/db.h"

namespace qun::core {

Result<int64_t> AppendTxn(Database& db, const TxnRow& row) {
  QUN_ASSIGN_OR_RETURN(CachedStatement txn,
                       db.Use("INSERT INTO op_txn(author, seq, hlc, note, ceiling, refused, "
                              "continues) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  txn->Bind(1, row.author_id)
      .Bind(2, static_cast<int64_t>(row.seq))
      .Bind(3, static_cast<int64_t>(row.hlc.packed))
      .Bind(4, row.note);
  txn->Bind(5, HlcValue(row.ceiling));
  txn->Bind(6, row.refused ? Value(*row.refused) : Value());
  txn->Bind(7, int64_t{row.continues ? 1 : 0});
  QUN_RETURN_IF_ERROR(txn->Run());
  return db.LastInsertRowId();
}

Status RemoveTxn(Database& db, int64_t txn, std::vector<FieldRef>* fields) {
  QUN_ASSIGN_OR_RETURN(CachedStatement ops,
                       db.Use("SELECT DISTINCT tbl, row_id, col FROM op WHERE txn = ?"));
  ops->Bind(1, txn);
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, ops->Step());
    if (!row) break;
    fields->push_back({ops->Text(0), ops->Text(1), ops->Text(2)});
  }
  QUN_ASSIGN_OR_RETURN(CachedStatement drop_ops, db.Use("DELETE FROM op WHERE txn = ?"));
  drop_ops->Bind(1, txn);
  QUN_RETURN_IF_ERROR(drop_ops->Run());
  QUN_ASSIGN_OR_RETURN(CachedStatement drop_txn, db.Use("DELETE FROM op_txn WHERE id = ?"));
  drop_txn->Bind(1, txn);
  return drop_txn->Run();
}

Status SetRefused(Database& db, int64_t txn, const std::optional<std::string>& reason) {
  QUN_ASSIGN_OR_RETURN(CachedStatement s, db.Use("UPDATE op_txn SET refused = ? WHERE id = ?"));
  s->Bind(1, reason ? Value(*reason) : Value());
  s->Bind(2, txn);
  return s->Run();
}

}  // namespace qun::core
