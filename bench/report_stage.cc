#include "bench/report_stage.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "base/dates.h"
#include "community/registry.h"
#include "community/reports.h"
#include "core/db.h"

namespace qun::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Timed runs of each side after the warm one; the best counts.
constexpr int kRuns = 3;

// ---------------------------------------------------------------------------
// The hand-written SQL
//
// Written from the question, the way someone who knows the schema
// (core/sql/) would ask SQLite, one query per group as the CLI asks per
// group. The rules are the reports' (docs/operations.md):
//
// - A member holds a place (status active or muted; no status means
//   active), is not removed, and neither is the person or the group.
// - A fact counts once per person, kind, day and subject (ref): a check-in
//   two admins both recorded is one. Its day is text; one that is not a
//   real date counts nowhere (date(day, '+0 days') normalises 2026-02-30 to
//   2026-03-02, so only a real date equals it).
// - Instants (joined_at, status_at: unix ms) fall on the local day of the
//   machine ('localtime', as core::LocalDay).
// - Weeks run Monday to Sunday: date(d, 'weekday 0', '-6 days') is the
//   Monday of d's week.
//
// One membership row per group and person is assumed: its id derives from
// the two (Registry::MembershipId), so nothing here picks between two.

// Members with no activity for more than the number of days: neither their
// last activity nor their joining is on or after ?3 (as of ?2 minus the
// days). Never active first, then by name in pinyin order (the PINYIN
// collation core/db.cc registers, as the report sorts).
constexpr char kInactiveSql[] = R"sql(
WITH last AS (
  SELECT person_id, max(day) AS day FROM activity
  WHERE group_id = ?1 AND deleted = 0 AND day <= ?2 AND date(day, '+0 days') = day
  GROUP BY person_id),
members AS (
  SELECT m.person_id, coalesce(p.display_name, '') AS name, coalesce(l.day, '') AS last_day,
         CASE WHEN coalesce(m.joined_at, 0) <> 0
              THEN date(m.joined_at / 1000.0, 'unixepoch', 'localtime') ELSE '' END AS joined_day
  FROM membership m
  JOIN person p ON p.id = m.person_id AND p.deleted = 0
  JOIN chat_group g ON g.id = m.group_id AND g.deleted = 0
  LEFT JOIN last l ON l.person_id = m.person_id
  WHERE m.group_id = ?1 AND m.deleted = 0 AND coalesce(m.status, 'active') IN ('active', 'muted'))
SELECT person_id, last_day, joined_day FROM members
WHERE max(last_day, joined_day) < ?3
ORDER BY last_day, name COLLATE PINYIN, person_id
)sql";

// Members by engagement level: each member's facts in the group's level
// window (its settings, or the defaults of community/registry.h) ending on ?2,
// counted from the activity index by person (MATERIALIZED: inlined, the
// count would be run for each use of it). Per level: members, and those
// among them with any activity in the window.
constexpr char kLevelsSql[] = R"sql(
WITH g AS (
  SELECT id, coalesce(level_core, 12) AS core, coalesce(level_active, 4) AS active,
         date(?2, printf('%d days', 1 - coalesce(level_window_days, 30))) AS from_day
  FROM chat_group WHERE id = ?1 AND deleted = 0),
members AS MATERIALIZED (
  SELECT (SELECT count(*) FROM (
            SELECT DISTINCT a.kind, a.day, coalesce(a.ref, '') FROM activity a
            WHERE a.group_id = ?1 AND a.person_id = m.person_id AND a.deleted = 0
              AND a.day BETWEEN g.from_day AND ?2 AND date(a.day, '+0 days') = a.day)) AS n,
         g.core, g.active
  FROM membership m
  JOIN person p ON p.id = m.person_id AND p.deleted = 0
  JOIN g ON g.id = m.group_id
  WHERE m.group_id = ?1 AND m.deleted = 0 AND coalesce(m.status, 'active') IN ('active', 'muted'))
SELECT CASE WHEN n >= core THEN 'core' WHEN n >= active THEN 'active'
            WHEN n >= 1 THEN 'observer' ELSE 'lurker' END AS level,
       count(*), sum(n > 0)
FROM members GROUP BY level
)sql";

// Who joined and who left, per week from ?2 (a Monday) to ?3, and how many
// wait. Joined: let in at some point (holds a place, or left, was removed,
// purged or banned since), counted by joined_at; left: no longer holding a
// place after being in, counted by status_at.
constexpr char kMembershipWeeksSql[] = R"sql(
WITH m AS (
  SELECT coalesce(m.status, 'active') AS status, coalesce(m.joined_at, 0) AS joined_at,
         coalesce(m.status_at, 0) AS status_at
  FROM membership m
  JOIN person p ON p.id = m.person_id AND p.deleted = 0
  JOIN chat_group g ON g.id = m.group_id AND g.deleted = 0
  WHERE m.group_id = ?1 AND m.deleted = 0),
moves AS (
  SELECT 'joined' AS what, date(joined_at / 1000.0, 'unixepoch', 'localtime') AS day FROM m
  WHERE joined_at <> 0 AND status IN ('active', 'muted', 'left', 'removed', 'purged', 'banned')
  UNION ALL
  SELECT 'left', date(status_at / 1000.0, 'unixepoch', 'localtime') FROM m
  WHERE status_at <> 0 AND status IN ('left', 'removed', 'purged', 'banned'))
SELECT what, date(day, 'weekday 0', '-6 days'), count(*) FROM moves
WHERE day BETWEEN ?2 AND ?3 GROUP BY 1, 2
UNION ALL
SELECT 'waitlisted', NULL, count(*) FROM m WHERE status = 'waitlisted'
)sql";

// Activity per week from ?2 (a Monday) to ?3: facts by kind, and the
// people behind them (anyone, members or not).
constexpr char kActivityWeeksSql[] = R"sql(
WITH facts AS (
  SELECT DISTINCT person_id, kind, day, coalesce(ref, '') FROM activity
  WHERE group_id = ?1 AND deleted = 0 AND day BETWEEN ?2 AND ?3
    AND date(day, '+0 days') = day),
weekly AS (SELECT date(day, 'weekday 0', '-6 days') AS week, person_id, kind FROM facts)
SELECT week, coalesce(kind, ''), count(*), NULL FROM weekly GROUP BY week, kind
UNION ALL
SELECT week, NULL, NULL, count(DISTINCT coalesce(person_id, '')) FROM weekly GROUP BY week
)sql";

// What the SQL says, in the shape the comparison needs.
struct Inactive {
  std::string person_id, last_day, joined_day;
};

struct Health {
  int64_t members = 0, waitlisted = 0, active_members = 0;
  std::map<std::string, int64_t> levels;
  std::vector<core::Week> weeks;
};

struct SqlReports {
  core::Statement inactive, levels, membership_weeks, activity_weeks;
};

Result<SqlReports> PrepareSql(core::Database& db) {
  SqlReports q;
  QUN_ASSIGN_OR_RETURN(q.inactive, db.Prepare(kInactiveSql));
  QUN_ASSIGN_OR_RETURN(q.levels, db.Prepare(kLevelsSql));
  QUN_ASSIGN_OR_RETURN(q.membership_weeks, db.Prepare(kMembershipWeeksSql));
  QUN_ASSIGN_OR_RETURN(q.activity_weeks, db.Prepare(kActivityWeeksSql));
  return q;
}

Result<std::vector<Inactive>> SqlInactive(SqlReports& q, const std::string& group_id,
                                          int64_t as_of) {
  core::Statement& s = q.inactive;
  s.Reset();
  s.Bind(1, group_id).Bind(2, core::DayText(as_of)).Bind(3, core::DayText(as_of - kInactiveDays));
  std::vector<Inactive> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back({s.Text(0), s.Text(1), s.Text(2)});
  }
  return out;
}

Result<Health> SqlHealth(SqlReports& q, const std::string& group_id, int64_t as_of) {
  Health h;
  for (const std::string& level : core::kLevels) h.levels[level] = 0;
  const std::string as_of_text = core::DayText(as_of);
  core::Statement& levels = q.levels;
  levels.Reset();
  levels.Bind(1, group_id).Bind(2, as_of_text);
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, levels.Step());
    if (!row) break;
    h.levels[levels.Text(0)] += levels.Int(1);
    h.members += levels.Int(1);
    h.active_members += levels.Int(2);
  }

  // The weeks, oldest first, the last holding the as-of day; a row's week
  // is found by its Monday.
  const int64_t first_monday = as_of - core::Weekday(as_of) - 7 * (kHealthWeeks - 1);
  std::map<std::string, size_t> week_index;
  for (int64_t w = 0; w < kHealthWeeks; ++w) {
    core::Week week;
    week.start = core::DayText(first_monday + 7 * w);
    week_index[week.start] = h.weeks.size();
    h.weeks.push_back(week);
  }
  auto week = [&](const std::string& start) -> Result<core::Week*> {
    auto it = week_index.find(start);
    if (it == week_index.end())
      return Status::Internal(fmt::format("the SQL gave a week of {} outside the report", start));
    return &h.weeks[it->second];
  };
  const std::string first_text = core::DayText(first_monday);

  core::Statement& moves = q.membership_weeks;
  moves.Reset();
  moves.Bind(1, group_id).Bind(2, first_text).Bind(3, as_of_text);
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, moves.Step());
    if (!row) break;
    std::string what = moves.Text(0);
    if (what == "waitlisted") {
      h.waitlisted = moves.Int(2);
      continue;
    }
    QUN_ASSIGN_OR_RETURN(core::Week * w, week(moves.Text(1)));
    (what == "joined" ? w->joined : w->left) += moves.Int(2);
  }

  core::Statement& activity = q.activity_weeks;
  activity.Reset();
  activity.Bind(1, group_id).Bind(2, first_text).Bind(3, as_of_text);
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, activity.Step());
    if (!row) break;
    QUN_ASSIGN_OR_RETURN(core::Week * w, week(activity.Text(0)));
    if (activity.IsNull(1)) {
      w->active_people = activity.Int(3);
    } else {
      w->facts += activity.Int(2);
      w->by_kind[activity.Text(1)] += activity.Int(2);
    }
  }
  return h;
}

// ---------------------------------------------------------------------------
// Comparing

std::string Describe(const Inactive& e) {
  return fmt::format("{} (last active {}, joined {})", e.person_id,
                     e.last_day.empty() ? "never" : e.last_day,
                     e.joined_day.empty() ? "unknown" : e.joined_day);
}

Status CompareInactive(const std::string& group_id, const std::vector<core::Engagement>& qun,
                       const std::vector<Inactive>& sql) {
  for (size_t i = 0; i < std::max(qun.size(), sql.size()); ++i) {
    std::string a = i < qun.size()
                        ? Describe({qun[i].person_id, qun[i].last_day, qun[i].joined_day})
                        : "nobody";
    std::string b = i < sql.size() ? Describe(sql[i]) : "nobody";
    if (a != b)
      return Status::Internal(
          fmt::format("inactive members of group {} differ at row {} of {} (SQL {}): Qun says {}, "
                      "SQL says {}",
                      group_id, i + 1, qun.size(), sql.size(), a, b));
  }
  return Status::Ok();
}

std::string KindsText(const std::map<std::string, int64_t>& kinds) {
  std::string out;
  for (const auto& [k, n] : kinds) out += fmt::format("{}{}={}", out.empty() ? "" : " ", k, n);
  return "{" + out + "}";
}

Status CompareHealth(const std::string& group_id, const core::GroupHealth& qun, const Health& sql) {
  auto differ = [&](const std::string& what, const std::string& a, const std::string& b) {
    return Status::Internal(fmt::format(
        "health of group {} differs in {}: Qun says {}, SQL says {}", group_id, what, a, b));
  };
  auto check = [&](const std::string& what, int64_t a, int64_t b) {
    return a == b ? Status::Ok() : differ(what, std::to_string(a), std::to_string(b));
  };
  QUN_RETURN_IF_ERROR(check("members", qun.members, sql.members));
  QUN_RETURN_IF_ERROR(check("waitlisted", qun.waitlisted, sql.waitlisted));
  QUN_RETURN_IF_ERROR(check("active members", qun.active_members, sql.active_members));
  if (qun.levels != sql.levels)
    return differ("levels", KindsText(qun.levels), KindsText(sql.levels));
  if (qun.weeks.size() != sql.weeks.size())
    return check("the number of weeks", static_cast<int64_t>(qun.weeks.size()),
                 static_cast<int64_t>(sql.weeks.size()));
  for (size_t i = 0; i < qun.weeks.size(); ++i) {
    const core::Week &a = qun.weeks[i], &b = sql.weeks[i];
    std::string of = "the week of " + a.start;
    if (a.start != b.start) return differ(fmt::format("week {}", i + 1), a.start, b.start);
    QUN_RETURN_IF_ERROR(check(of + ": joined", a.joined, b.joined));
    QUN_RETURN_IF_ERROR(check(of + ": left", a.left, b.left));
    QUN_RETURN_IF_ERROR(check(of + ": activity", a.facts, b.facts));
    QUN_RETURN_IF_ERROR(check(of + ": active people", a.active_people, b.active_people));
    if (a.by_kind != b.by_kind)
      return differ(of + ": activity by kind", KindsText(a.by_kind), KindsText(b.by_kind));
  }
  return Status::Ok();
}

// Seconds `fn` takes.
template <typename Fn>
Result<double> Seconds(Fn&& fn) {
  auto start = Clock::now();
  QUN_RETURN_IF_ERROR(fn());
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

Result<ReportTimes> TimeReports(core::Store& store, int64_t as_of_day) {
  core::Database& db = store.db();
  std::vector<std::string> groups;
  {
    QUN_ASSIGN_OR_RETURN(core::Statement s,
                         db.Prepare("SELECT id FROM chat_group WHERE deleted=0 ORDER BY id"));
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      groups.push_back(s.Text(0));
    }
  }
  core::Registry registry(store);
  core::Reports reports(registry, store);
  QUN_ASSIGN_OR_RETURN(SqlReports sql, PrepareSql(db));

  // Each side's answers for every group, kept from the last run for the
  // comparison (and so that no run's work can be skipped).
  std::vector<std::vector<core::Engagement>> qun_inactive(groups.size());
  std::vector<std::vector<Inactive>> sql_inactive(groups.size());
  std::vector<core::GroupHealth> qun_health(groups.size());
  std::vector<Health> sql_health(groups.size());
  auto run_qun_inactive = [&]() -> Status {
    for (size_t i = 0; i < groups.size(); ++i) {
      QUN_ASSIGN_OR_RETURN(qun_inactive[i], reports.Inactive(groups[i], kInactiveDays, as_of_day));
    }
    return Status::Ok();
  };
  auto run_sql_inactive = [&]() -> Status {
    for (size_t i = 0; i < groups.size(); ++i) {
      QUN_ASSIGN_OR_RETURN(sql_inactive[i], SqlInactive(sql, groups[i], as_of_day));
    }
    return Status::Ok();
  };
  auto run_qun_health = [&]() -> Status {
    for (size_t i = 0; i < groups.size(); ++i) {
      QUN_ASSIGN_OR_RETURN(qun_health[i], reports.Health(groups[i], kHealthWeeks, as_of_day));
    }
    return Status::Ok();
  };
  auto run_sql_health = [&]() -> Status {
    for (size_t i = 0; i < groups.size(); ++i) {
      QUN_ASSIGN_OR_RETURN(sql_health[i], SqlHealth(sql, groups[i], as_of_day));
    }
    return Status::Ok();
  };

  ReportTimes t;
  t.groups = static_cast<int64_t>(groups.size());
  t.qun_inactive_s = t.sql_inactive_s = t.qun_health_s = t.sql_health_s = 1e300;
  // One warm run, then the timed ones; the two sides take turns, so that
  // whatever else the machine does falls on both.
  for (int run = 0; run <= kRuns; ++run) {
    QUN_ASSIGN_OR_RETURN(double qi, Seconds(run_qun_inactive));
    QUN_ASSIGN_OR_RETURN(double si, Seconds(run_sql_inactive));
    QUN_ASSIGN_OR_RETURN(double qh, Seconds(run_qun_health));
    QUN_ASSIGN_OR_RETURN(double sh, Seconds(run_sql_health));
    if (run == 0) continue;
    t.qun_inactive_s = std::min(t.qun_inactive_s, qi);
    t.sql_inactive_s = std::min(t.sql_inactive_s, si);
    t.qun_health_s = std::min(t.qun_health_s, qh);
    t.sql_health_s = std::min(t.sql_health_s, sh);
  }

  for (size_t i = 0; i < groups.size(); ++i) {
    QUN_RETURN_IF_ERROR(CompareInactive(groups[i], qun_inactive[i], sql_inactive[i]));
    QUN_RETURN_IF_ERROR(CompareHealth(groups[i], qun_health[i], sql_health[i]));
    t.inactive_rows += static_cast<int64_t>(qun_inactive[i].size());
    t.health_weeks += static_cast<int64_t>(qun_health[i].weeks.size());
  }
  return t;
}

}  // namespace qun::bench
