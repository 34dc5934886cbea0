// `qun member add|list|show|edit|remove|join|leave|set-status|set-role`.
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <set>

#include "base/dates.h"
#include "base/text.h"
#include "cli/app.h"
#include "cli/output.h"
#include "community/entry_ritual.h"
#include "community/member_rules.h"
#include "community/person_merge.h"
#include "community/reports.h"
#include "core/ids.h"
#include "core/oplog.h"

namespace qun::cli {
namespace {

// Person fields shared by `member add` and `member edit`.
struct PersonFlags {
  std::optional<std::string> name, nickname, city, intro, needs, offers, notes, referred_by;
  std::vector<std::string> wechat, phone, email, tags;
  std::vector<std::string> remove_wechat, remove_phone, remove_email, remove_tags;

  void Register(CLI::App* cmd, bool edit) {
    if (edit) cmd->add_option("--name", name, "new display name");
    cmd->add_option("--nickname", nickname, "nickname in the chats");
    cmd->add_option("--wechat", wechat, "WeChat id (repeatable)");
    cmd->add_option("--phone", phone, "phone number (repeatable)");
    cmd->add_option("--email", email, "email address (repeatable)");
    cmd->add_option("--city", city, "city");
    cmd->add_option("--tag,--add-tag", tags, "interest tag (repeatable)");
    cmd->add_option("--intro", intro, "self-introduction: who they are");
    cmd->add_option("--needs", needs, "self-introduction: what they need");
    cmd->add_option("--offers", offers, "self-introduction: what they offer");
    cmd->add_option("--referred-by", referred_by, "the person who referred them");
    cmd->add_option("--notes", notes, "admins' notes");
    if (edit) {
      cmd->add_option("--remove-wechat", remove_wechat, "remove a WeChat id");
      cmd->add_option("--remove-phone", remove_phone, "remove a phone number");
      cmd->add_option("--remove-email", remove_email, "remove an email address");
      cmd->add_option("--remove-tag", remove_tags, "remove a tag");
    }
  }

  Result<core::PersonInput> ToInput(core::Registry& reg) const {
    core::PersonInput in;
    in.display_name = name;
    in.nickname = nickname;
    in.city = city;
    in.intro = intro;
    in.needs = needs;
    in.offers = offers;
    in.notes = notes;
    in.add_tags = tags;
    in.remove_tags = remove_tags;
    auto handles = [](const char* kind, const std::vector<std::string>& values,
                      std::vector<core::Handle>& out) -> Status {
      for (const auto& v : values) {
        QUN_ASSIGN_OR_RETURN(core::Handle h, core::NormalizeHandle(kind, v));
        out.push_back(h);
      }
      return Status::Ok();
    };
    QUN_RETURN_IF_ERROR(handles("wechat", wechat, in.add_handles));
    QUN_RETURN_IF_ERROR(handles("phone", phone, in.add_handles));
    QUN_RETURN_IF_ERROR(handles("email", email, in.add_handles));
    QUN_RETURN_IF_ERROR(handles("wechat", remove_wechat, in.remove_handles));
    QUN_RETURN_IF_ERROR(handles("phone", remove_phone, in.remove_handles));
    QUN_RETURN_IF_ERROR(handles("email", remove_email, in.remove_handles));
    if (referred_by) {
      if (referred_by->empty()) {
        in.referred_by = "";
      } else {
        auto r = reg.ResolvePerson(*referred_by);
        if (!r.ok()) return r.status().WithContext("--referred-by");
        in.referred_by = *r;
      }
    }
    return in;
  }
};

std::string ContactsText(const core::Person& p) {
  std::string out;
  for (const auto& h : p.handles) out += (out.empty() ? "" : ", ") + h.kind + " " + h.value;
  return out;
}

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
    where = fmt::format("from the whole community ({})", ban->empty() ? "no reason given" : *ban);
  for (const auto& m : banned_in)
    where +=
        fmt::format("{}{}", where.empty() ? "from the group " : ", from the group ", m.group_name);
  std::string what = fmt::format("{} is banned {}", p.display_name, where);
  if (yes) {
    std::cerr << "qun: note: " << OneLine(what) << "; adding them as --yes says\n";
    return Status::Ok();
  }
  if (!app.options.json && isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1) {
    std::cerr << OneLine(what) << ". Add them anyway? [y/N] " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    answer = text::AsciiLower(text::Trim(answer));
    if (answer == "y" || answer == "yes") return Status::Ok();
    return Status::Conflict("not added; nothing was written");
  }
  return Status::Conflict(fmt::format(
      "{}; nothing was written. Add them anyway with --yes, or check `qun member show {}`", what,
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
  QUN_ASSIGN_OR_RETURN(p.person_id, reg.ResolvePerson(person));
  return p;
}

}  // namespace

void AddMemberCommands(App& app) {
  CLI::App* member = app.cli.add_subcommand("member", "people and their memberships in groups");
  member->require_subcommand(1);

  {  // add
    auto name = std::make_shared<std::string>();
    auto flags = std::make_shared<PersonFlags>();
    auto group = std::make_shared<std::optional<std::string>>();
    auto role = std::make_shared<std::string>("member");
    CLI::App* add = member->add_subcommand("add", "add a person to the registry");
    add->add_option("NAME", *name, "display name")->required();
    flags->Register(add, false);
    add->add_option("--group", *group, "also add them to this group");
    add->add_option("--role", *role, "their role in --group (default member)");
    add->callback([&app, name, flags, group, role] {
      app.action = [&app, name, flags, group, role]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Registry& reg = *node->registry;
        QUN_ASSIGN_OR_RETURN(core::PersonInput in, flags->ToInput(reg));
        in.display_name = *name;
        std::optional<std::string> group_id;
        if (*group) {
          QUN_RETURN_IF_ERROR(core::CheckEnum("role", *role, core::kRoles));
          QUN_ASSIGN_OR_RETURN(group_id, reg.ResolveGroup(**group));
        }
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("member add"));
        QUN_ASSIGN_OR_RETURN(std::string id, reg.AddPerson(*txn, in));
        if (group_id) QUN_RETURN_IF_ERROR(reg.Join(*txn, *group_id, id, *role, std::nullopt));
        QUN_RETURN_IF_ERROR(txn->Commit());
        QUN_ASSIGN_OR_RETURN(core::Person p, reg.GetPerson(id));
        if (app.options.json)
          app.PrintJson(PersonJson(p));
        else
          app.Print(fmt::format("Added {} ({})\n", p.display_name, core::ShortId(id)));
        return Status::Ok();
      };
    });
  }

  {  // list
    struct ListArgs {
      std::optional<std::string> group, tag, city, status, role;
    };
    auto args = std::make_shared<ListArgs>();
    CLI::App* list = member->add_subcommand("list", "list people, optionally filtered");
    list->add_option("--group", args->group, "only members of this group");
    list->add_option("--tag", args->tag, "only people with this tag");
    list->add_option("--city", args->city, "only people in this city");
    list->add_option("--status", args->status,
                     "only memberships with this status (applicant, waitlisted, active, muted, "
                     "left, removed, purged, rejected, banned)");
    list->add_option("--role", args->role, "only memberships with this role");
    list->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Registry& reg = *node->registry;
        core::PersonFilter f;
        if (args->group) {
          QUN_ASSIGN_OR_RETURN(f.group_id, reg.ResolveGroup(*args->group));
        }
        if (args->status)
          QUN_RETURN_IF_ERROR(
              core::CheckEnum("membership status", *args->status, core::kMemberStatuses));
        if (args->role) QUN_RETURN_IF_ERROR(core::CheckEnum("role", *args->role, core::kRoles));
        f.tag = args->tag;
        f.city = args->city;
        f.status = args->status;
        f.role = args->role;
        QUN_ASSIGN_OR_RETURN(auto people, reg.ListPeople(f));
        // With --group, show each person's role and status there.
        std::map<std::string, core::Membership> in_group;
        // With --group, also each member's engagement level there.
        std::map<std::string, std::string> levels;
        if (f.group_id) {
          core::MembershipFilter mf;
          mf.group_id = f.group_id;
          QUN_ASSIGN_OR_RETURN(auto ms, reg.ListMemberships(mf));
          for (auto& m : ms) in_group[m.person_id] = m;
          core::Reports reports(reg, *node->store);
          QUN_ASSIGN_OR_RETURN(auto engaged,
                               reports.Engagements(*f.group_id, core::Today(*node->store)));
          for (const auto& e : engaged) levels[e.person_id] = e.level;
        }
        if (app.options.json) {
          nlohmann::json out = nlohmann::json::array();
          for (const auto& p : people) {
            nlohmann::json j = PersonJson(p);
            if (auto it = in_group.find(p.id); it != in_group.end()) {
              j["role"] = it->second.role;
              j["status"] = it->second.status;
              j["level"] = levels.count(p.id) ? levels[p.id] : "";
            }
            out.push_back(j);
          }
          app.PrintJson(out);
          return Status::Ok();
        }
        if (people.empty()) {
          app.Print("No one matches.\n");
          return Status::Ok();
        }
        std::vector<std::string> headers = {"ID", "NAME", "NICKNAME", "CITY", "CONTACT", "TAGS"};
        if (f.group_id) {
          headers.push_back("ROLE");
          headers.push_back("STATUS");
          headers.push_back("LEVEL");
        }
        Table t(headers);
        t.SetMaxWidth(2, 24);
        t.SetMaxWidth(4, 28);
        t.SetMaxWidth(5, 30);
        for (const auto& p : people) {
          std::vector<std::string> row = {core::ShortId(p.id),
                                          p.display_name,
                                          p.nickname,
                                          p.city,
                                          p.handles.empty() ? "" : p.handles[0].value,
                                          JoinTags(p.tags)};
          if (f.group_id) {
            row.push_back(in_group[p.id].role);
            row.push_back(in_group[p.id].status);
            row.push_back(levels.count(p.id) ? levels[p.id] : "");
          }
          t.AddRow(row);
        }
        app.Print(t.Render() +
                  fmt::format("{} {}\n", people.size(), people.size() == 1 ? "person" : "people"));
        return Status::Ok();
      };
    });
  }

  {  // show
    auto ref = std::make_shared<std::string>();
    CLI::App* show =
        member->add_subcommand("show", "show a person and their memberships in all groups");
    show->add_option("PERSON", *ref, "id, id prefix, name, nickname or contact handle")->required();
    show->callback([&app, ref] {
      app.action = [&app, ref]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Registry& reg = *node->registry;
        QUN_ASSIGN_OR_RETURN(std::string id, reg.ResolvePerson(*ref));
        QUN_ASSIGN_OR_RETURN(core::Person p, reg.GetPerson(id));
        core::MembershipFilter f;
        f.person_id = id;
        QUN_ASSIGN_OR_RETURN(auto memberships, reg.ListMemberships(f));
        if (app.options.json) {
          nlohmann::json j = PersonJson(p);
          j["memberships"] = nlohmann::json::array();
          for (const auto& m : memberships) j["memberships"].push_back(MembershipJson(m));
          app.PrintJson(j);
          return Status::Ok();
        }
        Details d;
        d.Add("Name", p.display_name);
        d.Add("Id", p.id);
        if (!p.nickname.empty()) d.Add("Nickname", p.nickname);
        if (!p.handles.empty()) d.Add("Contact", ContactsText(p));
        if (!p.city.empty()) d.Add("City", p.city);
        if (!p.tags.empty()) d.Add("Tags", JoinTags(p.tags));
        if (!p.intro.empty()) d.Add("Intro", p.intro);
        if (!p.needs.empty()) d.Add("Needs", p.needs);
        if (!p.offers.empty()) d.Add("Offers", p.offers);
        if (!p.referred_by.empty())
          d.Add("Referred by",
                fmt::format("{} ({})", p.referred_by_name, core::ShortId(p.referred_by)));
        if (!p.notes.empty()) d.Add("Notes", p.notes);
        d.Add("Added", FormatTime(p.created_at));
        d.Add("Updated", FormatTime(p.updated_at));
        std::string out = d.Render();
        if (memberships.empty()) {
          out += "\nNot in any group.\n";
        } else {
          Table t({"GROUP", "NAME", "ROLE", "STATUS", "JOINED"});
          for (const auto& m : memberships)
            t.AddRow({core::ShortId(m.group_id), m.group_name, m.role, m.status,
                      FormatTime(m.joined_at)});
          out += "\n" + t.Render();
        }
        app.Print(out);
        return Status::Ok();
      };
    });
  }

  {  // edit
    auto ref = std::make_shared<std::string>();
    auto flags = std::make_shared<PersonFlags>();
    CLI::App* edit = member->add_subcommand("edit", "change a person's record");
    edit->add_option("PERSON", *ref, "id, id prefix, name, nickname or contact handle")->required();
    flags->Register(edit, true);
    edit->callback([&app, ref, flags] {
      app.action = [&app, ref, flags]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Registry& reg = *node->registry;
        QUN_ASSIGN_OR_RETURN(std::string id, reg.ResolvePerson(*ref));
        QUN_ASSIGN_OR_RETURN(core::PersonInput in, flags->ToInput(reg));
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("member edit"));
        QUN_RETURN_IF_ERROR(reg.EditPerson(*txn, id, in));
        int64_t changed = txn->ops_written();
        QUN_RETURN_IF_ERROR(txn->Commit());
        QUN_ASSIGN_OR_RETURN(core::Person p, reg.GetPerson(id));
        if (app.options.json) {
          nlohmann::json j = PersonJson(p);
          j["changed_fields"] = changed;
          app.PrintJson(j);
        } else if (changed == 0) {
          app.Print(
              fmt::format("Nothing changed for {} ({})\n", p.display_name, core::ShortId(id)));
        } else {
          // A tag or handle is a row of its own, so one added tag is several
          // field writes; say what is counted.
          app.Print(fmt::format("Updated {} ({}): {} field write{} recorded\n", p.display_name,
                                core::ShortId(id), changed, changed == 1 ? "" : "s"));
        }
        return Status::Ok();
      };
    });
  }

  {  // remove
    auto ref = std::make_shared<std::string>();
    CLI::App* remove = member->add_subcommand(
        "remove", "remove a person from the registry (their history is kept)");
    remove->add_option("PERSON", *ref, "id, id prefix, name, nickname or contact handle")
        ->required();
    remove->callback([&app, ref] {
      app.action = [&app, ref]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Registry& reg = *node->registry;
        QUN_ASSIGN_OR_RETURN(std::string id, reg.ResolvePerson(*ref));
        QUN_ASSIGN_OR_RETURN(core::Person p, reg.GetPerson(id));
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("member remove"));
        QUN_RETURN_IF_ERROR(reg.RemovePerson(*txn, id));
        QUN_RETURN_IF_ERROR(txn->Commit());
        if (app.options.json)
          app.PrintJson({{"id", id}, {"display_name", p.display_name}, {"removed", true}});
        else
          app.Print(fmt::format("Removed {} ({}); `qun log {}` still shows their history\n",
                                p.display_name, core::ShortId(id), core::ShortId(id)));
        return Status::Ok();
      };
    });
  }

  {  // merge
    struct MergeArgs {
      std::string keep, gone;
    };
    auto args = std::make_shared<MergeArgs>();
    CLI::App* merge = member->add_subcommand(
        "merge", "merge two records of one person: KEEP takes OTHER's handles, tags, groups");
    merge->add_option("KEEP", args->keep, "the record to keep (id, id prefix or handle)")
        ->required();
    merge->add_option("OTHER", args->gone, "the record merged into it, then removed")->required();
    merge->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Registry& reg = *node->registry;
        QUN_ASSIGN_OR_RETURN(std::string keep, reg.ResolvePerson(args->keep));
        QUN_ASSIGN_OR_RETURN(std::string gone, reg.ResolvePerson(args->gone));
        QUN_ASSIGN_OR_RETURN(core::Person kept, reg.GetPerson(keep));
        QUN_ASSIGN_OR_RETURN(core::Person other, reg.GetPerson(gone));
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("member merge"));
        QUN_ASSIGN_OR_RETURN(core::PersonMergeResult r, core::MergePeople(reg, *txn, keep, gone));
        QUN_RETURN_IF_ERROR(txn->Commit());
        if (app.options.json) {
          app.PrintJson({{"kept", keep},
                         {"removed", gone},
                         {"handles", r.handles},
                         {"tags", r.tags},
                         {"memberships", r.memberships},
                         {"referrals", r.referrals},
                         {"fields", r.fields}});
        } else {
          app.Print(fmt::format(
              "Merged {} ({}) into {} ({}): {} handles, {} tags, {} group memberships and {} "
              "referrals moved, {} fields filled in. {} is removed; `qun log {}` keeps its "
              "history.\n",
              other.display_name, core::ShortId(gone), kept.display_name, core::ShortId(keep),
              r.handles, r.tags, r.memberships, r.referrals, r.fields, core::ShortId(gone),
              core::ShortId(gone)));
        }
        return Status::Ok();
      };
    });
  }

  {  // purge
    struct PurgeArgs {
      std::string group;
      std::optional<std::string> inactive, as_of;
      bool apply = false, restore = false;
    };
    auto args = std::make_shared<PurgeArgs>();
    CLI::App* purge = member->add_subcommand(
        "purge",
        "mark members inactive for a while as purged (dry run unless --apply; --restore undoes)");
    purge->add_option("GROUP", args->group, "group id, id prefix or name")->required();
    purge->add_option("--inactive", args->inactive, "no activity for more than this, e.g. 60d");
    purge->add_option("--as-of", args->as_of, "count inactivity up to this day (default today)");
    purge->add_flag("--apply", args->apply, "do it (without it, only show who)");
    purge->add_flag("--restore", args->restore, "bring the group's purged members back");
    purge->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        if (args->restore == args->inactive.has_value())
          return Status::InvalidArgument(
              "give --inactive DAYS (who to purge) or --restore (bring purged members back)");
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Registry& reg = *node->registry;
        QUN_ASSIGN_OR_RETURN(std::string group, reg.ResolveGroup(args->group));
        QUN_ASSIGN_OR_RETURN(core::Group g, reg.GetGroup(group));
        int64_t today = core::Today(*node->store);
        std::vector<std::pair<std::string, std::string>> who;  // person id, name
        std::map<std::string, std::string> last_active;
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
            QUN_ASSIGN_OR_RETURN(as_of, core::ParseDayArg(*args->as_of, today));
          }
          core::Reports reports(reg, *node->store);
          QUN_ASSIGN_OR_RETURN(auto list, core::PurgeCandidates(reports, group, days, as_of));
          for (const auto& c : list) {
            who.emplace_back(c.person_id, c.person_name);
            last_active[c.person_id] = c.last_active;
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
          app.PrintJson(
              {{"group", g.name}, {"applied", args->apply}, {"status", to}, {"people", list}});
          return Status::Ok();
        }
        if (who.empty()) {
          app.Print(args->restore ? fmt::format("No purged members in {}.\n", g.name)
                                  : fmt::format("No one in {} is inactive for more than {}.\n",
                                                g.name, *args->inactive));
          return Status::Ok();
        }
        std::string out;
        for (const auto& [id, name] : who)
          out += "  " + name +
                 (last_active.count(id) ? " (last active: " + last_active[id] + ")" : "") + "\n";
        if (args->apply)
          out = fmt::format("{} {} member{} of {}:\n", args->restore ? "Restored" : "Purged",
                            who.size(), who.size() == 1 ? "" : "s", g.name) +
                out +
                (args->restore ? std::string()
                               : fmt::format("Undo with `qun member purge {} --restore --apply`\n",
                                             core::ShortId(group)));
        else
          out = fmt::format("Would {} {} member{} of {} (dry run; nothing written):\n",
                            args->restore ? "restore" : "purge", who.size(),
                            who.size() == 1 ? "" : "s", g.name) +
                out + "Run again with --apply to do it.\n";
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
    CLI::App* pay = member->add_subcommand("pay", "record a member's dues paid until a date");
    pay->add_option("GROUP", args->group, "group id, id prefix or name")->required();
    pay->add_option("PERSON", args->person, "person id, id prefix, name or contact handle")
        ->required();
    pay->add_option("--until", args->until, "paid until this day: YYYY-MM-DD");
    pay->add_option("--months", args->months,
                    "paid for this many more months (from the current end, or today)");
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
              fmt::format("{} has paid for {} until {}\n", m.person_name, m.group_name, until));
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
        "record a newcomer's self-introduction (and group nickname); without TEXT, print the "
        "group's template");
    intro->add_option("GROUP", args->group, "group id, id prefix or name")->required();
    intro->add_option("PERSON", args->person, "person id, id prefix, name or contact handle");
    intro->add_option("TEXT", args->text, "the introduction as they posted it");
    intro->add_option("--file", args->file, "read the introduction from a file (- for stdin)");
    intro->add_option("--nickname", args->nickname, "their nickname in this group");
    intro->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Registry& reg = *node->registry;
        QUN_ASSIGN_OR_RETURN(std::string group, reg.ResolveGroup(args->group));
        QUN_ASSIGN_OR_RETURN(core::Group g, reg.GetGroup(group));
        std::string text = args->text;
        if (args->file) {
          if (!text.empty()) return Status::InvalidArgument("give TEXT or --file, not both");
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
                fmt::format("{} has no self-introduction template; set one with `qun group "
                            "edit {} --intro-template TEXT`\n",
                            g.name, core::ShortId(group)));
          } else {
            app.Print(g.intro_template + (g.intro_template.ends_with("\n") ? "" : "\n") +
                      (g.nickname_pattern.empty()
                           ? ""
                           : fmt::format("群昵称 / nickname: {}\n", g.nickname_pattern)));
          }
          return Status::Ok();
        }
        if (text.empty() && !args->nickname)
          return Status::InvalidArgument(
              "give the introduction (TEXT or --file) or a --nickname to record");
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
            fmt::format("Recorded the introduction of {} in {}\n", m.person_name, g.name);
        if (!missing.empty()) {
          std::string list;
          for (const auto& h : missing) list += (list.empty() ? "" : ", ") + h;
          out += fmt::format("It does not answer part of the template: {}\n", list);
        }
        if (!nickname_problem.empty())
          out += fmt::format("The nickname does not follow the convention: {}\n", nickname_problem);
        app.Print(out);
        return Status::Ok();
      };
    });
  }

  {  // check-nicknames
    auto group_ref = std::make_shared<std::string>();
    CLI::App* check = member->add_subcommand(
        "check-nicknames",
        "list the members whose nickname does not follow the group's convention");
    check->add_option("GROUP", *group_ref, "group id, id prefix or name")->required();
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
          app.Print(fmt::format("All {} members of {} follow the convention {}\n", checked, g.name,
                                g.nickname_pattern));
          return Status::Ok();
        }
        Table t({"PERSON", "NICKNAME", "PROBLEM"});
        for (const auto& r : rows) t.AddRow({r.membership.person_name, r.nickname, r.problem});
        app.Print(t.Render() +
                  fmt::format("{} of {} members do not follow {}; record a nickname with `qun "
                              "member intro {} PERSON --nickname NICK`\n",
                              rows.size(), checked, g.nickname_pattern, core::ShortId(group)));
        return Status::Ok();
      };
    });
  }

  // join / leave / set-status / set-role share GROUP PERSON arguments.
  struct PairArgs {
    std::string group, person, value;
    std::optional<std::string> invited_by;
    bool waitlist = false, yes = false;
  };
  auto pair_command =
      [&app, member](
          const char* name, const char* help, const char* value_name, const char* value_help,
          bool value_required, bool joins,
          std::function<Status(App&, Node&, core::WriteTxn&, const Pair&, const PairArgs&)> run) {
        auto args = std::make_shared<PairArgs>();
        CLI::App* cmd = member->add_subcommand(name, help);
        cmd->add_option("GROUP", args->group, "group id, id prefix or name")->required();
        cmd->add_option("PERSON", args->person, "person id, id prefix, name or contact handle")
            ->required();
        if (value_name) {
          auto* opt = cmd->add_option(value_name, args->value, value_help);
          if (value_required) opt->required();
        }
        if (joins) {
          cmd->add_option("--invited-by", args->invited_by, "the person who invited them");
          cmd->add_flag("--waitlist", args->waitlist,
                        "when the group is full, put them on its waitlist");
          cmd->add_flag("--yes", args->yes, "add them even when they are banned elsewhere");
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
            if (ms.empty()) return Status::Internal("the membership vanished after writing it");
            const core::Membership& m = ms[0];
            if (app.options.json) {
              nlohmann::json j = MembershipJson(m);
              j["moved_up_from_waitlist"] = moved_up;
              app.PrintJson(j);
              return Status::Ok();
            }
            app.Print(fmt::format("{} in {}: role {}, status {}\n", m.person_name, m.group_name,
                                  m.role, m.status));
            for (const auto& name : moved_up)
              app.Print(fmt::format("{} moved up from the waitlist into the place freed\n", name));
            return Status::Ok();
          };
        });
        return cmd;
      };

  pair_command(
      "join", "add a person to a group", "--role", "member, core, admin or owner (default member)",
      false, true, [](App&, Node& node, core::WriteTxn& txn, const Pair& p, const PairArgs& a) {
        std::optional<std::string> inviter;
        if (a.invited_by) {
          auto r = node.registry->ResolvePerson(*a.invited_by);
          if (!r.ok()) return r.status().WithContext("--invited-by");
          inviter = *r;
        }
        return node.registry->Join(txn, p.group_id, p.person_id,
                                   a.value.empty() ? "member" : a.value, inviter, a.waitlist);
      });
  pair_command("leave", "record that a person left a group", nullptr, nullptr, false, false,
               [](App&, Node& node, core::WriteTxn& txn, const Pair& p, const PairArgs&) {
                 return node.registry->SetMembershipStatus(txn, p.group_id, p.person_id, "left");
               });
  pair_command("set-status", "set a membership's status", "STATUS",
               "applicant, waitlisted, active, muted, left, removed, purged, rejected or banned",
               true, false,
               [](App&, Node& node, core::WriteTxn& txn, const Pair& p, const PairArgs& a) {
                 return node.registry->SetMembershipStatus(txn, p.group_id, p.person_id, a.value);
               });
  pair_command("set-role", "set a member's role in a group", "ROLE", "member, core, admin or owner",
               true, false,
               [](App&, Node& node, core::WriteTxn& txn, const Pair& p, const PairArgs& a) {
                 return node.registry->SetRole(txn, p.group_id, p.person_id, a.value);
               });
}

}  // namespace qun::cli
