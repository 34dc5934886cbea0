// The `qun` command line: shared options, the opened node, and the
// registration function of each command family (one file each).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/i18n.h"
#include "base/status.h"
#include "base/when.h"
#include "community/registry.h"
#include "core/identity.h"
#include "core/permissions.h"
#include "core/store.h"
#include "node/node.h"
#include "node/nodes.h"
#include "node/sync_node.h"

namespace qun::cli {

struct GlobalOptions {
  std::string home;  // --home; empty means $QUN_HOME or ~/.local/share/qun
  bool json = false;
};

using node::BusyTimeoutMs;
using node::InviteNode;
using node::JoinWithInvite;
using node::MakeNodeToJoin;
using node::Node;
using node::SyncNode;
using node::WriteRoles;

// The home the options name (see docs/cli.md for the search order), checked
// to hold a node.
inline Result<std::string> ExistingHome(const GlobalOptions& options) {
  return node::ExistingHome(options.home);
}

// Opens the node of an existing home.
inline Result<std::unique_ptr<Node>> OpenNode(const GlobalOptions& options) {
  return node::OpenNode(options.home);
}

// Opens the node for syncing, roles, invites (node/sync_node.h).
inline Result<std::unique_ptr<SyncNode>> OpenSyncNode(const GlobalOptions& options) {
  return node::OpenSyncNode(options.home);
}

struct App {
  CLI::App cli{_("qun — a local-first registry for communities of many chat groups"), "qun"};
  GlobalOptions options;
  // Set by the chosen subcommand's callback; run after parsing.
  std::function<Status()> action;

  // Prints to stdout.
  void Print(const std::string& s) const;
  void PrintJson(const nlohmann::json& j) const;
};

// Asks `question` on the terminal and reads y/yes (any case) or anything
// else as no; none when there is no one to ask (not a terminal, or --json),
// where the caller refuses and says how to answer for scripts (--yes).
std::optional<bool> AskYesNo(const App& app, const std::string& question);

void AddNodeCommands(App& app);       // init, status
void AddGroupCommands(App& app);      // group ...
void AddMemberCommands(App& app);     // member ...
void AddTransferCommands(App& app);   // import, export
void AddLogCommand(App& app);         // log
void AddSyncCommands(App& app);       // invite, join, bundle ...
void AddNetCommands(App& app);        // peer, sync, serve, relay
void AddAdminCommands(App& app);      // admin ...
void AddAdmissionCommands(App& app);  // admission ...
void AddActivityCommands(App& app);   // checkin, topic, activity
void AddEventCommands(App& app);      // event ...
void AddPollCommands(App& app);       // poll ...
void AddContentCommands(App& app);    // content ...
void AddWarningCommands(App& app);    // warn, ban
void AddReportCommands(App& app);     // report, match
void AddCheckCommand(App& app);       // check

// Helpers shared by the command files.
// The bytes of a file, or of standard input for "-".
Result<std::string> ReadInput(const std::string& path);
// Writes a whole file atomically (standard output for "-" or "").
Status WriteOutput(const std::string& path, const std::string& bytes);
nlohmann::json GroupJson(const core::Group& g);
nlohmann::json PersonJson(const core::Person& p);
nlohmann::json MembershipJson(const core::Membership& m);
std::string HandlesText(const core::Person& p, const std::string& kind);  // "a;b"
std::string JoinTags(const std::vector<std::string>& tags);               // "a;b"
using node::NodeLabel;
using node::ParseRoleArgs;
using node::RoleText;
// Parses "49.9" or "49.90" into cents.
Result<int64_t> ParseFee(const std::string& s);
std::string FormatFee(int64_t cents);

// A date argument as people write it (base/when.h), against `now_ms`; what
// a date without a year or a word like 周六 was read as goes to stderr
// ("qun: 周六 = 2026-12-12 Saturday"), so that nobody records the wrong day
// unseen. `flag` names the argument in an error.
Result<int64_t> DayArg(const std::string& text, int64_t now_ms, core::Lean lean,
                       std::string_view flag);
// A date with an optional time of day: unix ms. A time alone is on
// `time_alone_day` when given (an event's end on its start's day), else
// today's or, for what lies ahead once it has passed, tomorrow's.
Result<int64_t> TimeArg(const std::string& text, int64_t now_ms, core::Lean lean,
                        std::string_view flag, std::optional<int64_t> time_alone_day = {});

}  // namespace qun::cli
