// Reports on a community's activity and health, computed from the merged
// tables alone, so that two nodes that hold the same change sets print the
// same reports. Each takes the day it is "as of" (default today in the
// CLI), which makes a report reproducible: `--as-of 2026-11-29` on two
// laptops gives the same figures whenever it runs.
//
// Activity is counted in facts (table activity), each kind of fact once per
// person, day and subject: a check-in two admins both recorded counts once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "community/registry.h"

namespace qun::core {

// core, active, observer, lurker: most to least engaged.
extern const std::vector<std::string> kLevels;

// A member's activity in a group over a window of days.
struct Engagement {
  std::string person_id, person_name, role, status;
  int64_t facts = 0;        // in the window
  int64_t days_active = 0;  // distinct days with a fact, in the window
  int64_t facts_ever = 0;
  std::string last_day;    // of the latest fact ever; "" when none
  std::string joined_day;  // "" when unknown
  std::string level;       // core, active, observer or lurker
};

// Where a person stands in another's eyes for `qun match`.
struct Match {
  std::string person_id, person_name;
  std::vector<std::string> common_tags;
  // Pairs of (their term, this person's term) that answer each other.
  std::vector<std::pair<std::string, std::string>> terms;
};

struct Matches {
  std::vector<Match> common_tags;      // most tags in common first
  std::vector<Match> offers_my_needs;  // their offers answer this person's needs
  std::vector<Match> needs_my_offers;  // this person's offers answer their needs
};

struct Referral {
  std::string person_id, person_name, referred_by;
  int64_t direct = 0;                 // people they referred
  int64_t total = 0;                  // everyone below them in the tree
  int64_t depth = 0;                  // 0 for someone nobody referred
  std::vector<std::string> children;  // person ids, by name
};

// Weeks run Monday to Sunday; the last one holds the day asked about.
struct Week {
  std::string start;  // YYYY-MM-DD, a Monday
  int64_t joined = 0, left = 0;
  int64_t facts = 0, active_people = 0;
  std::map<std::string, int64_t> by_kind;
};

struct GroupHealth {
  std::string group_id, group_name;
  int64_t members = 0, capacity = 0, waitlisted = 0;
  int64_t active_members = 0;             // members with activity in the level window
  double active_ratio = 0;                // active_members / members (0 when empty)
  std::map<std::string, int64_t> levels;  // level -> members
  std::vector<Week> weeks;
};

struct Expiring {
  std::string group_id, group_name, person_id, person_name, paid_until;
  int64_t days_left = 0;  // negative: expired that many days ago
};

class Reports {
 public:
  Reports(Registry& registry, Store& store) : registry_(registry), store_(store) {}

  // Every member holding a place in the group, with their engagement over
  // the group's level window ending on `as_of` (a day number). Most
  // engaged first.
  Result<std::vector<Engagement>> Engagements(const std::string& group_id, int64_t as_of);
  // Members with no activity for more than `days` days before `as_of`
  // (counting from when they joined, for those who never were active).
  Result<std::vector<Engagement>> Inactive(const std::string& group_id, int64_t days,
                                           int64_t as_of);
  // Members who never were active, joined more than `grace_days` ago.
  Result<std::vector<Engagement>> Lurkers(const std::string& group_id, int64_t grace_days,
                                          int64_t as_of);
  // The most active members who are not admins or owners of the group yet.
  Result<std::vector<Engagement>> CoreCandidates(const std::string& group_id, int64_t as_of,
                                                 size_t top);
  // Who referred whom (person.referred_by), from the roots down.
  Result<std::vector<Referral>> Referrals();
  Result<Matches> MatchFor(const std::string& person_id, size_t top);
  // The group's size, levels and waiting list, and `weeks` weeks to the one
  // holding `as_of`.
  Result<GroupHealth> Health(const std::string& group_id, int64_t weeks, int64_t as_of);
  // The weeks of Health alone (joined, left, activity), without working out
  // every member's engagement: what a report over time needs.
  Result<std::vector<Week>> Weeks(const std::string& group_id, int64_t weeks, int64_t as_of);
  // Members of paid groups (or with dues recorded) whose dues run out
  // within `days` of `as_of`, or already have.
  Result<std::vector<Expiring>> ExpiringDues(const std::optional<std::string>& group_id,
                                             int64_t days, int64_t as_of);

 private:
  Registry& registry_;
  Store& store_;
};

// The terms of a needs or offers text: split at commas, semicolons, 、,
// slashes, line breaks and spaces; trimmed, as written, each once
// (Latin letters compared in any case).
std::vector<std::string> Terms(const std::string& text);
// Whether an offered term answers a needed one: equal, or one contains the
// other and the shorter has two or more characters, or they share a word
// of two characters or more (text::Words: 设计外包 and 免费设计咨询 share
// 设计) that is not one of the words saying how (免费, 咨询, 服务…); Latin
// letters in any case, Traditional and Simplified alike.
bool Answers(const std::string& offer, const std::string& need);

}  // namespace qun::core
