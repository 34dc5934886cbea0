// `qun admission apply|list|show|approve|reject|paid|waitlist`: who may
// enter a group (community/admission.h).
#include <fmt/format.h>

#include "cli/app.h"
#include "cli/output.h"
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
  return fmt::format("{} on {}",
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
  cmd->add_option("GROUP", args->group, "group id, id prefix or name")->required();
  cmd->add_option("PERSON", args->person, "person id, id prefix, name or contact handle")
      ->required();
  cmd->callback([&app, args, run] {
    app.action = [&app, args, run]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      QUN_ASSIGN_OR_RETURN(std::string group, node->registry->ResolveGroup(args->group));
      QUN_ASSIGN_OR_RETURN(std::string person, node->registry->ResolvePerson(args->person));
      core::Admission admission(*node->registry, *node->store);
      return run(*node, admission, group, person);
    };
  });
  return cmd;
}

}  // namespace

void AddAdmissionCommands(App& app) {
  CLI::App* adm = app.cli.add_subcommand(
      "admission", "applications to groups: screening answers, approval, fees and waitlists");
  adm->require_subcommand(1);

  {  // apply
    struct ApplyArgs {
      std::vector<std::string> answers;
      bool paid = false;
    };
    auto pair = std::make_shared<PairArgs>();
    auto args = std::make_shared<ApplyArgs>();
    CLI::App* cmd = PairCommand(
        app, adm, "apply", "record a person's application to a group, with their answers", pair,
        [&app, args](Node& node, core::Admission& admission, const std::string& group,
                     const std::string& person) -> Status {
          core::ApplyInput in;
          in.answers = args->answers;
          in.paid = args->paid;
          QUN_ASSIGN_OR_RETURN(auto txn, node.Begin("admission apply"));
          QUN_RETURN_IF_ERROR(admission.Apply(*txn, group, person, in));
          QUN_RETURN_IF_ERROR(txn->Commit());
          QUN_ASSIGN_OR_RETURN(auto a, admission.Get(group, person));
          if (!a) return Status::Internal("the application vanished after writing it");
          if (app.options.json) {
            app.PrintJson(ApplicationJson(*a));
            return Status::Ok();
          }
          app.Print(fmt::format(
              "Recorded the application of {} to {}. Approve with `qun admission approve {} {}` "
              "or reject with `qun admission reject {} {} --reason TEXT`\n",
              a->person_name, a->group_name, core::ShortId(group), core::ShortId(person),
              core::ShortId(group), core::ShortId(person)));
          return Status::Ok();
        });
    cmd->add_option("--answer", args->answers,
                    "the answer to each screening question, in order (repeatable)");
    cmd->add_flag("--paid", args->paid, "the fee of a paid group is paid");
  }

  {  // list
    struct ListArgs {
      std::optional<std::string> group, status;
    };
    auto args = std::make_shared<ListArgs>();
    CLI::App* list = adm->add_subcommand("list", "list applications, oldest first");
    list->add_option("--group", args->group, "only this group's");
    list->add_option("--status", args->status,
                     "pending, approved, waitlisted or rejected (default: all)");
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
          app.Print("No applications match.\n");
          return Status::Ok();
        }
        Table t({"GROUP", "PERSON", "APPLIED", "PAID", "STATUS", "DECIDED BY", "REASON"});
        t.SetMaxWidth(6, 30);
        for (const auto& a : apps)
          t.AddRow({a.group_name, a.person_name, FormatTime(a.applied_at), a.paid ? "yes" : "",
                    a.status, DeciderText(a), a.reason});
        app.Print(t.Render() +
                  fmt::format("{} application{}\n", apps.size(), apps.size() == 1 ? "" : "s"));
        return Status::Ok();
      };
    });
  }

  {  // show
    auto pair = std::make_shared<PairArgs>();
    PairCommand(app, adm, "show", "show an application with its answers", pair,
                [&app](Node&, core::Admission& admission, const std::string& group,
                       const std::string& person) -> Status {
                  QUN_ASSIGN_OR_RETURN(auto a, admission.Get(group, person));
                  if (!a)
                    return Status::NotFound(fmt::format(
                        "no application from that person to that group; record one with `qun "
                        "admission apply {} {}`",
                        core::ShortId(group), core::ShortId(person)));
                  if (app.options.json) {
                    app.PrintJson(ApplicationJson(*a));
                    return Status::Ok();
                  }
                  Details d;
                  d.Add("Person", a->person_name);
                  d.Add("Group", a->group_name);
                  d.Add("Applied", FormatTime(a->applied_at));
                  d.Add("Status", a->status);
                  d.Add("Fee paid", a->paid ? "yes" : "no");
                  if (a->decided_at) d.Add("Decided by", DeciderText(*a));
                  if (!a->reason.empty()) d.Add("Reason", a->reason);
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
        app, adm, "approve", "let an applicant in (onto the waitlist when the group is full)", pair,
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
          if (!a) return Status::Internal("the application vanished after writing it");
          if (app.options.json) {
            app.PrintJson(ApplicationJson(*a));
            return Status::Ok();
          }
          if (status == "waitlisted")
            app.Print(fmt::format(
                "Approved {} for {}, which is full: they are on its waitlist and move up when "
                "a place frees (`qun admission waitlist {}`)\n",
                a->person_name, a->group_name, core::ShortId(group)));
          else
            app.Print(
                fmt::format("Approved {}: now a member of {}\n", a->person_name, a->group_name));
          return Status::Ok();
        });
    cmd->add_option("--reason", args->reason, "why (kept with the decision)");
    cmd->add_flag("--waive-fee", args->waive_fee, "approve in a paid group without the fee");
    cmd->add_option("--paid-until", args->paid_until,
                    "paid groups: dues paid until YYYY-MM-DD (default a year from today)");
  }

  {  // reject
    auto pair = std::make_shared<PairArgs>();
    auto reason = std::make_shared<std::string>();
    CLI::App* cmd =
        PairCommand(app, adm, "reject", "turn an application down, with a reason", pair,
                    [&app, reason](Node& node, core::Admission& admission, const std::string& group,
                                   const std::string& person) -> Status {
                      QUN_ASSIGN_OR_RETURN(auto txn, node.Begin("admission reject"));
                      QUN_RETURN_IF_ERROR(
                          admission.Reject(*txn, group, person, *reason, node.identity->node_id()));
                      QUN_RETURN_IF_ERROR(txn->Commit());
                      QUN_ASSIGN_OR_RETURN(auto a, admission.Get(group, person));
                      if (!a) return Status::Internal("the application vanished after writing it");
                      if (app.options.json)
                        app.PrintJson(ApplicationJson(*a));
                      else
                        app.Print(fmt::format("Rejected the application of {} to {}: {}\n",
                                              a->person_name, a->group_name, a->reason));
                      return Status::Ok();
                    });
    cmd->add_option("--reason", *reason, "why (required)")->required();
  }

  {  // paid
    auto pair = std::make_shared<PairArgs>();
    PairCommand(app, adm, "paid", "mark an applicant's fee as paid", pair,
                [&app](Node& node, core::Admission& admission, const std::string& group,
                       const std::string& person) -> Status {
                  QUN_ASSIGN_OR_RETURN(auto txn, node.Begin("admission paid"));
                  QUN_RETURN_IF_ERROR(admission.MarkPaid(*txn, group, person));
                  QUN_RETURN_IF_ERROR(txn->Commit());
                  QUN_ASSIGN_OR_RETURN(auto a, admission.Get(group, person));
                  if (!a) return Status::Internal("the application vanished after writing it");
                  if (app.options.json)
                    app.PrintJson(ApplicationJson(*a));
                  else
                    app.Print(fmt::format("Marked the fee of {} for {} as paid\n", a->person_name,
                                          a->group_name));
                  return Status::Ok();
                });
  }

  {  // waitlist
    auto group_ref = std::make_shared<std::string>();
    CLI::App* cmd = adm->add_subcommand("waitlist", "a full group's waitlist, in order");
    cmd->add_option("GROUP", *group_ref, "group id, id prefix or name")->required();
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
        std::string out = fmt::format("{}: {}/{} members, {} waiting\n", g.name, g.active_members,
                                      g.capacity, waiting.size());
        if (!waiting.empty()) {
          Table t({"#", "PERSON", "WAITING SINCE"});
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
