#include "sync/peers.h"

#include <fmt/format.h>
#include <sodium.h>

#include <chrono>

#include "base/i18n.h"
#include "base/text.h"
#include "core/hlc.h"
#include "sync/invite.h"

namespace qun::sync {
namespace {

std::string VectorText(const VersionVector& v) {
  std::string out;
  for (const auto& [author, seq] : v) {
    if (!out.empty()) out += ',';
    out += fmt::format("{}:{}", core::ToHex(author), seq);
  }
  return out;
}

std::optional<VersionVector> ParseVectorText(const std::string& text) {
  VersionVector v;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? text.size() : comma + 1;
    size_t colon = item.find(':');
    if (colon == std::string::npos) return std::nullopt;
    auto key = ParseNodeId(item.substr(0, colon));
    if (!key.ok()) return std::nullopt;
    auto seq = text::ParseUint(std::string_view(item).substr(colon + 1));
    if (!seq) return std::nullopt;
    v[*key] = *seq;
  }
  return v;
}

constexpr char kColumns[] =
    "name, address, key, added_at, last_attempt_at, last_sync_at, last_error, failures, vector, "
    "relay, coalesce(sent, 0), coalesce(received, 0)";

Result<Peer> ReadPeer(core::Statement& s) {
  Peer p;
  p.name = s.Text(0);
  p.address = s.Text(1);
  QUN_ASSIGN_OR_RETURN(p.key, core::KeyFromValue(s.GetValue(2)));
  p.added_at_ms = s.Int(3);
  if (!s.IsNull(4)) p.last_attempt_ms = s.Int(4);
  if (!s.IsNull(5)) p.last_sync_ms = s.Int(5);
  p.last_error = s.OptText(6);
  p.failures = s.Int(7);
  if (auto text = s.OptText(8)) p.vector = ParseVectorText(*text);
  p.relay = s.Int(9) != 0;
  p.sent = s.Int(10);
  p.received = s.Int(11);
  return p;
}

}  // namespace

Status CheckPeerName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64 && name[0] != '-';
  for (unsigned char c : name)
    if (c < 0x80 && !std::isalnum(c) && c != '-' && c != '_' && c != '.') ok = false;
  if (!ok)
    return Status::InvalidArgument(
        i18n::Format(_("'{}' cannot be a peer name: use one short word of letters, digits, '-', "
                       "'_' or '.' (for example bob-laptop or 李娜)"),
                     name));
  return Status::Ok();
}

Status AddPeer(core::Database& db, const Peer& peer) {
  QUN_RETURN_IF_ERROR(CheckPeerName(peer.name));
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       db.Prepare("INSERT INTO peer (name, address, key, added_at) VALUES (?, ?, "
                                  "?, ?) ON CONFLICT (name) DO NOTHING"));
  s.Bind(1, peer.name).Bind(2, peer.address).Bind(3, Blob(peer.key)).Bind(4, core::WallClockMs());
  QUN_RETURN_IF_ERROR(s.Run());
  if (db.Changes() == 0)
    return Status::Conflict(
        i18n::Format(_("there is already a peer named {0}; remove it first with `qun peer remove "
                       "{0}`, or choose another name"),
                     peer.name));
  return Status::Ok();
}

Status RemovePeer(core::Database& db, const std::string& name) {
  QUN_ASSIGN_OR_RETURN(core::Statement s, db.Prepare("DELETE FROM peer WHERE name=?"));
  s.Bind(1, name);
  QUN_RETURN_IF_ERROR(s.Run());
  if (db.Changes() == 0) return FindPeer(db, name).status();
  return Status::Ok();
}

Result<std::vector<Peer>> ListPeers(core::Database& db) {
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       db.Prepare(fmt::format("SELECT {} FROM peer ORDER BY name", kColumns)));
  std::vector<Peer> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(Peer p, ReadPeer(s));
    out.push_back(std::move(p));
  }
  return out;
}

Result<Peer> FindPeer(core::Database& db, const std::string& name) {
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       db.Prepare(fmt::format("SELECT {} FROM peer WHERE name=?", kColumns)));
  s.Bind(1, name);
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (row) return ReadPeer(s);
  QUN_ASSIGN_OR_RETURN(std::vector<Peer> all, ListPeers(db));
  std::string names;
  for (const Peer& p : all) names += (names.empty() ? "" : ", ") + p.name;
  return Status::NotFound(
      all.empty() ? i18n::Format(_("there is no peer named {}: this node has no peers yet; add "
                                   "one with `qun peer add NAME tcp://HOST:PORT --key NODE-ID`"),
                                 name)
                  : i18n::Format(_("there is no peer named {}; the peers are: {}"), name, names));
}

Status RecordSync(core::Database& db, const std::string& name, const VersionVector& theirs,
                  bool relay, int64_t sent, int64_t received) {
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       db.Prepare("UPDATE peer SET last_attempt_at=?1, last_sync_at=?1, "
                                  "last_error=NULL, failures=0, vector=?2, relay=?3, sent=?4, "
                                  "received=?5 WHERE name=?6"));
  s.Bind(1, core::WallClockMs())
      .Bind(2, VectorText(theirs))
      .Bind(3, relay ? 1 : 0)
      .Bind(4, sent)
      .Bind(5, received)
      .Bind(6, name);
  return s.Run();
}

Status RecordFailure(core::Database& db, const std::string& name, const std::string& error) {
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       db.Prepare("UPDATE peer SET last_attempt_at=?, last_error=?, "
                                  "failures=failures+1 WHERE name=?"));
  s.Bind(1, core::WallClockMs()).Bind(2, error).Bind(3, name);
  return s.Run();
}

uint64_t Behind(const VersionVector& mine, const VersionVector& theirs) {
  uint64_t n = 0;
  for (const auto& [author, seq] : mine) {
    auto it = theirs.find(author);
    uint64_t have = it == theirs.end() ? 0 : it->second;
    if (seq > have) n += seq - have;
  }
  return n;
}

}  // namespace qun::sync
