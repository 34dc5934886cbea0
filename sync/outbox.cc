#include "sync/outbox.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/i18n.h"
#include "base/text.h"
#include "core/log_reads.h"
#include "core/meta_keys.h"
#include "core/oplog.h"
#include "core/permissions.h"
#include "sync/key_rotation.h"

namespace qun::sync {

Result<int> Outbox::SealLocked() {
  core::Database& db = held_.db();
  const core::PublicKey& me = me_.public_key();
  QUN_ASSIGN_OR_RETURN(uint64_t sealed_seq, held_.AppliedSeq(me));
  QUN_ASSIGN_OR_RETURN(std::vector<core::LoggedTxn> unsealed, core::TxnsOf(db, me, sealed_seq));
  if (unsealed.empty()) return 0;
  QUN_RETURN_IF_ERROR(decisions_.EnsureDecidedLocked());
  // Never sealed under a key another process has replaced since.
  QUN_RETURN_IF_ERROR(keyring_.Refresh());

  // Nothing from others is applied between a local write and its sealing
  // (this runs first in every apply), so these dependencies are what the
  // writes saw, and their ceiling is the one the writes were made with.
  // Change sets named by this node's invite count as seen, applied or not.
  QUN_ASSIGN_OR_RETURN(VersionVector vector, held_.Vector());
  QUN_ASSIGN_OR_RETURN(JoinPoint join, ReadJoinPoint());
  std::vector<VersionEntry> dependencies;
  std::optional<core::Hlc> frontier;
  auto raise = [&](std::optional<core::Hlc> h) {
    if (h && (!frontier || *h > *frontier)) frontier = h;
  };
  VersionVector seen = vector;
  for (const auto& [author, seq] : join.vector)
    if (seen[author] < seq) {
      seen[author] = seq;
      raise(join.frontier);
    }
  for (const auto& [author, seq] : seen) {
    if (author == me || seq == 0) continue;
    dependencies.push_back({author, seq});
    auto applied = vector.find(author);
    if (applied != vector.end() && applied->second == seq) {
      QUN_ASSIGN_OR_RETURN(auto chain_max, held_.ChainMax(author, seq));
      raise(chain_max);
    }
  }
  QUN_ASSIGN_OR_RETURN(std::optional<core::Hlc> chain_max, held_.ChainMax(me, sealed_seq));
  bool roles_sealed = false;
  QUN_ASSIGN_OR_RETURN(std::set<uint32_t> unusable, keyring_.UnusableEpochs());

  static const std::string kInsert = WithStates(
      "INSERT INTO change_set(author, seq, hash, bytes, state, txn, chain_max) VALUES "
      "(?, ?, ?, ?, {applied}, ?, ?)");
  for (const core::LoggedTxn& u : unsealed) {
    if (u.seq != sealed_seq + 1)
      return Status::Internal(
          fmt::format("this node's change {} cannot be sealed: change {} before it is missing",
                      u.seq, sealed_seq + 1));
    std::optional<core::Hlc> ceiling = core::Ceiling(frontier, chain_max);
    if (u.ceiling != ceiling)
      return Status::Internal(fmt::format(
          "this node's change {} was written against other changes than it would be sealed "
          "with; its clock ceiling would differ on other nodes",
          u.seq));
    ChangeSetHeader header;
    header.community_id = community_.id;
    header.seq = u.seq;
    if (u.seq > 1) {
      QUN_ASSIGN_OR_RETURN(header.previous_hash, held_.AppliedHash(me, u.seq - 1));
      if (!header.previous_hash)
        return Status::Internal(
            fmt::format("this node's change {} cannot be sealed: change {} before it is missing",
                        u.seq, u.seq - 1));
    }
    header.dependencies = dependencies;
    header.continues = u.continues;
    Payload payload;
    payload.note = u.note;
    QUN_ASSIGN_OR_RETURN(payload.ops, core::OpsOfTxn(db, u.id, me));
    for (const core::Op& op : payload.ops) {
      if (core::IsRoleOp(op) || core::IsInviteOp(op)) roles_sealed = true;
      core::Hlc effective = core::Effective(op.hlc, u.ceiling);
      if (!chain_max || effective > *chain_max) chain_max = effective;
    }
    // A rotation's envelopes go out under the key before theirs: the nodes
    // they are for do not hold the new one yet. Otherwise the newest key
    // that counts.
    std::optional<uint32_t> rotating;
    for (const core::Op& op : payload.ops)
      if (op.table == core::kKeyEnvelopeTable)
        if (auto e = EnvelopeEpoch(op.row_id); e && (!rotating || *e < *rotating)) rotating = e;
    const core::CommunityKey* key = nullptr;
    for (const auto& k : community_.keys)
      if ((!rotating || k.epoch() < *rotating) && !unusable.count(k.epoch()) &&
          (!key || k.epoch() > key->epoch()))
        key = &k;
    if (!key)
      return Status::Internal(_("this node holds no community key it may seal a change set with"));
    QUN_ASSIGN_OR_RETURN(ChangeSet cs, Seal(header, payload, *key, me_));
    std::string bytes = cs.Encode();
    QUN_ASSIGN_OR_RETURN(core::CachedStatement insert, db.Use(kInsert));
    insert->Bind(1, Blob(me))
        .Bind(2, static_cast<int64_t>(u.seq))
        .Bind(3, Blob(cs.ComputeHash()))
        .Bind(4, Blob(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()))
        .Bind(5, u.id);
    insert->Bind(6, core::HlcValue(chain_max));
    QUN_RETURN_IF_ERROR(insert->Run());
    sealed_seq = u.seq;
  }
  // Roles this node granted or revoked take effect in node_role now.
  if (roles_sealed) QUN_RETURN_IF_ERROR(decisions_.RecomputeLocked(false).status());
  return static_cast<int>(unsealed.size());
}

Result<std::optional<core::Hlc>> Outbox::FrontierOf(const VersionVector& vector) {
  std::optional<core::Hlc> frontier;
  for (const auto& [author, seq] : vector) {
    QUN_ASSIGN_OR_RETURN(auto chain_max, held_.ChainMax(author, seq));
    if (chain_max && (!frontier || *chain_max > *frontier)) frontier = chain_max;
  }
  return frontier;
}

Status Outbox::SaveJoinPoint(const JoinPoint& join) {
  core::Database& db = held_.db();
  std::string text;
  for (const auto& [author, seq] : join.vector)
    text += fmt::format("{} {}\n", core::ToHex(author), seq);
  core::Transaction tx(db);
  QUN_RETURN_IF_ERROR(tx.Begin());
  QUN_RETURN_IF_ERROR(core::SetMeta(db, core::kJoinVectorKey, text));
  if (join.frontier) {
    QUN_RETURN_IF_ERROR(
        core::SetMeta(db, core::kJoinFrontierKey, std::to_string(join.frontier->packed)));
    QUN_RETURN_IF_ERROR(core::RaiseFrontier(db, *join.frontier));
  }
  return tx.Commit();
}

Result<JoinPoint> Outbox::ReadJoinPoint() {
  core::Database& db = held_.db();
  const Status damaged =
      Status::Corruption(_("the invite point recorded in this node's database is damaged"));
  JoinPoint join;
  QUN_ASSIGN_OR_RETURN(auto text, core::GetMeta(db, core::kJoinVectorKey));
  if (!text) return join;
  size_t start = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    std::string_view line = std::string_view(*text).substr(start, end - start);
    start = end + 1;
    if (line.size() < 66) continue;
    std::optional<core::PublicKey> k = core::PublicKeyFromHex(line.substr(0, 64));
    std::optional<uint64_t> seq = text::ParseUint(line.substr(65));
    if (!k || !seq) return damaged;
    join.vector[*k] = *seq;
  }
  // The frontier the invite named: what the node's first writes were
  // measured against (meta "frontier" may have grown since).
  QUN_ASSIGN_OR_RETURN(auto frontier, core::GetMeta(db, core::kJoinFrontierKey));
  if (frontier) {
    std::optional<uint64_t> packed = text::ParseUint(*frontier);
    if (!packed) return damaged;
    join.frontier = core::Hlc{*packed};
  }
  return join;
}

Result<VersionVector> Outbox::LocalSeen() {
  QUN_ASSIGN_OR_RETURN(VersionVector seen, held_.Vector());
  QUN_ASSIGN_OR_RETURN(JoinPoint join, ReadJoinPoint());
  for (const auto& [author, seq] : join.vector) seen[author] = std::max(seen[author], seq);
  seen.erase(me_.public_key());
  return seen;
}

}  // namespace qun::sync
