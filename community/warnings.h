// Rules, warnings and bans.
//
// A warning is a fact given to a person under one group's rules: an
// insert-only row with a random id (table warning), so two admins who warn
// the same person at the same time on two nodes both keep their warning.
// Removing one (a mistake) is a tombstone. A group's warning_limit says how
// many warnings make a person due for removal or a ban; admins decide, Qun
// lists who is due.
//
// A ban from the whole community is one row per person (id DerivedId(ban,
// person)), written by an owner: banning sets every membership the person
// has to "banned" as well, so each group's admins see it where they look.
// Lifting the ban (active = 0) leaves those memberships banned: each
// group's admins decide whether to take the person back (`qun member
// set-status G P active`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "community/group_rows.h"
#include "core/oplog.h"
#include "core/store.h"

namespace qun::core {

// How references to warnings are resolved (community/group_rows.h): by id, or
// by the exact reason.
extern const GroupRowKind kWarningKind;

struct Warning {
  std::string id, group_id, group_name, person_id, person_name, reason;
  // The node (public key, hex) that signed the write of the warning's
  // given_by field, and its name when known: the field's own value is only
  // what its writer claimed, so it is not shown.
  std::string given_by;
  std::string given_by_name;
  int64_t given_at = 0;
};

struct WarningFilter {
  std::optional<std::string> group_id, person_id;
};

// Records a warning to `person_id` in `group_id`, given by node
// `given_by` (hex) now. The person must have a membership in the group,
// whatever its status (a warning may come right before a removal);
// NotFound otherwise. InvalidArgument for an empty reason. Returns its id.
Result<std::string> GiveWarning(WriteTxn& txn, const std::string& group_id,
                                const std::string& person_id, const std::string& reason,
                                const std::string& given_by);
// Tombstones a live warning (its row id).
Status RemoveWarning(WriteTxn& txn, const std::string& id);
Result<Warning> GetWarning(Store& store, const std::string& id);
// Live warnings of live people and groups, newest first.
Result<std::vector<Warning>> ListWarnings(Store& store, const WarningFilter& filter);
// How many live warnings a person has in a group.
Result<int64_t> WarningCount(Store& store, const std::string& group_id,
                             const std::string& person_id);

// A person at or above their group's warning limit.
struct DueEntry {
  std::string group_id, group_name, person_id, person_name;
  int64_t warnings = 0, limit = 0;
  std::string last_reason;
  int64_t last_at = 0;
  std::string status;  // their membership status in the group
  // Already removed, banned or purged there (listed only with `include_done`).
  bool done = false;
};
// People due for removal or a ban: at or above the warning limit of a
// group, most warnings first. Without `include_done`, those already
// removed, banned or purged from that group are left out.
Result<std::vector<DueEntry>> WarningsDue(Store& store, const std::optional<std::string>& group_id,
                                          bool include_done);

struct Ban {
  std::string id, person_id, person_name, reason;
  // The node (hex) that signed the write of banned_by, and its name.
  std::string banned_by, banned_by_name;
  int64_t banned_at = 0;
  bool active = false;
  // Groups where the person still holds a place (active or muted): joined
  // on another node while the ban was on its way. `qun ban` again bans them
  // there too.
  std::vector<std::string> holding_place_in;
};

std::string BanRowId(const std::string& person_id);

struct BanResult {
  bool was_active = false;
  // Names of the groups whose membership this ban set to banned.
  std::vector<std::string> groups;
};
// Bans a person from the whole community: the ban row (active, reason,
// banned_by, now) and every membership they have set to banned. Needs an
// owner (WriteTxn refuses others). Banning again updates the reason and
// bans memberships added since.
Result<BanResult> BanPerson(WriteTxn& txn, const std::string& person_id, const std::string& reason,
                            const std::string& banned_by);
// Lifts a community ban (active = 0). NotFound when none stands. Returns
// the names of the groups where the person's membership stays banned.
Result<std::vector<std::string>> LiftBan(WriteTxn& txn, const std::string& person_id);
// The community ban of a person, lifted or not; none when there never was one.
Result<std::optional<Ban>> GetBan(Store& store, const std::string& person_id);
// Bans of live people, newest first; lifted ones only with `include_lifted`.
Result<std::vector<Ban>> ListBans(Store& store, bool include_lifted);

// What to tell an admin about to add `person_id` to a group: a sentence
// naming the community ban (reason, when) and the groups that banned them;
// none when nothing stands against them.
Result<std::optional<std::string>> BanNotice(Store& store, const std::string& person_id);

}  // namespace qun::core
