// `qun init` and `qun status`.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "base/i18n.h"
#include "base/text.h"
#include "cli/app.h"
#include "cli/log_text.h"
#include "cli/net.h"
#include "cli/output.h"
#include "community/admission.h"
#include "community/conflicts.h"
#include "community/warnings.h"
#include "core/field_text.h"
#include "core/history.h"
#include "core/home.h"
#include "core/ids.h"
#include "core/key_file.h"
#include "core/oplog.h"
#include "core/state_hash.h"
#include "sync/change_set_store.h"
#include "sync/community.h"
#include "sync/forks.h"
#include "sync/invite.h"

namespace qun::cli {

using nlohmann::json;

// `qun status --rejected`: what was refused here, and why.
Status PrintRefusals(App& app, Node& node) {
  core::Database& db = node.store->db();
  QUN_ASSIGN_OR_RETURN(std::vector<sync::Refusal> list, sync::ListRefusals(db));
  if (app.options.json) {
    json out = json::array();
    for (const auto& r : list)
      out.push_back({{"author", core::ToHex(r.author)},
                     {"author_name", NodeLabel(db, r.author)},
                     {"seq", r.seq},
                     {"note", r.note},
                     {"reason", r.reason},
                     {"kind", r.applied ? "not allowed" : "rejected"}});
    app.PrintJson(out);
    return Status::Ok();
  }
  if (list.empty()) {
    app.Print(_("Nothing was refused here.\n"));
    return Status::Ok();
  }
  std::string out;
  for (const auto& r : list)
    out += r.note.empty()
               ? i18n::Format(_("{} change {}\n  {}\n"), NodeLabel(db, r.author), r.seq, r.reason)
               : i18n::Format(_("{} change {} ({})\n  {}\n"), NodeLabel(db, r.author), r.seq,
                              ChangeName(r.note), r.reason);
  out += i18n::Format(
      _("\n{} refused. Changes not allowed by the roles stay in the history but do not count; "
        "they count again if the revocation that overrode them is itself undone.\n"),
      list.size());
  app.Print(out);
  return Status::Ok();
}

namespace {

// The other nodes that hold a role in the community (relays kept to pass
// change sets on aside), with their roles: "2: 李娜 (owner), 王芳 (viewer)".
Result<std::string> CoAdminsText(Node& node, const core::PublicKey& founder) {
  core::Database& db = node.store->db();
  QUN_ASSIGN_OR_RETURN(std::vector<std::string> ids, node.registry->KnownNodeIds());
  std::string founder_hex = core::ToHex(founder);
  if (std::find(ids.begin(), ids.end(), founder_hex) == ids.end()) ids.push_back(founder_hex);
  std::vector<std::string> others;
  for (const std::string& id : ids) {
    auto key = sync::ParseNodeId(id);
    if (!key.ok() || *key == node.identity->public_key()) continue;
    QUN_ASSIGN_OR_RETURN(core::Roles roles, core::CurrentRoles(db, *key, founder));
    bool admin = roles.founder;
    for (const core::RoleKey& k : roles.held) admin = admin || k.role != core::Role::kRelay;
    if (!admin) continue;
    auto name = core::RowLabel(db, "node", id);
    others.push_back(fmt::format("{} ({})",
                                 name.ok() && !name->empty()
                                     ? text::Printable(*name, text::Lines::kFlatten)
                                     : core::ShortId(id),
                                 core::DescribeRoles(db, roles, core::Wording::kShown)));
  }
  if (others.empty()) return std::string(_("none yet"));
  constexpr size_t kShown = 5;
  std::string list;
  for (size_t i = 0; i < others.size() && i < kShown; ++i) list += (i ? _(", ") : "") + others[i];
  if (others.size() > kShown)
    list += i18n::Format(_(" and {} more (`qun admin list`)"), others.size() - kShown);
  return fmt::format("{}: {}", others.size(), list);
}

}  // namespace

void AddNodeCommands(App& app) {
  struct InitArgs {
    std::string name;
    std::string admin;
    bool join = false;
  };
  auto args = std::make_shared<InitArgs>();
  CLI::App* init = app.cli.add_subcommand(
      "init", _("create this node: its identity (a keypair) and the community database"));
  init->add_option("--name", args->name, _("the community's name (to found a new community)"));
  init->add_flag("--join", args->join,
                 _("make a node to join an existing community: prints its id for the invite"));
  init->add_option("--admin", args->admin,
                   _("your name as co-admins will see it (default: your login name)"));
  init->callback([&app, args] {
    app.action = [&app, args]() -> Status {
      if (args->join == !args->name.empty())
        return Status::InvalidArgument(
            _("say either `qun init --name NAME` to found a community, or `qun init --join` to "
              "join one"));
      QUN_ASSIGN_OR_RETURN(std::string home, core::ResolveHome(app.options.home));
      if (args->join) {
        QUN_ASSIGN_OR_RETURN(std::string node_id, MakeNodeToJoin(home, args->admin));
        if (app.options.json) {
          app.PrintJson(
              {{"home", home}, {"database", core::DatabasePath(home)}, {"node_id", node_id}});
        } else {
          app.Print(i18n::Format(
              _("Created a node in {} to join a community.\nThis node's id: {}\nSend this id to "
                "an owner of the community; they run `qun invite {} -o invite.qun`. Then run "
                "`qun join invite.qun` here.\n"),
              home, node_id, node_id));
        }
        return Status::Ok();
      }
      QUN_ASSIGN_OR_RETURN(node::Founded made, node::FoundCommunity(home, args->name, args->admin));
      if (app.options.json) {
        app.PrintJson({{"home", home},
                       {"database", made.database},
                       {"community_id", made.community_id},
                       {"node_id", made.node_id}});
      } else {
        app.Print(i18n::Format(
            _("Created community '{}' in {}\nThis node's id: {}\nNext: add a group with `qun "
              "group add NAME`, or import a sheet with `qun import members FILE.csv`.\n"),
            args->name, home, made.node_id));
      }
      return Status::Ok();
    };
  });

  CLI::App* status = app.cli.add_subcommand(
      "status", _("show the community, this node's roles and what is left to settle"));
  auto rejected = std::make_shared<bool>(false);
  auto verbose = std::make_shared<bool>(false);
  status->add_flag("--rejected", *rejected,
                   _("list the change sets refused here, and why (not allowed by the roles, "
                     "forged, unreadable)"));
  status->add_flag("--verbose", *verbose,
                   _("also show the node id, the history's size, the change sets applied, the "
                     "database and its schema version"));
  status->callback([&app, rejected, verbose] {
    app.action = [&app, rejected, verbose]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      if (*rejected) return PrintRefusals(app, *node);
      core::Registry& reg = *node->registry;
      // A node that joined but has not received the founder's changes yet
      // knows its community only by id.
      std::string name = reg.CommunityName().ok() ? *reg.CommunityName() : "";
      QUN_ASSIGN_OR_RETURN(auto meta_id, node->store->GetMeta(core::kCommunityIdKey));
      std::string community_id = meta_id                  ? *meta_id
                                 : reg.CommunityId().ok() ? *reg.CommunityId()
                                                          : "";
      QUN_ASSIGN_OR_RETURN(core::Counts counts, reg.Count());
      int version = node->store->schema_version();
      QUN_ASSIGN_OR_RETURN(sync::HeldSummary held, sync::Summarize(node->store->db()));
      QUN_ASSIGN_OR_RETURN(auto conflicts, core::FindConflicts(node->store->db()));
      QUN_ASSIGN_OR_RETURN(auto peers, sync::ListPeers(node->store->db()));
      QUN_ASSIGN_OR_RETURN(
          sync::VersionVector vector,
          sync::ReadVectorWithLocal(node->store->db(), node->identity->public_key()));
      // This node's roles, once it belongs to a community.
      std::optional<core::Roles> roles;
      std::optional<core::PublicKey> founder;
      QUN_ASSIGN_OR_RETURN(auto founder_hex, node->store->GetMeta(core::kFounderKey));
      if (founder_hex) {
        auto parsed = sync::ParseNodeId(*founder_hex);
        if (parsed.ok()) {
          founder = *parsed;
          QUN_ASSIGN_OR_RETURN(
              roles, core::OwnRoles(node->store->db(), node->identity->public_key(), *founder));
        }
      }
      if (app.options.json) {
        json peer_list = json::array();
        for (const auto& p : peers) peer_list.push_back(PeerJson(p, vector));
        json equivocators = json::array();
        for (const auto& k : held.equivocators) equivocators.push_back(core::ToHex(k));
        // Each fork: the numbers signed twice, and the change sets held for each.
        json forks = json::array();
        QUN_ASSIGN_OR_RETURN(std::vector<sync::Fork> held_forks,
                             sync::ListForks(node->store->db()));
        for (const sync::Fork& f : held_forks) {
          json twins = json::array();
          for (const sync::Hash& h : f.twins) twins.push_back(core::ToHex(h));
          forks.push_back({{"node_id", core::ToHex(f.author)},
                           {"seq", static_cast<int64_t>(f.seq)},
                           {"change_sets", twins},
                           {"applied", f.applied ? json(core::ToHex(*f.applied)) : json(nullptr)}});
        }
        json conflict_list = json::array();
        for (const auto& c : conflicts)
          conflict_list.push_back(
              {{"kind", c.kind}, {"summary", c.summary}, {"ids", c.ids}, {"fix", c.fix}});
        app.PrintJson({{"community", name},
                       {"community_id", community_id},
                       {"node_id", node->identity->node_id()},
                       {"home", node->home},
                       {"database", node->store->path()},
                       {"schema_version", version},
                       {"groups", counts.groups},
                       {"archived_groups", counts.archived_groups},
                       {"people", counts.people},
                       {"active_memberships", counts.memberships},
                       {"changes", counts.txns},
                       {"ops", counts.ops},
                       {"change_sets",
                        {{"applied", held.applied},
                         {"pending", held.pending},
                         {"newer_format", held.newer},
                         {"equivocation", held.equivocation},
                         {"rejected", held.rejected},
                         {"refused_by_roles", held.refused}}},
                       {"roles", roles ? json(core::DescribeRoles(node->store->db(), *roles))
                                       : json(nullptr)},
                       {"equivocating_nodes", equivocators},
                       {"forks", forks},
                       {"upgrade_needed", held.newer > 0},
                       {"conflicts", conflict_list},
                       {"peers", peer_list}});
        return Status::Ok();
      }
      // By default what an organizer wants to know: the community, this
      // node's roles, how many people, groups and co-admins, and what is
      // left to settle; --verbose adds the technical figures.
      Details d;
      if (community_id.empty())
        d.Add(_("Community"), _("none yet: run `qun join invite.qun` with an owner's invite"));
      else if (name.empty())
        d.Add(_("Community"), i18n::Format(_("{} (name not received yet: import a bundle from an "
                                             "admin with `qun bundle import FILE`)"),
                                           core::ShortId(community_id)));
      else if (*verbose)
        d.Add(_("Community"), fmt::format("{} ({})", name, core::ShortId(community_id)));
      else
        d.Add(_("Community"), name);
      if (*verbose) d.Add(_("Node id"), node->identity->node_id());
      if (roles)
        d.Add(_("Roles"), core::DescribeRoles(node->store->db(), *roles, core::Wording::kShown));
      d.Add(_("People"), std::to_string(counts.people));
      d.Add(_("Groups"),
            counts.archived_groups
                ? i18n::Format(_("{} active, {} archived"), counts.groups, counts.archived_groups)
                : std::to_string(counts.groups));
      if (founder) {
        QUN_ASSIGN_OR_RETURN(std::string others, CoAdminsText(*node, *founder));
        d.Add(_("Co-admins"), others);
      }
      if (*verbose) {
        d.Add(_("Memberships"), i18n::Format(_("{} active"), counts.memberships));
        d.Add(_("History"),
              i18n::Format(_("{} changes, {} field writes"), counts.txns, counts.ops));
      }
      // Change sets held or refused here are to settle; how many were
      // applied is for --verbose.
      std::string sets = *verbose ? i18n::Format(_("{} applied"), held.applied) : "";
      // Each part starts with its comma (", ", "，"), dropped when first.
      auto more = [&sets](std::string part) {
        for (std::string_view comma : {", ", "，"})
          if (sets.empty() && part.starts_with(comma)) part.erase(0, comma.size());
        sets += part;
      };
      if (held.pending) more(i18n::Format(_(", {} waiting for earlier ones"), held.pending));
      if (held.newer) more(i18n::Format(_(", {} from a newer Qun"), held.newer));
      if (held.rejected)
        more(i18n::Format(_(", {} refused (waiting to be sent again; see `qun bundle import`)"),
                          held.rejected));
      if (held.refused)
        more(i18n::Format(
            _(", {} whose changes do not count (their author lacked the role; `qun status "
              "--rejected`)"),
            held.refused));
      if (!sets.empty()) d.Add(_("Change sets"), sets);
      QUN_ASSIGN_OR_RETURN(std::vector<core::DueEntry> due,
                           core::WarningsDue(*node->store, std::nullopt, false));
      if (!due.empty())
        d.Add(_("Warnings"),
              i18n::Format(P_("{} person has reached a group's warning limit: `qun warn due`",
                              "{} people have reached a group's warning limit: `qun warn due`",
                              static_cast<int64_t>(due.size())),
                           due.size()));
      core::Admission admission(reg, *node->store);
      QUN_ASSIGN_OR_RETURN(auto pending, admission.List(std::nullopt, std::string("pending")));
      if (!pending.empty())
        d.Add(_("Applications"),
              i18n::Format(
                  P_("{} application waits for a decision: `qun admission list --status pending`",
                     "{} applications wait for a decision: `qun admission list --status pending`",
                     static_cast<int64_t>(pending.size())),
                  pending.size()));
      if (*verbose) {
        d.Add(_("Database"), node->store->path());
        d.Add(_("Schema"), i18n::Format(_("version {}"), version));
      }
      std::string out = d.Render();
      if (held.newer)
        out += i18n::Format(
            _("\nUpgrade qun: {} change sets were written by a newer version. They are kept and "
              "passed on, and applied once this node runs the new version.\n"),
            held.newer);
      for (const auto& k : held.equivocators) {
        QUN_ASSIGN_OR_RETURN(bool resolved, sync::HasResolution(node->store->db(), k));
        if (resolved)
          out += i18n::Format(
              _("\nNote: {} signed two different change sets with the same number; an owner has "
                "said which one counts. Both are kept as evidence.\n"),
              NodeLabel(node->store->db(), k));
        else
          out += i18n::Format(
              _("\nWarning: {} signed two different change sets with the same number. Both are "
                "kept as evidence, and its later change sets are held until an owner says which "
                "one counts: `qun admin resolve-fork {}`. Its key may be in someone else's hands, "
                "or its laptop was restored from an old backup and kept writing; ask its admin.\n"),
              NodeLabel(node->store->db(), k), core::ToHex(k).substr(0, 12));
      }
      if (!conflicts.empty()) {
        out += i18n::Format(_("\nConflicts to settle ({}):\n"), conflicts.size());
        for (const auto& c : conflicts) out += fmt::format("  {}\n    {}\n", c.summary, c.fix);
      }
      if (!peers.empty()) {
        out += i18n::Format(_("\nPeers ({}):\n"), peers.size());
        for (const auto& p : peers) out += fmt::format("  {}\n", PeerStatusLine(p, vector));
      }
      app.Print(out);
      return Status::Ok();
    };
  });

  CLI::App* state_hash = app.cli.add_subcommand(
      "state-hash", _("print a fingerprint of all community data; equal on nodes that agree"));
  state_hash->callback([&app] {
    app.action = [&app]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      QUN_ASSIGN_OR_RETURN(std::string hash, core::StateHash(node->store->db()));
      if (app.options.json)
        app.PrintJson({{"state_hash", hash}});
      else
        app.Print(hash + "\n");
      return Status::Ok();
    };
  });
}

}  // namespace qun::cli
