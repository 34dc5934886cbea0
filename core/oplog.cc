#include "core/oplog.h"

#include <fmt/format.h>
#include <sodium.h>

#include <cstring>
#include <map>
#include <set>
#include <tuple>

#include "base/i18n.h"
#include "base/text.h"
#include "core/db.h"
#include "core/field_text.h"
#include "core/permissions.h"
#include "core/schema.h"
#include "core/store.h"

namespace qun::core {

Result<int64_t> AuthorId(Database& db, const PublicKey& author) {
  Bytes key{std::vector<uint8_t>(author.begin(), author.end())};
  QUN_ASSIGN_OR_RETURN(CachedStatement find, db.Use("SELECT id FROM op_author WHERE pubkey=?"));
  find->Bind(1, key);
  QUN_ASSIGN_OR_RETURN(bool found, find->Step());
  if (found) {
    int64_t id = find->Int(0);
    return id;
  }
  QUN_ASSIGN_OR_RETURN(CachedStatement add, db.Use("INSERT INTO op_author(pubkey) VALUES (?)"));
  add->Bind(1, key);
  QUN_RETURN_IF_ERROR(add->Run());
  return db.LastInsertRowId();
}

std::optional<Hlc> Ceiling(std::optional<Hlc> frontier, std::optional<Hlc> own_max) {
  if (!frontier) return std::nullopt;
  Hlc ceiling{frontier->packed + (kMaxClockLeadMs << Hlc::kCounterBits)};
  if (own_max && *own_max > ceiling) ceiling = *own_max;
  return ceiling;
}

Value HlcValue(std::optional<Hlc> h) {
  return h ? Value{static_cast<int64_t>(h->packed)} : Value{};
}

std::optional<Hlc> HlcFromValue(const Value& v) {
  if (auto* i = std::get_if<int64_t>(&v)) return Hlc{static_cast<uint64_t>(*i)};
  return std::nullopt;
}

namespace {

Result<std::optional<Hlc>> ReadHlcMeta(Database& db, const char* key) {
  QUN_ASSIGN_OR_RETURN(CachedStatement s, db.Use("SELECT value FROM meta WHERE key=?"));
  s->Bind(1, key);
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  std::optional<Hlc> out;
  if (row) out = Hlc{static_cast<uint64_t>(s->Int(0))};
  return out;
}

Status RaiseHlcMeta(Database& db, const char* key, Hlc seen) {
  QUN_ASSIGN_OR_RETURN(CachedStatement s,
                       db.Use("INSERT INTO meta(key, value) VALUES (?1, ?2) "
                              "ON CONFLICT(key) DO UPDATE SET value=max(value, ?2)"));
  s->Bind(1, key).Bind(2, static_cast<int64_t>(seen.packed));
  return s->Run();
}

}  // namespace

Result<std::optional<Hlc>> ReadOwnMax(Database& db) { return ReadHlcMeta(db, "own_max"); }

Status RaiseOwnMax(Database& db, Hlc seen) { return RaiseHlcMeta(db, "own_max", seen); }

Result<std::optional<Hlc>> ReadFrontier(Database& db) { return ReadHlcMeta(db, "frontier"); }

Status RaiseFrontier(Database& db, Hlc seen) { return RaiseHlcMeta(db, "frontier", seen); }

Result<bool> MergeOp(Database& db, const Op& op, Hlc effective) {
  // Names from outside never reach SQL text: only allow-listed ones do.
  if (!IsDomainColumn(op.table, op.column)) return false;
  // The field's clock moves only when (effective, author, raw) is greater;
  // a blob compares bytewise, which orders author keys as Wins always has.
  QUN_ASSIGN_OR_RETURN(
      CachedStatement clock,
      db.Use("INSERT INTO field_clock(tbl, row_id, col, hlc, author, raw) VALUES (?1, ?2, ?3, "
             "?4, ?5, ?6) ON CONFLICT(tbl, row_id, col) DO UPDATE SET hlc=excluded.hlc, "
             "author=excluded.author, raw=excluded.raw WHERE (excluded.hlc, excluded.author, "
             "excluded.raw) > (hlc, author, coalesce(raw, hlc))"));
  clock->Bind(1, op.table)
      .Bind(2, op.row_id)
      .Bind(3, op.column)
      .Bind(4, static_cast<int64_t>(effective.packed))
      .Bind(5, Bytes{std::vector<uint8_t>(op.author.begin(), op.author.end())})
      .Bind(6, static_cast<int64_t>(op.hlc.packed));
  QUN_RETURN_IF_ERROR(clock->Run());
  if (db.Changes() == 0) return false;
  // A row that only refused ops had written (a placeholder, deleted = 1:
  // see AddPlaceholderRows) comes alive with its first op that counts,
  // unless an op that counts deleted it. Placeholders are rare, so the row
  // is looked at first and the check is made only for one that is deleted:
  // a subquery inside the upsert below would make SQLite journal the pages
  // of every merge (next comment).
  bool revive = false;
  if (op.column != "deleted" && IsDomainColumn(op.table, "deleted")) {
    QUN_ASSIGN_OR_RETURN(
        CachedStatement row,
        db.Use(fmt::format("SELECT deleted = 1 AND NOT EXISTS (SELECT 1 FROM field_clock "
                           "WHERE tbl = '{0}' AND row_id = ?1 AND col = 'deleted') FROM {0} "
                           "WHERE id = ?1",
                           op.table)));
    row->Bind(1, op.row_id);
    QUN_ASSIGN_OR_RETURN(bool found, row->Step());
    revive = found && row->Int(0) != 0;
  }
  // OR FAIL, not the default ABORT: a statement that may abort on a table
  // with foreign keys makes SQLite journal every page it touches, so that
  // it alone can be undone, and inside a savepoint (each change set of a
  // batch) that journal grows with every statement. This one writes a
  // single row, whose checks all come before it is written, and every
  // MergeOp runs inside a transaction or savepoint that is rolled back when
  // it fails, so FAIL leaves nothing half done (docs/performance.md).
  QUN_ASSIGN_OR_RETURN(
      CachedStatement update,
      db.Use(fmt::format("INSERT OR FAIL INTO {0}(id, {1}) VALUES (?, ?) ON CONFLICT(id) DO "
                         "UPDATE SET {1}=excluded.{1}{2}",
                         op.table, op.column, revive ? ", deleted = 0" : "")));
  update->Bind(1, op.row_id).Bind(2, op.value);
  QUN_RETURN_IF_ERROR(update->Run());
  return true;
}

Status AddPlaceholderRows(Database& db, const std::vector<Op>& ops) {
  for (const Op& op : ops) {
    if (!IsDomainColumn(op.table, op.column)) continue;
    bool has_deleted = IsDomainColumn(op.table, "deleted");
    QUN_ASSIGN_OR_RETURN(
        CachedStatement add,
        db.Use(has_deleted
                   ? fmt::format("INSERT OR IGNORE INTO {}(id, deleted) VALUES (?, 1)", op.table)
                   : fmt::format("INSERT OR IGNORE INTO {}(id) VALUES (?)", op.table)));
    add->Bind(1, op.row_id);
    QUN_RETURN_IF_ERROR(add->Run());
  }
  return Status::Ok();
}

Status AppendOp(Database& db, const Op& op, int64_t txn_id, int64_t author_id) {
  QUN_ASSIGN_OR_RETURN(CachedStatement append,
                       db.Use("INSERT INTO op(txn, tbl, row_id, col, value, hlc, author) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?)"));
  append->Bind(1, txn_id)
      .Bind(2, op.table)
      .Bind(3, op.row_id)
      .Bind(4, op.column)
      .Bind(5, op.value)
      .Bind(6, static_cast<int64_t>(op.hlc.packed))
      .Bind(7, author_id);
  return append->Run();
}

Result<bool> ApplyOp(Database& db, const Op& op, int64_t txn_id, int64_t author_id,
                     std::optional<Hlc> ceiling) {
  QUN_RETURN_IF_ERROR(AppendOp(db, op, txn_id, author_id));
  // A field this version does not know (written by a newer Qun) stays in the
  // log; MergeUnappliedOps applies it after an upgrade.
  return MergeOp(db, op, Effective(op.hlc, ceiling));
}

namespace {
constexpr char kUnappliedOpsSql[] =
    "SELECT o.tbl, o.row_id, o.col, o.value, o.hlc, a.pubkey, t.ceiling FROM op o JOIN op_txn t "
    "ON t.id = o.txn JOIN op_author a ON a.id = o.author WHERE t.refused IS NULL AND NOT EXISTS "
    "(SELECT 1 FROM field_clock c WHERE c.tbl = o.tbl AND c.row_id = o.row_id AND c.col = "
    "o.col) ORDER BY o.id";
}  // namespace

Result<int64_t> CountUnappliedOps(Database& db) {
  QUN_ASSIGN_OR_RETURN(Statement s, db.Prepare(kUnappliedOpsSql));
  int64_t n = 0;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    n += IsDomainColumn(s.Text(0), s.Text(2));
  }
  return n;
}

Result<int64_t> MergeUnappliedOps(Database& db) {
  QUN_ASSIGN_OR_RETURN(Statement s, db.Prepare(kUnappliedOpsSql));
  struct Pending {
    Op op;
    Hlc effective;
  };
  std::vector<Pending> pending;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    std::string table = s.Text(0), column = s.Text(2);
    if (!IsDomainColumn(table, column)) continue;
    QUN_ASSIGN_OR_RETURN(PublicKey author, KeyFromValue(s.GetValue(5)));
    Op op{table, s.Text(1), column, s.GetValue(3), Hlc{static_cast<uint64_t>(s.Int(4))}, author};
    Hlc effective = Effective(op.hlc, HlcFromValue(s.GetValue(6)));
    pending.push_back({std::move(op), effective});
  }
  s.Reset();
  int64_t won = 0;
  for (const Pending& p : pending) {
    QUN_ASSIGN_OR_RETURN(bool w, MergeOp(db, p.op, p.effective));
    won += w;
  }
  return won;
}

Status RecomputeFields(Database& db, const std::vector<FieldRef>& fields) {
  QUN_ASSIGN_OR_RETURN(
      CachedStatement ops,
      db.Use("SELECT o.value, o.hlc, a.pubkey, t.ceiling FROM op o JOIN op_txn t ON t.id = "
             "o.txn JOIN op_author a ON a.id = o.author WHERE o.row_id = ? AND o.tbl = ? AND "
             "o.col = ? AND t.refused IS NULL"));
  std::set<std::pair<std::string, std::string>> rows;
  for (const FieldRef& f : fields) {
    if (!IsDomainColumn(f.table, f.column)) continue;
    rows.insert({f.table, f.row_id});
    // The winner among the ops that count, by the rule MergeOp applies:
    // the greatest (effective HLC, author, raw HLC).
    struct Best {
      Value value;
      int64_t effective, raw;
      std::string author;
    };
    std::optional<Best> best;
    ops->Bind(1, f.row_id).Bind(2, f.table).Bind(3, f.column);
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool row, ops->Step());
      if (!row) break;
      Hlc raw{static_cast<uint64_t>(ops->Int(1))};
      int64_t effective =
          static_cast<int64_t>(Effective(raw, HlcFromValue(ops->GetValue(3))).packed);
      std::string author(ops->BlobView(2));
      if (!best || std::make_tuple(effective, author, static_cast<int64_t>(raw.packed)) >
                       std::tie(best->effective, best->author, best->raw)) {
        best = Best{ops->GetValue(0), effective, static_cast<int64_t>(raw.packed), author};
      }
    }
    if (best) {
      QUN_ASSIGN_OR_RETURN(CachedStatement clock,
                           db.Use("INSERT OR REPLACE INTO field_clock(tbl, row_id, col, hlc, "
                                  "author, raw) VALUES (?, ?, ?, ?, ?, ?)"));
      clock->Bind(1, f.table).Bind(2, f.row_id).Bind(3, f.column).Bind(4, best->effective);
      clock->Bind(5, Bytes{std::vector<uint8_t>(best->author.begin(), best->author.end())})
          .Bind(6, best->raw);
      QUN_RETURN_IF_ERROR(clock->Run());
      QUN_ASSIGN_OR_RETURN(CachedStatement update,
                           db.Use(fmt::format("INSERT INTO {0}(id, {1}) VALUES (?, ?) ON "
                                              "CONFLICT(id) DO UPDATE SET {1}=excluded.{1}",
                                              f.table, f.column)));
      update->Bind(1, f.row_id).Bind(2, best->value);
      QUN_RETURN_IF_ERROR(update->Run());
    } else {
      QUN_ASSIGN_OR_RETURN(
          CachedStatement forget,
          db.Use("DELETE FROM field_clock WHERE tbl = ? AND row_id = ? AND col = ?"));
      forget->Bind(1, f.table).Bind(2, f.row_id).Bind(3, f.column);
      QUN_RETURN_IF_ERROR(forget->Run());
      // The column's value when nothing wrote it: deleted is 0, all else null.
      QUN_ASSIGN_OR_RETURN(CachedStatement clear,
                           db.Use(fmt::format("UPDATE {0} SET {1} = {2} WHERE id = ?", f.table,
                                              f.column, f.column == "deleted" ? "0" : "NULL")));
      clear->Bind(1, f.row_id);
      QUN_RETURN_IF_ERROR(clear->Run());
    }
  }
  // A row that no counted op writes any more stays (other rows may refer
  // to it) but is shown as deleted; one that is written again is live unless
  // a counted op deleted it.
  for (const auto& [table, row_id] : rows) {
    if (!IsDomainColumn(table, "deleted")) continue;
    QUN_ASSIGN_OR_RETURN(
        CachedStatement any,
        db.Use("SELECT EXISTS (SELECT 1 FROM field_clock WHERE tbl = ? AND row_id = ?), "
               "EXISTS (SELECT 1 FROM field_clock WHERE tbl = ? AND row_id = ? AND col = "
               "'deleted')"));
    any->Bind(1, table).Bind(2, row_id).Bind(3, table).Bind(4, row_id);
    QUN_ASSIGN_OR_RETURN(bool row, any->Step());
    bool written = row && any->Int(0) != 0;
    bool deleted_written = row && any->Int(1) != 0;
    if (deleted_written) continue;
    QUN_ASSIGN_OR_RETURN(CachedStatement mark,
                         db.Use(fmt::format("UPDATE {} SET deleted = ? WHERE id = ?", table)));
    mark->Bind(1, int64_t{written ? 0 : 1}).Bind(2, row_id);
    QUN_RETURN_IF_ERROR(mark->Run());
  }
  return Status::Ok();
}

Result<std::unique_ptr<WriteTxn>> WriteTxn::Begin(Store* store, const PublicKey& author,
                                                  std::string note) {
  // A note describes the command that made the change ("import members
  // FILE"), not a field a person fills in: a file name with a control
  // character in it is not a reason to refuse the change, so the note is
  // made printable and cut to a line rather than checked.
  std::unique_ptr<WriteTxn> txn(
      new WriteTxn(store, author,
                   text::Truncate(text::Printable(note, text::Lines::kFlatten), kMaxNoteColumns)));
  // IMMEDIATE takes the write lock now, so a second writer waits here (busy
  // timeout) rather than failing halfway through.
  // Inside a transaction the caller holds (a core::Batch of many writes),
  // it is a savepoint: committed for good when the batch commits, so that a
  // bulk load pays one disk sync per batch rather than one per WriteTxn.
  txn->nested_ = store->db().InTransaction();
  QUN_RETURN_IF_ERROR(store->db().Exec(txn->nested_ ? "SAVEPOINT qun_write" : "BEGIN IMMEDIATE"));
  txn->open_ = true;
  // Another qun process may have written since this store was opened.
  QUN_RETURN_IF_ERROR(store->CatchUpClock());
  QUN_ASSIGN_OR_RETURN(auto frontier, ReadFrontier(store->db()));
  QUN_ASSIGN_OR_RETURN(auto own_max, ReadOwnMax(store->db()));
  txn->ceiling_ = Ceiling(frontier, own_max);
  QUN_ASSIGN_OR_RETURN(auto founder, store->GetMeta(kFounderKey));
  if (std::optional<PublicKey> founder_key = founder ? PublicKeyFromHex(*founder) : std::nullopt) {
    txn->founder_ = *founder_key;
    QUN_ASSIGN_OR_RETURN(Roles roles, OwnRoles(store->db(), author, *founder_key));
    txn->roles_ = std::make_shared<const Roles>(std::move(roles));
  }
  return txn;
}

Status WriteTxn::CheckAllowed(const Op& op) {
  if (!founder_) return Status::Ok();  // not in a community yet: `qun init`
  if (IsRoleOp(op)) QUN_RETURN_IF_ERROR(CheckRoleOp(op, *founder_, Wording::kShown));
  if (roles_->Owner()) return Status::Ok();
  std::optional<std::string> group;
  if (op.table == "membership") {
    // The group of a membership written here for the first time is the one
    // its group_id names; the change set as a whole is checked for the
    // match with its row id when other nodes apply it.
    if (op.column == "group_id") {
      if (auto* g = std::get_if<std::string>(&op.value)) group = *g;
    } else if (auto known = membership_groups_.find(op.row_id);
               known != membership_groups_.end() && op.column != "person_id") {
      group = known->second;
    } else {
      QUN_ASSIGN_OR_RETURN(group, MembershipGroup(store_->db(), op.row_id, {op}));
      if (group) membership_groups_.emplace(op.row_id, *group);
    }
  }
  // Whose record a person op changes, and which groups they belong to: the
  // log holds this node's causal past, and this transaction's earlier
  // writes (a person added to a group a moment ago is in it). A member-
  // editor needs none of it.
  std::vector<PersonGroups> people;
  if (IsPersonOp(op) && !roles_->Has(Role::kEditor)) {
    QUN_ASSIGN_OR_RETURN(std::vector<std::string> ids, PeopleOf(store_->db(), op, {op}));
    for (const std::string& id : ids) {
      auto known = person_groups_.find(id);
      if (known == person_groups_.end()) {
        QUN_ASSIGN_OR_RETURN(std::vector<std::string> groups,
                             GroupsOfPerson(store_->db(), id, {op}));
        known = person_groups_.emplace(id, std::move(groups)).first;
      }
      people.push_back({id, known->second});
    }
  }
  // A new membership gives its person a group. It always writes its
  // person (a membership whose row exists had its person already, and its
  // group never changes), so only that person's groups are looked up again.
  if (op.table == "membership" && op.column == "person_id") {
    if (auto* person = std::get_if<std::string>(&op.value)) person_groups_.erase(*person);
  }
  Requirement need = RequirementOf(op, group, people);
  if (Satisfies(*roles_, need, op)) return Status::Ok();
  std::string held = DescribeRoles(store_->db(), *roles_, Wording::kShown);
  return Status::Denied(i18n::Format(
      _("this node may not change {}: that needs {}, and it holds {}. Nothing was written. An "
        "owner can grant a role with `qun admin grant`; `qun admin list` shows who holds which"),
      WhatItChanges(store_->db(), op, group), Describe(store_->db(), need, Wording::kShown), held));
}

WriteTxn::~WriteTxn() {
  if (open_)
    (void)store_->db().Exec(nested_ ? "ROLLBACK TO qun_write; RELEASE qun_write" : "ROLLBACK");
}

int64_t EncodedSizeBound(const Op& op) {
  auto text = [](size_t n) { return static_cast<int64_t>((n + 1 + 7) / 8 * 8); };
  int64_t value = 0;
  if (auto* t = std::get_if<std::string>(&op.value)) value = text(t->size());
  if (auto* b = std::get_if<Bytes>(&op.value)) value = text(b->data.size());
  // The op: 1 data word and 4 pointers; its value: 1 data word and 1
  // pointer; 8 bytes more for the list and rounding.
  return 40 + 16 + 8 + text(op.table.size()) + text(op.row_id.size()) + text(op.column.size()) +
         value;
}

Status WriteTxn::MakeRoom(int64_t bytes) {
  if (bytes > kMaxOpBytes)
    return Status::InvalidArgument(
        i18n::Format(_("one field of this change is {} MB, more than the {} MB a change may hold"),
                     bytes >> 20, kMaxOpBytes >> 20));
  QUN_RETURN_IF_ERROR(EnsureTxnRow());
  const int64_t limit = store_->part_bytes();
  // Inside a savepoint (one row of an import: a person, their handles,
  // tags and membership) a part ends only where the row begins, so that a
  // row's ops, which the authority rules read together, stay in one change
  // set; only a row larger than a whole part is cut.
  bool full = part_bytes_ > 0 && part_bytes_ + bytes > limit;
  bool split = saved_ ? (part_bytes_ > 0 && (split_due_ || part_bytes_ + bytes > 2 * limit)) : full;
  if (split) {
    Database& db = store_->db();
    QUN_ASSIGN_OR_RETURN(CachedStatement mark,
                         db.Use("UPDATE op_txn SET continues = 1 WHERE id = ?"));
    mark->Bind(1, txn_id_);
    QUN_RETURN_IF_ERROR(mark->Run());
    txn_id_ = 0;
    QUN_RETURN_IF_ERROR(EnsureTxnRow());
    part_bytes_ = 0;
    split_due_ = false;
  }
  part_bytes_ += bytes;
  return Status::Ok();
}

Status WriteTxn::EnsureTxnRow() {
  if (txn_id_ != 0) return Status::Ok();
  Database& db = store_->db();
  QUN_ASSIGN_OR_RETURN(author_id_, AuthorId(db, author_));
  int64_t seq = 1;
  {
    QUN_ASSIGN_OR_RETURN(CachedStatement next,
                         db.Use("SELECT coalesce(max(seq), 0) + 1 FROM op_txn WHERE author=?"));
    next->Bind(1, author_id_);
    QUN_ASSIGN_OR_RETURN(bool row, next->Step());
    if (row) seq = next->Int(0);
  }
  QUN_ASSIGN_OR_RETURN(
      CachedStatement add,
      db.Use("INSERT INTO op_txn(author, seq, hlc, note, ceiling) VALUES (?, ?, ?, ?, ?)"));
  add->Bind(1, author_id_)
      .Bind(2, seq)
      .Bind(3, static_cast<int64_t>(store_->clock().Now().packed))
      .Bind(4, note_);
  add->Bind(5, HlcValue(ceiling_));
  QUN_RETURN_IF_ERROR(add->Run());
  txn_id_ = db.LastInsertRowId();
  return Status::Ok();
}

Result<bool> WriteTxn::Set(std::string_view table, std::string_view row_id, std::string_view column,
                           const Value& value) {
  if (!open_) return Status::Internal("write after the transaction ended");
  Database& db = store_->db();
  if (IsLoggedOnly(table)) {
    // Role ops are decided by the authority rules and key envelopes opened
    // by their recipients, not merged here: each is logged as written (a
    // grant again after a revocation is a new fact).
    QUN_RETURN_IF_ERROR(EnsureTxnRow());
    Op op{std::string(table),    std::string(row_id),
          std::string(column),   value,
          store_->clock().Now(), author_};
    QUN_RETURN_IF_ERROR(CheckAllowed(op));
    QUN_RETURN_IF_ERROR(MakeRoom(EncodedSizeBound(op)));
    QUN_RETURN_IF_ERROR(AppendOp(db, op, txn_id_, author_id_));
    Hlc effective = Effective(op.hlc, ceiling_);
    if (!max_effective_ || effective > *max_effective_) max_effective_ = effective;
    ++ops_written_;
    return true;
  }
  if (!IsDomainColumn(table, column))
    return Status::Internal(fmt::format("no such field {}.{}", table, column));
  // Skip only a value some op already wrote: a column default (deleted = 0 on
  // a new row) was never logged, so a delete made elsewhere would win over
  // it. Writing it records the intent ("this row is live now") in the log.
  // Null over a never-written field says nothing, and is skipped too.
  Value field_hlc;
  {
    QUN_ASSIGN_OR_RETURN(
        CachedStatement current,
        db.Use(fmt::format("SELECT t.{}, c.hlc FROM {} t LEFT JOIN field_clock c ON "
                           "c.tbl='{}' AND c.row_id=t.id AND c.col='{}' WHERE t.id=?",
                           column, table, table, column)));
    current->Bind(1, row_id);
    QUN_ASSIGN_OR_RETURN(bool exists, current->Step());
    if (exists) field_hlc = current->GetValue(1);
    bool logged = !IsNull(field_hlc);
    if (exists && (logged || IsNull(value)) && current->GetValue(0) == value) return false;
  }
  // After the skip above: a value this node already holds, from another
  // node or from before these checks, adds nothing and is not refused.
  QUN_RETURN_IF_ERROR(CheckFieldValue(table, column, value));

  QUN_RETURN_IF_ERROR(EnsureTxnRow());
  // A write made after seeing a field's value beats it, even when that value
  // came from a clock running ahead of ours: the op takes an HLC just above
  // the field's (without moving this node's clock there).
  Hlc hlc = store_->clock().Now();
  if (auto* seen = std::get_if<int64_t>(&field_hlc))
    hlc = std::max(hlc, Hlc{static_cast<uint64_t>(*seen) + 1});
  Op op{std::string(table), std::string(row_id), std::string(column), value, hlc, author_};
  QUN_RETURN_IF_ERROR(CheckAllowed(op));
  QUN_RETURN_IF_ERROR(MakeRoom(EncodedSizeBound(op)));
  QUN_ASSIGN_OR_RETURN(bool won, ApplyOp(db, op, txn_id_, author_id_, ceiling_));
  Hlc effective = Effective(hlc, ceiling_);
  if (!max_effective_ || effective > *max_effective_) max_effective_ = effective;
  if (!won)
    return Status::Internal(fmt::format(
        "a local write to {}.{} lost to an existing one; the node's clock state is inconsistent",
        table, column));
  ++ops_written_;
  return true;
}

Status WriteTxn::SetTogether(const std::vector<FieldWrite>& writes) {
  if (!open_) return Status::Internal("write after the transaction ended");
  Database& db = store_->db();
  std::set<std::tuple<std::string, std::string, std::string>> seen_fields;
  Hlc hlc = store_->clock().Now();
  for (const FieldWrite& w : writes) {
    if (!IsDomainColumn(w.table, w.column) || IsLoggedOnly(w.table))
      return Status::Internal(fmt::format("no such field {}.{}", w.table, w.column));
    if (!seen_fields.insert({w.table, w.row_id, w.column}).second)
      return Status::Internal(
          fmt::format("{}.{} written twice in one decision", w.table, w.column));
    QUN_RETURN_IF_ERROR(CheckFieldValue(w.table, w.column, w.value));
    // As in Set: above every value this write was made after seeing.
    QUN_ASSIGN_OR_RETURN(CachedStatement clock,
                         db.Use("SELECT hlc FROM field_clock WHERE tbl=? AND row_id=? AND col=?"));
    clock->Bind(1, w.table).Bind(2, w.row_id).Bind(3, w.column);
    QUN_ASSIGN_OR_RETURN(bool row, clock->Step());
    if (row) hlc = std::max(hlc, Hlc{static_cast<uint64_t>(clock->Int(0)) + 1});
  }
  QUN_RETURN_IF_ERROR(EnsureTxnRow());
  // One decision goes into one part.
  int64_t bytes = 0;
  for (const FieldWrite& w : writes)
    bytes += EncodedSizeBound(Op{w.table, w.row_id, w.column, w.value, hlc, author_});
  QUN_RETURN_IF_ERROR(MakeRoom(bytes));
  for (const FieldWrite& w : writes) {
    Op op{w.table, w.row_id, w.column, w.value, hlc, author_};
    QUN_RETURN_IF_ERROR(CheckAllowed(op));
    QUN_ASSIGN_OR_RETURN(bool won, ApplyOp(db, op, txn_id_, author_id_, ceiling_));
    if (!won)
      return Status::Internal(
          fmt::format("a local write to {}.{} lost to an existing one; the node's clock state is "
                      "inconsistent",
                      w.table, w.column));
    ++ops_written_;
  }
  Hlc effective = Effective(hlc, ceiling_);
  if (!max_effective_ || effective > *max_effective_) max_effective_ = effective;
  return Status::Ok();
}

Status WriteTxn::Commit() {
  if (!open_) return Status::Internal("commit after the transaction ended");
  Database& db = store_->db();
  QUN_ASSIGN_OR_RETURN(CachedStatement save_clock,
                       db.Use("INSERT INTO meta(key, value) VALUES ('hlc', ?) "
                              "ON CONFLICT(key) DO UPDATE SET value=excluded.value"));
  save_clock->Bind(1, static_cast<int64_t>(store_->clock().last().packed));
  QUN_RETURN_IF_ERROR(save_clock->Run());
  if (max_effective_) QUN_RETURN_IF_ERROR(RaiseHlcMeta(db, "own_max", *max_effective_));
  if (nested_) {
    // Foreign keys are checked when the batch commits; a write that breaks
    // one is refused here, so that it alone is undone, not the batch.
    int pending = 0, high = 0;
    sqlite3_db_status(db.handle(), SQLITE_DBSTATUS_DEFERRED_FKS, &pending, &high, 0);
    if (pending > 0)
      return Status::InvalidArgument(
          _("this change refers to a row that does not exist (FOREIGN KEY constraint failed)"));
  }
  QUN_RETURN_IF_ERROR(db.Exec(nested_ ? "RELEASE qun_write" : "COMMIT"));
  open_ = false;
  return Status::Ok();
}

Status WriteTxn::Savepoint() {
  if (saved_) return Status::Internal("nested savepoints are not supported");
  QUN_RETURN_IF_ERROR(store_->db().Exec("SAVEPOINT qun_row"));
  saved_ = Saved{txn_id_, ops_written_, part_bytes_, max_effective_};
  // The part is full: the row that begins here begins the next one, if it
  // writes anything (the split is made inside the savepoint, so a row
  // rolled back takes it back too).
  split_due_ = part_bytes_ >= store_->part_bytes();
  return Status::Ok();
}

Status WriteTxn::RollbackToSavepoint() {
  if (!saved_) return Status::Internal("no savepoint to roll back to");
  QUN_RETURN_IF_ERROR(store_->db().Exec("ROLLBACK TO qun_row; RELEASE qun_row"));
  // The op_txn row may have been created after the savepoint: forget it too.
  txn_id_ = saved_->txn_id;
  ops_written_ = saved_->ops_written;
  part_bytes_ = saved_->part_bytes;
  split_due_ = false;
  max_effective_ = saved_->max_effective;
  saved_.reset();
  // Memberships written since are gone, and the groups learnt from them.
  person_groups_.clear();
  membership_groups_.clear();
  return Status::Ok();
}

Status WriteTxn::ReleaseSavepoint() {
  if (!saved_) return Status::Internal("no savepoint to release");
  QUN_RETURN_IF_ERROR(store_->db().Exec("RELEASE qun_row"));
  saved_.reset();
  split_due_ = false;
  return Status::Ok();
}

}  // namespace qun::core
