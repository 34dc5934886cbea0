#include "community/admission.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/dates.h"
#include "base/i18n.h"
#include "base/text.h"
#include "core/ids.h"
#include "core/log_reads.h"

namespace qun::core {

const std::vector<std::string> kApplicationStatuses = {"pending", "approved", "waitlisted",
                                                       "rejected"};

namespace {

// Where an applicant stands, from their membership's status and the
// decision: the membership is the one truth of whether they are in.
std::string StatusOf(const std::string& membership_status, const std::string& decided) {
  // No membership row (written by hand, or not arrived yet): the decision,
  // if any, says it.
  if (membership_status.empty())
    return decided == "approved" || decided == "rejected" ? decided : "pending";
  if (membership_status == "applicant") return "pending";
  if (membership_status == "waitlisted") return "waitlisted";
  if (membership_status == "rejected") return "rejected";
  // In the group (or was, and left since): approved, or let in directly
  // with `qun member join`.
  return "approved";
}

std::string DecisionJson(const std::string& status, const std::string& reason,
                         const std::string& by, int64_t at) {
  nlohmann::json j = {{"status", status}, {"reason", reason}, {"by", by}, {"at", at}};
  return j.dump();
}

}  // namespace

std::string Admission::ApplicationId(const std::string& group_id, const std::string& person_id) {
  return GroupRowId(group_id, DerivedId("application", group_id + " " + person_id));
}

Status Admission::Apply(WriteTxn& txn, const std::string& group_id, const std::string& person_id,
                        const ApplyInput& in) {
  QUN_ASSIGN_OR_RETURN(Group g, registry_.GetGroup(group_id));
  QUN_ASSIGN_OR_RETURN(Person p, registry_.GetPerson(person_id));
  if (g.status == "archived")
    return Status::Conflict(
        i18n::Format(_("the group '{}' is archived and takes no applications"), g.name));
  if (in.answers.size() != g.questions.size()) {
    if (g.questions.empty())
      return Status::InvalidArgument(i18n::Format(
          _("the group '{}' has no screening questions, so an application takes no --answer; "
            "add questions with `qun group edit {} --question TEXT` (one per question)"),
          g.name, ShortId(group_id)));
    std::string list;
    for (size_t i = 0; i < g.questions.size(); ++i)
      list += fmt::format("\n  {}. {}", i + 1, g.questions[i]);
    return Status::InvalidArgument(
        i18n::Format(P_("the group '{}' asks {} screening question; give one --answer for each, "
                        "in this order (got {}):{}",
                        "the group '{}' asks {} screening questions; give one --answer for each, "
                        "in this order (got {}):{}",
                        static_cast<int64_t>(g.questions.size())),
                     g.name, g.questions.size(), in.answers.size(), list));
  }
  nlohmann::json answers = nlohmann::json::array();
  for (size_t i = 0; i < in.answers.size(); ++i) {
    QUN_RETURN_IF_ERROR(CheckText(C_("field", "answer"), in.answers[i]));
    std::string a = text::Trim(in.answers[i]);
    if (a.empty())
      return Status::InvalidArgument(i18n::Format(
          _("the answer to \"{}\" is empty; every question needs an answer"), g.questions[i]));
    answers.push_back({{"q", g.questions[i]}, {"a", a}});
  }
  QUN_ASSIGN_OR_RETURN(auto m, registry_.GetMembership(group_id, person_id));
  if (m) {
    const std::string& s = m->status;
    if (HoldsPlace(s))
      return Status::Conflict(
          i18n::Format(_("{} is already a member of '{}' (status {})"), p.display_name, g.name, s));
    if (s == "waitlisted")
      return Status::Conflict(
          i18n::Format(_("{} is already on the waitlist of '{}'"), p.display_name, g.name));
    if (s == "applicant")
      return Status::Conflict(i18n::Format(
          _("{} has already applied to '{}'; decide with `qun admission approve {} {}` or `qun "
            "admission reject {} {} --reason TEXT`"),
          p.display_name, g.name, ShortId(group_id), ShortId(person_id), ShortId(group_id),
          ShortId(person_id)));
    if (s == "banned")
      return Status::Conflict(i18n::Format(
          _("{} is banned from '{}'; lift the ban with `qun member set-status {} {} left` before "
            "they apply again"),
          p.display_name, g.name, ShortId(group_id), ShortId(person_id)));
  }
  QUN_ASSIGN_OR_RETURN(auto ban, registry_.BanReason(person_id));
  if (ban)
    return Status::Conflict(i18n::Format(
        _("{} is banned from the whole community ({}); an owner can lift it with `qun unban {}`"),
        p.display_name, ban->empty() ? std::string(_("no reason given")) : *ban,
        ShortId(person_id)));

  std::string id = ApplicationId(group_id, person_id);
  QUN_ASSIGN_OR_RETURN(auto before, Get(group_id, person_id));
  QUN_RETURN_IF_ERROR(txn.Set("application", id, "person_id", person_id).status());
  QUN_RETURN_IF_ERROR(txn.Set("application", id, "answers", answers.dump()).status());
  QUN_RETURN_IF_ERROR(txn.Set("application", id, "paid", int64_t{in.paid}).status());
  QUN_RETURN_IF_ERROR(txn.Set("application", id, "applied_at", NowMs(store_)).status());
  // Applying again after a rejection starts afresh.
  if (before && before->decided_at != 0)
    QUN_RETURN_IF_ERROR(txn.Set("application", id, "decision", Value{}).status());
  QUN_RETURN_IF_ERROR(txn.Set("application", id, "deleted", int64_t{0}).status());
  return registry_.SetMembershipStatus(txn, group_id, person_id, "applicant");
}

Result<Application> Admission::Pending(const std::string& group_id, const std::string& person_id) {
  QUN_ASSIGN_OR_RETURN(auto a, Get(group_id, person_id));
  if (!a) {
    QUN_ASSIGN_OR_RETURN(Group g, registry_.GetGroup(group_id));
    QUN_ASSIGN_OR_RETURN(Person p, registry_.GetPerson(person_id));
    return Status::NotFound(i18n::Format(
        _("{} has not applied to '{}'; record an application with `qun admission apply {} {}`"),
        p.display_name, g.name, ShortId(group_id), ShortId(person_id)));
  }
  if (a->status != "pending") {
    if (!a->decided_at)
      return Status::Conflict(
          i18n::Format(_("the application of {} to '{}' is already {}; `qun member set-status` "
                         "changes a membership directly"),
                       a->person_name, a->group_name, a->status));
    return Status::Conflict(i18n::Format(
        _("the application of {} to '{}' is already {} by {} on {}{}; `qun member set-status` "
          "changes a membership directly"),
        a->person_name, a->group_name, a->status,
        a->decided_by_name.empty() ? ShortId(a->decided_by) : a->decided_by_name,
        FormatLocalTime(a->decided_at), a->reason.empty() ? "" : " (" + a->reason + ")"));
  }
  return *a;
}

Result<std::string> Admission::Approve(WriteTxn& txn, const std::string& group_id,
                                       const std::string& person_id, const Approval& approval,
                                       const std::string& by) {
  QUN_ASSIGN_OR_RETURN(Application a, Pending(group_id, person_id));
  QUN_ASSIGN_OR_RETURN(Group g, registry_.GetGroup(group_id));
  if (g.status == "archived")
    return Status::Conflict(i18n::Format(_("the group '{}' is archived"), g.name));
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "reason"), approval.reason));
  bool paid_group = g.admission == "paid";
  if (paid_group && !a.paid && !approval.waive_fee)
    return Status::Conflict(i18n::Format(
        _("'{}' is a paid group and {} has not paid the fee; mark it paid with `qun admission "
          "paid {} {}`, or approve with --waive-fee"),
        g.name, a.person_name, ShortId(group_id), ShortId(person_id)));
  std::optional<std::string> paid_until = approval.paid_until;
  if (paid_until && !ParseDayNumber(*paid_until))
    return Status::InvalidArgument(i18n::Format(
        _("'{}' is not a date: write the paid-until date as YYYY-MM-DD"), *paid_until));
  int64_t now = NowMs(store_);
  if (paid_group && !paid_until) paid_until = DayText(LocalDay(now) + 365);

  // Those already waiting come first: free places go to them before this
  // applicant (places a concurrent change freed may not have been handed
  // out yet).
  QUN_RETURN_IF_ERROR(registry_.PromoteWaitlist(txn, group_id).status());
  QUN_ASSIGN_OR_RETURN(g, registry_.GetGroup(group_id));
  std::string status = g.active_members >= g.capacity ? "waitlisted" : "active";
  std::string mid = Registry::MembershipId(group_id, person_id);
  // One decision: the status and the record of who decided win or lose
  // together against a concurrent decision elsewhere.
  std::vector<WriteTxn::FieldWrite> writes = {
      {"membership", mid, "status", status},
      {"membership", mid, "status_at", now},
      {"membership", mid, "joined_at", now},
      {"application", a.id, "decision",
       DecisionJson("approved", text::Trim(approval.reason), by, now)}};
  if (paid_until) writes.push_back({"membership", mid, "paid_until", *paid_until});
  QUN_RETURN_IF_ERROR(txn.SetTogether(writes));
  return status;
}

Status Admission::Reject(WriteTxn& txn, const std::string& group_id, const std::string& person_id,
                         const std::string& reason, const std::string& by) {
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "reason"), reason));
  if (text::Trim(reason).empty())
    return Status::InvalidArgument(
        _("a rejection needs a reason (--reason TEXT): the applicant and the other admins will "
          "ask"));
  QUN_ASSIGN_OR_RETURN(Application a, Pending(group_id, person_id));
  int64_t now = NowMs(store_);
  std::string mid = Registry::MembershipId(group_id, person_id);
  return txn.SetTogether(
      {{"membership", mid, "status", std::string("rejected")},
       {"membership", mid, "status_at", now},
       {"application", a.id, "decision", DecisionJson("rejected", text::Trim(reason), by, now)}});
}

Status Admission::MarkPaid(WriteTxn& txn, const std::string& group_id,
                           const std::string& person_id) {
  QUN_ASSIGN_OR_RETURN(auto a, Get(group_id, person_id));
  if (!a)
    return Status::NotFound(i18n::Format(
        _("there is no application to mark paid; record one with `qun admission apply {} {} "
          "--paid`"),
        ShortId(group_id), ShortId(person_id)));
  return txn.Set("application", a->id, "paid", int64_t{1}).status();
}

Result<std::optional<Application>> Admission::Get(const std::string& group_id,
                                                  const std::string& person_id) {
  QUN_ASSIGN_OR_RETURN(auto list, List(group_id, std::nullopt));
  for (auto& a : list)
    if (a.person_id == person_id) return std::optional<Application>(std::move(a));
  return std::optional<Application>();
}

Result<std::vector<Application>> Admission::List(const std::optional<std::string>& group_id,
                                                 const std::optional<std::string>& status) {
  if (status)
    QUN_RETURN_IF_ERROR(
        CheckEnum(C_("field", "application status"), *status, kApplicationStatuses));
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store_.db().Prepare(fmt::format(
          "SELECT a.id, a.group_id, coalesce(g.name,''), a.person_id, "
          "coalesce(p.display_name,''), coalesce(a.answers,'[]'), coalesce(a.paid,0), "
          "coalesce(a.applied_at,0), coalesce(a.decision,''), coalesce(m.status,''), "
          "coalesce(n.name,''), coalesce({0},'') "
          "FROM application a JOIN person p ON p.id=a.person_id JOIN chat_group g ON "
          "g.id=a.group_id LEFT JOIN membership m ON m.group_id=a.group_id AND "
          "m.person_id=a.person_id AND m.deleted=0 LEFT JOIN node n ON n.id = {0} "
          "WHERE a.deleted=0 AND p.deleted=0 AND g.deleted=0 AND (?1 IS NULL OR a.group_id=?1) "
          "ORDER BY coalesce(a.applied_at,0), a.id",
          FieldWriterSql("application", "a.id", "decision"))));
  if (group_id) s.Bind(1, *group_id);
  std::vector<Application> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    Application a;
    a.id = s.Text(0);
    a.group_id = s.Text(1);
    a.group_name = s.Text(2);
    a.person_id = s.Text(3);
    a.person_name = s.Text(4);
    // Fields another node wrote are read leniently: a damaged document
    // shows as empty rather than hiding the application.
    nlohmann::json answers = nlohmann::json::parse(s.Text(5), nullptr, false);
    if (answers.is_array())
      for (const auto& qa : answers)
        if (qa.is_object() && qa.value("q", nlohmann::json()).is_string() &&
            qa.value("a", nlohmann::json()).is_string())
          a.answers.emplace_back(qa["q"].get<std::string>(), qa["a"].get<std::string>());
    a.paid = s.Int(6) != 0;
    a.applied_at = s.Int(7);
    std::string decided;
    nlohmann::json d = nlohmann::json::parse(s.Text(8), nullptr, false);
    if (d.is_object()) {
      auto text = [&](const char* k) {
        auto it = d.find(k);
        return it != d.end() && it->is_string() ? it->get<std::string>() : std::string();
      };
      decided = text("status");
      a.reason = text("reason");
      // Not the document's "by": that is whatever its writer typed. Who
      // decided is the node that signed the decision (below).
      auto at = d.find("at");
      if (at != d.end() && at->is_number_integer()) a.decided_at = at->get<int64_t>();
    }
    a.membership_status = s.Text(9);
    if (!decided.empty()) {
      a.decided_by = s.Text(11);
      a.decided_by_name = s.Text(10);
    }
    a.status = StatusOf(a.membership_status, decided);
    if (status && a.status != *status) continue;
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace qun::core
