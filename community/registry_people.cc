// The registry's people with their handles and tags: checked input, writes, reads
// (community/registry.h).
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "base/chinese.h"
#include "base/i18n.h"
#include "base/text.h"
#include "community/registry.h"
#include "core/ids.h"
#include "core/log_reads.h"

namespace qun::core {
namespace {

size_t HandleRank(const std::string& kind) {
  return std::find(kHandleKinds.begin(), kHandleKinds.end(), kind) - kHandleKinds.begin();
}

}  // namespace

// ---------------------------------------------------------------- people

Result<std::optional<std::string>> Registry::FindByHandle(const Handle& h) {
  return OneText(
      "SELECT h.person_id FROM person_handle h JOIN person p ON p.id=h.person_id WHERE h.id=? AND "
      "h.deleted=0 AND p.deleted=0",
      HandleRowId(h));
}

Result<std::optional<std::string>> Registry::HandleOwner(const Handle& h) {
  return OneText("SELECT person_id FROM person_handle WHERE id=? AND deleted=0", HandleRowId(h));
}

Result<std::optional<std::string>> Registry::OneText(const char* sql, const std::string& key) {
  // Cached: an import asks for every handle of every line.
  QUN_ASSIGN_OR_RETURN(CachedStatement s, store_.db().Use(sql));
  s->Bind(1, key);
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  std::optional<std::string> out;
  if (row) out = s->Text(0);
  return out;
}

Result<std::optional<bool>> Registry::PersonRemoved(const std::string& id) {
  QUN_ASSIGN_OR_RETURN(Statement s, store_.db().Prepare("SELECT deleted FROM person WHERE id=?"));
  s.Bind(1, id);
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<bool>();
  return std::optional<bool>(s.Int(0) != 0);
}

Status Registry::CheckPersonInput(const PersonInput& in, const std::string& id) {
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "display name"), in.display_name));
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "nickname"), in.nickname));
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "city"), in.city));
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "intro"), in.intro));
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "needs"), in.needs));
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "offers"), in.offers));
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "notes"), in.notes));
  if (in.display_name && text::Trim(*in.display_name).empty())
    return Status::InvalidArgument(_("a person needs a non-empty display name"));
  auto check_tag = [](const std::string& t) -> Status {
    if (!text::IsValidUtf8(t)) return Status::InvalidArgument(_("a tag is not valid UTF-8 text"));
    if (text::Trim(t).empty()) return Status::InvalidArgument(_("a tag cannot be empty"));
    if (t.find(';') != std::string::npos || t.find("；") != std::string::npos)
      return Status::InvalidArgument(
          i18n::Format(_("the tag '{}' contains ';', which separates tags in spreadsheets; give "
                         "each tag on its own"),
                       t));
    return Status::Ok();
  };
  for (const auto& t : in.add_tags) QUN_RETURN_IF_ERROR(check_tag(t));
  if (in.set_tags)
    for (const auto& t : *in.set_tags) QUN_RETURN_IF_ERROR(check_tag(t));

  // A contact handle belongs to one live person.
  std::vector<Handle> incoming = in.add_handles;
  if (in.set_handles)
    incoming.insert(incoming.end(), in.set_handles->begin(), in.set_handles->end());
  for (const Handle& h : incoming) {
    QUN_ASSIGN_OR_RETURN(auto owner, FindByHandle(h));
    if (owner && *owner != id) {
      QUN_ASSIGN_OR_RETURN(Person other, GetPerson(*owner));
      return Status::Conflict(i18n::Format(
          _("the {} '{}' already belongs to {} ({}); edit that person with `qun member edit {}`, "
            "or remove the handle from them first"),
          h.kind, h.value, other.display_name, ShortId(*owner), ShortId(*owner)));
    }
  }
  if (in.referred_by && !in.referred_by->empty()) {
    if (*in.referred_by == id)
      return Status::InvalidArgument(_("a person cannot be referred by themselves"));
    // A referral is a fact of the past: a referrer removed since still counts.
    QUN_ASSIGN_OR_RETURN(auto removed, PersonRemoved(*in.referred_by));
    if (!removed)
      return Status::NotFound(
          i18n::Format(_("the referrer {} is not in the registry"), ShortId(*in.referred_by)));
  }
  return Status::Ok();
}

Status Registry::WritePersonFields(WriteTxn& txn, const std::string& id, const PersonInput& in) {
  auto set = [&](const char* col, const std::optional<std::string>& v, bool trim) -> Status {
    if (!v) return Status::Ok();
    std::string value = trim ? text::Trim(*v) : *v;
    // An empty cell and a never-set field are the same thing: null.
    return txn.Set("person", id, col, value.empty() ? Value{} : Value{value}).status();
  };
  QUN_RETURN_IF_ERROR(set("display_name", in.display_name, true));
  QUN_RETURN_IF_ERROR(set("nickname", in.nickname, true));
  QUN_RETURN_IF_ERROR(set("city", in.city, true));
  QUN_RETURN_IF_ERROR(set("intro", in.intro, false));
  QUN_RETURN_IF_ERROR(set("needs", in.needs, false));
  QUN_RETURN_IF_ERROR(set("offers", in.offers, false));
  QUN_RETURN_IF_ERROR(set("notes", in.notes, false));
  if (in.referred_by) {
    Value v = in.referred_by->empty() ? Value{} : Value{*in.referred_by};
    QUN_RETURN_IF_ERROR(txn.Set("person", id, "referred_by", v).status());
  }

  auto add_handle = [&](const Handle& h) -> Status {
    std::string row = HandleRowId(h);
    QUN_RETURN_IF_ERROR(txn.Set("person_handle", row, "person_id", id).status());
    QUN_RETURN_IF_ERROR(txn.Set("person_handle", row, "kind", h.kind).status());
    QUN_RETURN_IF_ERROR(txn.Set("person_handle", row, "value", h.value).status());
    return txn.Set("person_handle", row, "deleted", int64_t{0}).status();
  };
  auto remove_handle = [&](const Handle& h) -> Status {
    QUN_ASSIGN_OR_RETURN(auto owner, FindByHandle(h));
    if (!owner || *owner != id) return Status::Ok();
    return txn.Set("person_handle", HandleRowId(h), "deleted", int64_t{1}).status();
  };
  if (in.set_handles) {
    QUN_ASSIGN_OR_RETURN(auto current, HandlesOf(id));
    for (const Handle& h : current)
      if (std::find(in.set_handles->begin(), in.set_handles->end(), h) == in.set_handles->end())
        QUN_RETURN_IF_ERROR(remove_handle(h));
    for (const Handle& h : *in.set_handles) QUN_RETURN_IF_ERROR(add_handle(h));
  }
  for (const Handle& h : in.add_handles) QUN_RETURN_IF_ERROR(add_handle(h));
  for (const Handle& h : in.remove_handles) QUN_RETURN_IF_ERROR(remove_handle(h));

  auto add_tag = [&](const std::string& raw) -> Status {
    std::string tag = text::Trim(raw);
    std::string row = TagRowId(id, tag);
    QUN_RETURN_IF_ERROR(txn.Set("person_tag", row, "person_id", id).status());
    QUN_RETURN_IF_ERROR(txn.Set("person_tag", row, "tag", tag).status());
    return txn.Set("person_tag", row, "deleted", int64_t{0}).status();
  };
  auto remove_tag = [&](const std::string& raw) -> Status {
    std::string row = TagRowId(id, text::Trim(raw));
    QUN_ASSIGN_OR_RETURN(Statement s, store_.db().Prepare("SELECT 1 FROM person_tag WHERE id=?"));
    s.Bind(1, row);
    QUN_ASSIGN_OR_RETURN(bool exists, s.Step());
    if (!exists) return Status::Ok();
    return txn.Set("person_tag", row, "deleted", int64_t{1}).status();
  };
  if (in.set_tags) {
    std::set<std::string> wanted;
    for (const auto& t : *in.set_tags) wanted.insert(text::Trim(t));
    QUN_ASSIGN_OR_RETURN(auto current, TagsOf(id));
    for (const auto& t : current)
      if (!wanted.count(t)) QUN_RETURN_IF_ERROR(remove_tag(t));
    for (const auto& t : wanted) QUN_RETURN_IF_ERROR(add_tag(t));
  }
  for (const auto& t : in.add_tags) QUN_RETURN_IF_ERROR(add_tag(t));
  for (const auto& t : in.remove_tags) QUN_RETURN_IF_ERROR(remove_tag(t));
  return Status::Ok();
}

Result<std::string> Registry::AddPerson(WriteTxn& txn, const PersonInput& in,
                                        const std::optional<std::string>& given_id) {
  if (!in.display_name || text::Trim(*in.display_name).empty())
    return Status::InvalidArgument(_("a person needs a display name"));
  std::string id;
  if (given_id) {
    if (!LooksLikeId(*given_id))
      return Status::InvalidArgument(i18n::Format(
          _("'{}' is not a Qun id (32 hex characters); leave the id column empty for new people"),
          *given_id));
    id = *given_id;
  } else {
    std::vector<Handle> handles = in.add_handles;
    if (in.set_handles)
      handles.insert(handles.end(), in.set_handles->begin(), in.set_handles->end());
    std::stable_sort(handles.begin(), handles.end(), [](const Handle& a, const Handle& b) {
      return HandleRank(a.kind) < HandleRank(b.kind);
    });
    // A removed person who still holds one of these handles comes back,
    // whichever handle their id was derived from.
    std::optional<std::string> revived;
    for (const Handle& h : handles) {
      QUN_ASSIGN_OR_RETURN(auto owner, HandleOwner(h));
      if (!owner) continue;
      QUN_ASSIGN_OR_RETURN(auto owner_removed, PersonRemoved(*owner));
      if (owner_removed && *owner_removed) {
        revived = *owner;
        break;
      }
    }
    if (revived) {
      id = *revived;
    } else if (handles.empty()) {
      id = RandomId();
    } else {
      id = DerivedId("person", handles[0].kind + ":" + handles[0].value);
      // The derived row may belong to someone who has since given up that
      // handle (a typo fixed, a number changed): then this is someone new.
      QUN_ASSIGN_OR_RETURN(auto taken, PersonRemoved(id));
      if (taken) id = RandomId();
    }
  }
  QUN_ASSIGN_OR_RETURN(auto removed, PersonRemoved(id));
  if (removed && !*removed) {
    QUN_ASSIGN_OR_RETURN(Person existing, GetPerson(id));
    return Status::Conflict(i18n::Format(
        _("{} is already in the registry as {} ({}); use `qun member edit {}` to change them"),
        text::Trim(*in.display_name), existing.display_name, ShortId(id), ShortId(id)));
  }
  QUN_RETURN_IF_ERROR(CheckPersonInput(in, id));
  if (!removed) QUN_RETURN_IF_ERROR(txn.Set("person", id, "created_at", NowMs(store_)).status());
  // A removed person added again (same handle) comes back: the tombstone is
  // overwritten like any field.
  QUN_RETURN_IF_ERROR(WritePersonFields(txn, id, in));
  QUN_RETURN_IF_ERROR(txn.Set("person", id, "deleted", int64_t{0}).status());
  return id;
}

Status Registry::EditPerson(WriteTxn& txn, const std::string& id, const PersonInput& in) {
  QUN_RETURN_IF_ERROR(CheckPersonInput(in, id));
  return WritePersonFields(txn, id, in);
}

Status Registry::RemovePerson(WriteTxn& txn, const std::string& id) {
  return txn.Set("person", id, "deleted", int64_t{1}).status();
}

Result<std::vector<Handle>> Registry::HandlesOf(const std::string& person_id) {
  QUN_ASSIGN_OR_RETURN(
      Statement s, store_.db().Prepare("SELECT kind, value FROM person_handle WHERE person_id=? "
                                       "AND deleted=0"));
  s.Bind(1, person_id);
  std::vector<Handle> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(Handle{s.Text(0), s.Text(1)});
  }
  std::sort(out.begin(), out.end(), [](const Handle& a, const Handle& b) {
    if (a.kind != b.kind) return HandleRank(a.kind) < HandleRank(b.kind);
    return a.value < b.value;
  });
  return out;
}

Result<std::vector<std::string>> Registry::TagsOf(const std::string& person_id) {
  QUN_ASSIGN_OR_RETURN(Statement s,
                       store_.db().Prepare("SELECT tag FROM person_tag WHERE person_id=? AND "
                                           "deleted=0 ORDER BY tag"));
  s.Bind(1, person_id);
  std::vector<std::string> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(s.Text(0));
  }
  return out;
}

static const std::string kPersonColumns =
    std::string(
        "p.id, coalesce(p.display_name,''), coalesce(p.nickname,''), coalesce(p.city,''), "
        "coalesce(p.intro,''), coalesce(p.needs,''), coalesce(p.offers,''), "
        "coalesce(p.referred_by,''), coalesce(r.display_name,''), coalesce(p.notes,''), "
        "coalesce(p.created_at,0), ") +
    RowChangedSql("person", "p.id") + " >> 16";

Result<Person> Registry::GetPerson(const std::string& id) {
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store_.db().Prepare(fmt::format(
          "SELECT {} FROM person p LEFT JOIN person r ON r.id=p.referred_by WHERE p.id=?",
          kPersonColumns)));
  s.Bind(1, id);
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status::NotFound(i18n::Format(_("no person with id {}"), id));
  Person p;
  p.id = s.Text(0);
  p.display_name = s.Text(1);
  p.nickname = s.Text(2);
  p.city = s.Text(3);
  p.intro = s.Text(4);
  p.needs = s.Text(5);
  p.offers = s.Text(6);
  p.referred_by = s.Text(7);
  p.referred_by_name = s.Text(8);
  p.notes = s.Text(9);
  p.created_at = s.Int(10);
  p.updated_at = s.Int(11);
  QUN_ASSIGN_OR_RETURN(p.handles, HandlesOf(id));
  QUN_ASSIGN_OR_RETURN(p.tags, TagsOf(id));
  return p;
}

Result<std::vector<Person>> Registry::ListPeople(const PersonFilter& f) {
  std::string where = "p.deleted=0";
  std::vector<std::string> params;
  if (f.city) {
    where += " AND p.city=?";
    params.push_back(*f.city);
  }
  if (f.tag) {
    where +=
        " AND EXISTS (SELECT 1 FROM person_tag t WHERE t.person_id=p.id AND t.deleted=0 AND "
        "t.tag=?)";
    params.push_back(text::Trim(*f.tag));
  }
  if (f.group_id || f.status || f.role) {
    std::string m = "m.person_id=p.id AND m.deleted=0";
    if (f.group_id) {
      m += " AND m.group_id=?";
      params.push_back(*f.group_id);
    }
    if (f.status) {
      m += " AND m.status=?";
      params.push_back(*f.status);
    } else {
      m += " AND m.status NOT IN ('left','removed','purged','rejected')";
    }
    if (f.role) {
      m += " AND m.role=?";
      params.push_back(*f.role);
    }
    where += " AND EXISTS (SELECT 1 FROM membership m WHERE " + m + ")";
  }
  QUN_ASSIGN_OR_RETURN(
      Statement s, store_.db().Prepare(fmt::format("SELECT p.id FROM person p WHERE {} ORDER BY "
                                                   "p.display_name, p.id",
                                                   where)));
  for (size_t i = 0; i < params.size(); ++i) s.Bind(static_cast<int>(i + 1), params[i]);
  std::vector<std::string> ids;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ids.push_back(s.Text(0));
  }
  std::vector<Person> out;
  out.reserve(ids.size());
  const std::string wanted = f.name ? text::FoldForSearch(text::Trim(*f.name)) : "";
  auto named = [&](const Person& p) {
    if (text::FoldForSearch(p.display_name).find(wanted) != std::string::npos ||
        text::FoldForSearch(p.nickname).find(wanted) != std::string::npos)
      return true;
    for (const auto& h : p.handles)
      if (text::AsciiLower(h.value).find(wanted) != std::string::npos) return true;
    return text::MatchesPinyin(*f.name, p.display_name) || text::MatchesPinyin(*f.name, p.nickname);
  };
  for (const auto& id : ids) {
    QUN_ASSIGN_OR_RETURN(Person p, GetPerson(id));
    if (f.name && !named(p)) continue;
    out.push_back(std::move(p));
  }
  // Chinese names in pinyin order, as people look for them (阿明, 李娜,
  // 张伟), the id breaking ties.
  std::stable_sort(out.begin(), out.end(), [](const Person& a, const Person& b) {
    return text::PinyinLess(a.display_name, b.display_name);
  });
  return out;
}

}  // namespace qun::core
