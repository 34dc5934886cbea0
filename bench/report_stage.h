// The reports stage of the bench (issue 7): `qun report inactive` and
// `qun report health` over every group of a store, timed against the
// hand-written SQL a competent person would use to answer the same
// questions, which sets the bar (Qun's reports should take at most 1/0.8 of
// its time).
//
// Both sides answer from the same connection and the same data, and the
// stage checks that they agree, group by group: the same inactive people in
// the same order (with their last active and joined days), and the same
// health figures (members, waiting, active members, levels, and every week's
// joined, left, activity, active people and activity by kind). A difference
// is an error naming the group and what differs: a fast report that is
// wrong is worth nothing.
#pragma once

#include <cstdint>

#include "base/status.h"
#include "core/store.h"

namespace qun::bench {

// The defaults of the CLI (cli/cmd_report.cc): `qun report inactive --days
// 60d` and `qun report health --weeks 8`.
inline constexpr int64_t kInactiveDays = 60;
inline constexpr int64_t kHealthWeeks = 8;

struct ReportTimes {
  // Seconds over every group: the best of a few runs of each, after a warm
  // run, so that neither side pays for a cold page cache.
  double qun_inactive_s = 0, sql_inactive_s = 0, qun_health_s = 0, sql_health_s = 0;
  int64_t groups = 0;         // groups reported on (chat_group rows not deleted)
  int64_t inactive_rows = 0;  // inactive members, summed over the groups
  int64_t health_weeks = 0;   // weeks of health figures, summed over the groups
};

// Runs Reports::Inactive and Reports::Health for every group of `store`
// as of `as_of_day` (a day number, core::ParseDayNumber), then the
// hand-written SQL for the same answers; checks that they agree.
Result<ReportTimes> TimeReports(core::Store& store, int64_t as_of_day);

}  // namespace qun::bench
