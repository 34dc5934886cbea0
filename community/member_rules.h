// The routine care of a group's members, with its rules: dues paid until a
// day, the self-introduction and group nickname a newcomer posts, who does
// not follow the group's nickname convention, and who a purge of the
// inactive would take. Front ends call these; none keeps a rule of its own.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "community/registry.h"
#include "community/reports.h"
#include "core/oplog.h"

namespace qun::core {

// Records `m`'s dues: paid until `until` (YYYY-MM-DD), or for `months` (1
// to 120) more months from the current end, or from `today` when that has
// passed. Exactly one of the two. Returns the day paid until.
Result<std::string> RecordDues(WriteTxn& txn, const Membership& m,
                               const std::optional<std::string>& until,
                               const std::optional<int64_t>& months, int64_t today);

// Records `m`'s self-introduction (when not empty) and group nickname (when
// given), each checked as text first.
Status RecordIntro(WriteTxn& txn, const Membership& m, const std::string& intro,
                   const std::optional<std::string>& nickname);

struct NicknameFinding {
  Membership membership;
  std::string nickname;  // in the group, else on the person's record
  std::string problem;   // how it misses the convention
};
struct NicknameCheck {
  size_t checked = 0;
  std::vector<NicknameFinding> not_following;
};
// Checks every member of `g` against its nickname convention
// (InvalidArgument when it has none that can be used).
Result<NicknameCheck> CheckNicknames(Registry& registry, const Group& g);

struct PurgeCandidate {
  std::string person_id, person_name;
  std::string last_active;  // a day, or "never"
};
// The members of `group_id` inactive for more than `days` up to `as_of`
// that a purge would take: admins and owners of the chat run it, so they
// are never purged.
Result<std::vector<PurgeCandidate>> PurgeCandidates(Reports& reports, const std::string& group_id,
                                                    int64_t days, int64_t as_of);

// What a purge would take, and what it rests on: inactivity means something
// only where activity is recorded at all.
struct PurgePlan {
  std::vector<PurgeCandidate> who;
  int64_t members = 0;  // holding a place, admins and owners included
  // The group's activity on record up to the day, by kind (checkin: 12);
  // empty when nothing was ever recorded.
  std::map<std::string, int64_t> on_record;
  // The share of the members it takes, rounded to the nearest percent.
  int64_t percent() const {
    return members ? (200 * static_cast<int64_t>(who.size()) + members) / (2 * members) : 0;
  }
};
Result<PurgePlan> PlanPurge(Registry& registry, Reports& reports, Database& db,
                            const std::string& group_id, int64_t days, int64_t as_of);

// What a purge may do without being told twice.
struct PurgeLimits {
  int64_t today = 0;         // a day number
  int64_t max_percent = 30;  // of the group's members, beyond which --yes is needed
  bool yes = false;          // a larger share is intended
  bool anyway = false;       // apply although the group has no activity on record
};
// Why `plan` may not be applied as asked (InvalidArgument for a day still
// to come, Conflict for what needs --yes or --anyway), else OK.
Status CheckPurgeApply(const PurgePlan& plan, const Group& g, int64_t as_of,
                       const PurgeLimits& limits);

}  // namespace qun::core
