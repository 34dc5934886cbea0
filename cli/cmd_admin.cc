// `qun admin list|grant|revoke`: who holds which role, and owners changing
// it (docs/cli.md, "Roles"; the rules: docs/security.md).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "base/i18n.h"
#include "cli/app.h"
#include "core/permissions.h"
#include "sync/key_rotation.h"

namespace qun::cli {

using nlohmann::json;

namespace {

struct AdminArgs {
  std::string node, role;
  std::vector<std::string> groups;
};

Status ChangeRoles(App& app, const AdminArgs& args, bool grant) {
  QUN_ASSIGN_OR_RETURN(auto sp, OpenSyncNode(app.options));
  SyncNode& s = *sp;
  core::Database& db = s.node->store->db();
  QUN_ASSIGN_OR_RETURN(core::PublicKey node, node::ResolveNodeRef(*s.node->registry, args.node));
  QUN_ASSIGN_OR_RETURN(std::vector<core::RoleKey> roles,
                       ParseRoleArgs(*s.node->registry, args.role, args.groups));
  QUN_ASSIGN_OR_RETURN(core::Roles now, node::ChangeRoles(s, node, roles, grant));
  std::string label = NodeLabel(db, node);
  if (app.options.json) {
    json held = json::array();
    for (const core::RoleKey& k : now.held)
      held.push_back({{"role", core::RoleName(k.role)}, {"group_id", k.group}});
    app.PrintJson({{"node_id", core::ToHex(node)}, {"roles", held}, {"founder", now.founder}});
  } else {
    app.Print(i18n::Format(grant ? _("Granted {} to {}. It now holds: {}.\nOther nodes learn of "
                                     "it at the next sync.\n")
                                 : _("Revoked {0} from {1}. It now holds: {2}.\nOther nodes "
                                     "learn of it at the next sync.\n"),
                           node::RolesText(db, roles), label,
                           core::DescribeRoles(db, now, core::Wording::kShown)));
  }
  return Status::Ok();
}

// `qun admin remove` and `qun key rotate`: revokes `removed`'s roles (when
// given) and gives a new key to everyone else, in one change set.
Status RotateKey(App& app, const std::optional<std::string>& removed_ref) {
  QUN_ASSIGN_OR_RETURN(auto sp, OpenSyncNode(app.options));
  SyncNode& s = *sp;
  core::Database& db = s.node->store->db();
  std::optional<core::PublicKey> removed;
  if (removed_ref) {
    QUN_ASSIGN_OR_RETURN(removed, node::ResolveNodeRef(*s.node->registry, *removed_ref));
  }
  QUN_ASSIGN_OR_RETURN(node::KeyRotation done, node::RotateKey(s, removed));
  if (app.options.json) {
    app.PrintJson({{"removed", removed ? json(core::ToHex(*removed)) : json(nullptr)},
                   {"epoch", done.epoch},
                   {"recipients", done.recipients}});
    return Status::Ok();
  }
  std::string out;
  if (removed) {
    std::string roles = node::RolesText(db, done.removed_roles);
    out +=
        roles.empty()
            ? i18n::Format(_("Removed {}. It can no longer connect to this node.\n"),
                           NodeLabel(db, *removed))
            : i18n::Format(_("Removed {} (it held {}). It can no longer connect to this node.\n"),
                           NodeLabel(db, *removed), roles);
  }
  const int64_t n = static_cast<int64_t>(done.recipients);
  out += i18n::Format(
      removed ? P_("New community key (epoch {}) sealed to {} node; what is written from now on "
                   "uses it, and the removed node cannot read it.\n",
                   "New community key (epoch {}) sealed to {} nodes; what is written from now on "
                   "uses it, and the removed node cannot read it.\n",
                   n)
              : P_("New community key (epoch {}) sealed to {} node; what is written from now on "
                   "uses it.\n",
                   "New community key (epoch {}) sealed to {} nodes; what is written from now on "
                   "uses it.\n",
                   n),
      done.epoch, done.recipients);
  out += _("Sync with the others (`qun sync --all`) so that they receive it.\n");
  app.Print(out);
  return Status::Ok();
}

// `qun admin resolve-fork NODE [--keep HASH]`: which of a forked node's
// twins every node keeps.
Status ResolveFork(App& app, const std::string& node_ref, const std::string& keep_prefix) {
  QUN_ASSIGN_OR_RETURN(auto sp, OpenSyncNode(app.options));
  SyncNode& s = *sp;
  core::Database& db = s.node->store->db();
  QUN_RETURN_IF_ERROR(node::RequireOwner(s, _("resolve a fork")));
  QUN_ASSIGN_OR_RETURN(core::PublicKey node, node::ResolveNodeRef(*s.node->registry, node_ref));
  std::string label = NodeLabel(db, node);
  QUN_ASSIGN_OR_RETURN(sync::ChangeSetStore::ForkResolved resolved,
                       s.sets->ResolveFork(node, keep_prefix, label));
  const std::vector<sync::ForkChoice>& choices = resolved.kept;
  int applied = resolved.applied;
  bool still = resolved.held;
  if (app.options.json) {
    json kept = json::array();
    for (const sync::ForkChoice& c : choices)
      kept.push_back({{"seq", c.seq}, {"keep", core::ToHex(c.keep)}});
    app.PrintJson({{"node_id", core::ToHex(node)}, {"kept", kept}, {"held", still}});
    return Status::Ok();
  }
  std::string out;
  for (const sync::ForkChoice& c : choices)
    out += i18n::Format(_("Kept {}'s change set {} {}.\n"), label, c.seq,
                        core::ToHex(c.keep).substr(0, 12));
  out += still ? _("Its later change sets stay held until the kept ones reach this node.\n")
               : i18n::Format(_("Its change sets are no longer held ({} applied now).\n"), applied);
  out +=
      _("Other nodes follow at the next sync. If its key may be in someone else's hands, "
        "remove it: `qun admin remove`.\n");
  app.Print(out);
  return Status::Ok();
}

Status ListAdmins(App& app) {
  QUN_ASSIGN_OR_RETURN(auto sp, OpenSyncNode(app.options));
  SyncNode& s = *sp;
  core::Database& db = s.node->store->db();
  QUN_ASSIGN_OR_RETURN(std::vector<node::NodeEntry> nodes, node::ListNodes(s));
  json out = json::array();
  std::string text;
  for (const node::NodeEntry& e : nodes) {
    json held = json::array();
    for (const core::RoleKey& k : e.roles.held)
      held.push_back({{"role", core::RoleName(k.role)}, {"group_id", k.group}});
    out.push_back({{"node_id", core::ToHex(e.key)},
                   {"name", e.label},
                   {"founder", e.roles.founder},
                   {"roles", held},
                   {"member", e.member},
                   {"this_node", e.this_node}});
    std::string roles = e.member ? core::DescribeRoles(db, e.roles, core::Wording::kShown)
                                 : _("no role: cannot connect");
    text += e.this_node ? i18n::Format(_("{}  (this node)\n    {}\n"), e.label, roles)
                        : fmt::format("{}\n    {}\n", e.label, roles);
  }
  if (app.options.json)
    app.PrintJson(out);
  else
    app.Print(text);
  return Status::Ok();
}

}  // namespace

void AddAdminCommands(App& app) {
  CLI::App* admin = app.cli.add_subcommand("admin", _("who holds which role; owners change roles"));
  admin->require_subcommand(1);

  CLI::App* list = admin->add_subcommand("list", _("list the nodes and the roles they hold"));
  list->callback([&app] { app.action = [&app] { return ListAdmins(app); }; });

  auto removed = std::make_shared<std::string>();
  CLI::App* remove = admin->add_subcommand(
      "remove",
      _("take every role from a node and replace the community key, so that it can neither "
        "connect nor read what is written next (owners only)"));
  remove
      ->add_option("NODE", *removed, _("the node: its id, the id's first characters, or its name"))
      ->required();
  remove->callback(
      [&app, removed] { app.action = [&app, removed] { return RotateKey(app, *removed); }; });

  auto fork_node = std::make_shared<std::string>();
  auto fork_keep = std::make_shared<std::string>();
  CLI::App* resolve = admin->add_subcommand(
      "resolve-fork",
      _("say which of a node's two change sets with one number counts, so that its later ones "
        "are no longer held (owners only)"));
  resolve->add_option("NODE", *fork_node, _("the node that signed both"))->required();
  resolve->add_option("--keep", *fork_keep,
                      _("the hash (its first characters) of the change set to keep; default: the "
                        "one this node applied"));
  resolve->callback([&app, fork_node, fork_keep] {
    app.action = [&app, fork_node, fork_keep] { return ResolveFork(app, *fork_node, *fork_keep); };
  });

  CLI::App* key = app.cli.add_subcommand("key", _("the community key"));
  key->require_subcommand(1);
  CLI::App* rotate = key->add_subcommand(
      "rotate", _("replace the community key; every member gets the new one (owners only)"));
  rotate->callback([&app] { app.action = [&app] { return RotateKey(app, std::nullopt); }; });

  for (bool grant : {true, false}) {
    auto args = std::make_shared<AdminArgs>();
    CLI::App* cmd = admin->add_subcommand(
        grant ? "grant" : "revoke",
        grant ? _("give a node a role (owners only)") : _("take a role from a node (owners only)"));
    cmd->add_option("NODE", args->node,
                    _("the node: its id, the id's first characters, or its name"))
        ->required();
    cmd->add_option("ROLE", args->role, _("owner, admin, editor (member-editor), viewer or relay"))
        ->required();
    cmd->add_option("--group", args->groups, _("for admin: the group (repeat for several)"));
    cmd->callback([&app, args, grant] {
      app.action = [&app, args, grant] { return ChangeRoles(app, *args, grant); };
    });
  }
}

}  // namespace qun::cli
