// `qun admission apply|list|show|approve|reject|paid|waitlist`: who may
// enter a group (community/admission.h).
#include <fmt/format.h>

#include "base/i18n.h"
#include "cli/app.h"
#include "cli/output.h"
#include "cli/words.h"
#include "community/admission.h"
#include "core/ids.h"

namespace qun::cli {
namespace {

nlohmann::json ApplicationJson(const core::Application& a) {
  nlohmann::json answers = nlohmann::json::array();
  for (const auto& [q, ans] : a.answers) answers.push_back({{"question", q}, {"answer", ans}});
  return {{"id", a.id},
          {"group_id", a.group_id},
          {"group", a.group_name},
          {"person_id", a.person_id},
          {"person", a.person_name},
          {"answers", answers},
          {"paid", a.paid},
          {"applied_at", a.applied_at},
          {"status", a.status},
          {"membership_status", a.membership_status},
          {"reason", a.reason},
          {"decided_by", a.decided_by},
          {"decided_by_name", a.decided_by_name},
          {"decided_at", a.decided_at}};
}

std::string DeciderText(const core::Application& a) {
  if (!a.decided_at) return "";
  return i18n::Format(_("{} on {}"),
                      a.decided_by_name.empty() ? core::ShortId(a.decided_by) : a.decided_by_name,
                      FormatTime(a.decided_at));
}

struct PairArgs {
  std::string group, person;
};

// A command on one (group, person) application.
template <typename Run>
CLI::App* PairCommand(App& app, CLI::App* parent, const char* name, const char* help,
                      std::shared_ptr<PairArgs> args, Run run) {
  CLI::App* cmd = parent->add_subcommand(name, help);
  cmd->add_option("GROUP", args->group, _("group id, id prefix or name"))->required();
  cmd->add_option("PERSON", args->person, _("person id, id prefix, name or contact handle"))
      ->required();
  cmd->callback([&app, args, run] {
    app.action = [&app, args, run]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      QUN_ASSIGN_OR_RETURN(std::string group, node->registry->ResolveGroup(args->group));
      QUN_ASSIGN_OR_RETURN(std::string person, node->registry->ResolvePerson(args->person, group));
      core::Admission admission(*node->registry, *node->store);
      return run(*node, admission, group, person);
    };
  });
  return cmd;
}

}  // namespace

void AddAdmissionCommands(App& app) {
  CLI::App* adm = app.cli.add_subcommand(
      "admission", _("applications to groups: screening answers, approval, fees and waitlists"));
  adm->require_subcommand(1);

  {  // apply
    struct ApplyArgs {
      std::vector<std::string> answers;
      bool paid = false;
    };
    auto pair = std::make_shared<PairArgs>();
    auto args = std::make_shared<ApplyArgs>();
    CLI::App* cmd = PairCommand(
        app, adm, "apply", _("record a person's application to a group, with their answers"), pair,
        [&app, args](Node& node, core::Admission& admission, const std::string& group,
                     const std::string& person) -> Status {
          core::ApplyInput in;
          in.answers = args->answers;
          in.paid = args->paid;
          QUN_ASSIGN_OR_RETURN(auto txn, node.Begin("admission apply"));
          QUN_RETURN_IF_ERROR(admission.Apply(*txn, group, person, in));
          QUN_RETURN_IF_ERROR(txn->Commit());
          QUN_ASSIGN_OR_RETURN(auto a, admission.Get(group, person));
          if (!a) return Status::Internal(_("the application vanished after writing it"));
          if (app.options.json) {
            app.PrintJson(ApplicationJson(*a));
            return Status::Ok();
          }
          app.Print(i18n::Format(
              _("Recorded the application of {} to {}. Approve with `qun admission approve {} {}` "
                "or reject with `qun admission reject {} {} --reason TEXT`\n"),
              a->person_name, a->group_name, core::ShortId(group), core::ShortId(person),
              core::ShortId(group), core::ShortId(person)));
          return Status::Ok();
        });
    cmd->add_option("--answer", args->answers,
                    _("the answer to each screening question, in order (repeatable)"));
    cmd->add_flag("--paid", args->paid, _("the fee of a paid group is paid"));
  }

  {  // list
    struct ListArgs {
      std::optional<std::string> group, status;
    };
    auto args = std::make_shared<ListArgs>();
    CLI::App* list = adm->add_subcommand("list", _("list applications, oldest first"));
    list->add_option("--group", args->group, _("only this group's"));
    list->add_option("--status", args->status,
                     _("pending, approved, waitlisted or rejected (default: all)"));
    list->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        std::optional<std::string> group;
        if (args->group) {
          QUN_ASSIGN_OR_RETURN(group, node->registry->ResolveGroup(*args->group));
        }
        core::Admission admission(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(auto apps, admission.List(group, args->status));
        if (app.options.json) {
          nlohmann::json out = nlohmann::json::array();
          for (const auto& a : apps) out.push_back(ApplicationJson(a));
          app.PrintJson(out);
          return Status::Ok();
        }
        if (apps.empty()) {
          app.Print(_("No applications match.\n"));
          return Status::Ok();
        }
        Table t({_("GROUP"), _("PERSON"), _("APPLIED"), _("PAID"), _("STATUS"), _("DECIDED BY"),
                 _("REASON")});
        t.SetMaxWidth(6, 30);
        for (const auto& a : apps)
          t.AddRow({a.group_name, a.person_name, FormatTime(a.applied_at),
                    a.paid ? YesNo(true) : "", Word(kApplicationStatus, a.status), DeciderText(a),
                    a.reason});
        app.Print(t.Render() + i18n::Format(P_("{} application\n", "{} applications\n",
                                               static_cast<int64_t>(apps.size())),
                                            apps.size()));
        return Status::Ok();
      };
    });
  }

  {  // show
    auto pair = std::make_shared<PairArgs>();
    PairCommand(app, adm, "show", _("show an application with its answers"), pair,
                [&app](Node&, core::Admission& admission, const std::string& group,
                       const std::string& person) -> Status {
                  QUN_ASSIGN_OR_RETURN(auto a, admission.Get(group, person));
                  if (!a)
                    return Status::NotFound(i18n::Format(
                        _("no application from that person to that group; record one with `qun "
                          "admission apply {} {}`"),
                        core::ShortId(group), core::ShortId(person)));
                  if (app.options.json) {
                    app.PrintJson(ApplicationJson(*a));
                    return Status::Ok();
                  }
                  Details d;
                  d.Add(_("Person"), a->person_name);
                  d.Add(_("Group"), a->group_name);
                  d.Add(_("Applied"), FormatTime(a->applied_at));
                  d.Add(_("Status"), Word(kApplicationStatus, a->status));
                  d.Add(_("Fee paid"), YesNo(a->paid));
                  if (a->decided_at) d.Add(_("Decided by"), DeciderText(*a));
                  if (!a->reason.empty()) d.Add(_("Reason"), a->reason);
                  for (const auto& [q, ans] : a->answers) d.Add(q, ans);
                  app.Print(d.Render());
                  return Status::Ok();
                });
  }

  {  // approve
    struct ApproveArgs {
      std::string reason;
      bool waive_fee = false;
      std::optional<std::string> paid_until;
    };
    auto pair = std::make_shared<PairArgs>();
    auto args = std::make_shared<ApproveArgs>();
    CLI::App* cmd = PairCommand(
        app, adm, "approve", _("let an applicant in (onto the waitlist when the group is full)"),
        pair,
        [&app, args](Node& node, core::Admission& admission, const std::string& group,
                     const std::string& person) -> Status {
          core::Approval approval;
          approval.reason = args->reason;
          approval.waive_fee = args->waive_fee;
          approval.paid_until = args->paid_until;
          QUN_ASSIGN_OR_RETURN(auto txn, node.Begin("admission approve"));
          QUN_ASSIGN_OR_RETURN(std::string status, admission.Approve(*txn, group, person, approval,
                                                                     node.identity->node_id()));
          QUN_RETURN_IF_ERROR(txn->Commit());
          QUN_ASSIGN_OR_RETURN(auto a, admission.Get(group, person));
          if (!a) return Status::Internal(_("the application vanished after writing it"));
          if (app.options.json) {
            app.PrintJson(ApplicationJson(*a));
            return Status::Ok();
          }
          if (status == "waitlisted")
            app.Print(i18n::Format(
                _("Approved {} for {}, which is full: they are on its waitlist and move up when "
                  "a place frees (`qun admission waitlist {}`)\n"),
                a->person_name, a->group_name, core::ShortId(group)));
          else
            app.Print(i18n::Format(_("Approved {}: now a member of {}\n"), a->person_name,
                                   a->group_name));
          return Status::Ok();
        });
    cmd->add_option("--reason", args->reason, _("why (kept with the decision)"));
    cmd->add_flag("--waive-fee", args->waive_fee, _("approve in a paid group without the fee"));
    cmd->add_option("--paid-until", args->paid_until,
                    _("paid groups: dues paid until YYYY-MM-DD (default a year from today)"));
  }

  {  // reject
    auto pair = std::make_shared<PairArgs>();
    auto reason = std::make_shared<std::string>();
    CLI::App* cmd =
        PairCommand(app, adm, "reject", _("turn an application down, with a reason"), pair,
                    [&app, reason](Node& node, core::Admission& admission, const std::string& group,
                                   const std::string& person) -> Status {
                      QUN_ASSIGN_OR_RETURN(auto txn, node.Begin("admission reject"));
                      QUN_RETURN_IF_ERROR(
                          admission.Reject(*txn, group, person, *reason, node.identity->node_id()));
                      QUN_RETURN_IF_ERROR(txn->Commit());
                      QUN_ASSIGN_OR_RETURN(auto a, admission.Get(group, person));
                      if (!a)
                        return Status::Internal(_("the application vanished after writing it"));
                      if (app.options.json)
                        app.PrintJson(ApplicationJson(*a));
                      else
                        app.Print(i18n::Format(_("Rejected the application of {} to {}: {}\n"),
                                               a->person_name, a->group_name, a->reason));
                      return Status::Ok();
                    });
    cmd->add_option("--reason", *reason, _("why (required)"))->required();
  }

  {  // paid
    auto pair = std::make_shared<PairArgs>();
    PairCommand(app, adm, "paid", _("mark an applicant's fee as paid"), pair,
                [&app](Node& node, core::Admission& admission, const std::string& group,
                       const std::string& person) -> Status {
                  QUN_ASSIGN_OR_RETURN(auto txn, node.Begin("admission paid"));
                  QUN_RETURN_IF_ERROR(admission.MarkPaid(*txn, group, person));
                  QUN_RETURN_IF_ERROR(txn->Commit());
                  QUN_ASSIGN_OR_RETURN(auto a, admission.Get(group, person));
                  if (!a) return Status::Internal(_("the application vanished after writing it"));
                  if (app.options.json)
                    app.PrintJson(ApplicationJson(*a));
                  else
                    app.Print(i18n::Format(_("Marked the fee of {} for {} as paid\n"),
                                           a->person_name, a->group_name));
                  return Status::Ok();
                });
  }

  {  // waitlist
    auto group_ref = std::make_shared<std::string>();
    CLI::App* cmd = adm->add_subcommand("waitlist", _("a full group's waitlist, in order"));
    cmd->add_option("GROUP", *group_ref, _("group id, id prefix or name"))->required();
    cmd->callback([&app, group_ref] {
      app.action = [&app, group_ref]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        QUN_ASSIGN_OR_RETURN(std::string group, node->registry->ResolveGroup(*group_ref));
        QUN_ASSIGN_OR_RETURN(core::Group g, node->registry->GetGroup(group));
        QUN_ASSIGN_OR_RETURN(auto waiting, node->registry->Waitlist(group));
        if (app.options.json) {
          nlohmann::json out = {{"group", g.name},
                                {"members", g.active_members},
                                {"capacity", g.capacity},
                                {"waitlist", nlohmann::json::array()}};
          for (const auto& m : waiting) out["waitlist"].push_back(MembershipJson(m));
          app.PrintJson(out);
          return Status::Ok();
        }
        std::string out = i18n::Format(_("{}: {}/{} members, {} waiting\n"), g.name,
                                       g.active_members, g.capacity, waiting.size());
        if (!waiting.empty()) {
          Table t({"#", _("PERSON"), _("WAITING SINCE")});
          for (size_t i = 0; i < waiting.size(); ++i)
            t.AddRow(
                {std::to_string(i + 1), waiting[i].person_name,
                 FormatTime(waiting[i].status_at ? waiting[i].status_at : waiting[i].joined_at)});
          out += t.Render();
        }
        app.Print(out);
        return Status::Ok();
      };
    });
  }
}

}  // namespace qun::cli
