// What became of the change sets that wait in the inbox: why one waits
// (`qun bundle import` says so), what became of one received earlier, and
// forgetting those of strangers. Part of ChangeSetStore
// (sync/change_set_store.h).
#include <fmt/format.h>

#include "sync/change_set_store.h"

namespace qun::sync {

using core::Transaction;

Outcome OutcomeOf(std::optional<ChangeSetState> state) {
  if (!state) return Outcome::kRejected;
  switch (*state) {
    case ChangeSetState::kApplied:
      return Outcome::kApplied;
    case ChangeSetState::kPending:
      return Outcome::kPending;
    case ChangeSetState::kNewer:
      return Outcome::kNewerFormat;
    case ChangeSetState::kEquivocation:
      return Outcome::kEquivocation;
    case ChangeSetState::kRejected:
      return Outcome::kRejected;
  }
  return Outcome::kRejected;
}

Result<std::string> ChangeSetStore::WhyPending(const ChangeSetHeader& header) {
  QUN_ASSIGN_OR_RETURN(uint64_t applied, held_.AppliedSeq(header.author));
  if (header.seq > applied + 1)
    return fmt::format("waits for change set {} of {}: it comes after it", applied + 1,
                       ShortId(header.author));
  for (const VersionEntry& dep : header.dependencies) {
    QUN_ASSIGN_OR_RETURN(uint64_t have, held_.AppliedSeq(dep.author));
    if (have < dep.seq)
      return fmt::format("waits for change set {} of {}, which it builds on", dep.seq,
                         ShortId(dep.author));
  }
  QUN_ASSIGN_OR_RETURN(bool invited, held_.Invited(header.author));
  if (!invited) return fmt::format("waits for the invite of its author {}", ShortId(header.author));
  if (header.continues) {
    QUN_ASSIGN_OR_RETURN(auto later, LaterParts(header));
    if (!later)
      return fmt::format(
          "waits for the rest of its transaction: {} wrote it in parts (change sets {} on), "
          "which apply together",
          ShortId(header.author), header.seq);
  }
  QUN_ASSIGN_OR_RETURN(bool quarantined, Quarantined(header.author));
  if (quarantined)
    return fmt::format(
        "held: its author {} signed two different change sets with one number, until an owner "
        "says which one counts (`qun admin resolve-fork`)",
        ShortId(header.author));
  return std::string("waits for its turn");
}

Result<std::optional<Received>> ChangeSetStore::Recheck(const Hash& hash) {
  std::optional<ChangeSetState> state;
  Received r{Outcome::kRejected, "", {}, 0, hash};
  Result<ChangeSet> cs = Status::NotFound("");
  {
    QUN_ASSIGN_OR_RETURN(core::CachedStatement s,
                         store_.db().Use("SELECT state, coalesce(reason, ''), bytes FROM "
                                         "change_set WHERE hash=?"));
    s->Bind(1, Blob(hash));
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return std::optional<Received>();
    state = StateFromText(s->Text(0));
    r.reason = s->Text(1);
    cs = ChangeSet::Decode(s->BlobView(2));
  }
  auto header = cs.ok() ? Verify(*cs) : Result<ChangeSetHeader>(cs.status());
  if (!header.ok()) return std::optional<Received>(r);
  r.author = header->author;
  r.seq = header->seq;
  r.outcome = OutcomeOf(state);
  if (r.outcome == Outcome::kPending) {
    QUN_ASSIGN_OR_RETURN(r.reason, WhyPending(*header));
  }
  return std::optional<Received>(r);
}

Result<std::vector<Dropped>> ChangeSetStore::DropUninvited() {
  QUN_RETURN_IF_ERROR(decisions_.EnsureDecided());
  core::Database& db = store_.db();
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       db.Prepare(WithStates("SELECT DISTINCT author FROM change_set WHERE "
                                             "state IN ({pending}, {equivocation})")));
  std::vector<core::PublicKey> strangers;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(core::PublicKey k, core::KeyFromValue(s.GetValue(0)));
    QUN_ASSIGN_OR_RETURN(bool invited, held_.Invited(k));
    if (!invited) strangers.push_back(k);
  }
  s.Reset();
  std::vector<Dropped> out;
  if (strangers.empty()) return out;
  Transaction tx(db);
  QUN_RETURN_IF_ERROR(tx.Begin());
  QUN_ASSIGN_OR_RETURN(core::Statement list,
                       db.Prepare(WithStates("SELECT seq FROM change_set WHERE author=? AND "
                                             "state IN ({pending}, {equivocation}) ORDER BY seq")));
  QUN_ASSIGN_OR_RETURN(core::Statement drop,
                       db.Prepare(WithStates("DELETE FROM change_set WHERE author=? AND "
                                             "state IN ({pending}, {equivocation})")));
  for (const core::PublicKey& k : strangers) {
    list.Bind(1, Blob(k));
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool row, list.Step());
      if (!row) break;
      out.push_back({k, static_cast<uint64_t>(list.Int(0)),
                     fmt::format("signed by {}, a node nobody in this community has invited (as "
                                 "far as this node knows); nothing applied",
                                 ShortId(k))});
    }
    list.Reset();
    drop.Bind(1, Blob(k));
    QUN_RETURN_IF_ERROR(drop.Run());
  }
  QUN_RETURN_IF_ERROR(tx.Commit());
  return out;
}

}  // namespace qun::sync
