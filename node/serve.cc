#include "node/serve.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "base/i18n.h"
#include "core/hlc.h"
#include "core/home.h"
#include "node/nodes.h"
#include "sync/invite.h"
#include "sync/invite_code.h"
#include "sync/relay_store.h"
#include "sync/replica.h"
#include "sync/server.h"
#include "sync/transport.h"

namespace qun::node {
namespace {

using CurveKey = core::Identity::CurveKey;

// Strangers trying codes: a few a minute are plenty for people, and bound
// what someone trying many costs this node.
constexpr size_t kGuestsPerMinute = 30;

std::string PeerLabel(const sync::Peer& p) {
  return i18n::Format(_("{} at {}"), p.name, p.address);
}

// The wait before peer `failures` times failed in a row is tried again.
int64_t Backoff(int64_t every_ms, int64_t failures) {
  int64_t wait = every_ms << std::min<int64_t>(failures, 6);
  return std::min(wait, std::max<int64_t>(every_ms, 3'600'000));
}

// Syncs with every peer whose turn has come, until `stop`. Quiet when
// nothing moved.
void Gossip(const std::string& home_option, zmq::context_t& context, const ServeOptions& options,
            std::atomic<bool>& stop, const LogFn& log) {
  // Its own connection to the database: the server thread has the other.
  auto sp = OpenSyncNode(home_option);
  if (!sp.ok()) {
    log(i18n::Format(_("cannot sync with peers: {}"), sp.status().message()));
    return;
  }
  SyncNode& s = **sp;
  core::Database& db = s.node->store->db();
  while (!stop.load()) {
    auto peers = sync::ListPeers(db);
    if (!peers.ok()) {
      log(i18n::Format(_("cannot read the peers: {}"), peers.status().message()));
      peers = std::vector<sync::Peer>();
    }
    for (const sync::Peer& peer : *peers) {
      if (stop.load()) break;
      if (peer.last_attempt_ms && core::WallClockMs() - *peer.last_attempt_ms <
                                      Backoff(options.sync_every_ms, peer.failures))
        continue;
      sync::ClientOptions client;
      client.timeout_ms = options.timeout_ms;
      client.stop = &stop;
      auto report = SyncPeer(s, context, peer, client);
      if (!report.ok()) {
        if (stop.load()) break;
        log(i18n::Format(_("sync with {} failed ({} in a row; next try in {} s): {}"), peer.name,
                         peer.failures + 1,
                         Backoff(options.sync_every_ms, peer.failures + 1) / 1000,
                         report.status().message()));
      } else if (report->sent || report->received) {
        log(SyncSummary(peer.name, *report));
      }
    }
    for (int i = 0; i < 5 && !stop.load(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// The relay's allow file: one node id per line, optionally followed by a
// name; '#' starts a comment. Read again whenever it changes, so that the
// operator can let a node in or out without a restart.
class AllowList {
 public:
  explicit AllowList(std::string path) : path_(std::move(path)) {}

  // Reads the file if it changed since the last read. A file that cannot be
  // read or has a bad line keeps the list as it was (the error says why).
  Status Refresh() {
    struct stat st {};
    if (stat(path_.c_str(), &st) != 0)
      return Status::NotFound(i18n::Format(_("cannot read the allow file {}"), path_));
    if (loaded_ && st.st_mtim.tv_sec == mtime_.tv_sec && st.st_mtim.tv_nsec == mtime_.tv_nsec &&
        st.st_size == size_)
      return Status::Ok();
    std::ifstream in(path_);
    if (!in) return Status::IOError(i18n::Format(_("cannot read the allow file {}"), path_));
    std::map<CurveKey, std::pair<core::PublicKey, std::string>> allowed;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
      std::istringstream words(line);
      std::string id, name;
      if (!(words >> id)) continue;
      std::getline(words >> std::ws, name);
      auto key = sync::ParseNodeId(id);
      if (!key.ok())
        return Status::InvalidArgument(
            i18n::Format(_("{} line {}: {}"), path_, number, key.status().message()));
      QUN_ASSIGN_OR_RETURN(CurveKey curve, core::Identity::CurvePublicKey(*key));
      allowed[curve] = {*key, name};
    }
    allowed_ = std::move(allowed);
    mtime_ = st.st_mtim;
    size_ = st.st_size;
    loaded_ = true;
    return Status::Ok();
  }

  std::optional<core::PublicKey> Find(const CurveKey& key) const {
    auto it = allowed_.find(key);
    if (it == allowed_.end()) return std::nullopt;
    return it->second.first;
  }
  std::string Label(const core::PublicKey& key) const {
    for (const auto& [curve, entry] : allowed_)
      if (entry.first == key && !entry.second.empty())
        return fmt::format("{} ({})", entry.second, core::ToHex(key).substr(0, 8));
    return core::ToHex(key).substr(0, 8);
  }
  size_t size() const { return allowed_.size(); }

 private:
  std::string path_;
  bool loaded_ = false;
  timespec mtime_{};
  off_t size_ = 0;
  std::map<CurveKey, std::pair<core::PublicKey, std::string>> allowed_;
};

}  // namespace

std::string SyncSummary(const std::string& name, const sync::SyncReport& r) {
  std::string out = i18n::Format(_("Synced with {}: sent {}, received {}, applied {} in {:.1f} s"),
                                 name, r.sent, r.received, r.taken.applied, r.elapsed_ms / 1000.0);
  if (r.sent == 0 && r.received == 0) out += _(" (already in sync)");
  if (r.taken.pending) out += i18n::Format(_("; {} held back"), r.taken.pending);
  if (r.taken.rejected) out += i18n::Format(_("; {} refused"), r.taken.rejected);
  if (r.peer_taken.rejected) out += i18n::Format(_("; the peer refused {}"), r.peer_taken.rejected);
  return out + C_("the end of a sentence", ".");
}

Result<sync::SyncReport> SyncPeer(SyncNode& s, zmq::context_t& context, const sync::Peer& peer,
                                  const sync::ClientOptions& options) {
  sync::NodeReplica replica(*s.node->store, *s.sets);
  auto report = sync::SyncWith(context, *s.node->identity, s.community.id, replica, peer.address,
                               peer.key, PeerLabel(peer), options);
  core::Database& db = s.node->store->db();
  if (!report.ok()) {
    // Stopped on purpose (SIGINT, SIGTERM): not the peer's failure.
    if (!options.stop || !options.stop->load())
      QUN_RETURN_IF_ERROR(sync::RecordFailure(db, peer.name, report.status().message()));
    return report.status();
  }
  // What the peer holds now: what it had, and what it was sent (all this
  // node held at hello that it lacked), when it applied all of that.
  sync::VersionVector theirs = sync::ToVector(report->peer_heads);
  if (report->peer_taken.rejected == 0 && report->peer_taken.pending == 0)
    for (const auto& [author, seq] : sync::ToVector(report->hello_heads))
      theirs[author] = std::max(theirs[author], seq);
  QUN_RETURN_IF_ERROR(sync::RecordSync(db, peer.name, theirs, report->peer_is_relay,
                                       static_cast<int64_t>(report->sent),
                                       static_cast<int64_t>(report->received)));
  return report;
}

Status Serve(const std::string& home_option, const ServeOptions& options, std::atomic<bool>& stop,
             const LogFn& log) {
  QUN_RETURN_IF_ERROR(sync::CheckAddress(options.listen, true));
  QUN_ASSIGN_OR_RETURN(auto sp, OpenSyncNode(home_option));
  SyncNode& s = *sp;
  // Each connection costs a descriptor until it has said who it is.
  sync::RaiseOpenFileLimit();
  zmq::context_t context;
  const core::PublicKey me = s.node->identity->public_key();
  using Admission = sync::SyncServer::Admission;
  auto guests = std::make_shared<std::deque<int64_t>>();
  auto admit = [&s, me, guests](const CurveKey& key) -> Result<Admission> {
    // Read at every connection, so that a node invited a moment ago (its
    // invite received from a peer) can connect at once.
    QUN_ASSIGN_OR_RETURN(auto members, s.sets->Members());
    for (const core::PublicKey& m : members) {
      if (m == me) continue;
      auto curve = core::Identity::CurvePublicKey(m);
      if (curve.ok() && *curve == key) return Admission{Admission::kMember, m};
    }
    // Strangers get in only while an invite code is open, and then may do
    // nothing but join with it.
    QUN_ASSIGN_OR_RETURN(int64_t open,
                         sync::OpenInviteCodes(s.node->store->db(), core::WallClockMs()));
    if (open == 0) return Admission{};
    int64_t now = core::WallClockMs();
    while (!guests->empty() && now - guests->front() > 60'000) guests->pop_front();
    // Not a refusal: the real joiner among the guessers is told to try
    // again in a minute, not that the code is spent.
    if (guests->size() >= kGuestsPerMinute) return Admission{Admission::kTryLater, {}};
    guests->push_back(now);
    return Admission{Admission::kGuest, {}};
  };
  auto join = [&s](const sync::Join& join, bool member,
                   sync::Error* refuse) -> Result<std::string> {
    return AnswerInviteCode(s, join, member, refuse);
  };
  auto replicas = [&s](const sync::CommunityId& community,
                       sync::Error* refuse) -> Result<std::unique_ptr<sync::Replica>> {
    if (community != s.community.id) {
      *refuse = {
          sync::ErrorCode::kOtherCommunity,
          fmt::format("this node is of community {}, not {}", sync::CommunityIdHex(s.community.id),
                      sync::CommunityIdHex(community))};
      return Status::Denied(
          i18n::Format(_("it asked for community {}"), sync::CommunityIdHex(community)));
    }
    return std::unique_ptr<sync::Replica>(new sync::NodeReplica(*s.node->store, *s.sets));
  };
  auto label = [&s](const core::PublicKey& key) { return NodeLabel(s.node->store->db(), key); };
  sync::ServerOptions server_options;
  server_options.listen = options.listen;
  server_options.idle_timeout_ms = std::max<int64_t>(options.timeout_ms * 3, 10000);
  QUN_ASSIGN_OR_RETURN(auto server,
                       sync::SyncServer::Start(context, *s.node->identity, server_options, admit,
                                               replicas, log, label, join));
  log(i18n::Format(_("serving {} on {}"), NodeLabel(s.node->store->db(), me), server->endpoint()));
  log(i18n::Format(_("node id {}"), s.node->identity->node_id()));
  if (options.sync_every_ms > 0)
    log(i18n::Format(_("syncing with peers every {} s; stop with Ctrl-C"),
                     options.sync_every_ms / 1000.0));
  std::thread gossip;
  if (options.sync_every_ms > 0)
    gossip = std::thread(Gossip, std::cref(home_option), std::ref(context), std::cref(options),
                         std::ref(stop), std::cref(log));
  Status served = server->Run(stop);
  stop.store(true);
  if (gossip.joinable()) gossip.join();
  server.reset();
  log(_("stopped"));
  return served;
}

Status RunRelay(const std::string& home_option, const RelayOptions& options,
                std::atomic<bool>& stop, const LogFn& log) {
  QUN_RETURN_IF_ERROR(sync::CheckAddress(options.listen, true));
  AllowList allow(options.allow_file);
  QUN_RETURN_IF_ERROR(allow.Refresh());
  QUN_ASSIGN_OR_RETURN(std::string home, core::ResolveHome(home_option));
  struct stat st {};
  if (stat(core::DatabasePath(home).c_str(), &st) == 0)
    return Status::InvalidArgument(i18n::Format(
        _("{} is a node's home; give the relay a home of its own with --home DIR"), home));
  QUN_RETURN_IF_ERROR(core::PrepareHome(home));
  std::unique_ptr<core::Identity> identity;
  if (stat((home + "/node.key").c_str(), &st) == 0) {
    QUN_ASSIGN_OR_RETURN(identity, core::Identity::Load(home));
  } else {
    QUN_ASSIGN_OR_RETURN(identity, core::Identity::Create(home));
  }
  QUN_ASSIGN_OR_RETURN(auto store, sync::RelayStore::Open(home + "/relay.db", BusyTimeoutMs()));
  sync::RaiseOpenFileLimit();
  zmq::context_t context;
  using Admission = sync::SyncServer::Admission;
  auto admit = [&allow, &log](const CurveKey& key) -> Result<Admission> {
    Status refreshed = allow.Refresh();
    if (!refreshed.ok())
      log(i18n::Format(_("{}; using the allow list read before"), refreshed.message()));
    auto node = allow.Find(key);
    if (!node) return Admission{};
    return Admission{Admission::kMember, *node};
  };
  auto replicas = [&store](const sync::CommunityId& community,
                           sync::Error*) -> Result<std::unique_ptr<sync::Replica>> {
    return std::unique_ptr<sync::Replica>(new sync::RelayReplica(*store, community));
  };
  auto label = [&allow](const core::PublicKey& key) { return allow.Label(key); };
  sync::ServerOptions server_options;
  server_options.listen = options.listen;
  QUN_ASSIGN_OR_RETURN(auto server, sync::SyncServer::Start(context, *identity, server_options,
                                                            admit, replicas, log, label));
  QUN_ASSIGN_OR_RETURN(auto totals, store->Summarize());
  const int64_t allowed = static_cast<int64_t>(allow.size());
  const int64_t communities = static_cast<int64_t>(totals.communities);
  log(i18n::Format(_("relay serving on {}, {} allowed, holding {} change sets of {}"),
                   server->endpoint(), i18n::Format(P_("{} node", "{} nodes", allowed), allowed),
                   totals.change_sets,
                   i18n::Format(P_("{} community", "{} communities", communities), communities)));
  log(i18n::Format(_("relay key {}"), identity->node_id()));
  log(i18n::Format(_("nodes add it with: qun peer add relay tcp://THIS-HOST:PORT --key {}"),
                   identity->node_id()));
  Status served = server->Run(stop);
  server.reset();
  log(_("stopped"));
  return served;
}

}  // namespace qun::node
