#include "community/activity.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "base/chinese.h"
#include "base/dates.h"
#include "base/i18n.h"
#include "base/text.h"
#include "community/group_rows.h"
#include "core/ids.h"

namespace qun::core {

const std::vector<std::string> kActivityKinds = {"checkin", "homework", "talk", "share",
                                                 "attendance"};

namespace {

Status WriteFact(WriteTxn& txn, const std::string& id, const std::string& person_id,
                 const std::string& kind, int64_t day, int64_t at, const std::string& ref,
                 const std::string& note) {
  QUN_RETURN_IF_ERROR(txn.Set("activity", id, "person_id", person_id).status());
  QUN_RETURN_IF_ERROR(txn.Set("activity", id, "kind", kind).status());
  QUN_RETURN_IF_ERROR(txn.Set("activity", id, "day", DayText(day)).status());
  QUN_RETURN_IF_ERROR(txn.Set("activity", id, "at", at).status());
  if (!ref.empty()) QUN_RETURN_IF_ERROR(txn.Set("activity", id, "ref", ref).status());
  if (!note.empty()) QUN_RETURN_IF_ERROR(txn.Set("activity", id, "note", note).status());
  return txn.Set("activity", id, "deleted", int64_t{0}).status();
}

Status CheckNote(const std::string& note) {
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "note"), note));
  return Status::Ok();
}

}  // namespace

Streak StreakOf(const std::vector<int64_t>& days, int64_t today, int64_t grace) {
  Streak s;
  int64_t run = 0, prev = 0;
  bool any = false;
  for (int64_t d : days) {
    if (d > today) break;
    run = any && d - prev <= 1 + grace ? run + 1 : 1;
    s.longest = std::max(s.longest, run);
    prev = d;
    any = true;
    ++s.total;
  }
  if (any) {
    s.last_day = DayText(prev);
    if (today - prev <= 1 + grace) s.current = run;
  }
  return s;
}

Result<std::string> Activity::CheckIn(WriteTxn& txn, const std::string& group_id,
                                      const std::string& person_id, int64_t day,
                                      const std::string& note) {
  QUN_ASSIGN_OR_RETURN(Membership m, registry_.RequireMember(group_id, person_id));
  int64_t now = NowMs(store_);
  if (day > LocalDay(now))
    return Status::InvalidArgument(i18n::Format(
        _("{} is in the future; a check-in is for today or a day before"), DayText(day)));
  QUN_ASSIGN_OR_RETURN(auto earlier, CheckInOn(group_id, person_id, day));
  if (earlier)
    return Status::Conflict(i18n::Format(_("{} has already checked in to '{}' for {} ({})"),
                                         m.person_name, m.group_name, DayText(day),
                                         ShortRowId(*earlier)));
  return Record(txn, group_id, person_id, "checkin", day, note);
}

Result<std::optional<std::string>> Activity::CheckInOn(const std::string& group_id,
                                                       const std::string& person_id, int64_t day) {
  ActivityFilter f;
  f.group_id = group_id;
  f.person_id = person_id;
  f.kind = "checkin";
  f.since_day = f.until_day = day;
  QUN_ASSIGN_OR_RETURN(auto same_day, List(f));
  if (same_day.empty()) return std::optional<std::string>();
  return std::optional<std::string>(same_day[0].id);
}

Result<std::vector<CheckInOutcome>> Activity::CheckInMany(WriteTxn& txn,
                                                          const std::string& group_id,
                                                          const std::vector<std::string>& names,
                                                          int64_t day, const std::string& note) {
  if (day > LocalDay(NowMs(store_)))
    return Status::InvalidArgument(i18n::Format(
        _("{} is in the future; a check-in is for today or a day before"), DayText(day)));
  QUN_RETURN_IF_ERROR(CheckNote(note));
  auto storage = [](const Status& s) {
    return s.code() == Status::Code::kBusy || s.code() == Status::Code::kIOError ||
           s.code() == Status::Code::kCorruption || s.code() == Status::Code::kInternal;
  };
  std::vector<CheckInOutcome> out;
  std::set<std::string> seen;
  for (const std::string& name : names) {
    CheckInOutcome o;
    o.typed = name;
    auto person = registry_.ResolvePerson(name, group_id);
    if (!person.ok()) {
      if (storage(person.status())) return person.status();
      o.kind = person.status().code() == Status::Code::kConflict ? CheckInOutcome::Kind::kAmbiguous
                                                                 : CheckInOutcome::Kind::kNotFound;
      o.reason = person.status().message();
      o.choices = person.status().choices();
      out.push_back(std::move(o));
      continue;
    }
    if (!seen.insert(*person).second) continue;
    o.person_id = *person;
    auto member = registry_.RequireMember(group_id, *person);
    if (!member.ok()) {
      if (storage(member.status())) return member.status();
      QUN_ASSIGN_OR_RETURN(Person p, registry_.GetPerson(*person));
      o.person_name = p.display_name;
      o.kind = CheckInOutcome::Kind::kNotMember;
      o.reason = member.status().message();
      out.push_back(std::move(o));
      continue;
    }
    o.person_name = member->person_name;
    QUN_ASSIGN_OR_RETURN(auto earlier, CheckInOn(group_id, *person, day));
    if (earlier) {
      o.kind = CheckInOutcome::Kind::kAlready;
      o.fact_id = *earlier;
    } else {
      QUN_ASSIGN_OR_RETURN(o.fact_id, Record(txn, group_id, *person, "checkin", day, note));
      o.kind = CheckInOutcome::Kind::kCheckedIn;
    }
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::vector<Membership>> Activity::NotCheckedIn(const std::string& group_id, int64_t day) {
  QUN_ASSIGN_OR_RETURN(auto members, registry_.Members(group_id));
  QUN_ASSIGN_OR_RETURN(
      Statement s, store_.db().Prepare("SELECT DISTINCT person_id FROM activity WHERE group_id = ? "
                                       "AND kind = 'checkin' AND day = ? AND deleted = 0"));
  s.Bind(1, group_id);
  s.Bind(2, DayText(day));
  std::set<std::string> done;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    done.insert(s.Text(0));
  }
  std::erase_if(members, [&](const Membership& m) { return done.count(m.person_id) > 0; });
  return members;
}

Result<std::string> Activity::Record(WriteTxn& txn, const std::string& group_id,
                                     const std::string& person_id, const std::string& kind,
                                     int64_t day, const std::string& note, const std::string& ref) {
  QUN_RETURN_IF_ERROR(CheckEnum(C_("field", "activity kind"), kind, kActivityKinds));
  QUN_RETURN_IF_ERROR(CheckNote(note));
  QUN_RETURN_IF_ERROR(registry_.RequireMember(group_id, person_id).status());
  int64_t now = NowMs(store_);
  if (day > LocalDay(now))
    return Status::InvalidArgument(i18n::Format(
        _("{} is in the future; activity is recorded once it happened"), DayText(day)));
  std::string id = GroupRowId(group_id, RandomId());
  QUN_RETURN_IF_ERROR(WriteFact(txn, id, person_id, kind, day, now, ref, text::Trim(note)));
  return id;
}

Result<bool> Activity::RecordStated(WriteTxn& txn, const std::string& group_id,
                                    const std::string& person_id, const std::string& kind,
                                    int64_t day, const std::string& source) {
  QUN_RETURN_IF_ERROR(CheckEnum(C_("field", "activity kind"), kind, kActivityKinds));
  QUN_RETURN_IF_ERROR(registry_.RequireMember(group_id, person_id).status());
  if (day > LocalDay(NowMs(store_)))
    return Status::InvalidArgument(i18n::Format(
        _("{} is in the future; activity is recorded once it happened"), DayText(day)));
  std::string id = GroupRowId(
      group_id, DerivedId("activity", fmt::format("{}|{}|{}|{}", person_id, kind, day, source)));
  QUN_ASSIGN_OR_RETURN(CachedStatement seen,
                       store_.db().Use("SELECT 1 FROM activity WHERE id = ?"));
  seen->Bind(1, id);
  QUN_ASSIGN_OR_RETURN(bool exists, seen->Step());
  if (exists) return false;
  // Its time is the day's start, the same on every node that states it.
  QUN_RETURN_IF_ERROR(WriteFact(txn, id, person_id, kind, day, LocalMidnightMs(day), "", ""));
  return true;
}

Status Activity::Remove(WriteTxn& txn, const std::string& fact_id) {
  return txn.Set("activity", fact_id, "deleted", int64_t{1}).status();
}

Result<std::string> Activity::ResolveFact(const std::string& ref) {
  return ResolveGroupRow(
      store_.db(),
      GroupRowKind{"activity", "note", NC_("row kind", "activity record"), "qun activity list"},
      ref);
}

Result<std::vector<ActivityFact>> Activity::List(const ActivityFilter& f) {
  QUN_ASSIGN_OR_RETURN(
      Statement s, store_.db().Prepare(
                       "SELECT a.id, a.group_id, coalesce(g.name,''), a.person_id, "
                       "coalesce(p.display_name,''), coalesce(a.kind,''), coalesce(a.day,''), "
                       "coalesce(a.at,0), coalesce(a.ref,''), coalesce(a.note,'') FROM activity a "
                       "JOIN person p ON p.id=a.person_id JOIN chat_group g ON g.id=a.group_id "
                       "WHERE a.deleted=0 AND p.deleted=0 AND g.deleted=0 "
                       "AND (?1 IS NULL OR a.group_id=?1) AND (?2 IS NULL OR a.person_id=?2) "
                       "AND (?3 IS NULL OR a.kind=?3) AND (?4 IS NULL OR a.ref=?4) "
                       "AND (?5 IS NULL OR a.day>=?5) AND (?6 IS NULL OR a.day<=?6) "
                       "ORDER BY a.day DESC, a.at DESC, a.id"));
  if (f.group_id) s.Bind(1, *f.group_id);
  if (f.person_id) s.Bind(2, *f.person_id);
  if (f.kind) s.Bind(3, *f.kind);
  if (f.ref) s.Bind(4, *f.ref);
  // Days compare as text: YYYY-MM-DD sorts as the calendar does.
  if (f.since_day) s.Bind(5, DayText(*f.since_day));
  if (f.until_day) s.Bind(6, DayText(*f.until_day));
  std::vector<ActivityFact> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ActivityFact a;
    a.id = s.Text(0);
    a.group_id = s.Text(1);
    a.group_name = s.Text(2);
    a.person_id = s.Text(3);
    a.person_name = s.Text(4);
    a.kind = s.Text(5);
    a.day = s.Text(6);
    a.at = s.Int(7);
    a.ref = s.Text(8);
    a.note = s.Text(9);
    out.push_back(std::move(a));
  }
  return out;
}

// ---------------------------------------------------------------- topics

Result<std::string> Activity::AddTopic(WriteTxn& txn, const std::string& group_id,
                                       const std::string& title, int64_t deadline) {
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "topic title"), title));
  std::string t = text::Trim(title);
  if (t.empty()) return Status::InvalidArgument(_("a topic needs a title"));
  QUN_ASSIGN_OR_RETURN(Group g, registry_.GetGroup(group_id));
  if (g.status == "archived")
    return Status::Conflict(i18n::Format(_("the group '{}' is archived"), g.name));
  std::string id = GroupRowId(group_id, RandomId());
  QUN_RETURN_IF_ERROR(txn.Set("topic", id, "title", t).status());
  if (deadline) QUN_RETURN_IF_ERROR(txn.Set("topic", id, "deadline", deadline).status());
  QUN_RETURN_IF_ERROR(txn.Set("topic", id, "created_at", NowMs(store_)).status());
  QUN_RETURN_IF_ERROR(txn.Set("topic", id, "deleted", int64_t{0}).status());
  return id;
}

Result<std::vector<Topic>> Activity::ListTopics(const std::optional<std::string>& group_id) {
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store_.db().Prepare(
          "SELECT t.id, t.group_id, coalesce(g.name,''), coalesce(t.title,''), "
          "coalesce(t.deadline,0), coalesce(t.created_at,0), (SELECT count(DISTINCT a.person_id) "
          "FROM activity a WHERE a.ref=t.id AND a.group_id=t.group_id AND a.kind='homework' AND "
          "a.deleted=0) "
          "FROM topic t JOIN chat_group g ON g.id=t.group_id WHERE t.deleted=0 AND g.deleted=0 "
          "AND (?1 IS NULL OR t.group_id=?1) ORDER BY coalesce(t.deadline,0) DESC, t.id"));
  if (group_id) s.Bind(1, *group_id);
  std::vector<Topic> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    Topic t;
    t.id = s.Text(0);
    t.group_id = s.Text(1);
    t.group_name = s.Text(2);
    t.title = s.Text(3);
    t.deadline = s.Int(4);
    t.created_at = s.Int(5);
    t.submissions = s.Int(6);
    out.push_back(std::move(t));
  }
  return out;
}

Result<Topic> Activity::GetTopic(const std::string& topic_id) {
  QUN_ASSIGN_OR_RETURN(auto all, ListTopics(std::string(GroupOfRowId(topic_id))));
  for (auto& t : all)
    if (t.id == topic_id) return t;
  return Status::NotFound(_("no such topic; list them with `qun topic list`"));
}

Result<Submission> Activity::Submit(WriteTxn& txn, const std::string& topic_id,
                                    const std::string& person_id, const std::string& note,
                                    int64_t at) {
  QUN_ASSIGN_OR_RETURN(Topic t, GetTopic(topic_id));
  QUN_RETURN_IF_ERROR(CheckNote(note));
  QUN_RETURN_IF_ERROR(registry_.RequireMember(t.group_id, person_id).status());
  if (at > NowMs(store_) + 60'000)
    return Status::InvalidArgument(_("a submission time cannot be in the future"));
  ActivityFilter f;
  f.group_id = t.group_id;  // another group's rows never count toward this topic
  f.ref = topic_id;
  f.person_id = person_id;
  f.kind = "homework";
  QUN_ASSIGN_OR_RETURN(auto earlier, List(f));
  Submission out;
  out.id = GroupRowId(t.group_id, RandomId());
  out.late = t.deadline != 0 && at > t.deadline;
  out.count = static_cast<int64_t>(earlier.size()) + 1;
  QUN_RETURN_IF_ERROR(
      WriteFact(txn, out.id, person_id, "homework", LocalDay(at), at, topic_id, text::Trim(note)));
  return out;
}

Result<std::vector<TopicEntry>> Activity::TopicStatus(const std::string& topic_id) {
  QUN_ASSIGN_OR_RETURN(Topic t, GetTopic(topic_id));
  // The first submission of each person decides: a later, better one does
  // not make a late homework on time.
  std::map<std::string, TopicEntry> by_person;
  ActivityFilter f;
  f.group_id = t.group_id;
  f.ref = topic_id;
  f.kind = "homework";
  QUN_ASSIGN_OR_RETURN(auto facts, List(f));
  for (const ActivityFact& a : facts) {
    TopicEntry& e = by_person[a.person_id];
    if (e.submitted_at == 0 || a.at < e.submitted_at) {
      e.person_id = a.person_id;
      e.person_name = a.person_name;
      e.submitted_at = a.at;
    }
  }
  QUN_ASSIGN_OR_RETURN(auto members, registry_.Members(t.group_id));
  for (const Membership& m : members) {
    if (by_person.count(m.person_id)) continue;
    by_person[m.person_id] = TopicEntry{m.person_id, m.person_name, "missing", 0};
  }
  std::vector<TopicEntry> out;
  for (auto& [id, e] : by_person) {
    if (e.submitted_at) e.state = t.deadline && e.submitted_at > t.deadline ? "late" : "on time";
    out.push_back(e);
  }
  auto rank = [](const std::string& s) { return s == "on time" ? 0 : s == "late" ? 1 : 2; };
  std::sort(out.begin(), out.end(), [&](const TopicEntry& a, const TopicEntry& b) {
    if (rank(a.state) != rank(b.state)) return rank(a.state) < rank(b.state);
    if (a.submitted_at != b.submitted_at) return a.submitted_at < b.submitted_at;
    if (int c = text::PinyinCompare(a.person_name, b.person_name)) return c < 0;
    return a.person_id < b.person_id;
  });
  return out;
}

// ---------------------------------------------------------------- streaks

Result<std::vector<Streak>> Activity::Streaks(const std::string& group_id, int64_t today) {
  std::map<std::string, std::vector<int64_t>> days;
  std::map<std::string, std::string> names;
  QUN_ASSIGN_OR_RETURN(auto members, registry_.Members(group_id));
  for (const Membership& m : members) {
    days[m.person_id];
    names[m.person_id] = m.person_name;
  }
  ActivityFilter f;
  f.group_id = group_id;
  f.kind = "checkin";
  f.until_day = today;
  QUN_ASSIGN_OR_RETURN(auto facts, List(f));
  for (const ActivityFact& a : facts) {
    auto it = days.find(a.person_id);
    if (it == days.end()) continue;  // no longer in the group
    if (auto d = ParseDayNumber(a.day)) it->second.push_back(*d);
  }
  std::vector<Streak> out;
  for (auto& [person, list] : days) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
    Streak s = StreakOf(list, today);
    s.person_id = person;
    s.person_name = names[person];
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const Streak& a, const Streak& b) {
    if (a.current != b.current) return a.current > b.current;
    if (a.longest != b.longest) return a.longest > b.longest;
    if (int c = text::PinyinCompare(a.person_name, b.person_name)) return c < 0;
    return a.person_id < b.person_id;
  });
  return out;
}

}  // namespace qun::core
