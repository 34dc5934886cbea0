// Activity facts: check-ins (打卡), homework for weekly topics, talks and
// shares, event attendance. Each is an insert-only row of table activity
// with a fresh random id, so facts two admins record at the same time are
// all kept and never conflict; a mistake is undone by a tombstone. What
// the reports say about a person's activity is computed from these rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/i18n.h"
#include "community/group_rows.h"
#include "community/registry.h"

namespace qun::core {

// checkin, homework, talk, share, attendance.
extern const std::vector<std::string> kActivityKinds;

// How a topic is referred to: its local id (prefix) or title.
inline constexpr GroupRowKind kTopicRowKind{"topic", "title", NC_("row kind", "topic"),
                                            "qun topic list"};

struct ActivityFact {
  std::string id, group_id, group_name, person_id, person_name, kind;
  std::string day;  // YYYY-MM-DD
  int64_t at = 0;   // unix ms
  std::string ref;  // homework: the topic; attendance: the event
  std::string note;
};

struct ActivityFilter {
  std::optional<std::string> group_id, person_id, kind, ref;
  std::optional<int64_t> since_day, until_day;  // inclusive day numbers
};

struct Topic {
  std::string id, group_id, group_name, title;
  int64_t deadline = 0;  // unix ms; 0: none
  int64_t created_at = 0;
  int64_t submissions = 0;
};

struct Submission {
  std::string id;
  bool late = false;
  int64_t count = 0;  // this person's submissions for the topic, this one included
};

// Where each member of a topic's group stands.
struct TopicEntry {
  std::string person_id, person_name;
  std::string state;         // on time, late, missing
  int64_t submitted_at = 0;  // the first submission
};

// A run of check-in days in which no two are more than 1 + grace days
// apart: a grace day may be missed without breaking the streak.
struct Streak {
  std::string person_id, person_name;
  int64_t current = 0;  // check-in days in the run still alive at the day asked about
  int64_t longest = 0;
  int64_t total = 0;  // check-in days in all
  std::string last_day;
};

// The streak of sorted, distinct day numbers as of `today`: alive when the
// last check-in is no more than 1 + grace days before it.
Streak StreakOf(const std::vector<int64_t>& days, int64_t today, int64_t grace = 1);

// What became of one name in a list of check-ins.
struct CheckInOutcome {
  enum class Kind {
    kCheckedIn,  // recorded now
    kAlready,    // checked in for that day before, here or by a co-admin
    kNotMember,  // a person, but not holding a place in the group
    kNotFound,   // no such person (the reason names the closest names)
    kAmbiguous,  // several people answer to it (the choices are their ids)
  };
  std::string typed;  // the name as given
  Kind kind = Kind::kNotFound;
  std::string person_id, person_name;  // when the name was resolved
  std::string fact_id;                 // the check-in, when recorded now or before
  std::string reason;                  // why not, for the last three
  std::vector<std::string> choices;    // kAmbiguous: the person ids
  bool recorded() const { return kind == Kind::kCheckedIn || kind == Kind::kAlready; }
};

class Activity {
 public:
  Activity(Registry& registry, Store& store) : registry_(registry), store_(store) {}

  // A check-in for `day` by a member holding a place in the group. Conflict
  // when this node already holds one for that person and day (two admins
  // recording the same one at once keep both; reports count days).
  Result<std::string> CheckIn(WriteTxn& txn, const std::string& group_id,
                              const std::string& person_id, int64_t day, const std::string& note);
  // Check-ins for a list of names as an admin pastes it: each name is
  // resolved among the group's members first, and gets its own outcome;
  // those that can be recorded are, the others are reported, not fatal. A
  // name given twice counts once. Fails only for a bad day or storage.
  Result<std::vector<CheckInOutcome>> CheckInMany(WriteTxn& txn, const std::string& group_id,
                                                  const std::vector<std::string>& names,
                                                  int64_t day, const std::string& note);
  // The members holding a place in the group with no check-in for `day`, in
  // pinyin order: the daily 催打卡 list.
  Result<std::vector<Membership>> NotCheckedIn(const std::string& group_id, int64_t day);
  // A talk or share (or any kind) on `day`.
  Result<std::string> Record(WriteTxn& txn, const std::string& group_id,
                             const std::string& person_id, const std::string& kind, int64_t day,
                             const std::string& note, const std::string& ref = "");
  // A fact a sheet or an export states ("last active on 3月5日"), for a
  // member holding a place. Its id derives from (group, person, kind, day,
  // `source`), so that importing the same file twice, or on two laptops,
  // records it once; one removed since is not brought back. Whether it was
  // recorded now.
  Result<bool> RecordStated(WriteTxn& txn, const std::string& group_id,
                            const std::string& person_id, const std::string& kind, int64_t day,
                            const std::string& source);
  Status Remove(WriteTxn& txn, const std::string& fact_id);
  // Newest first.
  Result<std::vector<ActivityFact>> List(const ActivityFilter& filter);
  // A fact by its local id or prefix.
  Result<std::string> ResolveFact(const std::string& ref);

  Result<std::string> AddTopic(WriteTxn& txn, const std::string& group_id, const std::string& title,
                               int64_t deadline);
  Result<Topic> GetTopic(const std::string& topic_id);
  Result<std::vector<Topic>> ListTopics(const std::optional<std::string>& group_id);
  // Homework for a topic, submitted at `at`: late when after the deadline
  // (recorded all the same).
  Result<Submission> Submit(WriteTxn& txn, const std::string& topic_id,
                            const std::string& person_id, const std::string& note, int64_t at);
  // Every member holding a place in the topic's group, and everyone who
  // submitted: on time, late or missing.
  Result<std::vector<TopicEntry>> TopicStatus(const std::string& topic_id);

  // Check-in streaks of the group's members as of `today`, longest current first.
  Result<std::vector<Streak>> Streaks(const std::string& group_id, int64_t today);

 private:
  // The check-in the person already has for `day` in the group, recorded
  // here or by a co-admin: its id.
  Result<std::optional<std::string>> CheckInOn(const std::string& group_id,
                                               const std::string& person_id, int64_t day);

  Registry& registry_;
  Store& store_;
};

}  // namespace qun::core
