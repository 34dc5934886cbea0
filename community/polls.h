// Polls a group runs, and the votes cast in them.
//
// A vote is one row per person and poll (id derived from the pair): a
// person has one vote, changing it rewrites the row's choice, and when two
// admins record a vote for the same person on two nodes, the later write of
// the choice wins everywhere (last writer wins per field).
//
// A poll takes votes while its status is open and its closing time (if any)
// has not come; `close` sets the status. Options are fixed when the poll is
// made (a JSON array of texts); a choice is an option's index from 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "community/registry.h"

namespace qun::core {

constexpr size_t kMinPollOptions = 2;
constexpr size_t kMaxPollOptions = 20;

struct PollInput {
  std::string question;
  std::vector<std::string> options;
  std::optional<int64_t> closes_at;  // unix ms
};

struct Poll {
  std::string id, group_id, group_name, question;
  std::vector<std::string> options;
  int64_t closes_at = 0;  // 0: no closing time
  std::string status;     // open or closed, as written
  int64_t created_at = 0;
  // Closed by status, or by its closing time at `now`.
  bool ClosedAt(int64_t now) const {
    return status == "closed" || (closes_at > 0 && now >= closes_at);
  }
};

struct PollVote {
  std::string person_id, name;
  int choice = 0;  // from 0
  int64_t voted_at = 0;
};

struct PollResults {
  std::vector<int64_t> counts;  // per option
  int64_t total = 0;
  std::vector<PollVote> votes;  // by option, then name
};

struct VoteResult {
  std::optional<int> previous;  // the choice replaced, if any
  bool changed = true;          // false: the same choice was already recorded
};

class Polls {
 public:
  Polls(Registry& registry, Store& store) : registry_(registry), store_(store) {}

  // InvalidArgument unless the question is given and there are 2 to 20
  // distinct, non-empty options, and the closing time is in the future.
  Result<std::string> Add(WriteTxn& txn, const std::string& group_id, const PollInput& in);
  Result<std::string> Resolve(const std::string& ref,
                              const std::optional<std::string>& group_id = std::nullopt);
  Result<Poll> Get(const std::string& id);
  // Newest first.
  Result<std::vector<Poll>> List(const std::optional<std::string>& group_id);
  // Conflict (exit 4) when the poll is closed; the person must hold a place
  // in the poll's group.
  Result<VoteResult> Vote(WriteTxn& txn, const std::string& poll_id, const std::string& person_id,
                          int choice);
  // Returns false when it was closed already.
  Result<bool> Close(WriteTxn& txn, const std::string& poll_id);
  Result<PollResults> Results(const Poll& poll);

  static std::string VoteId(const std::string& poll_id, const std::string& person_id);

 private:
  Registry& registry_;
  Store& store_;
};

// A choice as typed: an option number (1..n) or an option's exact text.
// InvalidArgument listing the options otherwise. Returns the index from 0.
Result<int> ParseChoice(const Poll& poll, const std::string& choice);

// The results as a bar chart for a terminal: one line per option, its
// number and text padded by display width, a bar of █ (and ▌ for a half
// cell) `bar_width` cells long at 100%, the count and the percentage.
std::string RenderPollBars(const Poll& poll, const PollResults& results, size_t bar_width = 20);

}  // namespace qun::core
