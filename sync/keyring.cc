#include "sync/keyring.h"

#include "base/text.h"
#include "core/log_reads.h"
#include "core/meta_keys.h"
#include "core/oplog.h"
#include "core/permissions.h"
#include "sync/key_rotation.h"

namespace qun::sync {

Status Keyring::ClaimFromPending(uint32_t epoch) {
  // A node let in by an owner that had not yet received a rotation lacks
  // its key, and the rotating owner's change sets after it are sealed with
  // it: they block that owner's chain, and with it the later rotation that
  // passes the key on. So the key is looked for in an owner's change sets
  // still waiting here too. It is used to read only: sealing takes it once
  // a rotation that counts gave it out (UnusableEpochs).
  core::Database& db = held_.db();
  QUN_ASSIGN_OR_RETURN(
      core::Statement s,
      db.Prepare(WithStates("SELECT bytes FROM change_set WHERE state = {pending}")));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    auto cs = ChangeSet::Decode(s.BlobView(0));
    if (!cs.ok()) continue;
    auto header = ReadHeader(*cs);
    if (!header.ok()) continue;
    const core::CommunityKey* key = community_.Key(header->key_epoch);
    if (!key) continue;
    QUN_ASSIGN_OR_RETURN(core::Roles roles,
                         core::CurrentRoles(db, header->author, community_.founder));
    if (!roles.Owner()) continue;
    auto payload = Open(*cs, *header, *key);
    if (!payload.ok()) continue;
    for (const core::Op& op : payload->ops) {
      if (op.table != core::kKeyEnvelopeTable ||
          EnvelopeEpochFor(op.row_id, me_.public_key()) != std::optional<uint32_t>(epoch))
        continue;
      auto opened = OpenEnvelopeValue(me_, epoch, op.value);
      if (!opened.ok()) continue;
      s.Reset();
      QUN_ASSIGN_OR_RETURN(auto early, core::GetMeta(db, core::kEarlyKeysKey));
      QUN_RETURN_IF_ERROR(core::SetMeta(db, core::kEarlyKeysKey,
                                        (early ? *early : "") + std::to_string(epoch) + "\n"));
      return TakeKey(std::move(*opened));
    }
  }
  return Status::Ok();
}

Result<std::vector<std::pair<int64_t, uint32_t>>> Keyring::RefusedEpochs() {
  QUN_ASSIGN_OR_RETURN(
      core::Statement s,
      held_.db().Prepare(WithStates("SELECT id, bytes FROM change_set WHERE state = {rejected}")));
  std::vector<std::pair<int64_t, uint32_t>> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    auto cs = ChangeSet::Decode(s.BlobView(1));
    if (!cs.ok()) continue;
    auto header = ReadHeader(*cs);
    if (header.ok()) out.push_back({s.Int(0), header->key_epoch});
  }
  return out;
}

Status Keyring::TakeKey(core::CommunityKey key) {
  // On disk first: a key this node seals with must survive a crash.
  if (save_key_) QUN_RETURN_IF_ERROR(save_key_(key));
  community_.keys.push_back(std::move(key));
  return Status::Ok();
}

Result<bool> Keyring::RetryRefused() {
  QUN_ASSIGN_OR_RETURN(auto refused, RefusedEpochs());
  std::vector<std::pair<int64_t, uint32_t>> lacking;
  for (const auto& [id, epoch] : refused)
    if (!community_.Key(epoch)) lacking.push_back({id, epoch});
  if (lacking.empty()) return false;
  std::set<uint32_t> epochs;
  for (const auto& [id, epoch] : lacking) epochs.insert(epoch);
  for (uint32_t epoch : epochs) QUN_RETURN_IF_ERROR(ClaimFromPending(epoch));
  bool any = false;
  for (const auto& [id, epoch] : lacking)
    if (community_.Key(epoch)) {
      QUN_RETURN_IF_ERROR(held_.SetState(id, ChangeSetState::kPending, ""));
      any = true;
    }
  return any;
}

Result<std::set<uint32_t>> Keyring::UnusableEpochs() {
  // A key that came in an envelope counts while some envelope of its epoch
  // counts: a rotation whose writer lost ownership at the same time (a
  // revocation wins) gave out a key nobody is to seal with, and which a
  // removed node may hold. Keys that came otherwise (founding, invites)
  // have no envelope and count.
  QUN_ASSIGN_OR_RETURN(std::vector<core::LoggedWrite> writes,
                       core::LoggedWrites(held_.db(), core::kKeyEnvelopeTable, "", ""));
  std::set<uint32_t> seen, counted;
  for (const core::LoggedWrite& w : writes) {
    auto epoch = EnvelopeEpoch(w.row_id);
    if (!epoch) continue;
    seen.insert(*epoch);
    if (w.counts) counted.insert(*epoch);
  }
  // Keys taken from a change set still waiting (ClaimFromPending) are for
  // reading until a rotation that counts confirms them.
  QUN_ASSIGN_OR_RETURN(auto early, core::GetMeta(held_.db(), core::kEarlyKeysKey));
  if (early)
    for (std::string_view line : text::SplitLines(*early)) {
      auto e = text::ParseUint(line);
      if (e && *e <= UINT32_MAX) seen.insert(static_cast<uint32_t>(*e));
    }
  std::set<uint32_t> out;
  for (uint32_t e : seen)
    if (!counted.count(e)) out.insert(e);
  return out;
}

Status Keyring::Refresh() {
  if (!load_keys_) return Status::Ok();
  QUN_ASSIGN_OR_RETURN(std::vector<core::CommunityKey> keys, load_keys_());
  // The file only grows; a shorter one (being replaced) is not taken.
  if (keys.size() > community_.keys.size()) community_.keys = std::move(keys);
  return Status::Ok();
}

Result<const core::CommunityKey*> Keyring::Find(uint32_t epoch) {
  const core::CommunityKey* key = community_.Key(epoch);
  if (!key) {
    QUN_RETURN_IF_ERROR(Refresh());
    key = community_.Key(epoch);
  }
  if (!key) {
    QUN_RETURN_IF_ERROR(ClaimFromPending(epoch));
    key = community_.Key(epoch);
  }
  return key;
}

Result<int> Keyring::Claim() {
  std::string me = core::ToHex(me_.public_key());
  QUN_ASSIGN_OR_RETURN(std::vector<core::LoggedWrite> writes,
                       core::LoggedWrites(held_.db(), core::kKeyEnvelopeTable, "sealed", me + ":"));
  int added = 0;
  std::set<uint32_t> fresh;
  for (const core::LoggedWrite& w : writes) {
    if (!w.counts) continue;
    auto epoch = EnvelopeEpochFor(w.row_id, me_.public_key());
    if (!epoch || community_.Key(*epoch)) continue;
    auto opened = OpenEnvelopeValue(me_, *epoch, w.value);
    // A damaged envelope (an owner's broken qun) gives nothing; it must not
    // stop this node from working. Another rotation gives it the key.
    if (!opened.ok()) continue;
    fresh.insert(*epoch);
    QUN_RETURN_IF_ERROR(TakeKey(std::move(*opened)));
    ++added;
  }
  if (fresh.empty()) return added;
  // Change sets refused for want of one of these keys wait again; the next
  // ApplyPending applies them.
  QUN_ASSIGN_OR_RETURN(auto refused, RefusedEpochs());
  for (const auto& [id, epoch] : refused)
    if (fresh.count(epoch)) QUN_RETURN_IF_ERROR(held_.SetState(id, ChangeSetState::kPending, ""));
  return added;
}

}  // namespace qun::sync
