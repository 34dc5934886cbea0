// One person across all subgroups: is this person already in another group,
// or banned somewhere? Every group they have a membership in (role, status,
// nickname, dues), their warnings and recent activity per group, the
// community ban if any, their event sign-ups and their applications. Read
// from the materialized tables only; nothing is written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "community/registry.h"
#include "community/warnings.h"
#include "core/store.h"

namespace qun::core {

// How many days back "recent activity" counts, today included.
constexpr int64_t kPersonActivityDays = 30;

// The person in one group. A group where they have warnings or activity
// but no membership row (merged from elsewhere) is listed with member false.
struct PersonGroup {
  std::string group_id, group_name, group_status;
  bool member = false;
  std::string role, status, nickname, paid_until;
  int64_t joined_at = 0, status_at = 0;
  int64_t warnings = 0, warning_limit = 0;
  std::string last_warning_reason;
  int64_t last_warning_at = 0;
  int64_t recent_activity = 0;    // activity facts on the last kPersonActivityDays days
  std::string last_activity_day;  // YYYY-MM-DD; empty when none
};

struct PersonSignup {
  std::string event_id, event_title, event_status, group_id, group_name;
  int64_t starts_at = 0;
  std::string status;  // in or withdrawn
  int64_t guests = 0;
};

struct PersonApplication {
  std::string id, group_id, group_name;
  // pending, approved, waitlisted or rejected, as `qun admission list` says.
  std::string status, reason;
  bool paid = false;
  int64_t applied_at = 0, decided_at = 0;
};

struct PersonView {
  Person person;
  std::optional<Ban> ban;  // the community ban, lifted or not
  std::vector<PersonGroup> groups;
  std::vector<PersonSignup> signups;  // newest event first
  std::vector<PersonApplication> applications;
  std::string activity_since;  // the first day recent activity counts

  bool BannedFromCommunity() const { return ban && ban->active; }
  // Names of the groups whose membership is banned.
  std::vector<std::string> BannedIn() const;
};

// NotFound when the person does not exist (or is removed).
Result<PersonView> GetPersonView(Store& store, const std::string& person_id);

}  // namespace qun::core
