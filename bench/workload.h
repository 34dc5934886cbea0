// The community the bench writes: seeded, the same on every run and in
// every process that asks for it.
//
// At scale 1 it is 1,000 groups, 200,000 people, 500,000 memberships and
// 2,000,000 activity facts (check-ins and sign-ups), written by 10 admins
// ("authors"). Author 0 founds the community and owns it; author a runs the
// groups g with g % 10 == a and is their admin. Each author's people belong
// to its own groups (an admin looks after a cluster of related groups: one
// city, one interest), 2.5 memberships per person on average.
//
// What an author writes comes as transactions, each one WriteTxn and so one
// change set, shaped as the domain code writes them (community/registry.cc,
// community/activity.cc, community/events.cc): imports of a group's member sheet (up
// to 200 people with their handles, tags and first membership), joins to
// further groups (10 per transaction), events, each event's sign-up list
// (接龙) as one transaction, and each group's check-ins of one day as one.
//
// Then the concurrent edits: for 5% of each author's people one field is
// changed by that author and, without either having seen the other's
// change, by the next author; for 5% of each author's memberships the
// status is changed by that author and by the founder. Every node that has
// seen both must pick the same winner.
//
// Everything is derived from the seed and the author alone, so each author
// can be generated in its own process, and the raw baselines can replay the
// very same rows.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "core/value.h"

namespace qun::bench {

struct WorkloadShape {
  double scale = 1.0;
  int authors = 10;
  int64_t groups = 1'000;
  int64_t people = 200'000;
  int64_t memberships = 500'000;  // about; each person has 1 to 4
  int64_t facts = 2'000'000;      // 80% check-ins, 20% sign-ups
  int days = 60;                  // check-ins spread over the days before kAsOfDay
  uint64_t seed = 20261203;

  // Every count times `scale`; never fewer than 3 groups per author, so
  // that people can belong to several.
  static WorkloadShape AtScale(double scale);
};

// The day the workload's activity ends, as reports are asked "as of".
inline constexpr char kAsOfDay[] = "2026-11-30";

// One field write, as a transaction of the domain code would make it.
struct FieldWrite {
  const char* table;
  std::string row_id;
  const char* column;
  Value value;
};

// One transaction of one author: one WriteTxn, so one change set.
struct WorkloadTxn {
  const char* what;  // "import", "join", "event", "signups", "checkins", "edits"
  std::vector<FieldWrite> writes;
};

// A group of the workload, as the founder creates it.
struct WorkloadGroup {
  std::string id;
  std::string name;
  int owner = 0;  // the author who is its admin
};

enum class Phase {
  kBase,   // the author's own people, memberships, events and activity
  kEdits,  // its side of the concurrent edits
};

class Workload {
 public:
  explicit Workload(const WorkloadShape& shape);

  const WorkloadShape& shape() const { return shape_; }
  const std::vector<WorkloadGroup>& groups() const { return groups_; }

  // The founder's transactions that create the groups (in transactions of
  // 100 groups).
  std::vector<WorkloadTxn> GroupTxns() const;

  // Calls `fn` with each transaction `author` writes in `phase`, in order.
  // Stops at the first error `fn` returns.
  Status ForEachTxn(int author, Phase phase,
                    const std::function<Status(const WorkloadTxn&)>& fn) const;

  // How many transactions and field writes ForEachTxn gives, and how many
  // domain rows they make: counted by generating them.
  struct Count {
    int64_t txns = 0, writes = 0, rows = 0;
  };
  Count CountOf(int author, Phase phase) const;

 private:
  struct Cluster;
  Cluster MakeCluster(int author) const;

  WorkloadShape shape_;
  std::vector<WorkloadGroup> groups_;
};

}  // namespace qun::bench
