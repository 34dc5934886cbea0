// `qun member add|list|show|edit|remove|merge`: the records of people. What
// happens to them in groups is in cmd_membership.cc.
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <set>

#include "base/dates.h"
#include "base/i18n.h"
#include "base/text.h"
#include "cli/app.h"
#include "cli/argv.h"
#include "cli/output.h"
#include "cli/words.h"
#include "community/entry_ritual.h"
#include "community/member_rules.h"
#include "community/person_merge.h"
#include "community/reports.h"
#include "core/ids.h"
#include "core/oplog.h"

namespace qun::cli {

// member purge|pay|intro|check-nicknames|join|leave|set-status|set-role
// (cmd_membership.cc).
void AddMembershipCommands(App& app, CLI::App* member);

namespace {

// Person fields shared by `member add` and `member edit`.
struct PersonFlags {
  std::optional<std::string> name, nickname, city, intro, needs, offers, notes, referred_by;
  std::vector<std::string> wechat, phone, email, tags;
  std::vector<std::string> remove_wechat, remove_phone, remove_email, remove_tags;

  void Register(CLI::App* cmd, bool edit) {
    if (edit) cmd->add_option("--name", name, _("new display name"));
    cmd->add_option("--nickname", nickname, _("nickname in the chats"));
    cmd->add_option("--wechat", wechat, _("WeChat id (repeatable)"));
    cmd->add_option("--phone", phone, _("phone number (repeatable)"));
    cmd->add_option("--email", email, _("email address (repeatable)"));
    cmd->add_option("--city", city, _("city"));
    cmd->add_option("--tag,--add-tag", tags, _("interest tag (repeatable)"));
    cmd->add_option("--intro", intro, _("self-introduction: who they are"));
    cmd->add_option("--needs", needs, _("self-introduction: what they need"));
    cmd->add_option("--offers", offers, _("self-introduction: what they offer"));
    cmd->add_option("--referred-by", referred_by, _("the person who referred them"));
    cmd->add_option("--notes", notes, _("admins' notes"));
    if (edit) {
      cmd->add_option("--remove-wechat", remove_wechat, _("remove a WeChat id"));
      cmd->add_option("--remove-phone", remove_phone, _("remove a phone number"));
      cmd->add_option("--remove-email", remove_email, _("remove an email address"));
      cmd->add_option("--remove-tag", remove_tags, _("remove a tag"));
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
    in.add_tags = SplitList(tags);  // 徒步，露营
    in.remove_tags = SplitList(remove_tags);
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

// A second person of a name already in the community is most often the
// first one typed again: say who is there and ask (--yes for scripts).
Status ConfirmNewName(const App& app, core::Registry& reg, const std::string& name, bool yes) {
  QUN_ASSIGN_OR_RETURN(std::vector<std::string> named, reg.PeopleNamed(name));
  std::string there;
  for (const std::string& id : named) {
    QUN_ASSIGN_OR_RETURN(std::string clues, reg.Clues(id));
    there += i18n::Format(_("\n  {} ({}) — id {}"), text::Trim(name), clues, core::ShortId(id));
  }
  const std::string first_id = named.empty() ? "" : named.front();
  if (there.empty()) return Status::Ok();
  std::string what =
      i18n::Format(_("someone named {} is in the community already:{}"), text::Trim(name), there);
  if (yes) {
    std::cerr << i18n::Format(_("qun: note: {}\nadding another, as --yes says\n"), what);
    return Status::Ok();
  }
  if (std::optional<bool> add =
          AskYesNo(app, i18n::Format(_("{}\nAdd another person of that name? [y/N] "), what)))
    return *add ? Status::Ok() : Status::Conflict(_("not added; nothing was written"));
  return Status::Conflict(i18n::Format(
      _("{}\nNothing was written. To add a second person of that name, add --yes; to change the "
        "one there, use `qun member edit {}`"),
      what, core::ShortId(first_id)));
}

std::string ContactsText(const core::Person& p) {
  std::string out;
  for (const auto& h : p.handles)
    out += (out.empty() ? "" : ", ") + Word(kHandleKind, h.kind) + " " + h.value;
  return out;
}

}  // namespace

void AddMemberCommands(App& app) {
  CLI::App* member = app.cli.add_subcommand("member", _("people and their memberships in groups"));
  member->require_subcommand(1);

  {  // add
    auto name = std::make_shared<std::string>();
    auto flags = std::make_shared<PersonFlags>();
    auto group = std::make_shared<std::optional<std::string>>();
    auto role = std::make_shared<std::string>("member");
    CLI::App* add = member->add_subcommand("add", _("add a person to the registry"));
    add->add_option("NAME", *name, _("display name"))->required();
    flags->Register(add, false);
    add->add_option("--group", *group, _("also add them to this group"));
    add->add_option("--role", *role, _("their role in --group (default member)"));
    auto yes = std::make_shared<bool>(false);
    add->add_flag("--yes", *yes,
                  _("add them even when someone of that name is in the community already"));
    add->callback([&app, name, flags, group, role, yes] {
      app.action = [&app, name, flags, group, role, yes]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Registry& reg = *node->registry;
        QUN_RETURN_IF_ERROR(ConfirmNewName(app, reg, *name, *yes));
        QUN_ASSIGN_OR_RETURN(core::PersonInput in, flags->ToInput(reg));
        in.display_name = *name;
        std::optional<std::string> group_id;
        if (*group) {
          QUN_RETURN_IF_ERROR(core::CheckEnum("role", *role, core::kMemberRoles));
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
          app.Print(i18n::Format(_("Added {} ({})\n"), p.display_name, core::ShortId(id)));
        return Status::Ok();
      };
    });
  }

  {  // list
    struct ListArgs {
      std::optional<std::string> group, tag, city, status, role, name;
    };
    auto args = std::make_shared<ListArgs>();
    CLI::App* list = member->add_subcommand("list", _("list people, optionally filtered"));
    list->add_option("--group", args->group, _("only members of this group"));
    list->add_option("--tag", args->tag, _("only people with this tag"));
    list->add_option("--city", args->city, _("only people in this city"));
    list->add_option("--status", args->status,
                     _("only memberships with this status (applicant, waitlisted, active, muted, "
                       "left, removed, purged, rejected, banned)"));
    list->add_option("--role", args->role, _("only memberships with this role"));
    list->add_option("--name", args->name,
                     _("only people whose name, nickname or contact holds this text, or whose name "
                       "sounds so in pinyin (zhangwei, zw)"));
    list->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Registry& reg = *node->registry;
        core::PersonFilter f;
        f.name = args->name;
        if (args->group) {
          QUN_ASSIGN_OR_RETURN(f.group_id, reg.ResolveGroup(*args->group));
        }
        if (args->status)
          QUN_RETURN_IF_ERROR(
              core::CheckEnum("membership status", *args->status, core::kMemberStatuses));
        if (args->role)
          QUN_RETURN_IF_ERROR(core::CheckEnum("role", *args->role, core::kMemberRoles));
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
          app.Print(_("No one matches.\n"));
          return Status::Ok();
        }
        std::vector<std::string> headers = {_("ID"),   _("NAME"),    _("NICKNAME"),
                                            _("CITY"), _("CONTACT"), _("TAGS")};
        if (f.group_id) {
          headers.push_back(_("ROLE"));
          headers.push_back(_("STATUS"));
          headers.push_back(_("LEVEL"));
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
            row.push_back(Word(kRole, in_group[p.id].role));
            row.push_back(Word(kMemberStatus, in_group[p.id].status));
            row.push_back(levels.count(p.id) ? Word(kLevel, levels[p.id]) : "");
          }
          t.AddRow(row);
        }
        app.Print(t.Render() + i18n::Format(P_("{} person\n", "{} people\n",
                                               static_cast<int64_t>(people.size())),
                                            people.size()));
        return Status::Ok();
      };
    });
  }

  {  // show
    auto ref = std::make_shared<std::string>();
    CLI::App* show =
        member->add_subcommand("show", _("show a person and their memberships in all groups"));
    show->add_option("PERSON", *ref, _("id, id prefix, name, nickname or contact handle"))
        ->required();
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
        d.Add(_("Name"), p.display_name);
        d.Add(_("Id"), p.id);
        if (!p.nickname.empty()) d.Add(_("Nickname"), p.nickname);
        if (!p.handles.empty()) d.Add(_("Contact"), ContactsText(p));
        if (!p.city.empty()) d.Add(_("City"), p.city);
        if (!p.tags.empty()) d.Add(_("Tags"), JoinTags(p.tags));
        if (!p.intro.empty()) d.Add(_("Intro"), p.intro);
        if (!p.needs.empty()) d.Add(_("Needs"), p.needs);
        if (!p.offers.empty()) d.Add(_("Offers"), p.offers);
        if (!p.referred_by.empty())
          d.Add(_("Referred by"),
                fmt::format("{} ({})", p.referred_by_name, core::ShortId(p.referred_by)));
        if (!p.notes.empty()) d.Add(_("Notes"), p.notes);
        d.Add(_("Added"), FormatTime(p.created_at));
        d.Add(_("Updated"), FormatTime(p.updated_at));
        std::string out = d.Render();
        if (memberships.empty()) {
          out += _("\nNot in any group.\n");
        } else {
          Table t({_("GROUP"), _("NAME"), _("ROLE"), _("STATUS"), _("JOINED")});
          for (const auto& m : memberships)
            t.AddRow({core::ShortId(m.group_id), m.group_name, Word(kRole, m.role),
                      Word(kMemberStatus, m.status), FormatTime(m.joined_at)});
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
    CLI::App* edit = member->add_subcommand("edit", _("change a person's record"));
    edit->add_option("PERSON", *ref, _("id, id prefix, name, nickname or contact handle"))
        ->required();
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
              i18n::Format(_("Nothing changed for {} ({})\n"), p.display_name, core::ShortId(id)));
        } else {
          // A tag or handle is a row of its own, so one added tag is several
          // field writes; say what is counted.
          app.Print(i18n::Format(P_("Updated {} ({}): {} field write recorded\n",
                                    "Updated {} ({}): {} field writes recorded\n", changed),
                                 p.display_name, core::ShortId(id), changed));
        }
        return Status::Ok();
      };
    });
  }

  {  // remove
    auto ref = std::make_shared<std::string>();
    CLI::App* remove = member->add_subcommand(
        "remove", _("remove a person from the registry (their history is kept)"));
    remove->add_option("PERSON", *ref, _("id, id prefix, name, nickname or contact handle"))
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
          app.Print(i18n::Format(_("Removed {} ({}); `qun log {}` still shows their history\n"),
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
        "merge", _("merge two records of one person: KEEP takes OTHER's handles, tags, groups"));
    merge->add_option("KEEP", args->keep, _("the record to keep (id, id prefix or handle)"))
        ->required();
    merge->add_option("OTHER", args->gone, _("the record merged into it, then removed"))
        ->required();
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
          app.Print(i18n::Format(
              _("Merged {} ({}) into {} ({}): {} handles, {} tags, {} group memberships and {} "
                "referrals moved, {} fields filled in. {} is removed; `qun log {}` keeps its "
                "history.\n"),
              other.display_name, core::ShortId(gone), kept.display_name, core::ShortId(keep),
              r.handles, r.tags, r.memberships, r.referrals, r.fields, core::ShortId(gone),
              core::ShortId(gone)));
        }
        return Status::Ok();
      };
    });
  }

  AddMembershipCommands(app, member);
}

}  // namespace qun::cli
