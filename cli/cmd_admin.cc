// `qun admin list|grant|revoke`: who holds which role, and owners changing
// it (docs/cli.md, "Roles"; the rules: docs/security.md).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "cli/app.h"
#include "cli/sync_node.h"
#include "core/permissions.h"
#include "sync/key_rotation.h"

namespace qun::cli {

using nlohmann::json;

Result<std::vector<core::RoleKey>> ParseRoleArgs(core::Registry& registry, const std::string& role,
                                                 const std::vector<std::string>& groups) {
  auto parsed = core::ParseRole(role);
  if (!parsed)
    return Status::InvalidArgument(fmt::format(
        "'{}' is not a role: say owner, admin (with --group), editor (a member-editor), viewer "
        "or relay",
        role));
  if (*parsed != core::Role::kAdmin) {
    if (!groups.empty())
      return Status::InvalidArgument(
          fmt::format("--group goes with the role admin only: a {} role is not of one group",
                      core::RoleName(*parsed)));
    return std::vector<core::RoleKey>{{*parsed, ""}};
  }
  if (groups.empty())
    return Status::InvalidArgument(
        "an admin is an admin of a group: say which with --group NAME (repeat it for several)");
  std::vector<core::RoleKey> out;
  for (const std::string& g : groups) {
    QUN_ASSIGN_OR_RETURN(std::string id, registry.ResolveGroup(g));
    out.push_back({core::Role::kAdmin, id});
  }
  return out;
}

Result<core::PublicKey> ResolveNodeRef(core::Database& db, const std::string& ref) {
  if (ref.size() == 64) return sync::ParseNodeId(ref);
  std::string lower = ref;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool hex = lower.size() >= 4 && lower.find_first_not_of("0123456789abcdef") == std::string::npos;
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       db.Prepare("SELECT id, coalesce(name, '') FROM node WHERE (?1 AND "
                                  "substr(id, 1, length(?2)) = ?2) OR name = ?3 ORDER BY id"));
  s.Bind(1, int64_t{hex}).Bind(2, lower).Bind(3, ref);
  std::vector<std::pair<std::string, std::string>> found;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    found.push_back({s.Text(0), s.Text(1)});
  }
  if (found.empty())
    return Status::NotFound(fmt::format(
        "no node '{}' in this community: give its id (or its first characters) or its name, as "
        "`qun admin list` shows them",
        ref));
  if (found.size() > 1) {
    std::string list;
    for (const auto& [id, name] : found) list += fmt::format("\n  {} {}", id.substr(0, 12), name);
    return Status::Conflict(
        fmt::format("'{}' names several nodes; give more of the id:{}", ref, list));
  }
  return sync::ParseNodeId(found[0].first);
}

std::string RoleText(core::Database& db, const core::RoleKey& key) {
  if (key.role != core::Role::kAdmin) return core::RoleName(key.role);
  core::Roles one;
  one.held.insert(key);
  return core::DescribeRoles(db, one);
}

namespace {

struct AdminArgs {
  std::string node, role;
  std::vector<std::string> groups;
};

Status ChangeRoles(App& app, const AdminArgs& args, bool grant) {
  QUN_ASSIGN_OR_RETURN(auto sp, OpenSyncNode(app.options));
  SyncNode& s = *sp;
  core::Database& db = s.node->store->db();
  QUN_ASSIGN_OR_RETURN(core::PublicKey node, ResolveNodeRef(db, args.node));
  QUN_ASSIGN_OR_RETURN(std::vector<core::RoleKey> roles,
                       ParseRoleArgs(*s.node->registry, args.role, args.groups));
  QUN_ASSIGN_OR_RETURN(core::Roles mine,
                       core::OwnRoles(db, s.node->identity->public_key(), s.community.founder));
  if (!mine.Owner())
    return Status::Denied(fmt::format(
        "only an owner can {} roles, and this node holds {}; ask an owner (`qun admin list`)",
        grant ? "grant" : "revoke", core::DescribeRoles(db, mine)));
  if (!grant && node == s.community.founder &&
      std::any_of(roles.begin(), roles.end(),
                  [](const core::RoleKey& k) { return k.role == core::Role::kOwner; }))
    return Status::InvalidArgument(
        "the founder is an owner for good: every role in the community goes back to it");
  QUN_ASSIGN_OR_RETURN(auto txn, s.node->Begin(grant ? "admin grant" : "admin revoke"));
  QUN_RETURN_IF_ERROR(WriteRoles(*txn, node, roles, grant));
  QUN_RETURN_IF_ERROR(txn->Commit());
  // Sealing decides the roles again (node_role), so that the change shows
  // at once.
  QUN_RETURN_IF_ERROR(s.sets->SealLocal().status());
  QUN_ASSIGN_OR_RETURN(core::Roles now, core::CurrentRoles(db, node, s.community.founder));
  std::string label = NodeLabel(db, node);
  if (app.options.json) {
    json held = json::array();
    for (const core::RoleKey& k : now.held)
      held.push_back({{"role", core::RoleName(k.role)}, {"group_id", k.group}});
    app.PrintJson({{"node_id", core::ToHex(node)}, {"roles", held}, {"founder", now.founder}});
  } else {
    std::string what;
    for (const core::RoleKey& k : roles) what += (what.empty() ? "" : ", ") + RoleText(db, k);
    app.Print(
        fmt::format("{} {} {}. It now holds: {}.\nOther nodes learn of it at the next "
                    "sync.\n",
                    grant ? "Granted" : "Revoked", what, grant ? "to " + label : "from " + label,
                    core::DescribeRoles(db, now)));
  }
  return Status::Ok();
}

// The nodes a new key goes to: every member but `left_out`. A node whose
// only role is relay is a member like any other: it read everything with
// the key its invite carried, and it applies (so forwards) change sets only
// when it can open them, so leaving it out would only stop it. A relay
// that must not read is `qun relay`, which holds no key and no role.
Result<std::vector<core::PublicKey>> KeyRecipients(SyncNode& s,
                                                   const std::optional<core::PublicKey>& left_out) {
  QUN_ASSIGN_OR_RETURN(std::vector<core::PublicKey> members, s.sets->Members());
  std::vector<core::PublicKey> out;
  for (const core::PublicKey& k : members)
    if (!left_out || k != *left_out) out.push_back(k);
  return out;
}

// `qun admin remove` and `qun key rotate`: revokes `removed`'s roles (when
// given) and gives a new key to everyone else, in one change set.
Status RotateKey(App& app, const std::optional<std::string>& removed_ref) {
  QUN_ASSIGN_OR_RETURN(auto sp, OpenSyncNode(app.options));
  SyncNode& s = *sp;
  core::Database& db = s.node->store->db();
  const core::PublicKey& me = s.node->identity->public_key();
  QUN_ASSIGN_OR_RETURN(core::Roles mine, core::OwnRoles(db, me, s.community.founder));
  if (!mine.Owner())
    return Status::Denied(
        fmt::format("only an owner can {}, and this node holds {}; ask an owner (`qun admin list`)",
                    removed_ref ? "remove a node" : "replace the community key",
                    core::DescribeRoles(db, mine)));
  std::optional<core::PublicKey> removed;
  std::vector<core::RoleKey> held;
  if (removed_ref) {
    QUN_ASSIGN_OR_RETURN(removed, ResolveNodeRef(db, *removed_ref));
    if (*removed == me)
      return Status::InvalidArgument(
          "that is this node; another owner must remove it (or give its laptop's data away "
          "with `qun export` and stop using it)");
    if (*removed == s.community.founder)
      return Status::InvalidArgument(
          "the founder cannot be removed: every role in the community goes back to it");
    QUN_ASSIGN_OR_RETURN(core::Roles roles, core::CurrentRoles(db, *removed, s.community.founder));
    held.assign(roles.held.begin(), roles.held.end());
  }
  QUN_ASSIGN_OR_RETURN(std::vector<core::PublicKey> recipients, KeyRecipients(s, removed));
  QUN_ASSIGN_OR_RETURN(auto txn, s.node->Begin(removed ? "admin remove" : "key rotate"));
  if (removed) QUN_RETURN_IF_ERROR(WriteRoles(*txn, *removed, held, false));
  QUN_ASSIGN_OR_RETURN(core::CommunityKey key,
                       sync::WriteKeyRotation(*txn, s.community, recipients));
  uint32_t epoch = key.epoch();
  QUN_RETURN_IF_ERROR(txn->Commit());
  // Sealed under the old key (the others hold no other yet), then this
  // node takes the new one from its own envelope: what it writes next is
  // sealed with it.
  QUN_RETURN_IF_ERROR(s.sets->SealLocal().status());
  QUN_ASSIGN_OR_RETURN(int claimed, s.sets->ClaimKeys());
  if (claimed == 0 || !s.community.Key(epoch))
    return Status::Internal("the new community key was written but this node could not take it");
  if (app.options.json) {
    app.PrintJson({{"removed", removed ? json(core::ToHex(*removed)) : json(nullptr)},
                   {"epoch", epoch},
                   {"recipients", recipients.size()}});
    return Status::Ok();
  }
  std::string out;
  if (removed) {
    std::string roles;
    for (const core::RoleKey& k : held) roles += (roles.empty() ? "" : ", ") + RoleText(db, k);
    out += fmt::format("Removed {}{}. It can no longer connect to this node.\n",
                       NodeLabel(db, *removed),
                       roles.empty() ? "" : fmt::format(" (it held {})", roles));
  }
  out += fmt::format(
      "New community key (epoch {}) sealed to {} node{}; what is written from now on uses it{}.\n"
      "Sync with the others (`qun sync --all`) so that they receive it.\n",
      epoch, recipients.size(), recipients.size() == 1 ? "" : "s",
      removed ? ", and the removed node cannot read it" : "");
  app.Print(out);
  return Status::Ok();
}

// `qun admin resolve-fork NODE [--keep HASH]`: which of a forked node's
// twins every node keeps.
Status ResolveFork(App& app, const std::string& node_ref, const std::string& keep_prefix) {
  QUN_ASSIGN_OR_RETURN(auto sp, OpenSyncNode(app.options));
  SyncNode& s = *sp;
  core::Database& db = s.node->store->db();
  QUN_ASSIGN_OR_RETURN(core::Roles mine,
                       core::OwnRoles(db, s.node->identity->public_key(), s.community.founder));
  if (!mine.Owner())
    return Status::Denied(fmt::format(
        "only an owner can resolve a fork, and this node holds {}; ask an owner (`qun admin "
        "list`)",
        core::DescribeRoles(db, mine)));
  QUN_ASSIGN_OR_RETURN(core::PublicKey node, ResolveNodeRef(db, node_ref));
  QUN_ASSIGN_OR_RETURN(std::vector<sync::ChangeSetStore::Fork> all, s.sets->Forks());
  std::vector<sync::ChangeSetStore::Fork> forks;
  for (auto& f : all)
    if (f.author == node && !f.resolved) forks.push_back(f);
  std::string label = NodeLabel(db, node);
  if (forks.empty())
    return Status::NotFound(fmt::format(
        "{} has no unresolved fork here: `qun status` names the nodes that signed two change "
        "sets with one number",
        label));
  std::string prefix = keep_prefix;
  for (char& c : prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  struct Choice {
    uint64_t seq;
    sync::Hash keep;
  };
  std::vector<Choice> choices;
  bool used_prefix = false;
  for (const auto& f : forks) {
    std::optional<sync::Hash> keep = f.applied;
    if (!prefix.empty()) {
      for (const sync::Hash& h : f.twins)
        if (core::ToHex(h).rfind(prefix, 0) == 0) {
          keep = h;
          used_prefix = true;
        }
    }
    if (!keep) {
      std::string twins;
      for (const sync::Hash& h : f.twins) twins += " " + core::ToHex(h).substr(0, 12);
      return Status::InvalidArgument(fmt::format(
          "this node applied neither of {}'s change sets {} ({}); say which to keep with --keep "
          "HASH",
          label, f.seq, twins.substr(1)));
    }
    choices.push_back({f.seq, *keep});
  }
  if (!prefix.empty() && !used_prefix)
    return Status::InvalidArgument(fmt::format(
        "'{}' is none of {}'s forked change sets; `qun --json status` lists their hashes",
        keep_prefix, label));
  QUN_ASSIGN_OR_RETURN(auto txn, s.node->Begin("admin resolve-fork"));
  for (const Choice& c : choices)
    QUN_RETURN_IF_ERROR(txn->Set(core::kForkTable, fmt::format("{}:{}", core::ToHex(node), c.seq),
                                 "keep", Bytes{std::vector<uint8_t>(c.keep.begin(), c.keep.end())})
                            .status());
  QUN_RETURN_IF_ERROR(txn->Commit());
  QUN_RETURN_IF_ERROR(s.sets->SealLocal().status());
  QUN_RETURN_IF_ERROR(s.sets->ApplyResolutions().status());
  QUN_ASSIGN_OR_RETURN(int applied, s.sets->ApplyPending());
  QUN_ASSIGN_OR_RETURN(bool still, s.sets->Quarantined(node));
  if (app.options.json) {
    json kept = json::array();
    for (const Choice& c : choices) kept.push_back({{"seq", c.seq}, {"keep", core::ToHex(c.keep)}});
    app.PrintJson({{"node_id", core::ToHex(node)}, {"kept", kept}, {"held", still}});
    return Status::Ok();
  }
  std::string out;
  for (const Choice& c : choices)
    out += fmt::format("Kept {}'s change set {} {}.\n", label, c.seq,
                       core::ToHex(c.keep).substr(0, 12));
  out += still ? "Its later change sets stay held until the kept ones reach this node.\n"
               : fmt::format("Its change sets are no longer held ({} applied now).\n", applied);
  out +=
      "Other nodes follow at the next sync. If its key may be in someone else's hands, "
      "remove it: `qun admin remove`.\n";
  app.Print(out);
  return Status::Ok();
}

Status ListAdmins(App& app) {
  QUN_ASSIGN_OR_RETURN(auto sp, OpenSyncNode(app.options));
  SyncNode& s = *sp;
  core::Database& db = s.node->store->db();
  // Every node the community knows (named or invited), and any that holds a role.
  QUN_ASSIGN_OR_RETURN(core::Statement nodes,
                       db.Prepare("SELECT id FROM node UNION SELECT node FROM node_role "
                                  "UNION SELECT ?1 ORDER BY 1"));
  nodes.Bind(1, core::ToHex(s.community.founder));
  json out = json::array();
  std::string text;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, nodes.Step());
    if (!row) break;
    auto key = sync::ParseNodeId(nodes.Text(0));
    if (!key.ok()) continue;
    QUN_ASSIGN_OR_RETURN(core::Roles roles,
                         *key == s.node->identity->public_key()
                             ? core::OwnRoles(db, *key, s.community.founder)
                             : core::CurrentRoles(db, *key, s.community.founder));
    bool member = roles.founder || !roles.held.empty();
    json held = json::array();
    for (const core::RoleKey& k : roles.held)
      held.push_back({{"role", core::RoleName(k.role)}, {"group_id", k.group}});
    out.push_back({{"node_id", core::ToHex(*key)},
                   {"name", NodeLabel(db, *key)},
                   {"founder", roles.founder},
                   {"roles", held},
                   {"member", member},
                   {"this_node", *key == s.node->identity->public_key()}});
    text += fmt::format("{}{}\n    {}\n", NodeLabel(db, *key),
                        *key == s.node->identity->public_key() ? "  (this node)" : "",
                        member ? core::DescribeRoles(db, roles) : "no role: cannot connect");
  }
  if (app.options.json)
    app.PrintJson(out);
  else
    app.Print(text);
  return Status::Ok();
}

}  // namespace

void AddAdminCommands(App& app) {
  CLI::App* admin = app.cli.add_subcommand("admin", "who holds which role; owners change roles");
  admin->require_subcommand(1);

  CLI::App* list = admin->add_subcommand("list", "list the nodes and the roles they hold");
  list->callback([&app] { app.action = [&app] { return ListAdmins(app); }; });

  auto removed = std::make_shared<std::string>();
  CLI::App* remove = admin->add_subcommand(
      "remove",
      "take every role from a node and replace the community key, so that it can neither "
      "connect nor read what is written next (owners only)");
  remove->add_option("NODE", *removed, "the node: its id, the id's first characters, or its name")
      ->required();
  remove->callback(
      [&app, removed] { app.action = [&app, removed] { return RotateKey(app, *removed); }; });

  auto fork_node = std::make_shared<std::string>();
  auto fork_keep = std::make_shared<std::string>();
  CLI::App* resolve = admin->add_subcommand(
      "resolve-fork",
      "say which of a node's two change sets with one number counts, so that its later ones "
      "are no longer held (owners only)");
  resolve->add_option("NODE", *fork_node, "the node that signed both")->required();
  resolve->add_option("--keep", *fork_keep,
                      "the hash (its first characters) of the change set to keep; default: the "
                      "one this node applied");
  resolve->callback([&app, fork_node, fork_keep] {
    app.action = [&app, fork_node, fork_keep] { return ResolveFork(app, *fork_node, *fork_keep); };
  });

  CLI::App* key = app.cli.add_subcommand("key", "the community key");
  key->require_subcommand(1);
  CLI::App* rotate = key->add_subcommand(
      "rotate", "replace the community key; every member gets the new one (owners only)");
  rotate->callback([&app] { app.action = [&app] { return RotateKey(app, std::nullopt); }; });

  for (bool grant : {true, false}) {
    auto args = std::make_shared<AdminArgs>();
    CLI::App* cmd = admin->add_subcommand(
        grant ? "grant" : "revoke",
        grant ? "give a node a role (owners only)" : "take a role from a node (owners only)");
    cmd->add_option("NODE", args->node, "the node: its id, the id's first characters, or its name")
        ->required();
    cmd->add_option("ROLE", args->role, "owner, admin, editor (member-editor), viewer or relay")
        ->required();
    cmd->add_option("--group", args->groups, "for admin: the group (repeat for several)");
    cmd->callback([&app, args, grant] {
      app.action = [&app, args, grant] { return ChangeRoles(app, *args, grant); };
    });
  }
}

}  // namespace qun::cli
