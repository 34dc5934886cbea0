#include "community/person_merge.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/i18n.h"
#include "core/db.h"
#include "core/ids.h"

namespace qun::core {

Result<PersonMergeResult> MergePeople(Registry& registry, WriteTxn& txn, const std::string& keep,
                                      const std::string& gone) {
  if (keep == gone) return Status::InvalidArgument(_("a person cannot be merged into themselves"));
  QUN_ASSIGN_OR_RETURN(Person k, registry.GetPerson(keep));
  QUN_ASSIGN_OR_RETURN(Person g, registry.GetPerson(gone));
  QUN_ASSIGN_OR_RETURN(auto gone_removed, registry.PersonRemoved(gone));
  QUN_ASSIGN_OR_RETURN(auto keep_removed, registry.PersonRemoved(keep));
  if ((gone_removed && *gone_removed) || (keep_removed && *keep_removed))
    return Status::NotFound(_("only people in the registry can be merged, not removed ones"));
  PersonMergeResult r;
  Database& db = txn.store().db();

  // Fields: the kept record's values stay; empty ones are filled in.
  struct Field {
    const char* column;
    const std::string& kept;
    const std::string& other;
  };
  const Field fields[] = {
      {"nickname", k.nickname, g.nickname}, {"city", k.city, g.city},
      {"intro", k.intro, g.intro},          {"needs", k.needs, g.needs},
      {"offers", k.offers, g.offers},       {"referred_by", k.referred_by, g.referred_by},
  };
  for (const Field& f : fields)
    if (f.kept.empty() && !f.other.empty() &&
        !(f.column == std::string("referred_by") && f.other == keep)) {
      QUN_RETURN_IF_ERROR(txn.Set("person", keep, f.column, f.other).status());
      ++r.fields;
    }
  if (!g.notes.empty() && g.notes != k.notes) {
    std::string notes = k.notes.empty() ? g.notes : k.notes + "\n" + g.notes;
    QUN_RETURN_IF_ERROR(txn.Set("person", keep, "notes", notes).status());
    ++r.fields;
  }

  for (const Handle& h : g.handles) {
    QUN_RETURN_IF_ERROR(txn.Set("person_handle", HandleRowId(h), "person_id", keep).status());
    ++r.handles;
  }
  for (const std::string& tag : g.tags) {
    if (std::find(k.tags.begin(), k.tags.end(), tag) != k.tags.end()) continue;
    std::string row = TagRowId(keep, tag);
    QUN_RETURN_IF_ERROR(txn.Set("person_tag", row, "person_id", keep).status());
    QUN_RETURN_IF_ERROR(txn.Set("person_tag", row, "tag", tag).status());
    QUN_RETURN_IF_ERROR(txn.Set("person_tag", row, "deleted", int64_t{0}).status());
    ++r.tags;
  }

  // Memberships: where only the other record was in a group, the kept one
  // takes its place with the same role, status, date and inviter.
  MembershipFilter of_gone;
  of_gone.person_id = gone;
  QUN_ASSIGN_OR_RETURN(auto memberships, registry.ListMemberships(of_gone));
  for (const Membership& m : memberships) {
    MembershipFilter of_keep;
    of_keep.group_id = m.group_id;
    of_keep.person_id = keep;
    QUN_ASSIGN_OR_RETURN(auto existing, registry.ListMemberships(of_keep));
    if (existing.empty()) {
      std::string row = Registry::MembershipId(m.group_id, keep);
      QUN_RETURN_IF_ERROR(txn.Set("membership", row, "group_id", m.group_id).status());
      QUN_RETURN_IF_ERROR(txn.Set("membership", row, "person_id", keep).status());
      QUN_RETURN_IF_ERROR(txn.Set("membership", row, "role", m.role).status());
      QUN_RETURN_IF_ERROR(txn.Set("membership", row, "status", m.status).status());
      if (m.joined_at)
        QUN_RETURN_IF_ERROR(txn.Set("membership", row, "joined_at", m.joined_at).status());
      if (!m.invited_by.empty() && m.invited_by != keep)
        QUN_RETURN_IF_ERROR(txn.Set("membership", row, "invited_by", m.invited_by).status());
      QUN_RETURN_IF_ERROR(txn.Set("membership", row, "deleted", int64_t{0}).status());
      ++r.memberships;
    }
    QUN_RETURN_IF_ERROR(txn.Set("membership", m.id, "deleted", int64_t{1}).status());
  }

  // Whoever the other record referred or invited now points at the kept one.
  struct Pointer {
    const char* table;
    const char* column;
    const char* others;  // rows of `table` pointing at ?1, other than ?2's own
  };
  const Pointer pointers[] = {
      {"person", "referred_by",
       "SELECT id FROM person WHERE referred_by=?1 AND deleted=0 AND "
       "id != ?2"},
      {"membership", "invited_by",
       "SELECT id FROM membership WHERE invited_by=?1 AND deleted=0 "
       "AND person_id != ?2"},
  };
  for (const Pointer& p : pointers) {
    QUN_ASSIGN_OR_RETURN(Statement s, db.Prepare(p.others));
    s.Bind(1, gone).Bind(2, keep);
    std::vector<std::string> ids;
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      ids.push_back(s.Text(0));
    }
    s.Reset();
    for (const std::string& id : ids) {
      QUN_RETURN_IF_ERROR(txn.Set(p.table, id, p.column, keep).status());
      ++r.referrals;
    }
  }

  QUN_RETURN_IF_ERROR(registry.RemovePerson(txn, gone));
  return r;
}

}  // namespace qun::core
