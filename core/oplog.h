// The one write path and its op log.
//
// Every change to domain data is a sequence of field writes made inside a
// WriteTxn. Each write, in the same SQLite transaction:
//   1. gets a fresh HLC timestamp from the store's clock,
//   2. is appended to the op log as (table, row id, column, value, HLC, author),
//   3. is applied to the materialized domain table if it wins last-writer-wins
//      against the field's current writer in field_clock (see MergeOp).
// Rows are created by their first write and never removed: a delete is a write
// of `deleted = 1` (a tombstone), so a delete and a concurrent edit merge like
// any two writes. ApplyOp is the same function sync uses for other nodes' ops,
// which is why local state and merged state cannot drift apart.
//
// Ops of one WriteTxn form one op_txn row (author, seq): the unit that the
// change-set layer ships. A WriteTxn that writes nothing leaves no trace.
//
// Begun inside a transaction the caller holds (core::Batch), a WriteTxn is
// a savepoint of it and becomes durable when the batch commits: how a bulk
// load of many transactions avoids a disk sync for each.
//
// A WriteTxn borrows its Store and must not outlive it; one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "core/hlc.h"
#include "core/identity.h"
#include "core/op.h"
#include "core/value.h"

namespace qun::core {

class Database;
class Store;
struct Roles;

// Fields resolve last-writer-wins: the write with the greater (effective HLC,
// author public key bytewise, raw HLC) wins, so that every node picks the
// same winner whatever order the ops arrive in.

// Returns the op_author id for `author`, adding it on first sight.
Result<int64_t> AuthorId(Database& db, const PublicKey& author);

// How far an op may count as later than the newest op its author had seen
// from others (docs/correctness.md, "Clocks that run ahead"): 7 days. A node
// whose clock runs years ahead wins concurrent conflicts for at most this
// long after what it last received, not until its clock's date comes.
constexpr uint64_t kMaxClockLeadMs = uint64_t{7} * 24 * 60 * 60 * 1000;

// The ceiling of a transaction: none when its author had seen nothing from
// others (there is nothing to measure its clock against); otherwise the
// newest effective HLC it had seen from others plus kMaxClockLeadMs, but never
// below the newest effective HLC of its author's own earlier transactions
// (`own_max`), so that an author's later write always beats its earlier one.
std::optional<Hlc> Ceiling(std::optional<Hlc> frontier, std::optional<Hlc> own_max);

// An optional HLC as stored in an INTEGER column (NULL for none), and back.
Value HlcValue(std::optional<Hlc> h);
std::optional<Hlc> HlcFromValue(const Value& v);

// The HLC an op counts with when fields are compared: its own, lowered to its
// transaction's ceiling.
inline Hlc Effective(Hlc raw, std::optional<Hlc> ceiling) {
  return ceiling && *ceiling < raw ? *ceiling : raw;
}

// The newest effective HLC among the change sets this node applied from other
// authors, or learnt from its invite (meta key "frontier"); none before the
// first.
Result<std::optional<Hlc>> ReadFrontier(Database& db);
Status RaiseFrontier(Database& db, Hlc seen);
// The newest effective HLC of this node's own writes (meta key "own_max").
Result<std::optional<Hlc>> ReadOwnMax(Database& db);
Status RaiseOwnMax(Database& db, Hlc seen);

// Merges one field write into the domain tables if (effective HLC, author,
// raw HLC) beats the field's current writer. Returns whether it won. Does not
// touch the log; ops of tables or columns this version does not know are
// ignored (false).
Result<bool> MergeOp(Database& db, const Op& op, Hlc effective);

// Appends `op` to the log under `txn_id` and merges it with its effective HLC
// (see Effective). Returns whether it won. An op for a table or column this
// version does not know is kept in the log but not applied (false).
Result<bool> ApplyOp(Database& db, const Op& op, int64_t txn_id, int64_t author_id,
                     std::optional<Hlc> ceiling);

// Appends `op` to the log under `txn_id` without merging it: the ops of a
// transaction whose author was not allowed to write them (op_txn.refused),
// and role ops, which the authority rules decide (sync/authority.h).
Status AppendOp(Database& db, const Op& op, int64_t txn_id, int64_t author_id);

// Rows are made by the first op that writes them, whether it counts or not,
// so that which rows exist does not depend on the order ops arrived in: a
// row that only ops which do not count have written is a placeholder, all
// its fields empty and deleted = 1. Adds those of `ops` (a refused
// transaction's) that do not exist yet.
Status AddPlaceholderRows(Database& db, const std::vector<Op>& ops);

// Decides each field again from the ops of the log that count (their
// transaction is not refused): after transactions were refused or let in
// again. A field no op writes any more is cleared, and a row no op writes
// any more is marked deleted (rows are never removed: others may refer to
// it).
Status RecomputeFields(Database& db, const std::vector<FieldRef>& fields);

// Merges every logged op of a field that has none applied: after an upgrade
// taught this version new tables or columns, the ops a newer node wrote for
// them take effect. Returns how many won.
Result<int64_t> MergeUnappliedOps(Database& db);
// An upper bound on the bytes `op` takes in an encoded change set's payload
// (Cap'n Proto: the op's struct, its value's, and each text padded to a
// word), so that the parts of a transaction never exceed the part size.
int64_t EncodedSizeBound(const Op& op);

// The largest single op a transaction takes: above it, not even a part of
// its own would travel (bundles and the network carry at most 64 MiB).
// Fields are bounded far below this at input.
inline constexpr int64_t kMaxOpBytes = 32 << 20;

// How many logged ops of transactions not refused write a domain field that
// no op has been applied to: what MergeUnappliedOps would merge.
Result<int64_t> CountUnappliedOps(Database& db);

// The longest change note kept, in terminal columns.
constexpr size_t kMaxNoteColumns = 200;

class WriteTxn {
 public:
  static Result<std::unique_ptr<WriteTxn>> Begin(Store* store, const PublicKey& author,
                                                 std::string note);
  // Rolls back unless Commit() succeeded.
  ~WriteTxn();
  WriteTxn(const WriteTxn&) = delete;
  WriteTxn& operator=(const WriteTxn&) = delete;

  // Writes one field. When the row exists and the field already holds `value`,
  // nothing is written and false is returned: re-importing the same data adds
  // nothing to the log. Denied, saying which role it needs, when the author
  // may not write it. A role op (table node_role) is always logged.
  // InvalidArgument, naming the field, for text the field may not hold
  // (control characters, or more bytes than its limit: core/field_text.h).
  Result<bool> Set(std::string_view table, std::string_view row_id, std::string_view column,
                   const Value& value);

  // Writes several fields (of domain tables) as one decision: every op gets
  // the same HLC, so wherever the fields are compared with another
  // transaction's writes of them, the same transaction wins all of them. An
  // admin approving an application while another rejects it on another
  // laptop ends with the membership's status and the decision from one of
  // the two, never one from each. Every field is written, even one that
  // already holds its value. A field may appear once.
  struct FieldWrite {
    std::string table, row_id, column;
    Value value;
  };
  Status SetTogether(const std::vector<FieldWrite>& writes);

  Status Commit();

  // A point inside the transaction to return to: RollbackToSavepoint() undoes
  // every write since, so one bad row of an import leaves no half-written
  // person behind. One savepoint at a time.
  Status Savepoint();
  Status RollbackToSavepoint();
  Status ReleaseSavepoint();

  int64_t ops_written() const { return ops_written_; }
  const PublicKey& author() const { return author_; }
  Store& store() { return *store_; }

 private:
  WriteTxn(Store* store, const PublicKey& author, std::string note)
      : store_(store), author_(author), note_(std::move(note)) {}
  Status EnsureTxnRow();
  // Before ops of about `bytes` are written: ends the transaction's current
  // part there when they would take it past the store's part size, and
  // starts the next (its own seq, so its own change set); inside a
  // savepoint, only where the savepoint began (or past twice the part
  // size). The parts are committed together here and applied together
  // everywhere.
  Status MakeRoom(int64_t bytes);

  Store* store_;  // borrowed
  PublicKey author_;
  std::string note_;
  int64_t author_id_ = 0;
  int64_t txn_id_ = 0;      // 0 until the first op is written; then the current part
  int64_t part_bytes_ = 0;  // written into the current part so far
  bool split_due_ = false;  // the current savepoint's row starts the next part
  std::optional<Hlc> ceiling_;
  std::optional<Hlc> max_effective_;  // of the ops written so far
  // The author's roles, read at Begin, when the node belongs to a
  // community (core/permissions.h): every Set is checked against them, so
  // that a local write is never one other nodes refuse.
  std::optional<PublicKey> founder_;
  std::shared_ptr<const Roles> roles_;
  // The group of each membership this transaction found in the log, for
  // CheckAllowed: a row's group never changes (its id derives from it).
  std::unordered_map<std::string, std::string> membership_groups_;
  // The groups of each person this transaction wrote, for CheckAllowed;
  // forgotten whenever it writes a membership (which may add one).
  std::unordered_map<std::string, std::vector<std::string>> person_groups_;
  Status CheckAllowed(const Op& op);
  int64_t ops_written_ = 0;
  bool open_ = false;
  bool nested_ = false;  // a savepoint inside a transaction the caller holds
  struct Saved {
    int64_t txn_id, ops_written, part_bytes;
    std::optional<Hlc> max_effective;
  };
  std::optional<Saved> saved_;
};

}  // namespace qun::core
