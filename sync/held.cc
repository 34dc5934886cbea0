#include "sync/held.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <tuple>

#include "base/i18n.h"
#include "core/log_reads.h"

namespace qun::sync {
namespace {

struct StateName {
  ChangeSetState state;
  std::string_view text;
};
// On disk and in docs/protocol.md: never renamed.
constexpr StateName kStateNames[] = {
    {ChangeSetState::kApplied, "applied"},   {ChangeSetState::kPending, "pending"},
    {ChangeSetState::kNewer, "newer"},       {ChangeSetState::kEquivocation, "equivocation"},
    {ChangeSetState::kRejected, "rejected"},
};

std::string Quoted(ChangeSetState s) { return fmt::format("'{}'", StateText(s)); }

std::string BytesOf(const Value& v) {
  auto* b = std::get_if<Bytes>(&v);
  return b ? std::string(b->data.begin(), b->data.end()) : std::string();
}

}  // namespace

std::string_view StateText(ChangeSetState state) {
  for (const StateName& n : kStateNames)
    if (n.state == state) return n.text;
  return "rejected";  // unreachable: every state is named above
}

std::optional<ChangeSetState> StateFromText(std::string_view text) {
  for (const StateName& n : kStateNames)
    if (n.text == text) return n.state;
  return std::nullopt;
}

std::string WithStates(std::string_view sql) {
  return fmt::format(fmt::runtime(sql), fmt::arg("applied", Quoted(ChangeSetState::kApplied)),
                     fmt::arg("pending", Quoted(ChangeSetState::kPending)),
                     fmt::arg("newer", Quoted(ChangeSetState::kNewer)),
                     fmt::arg("equivocation", Quoted(ChangeSetState::kEquivocation)),
                     fmt::arg("rejected", Quoted(ChangeSetState::kRejected)));
}

std::string ShortId(const core::PublicKey& k) { return core::ToHex(k).substr(0, 8); }

Result<int64_t> CountInStates(core::Database& db, std::initializer_list<ChangeSetState> states) {
  std::string list;
  for (ChangeSetState s : states) list += (list.empty() ? "" : ", ") + Quoted(s);
  QUN_ASSIGN_OR_RETURN(
      core::Statement s,
      db.Prepare(fmt::format("SELECT count(*) FROM change_set WHERE state IN ({})", list)));
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

Result<HeldSummary> Summarize(core::Database& db) {
  HeldSummary h;
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       db.Prepare("SELECT state, count(*) FROM change_set GROUP BY state"));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    std::optional<ChangeSetState> state = StateFromText(s.Text(0));
    if (!state) continue;
    int64_t n = s.Int(1);
    switch (*state) {
      case ChangeSetState::kApplied:
        h.applied = n;
        break;
      case ChangeSetState::kPending:
        h.pending = n;
        break;
      case ChangeSetState::kNewer:
        h.newer = n;
        break;
      case ChangeSetState::kEquivocation:
        h.equivocation = n;
        break;
      case ChangeSetState::kRejected:
        h.rejected = n;
        break;
    }
  }
  QUN_ASSIGN_OR_RETURN(h.refused, core::CountRefusedTxns(db));
  QUN_ASSIGN_OR_RETURN(core::Statement e,
                       db.Prepare(WithStates("SELECT DISTINCT author FROM change_set WHERE "
                                             "state={equivocation} ORDER BY author")));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, e.Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(core::PublicKey k, core::KeyFromValue(e.GetValue(0)));
    h.equivocators.push_back(k);
  }
  return h;
}

Result<std::vector<Refusal>> ListRefusals(core::Database& db) {
  std::vector<Refusal> out;
  QUN_ASSIGN_OR_RETURN(std::vector<core::LoggedTxn> refused, core::RefusedTxns(db));
  for (core::LoggedTxn& t : refused)
    out.push_back({t.author, t.seq, std::move(t.note), t.refused.value_or(""), true});
  // Change sets refused before they reached the log: no note (it is in the
  // encrypted payload).
  QUN_ASSIGN_OR_RETURN(
      core::Statement s,
      db.Prepare(WithStates("SELECT author, seq, coalesce(reason, '') FROM change_set WHERE "
                            "state = {rejected}")));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(core::PublicKey k, core::KeyFromValue(s.GetValue(0)));
    out.push_back({k, static_cast<uint64_t>(s.Int(1)), "", s.Text(2), false});
  }
  std::stable_sort(out.begin(), out.end(), [](const Refusal& a, const Refusal& b) {
    return std::tie(a.author, a.seq) < std::tie(b.author, b.seq);
  });
  return out;
}

// Every sync starts here, on both sides, so it must not grow with the
// history. The rows hold the change sets' bytes, and reading them all made a
// no-op sync 9 times slower at 1.6 million ops; a GROUP BY over the index
// (author, state, seq) of migration 008 still read one entry per change set
// (5 times slower at 16 million ops). Instead it hops from author to author
// down that index, one search each, and takes each one's highest applied
// seq with one more search.
const std::string kVectorQuery = WithStates(
    "WITH RECURSIVE authors(a) AS (SELECT min(author) FROM change_set UNION ALL SELECT (SELECT "
    "min(author) FROM change_set WHERE author > a) FROM authors WHERE a IS NOT NULL) SELECT a, s "
    "FROM (SELECT a, (SELECT max(seq) FROM change_set INDEXED BY change_set_by_author_state "
    "WHERE author = a AND state = {applied}) AS s FROM authors WHERE a IS NOT NULL) WHERE s IS "
    "NOT NULL");

Result<VersionVector> ReadVector(core::Database& db) {
  QUN_ASSIGN_OR_RETURN(core::Statement s, db.Prepare(kVectorQuery));
  VersionVector v;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(core::PublicKey k, core::KeyFromValue(s.GetValue(0)));
    v[k] = static_cast<uint64_t>(s.Int(1));
  }
  return v;
}

Result<VersionVector> ReadVectorWithLocal(core::Database& db, const core::PublicKey& me) {
  QUN_ASSIGN_OR_RETURN(VersionVector v, ReadVector(db));
  // This node's own transactions are sealed in seq order, none skipped
  // (Outbox::Seal), so those not sealed yet are the ones after its last
  // applied change set, up to its last transaction.
  QUN_ASSIGN_OR_RETURN(uint64_t last, core::LastSeqOf(db, me));
  if (last > v[me]) v[me] = last;
  return v;
}

Result<std::string> ReadChangeSetBytes(core::Database& db, const std::string& table, int64_t id) {
  QUN_ASSIGN_OR_RETURN(core::CachedStatement s,
                       db.Use(fmt::format("SELECT bytes FROM {} WHERE id=?", table)));
  s->Bind(1, id);
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return Status::NotFound(_("a change set to send is no longer held"));
  return std::string(s->BlobView(0));
}

Result<uint64_t> Held::AppliedSeq(const core::PublicKey& author) {
  static const std::string kSql =
      WithStates("SELECT coalesce(max(seq), 0) FROM change_set WHERE author=? AND state={applied}");
  QUN_ASSIGN_OR_RETURN(core::CachedStatement s, db_.Use(kSql));
  s->Bind(1, Blob(author));
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  return row ? static_cast<uint64_t>(s->Int(0)) : 0;
}

Result<std::optional<Hash>> Held::AppliedHash(const core::PublicKey& author, uint64_t seq) {
  static const std::string kSql =
      WithStates("SELECT hash FROM change_set WHERE author=? AND seq=? AND state={applied}");
  QUN_ASSIGN_OR_RETURN(core::CachedStatement s, db_.Use(kSql));
  s->Bind(1, Blob(author)).Bind(2, static_cast<int64_t>(seq));
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  std::optional<Hash> out;
  if (row) {
    Value v = s->GetValue(0);
    if (auto* b = std::get_if<Bytes>(&v); b && b->data.size() == Hash{}.size()) {
      Hash h;
      std::copy(b->data.begin(), b->data.end(), h.begin());
      out = h;
    }
  }
  return out;
}

Result<std::optional<core::Hlc>> Held::ChainMax(const core::PublicKey& author, uint64_t seq) {
  static const std::string kSql =
      WithStates("SELECT chain_max FROM change_set WHERE author=? AND seq=? AND state={applied}");
  QUN_ASSIGN_OR_RETURN(core::CachedStatement s, db_.Use(kSql));
  s->Bind(1, Blob(author)).Bind(2, static_cast<int64_t>(seq));
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  std::optional<core::Hlc> out;
  if (row) out = core::HlcFromValue(s->GetValue(0));
  return out;
}

Result<bool> Held::Invited(const core::PublicKey& author) {
  if (author == founder_ || author == me_) return true;
  // An invite is a write of node.invited_by by someone other than the node
  // itself; only applied change sets are in the op log, so its writer was
  // known when it was applied. Whether the invite counts does not matter
  // here: that may change with change sets still to come, and others may
  // already build on the invited node's change sets. The authority rules
  // refuse what a node let in by an invite that does not count writes (it
  // holds no role), and it may not connect (Members).
  return core::InvitedByOther(db_, author);
}

Status Held::SetState(int64_t row_id, ChangeSetState state, const std::string& reason) {
  QUN_ASSIGN_OR_RETURN(core::CachedStatement s,
                       db_.Use("UPDATE change_set SET state=?, reason=? WHERE id=?"));
  s->Bind(1, StateText(state)).Bind(2, reason).Bind(3, row_id);
  return s->Run();
}

namespace {

Result<std::optional<Held::StateAndReason>> ReadState(core::Statement& s) {
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Held::StateAndReason>();
  return std::optional<Held::StateAndReason>(
      Held::StateAndReason{StateFromText(s.Text(0)), s.Text(1)});
}

}  // namespace

Result<std::optional<Held::StateAndReason>> Held::StateOf(const Hash& hash) {
  QUN_ASSIGN_OR_RETURN(core::CachedStatement s,
                       db_.Use("SELECT state, coalesce(reason, '') FROM change_set WHERE hash=?"));
  s->Bind(1, Blob(hash));
  return ReadState(*s);
}

Result<std::optional<Held::StateAndReason>> Held::StateOfRow(int64_t row_id) {
  QUN_ASSIGN_OR_RETURN(core::CachedStatement s,
                       db_.Use("SELECT state, coalesce(reason, '') FROM change_set WHERE id = ?"));
  s->Bind(1, row_id);
  return ReadState(*s);
}

Result<std::set<core::PublicKey>> Held::WaitingAuthors() {
  static const std::string kSql =
      WithStates("SELECT DISTINCT author FROM change_set WHERE state IN ({pending}, {newer})");
  QUN_ASSIGN_OR_RETURN(core::CachedStatement s, db_.Use(kSql));
  std::set<core::PublicKey> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(core::PublicKey k, core::KeyFromValue(s->GetValue(0)));
    out.insert(k);
  }
  return out;
}

Result<std::vector<std::pair<int64_t, std::string>>> Held::WaitingAt(const core::PublicKey& author,
                                                                     uint64_t seq) {
  static const std::string kSql = WithStates(
      "SELECT id, bytes FROM change_set WHERE author = ? AND seq = ? AND state IN "
      "({pending}, {newer}) ORDER BY id");
  QUN_ASSIGN_OR_RETURN(core::CachedStatement s, db_.Use(kSql));
  s->Bind(1, Blob(author)).Bind(2, static_cast<int64_t>(seq));
  std::vector<std::pair<int64_t, std::string>> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    // A change set's bytes as kept; empty (refused when decoded) if the
    // column holds something else.
    out.emplace_back(s->Int(0), BytesOf(s->GetValue(1)));
  }
  return out;
}

Result<bool> Held::AnyWaiting() {
  static const std::string kSql =
      WithStates("SELECT EXISTS (SELECT 1 FROM change_set WHERE state IN ({pending}, {newer}))");
  QUN_ASSIGN_OR_RETURN(core::CachedStatement s, db_.Use(kSql));
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  return row && s->Int(0) != 0;
}

Result<bool> Held::RejectedAt(const core::PublicKey& author, uint64_t seq) {
  static const std::string kSql = WithStates(
      "SELECT EXISTS (SELECT 1 FROM change_set WHERE author = ? AND seq = ? AND "
      "state = {rejected})");
  QUN_ASSIGN_OR_RETURN(core::CachedStatement s, db_.Use(kSql));
  s->Bind(1, Blob(author)).Bind(2, static_cast<int64_t>(seq));
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  return row && s->Int(0) != 0;
}

}  // namespace qun::sync
