// Admission: who may enter a group, and in what order.
//
// A person applies to a group (answering its screening questions); an admin
// approves or rejects the application with a reason. The membership's
// status is where the person stands (applicant, then active or waitlisted,
// or rejected); the application row keeps the answers, whether the fee is
// paid, and the decision. The decision is one field (JSON: status, reason,
// by, at), so a concurrent approve and reject on two nodes resolve whole,
// the same way everywhere: the later write wins both the decision and the
// membership's status.
//
// The group's threshold (chat_group.admission) says what approval needs:
// open and invite groups take people with `qun member join`; application
// groups take them by approval; paid groups also need the fee marked paid
// (or waived by the approving admin). A full group puts the approved on its
// waitlist, promoted in order when a place frees (Registry::PromoteWaitlist).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "community/registry.h"

namespace qun::core {

struct Application {
  std::string id, group_id, group_name, person_id, person_name;
  std::vector<std::pair<std::string, std::string>> answers;  // question, answer
  bool paid = false;
  int64_t applied_at = 0;
  // pending, approved, waitlisted or rejected: from the membership's status.
  std::string status;
  std::string membership_status;
  // The decision, when one was made: reason, the deciding node (hex: the
  // one that signed the decision, whatever the decision's own "by" says)
  // and its name, and when.
  std::string reason, decided_by, decided_by_name;
  int64_t decided_at = 0;
};

struct ApplyInput {
  std::vector<std::string> answers;  // in the order of the group's questions
  bool paid = false;
};

struct Approval {
  bool waive_fee = false;                 // approve a paid group's applicant who has not paid
  std::optional<std::string> paid_until;  // YYYY-MM-DD; a paid group's default: a year on
  std::string reason;
};

class Admission {
 public:
  explicit Admission(Registry& registry, Store& store) : registry_(registry), store_(store) {}

  // Records an application (again, after a rejection: the old decision is
  // cleared). InvalidArgument when answers do not match the questions;
  // Conflict when the person is already in, waiting, or banned.
  Status Apply(WriteTxn& txn, const std::string& group_id, const std::string& person_id,
               const ApplyInput& in);
  // `by`: the deciding node's id (hex). The result is the membership status
  // written: active, or waitlisted when the group is full.
  Result<std::string> Approve(WriteTxn& txn, const std::string& group_id,
                              const std::string& person_id, const Approval& approval,
                              const std::string& by);
  Status Reject(WriteTxn& txn, const std::string& group_id, const std::string& person_id,
                const std::string& reason, const std::string& by);
  Status MarkPaid(WriteTxn& txn, const std::string& group_id, const std::string& person_id);

  Result<std::optional<Application>> Get(const std::string& group_id, const std::string& person_id);
  // Oldest first. `status`: pending, approved, waitlisted or rejected.
  Result<std::vector<Application>> List(const std::optional<std::string>& group_id,
                                        const std::optional<std::string>& status);

  static std::string ApplicationId(const std::string& group_id, const std::string& person_id);

 private:
  Result<Application> Pending(const std::string& group_id, const std::string& person_id);
  Registry& registry_;
  Store& store_;
};

extern const std::vector<std::string> kApplicationStatuses;  // pending, approved, ...

}  // namespace qun::core
