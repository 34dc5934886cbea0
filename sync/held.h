// The change sets a node holds (table change_set), as read by everyone
// else in sync/: what state each is in, how far each author's chain is
// applied, and the summaries `qun status` and `qun check` show.
//
// Every change set held is in one ChangeSetState. The state is stored as
// text; those texts are on disk in every node's database and named in
// docs/protocol.md, so they never change.
//
// Functions and Held borrow the Database; one thread at a time.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/db.h"
#include "core/hlc.h"
#include "core/identity.h"
#include "sync/authority.h"
#include "sync/change_set.h"

namespace qun::sync {

enum class ChangeSetState {
  kApplied,       // "applied": merged into the data
  kPending,       // "pending": waits for its turn (earlier change sets, a key, an invite)
  kNewer,         // "newer": of a newer format; kept and forwarded
  kEquivocation,  // "equivocation": evidence that its author signed two with one seq
  kRejected,      // "rejected": refused; looked at again when received again
};
// The text stored in change_set.state.
std::string_view StateText(ChangeSetState state);
// None for a text that names no state (a damaged row).
std::optional<ChangeSetState> StateFromText(std::string_view text);
// `sql` with each {applied}, {pending}, {newer}, {equivocation} and
// {rejected} replaced by its state's text, quoted: the SQL of this layer
// names states only through ChangeSetState.
std::string WithStates(std::string_view sql);

// The first 8 hex digits of a node id, for messages.
std::string ShortId(const core::PublicKey& k);

// How many change sets are held in any of `states`.
Result<int64_t> CountInStates(core::Database& db, std::initializer_list<ChangeSetState> states);

// What `qun status` says about the change sets held.
struct HeldSummary {
  int64_t applied = 0, pending = 0, newer = 0, equivocation = 0, rejected = 0;
  // Applied change sets whose ops do not count (the authority rules).
  int64_t refused = 0;
  // Authors who signed two different change sets with one seq.
  std::vector<core::PublicKey> equivocators;
};
// Reads the summary without a community key: it needs only the database.
Result<HeldSummary> Summarize(core::Database& db);

// A change set refused (state rejected) or whose ops do not count (its
// transaction refused by the authority rules), for `qun status --rejected`.
struct Refusal {
  core::PublicKey author{};
  uint64_t seq = 0;
  std::string note;  // what its author did ("group edit"), when known
  std::string reason;
  bool applied = false;  // false: never applied (rejected)
};
Result<std::vector<Refusal>> ListRefusals(core::Database& db);

// The version vector of the change sets applied, read likewise.
Result<VersionVector> ReadVector(core::Database& db);
// The query ReadVector runs: a search per author, whatever the history
// (tests/sync/query_plan_test.cc checks its plan).
extern const std::string kVectorQuery;
// The vector this node will hold once its own writes are sealed (as the next
// sync does): ReadVector, with `me` counted up by its unsealed writes.
Result<VersionVector> ReadVectorWithLocal(core::Database& db, const core::PublicKey& me);

// The bytes of the change set with row id `id` in `table` (change_set, or a
// relay's relayed); NotFound when it has been dropped since.
Result<std::string> ReadChangeSetBytes(core::Database& db, const std::string& table, int64_t id);

// One author's chain as held, and the state of each change set: the reads
// every step of receiving, sealing and sending asks, and the one write of a
// change set's state.
class Held {
 public:
  // `founder` and `me` are known without an invite.
  Held(core::Database& db, const core::PublicKey& founder, const core::PublicKey& me)
      : db_(db), founder_(founder), me_(me) {}

  core::Database& db() { return db_; }

  Result<VersionVector> Vector() { return ReadVector(db_); }
  // The highest seq of `author` applied (0: none).
  Result<uint64_t> AppliedSeq(const core::PublicKey& author);
  Result<std::optional<Hash>> AppliedHash(const core::PublicKey& author, uint64_t seq);
  // The newest effective HLC of `author`'s chain up to `seq`, applied here.
  Result<std::optional<core::Hlc>> ChainMax(const core::PublicKey& author, uint64_t seq);
  // Whether `author` is known: the founder, this node, or a node someone
  // known has invited (see the .cc).
  Result<bool> Invited(const core::PublicKey& author);

  Status SetState(int64_t row_id, ChangeSetState state, const std::string& reason);
  // The state and reason of the change set with `hash`; none when not held.
  struct StateAndReason {
    std::optional<ChangeSetState> state;  // none: a damaged row
    std::string reason;
  };
  Result<std::optional<StateAndReason>> StateOf(const Hash& hash);
  Result<std::optional<StateAndReason>> StateOfRow(int64_t row_id);

  // Authors of change sets waiting (pending, or of a newer format).
  Result<std::set<core::PublicKey>> WaitingAuthors();
  // Waiting change sets of `author` numbered `seq`, (row id, bytes) in
  // arrival order.
  Result<std::vector<std::pair<int64_t, std::string>>> WaitingAt(const core::PublicKey& author,
                                                                 uint64_t seq);
  // Whether any change set waits.
  Result<bool> AnyWaiting();
  // Whether `author`'s change set `seq` is held refused.
  Result<bool> RejectedAt(const core::PublicKey& author, uint64_t seq);

 private:
  core::Database& db_;
  core::PublicKey founder_;
  core::PublicKey me_;
};

}  // namespace qun::sync
