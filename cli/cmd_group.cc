// `qun group add|list|show|edit|archive`.
#include <fmt/format.h>

#include "base/dates.h"
#include "base/i18n.h"
#include "cli/app.h"
#include "cli/output.h"
#include "cli/words.h"
#include "core/ids.h"
#include "core/oplog.h"

namespace qun::cli {
namespace {

// Options shared by `group add` and `group edit`; unset ones are left alone.
struct GroupFlags {
  std::optional<std::string> name, kind, platform, handle, admission, fee, rules, intro_template,
      status;
  std::optional<int64_t> capacity;
  std::vector<std::string> questions;
  bool clear_questions = false;
  std::optional<std::string> nickname_pattern, level_window;
  std::optional<int64_t> warning_limit, level_core, level_active;

  void Register(CLI::App* cmd, bool with_name_flag) {
    if (with_name_flag) cmd->add_option("--name", name, _("new name"));
    cmd->add_option("--kind", kind, _("exchange, course, regional, resource, interest or other"));
    cmd->add_option("--platform", platform, _("wechat, qq, telegram, discord or other"));
    cmd->add_option("--handle", handle, _("the chat's id or link on its platform"));
    cmd->add_option("--capacity", capacity, _("most members the chat can hold (default 500)"));
    cmd->add_option("--admission", admission, _("open, invite, application or paid"));
    cmd->add_option("--fee", fee, _("entry fee for paid groups, e.g. 50 or 49.90"));
    cmd->add_option("--rules", rules, _("the group's rules"));
    cmd->add_option("--intro-template", intro_template,
                    _("the self-introduction newcomers fill in"));
    cmd->add_option("--question", questions,
                    _("a screening question applicants answer (repeatable; replaces the list)"));
    if (with_name_flag)
      cmd->add_flag("--clear-questions", clear_questions, _("remove all screening questions"));
    cmd->add_option("--nickname-pattern", nickname_pattern,
                    _("the nickname convention, e.g. city-name-trade"));
    cmd->add_option("--warning-limit", warning_limit,
                    _("warnings that make a person due for removal (default 3)"));
    cmd->add_option("--level-window", level_window,
                    _("engagement levels count activity over this many days (default 30d)"));
    cmd->add_option("--level-core", level_core,
                    _("activity facts in the window that make a core member (default 12)"));
    cmd->add_option("--level-active", level_active,
                    _("activity facts in the window that make an active member (default 4)"));
  }

  Result<core::GroupInput> ToInput() const {
    core::GroupInput in;
    in.name = name;
    in.kind = kind;
    in.platform = platform;
    in.handle = handle;
    in.admission = admission;
    in.rules = rules;
    in.intro_template = intro_template;
    in.status = status;
    in.capacity = capacity;
    if (!questions.empty() && clear_questions)
      return Status::InvalidArgument(_("give --question or --clear-questions, not both"));
    if (!questions.empty()) in.questions = questions;
    if (clear_questions) in.questions = std::vector<std::string>{};
    in.nickname_pattern = nickname_pattern;
    in.warning_limit = warning_limit;
    in.level_core = level_core;
    in.level_active = level_active;
    if (level_window) {
      QUN_ASSIGN_OR_RETURN(int64_t days, core::ParseDays(*level_window));
      in.level_window_days = days;
    }
    if (fee) {
      QUN_ASSIGN_OR_RETURN(int64_t cents, ParseFee(*fee));
      in.fee_cents = cents;
    }
    return in;
  }
};

std::string CapacityText(const core::Group& g) {
  return fmt::format("{}/{}", g.active_members, g.capacity);
}

}  // namespace

void AddGroupCommands(App& app) {
  CLI::App* group = app.cli.add_subcommand("group", _("subgroups (chats) of the community"));
  group->require_subcommand(1);

  {
    auto name = std::make_shared<std::string>();
    auto flags = std::make_shared<GroupFlags>();
    CLI::App* add = group->add_subcommand("add", _("add a group"));
    add->add_option("NAME", *name, _("the group's name, unique in the community"))->required();
    flags->Register(add, false);
    add->callback([&app, name, flags] {
      app.action = [&app, name, flags]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        QUN_ASSIGN_OR_RETURN(core::GroupInput in, flags->ToInput());
        in.name = *name;
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("group add"));
        QUN_ASSIGN_OR_RETURN(std::string id, node->registry->AddGroup(*txn, in));
        QUN_RETURN_IF_ERROR(txn->Commit());
        QUN_ASSIGN_OR_RETURN(core::Group g, node->registry->GetGroup(id));
        if (app.options.json)
          app.PrintJson(GroupJson(g));
        else
          app.Print(i18n::Format(_("Added group {} ({})\n"), g.name, core::ShortId(id)));
        return Status::Ok();
      };
    });
  }

  {
    auto all = std::make_shared<bool>(false);
    CLI::App* list = group->add_subcommand("list", _("list groups"));
    list->add_flag("--all", *all, _("include archived groups"));
    list->callback([&app, all] {
      app.action = [&app, all]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        QUN_ASSIGN_OR_RETURN(auto groups, node->registry->ListGroups(*all));
        if (app.options.json) {
          nlohmann::json out = nlohmann::json::array();
          for (const auto& g : groups) out.push_back(GroupJson(g));
          app.PrintJson(out);
          return Status::Ok();
        }
        if (groups.empty()) {
          app.Print(_("No groups yet. Add one with `qun group add NAME`.\n"));
          return Status::Ok();
        }
        Table t({_("ID"), _("NAME"), _("KIND"), _("PLATFORM"), _("MEMBERS"), _("ADMISSION"),
                 _("STATUS")});
        for (const auto& g : groups)
          t.AddRow({core::ShortId(g.id), g.name, Word(kGroupKind, g.kind),
                    Word(kPlatform, g.platform), CapacityText(g),
                    g.admission == "paid" ? i18n::Format(_("paid {}"), FormatFee(g.fee_cents))
                                          : Word(kAdmission, g.admission),
                    Word(kGroupStatus, g.status)});
        app.Print(t.Render());
        return Status::Ok();
      };
    });
  }

  {
    auto ref = std::make_shared<std::string>();
    CLI::App* show = group->add_subcommand("show", _("show a group and its members"));
    show->add_option("GROUP", *ref, _("id, id prefix or name"))->required();
    show->callback([&app, ref] {
      app.action = [&app, ref]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        QUN_ASSIGN_OR_RETURN(std::string id, node->registry->ResolveGroup(*ref));
        QUN_ASSIGN_OR_RETURN(core::Group g, node->registry->GetGroup(id));
        core::MembershipFilter f;
        f.group_id = id;
        QUN_ASSIGN_OR_RETURN(auto members, node->registry->ListMemberships(f));
        if (app.options.json) {
          nlohmann::json j = GroupJson(g);
          j["members"] = nlohmann::json::array();
          for (const auto& m : members) j["members"].push_back(MembershipJson(m));
          app.PrintJson(j);
          return Status::Ok();
        }
        Details d;
        d.Add(_("Group"), g.name);
        d.Add(_("Id"), g.id);
        d.Add(_("Kind"), Word(kGroupKind, g.kind));
        std::string platform = Word(kPlatform, g.platform);
        d.Add(_("Platform"), g.handle.empty() ? platform : platform + " " + g.handle);
        d.Add(_("Members"), CapacityText(g));
        d.Add(_("Admission"), g.admission == "paid"
                                  ? i18n::Format(_("paid, fee {}"), FormatFee(g.fee_cents))
                                  : Word(kAdmission, g.admission));
        d.Add(_("Status"), Word(kGroupStatus, g.status));
        if (!g.rules.empty()) d.Add(_("Rules"), g.rules);
        if (!g.intro_template.empty()) d.Add(_("Intro template"), g.intro_template);
        if (!g.questions.empty()) {
          std::string qs;
          for (size_t i = 0; i < g.questions.size(); ++i)
            qs += fmt::format("{}{}. {}", i ? "\n" : "", i + 1, g.questions[i]);
          d.Add(_("Questions"), qs);
        }
        if (!g.nickname_pattern.empty()) d.Add(_("Nicknames"), g.nickname_pattern);
        d.Add(_("Warning limit"), std::to_string(g.warning_limit));
        d.Add(_("Levels"), i18n::Format(_("core ≥ {}, active ≥ {} activity in {} days"),
                                        g.level_core, g.level_active, g.level_window_days));
        d.Add(_("Created"), FormatTime(g.created_at));
        d.Add(_("Updated"), FormatTime(g.updated_at));
        std::string out = d.Render();
        if (!members.empty()) {
          Table t({_("PERSON"), _("NAME"), _("ROLE"), _("STATUS"), _("JOINED")});
          for (const auto& m : members)
            t.AddRow({core::ShortId(m.person_id), m.person_name, Word(kRole, m.role),
                      Word(kMemberStatus, m.status), FormatTime(m.joined_at)});
          out += "\n" + t.Render();
        }
        app.Print(out);
        return Status::Ok();
      };
    });
  }

  {
    auto ref = std::make_shared<std::string>();
    auto flags = std::make_shared<GroupFlags>();
    CLI::App* edit = group->add_subcommand("edit", _("change a group's settings"));
    edit->add_option("GROUP", *ref, _("id, id prefix or name"))->required();
    flags->Register(edit, true);
    edit->add_option("--status", flags->status, _("active or archived"));
    edit->callback([&app, ref, flags] {
      app.action = [&app, ref, flags]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        QUN_ASSIGN_OR_RETURN(std::string id, node->registry->ResolveGroup(*ref));
        QUN_ASSIGN_OR_RETURN(core::GroupInput in, flags->ToInput());
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("group edit"));
        QUN_RETURN_IF_ERROR(node->registry->EditGroup(*txn, id, in));
        // More places let the waitlist in, oldest first.
        std::vector<std::string> promoted;
        if (in.capacity || in.status) {
          QUN_ASSIGN_OR_RETURN(promoted, node->registry->PromoteWaitlist(*txn, id));
        }
        int64_t changed = txn->ops_written();
        QUN_RETURN_IF_ERROR(txn->Commit());
        QUN_ASSIGN_OR_RETURN(core::Group g, node->registry->GetGroup(id));
        if (app.options.json) {
          nlohmann::json j = GroupJson(g);
          j["changed_fields"] = changed;
          j["promoted_from_waitlist"] = promoted;
          app.PrintJson(j);
        } else if (changed == 0) {
          app.Print(i18n::Format(_("Nothing changed in {} ({}): give a new value, e.g. "
                                   "--capacity 300\n"),
                                 g.name, core::ShortId(id)));
        } else {
          app.Print(i18n::Format(P_("Updated group {} ({}): {} field changed\n",
                                    "Updated group {} ({}): {} fields changed\n", changed),
                                 g.name, core::ShortId(id), changed));
          if (!promoted.empty())
            app.Print(i18n::Format(_("{} moved up from the waitlist into the new places\n"),
                                   promoted.size()));
        }
        return Status::Ok();
      };
    });
  }

  {
    auto ref = std::make_shared<std::string>();
    CLI::App* archive = group->add_subcommand(
        "archive", _("archive a group (kept with its history; hidden from `group list`)"));
    archive->add_option("GROUP", *ref, _("id, id prefix or name"))->required();
    archive->callback([&app, ref] {
      app.action = [&app, ref]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        QUN_ASSIGN_OR_RETURN(std::string id, node->registry->ResolveGroup(*ref));
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("group archive"));
        QUN_RETURN_IF_ERROR(node->registry->ArchiveGroup(*txn, id));
        QUN_RETURN_IF_ERROR(txn->Commit());
        QUN_ASSIGN_OR_RETURN(core::Group g, node->registry->GetGroup(id));
        if (app.options.json)
          app.PrintJson(GroupJson(g));
        else
          app.Print(i18n::Format(_("Archived group {} ({}); bring it back with `qun group edit {} "
                                   "--status active`\n"),
                                 g.name, core::ShortId(id), core::ShortId(id)));
        return Status::Ok();
      };
    });
  }
}

}  // namespace qun::cli
