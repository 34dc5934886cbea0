#include "sync/send.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <tuple>

#include "base/i18n.h"
#include "core/log_reads.h"

namespace qun::sync {

VersionVector ToVector(const Heads& heads) {
  VersionVector v;
  for (const Head& h : heads) v[h.author] = h.seq;
  return v;
}

Status Send::ForEachMissing(const VersionVector& theirs,
                            const std::function<Status(std::string_view)>& visit) {
  // Ids first, then each change set's bytes one at a time: memory stays
  // bounded by one change set, however many are sent.
  // Evidence of equivocation always goes along (after everything else): the
  // other node may hold the twin, and should learn of it too.
  core::Database& db = held_.db();
  QUN_ASSIGN_OR_RETURN(
      core::Statement s,
      db.Prepare(WithStates("SELECT id, author, seq, state = {equivocation} FROM change_set "
                            "WHERE state IN ({applied}, {newer}, {equivocation}) ORDER BY state "
                            "= {equivocation}, txn IS NULL, txn, author, seq")));
  std::vector<int64_t> ids;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(core::PublicKey k, core::KeyFromValue(s.GetValue(1)));
    auto it = theirs.find(k);
    bool evidence = s.Int(3) != 0;
    if (!evidence && it != theirs.end() && static_cast<uint64_t>(s.Int(2)) <= it->second) continue;
    ids.push_back(s.Int(0));
  }
  s.Reset();
  for (int64_t id : ids) {
    QUN_ASSIGN_OR_RETURN(core::CachedStatement bytes,
                         db.Use("SELECT bytes FROM change_set WHERE id=?"));
    bytes->Bind(1, id);
    QUN_ASSIGN_OR_RETURN(bool row, bytes->Step());
    if (row) QUN_RETURN_IF_ERROR(visit(bytes->BlobView(0)));
  }
  return Status::Ok();
}

Result<std::vector<std::string>> Send::Missing(const VersionVector& theirs) {
  std::vector<std::string> out;
  QUN_RETURN_IF_ERROR(ForEachMissing(theirs, [&](std::string_view b) {
    out.emplace_back(b);
    return Status::Ok();
  }));
  return out;
}

Result<Heads> Send::ReadHeads() {
  QUN_ASSIGN_OR_RETURN(VersionVector v, held_.Vector());
  core::Database& db = held_.db();
  static const std::string kHash =
      WithStates("SELECT hash FROM change_set WHERE author=? AND seq=? AND state={applied}");
  Heads out;
  for (const auto& [author, seq] : v) {
    Head h{author, seq, {}, false};
    QUN_ASSIGN_OR_RETURN(core::CachedStatement hash, db.Use(kHash));
    hash->Bind(1, Blob(author)).Bind(2, static_cast<int64_t>(seq));
    QUN_ASSIGN_OR_RETURN(bool row, hash->Step());
    std::string_view bytes = row ? hash->BlobView(0) : std::string_view();
    if (bytes.size() != h.hash.size())
      return Status::Corruption(_("the change set table is damaged: a head has no hash"));
    std::memcpy(h.hash.data(), bytes.data(), bytes.size());
    out.push_back(h);
  }
  // Authors known only by their equivocation (no change set applied) get an
  // entry at seq 0, so that the flag travels.
  QUN_ASSIGN_OR_RETURN(core::Statement forked,
                       db.Prepare(WithStates("SELECT DISTINCT author FROM change_set WHERE "
                                             "state={equivocation}")));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, forked.Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(core::PublicKey k, core::KeyFromValue(forked.GetValue(0)));
    auto it =
        std::lower_bound(out.begin(), out.end(), k,
                         [](const Head& h, const core::PublicKey& key) { return h.author < key; });
    if (it != out.end() && it->author == k)
      it->forked = true;
    else
      out.insert(it, Head{k, 0, {}, true});
  }
  return out;
}

Result<std::vector<core::PublicKey>> Send::Members() {
  QUN_RETURN_IF_ERROR(decisions_.EnsureDecided());
  std::vector<core::PublicKey> out{founder_, me_};
  QUN_ASSIGN_OR_RETURN(std::vector<std::string> nodes, core::NodesWithRoles(held_.db()));
  for (const std::string& node : nodes)
    // Not a node id: never a member.
    if (std::optional<core::PublicKey> k = core::PublicKeyFromHex(node)) out.push_back(*k);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::vector<int64_t>> Send::MissingIds(const Heads& theirs) {
  VersionVector their_vector = ToVector(theirs);
  std::set<core::PublicKey> known_forked;
  for (const Head& h : theirs)
    if (h.forked) known_forked.insert(h.author);
  core::Database& db = held_.db();
  // Authors this node holds more of than they do (applied, or of a newer
  // format): found from the vector and the few authors with newer ones, so
  // that a node in sync costs one query per author.
  QUN_ASSIGN_OR_RETURN(VersionVector mine, held_.Vector());
  std::set<core::PublicKey> authors;
  for (const auto& [author, seq] : mine) {
    auto it = their_vector.find(author);
    if (it == their_vector.end() || it->second < seq) authors.insert(author);
  }
  QUN_ASSIGN_OR_RETURN(
      core::Statement extra,
      db.Prepare(WithStates("SELECT DISTINCT author, state = {equivocation} FROM change_set "
                            "WHERE state IN ({newer}, {equivocation})")));
  std::set<core::PublicKey> evidence_of, forked_here;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, extra.Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(core::PublicKey k, core::KeyFromValue(extra.GetValue(0)));
    if (extra.Int(1) == 0) {
      authors.insert(k);
    } else {
      forked_here.insert(k);
      if (!known_forked.count(k)) evidence_of.insert(k);
    }
  }
  struct Row {
    bool evidence, no_txn;
    int64_t txn;
    core::PublicKey author;
    int64_t seq, id;
    auto Key() const { return std::tie(evidence, no_txn, txn, author, seq); }
  };
  std::vector<Row> rows;
  static const std::string kRange = WithStates(
      "SELECT id, seq, coalesce(txn, 0), txn IS NULL FROM change_set WHERE author=? "
      "AND seq>? AND state IN ({applied}, {newer})");
  for (const core::PublicKey& author : authors) {
    auto it = their_vector.find(author);
    QUN_ASSIGN_OR_RETURN(core::CachedStatement range, db.Use(kRange));
    range->Bind(1, Blob(author))
        .Bind(2, static_cast<int64_t>(it == their_vector.end() ? 0 : it->second));
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool row, range->Step());
      if (!row) break;
      rows.push_back(
          {false, range->Int(3) != 0, range->Int(2), author, range->Int(1), range->Int(0)});
    }
  }
  // Their head at a seq this node holds too, with another hash: the author
  // signed two change sets with one seq, and each side holds one. This
  // node's twin goes as evidence, so that the other side learns of the fork.
  static const std::string kHead =
      WithStates("SELECT id, hash FROM change_set WHERE author=? AND seq=? AND state={applied}");
  for (const Head& h : theirs) {
    auto it = mine.find(h.author);
    if (h.forked || forked_here.count(h.author) || h.seq == 0 || it == mine.end() ||
        h.seq > it->second)
      continue;
    QUN_ASSIGN_OR_RETURN(core::CachedStatement head, db.Use(kHead));
    head->Bind(1, Blob(h.author)).Bind(2, static_cast<int64_t>(h.seq));
    QUN_ASSIGN_OR_RETURN(bool row, head->Step());
    if (row && head->BlobView(1) !=
                   std::string_view(reinterpret_cast<const char*>(h.hash.data()), h.hash.size()))
      rows.push_back({true, true, 0, h.author, static_cast<int64_t>(h.seq), head->Int(0)});
  }
  static const std::string kTwins =
      WithStates("SELECT id, seq FROM change_set WHERE author=? AND state={equivocation}");
  for (const core::PublicKey& author : evidence_of) {
    // Both twins of each fork: the other side may hold either one.
    std::vector<std::pair<int64_t, int64_t>> twins;  // (id, seq)
    {
      QUN_ASSIGN_OR_RETURN(core::CachedStatement s, db.Use(kTwins));
      s->Bind(1, Blob(author));
      while (true) {
        QUN_ASSIGN_OR_RETURN(bool row, s->Step());
        if (!row) break;
        twins.emplace_back(s->Int(0), s->Int(1));
      }
    }
    for (const auto& [id, seq] : twins) {
      rows.push_back({true, true, 0, author, seq, id});
      QUN_ASSIGN_OR_RETURN(core::CachedStatement head, db.Use(kHead));
      head->Bind(1, Blob(author)).Bind(2, seq);
      QUN_ASSIGN_OR_RETURN(bool applied, head->Step());
      if (applied) rows.push_back({true, true, 0, author, seq, head->Int(0)});
    }
  }
  // The order ForEachMissing uses: as this node applied them, so that the
  // receiver can apply each as it arrives; evidence last.
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.Key() < b.Key(); });
  std::vector<int64_t> ids;
  ids.reserve(rows.size());
  for (const Row& r : rows) ids.push_back(r.id);
  return ids;
}

Result<std::string> Send::ChangeSetBytes(int64_t id) {
  return ReadChangeSetBytes(held_.db(), "change_set", id);
}

}  // namespace qun::sync
