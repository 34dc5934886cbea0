// `qun serve` (a node others sync with, which also syncs with its peers on
// a schedule) and `qun relay` (stores and forwards change sets it cannot
// read). Both run until SIGINT or SIGTERM and log one line per event.
#include "base/i18n.h"
#include "cli/net.h"
#include "node/serve.h"

namespace qun::cli {
namespace {

struct ServeArgs {
  std::string listen = "tcp://*:7447";
  std::string every = "60s";
  double timeout_s = 20;
};

}  // namespace

void AddServeCommand(App& app) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.cli.add_subcommand(
      "serve", _("keep this node reachable for its peers, and sync with them on a schedule"));
  cmd->add_option("--listen", args->listen,
                  _("where to listen: tcp://*:7447 (default), tcp://127.0.0.1:7447, or port * for "
                    "any free one"));
  cmd->add_option("--sync-every", args->every,
                  _("how often to sync with each peer: 60s (default), 5m, 1h; 0 only serves"));
  cmd->add_option("--timeout", args->timeout_s, _("seconds to wait for a peer at any point"))
      ->check(CLI::Range(0.1, 3600.0));
  cmd->callback([&app, args] {
    app.action = [&app, args]() -> Status {
      node::ServeOptions options;
      QUN_ASSIGN_OR_RETURN(options.sync_every_ms, ParseDurationMs(args->every));
      options.listen = args->listen;
      options.timeout_ms = static_cast<int64_t>(args->timeout_s * 1000);
      CatchStopSignals();
      return node::Serve(app.options.home, options, g_stop, LogLine);
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
      _("store and forward change sets for nodes that are never online together; it cannot read "
        "them"));
  cmd->add_option("--listen", args->listen, _("where to listen (default tcp://*:7447)"));
  cmd->add_option("--allow", args->allow,
                  _("a file of the node ids allowed to connect, one per line (a name may follow)"))
      ->required();
  cmd->callback([&app, args] {
    app.action = [&app, args]() -> Status {
      node::RelayOptions options;
      options.listen = args->listen;
      options.allow_file = args->allow;
      CatchStopSignals();
      return node::RunRelay(app.options.home, options, g_stop, LogLine);
    };
  });
}

}  // namespace qun::cli
