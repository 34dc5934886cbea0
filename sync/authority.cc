#include "sync/authority.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "base/i18n.h"
#include "core/history.h"
#include "core/ids.h"
#include "core/log_reads.h"
#include "core/meta_keys.h"
#include "core/op_txn.h"
#include "core/value.h"

namespace qun::sync {
namespace {

using core::Op;
using core::PublicKey;
using core::Role;
using core::RoleKey;

std::string Short(const PublicKey& k) { return core::ToHex(k).substr(0, 8); }

// The order role change sets are decided in: fewer change sets seen first
// (a change set has seen strictly more than any it depends on, so this
// follows causality), then by author and seq.
uint64_t Rank(const Position& p) {
  uint64_t n = p.seq;
  for (const auto& [author, seq] : p.seen) n += seq;
  return n;
}

}  // namespace

bool IsRoleChange(const std::vector<Op>& ops) {
  return std::any_of(ops.begin(), ops.end(),
                     [](const Op& op) { return core::IsRoleOp(op) || core::IsInviteOp(op); });
}

Position PositionOf(const ChangeSetHeader& header) {
  Position p{header.author, header.seq, {}};
  for (const VersionEntry& dep : header.dependencies)
    if (dep.author != header.author) p.seen[dep.author] = std::max(p.seen[dep.author], dep.seq);
  return p;
}

bool InPast(const PublicKey& author, uint64_t seq, const Position& pos) {
  if (author == pos.author) return seq < pos.seq;
  auto it = pos.seen.find(author);
  return it != pos.seen.end() && seq <= it->second;
}

std::string Authority::NodeLabel(const PublicKey& k) {
  auto name = core::RowLabel(db_, "node", core::ToHex(k));
  if (name.ok() && !name->empty()) return fmt::format("{} ({})", *name, Short(k));
  return Short(k);
}

Result<Position> Authority::PositionOfTxn(int64_t txn, const PublicKey& author, uint64_t seq) {
  QUN_ASSIGN_OR_RETURN(core::CachedStatement s,
                       db_.Use("SELECT bytes FROM change_set WHERE txn = ?"));
  s->Bind(1, txn);
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) {
    // This node's own write, not sealed yet: it has seen what this node
    // has applied (sealing runs before anything else is applied).
    Position p{author, seq, {}};
    QUN_ASSIGN_OR_RETURN(p.seen, local_seen_());
    p.seen.erase(author);
    return p;
  }
  auto cs = ChangeSet::Decode(s->BlobView(0));
  if (!cs.ok()) return cs.status();
  QUN_ASSIGN_OR_RETURN(ChangeSetHeader header, ReadHeader(*cs));
  return PositionOf(header);
}

Status Authority::LoadRoleTxns() {
  txns_.clear();
  QUN_ASSIGN_OR_RETURN(std::vector<int64_t> ids, core::RoleChangeTxns(db_));
  for (int64_t id : ids) {
    QUN_ASSIGN_OR_RETURN(std::optional<core::LoggedTxn> logged, core::ReadTxn(db_, id));
    if (!logged) return Status::Corruption(_("the op log names a transaction it does not hold"));
    const PublicKey& author = logged->author;
    uint64_t seq = logged->seq;
    std::optional<std::string> refused = logged->refused;
    RoleTxn t;
    t.id = id;
    t.refused = refused;
    QUN_ASSIGN_OR_RETURN(t.pos, PositionOfTxn(id, author, seq));
    QUN_ASSIGN_OR_RETURN(t.ops, core::OpsOfTxn(db_, id, author));
    txns_.push_back(std::move(t));
  }
  return Status::Ok();
}

std::vector<Authority::Fact> Authority::FactsOf(size_t i) const {
  const RoleTxn& t = txns_[i];
  std::vector<Fact> out;
  std::set<PublicKey> with_roles;
  for (const Op& op : t.ops)
    if (core::IsRoleOp(op))
      if (auto target = core::RoleTarget(op)) with_roles.insert(*target);
  for (int k = 0; k < static_cast<int>(t.ops.size()); ++k) {
    const Op& op = t.ops[k];
    auto target = core::RoleTarget(op);
    if (!target) continue;
    if (core::IsRoleOp(op)) {
      auto key = core::ParseRoleColumn(op.column);
      auto* v = std::get_if<int64_t>(&op.value);
      if (key && v) out.push_back({i, k, *target, *key, *v == 1});
    } else if (*target != t.pos.author && !IsNull(op.value) && !with_roles.count(*target)) {
      // An invite that names no role: made before roles existed, when
      // every invited node could do everything. It grants ownership.
      out.push_back({i, k, *target, RoleKey{Role::kOwner, ""}, true});
    }
  }
  return out;
}

bool Authority::Before(const Fact& a, const Fact& b) const {
  if (a.txn == b.txn) return a.index < b.index;
  const Position& pa = txns_[a.txn].pos;
  return InPast(pa.author, pa.seq, txns_[b.txn].pos);
}

core::Roles Authority::RolesAt(const PublicKey& node, const Position* pos,
                               const std::vector<Fact>& facts) const {
  core::Roles roles;
  roles.founder = node == founder_;
  std::map<RoleKey, std::vector<const Fact*>> by_key;
  for (const Fact& f : facts) {
    if (f.target != node) continue;
    const Position& fp = txns_[f.txn].pos;
    if (pos && !InPast(fp.author, fp.seq, *pos)) continue;
    by_key[f.key].push_back(&f);
  }
  // Of the grants and revocations of one role, those no other one came
  // after decide; if any of them is a revocation, the role is revoked.
  for (const auto& [key, list] : by_key) {
    bool granted = false, revoked = false;
    for (const Fact* f : list) {
      bool latest = std::none_of(list.begin(), list.end(),
                                 [&](const Fact* g) { return g != f && Before(*f, *g); });
      if (!latest) continue;
      (f->granted ? granted : revoked) = true;
    }
    if (granted && !revoked) roles.held.insert(key);
  }
  return roles;
}

Result<std::string> Authority::Decide(const Position& pos, const std::vector<Op>& ops,
                                      const std::vector<Fact>& facts) {
  core::Roles past = RolesAt(pos.author, &pos, facts);
  // A revocation made concurrently with this change set (neither saw the
  // other) takes the role away from it too.
  core::Roles roles = past;
  std::map<RoleKey, const Fact*> overridden;
  for (const Fact& f : facts) {
    if (f.granted || f.target != pos.author || !roles.held.count(f.key)) continue;
    const Position& fp = txns_[f.txn].pos;
    if (fp.author == pos.author || InPast(fp.author, fp.seq, pos)) continue;
    if (InPast(pos.author, pos.seq, fp)) continue;  // the revocation came after it
    roles.held.erase(f.key);
    overridden[f.key] = &f;
  }
  // A membership's group depends only on its row and on what this change
  // set writes to that row, so each row is looked up once, given only its
  // own ops: a member sheet's change set writes several fields of each of
  // hundreds of memberships.
  std::unordered_map<std::string, std::vector<Op>> membership_ops;
  for (const Op& op : ops)
    if (op.table == "membership") membership_ops[op.row_id].push_back(op);
  std::unordered_map<std::string, Result<std::optional<std::string>>> membership_groups;
  // The same for the groups of a person: several ops write each person.
  std::unordered_map<std::string, std::vector<std::string>> person_groups;
  auto in_past = [&pos](const PublicKey& a, uint64_t seq) { return InPast(a, seq, pos); };
  for (const Op& op : ops) {
    if (core::IsRoleOp(op)) {
      Status st = core::CheckRoleOp(op, founder_);
      if (!st.ok())
        return fmt::format("change set {} of {}: {}", pos.seq, NodeLabel(pos.author), st.message());
    }
    std::optional<std::string> group;
    if (op.table == "membership") {
      auto cached = membership_groups.find(op.row_id);
      if (cached == membership_groups.end())
        cached = membership_groups
                     .emplace(op.row_id, core::MembershipGroup(db_, op.row_id,
                                                               membership_ops[op.row_id], in_past))
                     .first;
      const auto& found = cached->second;
      if (!found.ok()) {
        if (found.status().code() != Status::Code::kInvalidArgument) return found.status();
        return fmt::format("change set {} of {}: {}", pos.seq, NodeLabel(pos.author),
                           found.status().message());
      }
      group = *found;
    }
    // Whose record a person op changes, and the groups each of them belongs
    // to in this change set's causal past (or by this change set itself:
    // a person it adds to a group is in it).
    std::vector<core::PersonGroups> people;
    if (core::IsPersonOp(op) && !past.Owner() && !past.Has(Role::kEditor)) {
      auto found = core::PeopleOf(db_, op, ops, in_past);
      if (!found.ok()) return found.status();
      for (const std::string& id : *found) {
        auto cached = person_groups.find(id);
        if (cached == person_groups.end()) {
          auto groups = core::GroupsOfPerson(db_, id, ops, in_past);
          if (!groups.ok()) return groups.status();
          cached = person_groups.emplace(id, std::move(*groups)).first;
        }
        people.push_back({id, cached->second});
      }
    }
    core::Requirement need = core::RequirementOf(op, group, people);
    if (core::Satisfies(roles, need, op)) continue;
    std::string why =
        fmt::format("change set {} of {} changes {}.{}, which needs {}; its author held {}",
                    pos.seq, NodeLabel(pos.author), op.table, op.column, core::Describe(db_, need),
                    core::DescribeRoles(db_, roles));
    if (core::Satisfies(past, need, op)) {
      // It was allowed when written; a revocation it had not seen wins.
      for (const auto& [key, f] : overridden)
        return why + fmt::format(
                         " once {} revoked its role of {} at the same time (a revocation wins "
                         "over changes made concurrently with it)",
                         NodeLabel(txns_[f->txn].pos.author),
                         key.role == Role::kAdmin ? "admin of " + core::ShortId(key.group)
                                                  : std::string(core::RoleName(key.role)));
    }
    return why;
  }
  return std::string();
}

Status Authority::Refresh() {
  QUN_ASSIGN_OR_RETURN(std::optional<int64_t> stored, core::AuthorityGeneration(db_));
  int64_t generation = stored.value_or(0);
  if (generation == generation_ && generation_ >= 0) return Status::Ok();
  QUN_RETURN_IF_ERROR(LoadRoleTxns());
  facts_.clear();
  for (size_t i = 0; i < txns_.size(); ++i)
    if (!txns_[i].refused)
      for (Fact& f : FactsOf(i)) facts_.push_back(f);
  generation_ = generation;
  return Status::Ok();
}

Result<std::string> Authority::Check(const Position& pos, const std::vector<Op>& ops) {
  // The founder is an owner in every past: nothing to look up.
  if (pos.author == founder_) return std::string();
  QUN_RETURN_IF_ERROR(Refresh());
  return Decide(pos, ops, facts_);
}

Status Authority::SetRefused(int64_t txn, const std::optional<std::string>& reason,
                             const std::vector<Op>& ops, std::vector<core::FieldRef>* fields) {
  QUN_RETURN_IF_ERROR(core::SetRefused(db_, txn, reason));
  for (const Op& op : ops) fields->push_back({op.table, op.row_id, op.column});
  return Status::Ok();
}

Result<int> Authority::Recompute(bool everyone) {
  QUN_RETURN_IF_ERROR(LoadRoleTxns());
  const size_t n = txns_.size();
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Position &pa = txns_[a].pos, &pb = txns_[b].pos;
    return std::make_tuple(Rank(pa), pa.author, pa.seq) <
           std::make_tuple(Rank(pb), pb.author, pb.seq);
  });

  std::map<size_t, std::string> set_aside;
  std::vector<std::optional<std::string>> decision(n);
  std::vector<Fact> facts;
  while (true) {
    facts.clear();
    std::vector<bool> stands(n, false);
    bool again = false;
    for (size_t i : order) {
      decision[i].reset();
      if (auto it = set_aside.find(i); it != set_aside.end()) {
        decision[i] = it->second;
        continue;
      }
      QUN_ASSIGN_OR_RETURN(std::string why, Decide(txns_[i].pos, txns_[i].ops, facts));
      if (!why.empty()) {
        decision[i] = why;
        continue;
      }
      std::vector<Fact> mine = FactsOf(i);
      facts.insert(facts.end(), mine.begin(), mine.end());
      stands[i] = true;
      // A revocation that stands overrides the revoked node's role change
      // sets decided before it that were made concurrently with it.
      for (const Fact& r : mine) {
        if (r.granted) continue;
        for (size_t j : order) {
          if (j == i) break;
          if (!stands[j] || txns_[j].pos.author != r.target) continue;
          if (InPast(txns_[j].pos.author, txns_[j].pos.seq, txns_[i].pos)) continue;
          QUN_ASSIGN_OR_RETURN(std::string undone, Decide(txns_[j].pos, txns_[j].ops, facts));
          if (!undone.empty()) {
            set_aside[j] = undone;
            again = true;
          }
        }
      }
      if (again) break;
    }
    if (!again) break;
  }

  // The roles held now.
  std::vector<core::HeldRole> held;
  std::set<PublicKey> targets;
  for (const Fact& f : facts) targets.insert(f.target);
  for (const PublicKey& node : targets) {
    core::Roles roles = RolesAt(node, nullptr, facts);
    for (const RoleKey& key : roles.held) {
      // Who granted it: the latest grant of it (the founder's when tied).
      std::string by;
      for (const Fact& f : facts)
        if (f.target == node && f.key == key && f.granted)
          by = core::ToHex(txns_[f.txn].pos.author);
      held.push_back({node, key, by});
    }
  }
  QUN_RETURN_IF_ERROR(core::ReplaceNodeRoles(db_, held));

  // Role change sets whose standing changed, and the nodes they are about.
  std::vector<core::FieldRef> fields;
  std::set<PublicKey> affected;
  int changed = 0;
  for (size_t i = 0; i < n; ++i) {
    const RoleTxn& t = txns_[i];
    if (t.refused == decision[i]) continue;
    bool standing_changed = t.refused.has_value() != decision[i].has_value();
    std::vector<core::FieldRef> ignored;
    QUN_RETURN_IF_ERROR(
        SetRefused(t.id, decision[i], t.ops, standing_changed ? &fields : &ignored));
    if (!standing_changed) continue;
    ++changed;
    for (const Fact& f : FactsOf(i)) affected.insert(f.target);
  }
  txns_.clear();  // Refresh reloads them with their new standing
  facts_.clear();

  // Bump the generation first: Check() below must see the new facts, and
  // so must every other process.
  QUN_RETURN_IF_ERROR(core::BumpAuthorityGeneration(db_));
  generation_ = -1;
  QUN_RETURN_IF_ERROR(Refresh());

  // Other change sets of the nodes whose roles may have changed.
  std::vector<PublicKey> authors(affected.begin(), affected.end());
  if (everyone) {
    authors.clear();
    QUN_ASSIGN_OR_RETURN(authors, core::LogAuthors(db_));
  }
  for (const PublicKey& author : authors) {
    if (author == founder_) continue;  // an owner always
    // Role changes are decided with the others of their kind (Decide
    // above), not here.
    QUN_ASSIGN_OR_RETURN(std::vector<core::LoggedTxn> txns, core::TxnsOf(db_, author, 0));
    for (const core::LoggedTxn& r : txns) {
      QUN_ASSIGN_OR_RETURN(std::vector<Op> ops, core::OpsOfTxn(db_, r.id, author));
      if (IsRoleChange(ops)) continue;
      QUN_ASSIGN_OR_RETURN(Position pos, PositionOfTxn(r.id, author, r.seq));
      QUN_ASSIGN_OR_RETURN(std::string why, Decide(pos, ops, facts_));
      std::optional<std::string> now;
      if (!why.empty()) now = why;
      if (now.has_value() == r.refused.has_value()) continue;
      QUN_RETURN_IF_ERROR(SetRefused(r.id, now, ops, &fields));
      ++changed;
    }
  }
  std::sort(fields.begin(), fields.end());
  fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
  QUN_RETURN_IF_ERROR(core::RecomputeFields(db_, fields));
  return changed;
}

}  // namespace qun::sync
