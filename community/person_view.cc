#include "community/person_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "base/dates.h"
#include "base/i18n.h"
#include "community/admission.h"
#include "core/db.h"

namespace qun::core {

std::vector<std::string> PersonView::BannedIn() const {
  std::vector<std::string> out;
  for (const auto& g : groups)
    if (g.status == "banned") out.push_back(g.group_name);
  return out;
}

namespace {

// The entry of `group_id`, added (as a group without membership) when new.
PersonGroup& EntryFor(std::vector<PersonGroup>& groups, std::map<std::string, size_t>& index,
                      const std::string& group_id, const std::string& group_name) {
  auto it = index.find(group_id);
  if (it != index.end()) return groups[it->second];
  PersonGroup g;
  g.group_id = group_id;
  g.group_name = group_name;
  index[group_id] = groups.size();
  groups.push_back(std::move(g));
  return groups.back();
}

Status ReadSignups(Store& store, PersonView& v) {
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store.db().Prepare(
          "SELECT s.event_id, coalesce(e.title,''), coalesce(e.status,''), e.group_id, g.name, "
          "coalesce(e.starts_at,0), coalesce(s.status,''), coalesce(s.guests,0) FROM signup s "
          // Only sign-ups under the event's own group count (community/events.h).
          "JOIN event e ON e.id = s.event_id AND e.deleted = 0 AND e.group_id = s.group_id "
          "JOIN chat_group g ON g.id = e.group_id AND g.deleted = 0 "
          "WHERE s.person_id = ? AND s.deleted = 0 ORDER BY e.starts_at DESC, s.id"));
  s.Bind(1, v.person.id);
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    PersonSignup x;
    x.event_id = s.Text(0);
    x.event_title = s.Text(1);
    x.event_status = s.Text(2);
    x.group_id = s.Text(3);
    x.group_name = s.Text(4);
    x.starts_at = s.Int(5);
    x.status = s.Text(6);
    x.guests = s.Int(7);
    v.signups.push_back(std::move(x));
  }
  return Status::Ok();
}

Status ReadApplications(Store& store, PersonView& v) {
  // Through Admission, so that an application's status here is the one
  // `qun admission list` shows: where the membership stands.
  Registry reg(store);
  Admission admission(reg, store);
  QUN_ASSIGN_OR_RETURN(auto all, admission.List(std::nullopt, std::nullopt));
  for (const Application& app : all) {
    if (app.person_id != v.person.id) continue;
    PersonApplication a;
    a.id = app.id;
    a.group_id = app.group_id;
    a.group_name = app.group_name;
    a.paid = app.paid;
    a.applied_at = app.applied_at;
    a.status = app.status;
    a.reason = app.reason;
    a.decided_at = app.decided_at;
    v.applications.push_back(std::move(a));
  }
  std::stable_sort(v.applications.begin(), v.applications.end(),
                   [](const PersonApplication& x, const PersonApplication& y) {
                     return x.applied_at > y.applied_at;
                   });
  return Status::Ok();
}

}  // namespace

Result<PersonView> GetPersonView(Store& store, const std::string& person_id) {
  Registry reg(store);
  QUN_ASSIGN_OR_RETURN(auto removed, reg.PersonRemoved(person_id));
  if (!removed || *removed)
    return Status::NotFound(
        i18n::Format(_("no person with id {}; list people with `qun member list`"), person_id));
  PersonView v;
  QUN_ASSIGN_OR_RETURN(v.person, reg.GetPerson(person_id));
  QUN_ASSIGN_OR_RETURN(v.ban, GetBan(store, person_id));

  std::map<std::string, size_t> index;
  MembershipFilter mf;
  mf.person_id = person_id;
  QUN_ASSIGN_OR_RETURN(auto memberships, reg.ListMemberships(mf));
  for (const auto& m : memberships) {
    PersonGroup& g = EntryFor(v.groups, index, m.group_id, m.group_name);
    g.member = true;
    g.role = m.role;
    g.status = m.status;
    g.nickname = m.nickname;
    g.paid_until = m.paid_until;
    g.joined_at = m.joined_at;
    g.status_at = m.status_at;
  }

  WarningFilter wf;
  wf.person_id = person_id;
  QUN_ASSIGN_OR_RETURN(auto warnings, ListWarnings(store, wf));
  for (const auto& w : warnings) {  // newest first
    PersonGroup& g = EntryFor(v.groups, index, w.group_id, w.group_name);
    if (g.warnings++ == 0) {
      g.last_warning_reason = w.reason;
      g.last_warning_at = w.given_at;
    }
  }

  int64_t today = Today(store);
  v.activity_since = DayText(today - kPersonActivityDays + 1);
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store.db().Prepare("SELECT a.group_id, g.name, sum(CASE WHEN a.day >= ?2 THEN 1 ELSE 0 END), "
                         "coalesce(max(a.day),'') FROM activity a JOIN chat_group g ON g.id = "
                         "a.group_id AND g.deleted = 0 WHERE a.person_id = ?1 AND a.deleted = 0 "
                         "GROUP BY a.group_id, g.name"));
  s.Bind(1, person_id).Bind(2, v.activity_since);
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    PersonGroup& g = EntryFor(v.groups, index, s.Text(0), s.Text(1));
    g.recent_activity = s.Int(2);
    g.last_activity_day = s.Text(3);
  }

  for (auto& g : v.groups) {
    QUN_ASSIGN_OR_RETURN(Group group, reg.GetGroup(g.group_id));
    g.group_status = group.status;
    g.warning_limit = group.warning_limit;
  }
  // Memberships first (in the registry's order: by group name), then the
  // groups known only from warnings or activity.
  std::stable_sort(v.groups.begin(), v.groups.end(),
                   [](const PersonGroup& a, const PersonGroup& b) { return a.member > b.member; });
  QUN_RETURN_IF_ERROR(ReadSignups(store, v));
  QUN_RETURN_IF_ERROR(ReadApplications(store, v));
  return v;
}

}  // namespace qun::core
