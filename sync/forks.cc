#include "sync/forks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "base/i18n.h"
#include "core/log_reads.h"
#include "core/op_txn.h"
#include "core/permissions.h"

namespace qun::sync {
namespace {

std::optional<Hash> HashOf(std::string_view v) {
  if (v.size() != Hash{}.size()) return std::nullopt;
  Hash h;
  std::memcpy(h.data(), v.data(), h.size());
  return h;
}

}  // namespace

std::string ForkRowId(const core::PublicKey& node, uint64_t seq) {
  return fmt::format("{}:{}", core::ToHex(node), seq);
}

Result<std::optional<Hash>> Resolution(core::Database& db, const core::PublicKey& author,
                                       uint64_t seq) {
  // Several owners may have resolved one fork: the latest op (by HLC, then
  // author) decides, the same on every node.
  QUN_ASSIGN_OR_RETURN(
      std::optional<Value> keep,
      core::LatestCountedValue(db, core::kForkTable, ForkRowId(author, seq), "keep"));
  if (!keep) return std::optional<Hash>();
  auto* b = std::get_if<Bytes>(&*keep);
  if (!b) return std::optional<Hash>();
  return HashOf(std::string_view(reinterpret_cast<const char*>(b->data.data()), b->data.size()));
}

Result<bool> HasResolution(core::Database& db, const core::PublicKey& author) {
  QUN_ASSIGN_OR_RETURN(std::vector<core::LoggedWrite> writes,
                       core::LoggedWrites(db, core::kForkTable, "", core::ToHex(author) + ":"));
  return std::any_of(writes.begin(), writes.end(),
                     [](const core::LoggedWrite& w) { return w.counts; });
}

Result<std::vector<Fork>> ListForks(core::Database& db) {
  std::vector<Fork> out;
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       db.Prepare(WithStates("SELECT DISTINCT author, seq FROM change_set WHERE "
                                             "state = {equivocation} ORDER BY author, seq")));
  QUN_ASSIGN_OR_RETURN(
      core::Statement twins,
      db.Prepare(WithStates("SELECT hash, state = {applied} FROM change_set WHERE author = ? AND "
                            "seq = ? AND state IN ({applied}, {equivocation}, {pending}) ORDER "
                            "BY hash")));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    Fork f;
    QUN_ASSIGN_OR_RETURN(f.author, core::KeyFromValue(s.GetValue(0)));
    f.seq = static_cast<uint64_t>(s.Int(1));
    twins.Bind(1, Blob(f.author)).Bind(2, static_cast<int64_t>(f.seq));
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool t, twins.Step());
      if (!t) break;
      std::optional<Hash> h = HashOf(twins.BlobView(0));
      if (!h) continue;
      f.twins.push_back(*h);
      if (twins.Int(1) != 0) f.applied = *h;
    }
    twins.Reset();
    QUN_ASSIGN_OR_RETURN(f.resolved, Resolution(db, f.author, f.seq));
    out.push_back(std::move(f));
  }
  return out;
}

Result<bool> Quarantined(Held& held, const core::PublicKey& author) {
  static const std::string kSql =
      WithStates("SELECT DISTINCT seq FROM change_set WHERE author = ? AND state = {equivocation}");
  std::vector<uint64_t> seqs;
  {
    QUN_ASSIGN_OR_RETURN(core::CachedStatement s, held.db().Use(kSql));
    s->Bind(1, Blob(author));
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      seqs.push_back(static_cast<uint64_t>(s->Int(0)));
    }
  }
  for (uint64_t seq : seqs) {
    QUN_ASSIGN_OR_RETURN(auto keep, Resolution(held.db(), author, seq));
    if (!keep) return true;
    // Resolved, but this node holds the other one applied and cannot
    // switch yet (the kept one has not reached it): still held.
    QUN_ASSIGN_OR_RETURN(auto applied, held.AppliedHash(author, seq));
    if (applied && *applied != *keep) return true;
  }
  return false;
}

Result<std::vector<ForkChoice>> ChooseTwins(const std::vector<Fork>& forks,
                                            std::string_view keep_prefix,
                                            const std::string& label) {
  std::string prefix(keep_prefix);
  for (char& c : prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<ForkChoice> choices;
  bool used_prefix = false;
  for (const Fork& f : forks) {
    std::optional<Hash> keep = f.applied;
    if (!prefix.empty()) {
      for (const Hash& h : f.twins)
        if (core::ToHex(h).rfind(prefix, 0) == 0) {
          keep = h;
          used_prefix = true;
        }
    }
    if (!keep) {
      std::string twins;
      for (const Hash& h : f.twins) twins += " " + core::ToHex(h).substr(0, 12);
      return Status::InvalidArgument(
          i18n::Format(_("this node applied neither of {}'s change sets {} ({}); say which to "
                         "keep with --keep HASH"),
                       label, f.seq, twins.substr(1)));
    }
    choices.push_back({f.seq, *keep});
  }
  if (!prefix.empty() && !used_prefix)
    return Status::InvalidArgument(i18n::Format(
        _("'{}' is none of {}'s forked change sets; `qun --json status` lists their hashes"),
        keep_prefix, label));
  return choices;
}

Status WriteResolutions(core::WriteTxn& txn, const core::PublicKey& node,
                        const std::vector<ForkChoice>& choices) {
  for (const ForkChoice& c : choices)
    QUN_RETURN_IF_ERROR(txn.Set(core::kForkTable, ForkRowId(node, c.seq), "keep",
                                Bytes{std::vector<uint8_t>(c.keep.begin(), c.keep.end())})
                            .status());
  return Status::Ok();
}

Result<std::optional<DueResolution>> DueFor(Held& held, const Fork& f) {
  if (!f.resolved || f.applied == f.resolved) return std::optional<DueResolution>();
  QUN_ASSIGN_OR_RETURN(core::CachedStatement kept,
                       held.db().Use("SELECT id, state FROM change_set WHERE hash = ? "
                                     "AND author = ? AND seq = ?"));
  kept->Bind(1, Blob(*f.resolved)).Bind(2, Blob(f.author)).Bind(3, static_cast<int64_t>(f.seq));
  QUN_ASSIGN_OR_RETURN(bool row, kept->Step());
  // The kept one has not reached this node yet.
  if (!row) return std::optional<DueResolution>();
  bool evidence = StateFromText(kept->Text(1)) == ChangeSetState::kEquivocation;
  if (!f.applied && !evidence) return std::optional<DueResolution>();
  return std::optional<DueResolution>(DueResolution{kept->Int(0), f.applied.has_value()});
}

Status CarryOut(Held& held, const Fork& f, const DueResolution& due) {
  if (!due.switch_applied) return held.SetState(due.keep, ChangeSetState::kPending, "");
  core::Database& db = held.db();
  QUN_ASSIGN_OR_RETURN(
      core::Statement out,
      db.Prepare(WithStates("SELECT id, seq, txn FROM change_set WHERE author = ? AND seq >= ? "
                            "AND state = {applied} ORDER BY seq DESC")));
  out.Bind(1, Blob(f.author)).Bind(2, static_cast<int64_t>(f.seq));
  struct Applied {
    int64_t id;
    uint64_t seq;
    int64_t txn;
  };
  std::vector<Applied> applied;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, out.Step());
    if (!row) break;
    applied.push_back({out.Int(0), static_cast<uint64_t>(out.Int(1)), out.Int(2)});
  }
  out.Reset();
  std::vector<core::FieldRef> fields;
  QUN_ASSIGN_OR_RETURN(core::Statement back,
                       db.Prepare("UPDATE change_set SET state = ?, reason = ?, txn = NULL, "
                                  "chain_max = NULL WHERE id = ?"));
  for (const Applied& a : applied) {
    // The one at the fork stays as evidence; what followed it waits again
    // (it follows the other change set, so its chain is refused when its
    // turn comes).
    bool twin = a.seq == f.seq;
    back.Bind(1, StateText(twin ? ChangeSetState::kEquivocation : ChangeSetState::kPending))
        .Bind(2, twin ? "an owner resolved this fork for the other change set" : "");
    back.Bind(3, a.id);
    QUN_RETURN_IF_ERROR(back.Run());
    QUN_RETURN_IF_ERROR(core::RemoveTxn(db, a.txn, &fields));
  }
  QUN_RETURN_IF_ERROR(held.SetState(due.keep, ChangeSetState::kPending, ""));
  std::sort(fields.begin(), fields.end());
  fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
  return core::RecomputeFields(db, fields);
}

}  // namespace qun::sync
