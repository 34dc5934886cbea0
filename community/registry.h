// The community registry: groups, people, their contact handles and tags, and
// memberships. This is the domain layer the CLI talks to.
//
// Reads query the materialized tables. Writes take a WriteTxn and express
// every change as field writes on it (see oplog.h), after checking the rules
// that hold for local edits: valid enum values, unique group names, a contact
// handle belonging to one person, a group's capacity.
//
// A Registry borrows its Store; one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "core/oplog.h"
#include "core/store.h"

namespace qun::core {

// The allowed values of each enumerated field, in the order the CLI lists them.
extern const std::vector<std::string> kGroupKinds;     // exchange, course, ...
extern const std::vector<std::string> kPlatforms;      // wechat, qq, ...
extern const std::vector<std::string> kAdmissions;     // open, invite, application, paid
extern const std::vector<std::string> kGroupStatuses;  // active, archived
// A member's role in a chat group, as the chat app knows it. Not a node's
// role in the community (core::Role: owner, admin, editor, viewer, relay),
// which says what a co-admin's node may change.
extern const std::vector<std::string> kMemberRoles;     // member, core, admin, owner
extern const std::vector<std::string> kMemberStatuses;  // applicant, active, ...
// Statuses in which a membership holds a place in the group (counts
// against its capacity).
bool HoldsPlace(const std::string& status);
extern const std::vector<std::string> kHandleKinds;  // wechat, phone, email

// InvalidArgument unless `v` is valid UTF-8: every text a person typed is
// checked before it enters the log.
Status CheckText(std::string_view field, const std::optional<std::string>& v);
// The store clock's wall time (unix ms): "now" for the records written.
int64_t NowMs(Store& store);
// Today's day number in the local time zone (base/dates.h): the default of
// every --date and --as-of.
int64_t Today(Store& store);

// InvalidArgument naming the allowed values when `value` is not one of them.
Status CheckEnum(const std::string& field, const std::string& value,
                 const std::vector<std::string>& allowed);

constexpr int64_t kDefaultCapacity = 500;
// Defaults of the group settings an admin may leave unset
// (docs/operations.md): warnings before a person is due for removal, and
// the engagement levels: within a window of days, at least kDefaultLevelCore
// activity facts make a core member, kDefaultLevelActive an active one, one
// an observer, none a lurker.
constexpr int64_t kDefaultWarningLimit = 3;
constexpr int64_t kDefaultLevelWindowDays = 30;
constexpr int64_t kDefaultLevelCore = 12;
constexpr int64_t kDefaultLevelActive = 4;

struct GroupInput {
  std::optional<std::string> name, kind, platform, handle, admission, rules, intro_template, status;
  std::optional<int64_t> capacity, fee_cents;
  std::optional<std::vector<std::string>> questions;  // screening questions; empty clears
  std::optional<std::string> nickname_pattern;        // e.g. city-name-trade; "" clears
  std::optional<int64_t> warning_limit, level_window_days, level_core, level_active;
};

struct Group {
  std::string id, name, kind, platform, handle, admission, rules, intro_template, status;
  int64_t capacity = kDefaultCapacity;
  int64_t fee_cents = 0;
  std::vector<std::string> questions;
  std::string nickname_pattern;
  // The effective settings: the group's own, else the defaults above.
  int64_t warning_limit = kDefaultWarningLimit;
  int64_t level_window_days = kDefaultLevelWindowDays;
  int64_t level_core = kDefaultLevelCore;
  int64_t level_active = kDefaultLevelActive;
  int64_t created_at = 0;  // ms since the epoch
  int64_t updated_at = 0;
  int64_t active_members = 0;
};

struct Handle {
  std::string kind;   // wechat, phone, email
  std::string value;  // normalized (see NormalizeHandle)
  bool operator==(const Handle&) const = default;
};

// Trims; phones keep digits and a leading '+'; emails are lower-cased.
// InvalidArgument for an unknown kind or an empty or malformed value.
Result<Handle> NormalizeHandle(const std::string& kind, const std::string& value);

// Row ids that derive from their natural keys (see core/ids.h).
std::string HandleRowId(const Handle& h);
std::string TagRowId(const std::string& person_id, const std::string& tag);

struct PersonInput {
  std::optional<std::string> display_name, nickname, city, intro, needs, offers, notes;
  std::optional<std::string> referred_by;  // a person id; "" clears it
  std::vector<Handle> add_handles, remove_handles;
  std::optional<std::vector<Handle>> set_handles;  // replaces the whole set
  std::vector<std::string> add_tags, remove_tags;
  std::optional<std::vector<std::string>> set_tags;  // replaces the whole set
};

struct Person {
  std::string id, display_name, nickname, city, intro, needs, offers, referred_by, referred_by_name,
      notes;
  std::vector<Handle> handles;    // sorted by kind order, then value
  std::vector<std::string> tags;  // sorted
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct PersonFilter {
  std::optional<std::string> group_id, tag, city, status, role;
  // Part of a display name, nickname or contact (ASCII case ignored,
  // Traditional and Simplified alike), or a name's pinyin or initials.
  std::optional<std::string> name;
};

struct Membership {
  std::string id, group_id, group_name, person_id, person_name, role, status, invited_by,
      invited_by_name;
  int64_t joined_at = 0;
  std::string nickname;    // in this group
  std::string intro;       // the self-introduction posted on entry
  std::string paid_until;  // YYYY-MM-DD, for groups with dues
  int64_t status_at = 0;   // when the status last changed (0: unknown)
};

struct MembershipFilter {
  std::optional<std::string> group_id, person_id, status, role;
};

struct Counts {
  int64_t groups = 0, archived_groups = 0, people = 0, memberships = 0, ops = 0, txns = 0;
};

class Registry {
 public:
  explicit Registry(Store& store) : store_(store) {}

  // --- community and nodes
  Status InitCommunity(WriteTxn& txn, const std::string& name);
  Result<std::string> CommunityName();
  Result<std::string> CommunityId();
  Status SetNodeName(WriteTxn& txn, const std::string& node_id, const std::string& name);
  // Records that `inviter` let node `node_id` in (an invite file or code).
  Status RecordInvite(WriteTxn& txn, const std::string& node_id, const std::string& inviter);
  // The nodes `ref` names: an id prefix (4+ hex characters) or a name; each
  // as (id, name), by id.
  Result<std::vector<std::pair<std::string, std::string>>> FindNodes(const std::string& ref);
  // Every node the community knows: named, invited, or holding a role.
  Result<std::vector<std::string>> KnownNodeIds();
  Result<Counts> Count();

  // --- references: a full id, an unambiguous id prefix (4+ hex characters),
  // or a unique name (groups: name; people: display name, nickname or a
  // contact handle). NotFound or Conflict (ambiguous) with the candidates.
  // A name also matches by its pinyin (zhangwei, zhang wei, zw for 张伟);
  // a name no row has is NotFound with the closest names, by characters or
  // by sound. Several people of one name are Conflict, each numbered with
  // what tells them apart, and the ids as the Status's choices; where a
  // group is given (the group a command is about), its members are looked
  // at first, so a name shared with someone elsewhere still finds them.
  Result<std::string> ResolveGroup(const std::string& ref);
  Result<std::string> ResolvePerson(const std::string& ref,
                                    const std::optional<std::string>& group_id = std::nullopt);
  // The one live person with exactly this display name (NotFound, or
  // Conflict when several share it).
  Result<std::string> ResolvePersonByName(const std::string& name);
  // The live people with exactly this display name, oldest first.
  Result<std::vector<std::string>> PeopleNamed(const std::string& name);
  // What tells a person apart from others of their name: city, the end of
  // a contact, their groups, the day they were added ("北京 · 微信 …a_88 ·
  // 读书会 · added 2026-11-02").
  Result<std::string> Clues(const std::string& person_id);
  // Any row: group, person, membership, handle or tag id or id prefix, or a
  // group or person reference. For `qun log ID`.
  Result<std::string> ResolveAnyRow(const std::string& ref);

  // --- groups
  Result<std::string> AddGroup(WriteTxn& txn, const GroupInput& in);
  Status EditGroup(WriteTxn& txn, const std::string& id, const GroupInput& in);
  Status ArchiveGroup(WriteTxn& txn, const std::string& id);
  Result<Group> GetGroup(const std::string& id);
  Result<std::vector<Group>> ListGroups(bool include_archived);

  // --- people
  // `id` may be given (an exported sheet's id column); otherwise it derives
  // from the first contact handle (wechat, then phone, then email) or is random.
  Result<std::string> AddPerson(WriteTxn& txn, const PersonInput& in,
                                const std::optional<std::string>& id = std::nullopt);
  Status EditPerson(WriteTxn& txn, const std::string& id, const PersonInput& in);
  Status RemovePerson(WriteTxn& txn, const std::string& id);
  Result<Person> GetPerson(const std::string& id);
  Result<std::vector<Person>> ListPeople(const PersonFilter& filter);
  // The live person holding this handle, if any.
  Result<std::optional<std::string>> FindByHandle(const Handle& h);
  // The person holding this handle, removed or not.
  Result<std::optional<std::string>> HandleOwner(const Handle& h);
  // Whether a person row exists, and whether it is removed.
  Result<std::optional<bool>> PersonRemoved(const std::string& id);

  // --- memberships
  // Adds a person to a group as an active member. With `waitlist`, a full
  // group puts them on its waitlist instead of refusing (the status says
  // which happened).
  // `joined_at` (unix ms, not in the future) is the day they really joined
  // when it was not now: a sheet's 入群日期, `member join --since`.
  Status Join(WriteTxn& txn, const std::string& group_id, const std::string& person_id,
              const std::string& role, const std::optional<std::string>& invited_by,
              bool waitlist = false, std::optional<int64_t> joined_at = std::nullopt);
  // Join with the group as read before (GetGroup), for many joins in a row
  // (an import): it counts each place it fills in `g.active_members`, so the
  // group's members are not counted again for every person. `g` must have
  // been read in the same write transaction.
  Status JoinGroup(WriteTxn& txn, Group& g, const std::string& person_id, const std::string& role,
                   const std::optional<std::string>& invited_by, bool waitlist = false,
                   std::optional<int64_t> joined_at = std::nullopt);
  // Corrects when a person joined a group (unix ms): the day inactivity and
  // lurker reports count from. Refuses a day still to come.
  Status SetJoinedAt(WriteTxn& txn, const std::string& group_id, const std::string& person_id,
                     int64_t joined_at);
  // Whether a community ban (table ban) stands against a person, and why.
  Result<std::optional<std::string>> BanReason(const std::string& person_id);
  // A group's waitlist in the order places are given: when each was put on
  // it (status_at, else joined_at), then id.
  Result<std::vector<Membership>> Waitlist(const std::string& group_id);
  // Moves waitlisted members of a group, oldest first, into the places free.
  // Returns the person ids promoted.
  Result<std::vector<std::string>> PromoteWaitlist(WriteTxn& txn, const std::string& group_id);
  // The same with the group as read before; counts the places it fills in
  // `g.active_members`.
  Result<std::vector<std::string>> PromoteWaitlistOf(WriteTxn& txn, Group& g);
  Result<std::optional<Membership>> GetMembership(const std::string& group_id,
                                                  const std::string& person_id);
  // The membership of a person who holds a place in the group (active or
  // muted): what activity, sign-ups, votes and warnings are recorded
  // against. NotFound or Conflict saying what to do otherwise.
  Result<Membership> RequireMember(const std::string& group_id, const std::string& person_id);
  // Sets a membership's status. A status that frees a place promotes the
  // group's waitlist, in order, into the places free.
  Status SetMembershipStatus(WriteTxn& txn, const std::string& group_id,
                             const std::string& person_id, const std::string& status);
  Status SetRole(WriteTxn& txn, const std::string& group_id, const std::string& person_id,
                 const std::string& role);
  Result<std::vector<Membership>> ListMemberships(const MembershipFilter& filter);
  // The members of a group who hold a place in it (HoldsPlace), in the
  // order ListMemberships gives.
  Result<std::vector<Membership>> Members(const std::string& group_id);

  static std::string MembershipId(const std::string& group_id, const std::string& person_id);

 private:
  // The first column of the first row of `sql` (a cached statement with one
  // parameter, `key`), if any.
  Result<std::optional<std::string>> OneText(const char* sql, const std::string& key);
  Status CheckGroupInput(const GroupInput& in, const std::optional<std::string>& id);
  Status WriteGroupFields(WriteTxn& txn, const std::string& id, const GroupInput& in);
  Status CheckPersonInput(const PersonInput& in, const std::string& id);
  Status WritePersonFields(WriteTxn& txn, const std::string& id, const PersonInput& in);
  Result<std::vector<Handle>> HandlesOf(const std::string& person_id);
  Result<std::vector<std::string>> TagsOf(const std::string& person_id);

  Store& store_;
};

}  // namespace qun::core
