// `qun rules`, `qun warn [list|remove|due]`, `qun ban [list]`, `qun unban`
// and `qun person`: a group's rules, the warnings given under them, bans
// from the whole community, and one person seen across every group.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/i18n.h"
#include "base/text.h"
#include "cli/app.h"
#include "cli/output.h"
#include "cli/words.h"
#include "community/person_view.h"
#include "community/warnings.h"
#include "core/ids.h"

namespace qun::cli {
namespace {

// "李娜 (1a2b3c4d)" for a node given as hex, or its short id.
std::string ByText(const std::string& hex, const std::string& name) {
  if (hex.empty()) return "";
  return name.empty() ? hex.substr(0, 8) : fmt::format("{} ({})", name, hex.substr(0, 8));
}

nlohmann::json WarningJson(const core::Warning& w) {
  return {{"id", w.id},
          {"short_id", core::ShortRowId(w.id)},
          {"group_id", w.group_id},
          {"group", w.group_name},
          {"person_id", w.person_id},
          {"person", w.person_name},
          {"reason", w.reason},
          {"given_by", w.given_by},
          {"given_by_name", w.given_by_name},
          {"given_at", w.given_at}};
}

nlohmann::json BanJson(const core::Ban& b) {
  return {{"id", b.id},
          {"person_id", b.person_id},
          {"person", b.person_name},
          {"reason", b.reason},
          {"banned_by", b.banned_by},
          {"banned_by_name", b.banned_by_name},
          {"banned_at", b.banned_at},
          {"active", b.active},
          {"holding_place_in", b.holding_place_in}};
}

std::string Names(const std::vector<std::string>& names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

// A subcommand word (list, remove, due) after positional arguments: the
// person meant it as text, not as the subcommand.
Status CommandWordGiven(const std::string& command, const std::string& word) {
  return Status::InvalidArgument(i18n::Format(
      _("'{}' is a subcommand of `qun {}`; to give it as text, put -- before the arguments: "
        "`qun {} -- ...`"),
      word, command, command));
}

void AddRulesCommand(App& app) {
  struct Args {
    std::string group;
    std::optional<std::string> set, file;
  };
  auto args = std::make_shared<Args>();
  CLI::App* rules = app.cli.add_subcommand("rules", _("show (or set) a group's rules"));
  rules->add_option("GROUP", args->group, _("group id, id prefix or name"))->required();
  rules->add_option("--set", args->set, _("replace the rules with this text (\"\" clears them)"));
  rules->add_option("--file", args->file, _("replace the rules with a file's text (- for stdin)"));
  rules->callback([&app, args] {
    app.action = [&app, args]() -> Status {
      if (args->set && args->file)
        return Status::InvalidArgument(_("give the rules with either --set or --file, not both"));
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      core::Registry& reg = *node->registry;
      QUN_ASSIGN_OR_RETURN(std::string id, reg.ResolveGroup(args->group));
      std::optional<std::string> rules = args->set;
      if (args->file) {
        QUN_ASSIGN_OR_RETURN(rules, ReadInput(*args->file));
      }
      int64_t changed = 0;
      if (rules) {
        QUN_RETURN_IF_ERROR(core::CheckText("rules", rules));
        core::GroupInput in;
        in.rules = text::Trim(*rules);
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("rules"));
        QUN_RETURN_IF_ERROR(reg.EditGroup(*txn, id, in));
        changed = txn->ops_written();
        QUN_RETURN_IF_ERROR(txn->Commit());
      }
      QUN_ASSIGN_OR_RETURN(core::Group g, reg.GetGroup(id));
      if (app.options.json) {
        nlohmann::json j = {{"group_id", g.id},
                            {"group", g.name},
                            {"rules", g.rules},
                            {"warning_limit", g.warning_limit}};
        if (rules) j["changed_fields"] = changed;
        app.PrintJson(j);
        return Status::Ok();
      }
      std::string out;
      if (rules)
        out += changed ? i18n::Format(_("Updated the rules of {}.\n"), g.name)
                       : i18n::Format(_("The rules of {} were already that.\n"), g.name);
      if (g.rules.empty()) {
        out += i18n::Format(_("{} has no rules yet; set them with `qun rules {} --set TEXT`.\n"),
                            g.name, core::ShortId(g.id));
      } else {
        out += i18n::Format(_("Rules of {} ({} warnings make a person due for removal):\n\n{}\n"),
                            g.name, g.warning_limit, g.rules);
      }
      app.Print(out);
      return Status::Ok();
    };
  });
}

void AddWarnCommands(App& app) {
  struct Args {
    std::string group, person;
    std::vector<std::string> reason;
  };
  auto args = std::make_shared<Args>();
  CLI::App* warn = app.cli.add_subcommand(
      "warn", _("give a warning under a group's rules: qun warn GROUP PERSON REASON"));
  // GROUP PERSON REASON, or one of the subcommands.
  warn->require_subcommand(0, 1);
  warn->add_option("GROUP", args->group, _("group id, id prefix or name"));
  warn->add_option("PERSON", args->person, _("person id, id prefix, name or contact handle"));
  warn->add_option("REASON", args->reason, _("why: which rule they broke"));
  warn->callback([&app, args, warn] {
    if (!warn->get_subcommands().empty()) {
      if (!args->group.empty()) {
        std::string word = warn->get_subcommands()[0]->get_name();
        app.action = [word] { return CommandWordGiven("warn", word); };
      }
      return;
    }
    app.action = [&app, args]() -> Status {
      if (args->group.empty() || args->person.empty())
        return Status::InvalidArgument(
            _("give GROUP PERSON REASON, e.g. `qun warn 北京群 张伟 发广告`, or one of `qun warn "
              "list`, `qun warn remove ID`, `qun warn due`"));
      std::string reason;
      for (const auto& w : args->reason) reason += (reason.empty() ? "" : " ") + w;
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      core::Registry& reg = *node->registry;
      QUN_ASSIGN_OR_RETURN(std::string group_id, reg.ResolveGroup(args->group));
      QUN_ASSIGN_OR_RETURN(std::string person_id, reg.ResolvePerson(args->person, group_id));
      QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("warn"));
      QUN_ASSIGN_OR_RETURN(std::string id, core::GiveWarning(*txn, group_id, person_id, reason,
                                                             node->identity->node_id()));
      QUN_RETURN_IF_ERROR(txn->Commit());
      QUN_ASSIGN_OR_RETURN(core::Warning w, core::GetWarning(*node->store, id));
      QUN_ASSIGN_OR_RETURN(int64_t count, core::WarningCount(*node->store, group_id, person_id));
      QUN_ASSIGN_OR_RETURN(core::Group g, reg.GetGroup(group_id));
      QUN_ASSIGN_OR_RETURN(auto m, reg.GetMembership(group_id, person_id));
      std::string status = m ? m->status : "";
      bool due = count >= g.warning_limit;
      if (app.options.json) {
        nlohmann::json j = WarningJson(w);
        j["count"] = count;
        j["limit"] = g.warning_limit;
        j["due"] = due;
        j["status"] = status;
        app.PrintJson(j);
        return Status::Ok();
      }
      std::string out =
          i18n::Format(_("Warned {} in {} ({}): warning {} of {}. Reason: {}\n"), w.person_name,
                       g.name, core::ShortRowId(id), count, g.warning_limit, w.reason);
      if (due && (status == "removed" || status == "banned" || status == "purged")) {
        out += i18n::Format(_("{0} is already {1} in {2}.\n"), w.person_name,
                            Word(kMemberStatus, status), g.name);
      } else if (due) {
        out += i18n::Format(
            _("{} has reached the limit of {} warnings in {} and is due for removal or a ban:\n"
              "  qun member set-status {} {} removed     (remove from {})\n"
              "  qun ban {} --reason TEXT     (ban from every group; an owner's decision)\n"
              "`qun warn due` lists everyone due.\n"),
            w.person_name, g.warning_limit, g.name, core::ShortId(group_id),
            core::ShortId(person_id), g.name, core::ShortId(person_id));
      }
      app.Print(out);
      return Status::Ok();
    };
  });

  {  // list
    struct ListArgs {
      std::optional<std::string> group, person;
    };
    auto la = std::make_shared<ListArgs>();
    CLI::App* list = warn->add_subcommand("list", _("list warnings, newest first"));
    list->add_option("--group", la->group, _("only this group's"));
    list->add_option("--person", la->person, _("only this person's"));
    list->callback([&app, la] {
      app.action = [&app, la]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Registry& reg = *node->registry;
        core::WarningFilter f;
        if (la->group) {
          QUN_ASSIGN_OR_RETURN(f.group_id, reg.ResolveGroup(*la->group));
        }
        if (la->person) {
          QUN_ASSIGN_OR_RETURN(f.person_id, reg.ResolvePerson(*la->person));
        }
        QUN_ASSIGN_OR_RETURN(auto ws, core::ListWarnings(*node->store, f));
        if (app.options.json) {
          nlohmann::json out = nlohmann::json::array();
          for (const auto& w : ws) out.push_back(WarningJson(w));
          app.PrintJson(out);
          return Status::Ok();
        }
        if (ws.empty()) {
          app.Print(_("No warnings.\n"));
          return Status::Ok();
        }
        Table t({_("ID"), _("PERSON"), _("GROUP"), _("REASON"), _("BY"), _("WHEN")});
        t.SetMaxWidth(3, 40);
        for (const auto& w : ws)
          t.AddRow({core::ShortRowId(w.id), w.person_name, w.group_name, w.reason,
                    ByText(w.given_by, w.given_by_name), FormatTime(w.given_at)});
        app.Print(t.Render() +
                  i18n::Format(P_("{} warning\n", "{} warnings\n", static_cast<int64_t>(ws.size())),
                               ws.size()));
        return Status::Ok();
      };
    });
  }

  {  // remove
    struct RemoveArgs {
      std::string ref;
      std::optional<std::string> group;
    };
    auto ra = std::make_shared<RemoveArgs>();
    CLI::App* remove = warn->add_subcommand(
        "remove", _("take back a warning given by mistake (kept in `qun log`)"));
    remove->add_option("WARNING-ID", ra->ref, _("the id shown by `qun warn list`"))->required();
    remove->add_option("--group", ra->group, _("look only in this group"));
    remove->callback([&app, ra] {
      app.action = [&app, ra]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        std::optional<std::string> group_id;
        if (ra->group) {
          QUN_ASSIGN_OR_RETURN(group_id, node->registry->ResolveGroup(*ra->group));
        }
        QUN_ASSIGN_OR_RETURN(
            std::string id,
            core::ResolveGroupRow(node->store->db(), core::kWarningKind, ra->ref, group_id));
        QUN_ASSIGN_OR_RETURN(core::Warning w, core::GetWarning(*node->store, id));
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("warn remove"));
        QUN_RETURN_IF_ERROR(core::RemoveWarning(*txn, id));
        QUN_RETURN_IF_ERROR(txn->Commit());
        QUN_ASSIGN_OR_RETURN(int64_t count,
                             core::WarningCount(*node->store, w.group_id, w.person_id));
        if (app.options.json) {
          nlohmann::json j = WarningJson(w);
          j["removed"] = true;
          j["count"] = count;
          app.PrintJson(j);
        } else {
          app.Print(i18n::Format(
              P_("Removed warning {} ({} in {}: {}); {} now has {} warning there\n",
                 "Removed warning {} ({} in {}: {}); {} now has {} warnings there\n", count),
              core::ShortRowId(id), w.person_name, w.group_name, w.reason, w.person_name, count));
        }
        return Status::Ok();
      };
    });
  }

  {  // due
    struct DueArgs {
      std::optional<std::string> group;
      bool all = false;
    };
    auto da = std::make_shared<DueArgs>();
    CLI::App* due = warn->add_subcommand(
        "due", _("people at or above their group's warning limit: listed for removal or ban"));
    due->add_option("--group", da->group, _("only this group"));
    due->add_flag("--all", da->all, _("also those already removed or banned there"));
    due->callback([&app, da] {
      app.action = [&app, da]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        std::optional<std::string> group_id;
        if (da->group) {
          QUN_ASSIGN_OR_RETURN(group_id, node->registry->ResolveGroup(*da->group));
        }
        QUN_ASSIGN_OR_RETURN(auto due, core::WarningsDue(*node->store, group_id, da->all));
        if (app.options.json) {
          nlohmann::json out = nlohmann::json::array();
          for (const auto& e : due)
            out.push_back({{"group_id", e.group_id},
                           {"group", e.group_name},
                           {"person_id", e.person_id},
                           {"person", e.person_name},
                           {"warnings", e.warnings},
                           {"limit", e.limit},
                           {"last_reason", e.last_reason},
                           {"last_at", e.last_at},
                           {"status", e.status},
                           {"done", e.done}});
          app.PrintJson(out);
          return Status::Ok();
        }
        if (due.empty()) {
          app.Print(_("No one is at their group's warning limit.\n"));
          return Status::Ok();
        }
        Table t({_("PERSON"), _("GROUP"), _("WARNINGS"), _("LAST REASON"), _("LAST"), _("STATUS")});
        t.SetMaxWidth(3, 36);
        for (const auto& e : due)
          t.AddRow({fmt::format("{} ({})", e.person_name, core::ShortId(e.person_id)), e.group_name,
                    fmt::format("{}/{}", e.warnings, e.limit), e.last_reason, FormatTime(e.last_at),
                    e.done ? i18n::Format(_("{} (done)"), Word(kMemberStatus, e.status))
                           : Word(kMemberStatus, e.status)});
        app.Print(t.Render() +
                  i18n::Format(P_("{} person listed for removal or ban. Remove with `qun member "
                                  "set-status GROUP PERSON removed`, or ban from every group with "
                                  "`qun ban PERSON --reason TEXT`.\n",
                                  "{} people listed for removal or ban. Remove with `qun member "
                                  "set-status GROUP PERSON removed`, or ban from every group with "
                                  "`qun ban PERSON --reason TEXT`.\n",
                                  static_cast<int64_t>(due.size())),
                               due.size()));
        return Status::Ok();
      };
    });
  }
}

void AddBanCommands(App& app) {
  struct Args {
    std::string person;
    std::optional<std::string> reason;
    bool all_groups = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* ban = app.cli.add_subcommand(
      "ban", _("ban a person from the whole community, every group at once (owners only)"));
  ban->require_subcommand(0, 1);
  ban->add_option("PERSON", args->person, _("person id, id prefix, name or contact handle"));
  ban->add_option("--reason", args->reason, _("why: all admins see it"));
  ban->add_flag("--all-groups", args->all_groups,
                _("every group (the default: a community ban always is; ban from one group with "
                  "`qun member set-status GROUP PERSON banned`)"));
  ban->callback([&app, args, ban] {
    if (!ban->get_subcommands().empty()) {
      if (!args->person.empty()) {
        std::string word = ban->get_subcommands()[0]->get_name();
        app.action = [word] { return CommandWordGiven("ban", word); };
      }
      return;
    }
    app.action = [&app, args]() -> Status {
      if (args->person.empty())
        return Status::InvalidArgument(
            _("give the person to ban, e.g. `qun ban 张伟 --reason \"多次发广告\"`, or `qun ban "
              "list`"));
      if (!args->reason)
        return Status::InvalidArgument(
            _("say why with --reason TEXT: every admin sees it when the person turns up again"));
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      QUN_ASSIGN_OR_RETURN(std::string person_id, node->registry->ResolvePerson(args->person));
      QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("ban"));
      QUN_ASSIGN_OR_RETURN(core::BanResult r, core::BanPerson(*txn, person_id, *args->reason,
                                                              node->identity->node_id()));
      QUN_RETURN_IF_ERROR(txn->Commit());
      QUN_ASSIGN_OR_RETURN(auto b, core::GetBan(*node->store, person_id));
      if (!b) return Status::Internal(_("the ban vanished after writing it"));
      if (app.options.json) {
        nlohmann::json j = BanJson(*b);
        j["groups_banned"] = r.groups;
        j["was_active"] = r.was_active;
        app.PrintJson(j);
        return Status::Ok();
      }
      std::string out =
          r.was_active
              ? i18n::Format(_("{} was already banned from the community; reason now: {}\n"),
                             b->person_name, b->reason)
              : i18n::Format(_("Banned {} from the whole community. Reason: {}\n"), b->person_name,
                             b->reason);
      if (!r.groups.empty())
        out += i18n::Format(_("Their membership is now banned in: {}\n"), Names(r.groups));
      out += i18n::Format(
          _("Every admin sees it in `qun ban list` and `qun person {}`; adding them to a group "
            "asks first.\n"),
          core::ShortId(person_id));
      app.Print(out);
      return Status::Ok();
    };
  });

  {  // list
    auto all = std::make_shared<bool>(false);
    CLI::App* list = ban->add_subcommand("list", _("people banned from the community"));
    list->add_flag("--all", *all, _("also bans that were lifted"));
    list->callback([&app, all] {
      app.action = [&app, all]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        QUN_ASSIGN_OR_RETURN(auto bans, core::ListBans(*node->store, *all));
        if (app.options.json) {
          nlohmann::json out = nlohmann::json::array();
          for (const auto& b : bans) out.push_back(BanJson(b));
          app.PrintJson(out);
          return Status::Ok();
        }
        if (bans.empty()) {
          app.Print(_("No one is banned from the community.\n"));
          return Status::Ok();
        }
        Table t({_("PERSON"), _("REASON"), _("BY"), _("SINCE"), _("BAN"), _("STILL IN")});
        t.SetMaxWidth(1, 36);
        bool stray = false;
        for (const auto& b : bans) {
          stray = stray || (b.active && !b.holding_place_in.empty());
          t.AddRow({fmt::format("{} ({})", b.person_name, core::ShortId(b.person_id)), b.reason,
                    ByText(b.banned_by, b.banned_by_name), FormatTime(b.banned_at),
                    b.active ? C_("ban", "active") : C_("ban", "lifted"),
                    Names(b.holding_place_in)});
        }
        std::string out = t.Render();
        if (stray)
          out +=
              _("Some banned people still hold a place in a group (added on another node while the "
                "ban was on its way); run `qun ban PERSON --reason TEXT` again to ban them there "
                "too.\n");
        app.Print(out);
        return Status::Ok();
      };
    });
  }

  auto person = std::make_shared<std::string>();
  CLI::App* unban = app.cli.add_subcommand(
      "unban", _("lift a community ban (each group's membership stays banned until restored)"));
  unban->add_option("PERSON", *person, _("person id, id prefix, name or contact handle"))
      ->required();
  unban->callback([&app, person] {
    app.action = [&app, person]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      QUN_ASSIGN_OR_RETURN(std::string person_id, node->registry->ResolvePerson(*person));
      QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("unban"));
      QUN_ASSIGN_OR_RETURN(auto still_banned, core::LiftBan(*txn, person_id));
      QUN_RETURN_IF_ERROR(txn->Commit());
      QUN_ASSIGN_OR_RETURN(auto b, core::GetBan(*node->store, person_id));
      if (!b) return Status::Internal(_("the ban vanished after lifting it"));
      if (app.options.json) {
        nlohmann::json j = BanJson(*b);
        j["still_banned_in"] = still_banned;
        app.PrintJson(j);
        return Status::Ok();
      }
      std::string out = i18n::Format(_("Lifted the community ban on {}.\n"), b->person_name);
      if (!still_banned.empty())
        out += i18n::Format(
            _("Their membership stays banned in: {}. An admin of each group takes them back with "
              "`qun member set-status GROUP {} active` if they are welcome there.\n"),
            Names(still_banned), core::ShortId(person_id));
      app.Print(out);
      return Status::Ok();
    };
  });
}

nlohmann::json PersonViewJson(const core::PersonView& v) {
  nlohmann::json j = PersonJson(v.person);
  j["banned"] = v.BannedFromCommunity();
  j["ban"] = v.ban ? BanJson(*v.ban) : nlohmann::json(nullptr);
  j["banned_in"] = v.BannedIn();
  j["activity_since"] = v.activity_since;
  j["groups"] = nlohmann::json::array();
  for (const auto& g : v.groups)
    j["groups"].push_back({{"group_id", g.group_id},
                           {"group", g.group_name},
                           {"group_status", g.group_status},
                           {"member", g.member},
                           {"role", g.role},
                           {"status", g.status},
                           {"nickname", g.nickname},
                           {"paid_until", g.paid_until},
                           {"joined_at", g.joined_at},
                           {"status_at", g.status_at},
                           {"warnings", g.warnings},
                           {"warning_limit", g.warning_limit},
                           {"last_warning_reason", g.last_warning_reason},
                           {"last_warning_at", g.last_warning_at},
                           {"recent_activity", g.recent_activity},
                           {"last_activity_day", g.last_activity_day}});
  j["signups"] = nlohmann::json::array();
  for (const auto& s : v.signups)
    j["signups"].push_back({{"event_id", s.event_id},
                            {"event", s.event_title},
                            {"event_status", s.event_status},
                            {"group_id", s.group_id},
                            {"group", s.group_name},
                            {"starts_at", s.starts_at},
                            {"status", s.status},
                            {"guests", s.guests}});
  j["applications"] = nlohmann::json::array();
  for (const auto& a : v.applications)
    j["applications"].push_back({{"id", a.id},
                                 {"group_id", a.group_id},
                                 {"group", a.group_name},
                                 {"status", a.status},
                                 {"reason", a.reason},
                                 {"paid", a.paid},
                                 {"applied_at", a.applied_at},
                                 {"decided_at", a.decided_at}});
  return j;
}

std::string PersonViewText(const core::PersonView& v) {
  const core::Person& p = v.person;
  std::string out;
  // What an admin must not miss comes first.
  if (v.BannedFromCommunity())
    out += i18n::Format(_("!! {} is BANNED from the whole community: {} (since {}, by {})\n"),
                        p.display_name, v.ban->reason, FormatTime(v.ban->banned_at),
                        ByText(v.ban->banned_by, v.ban->banned_by_name));
  std::vector<std::string> banned_in = v.BannedIn();
  if (!banned_in.empty())
    out += i18n::Format(_("!! {} is banned in: {}\n"), p.display_name, Names(banned_in));
  for (const auto& g : v.groups)
    if (g.warnings >= g.warning_limit && g.status != "removed" && g.status != "banned" &&
        g.status != "purged")
      out += i18n::Format(_("!! {} has {} warnings in {} (limit {}): due for removal or a ban\n"),
                          p.display_name, g.warnings, g.group_name, g.warning_limit);
  if (!out.empty()) out += "\n";

  Details d;
  d.Add(_("Name"), p.display_name);
  d.Add(_("Id"), p.id);
  if (!p.nickname.empty()) d.Add(_("Nickname"), p.nickname);
  std::string contacts;
  for (const auto& h : p.handles)
    contacts += (contacts.empty() ? "" : ", ") + Word(kHandleKind, h.kind) + " " + h.value;
  if (!contacts.empty()) d.Add(_("Contact"), contacts);
  if (!p.city.empty()) d.Add(_("City"), p.city);
  if (!p.tags.empty()) d.Add(_("Tags"), JoinTags(p.tags));
  if (v.ban && !v.ban->active)
    d.Add(_("Community ban"), i18n::Format(_("lifted (was: {})"), v.ban->reason));
  int64_t holding = 0, member_of = 0;
  for (const auto& g : v.groups) {
    if (g.member) ++member_of;
    if (core::HoldsPlace(g.status)) ++holding;
  }
  d.Add(_("Groups"), i18n::Format(P_("in {} now ({} membership in all)",
                                     "in {} now ({} memberships in all)", member_of),
                                  holding, member_of));
  out += d.Render();

  if (v.groups.empty()) {
    out += _("\nNot in any group.\n");
  } else {
    Table t({_("GROUP"), _("ROLE"), _("STATUS"), _("NICKNAME"), _("JOINED"), _("PAID UNTIL"),
             _("WARNINGS"), _("ACTIVITY"), _("LAST ACTIVE")});
    t.SetMaxWidth(3, 20);
    for (const auto& g : v.groups)
      t.AddRow({g.group_status == "archived" ? i18n::Format(_("{} (archived)"), g.group_name)
                                             : g.group_name,
                g.member ? Word(kRole, g.role) : "-",
                g.member ? Word(kMemberStatus, g.status) : _("(no membership)"), g.nickname,
                FormatTime(g.joined_at), g.paid_until,
                g.warnings ? fmt::format("{}/{}", g.warnings, g.warning_limit) : "",
                std::to_string(g.recent_activity), g.last_activity_day});
    out += i18n::Format(_("\nGroups (activity: facts since {}):\n"), v.activity_since) + t.Render();
    bool any_warning = false;
    for (const auto& g : v.groups)
      if (g.warnings) {
        if (!any_warning) out += _("\nLatest warnings:\n");
        any_warning = true;
        out += fmt::format("  {}: {} ({})\n", g.group_name, g.last_warning_reason,
                           FormatTime(g.last_warning_at));
      }
  }
  if (!v.signups.empty()) {
    Table t({_("EVENT"), _("GROUP"), _("STARTS"), _("SIGN-UP"), _("GUESTS")});
    t.SetMaxWidth(0, 30);
    for (const auto& s : v.signups)
      t.AddRow({s.event_status == "cancelled" ? i18n::Format(_("{} (cancelled)"), s.event_title)
                                              : s.event_title,
                s.group_name, FormatTime(s.starts_at), s.status,
                s.guests ? "+" + std::to_string(s.guests) : ""});
    out += _("\nSign-ups:\n") + t.Render();
  }
  if (!v.applications.empty()) {
    Table t({_("GROUP"), _("APPLICATION"), _("APPLIED"), _("REASON")});
    t.SetMaxWidth(3, 36);
    for (const auto& a : v.applications)
      t.AddRow(
          {a.group_name, Word(kApplicationStatus, a.status), FormatTime(a.applied_at), a.reason});
    out += _("\nApplications:\n") + t.Render();
  }
  return out;
}

void AddPersonCommand(App& app) {
  auto ref = std::make_shared<std::string>();
  CLI::App* person = app.cli.add_subcommand(
      "person",
      _("one person across every group: roles, statuses, warnings, activity, bans, sign-ups"));
  person->add_option("PERSON", *ref, _("id, id prefix, name, nickname or contact handle"))
      ->required();
  person->callback([&app, ref] {
    app.action = [&app, ref]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      QUN_ASSIGN_OR_RETURN(std::string id, node->registry->ResolvePerson(*ref));
      QUN_ASSIGN_OR_RETURN(core::PersonView v, core::GetPersonView(*node->store, id));
      if (app.options.json)
        app.PrintJson(PersonViewJson(v));
      else
        app.Print(PersonViewText(v));
      return Status::Ok();
    };
  });
}

}  // namespace

void AddWarningCommands(App& app) {
  AddRulesCommand(app);
  AddWarnCommands(app);
  AddBanCommands(app);
  AddPersonCommand(app);
}

}  // namespace qun::cli
