// The authority rules: which change sets' ops count, decided from the change
// sets a node holds and nothing else, so that every node holding the same
// ones decides the same (docs/security.md, "Roles and authority").
//
// A change set's ops count when its author held, in the change set's
// causal past (what it had seen: its dependencies and its own earlier change
// sets), a role that allows each of them (core/permissions.h), and no
// revocation of that role was made concurrently with it: a revocation wins
// over the revoked node's changes made at the same time. The founder is an
// owner always.
//
// Roles come from role change sets: those holding a role op or an invite.
// They are decided together, in one order every node computes alike (fewer
// change sets seen first, then by author and seq; it follows causality), each
// against the roles that stand in its causal past. When a revocation that
// stands overrides a change set of the revoked node decided earlier in that
// order, that one is set aside and the whole order is decided again; this
// ends, since each round sets aside one more. The roles held now are written
// to the node_role table.
//
// Other change sets are decided against those roles as they are applied, and
// again whenever the roles of their author may have changed. A change set
// whose ops do not count stays applied (its author's later ones follow it)
// with its transaction marked refused (op_txn.refused); the fields it wrote
// are decided again from the ops that count.
//
// Borrows the database; one thread at a time; runs inside the caller's
// transaction.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/db.h"
#include "core/oplog.h"
#include "core/permissions.h"
#include "sync/change_set.h"

namespace qun::sync {

using VersionVector = std::map<core::PublicKey, uint64_t>;

// Where a change set stands: its author and seq, and for each other author
// the highest seq it had seen.
struct Position {
  core::PublicKey author{};
  uint64_t seq = 0;
  VersionVector seen;
};
Position PositionOf(const ChangeSetHeader& header);
// Whether a change set holds a role op or an invite: a role change set.
bool IsRoleChange(const std::vector<core::Op>& ops);
// Whether change set (author, seq) is in the causal past of `pos`.
bool InPast(const core::PublicKey& author, uint64_t seq, const Position& pos);

// The placeholder a role change set is applied with, until Recompute
// decides it (in the same transaction).
inline constexpr char kDeciding[] = "not decided yet";

class Authority {
 public:
  // `local_seen` gives what this node's unsealed writes have seen (they
  // have no change set yet to say so).
  Authority(core::Database& db, const core::PublicKey& founder,
            std::function<Result<VersionVector>()> local_seen)
      : db_(db), founder_(founder), local_seen_(std::move(local_seen)) {}

  // Whether the ops of a change set that holds no role op or invite count:
  // empty when they do, else why not.
  Result<std::string> Check(const Position& pos, const std::vector<core::Op>& ops);

  // Decides every role change set again, rewrites node_role, decides again
  // the other change sets of each node whose roles changed (of every node
  // with `everyone`), and recomputes the fields of each transaction whose
  // standing changed. Returns how many transactions changed standing.
  Result<int> Recompute(bool everyone = false);

 private:
  struct Fact {  // a grant or revocation that stands
    size_t txn;  // index into txns_
    int index;   // order within its change set
    core::PublicKey target{};
    core::RoleKey key;
    bool granted = false;
  };
  struct RoleTxn {
    int64_t id = 0;
    Position pos;
    std::vector<core::Op> ops;
    std::optional<std::string> refused;  // as stored before this decision
  };

  Status LoadRoleTxns();
  Result<Position> PositionOfTxn(int64_t txn, const core::PublicKey& author, uint64_t seq);
  std::vector<Fact> FactsOf(size_t txn) const;
  bool Before(const Fact& a, const Fact& b) const;
  // The roles `node` held in the causal past of `pos` (of everything, when
  // null), from `facts`.
  core::Roles RolesAt(const core::PublicKey& node, const Position* pos,
                      const std::vector<Fact>& facts) const;
  // Why the ops of a change set at `pos` do not count, given `facts`; empty
  // when they do.
  Result<std::string> Decide(const Position& pos, const std::vector<core::Op>& ops,
                             const std::vector<Fact>& facts);
  // Reads the facts that stand (role change sets not refused), when another
  // process or a Recompute may have changed them.
  Status Refresh();
  Status SetRefused(int64_t txn, const std::optional<std::string>& reason,
                    const std::vector<core::Op>& ops, std::vector<core::FieldRef>* fields);
  std::string NodeLabel(const core::PublicKey& k);

  core::Database& db_;
  core::PublicKey founder_;
  std::function<Result<VersionVector>()> local_seen_;
  std::vector<RoleTxn> txns_;
  std::vector<Fact> facts_;  // that stand, over txns_
  int64_t generation_ = -1;  // of facts_, as meta "authority_generation"
};

}  // namespace qun::sync
