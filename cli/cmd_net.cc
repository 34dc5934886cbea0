// `qun peer add|list|remove`, `qun sync`, `qun serve` and `qun relay`:
// syncing over the network (docs/cli.md, "Network sync").
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <atomic>
#include <csignal>
#include <ctime>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "base/i18n.h"
#include "base/text.h"
#include "cli/app.h"
#include "cli/net.h"
#include "cli/output.h"
#include "cli/words.h"
#include "core/hlc.h"
#include "core/home.h"
#include "sync/client.h"
#include "sync/peers.h"
#include "sync/relay_store.h"
#include "sync/replica.h"
#include "sync/server.h"
#include "sync/transport.h"

namespace qun::cli {

using nlohmann::json;

std::atomic<bool> g_stop{false};

namespace {
void OnSignal(int) { g_stop.store(true); }
}  // namespace

// SIGINT and SIGTERM ask a long-running command to stop at its next wait.
void CatchStopSignals() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  // A second Ctrl-C ends the process at once, whatever it is doing.
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// Lines from the gossip thread and the server never interleave.
void LogLine(const std::string& line) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  // One line per event, whatever the names in it hold (they may come from
  // other nodes).
  fmt::print("{:%H:%M:%S} {}\n", tm, OneLine(line));
  std::fflush(stdout);
}

Result<int64_t> ParseDurationMs(const std::string& text) {
  auto bad = [&] {
    return Status::InvalidArgument(i18n::Format(
        _("'{}' is not a duration: write it like 30s, 5m or 1h (0 turns it off)"), text));
  };
  if (text.empty()) return bad();
  size_t digits = text.find_first_not_of("0123456789");
  if (digits == 0 || (digits == std::string::npos ? text.size() : digits) > 9) return bad();
  int64_t n = std::stoll(text.substr(0, digits));
  std::string unit = digits == std::string::npos ? "s" : text.substr(digits);
  if (unit == "s") return n * 1000;
  if (unit == "m" || unit == "min") return n * 60'000;
  if (unit == "h") return n * 3'600'000;
  if (unit == "ms") return n;
  return bad();
}

namespace {

// "just now", "5 min ago", "3 h ago", "2 days ago".
std::string Ago(int64_t unix_ms) {
  int64_t s = (core::WallClockMs() - unix_ms) / 1000;
  if (s < 60) return _("just now");
  if (s < 3600) return i18n::Format(_("{} min ago"), s / 60);
  if (s < 86400) return i18n::Format(_("{} h ago"), s / 3600);
  return i18n::Format(P_("{} day ago", "{} days ago", s / 86400), s / 86400);
}

}  // namespace

namespace {

json ReportJson(const std::string& name, const sync::SyncReport& r) {
  return {{"peer", name},
          {"ok", true},
          {"relay", r.peer_is_relay},
          {"sent", r.sent},
          {"received", r.received},
          {"applied", r.taken.applied},
          {"already_held", r.taken.already_held},
          {"pending", r.taken.pending},
          {"rejected", r.taken.rejected},
          {"peer_applied", r.peer_taken.applied},
          {"peer_rejected", r.peer_taken.rejected},
          {"bytes_sent", r.bytes_sent},
          {"bytes_received", r.bytes_received},
          {"attempts", r.attempts},
          {"seconds", r.elapsed_ms / 1000.0}};
}

}  // namespace

namespace {

void AddPeerCommands(App& app) {
  CLI::App* peer = app.cli.add_subcommand("peer", _("the nodes and relays this node syncs with"));
  peer->require_subcommand(1);

  struct AddArgs {
    std::string name, address, key;
  };
  auto add_args = std::make_shared<AddArgs>();
  CLI::App* add = peer->add_subcommand("add", _("add a peer: another admin's node, or a relay"));
  add->add_option("NAME", add_args->name, _("a short name for it (bob, relay, 李娜-laptop)"))
      ->required();
  add->add_option("ADDRESS", add_args->address, _("where it serves: tcp://HOST:PORT"))->required();
  add->add_option("--key", add_args->key,
                  _("its node id (64 hex characters): `qun status --verbose` on it prints it, and "
                    "`qun serve`/`qun relay` print it when they start"))
      ->required();
  add->callback([&app, add_args] {
    app.action = [&app, add_args]() -> Status {
      QUN_RETURN_IF_ERROR(sync::CheckPeerName(add_args->name));
      QUN_RETURN_IF_ERROR(sync::CheckAddress(add_args->address, false));
      QUN_ASSIGN_OR_RETURN(core::PublicKey key, sync::ParseNodeId(add_args->key));
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      if (key == node->identity->public_key())
        return Status::InvalidArgument(
            _("that is this node's own id; give the id of the other node"));
      sync::Peer p;
      p.name = add_args->name;
      p.address = add_args->address;
      p.key = key;
      QUN_RETURN_IF_ERROR(sync::AddPeer(node->store->db(), p));
      if (app.options.json) {
        app.PrintJson({{"name", p.name}, {"address", p.address}, {"key", add_args->key}});
      } else {
        app.Print(i18n::Format(_("Added peer {} at {}. Sync with it: `qun sync {}`.\n"), p.name,
                               p.address, p.name));
      }
      return Status::Ok();
    };
  });

  CLI::App* list = peer->add_subcommand("list", _("list the peers and how the last sync went"));
  list->callback([&app] {
    app.action = [&app]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      QUN_ASSIGN_OR_RETURN(auto peers, sync::ListPeers(node->store->db()));
      if (app.options.json) {
        json out = json::array();
        for (const auto& p : peers) out.push_back(PeerJson(p, std::nullopt));
        app.PrintJson(out);
        return Status::Ok();
      }
      if (peers.empty()) {
        app.Print(
            _("No peers yet. Add one with `qun peer add NAME tcp://HOST:PORT --key NODE-ID`.\n"));
        return Status::Ok();
      }
      Table t({_("Name"), _("Address"), _("Node id"), _("Last sync"), _("Last error")});
      t.SetMaxWidth(4, 60);
      for (const auto& p : peers)
        t.AddRow({p.relay ? i18n::Format(_("{} (relay)"), p.name) : p.name, p.address,
                  core::ToHex(p.key).substr(0, 16),
                  p.last_sync_ms ? Ago(*p.last_sync_ms) : _("never"), p.last_error.value_or("")});
      app.Print(t.Render());
      return Status::Ok();
    };
  });

  auto remove_name = std::make_shared<std::string>();
  CLI::App* remove = peer->add_subcommand("remove", _("forget a peer"));
  remove->add_option("NAME", *remove_name, _("the peer's name"))->required();
  remove->callback([&app, remove_name] {
    app.action = [&app, remove_name]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      QUN_RETURN_IF_ERROR(sync::RemovePeer(node->store->db(), *remove_name));
      if (app.options.json)
        app.PrintJson({{"removed", *remove_name}});
      else
        app.Print(i18n::Format(_("Removed peer {}.\n"), *remove_name));
      return Status::Ok();
    };
  });
}

struct SyncArgs {
  std::string name;
  bool all = false;
  double timeout_s = 20;
};

void AddSyncCommand(App& app) {
  auto args = std::make_shared<SyncArgs>();
  CLI::App* cmd = app.cli.add_subcommand(
      "sync", _("sync with a peer over the network, both ways (all peers without a name)"));
  auto* name = cmd->add_option("NAME", args->name, _("the peer (`qun peer list`)"));
  cmd->add_flag("--all", args->all, _("sync with every peer, one after another"))->excludes(name);
  cmd->add_option("--timeout", args->timeout_s,
                  _("seconds to wait for the peer at any point (default 20)"))
      ->check(CLI::Range(0.1, 3600.0));
  cmd->callback([&app, args] {
    app.action = [&app, args]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto sp, OpenSyncNode(app.options));
      SyncNode& s = *sp;
      core::Database& db = s.node->store->db();
      std::vector<sync::Peer> peers;
      if (!args->name.empty()) {
        QUN_ASSIGN_OR_RETURN(sync::Peer p, sync::FindPeer(db, args->name));
        peers.push_back(std::move(p));
      } else {
        QUN_ASSIGN_OR_RETURN(peers, sync::ListPeers(db));
        if (peers.empty())
          return Status::NotFound(
              _("this node has no peers to sync with; add one with `qun peer add NAME "
                "tcp://HOST:PORT --key NODE-ID`"));
      }
      CatchStopSignals();
      zmq::context_t context;
      json results = json::array();
      Status first_failure;
      int failed = 0;
      for (const sync::Peer& peer : peers) {
        Progress progress(i18n::Format(_("Syncing with {}"), peer.name), 0);
        sync::ClientOptions options;
        options.timeout_ms = static_cast<int64_t>(args->timeout_s * 1000);
        options.stop = &g_stop;
        options.progress = [&](uint64_t sent, uint64_t to_send, uint64_t received,
                               uint64_t to_receive) {
          progress.SetTotal(static_cast<int64_t>(to_send + to_receive));
          progress.Update(static_cast<int64_t>(sent + received));
        };
        auto report = SyncPeer(s, context, peer, options);
        progress.Finish();
        if (!report.ok()) {
          ++failed;
          if (first_failure.ok()) first_failure = report.status();
          if (app.options.json)
            results.push_back({{"peer", peer.name},
                               {"ok", false},
                               {"error", report.status().message()},
                               {"code", report.status().code_name()}});
          else if (peers.size() > 1)
            fmt::print(stderr, "{}",
                       i18n::Format(_("Sync with {} failed: {}\n"), OneLine(peer.name),
                                    text::Printable(report.status().message())));
          continue;
        }
        if (report->taken.rejected > 0) {
          // Damaged or forged change sets: the sync finished, but whoever
          // runs it (or a script) must hear of them.
          ++failed;
          Status refused = Status::Rejected(i18n::Format(
              P_("{0} change set from {1} were refused (listed above); everything else was taken",
                 "{0} change sets from {1} were refused (listed above); everything else was taken",
                 static_cast<int64_t>(report->taken.rejected)),
              report->taken.rejected, peer.name));
          if (first_failure.ok()) first_failure = refused;
        }
        if (app.options.json) {
          results.push_back(ReportJson(peer.name, *report));
        } else {
          std::string out = Summary(peer.name, *report) + "\n";
          for (const auto& r : report->notable)
            out += fmt::format(
                "  {} {} #{}: {}\n",
                text::PadRightNoTruncate(Word(kChangeSetOutcome, sync::OutcomeName(r.outcome)), 12),
                NodeLabel(db, r.author), r.seq, r.reason);
          app.Print(out);
        }
        if (g_stop.load()) break;
      }
      if (app.options.json)
        app.PrintJson(peers.size() == 1 && args->name.size() ? results[0] : results);
      if (failed == 0) return Status::Ok();
      if (peers.size() == 1) return first_failure;
      return Status(first_failure.code() == Status::Code::kOk ? Status::Internal("")
                                                              : first_failure)
          .WithContext(
              i18n::Format(_("{0} of {1} peers could not be synced (listed above); the first"),
                           failed, peers.size()));
    };
  });
}

}  // namespace

json PeerJson(const sync::Peer& p, const std::optional<sync::VersionVector>& mine) {
  json j{{"name", p.name},
         {"address", p.address},
         {"key", core::ToHex(p.key)},
         {"relay", p.relay},
         {"last_sync_ms", p.last_sync_ms ? json(*p.last_sync_ms) : json(nullptr)},
         {"last_attempt_ms", p.last_attempt_ms ? json(*p.last_attempt_ms) : json(nullptr)},
         {"last_error", p.last_error ? json(*p.last_error) : json(nullptr)},
         {"failures", p.failures}};
  if (mine && p.vector) {
    j["behind"] = sync::Behind(*mine, *p.vector);
    j["ahead"] = sync::Behind(*p.vector, *mine);
  }
  return j;
}

std::string PeerStatusLine(const sync::Peer& p, const sync::VersionVector& mine) {
  std::string line = p.relay ? i18n::Format(_("{} (a relay at {})"), p.name, p.address)
                             : fmt::format("{} ({})", p.name, p.address);
  if (!p.last_sync_ms) {
    line += _(": never synced");
  } else {
    line += i18n::Format(_(": last sync {}"), Ago(*p.last_sync_ms));
    if (p.vector) {
      uint64_t behind = sync::Behind(mine, *p.vector);
      uint64_t ahead = sync::Behind(*p.vector, mine);
      if (behind == 0 && ahead == 0)
        line += _(", in step with this node");
      else {
        if (behind)
          line += i18n::Format(
              P_(", lacks {} change set of this node's", ", lacks {} change sets of this node's",
                 static_cast<int64_t>(behind)),
              behind);
        if (ahead) line += i18n::Format(_(", had {} this node lacks"), ahead);
      }
    }
  }
  if (p.last_error)
    line += p.last_attempt_ms ? i18n::Format(_("; last try failed {}: {}"), Ago(*p.last_attempt_ms),
                                             *p.last_error)
                              : i18n::Format(_("; last try failed: {}"), *p.last_error);
  return line;
}

void AddNetCommands(App& app) {
  AddPeerCommands(app);
  AddSyncCommand(app);
  AddServeCommand(app);
  AddRelayCommand(app);
}

}  // namespace qun::cli
