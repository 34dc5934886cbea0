// `qun member purge|pay|intro|check-nicknames|join|leave|set-status|set-role`:
// what happens to people in groups. The rules are the community's
// (community/registry.h, community/member_rules.h); this file resolves, calls
// and prints.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <iostream>
#include <set>

#include "base/dates.h"
#include "base/i18n.h"
#include "base/text.h"
#include "cli/app.h"
#include "cli/output.h"
#include "cli/words.h"
#include "community/entry_ritual.h"
#include "community/member_rules.h"
#include "community/reports.h"
#include "core/ids.h"
#include "core/oplog.h"

namespace qun::cli {
namespace {

// Adding a banned person to a group asks first: someone banned from the
// whole community, or from another group, is rarely added by accident on
// purpose. `yes` (--yes) answers for scripts; without a terminal to ask
// on, the answer is no, with how to say yes.
Status ConfirmNotBanned(const App& app, core::Registry& reg, const std::string& group_id,
                        const std::string& person_id, bool yes) {
  QUN_ASSIGN_OR_RETURN(auto ban, reg.BanReason(person_id));
  core::MembershipFilter f;
  f.person_id = person_id;
  f.status = "banned";
  QUN_ASSIGN_OR_RETURN(auto banned_in, reg.ListMemberships(f));
  std::erase_if(banned_in, [&](const core::Membership& m) { return m.group_id == group_id; });
  if (!ban && banned_in.empty()) return Status::Ok();
  QUN_ASSIGN_OR_RETURN(core::Person p, reg.GetPerson(person_id));
  std::string where;
  if (ban)
    where = i18n::Format(_("from the whole community ({})"),
                         ban->empty() ? std::string(_("no reason given")) : *ban);
  for (const auto& m : banned_in)
    where += i18n::Format(where.empty() ? _("from the group {}") : _(", from the group {}"),
                          m.group_name);
  std::string what = i18n::Format(_("{} is banned {}"), p.display_name, where);
  if (yes) {
    std::cerr << i18n::Format(_("qun: note: {}; adding them as --yes says\n"), OneLine(what));
    return Status::Ok();
  }
  if (std::optional<bool> add =
          AskYesNo(app, i18n::Format(_("{}. Add them anyway? [y/N] "), OneLine(what))))
    return *add ? Status::Ok() : Status::Conflict(_("not added; nothing was written"));
  return Status::Conflict(i18n::Format(
      _("{}; nothing was written. Add them anyway with --yes, or check `qun member show {}`"), what,
      core::ShortId(person_id)));
}

// Waitlisted members of a group (person id -> name), for telling who
// moved up after a change.
Result<std::map<std::string, std::string>> Waiting(core::Registry& reg,
                                                   const std::string& group_id) {
  core::MembershipFilter f;
  f.group_id = group_id;
  f.status = "waitlisted";
  QUN_ASSIGN_OR_RETURN(auto list, reg.ListMemberships(f));
  std::map<std::string, std::string> out;
  for (const auto& m : list) out[m.person_id] = m.person_name;
  return out;
}

// A (group, person) pair from two references.
struct Pair {
  std::string group_id, person_id;
};
Result<Pair> ResolvePair(core::Registry& reg, const std::string& group, const std::string& person) {
  Pair p;
  QUN_ASSIGN_OR_RETURN(p.group_id, reg.ResolveGroup(group));
  QUN_ASSIGN_OR_RETURN(p.person_id, reg.ResolvePerson(person, p.group_id));
  return p;
}

}  // namespace

void AddMembershipCommands(App& app, CLI::App* member) {
  {  // purge
    struct PurgeArgs {
      std::string group;
      std::optional<std::string> inactive, as_of;
      bool apply = false, restore = false, yes = false, anyway = false;
      int64_t max_share = 30;
    };
    auto args = std::make_shared<PurgeArgs>();
    CLI::App* purge =
        member->add_subcommand("purge", _("mark members inactive for a while as purged (dry run "
                                          "unless --apply; --restore undoes)"));
    purge->add_option("GROUP", args->group, _("group id, id prefix or name"))->required();
    purge->add_option("--inactive", args->inactive, _("no activity for more than this, e.g. 60d"));
    purge->add_option("--as-of", args->as_of, _("count inactivity up to this day (default today)"));
    purge->add_flag("--apply", args->apply, _("do it (without it, only show who)"));
    purge->add_flag("--restore", args->restore, _("bring the group's purged members back"));
    purge->add_flag("--yes", args->yes,
                    _("apply although it takes more than --max-share of the group"));
    purge
        ->add_option("--max-share", args->max_share,
                     _("the share of the group's members, in percent, a purge may take without "
                       "--yes (default 30)"))
        ->check(CLI::Range(0, 100));
    purge->add_flag("--anyway", args->anyway,
                    _("apply although the group has no activity on record at all"));
    purge->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        if (args->restore == args->inactive.has_value())
          return Status::InvalidArgument(
              _("give --inactive DAYS (who to purge) or --restore (bring purged members back)"));
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Registry& reg = *node->registry;
        QUN_ASSIGN_OR_RETURN(std::string group, reg.ResolveGroup(args->group));
        QUN_ASSIGN_OR_RETURN(core::Group g, reg.GetGroup(group));
        int64_t today = core::Today(*node->store);
        std::vector<std::pair<std::string, std::string>> who;  // person id, name
        std::map<std::string, std::string> last_active;
        core::PurgePlan plan;
        if (args->restore) {
          core::MembershipFilter f;
          f.group_id = group;
          f.status = "purged";
          QUN_ASSIGN_OR_RETURN(auto list, reg.ListMemberships(f));
          for (const auto& m : list) who.emplace_back(m.person_id, m.person_name);
        } else {
          QUN_ASSIGN_OR_RETURN(int64_t days, core::ParseDays(*args->inactive));
          int64_t as_of = today;
          if (args->as_of) {
            QUN_ASSIGN_OR_RETURN(as_of, DayArg(*args->as_of, core::NowMs(*node->store),
                                               core::Lean::kPast, "--as-of"));
          }
          core::Reports reports(reg, *node->store);
          QUN_ASSIGN_OR_RETURN(
              plan, core::PlanPurge(reg, reports, node->store->db(), group, days, as_of));
          for (const auto& c : plan.who) {
            who.emplace_back(c.person_id, c.person_name);
            last_active[c.person_id] = c.last_active;
          }
          if (args->apply) {
            core::PurgeLimits limits;
            limits.today = today;
            limits.max_percent = args->max_share;
            limits.yes = args->yes;
            limits.anyway = args->anyway;
            QUN_RETURN_IF_ERROR(core::CheckPurgeApply(plan, g, as_of, limits));
          }
        }
        const char* to = args->restore ? "active" : "purged";
        if (args->apply && !who.empty()) {
          QUN_ASSIGN_OR_RETURN(
              auto txn, node->Begin(args->restore ? "member purge --restore" : "member purge"));
          for (const auto& [id, name] : who)
            QUN_RETURN_IF_ERROR(reg.SetMembershipStatus(*txn, group, id, to));
          QUN_RETURN_IF_ERROR(txn->Commit());
        }
        if (app.options.json) {
          nlohmann::json list = nlohmann::json::array();
          for (const auto& [id, name] : who)
            list.push_back({{"person_id", id},
                            {"person", name},
                            {"last_active", last_active.count(id) ? last_active[id] : ""}});
          nlohmann::json out = {
              {"group", g.name}, {"applied", args->apply}, {"status", to}, {"people", list}};
          if (!args->restore) {
            out["members"] = plan.members;
            out["percent"] = plan.percent();
            out["on_record"] = plan.on_record;
          }
          app.PrintJson(out);
          return Status::Ok();
        }
        // What inactivity rests on here: nothing recorded means nothing.
        std::string record;
        if (!args->restore) {
          if (plan.on_record.empty()) {
            record = i18n::Format(
                _("Note: '{}' has no activity on record (no check-ins, homework, talks, shares or "
                  "attendance): inactivity here means nothing.\n"),
                g.name);
          } else {
            std::vector<std::string> kinds;
            for (const auto& [kind, n] : plan.on_record)
              kinds.push_back(i18n::Format(_("{} ({})"), Word(kActivityKind, kind), n));
            record = i18n::Format(_("On record in {}: {}.\n"), g.name,
                                  fmt::format("{}", fmt::join(kinds, _(", "))));
          }
        }
        if (who.empty()) {
          app.Print(args->restore ? i18n::Format(_("No purged members in {}.\n"), g.name)
                                  : i18n::Format(_("No one in {} is inactive for more than {}.\n"),
                                                 g.name, *args->inactive) +
                                        record);
          return Status::Ok();
        }
        std::string out;
        for (const auto& [id, name] : who)
          out += last_active.count(id)
                     ? i18n::Format(_("  {} (last active: {})\n"), name,
                                    last_active[id] == "never" ? _("never") : last_active[id])
                     : "  " + name + "\n";
        const auto n = static_cast<int64_t>(who.size());
        if (args->apply)
          out = i18n::Format(
                    args->restore
                        ? P_("Restored {} member of {}:\n", "Restored {} members of {}:\n", n)
                        : P_("Purged {} member of {}:\n", "Purged {} members of {}:\n", n),
                    n, g.name) +
                out +
                (args->restore
                     ? std::string()
                     : i18n::Format(_("Undo with `qun member purge {} --restore --apply`\n"),
                                    core::ShortId(group)));
        else
          out = i18n::Format(
                    args->restore
                        ? P_("Would restore {} member of {} (dry run; nothing written):\n",
                             "Would restore {} members of {} (dry run; nothing written):\n", n)
                        : P_("Would purge {} member of {} (dry run; nothing written):\n",
                             "Would purge {} members of {} (dry run; nothing written):\n", n),
                    n, g.name) +
                out +
                (args->restore ? std::string()
                               : i18n::Format(_("That is {0}% of its {1} members.\n"),
                                              plan.percent(), plan.members) +
                                     record) +
                _("Run again with --apply to do it.\n");
        app.Print(out);
        return Status::Ok();
      };
    });
  }

  {  // pay
    struct PayArgs {
      std::string group, person;
      std::optional<std::string> until;
      std::optional<int64_t> months;
    };
    auto args = std::make_shared<PayArgs>();
    CLI::App* pay = member->add_subcommand("pay", _("record a member's dues paid until a date"));
    pay->add_option("GROUP", args->group, _("group id, id prefix or name"))->required();
    pay->add_option("PERSON", args->person, _("person id, id prefix, name or contact handle"))
        ->required();
    pay->add_option("--until", args->until, _("paid until this day: YYYY-MM-DD"));
    pay->add_option("--months", args->months,
                    _("paid for this many more months (from the current end, or today)"));
    pay->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Registry& reg = *node->registry;
        QUN_ASSIGN_OR_RETURN(Pair pair, ResolvePair(reg, args->group, args->person));
        QUN_ASSIGN_OR_RETURN(core::Membership m, reg.RequireMember(pair.group_id, pair.person_id));
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("member pay"));
        QUN_ASSIGN_OR_RETURN(std::string until, core::RecordDues(*txn, m, args->until, args->months,
                                                                 core::Today(*node->store)));
        QUN_RETURN_IF_ERROR(txn->Commit());
        if (app.options.json)
          app.PrintJson(
              {{"group", m.group_name}, {"person", m.person_name}, {"paid_until", until}});
        else
          app.Print(
              i18n::Format(_("{} has paid for {} until {}\n"), m.person_name, m.group_name, until));
        return Status::Ok();
      };
    });
  }

  {  // intro
    struct IntroArgs {
      std::string group, person, text;
      std::optional<std::string> file, nickname;
    };
    auto args = std::make_shared<IntroArgs>();
    CLI::App* intro = member->add_subcommand(
        "intro",
        _("record a newcomer's self-introduction (and group nickname); without TEXT, print the "
          "group's template"));
    intro->add_option("GROUP", args->group, _("group id, id prefix or name"))->required();
    intro->add_option("PERSON", args->person, _("person id, id prefix, name or contact handle"));
    intro->add_option("TEXT", args->text, _("the introduction as they posted it"));
    intro->add_option("--file", args->file, _("read the introduction from a file (- for stdin)"));
    intro->add_option("--nickname", args->nickname, _("their nickname in this group"));
    intro->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Registry& reg = *node->registry;
        QUN_ASSIGN_OR_RETURN(std::string group, reg.ResolveGroup(args->group));
        QUN_ASSIGN_OR_RETURN(core::Group g, reg.GetGroup(group));
        std::string text = args->text;
        if (args->file) {
          if (!text.empty()) return Status::InvalidArgument(_("give TEXT or --file, not both"));
          QUN_ASSIGN_OR_RETURN(text, ReadInput(*args->file));
        }
        text = text::Trim(text);
        if (args->person.empty()) {
          // The template, to paste into the chat for newcomers.
          if (app.options.json) {
            app.PrintJson({{"group", g.name},
                           {"intro_template", g.intro_template},
                           {"headings", core::TemplateHeadings(g.intro_template)},
                           {"nickname_pattern", g.nickname_pattern}});
          } else if (g.intro_template.empty()) {
            app.Print(
                i18n::Format(_("{} has no self-introduction template; set one with `qun group "
                               "edit {} --intro-template TEXT`\n"),
                             g.name, core::ShortId(group)));
          } else {
            app.Print(g.intro_template + (g.intro_template.ends_with("\n") ? "" : "\n") +
                      (g.nickname_pattern.empty()
                           ? ""
                           : i18n::Format(_("群昵称 / nickname: {}\n"), g.nickname_pattern)));
          }
          return Status::Ok();
        }
        if (text.empty() && !args->nickname)
          return Status::InvalidArgument(
              _("give the introduction (TEXT or --file) or a --nickname to record"));
        QUN_ASSIGN_OR_RETURN(std::string person, reg.ResolvePerson(args->person));
        QUN_ASSIGN_OR_RETURN(core::Membership m, reg.RequireMember(group, person));
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("member intro"));
        QUN_RETURN_IF_ERROR(core::RecordIntro(*txn, m, text, args->nickname));
        QUN_RETURN_IF_ERROR(txn->Commit());
        std::vector<std::string> missing = text.empty()
                                               ? std::vector<std::string>{}
                                               : core::MissingHeadings(g.intro_template, text);
        std::string nickname_problem;
        auto pattern = core::ParseNicknamePattern(g.nickname_pattern);
        if (pattern && args->nickname)
          nickname_problem = core::NicknameProblem(*pattern, *args->nickname);
        if (app.options.json) {
          app.PrintJson({{"group", g.name},
                         {"person", m.person_name},
                         {"intro", text},
                         {"nickname", args->nickname.value_or(m.nickname)},
                         {"missing_headings", missing},
                         {"nickname_problem", nickname_problem}});
          return Status::Ok();
        }
        std::string out =
            i18n::Format(_("Recorded the introduction of {} in {}\n"), m.person_name, g.name);
        if (!missing.empty()) {
          std::string list;
          for (const auto& h : missing) list += (list.empty() ? "" : ", ") + h;
          out += i18n::Format(_("It does not answer part of the template: {}\n"), list);
        }
        if (!nickname_problem.empty())
          out += i18n::Format(_("The nickname does not follow the convention: {}\n"),
                              nickname_problem);
        app.Print(out);
        return Status::Ok();
      };
    });
  }

  {  // check-nicknames
    auto group_ref = std::make_shared<std::string>();
    CLI::App* check = member->add_subcommand(
        "check-nicknames",
        _("list the members whose nickname does not follow the group's convention"));
    check->add_option("GROUP", *group_ref, _("group id, id prefix or name"))->required();
    check->callback([&app, group_ref] {
      app.action = [&app, group_ref]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Registry& reg = *node->registry;
        QUN_ASSIGN_OR_RETURN(std::string group, reg.ResolveGroup(*group_ref));
        QUN_ASSIGN_OR_RETURN(core::Group g, reg.GetGroup(group));
        QUN_ASSIGN_OR_RETURN(core::NicknameCheck found, core::CheckNicknames(reg, g));
        const auto& rows = found.not_following;
        size_t checked = found.checked;
        if (app.options.json) {
          nlohmann::json out = {{"group", g.name},
                                {"convention", g.nickname_pattern},
                                {"checked", checked},
                                {"not_following", nlohmann::json::array()}};
          for (const auto& r : rows)
            out["not_following"].push_back({{"person_id", r.membership.person_id},
                                            {"person", r.membership.person_name},
                                            {"nickname", r.nickname},
                                            {"problem", r.problem}});
          app.PrintJson(out);
          return Status::Ok();
        }
        if (rows.empty()) {
          app.Print(i18n::Format(_("All {} members of {} follow the convention {}\n"), checked,
                                 g.name, g.nickname_pattern));
          return Status::Ok();
        }
        Table t({_("PERSON"), _("NICKNAME"), _("PROBLEM")});
        for (const auto& r : rows) t.AddRow({r.membership.person_name, r.nickname, r.problem});
        app.Print(t.Render() +
                  i18n::Format(_("{} of {} members do not follow {}; record a nickname with `qun "
                                 "member intro {} PERSON --nickname NICK`\n"),
                               rows.size(), checked, g.nickname_pattern, core::ShortId(group)));
        return Status::Ok();
      };
    });
  }

  // join / leave / set-status / set-role share GROUP PERSON arguments.
  struct PairArgs {
    std::string group, person, value;
    std::optional<std::string> invited_by, since;
    bool waitlist = false, yes = false;
  };
  auto pair_command =
      [&app, member](
          const char* name, const char* help, const char* value_name, const char* value_help,
          bool value_required, bool joins,
          std::function<Status(App&, Node&, core::WriteTxn&, const Pair&, const PairArgs&)> run) {
        auto args = std::make_shared<PairArgs>();
        CLI::App* cmd = member->add_subcommand(name, help);
        cmd->add_option("GROUP", args->group, _("group id, id prefix or name"))->required();
        cmd->add_option("PERSON", args->person, _("person id, id prefix, name or contact handle"))
            ->required();
        if (value_name) {
          auto* opt = cmd->add_option(value_name, args->value, value_help);
          if (value_required) opt->required();
        }
        if (joins) {
          cmd->add_option("--invited-by", args->invited_by, _("the person who invited them"));
          cmd->add_flag("--waitlist", args->waitlist,
                        _("when the group is full, put them on its waitlist"));
          cmd->add_flag("--yes", args->yes, _("add them even when they are banned elsewhere"));
          cmd->add_option("--since", args->since,
                          _("the day they joined, when not today (2026-03-01, 3月1日): "
                            "inactivity is counted from it"));
        }
        std::string note = std::string("member ") + name;
        cmd->callback([&app, args, run, note, joins] {
          app.action = [&app, args, run, note, joins]() -> Status {
            QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
            QUN_ASSIGN_OR_RETURN(Pair pair,
                                 ResolvePair(*node->registry, args->group, args->person));
            // Asked before the write begins: the database is not held
            // while a person reads the question.
            if (joins)
              QUN_RETURN_IF_ERROR(
                  ConfirmNotBanned(app, *node->registry, pair.group_id, pair.person_id, args->yes));
            QUN_ASSIGN_OR_RETURN(auto waiting, Waiting(*node->registry, pair.group_id));
            QUN_ASSIGN_OR_RETURN(auto txn, node->Begin(note));
            QUN_RETURN_IF_ERROR(run(app, *node, *txn, pair, *args));
            QUN_RETURN_IF_ERROR(txn->Commit());
            std::vector<std::string> moved_up;  // names
            QUN_ASSIGN_OR_RETURN(auto still, Waiting(*node->registry, pair.group_id));
            for (const auto& [id, name] : waiting)
              if (!still.count(id) && id != pair.person_id) moved_up.push_back(name);
            core::MembershipFilter f;
            f.group_id = pair.group_id;
            f.person_id = pair.person_id;
            QUN_ASSIGN_OR_RETURN(auto ms, node->registry->ListMemberships(f));
            if (ms.empty()) return Status::Internal(_("the membership vanished after writing it"));
            const core::Membership& m = ms[0];
            if (app.options.json) {
              nlohmann::json j = MembershipJson(m);
              j["moved_up_from_waitlist"] = moved_up;
              app.PrintJson(j);
              return Status::Ok();
            }
            app.Print(i18n::Format(_("{} in {}: role {}, status {}\n"), m.person_name, m.group_name,
                                   Word(kRole, m.role), Word(kMemberStatus, m.status)));
            if (args->since || note == "member set-joined")
              app.Print(i18n::Format(_("Joined on {}: inactivity is counted from that day\n"),
                                     core::DayText(core::LocalDay(m.joined_at))));
            for (const auto& name : moved_up)
              app.Print(
                  i18n::Format(_("{} moved up from the waitlist into the place freed\n"), name));
            return Status::Ok();
          };
        });
        return cmd;
      };

  pair_command("join", _("add a person to a group"), "--role",
               _("member, core, admin or owner (default member)"), false, true,
               [](App&, Node& node, core::WriteTxn& txn, const Pair& p, const PairArgs& a) {
                 std::optional<std::string> inviter;
                 if (a.invited_by) {
                   auto r = node.registry->ResolvePerson(*a.invited_by);
                   if (!r.ok()) return r.status().WithContext("--invited-by");
                   inviter = *r;
                 }
                 std::optional<int64_t> since;
                 if (a.since) {
                   QUN_ASSIGN_OR_RETURN(int64_t day, DayArg(*a.since, core::NowMs(*node.store),
                                                            core::Lean::kPast, "--since"));
                   since = core::LocalMidnightMs(day);
                 }
                 return node.registry->Join(txn, p.group_id, p.person_id,
                                            a.value.empty() ? "member" : a.value, inviter,
                                            a.waitlist, since);
               });
  pair_command(
      "set-joined", _("correct the day a person joined a group"), "DATE",
      _("the day they joined (2026-03-01, 3月1日, 2026年3月1日)"), true, false,
      [](App&, Node& node, core::WriteTxn& txn, const Pair& p, const PairArgs& a) {
        QUN_ASSIGN_OR_RETURN(int64_t day,
                             DayArg(a.value, core::NowMs(*node.store), core::Lean::kPast, "DATE"));
        return node.registry->SetJoinedAt(txn, p.group_id, p.person_id, core::LocalMidnightMs(day));
      });
  pair_command("leave", _("record that a person left a group"), nullptr, nullptr, false, false,
               [](App&, Node& node, core::WriteTxn& txn, const Pair& p, const PairArgs&) {
                 return node.registry->SetMembershipStatus(txn, p.group_id, p.person_id, "left");
               });
  pair_command("set-status", _("set a membership's status"), "STATUS",
               _("applicant, waitlisted, active, muted, left, removed, purged, rejected or banned"),
               true, false,
               [](App&, Node& node, core::WriteTxn& txn, const Pair& p, const PairArgs& a) {
                 return node.registry->SetMembershipStatus(txn, p.group_id, p.person_id, a.value);
               });
  pair_command("set-role", _("set a member's role in a group"), "ROLE",
               _("member, core, admin or owner"), true, false,
               [](App&, Node& node, core::WriteTxn& txn, const Pair& p, const PairArgs& a) {
                 return node.registry->SetRole(txn, p.group_id, p.person_id, a.value);
               });
}

}  // namespace qun::cli
