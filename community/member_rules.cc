#include "community/member_rules.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/dates.h"
#include "base/i18n.h"
#include "base/text.h"
#include "community/entry_ritual.h"
#include "core/ids.h"

namespace qun::core {

Result<std::string> RecordDues(WriteTxn& txn, const Membership& m,
                               const std::optional<std::string>& until,
                               const std::optional<int64_t>& months, int64_t today) {
  if (until.has_value() == months.has_value())
    return Status::InvalidArgument(_("give --until YYYY-MM-DD or --months N"));
  if (months && (*months < 1 || *months > 120))
    return Status::InvalidArgument(_("--months must be between 1 and 120"));
  std::string day;
  if (until) {
    if (!ParseDayNumber(*until))
      return Status::InvalidArgument(
          i18n::Format(_("'{}' is not a date: write it as YYYY-MM-DD (e.g. 2027-06-30)"), *until));
    day = *until;
  } else {
    int64_t from = std::max(today, ParseDayNumber(m.paid_until).value_or(today));
    day = AddMonths(from, *months);
  }
  QUN_RETURN_IF_ERROR(txn.Set("membership", m.id, "paid_until", day).status());
  return day;
}

Status RecordIntro(WriteTxn& txn, const Membership& m, const std::string& intro,
                   const std::optional<std::string>& nickname) {
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "introduction"), intro));
  if (nickname) QUN_RETURN_IF_ERROR(CheckText(C_("field", "nickname"), *nickname));
  if (!intro.empty()) QUN_RETURN_IF_ERROR(txn.Set("membership", m.id, "intro", intro).status());
  if (nickname)
    QUN_RETURN_IF_ERROR(txn.Set("membership", m.id, "nickname", text::Trim(*nickname)).status());
  return Status::Ok();
}

Result<NicknameCheck> CheckNicknames(Registry& registry, const Group& g) {
  auto pattern = ParseNicknamePattern(g.nickname_pattern);
  if (!pattern)
    return Status::InvalidArgument(i18n::Format(
        g.nickname_pattern.empty()
            ? _("{} has no nickname convention; set one with `qun group edit {} "
                "--nickname-pattern city-name-trade`")
            : _("{} has no usable nickname convention; set one with `qun group edit {} "
                "--nickname-pattern city-name-trade`"),
        g.name, ShortId(g.id)));
  QUN_ASSIGN_OR_RETURN(auto members, registry.Members(g.id));
  NicknameCheck out;
  for (const auto& m : members) {
    ++out.checked;
    // The nickname in this group, else the one on their record.
    std::string nickname = m.nickname;
    if (nickname.empty()) {
      QUN_ASSIGN_OR_RETURN(Person p, registry.GetPerson(m.person_id));
      nickname = p.nickname;
    }
    std::string problem = NicknameProblem(*pattern, nickname);
    if (!problem.empty()) out.not_following.push_back({m, nickname, problem});
  }
  return out;
}

Result<std::vector<PurgeCandidate>> PurgeCandidates(Reports& reports, const std::string& group_id,
                                                    int64_t days, int64_t as_of) {
  QUN_ASSIGN_OR_RETURN(auto list, reports.Inactive(group_id, days, as_of));
  std::vector<PurgeCandidate> out;
  for (const auto& e : list) {
    if (e.role == "admin" || e.role == "owner") continue;
    out.push_back({e.person_id, e.person_name, e.last_day.empty() ? "never" : e.last_day});
  }
  return out;
}

Result<PurgePlan> PlanPurge(Registry& registry, Reports& reports, Database& db,
                            const std::string& group_id, int64_t days, int64_t as_of) {
  PurgePlan plan;
  QUN_ASSIGN_OR_RETURN(plan.who, PurgeCandidates(reports, group_id, days, as_of));
  QUN_ASSIGN_OR_RETURN(auto members, registry.Members(group_id));
  plan.members = static_cast<int64_t>(members.size());
  QUN_ASSIGN_OR_RETURN(Statement s,
                       db.Prepare("SELECT kind, count(*) FROM activity WHERE group_id = ? AND "
                                  "deleted = 0 AND day <= ? GROUP BY kind ORDER BY kind"));
  s.Bind(1, group_id);
  s.Bind(2, DayText(as_of));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    plan.on_record[s.Text(0)] = s.Int(1);
  }
  return plan;
}

Status CheckPurgeApply(const PurgePlan& plan, const Group& g, int64_t as_of,
                       const PurgeLimits& limits) {
  if (as_of > limits.today)
    return Status::InvalidArgument(i18n::Format(
        _("--as-of {} is still to come: a purge applies what has happened; leave --as-of out, or "
          "give today or a day before (a dry run may look ahead)"),
        DayText(as_of)));
  if (plan.who.empty()) return Status::Ok();
  if (plan.on_record.empty() && !limits.anyway)
    return Status::Conflict(i18n::Format(
        _("'{}' has no activity on record (no check-ins, homework, talks, shares or attendance), "
          "so everyone looks inactive; record activity first, or pass --anyway if the purge is "
          "meant"),
        g.name));
  // Compared exactly: 1 of 3 is more than 30% though it shows as 33%.
  if (100 * static_cast<int64_t>(plan.who.size()) > limits.max_percent * plan.members &&
      !limits.yes)
    return Status::Conflict(i18n::Format(_("this would purge {0} of the {1} members of '{2}' "
                                           "({3}%), more than {4}%; look at the list "
                                           "(without --apply), then add --yes if it is right"),
                                         plan.who.size(), plan.members, g.name, plan.percent(),
                                         limits.max_percent));
  return Status::Ok();
}

}  // namespace qun::core
