// The registry's memberships: joining, statuses and roles, the waitlist, bans
// (community/registry.h).
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "base/dates.h"
#include "base/i18n.h"
#include "base/text.h"
#include "community/registry.h"
#include "core/ids.h"

namespace qun::core {

// ---------------------------------------------------------------- memberships

Result<std::optional<Membership>> Registry::GetMembership(const std::string& group_id,
                                                          const std::string& person_id) {
  MembershipFilter f;
  f.group_id = group_id;
  f.person_id = person_id;
  QUN_ASSIGN_OR_RETURN(auto list, ListMemberships(f));
  if (list.empty()) return std::optional<Membership>();
  return std::optional<Membership>(list[0]);
}

Status Registry::Join(WriteTxn& txn, const std::string& group_id, const std::string& person_id,
                      const std::string& role, const std::optional<std::string>& invited_by,
                      bool waitlist, std::optional<int64_t> joined_at) {
  QUN_ASSIGN_OR_RETURN(Group g, GetGroup(group_id));
  return JoinGroup(txn, g, person_id, role, invited_by, waitlist, joined_at);
}

namespace {
// A join day still to come is a typing mistake: nobody has joined yet.
Status CheckJoinedAt(Store& store, int64_t joined_at) {
  int64_t now = NowMs(store);
  if (LocalDay(joined_at) > LocalDay(now))
    return Status::InvalidArgument(
        i18n::Format(_("{} is in the future; a join date is the day they joined, today or before"),
                     DayText(LocalDay(joined_at))));
  return Status::Ok();
}
}  // namespace

Status Registry::SetJoinedAt(WriteTxn& txn, const std::string& group_id,
                             const std::string& person_id, int64_t joined_at) {
  QUN_RETURN_IF_ERROR(CheckJoinedAt(store_, joined_at));
  QUN_ASSIGN_OR_RETURN(auto existing, GetMembership(group_id, person_id));
  if (!existing)
    return Status::NotFound(
        i18n::Format(_("that person is not in the group; add them with `qun member join {} {} "
                       "--since DATE`"),
                     ShortId(group_id), ShortId(person_id)));
  if (existing->joined_at == joined_at) return Status::Ok();
  return txn.Set("membership", existing->id, "joined_at", joined_at).status();
}

Status Registry::JoinGroup(WriteTxn& txn, Group& g, const std::string& person_id,
                           const std::string& role, const std::optional<std::string>& invited_by,
                           bool waitlist, std::optional<int64_t> joined_at) {
  const std::string group_id = g.id;
  if (joined_at) QUN_RETURN_IF_ERROR(CheckJoinedAt(store_, *joined_at));
  QUN_RETURN_IF_ERROR(CheckEnum(C_("field", "role"), role, kMemberRoles));
  if (g.status == "archived")
    return Status::Conflict(
        i18n::Format(_("the group '{}' is archived; reactivate it with `qun group edit {} "
                       "--status active` first"),
                     g.name, ShortId(g.id)));
  QUN_ASSIGN_OR_RETURN(auto existing, GetMembership(group_id, person_id));
  if (existing && HoldsPlace(existing->status))
    return Status::Conflict(
        i18n::Format(_("{} is already a member of '{}' (role {}, status {}); change the role "
                       "with `qun member set-role`"),
                     existing->person_name, g.name, existing->role, existing->status));
  if (existing && existing->status == "banned")
    return Status::Conflict(
        i18n::Format(_("{} is banned from '{}'; lift the ban with `qun member set-status {} {} "
                       "active` if that is intended"),
                     existing->person_name, g.name, ShortId(g.id), ShortId(person_id)));
  if (existing && existing->status == "waitlisted" && waitlist)
    return Status::Conflict(
        i18n::Format(_("{} is already on the waitlist of '{}'"), existing->person_name, g.name));
  // Those already waiting come first: free places go to them before a
  // newcomer.
  QUN_RETURN_IF_ERROR(PromoteWaitlistOf(txn, g).status());
  bool full = g.active_members >= g.capacity;
  if (full && !waitlist)
    return Status::Conflict(i18n::Format(
        _("the group '{}' is full ({}/{} members); raise its capacity with `qun group edit {} "
          "--capacity N`, or put them on its waitlist with `qun member join {} {} --waitlist`"),
        g.name, g.active_members, g.capacity, ShortId(g.id), ShortId(g.id), ShortId(person_id)));
  if (invited_by && *invited_by == person_id)
    return Status::InvalidArgument(_("a person cannot invite themselves"));
  std::string id = MembershipId(group_id, person_id);
  int64_t now = NowMs(store_);
  QUN_RETURN_IF_ERROR(txn.Set("membership", id, "group_id", group_id).status());
  QUN_RETURN_IF_ERROR(txn.Set("membership", id, "person_id", person_id).status());
  QUN_RETURN_IF_ERROR(txn.Set("membership", id, "role", role).status());
  QUN_RETURN_IF_ERROR(txn.Set("membership", id, "status", full ? "waitlisted" : "active").status());
  QUN_RETURN_IF_ERROR(txn.Set("membership", id, "status_at", now).status());
  QUN_RETURN_IF_ERROR(txn.Set("membership", id, "joined_at", joined_at.value_or(now)).status());
  if (invited_by)
    QUN_RETURN_IF_ERROR(txn.Set("membership", id, "invited_by", *invited_by).status());
  QUN_RETURN_IF_ERROR(txn.Set("membership", id, "deleted", int64_t{0}).status());
  if (!full) ++g.active_members;
  return Status::Ok();
}

Status Registry::SetMembershipStatus(WriteTxn& txn, const std::string& group_id,
                                     const std::string& person_id, const std::string& status) {
  QUN_RETURN_IF_ERROR(CheckEnum(C_("field", "membership status"), status, kMemberStatuses));
  QUN_ASSIGN_OR_RETURN(auto existing, GetMembership(group_id, person_id));
  std::string id = MembershipId(group_id, person_id);
  if (!existing) {
    QUN_ASSIGN_OR_RETURN(Group g, GetGroup(group_id));
    QUN_ASSIGN_OR_RETURN(Person p, GetPerson(person_id));
    if (status != "applicant" && status != "banned")
      return Status::NotFound(
          i18n::Format(_("{} is not in the group '{}'; add them with `qun member join {} {}`"),
                       p.display_name, g.name, ShortId(group_id), ShortId(person_id)));
    // Applicants and bans may precede membership: record the row.
    QUN_RETURN_IF_ERROR(txn.Set("membership", id, "group_id", group_id).status());
    QUN_RETURN_IF_ERROR(txn.Set("membership", id, "person_id", person_id).status());
    QUN_RETURN_IF_ERROR(txn.Set("membership", id, "role", "member").status());
    QUN_RETURN_IF_ERROR(txn.Set("membership", id, "deleted", int64_t{0}).status());
  } else if (HoldsPlace(status) && !HoldsPlace(existing->status)) {
    QUN_ASSIGN_OR_RETURN(Group g, GetGroup(group_id));
    if (g.active_members >= g.capacity)
      return Status::Conflict(
          i18n::Format(_("the group '{}' is full ({}/{} members); raise its capacity with `qun "
                         "group edit {} --capacity N`"),
                       g.name, g.active_members, g.capacity, ShortId(g.id)));
  }
  if (existing && existing->status == status) return Status::Ok();
  QUN_ASSIGN_OR_RETURN(bool changed, txn.Set("membership", id, "status", status));
  if (!changed) return Status::Ok();
  QUN_RETURN_IF_ERROR(txn.Set("membership", id, "status_at", NowMs(store_)).status());
  if (existing && HoldsPlace(existing->status) && !HoldsPlace(status))
    return PromoteWaitlist(txn, group_id).status();
  return Status::Ok();
}

Result<std::vector<Membership>> Registry::Waitlist(const std::string& group_id) {
  MembershipFilter f;
  f.group_id = group_id;
  f.status = "waitlisted";
  QUN_ASSIGN_OR_RETURN(auto waiting, ListMemberships(f));
  // Oldest first: the order they were put on the waitlist in, then id, the
  // same on every node.
  std::sort(waiting.begin(), waiting.end(), [](const Membership& a, const Membership& b) {
    int64_t ta = a.status_at ? a.status_at : a.joined_at;
    int64_t tb = b.status_at ? b.status_at : b.joined_at;
    return ta != tb ? ta < tb : a.id < b.id;
  });
  return waiting;
}

Result<std::vector<std::string>> Registry::PromoteWaitlist(WriteTxn& txn,
                                                           const std::string& group_id) {
  QUN_ASSIGN_OR_RETURN(Group g, GetGroup(group_id));
  return PromoteWaitlistOf(txn, g);
}

Result<std::vector<std::string>> Registry::PromoteWaitlistOf(WriteTxn& txn, Group& g) {
  const std::string& group_id = g.id;
  std::vector<std::string> promoted;
  if (g.status == "archived" || g.active_members >= g.capacity) return promoted;
  QUN_ASSIGN_OR_RETURN(auto waiting, Waitlist(group_id));
  for (const Membership& m : waiting) {
    if (static_cast<int64_t>(promoted.size()) >= g.capacity - g.active_members) break;
    promoted.push_back(m.person_id);
  }
  int64_t now = NowMs(store_);
  for (const std::string& person : promoted) {
    std::string id = MembershipId(group_id, person);
    QUN_RETURN_IF_ERROR(txn.Set("membership", id, "status", "active").status());
    QUN_RETURN_IF_ERROR(txn.Set("membership", id, "status_at", now).status());
  }
  g.active_members += static_cast<int64_t>(promoted.size());
  return promoted;
}

Result<Membership> Registry::RequireMember(const std::string& group_id,
                                           const std::string& person_id) {
  QUN_ASSIGN_OR_RETURN(auto m, GetMembership(group_id, person_id));
  if (m && HoldsPlace(m->status)) return *m;
  QUN_ASSIGN_OR_RETURN(Group g, GetGroup(group_id));
  QUN_ASSIGN_OR_RETURN(Person p, GetPerson(person_id));
  if (!m)
    return Status::NotFound(
        i18n::Format(_("{} is not in the group '{}'; add them first with `qun member join {} {}`"),
                     p.display_name, g.name, ShortId(group_id), ShortId(person_id)));
  return Status::Conflict(i18n::Format(
      _("{} is not a member of '{}' now (status {}); `qun member show {}` shows their groups"),
      p.display_name, g.name, m->status, ShortId(person_id)));
}

Result<std::optional<std::string>> Registry::BanReason(const std::string& person_id) {
  QUN_ASSIGN_OR_RETURN(Statement s,
                       store_.db().Prepare("SELECT coalesce(reason,'') FROM ban WHERE person_id=? "
                                           "AND deleted=0 AND active=1 ORDER BY id LIMIT 1"));
  s.Bind(1, person_id);
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s.Text(0));
}

Status Registry::SetRole(WriteTxn& txn, const std::string& group_id, const std::string& person_id,
                         const std::string& role) {
  QUN_RETURN_IF_ERROR(CheckEnum(C_("field", "role"), role, kMemberRoles));
  QUN_ASSIGN_OR_RETURN(auto existing, GetMembership(group_id, person_id));
  if (!existing)
    return Status::NotFound(i18n::Format(
        _("that person is not in the group; add them first with `qun member join {} {} --role {}`"),
        ShortId(group_id), ShortId(person_id), role));
  return txn.Set("membership", existing->id, "role", role).status();
}

Result<std::vector<Membership>> Registry::Members(const std::string& group_id) {
  MembershipFilter f;
  f.group_id = group_id;
  QUN_ASSIGN_OR_RETURN(auto all, ListMemberships(f));
  std::erase_if(all, [](const Membership& m) { return !HoldsPlace(m.status); });
  return all;
}

Result<std::vector<Membership>> Registry::ListMemberships(const MembershipFilter& f) {
  std::string where = "m.deleted=0 AND p.deleted=0 AND g.deleted=0";
  std::vector<std::string> params;
  if (f.group_id) {
    where += " AND m.group_id=?";
    params.push_back(*f.group_id);
  }
  if (f.person_id) {
    where += " AND m.person_id=?";
    params.push_back(*f.person_id);
  }
  if (f.status) {
    where += " AND m.status=?";
    params.push_back(*f.status);
  }
  if (f.role) {
    where += " AND m.role=?";
    params.push_back(*f.role);
  }
  // Cached: an import looks up a membership for every line. The filters
  // give a handful of texts, each prepared once.
  QUN_ASSIGN_OR_RETURN(
      CachedStatement cached,
      store_.db().Use(fmt::format(
          "SELECT m.id, m.group_id, coalesce(g.name,''), m.person_id, "
          "coalesce(p.display_name,''), coalesce(m.role,'member'), coalesce(m.status,'active'), "
          "coalesce(m.invited_by,''), coalesce(i.display_name,''), coalesce(m.joined_at,0), "
          "coalesce(m.nickname,''), coalesce(m.intro,''), coalesce(m.paid_until,''), "
          "coalesce(m.status_at,0) "
          "FROM membership m JOIN person p ON p.id=m.person_id JOIN chat_group g ON "
          "g.id=m.group_id LEFT JOIN person i ON i.id=m.invited_by WHERE {} "
          "ORDER BY g.name COLLATE PINYIN, p.display_name COLLATE PINYIN, m.id",
          where)));
  Statement& s = *cached;
  for (size_t i = 0; i < params.size(); ++i) s.Bind(static_cast<int>(i + 1), params[i]);
  std::vector<Membership> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    Membership m;
    m.id = s.Text(0);
    m.group_id = s.Text(1);
    m.group_name = s.Text(2);
    m.person_id = s.Text(3);
    m.person_name = s.Text(4);
    m.role = s.Text(5);
    m.status = s.Text(6);
    m.invited_by = s.Text(7);
    m.invited_by_name = s.Text(8);
    m.joined_at = s.Int(9);
    m.nickname = s.Text(10);
    m.intro = s.Text(11);
    m.paid_until = s.Text(12);
    m.status_at = s.Int(13);
    out.push_back(std::move(m));
  }
  s.Reset();
  return out;
}

}  // namespace qun::core
