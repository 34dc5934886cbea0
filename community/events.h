// Events a group holds, and their sign-up lists (接龙).
//
// An event row carries its group in its id; a sign-up is one row per
// person and event (id derived from the pair), so two admins who sign the
// same person up offline write one row, merged field by field.
//
// The list is never stored in order: it is computed at read time from the
// merged rows, the same on every node. Live sign-ups (status in) are
// ordered by (signed_at, id); each takes 1 + guests places; walking that
// order, sign-ups are "in" while their places fit within the capacity.
// The first one that does not fit goes to the waitlist whole, and so does
// everyone after it, even a later sign-up that would fit: the order is
// kept strictly, so a withdrawal moves the first on the waitlist up and
// never lets anyone jump the queue. No capacity means no waitlist.
//
// Attendance is an activity fact (kind attendance, ref the event, day the
// event's local day), insert-only with a random id; marking someone absent
// tombstones their facts for the event.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "community/registry.h"
#include "community/signup_chat.h"

namespace qun::core {

extern const std::vector<std::string> kEventModes;     // offline, online
extern const std::vector<std::string> kEventStatuses;  // open, closed, cancelled

// The most guests one sign-up may bring.
constexpr int64_t kMaxGuests = 99;

// Fields to write; unset ones are left alone.
struct EventInput {
  std::optional<std::string> title, place, mode, status;  // place "" clears it
  std::optional<int64_t> starts_at;
  std::optional<int64_t> ends_at;   // 0 clears it
  std::optional<int64_t> capacity;  // 0 removes the limit
};

struct Event {
  std::string id, group_id, group_name, title, place, mode, status, retro;
  int64_t starts_at = 0, ends_at = 0;  // ends_at 0: none given
  std::optional<int64_t> capacity;     // none: unlimited
  int64_t created_at = 0;
};

struct Signup {
  std::string id, person_id;
  std::string name;       // display name
  std::string chat_name;  // nickname in the group, else nickname, else display name
  int64_t guests = 0;
  std::string note;
  int64_t signed_at = 0;
  std::string status;  // in or withdrawn
  bool waitlisted = false;
  int position = 0;  // 1-based, within the list it is on
  bool attended = false;
  int64_t places() const { return 1 + guests; }
};

struct Attendee {
  std::string person_id, name;
};

struct SignupList {
  std::vector<Signup> in, waitlist, withdrawn;
  int64_t places_taken = 0;        // by those in
  std::vector<Attendee> walk_ins;  // attended without a live sign-up
  std::set<std::string> attended;  // person ids
};

// Splits live sign-ups, already in (signed_at, id) order, into the list
// and the waitlist (see the comment at the top), numbering both.
void PlaceSignups(std::vector<Signup> ordered, const std::optional<int64_t>& capacity,
                  SignupList& out);

struct SignupResult {
  bool waitlisted = false;
  int position = 0;
  int64_t places_taken = 0;  // by those in, after this sign-up
};

struct WithdrawResult {
  std::vector<std::string> moved_up;  // person ids promoted from the waitlist
};

// What `event import-chat` will do with a pasted list.
struct ChatImportPlan {
  std::vector<ChatMatch> matches;  // every entry, in pasted order
  // Matched people not signed up yet: signed up in this order.
  std::vector<size_t> to_add;  // indices into matches
  // Matched people already on the list (or its waitlist): left as they are.
  std::vector<size_t> already;
  ChatParse parsed;
};

class Events {
 public:
  Events(Registry& registry, Store& store) : registry_(registry), store_(store) {}

  // `in.starts_at` and `in.title` are required.
  Result<std::string> Add(WriteTxn& txn, const std::string& group_id, const EventInput& in);
  Status Edit(WriteTxn& txn, const std::string& id, const EventInput& in);
  // Empty text is refused; it replaces the retrospective (复盘) whole.
  Status SetRetro(WriteTxn& txn, const std::string& id, const std::string& text);

  // An event by id, id prefix (of the local part) or exact title.
  Result<std::string> Resolve(const std::string& ref,
                              const std::optional<std::string>& group_id = std::nullopt);
  Result<Event> Get(const std::string& id);
  // By start time. Without `all`: events not cancelled that end (or start)
  // today or later, by the local day of `now`.
  Result<std::vector<Event>> List(const std::optional<std::string>& group_id, bool all,
                                  int64_t now);

  Result<SignupList> Signups(const Event& event);

  // The person must hold a place in the event's group and the event be
  // open. Conflict when they are on the list already (saying where). A
  // full event is not an error: the result says they are waitlisted.
  // `signed_at` none: now, but never before the newest sign-up of the event.
  Result<SignupResult> Signup(WriteTxn& txn, const std::string& event_id,
                              const std::string& person_id, int64_t guests, const std::string& note,
                              std::optional<int64_t> signed_at = std::nullopt);
  Result<WithdrawResult> Withdraw(WriteTxn& txn, const std::string& event_id,
                                  const std::string& person_id);
  // Records attendance (an activity fact) or, with `attended` false,
  // tombstones the person's attendance facts for the event. The person must
  // be signed up or hold a place in the group. Returns whether anything was
  // written (false: already so).
  Result<bool> MarkAttendance(WriteTxn& txn, const std::string& event_id,
                              const std::string& person_id, bool attended);

  // The people of the event's group who hold a place, with all their
  // names, for matching a pasted list.
  Result<std::vector<ChatPerson>> ChatPeople(const std::string& group_id);
  Result<ChatImportPlan> PlanChatImport(const Event& event, std::string_view text);
  // Signs up plan.to_add in order, signed_at increasing with the list.
  Status ApplyChatImport(WriteTxn& txn, const Event& event, const ChatImportPlan& plan);

  // The list in the 接龙 format (community/signup_chat.h).
  Result<std::string> ChatText(const Event& event);

  static std::string SignupId(const std::string& event_id, const std::string& person_id);

 private:
  Status CheckOpen(const Event& event);
  Result<int64_t> NextSignedAt(const std::string& event_id);
  Registry& registry_;
  Store& store_;
};

}  // namespace qun::core
