#include "community/events.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "base/dates.h"
#include "base/i18n.h"
#include "base/text.h"
#include "community/group_rows.h"
#include "core/ids.h"

namespace qun::core {

const std::vector<std::string> kEventModes = {"offline", "online"};
const std::vector<std::string> kEventStatuses = {"open", "closed", "cancelled"};

namespace {

constexpr GroupRowKind kEventKind = {"event", "title", NC_("row kind", "event"), "qun event list"};

Value TextOrNull(const std::string& s) {
  if (s.empty()) return std::monostate{};
  return s;
}

Status CheckCapacity(int64_t capacity) {
  if (capacity < 0)
    return Status::InvalidArgument(i18n::Format(
        _("the capacity must be a number of places, 1 or more (got {}); leave it out for no "
          "limit"),
        capacity));
  return Status::Ok();
}

}  // namespace

void PlaceSignups(std::vector<Signup> ordered, const std::optional<int64_t>& capacity,
                  SignupList& out) {
  bool full = false;
  for (Signup& s : ordered) {
    if (s.status != "in") {
      s.position = 0;
      out.withdrawn.push_back(std::move(s));
      continue;
    }
    if (!full && (!capacity || out.places_taken + s.places() <= *capacity)) {
      out.places_taken += s.places();
      s.waitlisted = false;
      s.position = static_cast<int>(out.in.size()) + 1;
      out.in.push_back(std::move(s));
    } else {
      // Strict order: once one does not fit, everyone after waits too.
      full = true;
      s.waitlisted = true;
      s.position = static_cast<int>(out.waitlist.size()) + 1;
      out.waitlist.push_back(std::move(s));
    }
  }
}

std::string Events::SignupId(const std::string& event_id, const std::string& person_id) {
  return GroupRowId(GroupOfRowId(event_id), DerivedId("signup", event_id + " " + person_id));
}

Result<std::string> Events::Add(WriteTxn& txn, const std::string& group_id, const EventInput& in) {
  QUN_ASSIGN_OR_RETURN(Group group, registry_.GetGroup(group_id));
  std::string title = text::Trim(in.title.value_or(""));
  if (title.empty())
    return Status::InvalidArgument(
        _("the event needs a title, e.g. `qun event add GROUP 周六读书会 "
          "--at \"2026-11-28 14:00\"`"));
  if (!in.starts_at)
    return Status::InvalidArgument(
        _("the event needs a start time: --at \"YYYY-MM-DD HH:MM\" (local time)"));
  EventInput full = in;
  full.title = title;
  if (!full.mode) full.mode = "offline";
  if (!full.status) full.status = "open";
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "title"), full.title));
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "place"), full.place));
  QUN_RETURN_IF_ERROR(CheckEnum(C_("field", "mode"), *full.mode, kEventModes));
  QUN_RETURN_IF_ERROR(CheckEnum(C_("field", "event status"), *full.status, kEventStatuses));
  if (full.capacity) QUN_RETURN_IF_ERROR(CheckCapacity(*full.capacity));
  if (full.ends_at && *full.ends_at != 0 && *full.ends_at <= *full.starts_at)
    return Status::InvalidArgument(i18n::Format(_("the end ({}) must come after the start ({})"),
                                                FormatLocalTime(*full.ends_at),
                                                FormatLocalTime(*full.starts_at)));
  std::string id = GroupRowId(group.id, RandomId());
  auto set = [&](const char* column, const Value& v) {
    return txn.Set("event", id, column, v).status();
  };
  QUN_RETURN_IF_ERROR(set("title", title));
  QUN_RETURN_IF_ERROR(set("starts_at", *full.starts_at));
  if (full.ends_at && *full.ends_at != 0) QUN_RETURN_IF_ERROR(set("ends_at", *full.ends_at));
  if (full.place && !text::Trim(*full.place).empty())
    QUN_RETURN_IF_ERROR(set("place", text::Trim(*full.place)));
  QUN_RETURN_IF_ERROR(set("mode", *full.mode));
  if (full.capacity && *full.capacity > 0) QUN_RETURN_IF_ERROR(set("capacity", *full.capacity));
  QUN_RETURN_IF_ERROR(set("status", *full.status));
  QUN_RETURN_IF_ERROR(set("created_at", NowMs(store_)));
  QUN_RETURN_IF_ERROR(set("deleted", int64_t{0}));
  return id;
}

Status Events::Edit(WriteTxn& txn, const std::string& id, const EventInput& in) {
  QUN_ASSIGN_OR_RETURN(Event e, Get(id));
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "title"), in.title));
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "place"), in.place));
  if (in.title && text::Trim(*in.title).empty())
    return Status::InvalidArgument(_("the title cannot be empty; give the new title with --title"));
  if (in.mode) QUN_RETURN_IF_ERROR(CheckEnum(C_("field", "mode"), *in.mode, kEventModes));
  if (in.status)
    QUN_RETURN_IF_ERROR(CheckEnum(C_("field", "event status"), *in.status, kEventStatuses));
  if (in.capacity) QUN_RETURN_IF_ERROR(CheckCapacity(*in.capacity));
  int64_t starts = in.starts_at.value_or(e.starts_at);
  int64_t ends = in.ends_at.value_or(e.ends_at);
  if (ends != 0 && ends <= starts)
    return Status::InvalidArgument(i18n::Format(
        _("the end ({}) must come after the start ({}); give both --at and --until, or --until "
          "\"\" to remove the end"),
        FormatLocalTime(ends), FormatLocalTime(starts)));
  auto set = [&](const char* column, const Value& v) {
    return txn.Set("event", id, column, v).status();
  };
  if (in.title) QUN_RETURN_IF_ERROR(set("title", text::Trim(*in.title)));
  if (in.starts_at) QUN_RETURN_IF_ERROR(set("starts_at", *in.starts_at));
  if (in.ends_at)
    QUN_RETURN_IF_ERROR(set("ends_at", *in.ends_at == 0 ? Value() : Value(*in.ends_at)));
  if (in.place) QUN_RETURN_IF_ERROR(set("place", TextOrNull(text::Trim(*in.place))));
  if (in.mode) QUN_RETURN_IF_ERROR(set("mode", *in.mode));
  if (in.capacity)
    QUN_RETURN_IF_ERROR(set("capacity", *in.capacity == 0 ? Value() : Value(*in.capacity)));
  if (in.status) QUN_RETURN_IF_ERROR(set("status", *in.status));
  return Status::Ok();
}

Status Events::SetRetro(WriteTxn& txn, const std::string& id, const std::string& retro) {
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "retrospective"), retro));
  std::string trimmed = text::Trim(retro);
  if (trimmed.empty())
    return Status::InvalidArgument(
        _("the retrospective is empty; give the text, or --file with a file holding it"));
  QUN_ASSIGN_OR_RETURN(Event e, Get(id));
  return txn.Set("event", e.id, "retro", trimmed).status();
}

Result<std::string> Events::Resolve(const std::string& ref,
                                    const std::optional<std::string>& group_id) {
  return ResolveGroupRow(store_.db(), kEventKind, ref, group_id);
}

Result<Event> Events::Get(const std::string& id) {
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store_.db().Prepare(
          "SELECT e.id, e.group_id, coalesce(g.name,''), coalesce(e.title,''), "
          "coalesce(e.starts_at,0), coalesce(e.ends_at,0), coalesce(e.place,''), "
          "coalesce(e.mode,'offline'), e.capacity, coalesce(e.status,'open'), "
          "coalesce(e.retro,''), coalesce(e.created_at,0) FROM event e LEFT JOIN chat_group g ON "
          "g.id = e.group_id WHERE e.id = ? AND e.deleted = 0"));
  s.Bind(1, id);
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row)
    return Status::NotFound(
        i18n::Format(_("no event {}; list them with `qun event list --all`"), ShortRowId(id)));
  Event e;
  e.id = s.Text(0);
  e.group_id = s.Text(1);
  e.group_name = s.Text(2);
  e.title = s.Text(3);
  e.starts_at = s.Int(4);
  e.ends_at = s.Int(5);
  e.place = s.Text(6);
  e.mode = s.Text(7);
  if (!s.IsNull(8) && s.Int(8) > 0) e.capacity = s.Int(8);
  e.status = s.Text(9);
  e.retro = s.Text(10);
  e.created_at = s.Int(11);
  return e;
}

Result<std::vector<Event>> Events::List(const std::optional<std::string>& group_id, bool all,
                                        int64_t now) {
  std::string sql = "SELECT id FROM event WHERE deleted = 0";
  if (group_id) sql += " AND group_id = ?1";
  if (!all)
    sql += " AND coalesce(status,'open') != 'cancelled' AND coalesce(ends_at, starts_at) >= ?2";
  sql += " ORDER BY starts_at, id";
  QUN_ASSIGN_OR_RETURN(Statement s, store_.db().Prepare(sql));
  if (group_id) s.Bind(1, *group_id);
  if (!all) s.Bind(2, LocalMidnightMs(LocalDay(now)));
  std::vector<std::string> ids;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ids.push_back(s.Text(0));
  }
  std::vector<Event> out;
  for (const auto& id : ids) {
    QUN_ASSIGN_OR_RETURN(Event e, Get(id));
    out.push_back(std::move(e));
  }
  return out;
}

Result<SignupList> Events::Signups(const Event& event) {
  // Only sign-ups of the event's own group count: a row under another
  // group's id that names this event was written by that group's admins.
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store_.db().Prepare(
          "SELECT s.id, coalesce(s.person_id,''), coalesce(s.guests,0), coalesce(s.note,''), "
          "coalesce(s.signed_at,0), coalesce(s.status,'in'), coalesce(p.display_name,''), "
          "coalesce(p.nickname,''), coalesce((SELECT m.nickname FROM membership m WHERE "
          "m.group_id = ?2 AND m.person_id = s.person_id AND m.deleted = 0 ORDER BY m.id LIMIT "
          "1),'') FROM signup s LEFT JOIN person p ON p.id = s.person_id WHERE s.event_id = ?1 "
          "AND s.group_id = ?2 AND s.deleted = 0 ORDER BY s.signed_at, s.id"));
  s.Bind(1, event.id).Bind(2, event.group_id);
  std::vector<core::Signup> ordered;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    core::Signup x;
    x.id = s.Text(0);
    x.person_id = s.Text(1);
    x.guests = std::max<int64_t>(0, s.Int(2));
    x.note = s.Text(3);
    x.signed_at = s.Int(4);
    x.status = s.Text(5);
    x.name = s.Text(6);
    std::string nickname = s.Text(7), group_nickname = s.Text(8);
    x.chat_name = !group_nickname.empty() ? group_nickname : !nickname.empty() ? nickname : x.name;
    ordered.push_back(std::move(x));
  }
  SignupList list;
  QUN_ASSIGN_OR_RETURN(
      Statement a,
      store_.db().Prepare(
          "SELECT a.person_id, coalesce(p.display_name,'') FROM activity a LEFT JOIN person p ON "
          "p.id = a.person_id WHERE a.ref = ?1 AND a.group_id = ?2 AND a.kind = 'attendance' AND "
          "a.deleted = 0 AND a.person_id IS NOT NULL GROUP BY a.person_id ORDER BY min(a.at), "
          "a.person_id"));
  a.Bind(1, event.id).Bind(2, event.group_id);
  std::vector<Attendee> attendees;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, a.Step());
    if (!row) break;
    attendees.push_back({a.Text(0), a.Text(1)});
    list.attended.insert(a.Text(0));
  }
  for (core::Signup& x : ordered) x.attended = list.attended.count(x.person_id) > 0;
  PlaceSignups(std::move(ordered), event.capacity, list);
  std::set<std::string> live;
  for (const auto& x : list.in) live.insert(x.person_id);
  for (const auto& x : list.waitlist) live.insert(x.person_id);
  for (auto& att : attendees)
    if (!live.count(att.person_id)) list.walk_ins.push_back(std::move(att));
  return list;
}

Status Events::CheckOpen(const Event& e) {
  if (e.status == "cancelled")
    return Status::Conflict(
        i18n::Format(_("'{}' was cancelled, so it takes no sign-ups; `qun event edit {} --status "
                       "open` reopens it"),
                     e.title, ShortRowId(e.id)));
  if (e.status == "closed")
    return Status::Conflict(
        i18n::Format(_("sign-ups for '{}' are closed; `qun event edit {} --status open` reopens "
                       "them"),
                     e.title, ShortRowId(e.id)));
  return Status::Ok();
}

Result<int64_t> Events::NextSignedAt(const std::string& event_id) {
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store_.db().Prepare("SELECT max(signed_at) FROM signup WHERE event_id = ? AND group_id = ? "
                          "AND deleted = 0"));
  s.Bind(1, event_id).Bind(2, std::string(GroupOfRowId(event_id)));
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  int64_t latest = row && !s.IsNull(0) ? s.Int(0) : 0;
  // A new sign-up goes at the end of the list as this node sees it, even
  // when a sign-up from a node whose clock runs ahead is already there.
  return std::max(NowMs(store_), latest + 1);
}

Result<SignupResult> Events::Signup(WriteTxn& txn, const std::string& event_id,
                                    const std::string& person_id, int64_t guests,
                                    const std::string& note, std::optional<int64_t> signed_at) {
  QUN_ASSIGN_OR_RETURN(Event e, Get(event_id));
  QUN_RETURN_IF_ERROR(CheckOpen(e));
  if (guests < 0 || guests > kMaxGuests)
    return Status::InvalidArgument(
        i18n::Format(_("--guests must be from 0 to {} (got {})"), kMaxGuests, guests));
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "note"), note));
  QUN_ASSIGN_OR_RETURN(Membership m, registry_.RequireMember(e.group_id, person_id));
  QUN_ASSIGN_OR_RETURN(SignupList before, Signups(e));
  for (const auto* list : {&before.in, &before.waitlist})
    for (const auto& x : *list)
      if (x.person_id == person_id)
        return Status::Conflict(i18n::Format(
            x.waitlisted ? _("{} is already signed up for '{}', on the waitlist at position {}; "
                             "`qun event withdraw {} {}` takes them off")
                         : _("{} is already signed up for '{}', on the list at position {}; `qun "
                             "event withdraw {} {}` takes them off"),
            m.person_name, e.title, x.position, ShortRowId(e.id), ShortId(person_id)));
  int64_t at = 0;
  if (signed_at) {
    at = *signed_at;
  } else {
    QUN_ASSIGN_OR_RETURN(at, NextSignedAt(e.id));
  }
  std::string id = SignupId(e.id, person_id);
  auto set = [&](const char* column, const Value& v) {
    return txn.Set("signup", id, column, v).status();
  };
  QUN_RETURN_IF_ERROR(set("event_id", e.id));
  QUN_RETURN_IF_ERROR(set("person_id", person_id));
  QUN_RETURN_IF_ERROR(set("guests", guests));
  QUN_RETURN_IF_ERROR(set("note", TextOrNull(text::Trim(note))));
  QUN_RETURN_IF_ERROR(set("signed_at", at));
  QUN_RETURN_IF_ERROR(set("status", std::string("in")));
  QUN_RETURN_IF_ERROR(set("deleted", int64_t{0}));
  QUN_ASSIGN_OR_RETURN(SignupList after, Signups(e));
  SignupResult r;
  r.places_taken = after.places_taken;
  for (const auto* list : {&after.in, &after.waitlist})
    for (const auto& x : *list)
      if (x.person_id == person_id) {
        r.waitlisted = x.waitlisted;
        r.position = x.position;
      }
  return r;
}

Result<WithdrawResult> Events::Withdraw(WriteTxn& txn, const std::string& event_id,
                                        const std::string& person_id) {
  QUN_ASSIGN_OR_RETURN(Event e, Get(event_id));
  QUN_ASSIGN_OR_RETURN(SignupList before, Signups(e));
  QUN_ASSIGN_OR_RETURN(Person p, registry_.GetPerson(person_id));
  const core::Signup* found = nullptr;
  for (const auto* list : {&before.in, &before.waitlist})
    for (const auto& x : *list)
      if (x.person_id == person_id) found = &x;
  if (!found) {
    for (const auto& x : before.withdrawn)
      if (x.person_id == person_id)
        return Status::Conflict(
            i18n::Format(_("{} has already withdrawn from '{}'"), p.display_name, e.title));
    return Status::NotFound(
        i18n::Format(_("{} is not signed up for '{}'; `qun event show {}` lists who is"),
                     p.display_name, e.title, ShortRowId(e.id)));
  }
  QUN_RETURN_IF_ERROR(txn.Set("signup", found->id, "status", std::string("withdrawn")).status());
  QUN_ASSIGN_OR_RETURN(SignupList after, Signups(e));
  WithdrawResult r;
  std::set<std::string> waiting;
  for (const auto& x : before.waitlist) waiting.insert(x.person_id);
  for (const auto& x : after.in)
    if (waiting.count(x.person_id)) r.moved_up.push_back(x.person_id);
  return r;
}

Result<bool> Events::MarkAttendance(WriteTxn& txn, const std::string& event_id,
                                    const std::string& person_id, bool attended) {
  QUN_ASSIGN_OR_RETURN(Event e, Get(event_id));
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store_.db().Prepare("SELECT id FROM activity WHERE ref = ?1 AND group_id = ?2 AND kind = "
                          "'attendance' AND person_id = ?3 AND deleted = 0 ORDER BY id"));
  s.Bind(1, e.id).Bind(2, e.group_id).Bind(3, person_id);
  std::vector<std::string> facts;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    facts.push_back(s.Text(0));
  }
  if (!attended) {
    for (const auto& id : facts)
      QUN_RETURN_IF_ERROR(txn.Set("activity", id, "deleted", int64_t{1}).status());
    return !facts.empty();
  }
  if (e.status == "cancelled")
    return Status::Conflict(i18n::Format(
        _("'{}' was cancelled, so no one can have attended it; `qun event edit {} --status "
          "closed` if it took place after all"),
        e.title, ShortRowId(e.id)));
  // Someone on the list may have left the group since; anyone else must
  // hold a place in it (a walk-in).
  QUN_ASSIGN_OR_RETURN(SignupList list, Signups(e));
  bool listed = false;
  for (const auto* l : {&list.in, &list.waitlist})
    for (const auto& x : *l) listed = listed || x.person_id == person_id;
  if (!listed) QUN_RETURN_IF_ERROR(registry_.RequireMember(e.group_id, person_id).status());
  if (!facts.empty()) return false;
  std::string id = GroupRowId(e.group_id, RandomId());
  auto set = [&](const char* column, const Value& v) {
    return txn.Set("activity", id, column, v).status();
  };
  QUN_RETURN_IF_ERROR(set("person_id", person_id));
  QUN_RETURN_IF_ERROR(set("kind", std::string("attendance")));
  QUN_RETURN_IF_ERROR(set("day", DayText(LocalDay(e.starts_at))));
  QUN_RETURN_IF_ERROR(set("at", NowMs(store_)));
  QUN_RETURN_IF_ERROR(set("ref", e.id));
  QUN_RETURN_IF_ERROR(set("deleted", int64_t{0}));
  return true;
}

Result<std::vector<ChatPerson>> Events::ChatPeople(const std::string& group_id) {
  QUN_ASSIGN_OR_RETURN(auto memberships, registry_.Members(group_id));
  std::vector<ChatPerson> out;
  for (const auto& m : memberships) {
    QUN_ASSIGN_OR_RETURN(Person p, registry_.GetPerson(m.person_id));
    ChatPerson c;
    c.id = p.id;
    c.label = fmt::format("{} ({})", p.display_name, ShortId(p.id));
    for (const std::string& n : {p.display_name, p.nickname, m.nickname})
      if (!n.empty()) c.names.push_back(n);
    for (const auto& h : p.handles) c.names.push_back(h.value);
    out.push_back(std::move(c));
  }
  return out;
}

Result<ChatImportPlan> Events::PlanChatImport(const Event& event, std::string_view text) {
  QUN_RETURN_IF_ERROR(CheckOpen(event));
  if (!text::IsValidUtf8(text))
    return Status::InvalidArgument(
        _("the pasted list is not valid UTF-8 text; save it as UTF-8 and import it again"));
  ChatImportPlan plan;
  plan.parsed = ParseChatList(text);
  QUN_ASSIGN_OR_RETURN(auto people, ChatPeople(event.group_id));
  plan.matches = MatchChatEntries(plan.parsed.entries, people);
  QUN_ASSIGN_OR_RETURN(SignupList list, Signups(event));
  std::set<std::string> live;
  for (const auto& x : list.in) live.insert(x.person_id);
  for (const auto& x : list.waitlist) live.insert(x.person_id);
  for (size_t i = 0; i < plan.matches.size(); ++i) {
    if (plan.matches[i].kind != ChatMatch::Kind::kMatched) continue;
    (live.count(plan.matches[i].person_id) ? plan.already : plan.to_add).push_back(i);
  }
  return plan;
}

Status Events::ApplyChatImport(WriteTxn& txn, const Event& event, const ChatImportPlan& plan) {
  QUN_ASSIGN_OR_RETURN(int64_t base, NextSignedAt(event.id));
  int64_t k = 0;
  for (size_t i : plan.to_add) {
    const ChatMatch& m = plan.matches[i];
    int64_t guests = std::min(m.entry.guests, kMaxGuests);
    auto r = Signup(txn, event.id, m.person_id, guests, m.note, base + k++);
    if (!r.ok()) return r.status().WithContext(i18n::Format(_("line {}"), m.entry.line));
  }
  return Status::Ok();
}

Result<std::string> Events::ChatText(const Event& event) {
  QUN_ASSIGN_OR_RETURN(SignupList list, Signups(event));
  ChatHeader h;
  h.title = event.title;
  h.starts_at = event.starts_at;
  h.ends_at = event.ends_at;
  h.place = event.place;
  h.mode = event.mode;
  h.capacity = event.capacity;
  h.status = event.status;
  auto lines = [](const std::vector<core::Signup>& v) {
    std::vector<ChatLine> out;
    for (const auto& x : v) out.push_back({x.chat_name, x.guests, x.note});
    return out;
  };
  return FormatChatList(h, lines(list.in), lines(list.waitlist));
}

}  // namespace qun::core
