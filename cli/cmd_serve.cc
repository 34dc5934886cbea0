// `qun serve` (a node others sync with, which also syncs with its peers on
// a schedule) and `qun relay` (stores and forwards change sets it cannot
// read). Both run until SIGINT or SIGTERM and log one line per event.
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <map>
#include <thread>

#include "cli/net.h"
#include "cli/output.h"
#include "core/home.h"
#include "sync/invite_code.h"
#include "sync/relay_store.h"
#include "sync/server.h"
#include "sync/transport.h"

namespace qun::cli {
namespace {

using CurveKey = core::Identity::CurveKey;

constexpr size_t kGuestsPerMinute = 30;

// Syncs with every peer whose turn has come, until g_stop: each peer every
// `every_ms`, and one that failed k times in a row only after 2^k times as
// long (at most an hour, or `every_ms` if that is longer), so that an
// unreachable laptop costs little. Quiet when nothing moved.
void Gossip(const GlobalOptions& options, zmq::context_t& context, int64_t every_ms,
            int64_t timeout_ms) {
  // Its own connection to the database: the server thread has the other.
  auto sp = OpenSyncNode(options);
  if (!sp.ok()) {
    LogLine(fmt::format("cannot sync with peers: {}", sp.status().message()));
    return;
  }
  SyncNode& s = **sp;
  core::Database& db = s.node->store->db();
  while (!g_stop.load()) {
    auto peers = sync::ListPeers(db);
    if (!peers.ok()) {
      LogLine(fmt::format("cannot read the peers: {}", peers.status().message()));
      peers = std::vector<sync::Peer>();
    }
    for (const sync::Peer& peer : *peers) {
      if (g_stop.load()) break;
      int64_t wait = every_ms << std::min<int64_t>(peer.failures, 6);
      wait = std::min(wait, std::max<int64_t>(every_ms, 3'600'000));
      if (peer.last_attempt_ms && sync::UnixMs() - *peer.last_attempt_ms < wait) continue;
      sync::ClientOptions client;
      client.timeout_ms = timeout_ms;
      client.stop = &g_stop;
      auto report = SyncPeer(s, context, peer, client);
      if (!report.ok()) {
        if (g_stop.load()) break;
        int64_t next = std::min(every_ms << std::min<int64_t>(peer.failures + 1, 6),
                                std::max<int64_t>(every_ms, 3'600'000));
        LogLine(fmt::format("sync with {} failed ({} in a row; next try in {} s): {}", peer.name,
                            peer.failures + 1, next / 1000, report.status().message()));
      } else if (report->sent || report->received) {
        LogLine(Summary(peer.name, *report));
      }
    }
    for (int i = 0; i < 5 && !g_stop.load(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

struct ServeArgs {
  std::string listen = "tcp://*:7447";
  std::string every = "60s";
  double timeout_s = 20;
};

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
      return Status::NotFound(fmt::format("cannot read the allow file {}", path_));
    if (loaded_ && st.st_mtim.tv_sec == mtime_.tv_sec && st.st_mtim.tv_nsec == mtime_.tv_nsec &&
        st.st_size == size_)
      return Status::Ok();
    std::ifstream in(path_);
    if (!in) return Status::IOError(fmt::format("cannot read the allow file {}", path_));
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
            fmt::format("{} line {}: {}", path_, number, key.status().message()));
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

void AddServeCommand(App& app) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.cli.add_subcommand(
      "serve", "keep this node reachable for its peers, and sync with them on a schedule");
  cmd->add_option("--listen", args->listen,
                  "where to listen: tcp://*:7447 (default), tcp://127.0.0.1:7447, or port * for "
                  "any free one");
  cmd->add_option("--sync-every", args->every,
                  "how often to sync with each peer: 60s (default), 5m, 1h; 0 only serves");
  cmd->add_option("--timeout", args->timeout_s, "seconds to wait for a peer at any point")
      ->check(CLI::Range(0.1, 3600.0));
  cmd->callback([&app, args] {
    app.action = [&app, args]() -> Status {
      QUN_ASSIGN_OR_RETURN(int64_t every_ms, ParseDurationMs(args->every));
      QUN_RETURN_IF_ERROR(sync::CheckAddress(args->listen, true));
      QUN_ASSIGN_OR_RETURN(auto sp, OpenSyncNode(app.options));
      SyncNode& s = *sp;
      // Each connection costs a descriptor until it has said who it is.
      sync::RaiseOpenFileLimit();
      CatchStopSignals();
      zmq::context_t context;
      const core::PublicKey me = s.node->identity->public_key();
      using Admission = sync::SyncServer::Admission;
      // Strangers trying codes: a few a minute are plenty for people, and
      // bound what someone trying many costs this node.
      auto guests = std::make_shared<std::deque<int64_t>>();
      auto admit = [&s, me, guests](const CurveKey& key) -> Result<Admission> {
        // Read at every connection, so that a node invited a moment ago
        // (its invite received from a peer) can connect at once.
        QUN_ASSIGN_OR_RETURN(auto members, s.sets->Members());
        for (const core::PublicKey& m : members) {
          if (m == me) continue;
          auto curve = core::Identity::CurvePublicKey(m);
          if (curve.ok() && *curve == key) return Admission{Admission::kMember, m};
        }
        // Strangers get in only while an invite code is open, and then may
        // do nothing but join with it.
        QUN_ASSIGN_OR_RETURN(int64_t open,
                             sync::OpenInviteCodes(s.node->store->db(), sync::UnixMs()));
        if (open == 0) return Admission{};
        int64_t now = sync::UnixMs();
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
              fmt::format("this node is of community {}, not {}",
                          sync::CommunityIdHex(s.community.id), sync::CommunityIdHex(community))};
          return Status::Denied(
              fmt::format("it asked for community {}", sync::CommunityIdHex(community)));
        }
        return std::unique_ptr<sync::Replica>(new sync::NodeReplica(*s.node->store, *s.sets));
      };
      auto label = [&s](const core::PublicKey& key) { return NodeLabel(s.node->store->db(), key); };
      sync::ServerOptions options;
      options.listen = args->listen;
      options.idle_timeout_ms =
          std::max<int64_t>(static_cast<int64_t>(args->timeout_s * 3000), 10000);
      QUN_ASSIGN_OR_RETURN(
          auto server, sync::SyncServer::Start(context, *s.node->identity, options, admit, replicas,
                                               LogLine, label, join));
      LogLine(
          fmt::format("serving {} on {}", NodeLabel(s.node->store->db(), me), server->endpoint()));
      LogLine(fmt::format("node id {}", s.node->identity->node_id()));
      if (every_ms > 0)
        LogLine(fmt::format("syncing with peers every {} s; stop with Ctrl-C", every_ms / 1000.0));
      std::thread gossip;
      if (every_ms > 0)
        gossip = std::thread(Gossip, std::cref(app.options), std::ref(context), every_ms,
                             static_cast<int64_t>(args->timeout_s * 1000));
      Status served = server->Run(g_stop);
      g_stop.store(true);
      if (gossip.joinable()) gossip.join();
      server.reset();
      LogLine("stopped");
      return served;
    };
  });
}

void AddRelayCommand(App& app) {
  struct RelayArgs {
    std::string listen = "tcp://*:7447";
    std::string allow;
  };
  auto args = std::make_shared<RelayArgs>();
  CLI::App* cmd = app.cli.add_subcommand(
      "relay",
      "store and forward change sets for nodes that are never online together; it cannot read "
      "them");
  cmd->add_option("--listen", args->listen, "where to listen (default tcp://*:7447)");
  cmd->add_option("--allow", args->allow,
                  "a file of the node ids allowed to connect, one per line (a name may follow)")
      ->required();
  cmd->callback([&app, args] {
    app.action = [&app, args]() -> Status {
      QUN_RETURN_IF_ERROR(sync::CheckAddress(args->listen, true));
      AllowList allow(args->allow);
      QUN_RETURN_IF_ERROR(allow.Refresh());
      QUN_ASSIGN_OR_RETURN(std::string home, core::ResolveHome(app.options.home));
      struct stat st {};
      if (stat(core::DatabasePath(home).c_str(), &st) == 0)
        return Status::InvalidArgument(fmt::format(
            "{} is a node's home; give the relay a home of its own with --home DIR", home));
      QUN_RETURN_IF_ERROR(core::PrepareHome(home));
      std::unique_ptr<core::Identity> identity;
      if (stat((home + "/node.key").c_str(), &st) == 0) {
        QUN_ASSIGN_OR_RETURN(identity, core::Identity::Load(home));
      } else {
        QUN_ASSIGN_OR_RETURN(identity, core::Identity::Create(home));
      }
      QUN_ASSIGN_OR_RETURN(auto store, sync::RelayStore::Open(home + "/relay.db", BusyTimeoutMs()));
      sync::RaiseOpenFileLimit();
      CatchStopSignals();
      zmq::context_t context;
      using Admission = sync::SyncServer::Admission;
      auto admit = [&allow](const CurveKey& key) -> Result<Admission> {
        Status refreshed = allow.Refresh();
        if (!refreshed.ok())
          LogLine(fmt::format("{}; using the allow list read before", refreshed.message()));
        auto node = allow.Find(key);
        if (!node) return Admission{};
        return Admission{Admission::kMember, *node};
      };
      auto replicas = [&store](const sync::CommunityId& community,
                               sync::Error*) -> Result<std::unique_ptr<sync::Replica>> {
        return std::unique_ptr<sync::Replica>(new sync::RelayReplica(*store, community));
      };
      auto label = [&allow](const core::PublicKey& key) { return allow.Label(key); };
      sync::ServerOptions options;
      options.listen = args->listen;
      QUN_ASSIGN_OR_RETURN(auto server, sync::SyncServer::Start(context, *identity, options, admit,
                                                                replicas, LogLine, label));
      QUN_ASSIGN_OR_RETURN(auto totals, store->Summarize());
      LogLine(fmt::format(
          "relay serving on {}, {} node{} allowed, holding {} change sets of {} "
          "communit{}",
          server->endpoint(), allow.size(), allow.size() == 1 ? "" : "s", totals.change_sets,
          totals.communities, totals.communities == 1 ? "y" : "ies"));
      LogLine(fmt::format("relay key {}", identity->node_id()));
      LogLine(fmt::format("nodes add it with: qun peer add relay tcp://THIS-HOST:PORT --key {}",
                          identity->node_id()));
      Status served = server->Run(g_stop);
      server.reset();
      LogLine("stopped");
      return served;
    };
  });
}

}  // namespace qun::cli
