// The `qun` command line: shared options, the opened node, and the
// registration function of each command family (one file each).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/identity.h"
#include "core/permissions.h"
#include "core/registry.h"
#include "core/status.h"
#include "core/store.h"

namespace qun::cli {

struct GlobalOptions {
  std::string home;  // --home; empty means $QUN_HOME or ~/.local/share/qun
  bool json = false;
};

// A node opened for one command: its home, identity, database and registry.
struct Node {
  std::string home;
  std::unique_ptr<core::Identity> identity;
  std::unique_ptr<core::Store> store;
  std::unique_ptr<core::Registry> registry;

  // A node made with `qun init --join` writes nothing before `qun join`.
  Result<std::unique_ptr<core::WriteTxn>> Begin(const std::string& note) {
    QUN_ASSIGN_OR_RETURN(auto joining, store->GetMeta("joining_as"));
    if (joining)
      return Status::NotFound(
          "this node has not joined its community yet, so it cannot record changes. Ask an "
          "owner to run `qun invite YOUR-NODE-ID -o invite.qun`, then run `qun join invite.qun`");
    return store->Begin(identity->public_key(), note);
  }
};

// The home the options name (see docs/cli.md for the search order), checked
// to hold a node.
Result<std::string> ExistingHome(const GlobalOptions& options);

// Opens the node of an existing home.
Result<std::unique_ptr<Node>> OpenNode(const GlobalOptions& options);

// Makes a node in `home` that waits for an invite (`qun init --join`);
// `admin` empty means the login name. Returns its node id.
Result<std::string> MakeNodeToJoin(const std::string& home, std::string admin);

// The busy timeout: QUN_BUSY_TIMEOUT_MS, else 5 s.
int BusyTimeoutMs();

struct App {
  CLI::App cli{"qun — a local-first registry for communities of many chat groups", "qun"};
  GlobalOptions options;
  // Set by the chosen subcommand's callback; run after parsing.
  std::function<Status()> action;

  // Prints to stdout.
  void Print(const std::string& s) const;
  void PrintJson(const nlohmann::json& j) const;
};

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
// "李娜 (1a2b3c4d)": a node as the community knows it, or its short id when
// it has no name here.
std::string NodeLabel(core::Database& db, const core::PublicKey& key);
// The roles a command line names: ROLE, and for admin the --group list.
Result<std::vector<core::RoleKey>> ParseRoleArgs(core::Registry& registry, const std::string& role,
                                                 const std::vector<std::string>& groups);
// A node by id, id prefix or name, among the nodes the community knows.
Result<core::PublicKey> ResolveNodeRef(core::Database& db, const std::string& ref);
// "admin of 北京交流群 (1a2b3c4d)", "editor".
std::string RoleText(core::Database& db, const core::RoleKey& key);
// Parses "49.9" or "49.90" into cents.
Result<int64_t> ParseFee(const std::string& s);
std::string FormatFee(int64_t cents);

}  // namespace qun::cli
