#include "cli/log_text.h"

#include <fmt/format.h>

#include <string_view>

#include "base/i18n.h"
#include "cli/app.h"
#include "cli/output.h"
#include "cli/words.h"
#include "core/ids.h"
#include "core/permissions.h"

namespace qun::cli {
namespace {

// The notes Qun's commands give their changes (node->Begin("...")), marked
// for the catalog; the English is the note itself.
const char* const kChanges[] = {
    NC_("change", "init"),
    NC_("change", "invite"),
    NC_("change", "join"),
    NC_("change", "admin grant"),
    NC_("change", "admin revoke"),
    NC_("change", "admin remove"),
    NC_("change", "admin resolve-fork"),
    NC_("change", "key rotate"),
    NC_("change", "group add"),
    NC_("change", "group edit"),
    NC_("change", "group archive"),
    NC_("change", "rules"),
    NC_("change", "member add"),
    NC_("change", "member edit"),
    NC_("change", "member remove"),
    NC_("change", "member merge"),
    NC_("change", "member join"),
    NC_("change", "member leave"),
    NC_("change", "member set-status"),
    NC_("change", "member set-role"),
    NC_("change", "member set-joined"),
    NC_("change", "member purge"),
    NC_("change", "member purge --restore"),
    NC_("change", "member pay"),
    NC_("change", "member intro"),
    NC_("change", "import members"),
    NC_("change", "admission apply"),
    NC_("change", "admission approve"),
    NC_("change", "admission reject"),
    NC_("change", "admission paid"),
    NC_("change", "checkin"),
    NC_("change", "topic add"),
    NC_("change", "topic submit"),
    NC_("change", "activity add"),
    NC_("change", "activity remove"),
    NC_("change", "event add"),
    NC_("change", "event edit"),
    NC_("change", "event signup"),
    NC_("change", "event withdraw"),
    NC_("change", "event attend"),
    NC_("change", "event retro"),
    NC_("change", "event import-chat"),
    NC_("change", "poll add"),
    NC_("change", "poll vote"),
    NC_("change", "poll close"),
    NC_("change", "content add"),
    NC_("change", "content edit"),
    NC_("change", "content remove"),
    NC_("change", "warn"),
    NC_("change", "warn remove"),
    NC_("change", "ban"),
    NC_("change", "unban"),
};

// The name organizers know a field by. A table of "" is any table's column
// of that name. Keep in step with core/schema.cc.
struct FieldWord {
  std::string_view table, column;
  const char* word;  // marked for the catalog, context "field"
};

constexpr FieldWord kFields[] = {
    {"community", "name", NC_("field", "community name")},
    {"node", "name", NC_("field", "node name")},
    {"node", "invited_by", NC_("field", "invited by")},
    {"chat_group", "name", NC_("field", "group name")},
    {"chat_group", "kind", NC_("field", "group kind")},
    {"chat_group", "platform", NC_("field", "platform")},
    {"chat_group", "handle", NC_("field", "chat handle")},
    {"chat_group", "capacity", NC_("field", "capacity")},
    {"chat_group", "admission", NC_("field", "admission")},
    {"chat_group", "fee_cents", NC_("field", "entry fee")},
    {"chat_group", "rules", NC_("field", "rules")},
    {"chat_group", "intro_template", NC_("field", "self-introduction template")},
    {"chat_group", "status", NC_("field", "group status")},
    {"chat_group", "questions", NC_("field", "screening questions")},
    {"chat_group", "nickname_pattern", NC_("field", "nickname convention")},
    {"chat_group", "warning_limit", NC_("field", "warning limit")},
    {"chat_group", "level_window_days", NC_("field", "days counted for levels")},
    {"chat_group", "level_core", NC_("field", "core member threshold")},
    {"chat_group", "level_active", NC_("field", "active member threshold")},
    {"person", "display_name", NC_("field", "display name")},
    {"person", "nickname", NC_("field", "nickname")},
    {"person", "city", NC_("field", "city")},
    {"person", "intro", NC_("field", "intro")},
    {"person", "needs", NC_("field", "needs")},
    {"person", "offers", NC_("field", "offers")},
    {"person", "referred_by", NC_("field", "referred by")},
    {"person", "notes", NC_("field", "notes")},
    {"person_handle", "kind", NC_("field", "contact kind")},
    {"person_handle", "value", NC_("field", "contact handle")},
    {"person_tag", "tag", NC_("field", "tag")},
    {"membership", "role", NC_("field", "role")},
    {"membership", "status", NC_("field", "membership status")},
    {"membership", "joined_at", NC_("field", "joined")},
    {"membership", "invited_by", NC_("field", "invited by")},
    {"membership", "nickname", NC_("field", "group nickname")},
    {"membership", "intro", NC_("field", "self-introduction")},
    {"membership", "paid_until", NC_("field", "paid until")},
    {"membership", "status_at", NC_("field", "status since")},
    {"application", "answers", NC_("field", "answers")},
    {"application", "paid", NC_("field", "paid")},
    {"application", "applied_at", NC_("field", "applied")},
    {"application", "decision", NC_("field", "decision")},
    {"activity", "kind", NC_("field", "activity kind")},
    {"activity", "day", NC_("field", "day")},
    {"activity", "at", NC_("field", "time")},
    {"activity", "ref", NC_("field", "for")},
    {"activity", "note", NC_("field", "note")},
    {"topic", "title", NC_("field", "topic title")},
    {"topic", "deadline", NC_("field", "deadline")},
    {"event", "title", NC_("field", "title")},
    {"event", "starts_at", NC_("field", "starts")},
    {"event", "ends_at", NC_("field", "ends")},
    {"event", "place", NC_("field", "place")},
    {"event", "mode", NC_("field", "mode")},
    {"event", "capacity", NC_("field", "capacity")},
    {"event", "status", NC_("field", "event status")},
    {"event", "retro", NC_("field", "retrospective")},
    {"signup", "event_id", NC_("field", "event")},
    {"signup", "guests", NC_("field", "guests")},
    {"signup", "note", NC_("field", "note")},
    {"signup", "signed_at", NC_("field", "signed up")},
    {"signup", "status", NC_("field", "sign-up status")},
    {"poll", "question", NC_("field", "question")},
    {"poll", "options", NC_("field", "options")},
    {"poll", "closes_at", NC_("field", "closes")},
    {"poll", "status", NC_("field", "poll status")},
    {"vote", "poll_id", NC_("field", "poll")},
    {"vote", "choice", NC_("field", "choice")},
    {"vote", "voted_at", NC_("field", "voted")},
    {"content", "title", NC_("field", "title")},
    {"content", "url", NC_("field", "link")},
    {"content", "body", NC_("field", "body")},
    {"content", "tags", NC_("field", "tags")},
    {"content", "person_id", NC_("field", "shared by")},
    {"content", "saved_at", NC_("field", "saved")},
    {"warning", "reason", NC_("field", "reason")},
    {"warning", "given_by", NC_("field", "given by")},
    {"warning", "given_at", NC_("field", "given")},
    {"ban", "reason", NC_("field", "reason")},
    {"ban", "banned_by", NC_("field", "banned by")},
    {"ban", "banned_at", NC_("field", "banned")},
    {"ban", "active", NC_("field", "in force")},
    {core::kKeyEnvelopeTable, "sealed", NC_("field", "community key")},
    {core::kForkTable, "keep", NC_("field", "change set kept")},
    {"", "person_id", NC_("field", "person")},
    {"", "group_id", NC_("field", "group")},
    {"", "created_at", NC_("field", "created")},
};

// Fields that hold a reference, and the table it names ("node": a node id).
// A table of "" is any table's column of that name.
struct Reference {
  std::string_view table, column, to;
};

constexpr Reference kReferences[] = {
    {"node", "invited_by", "node"},
    {"person", "referred_by", "person"},
    {"membership", "invited_by", "person"},
    {"signup", "event_id", "event"},
    {"vote", "poll_id", "poll"},
    {"warning", "given_by", "node"},
    {"ban", "banned_by", "node"},
    {"activity", "ref", "event or topic"},
    {"", "person_id", "person"},
    {"", "group_id", "chat_group"},
};

// Fields that hold a stored value with a word of its own (cli/words.h).
struct Worded {
  std::string_view table, column;
  const char* context;
};

constexpr Worded kWorded[] = {
    {"chat_group", "kind", kGroupKind},      {"chat_group", "platform", kPlatform},
    {"chat_group", "admission", kAdmission}, {"chat_group", "status", kGroupStatus},
    {"membership", "role", kRole},           {"membership", "status", kMemberStatus},
    {"activity", "kind", kActivityKind},     {"event", "status", kEventStatus},
    {"event", "mode", kEventMode},           {"person_handle", "kind", kHandleKind},
    {"signup", "status", kSignupStatus},
};

template <typename T, size_t N>
const T* Find(const T (&list)[N], std::string_view table, std::string_view column) {
  for (const T& t : list)
    if (t.table == table && t.column == column) return &t;
  for (const T& t : list)
    if (t.table.empty() && t.column == column) return &t;
  return nullptr;
}

bool HoldsTime(std::string_view column) {
  return column == "at" || column == "deadline" || column.ends_with("_at");
}

bool HoldsYesNo(std::string_view table, std::string_view column) {
  return table == core::kRoleTable || (table == "application" && column == "paid") ||
         (table == "ban" && column == "active");
}

std::optional<int64_t> IntOf(const Value& v) {
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  return std::nullopt;
}

}  // namespace

std::string ChangeName(const std::string& note) {
  for (const char* known : kChanges)
    if (note == known) return i18n::TrContext("change", known);
  constexpr std::string_view kImport = "import members ";
  if (note.starts_with(kImport))
    return i18n::Format(C_("change", "import members {}"), note.substr(kImport.size()));
  return note;
}

std::string LogWords::Name(const std::string& table, const std::string& id) {
  auto [it, fresh] = names_.try_emplace(table + '\n' + id);
  if (!fresh) return it->second;
  std::string name;
  if (table == "node") {
    if (auto key = core::PublicKeyFromHex(id)) name = NodeLabel(db_, *key);
  } else if (table == "event or topic") {
    for (const char* t : {"event", "topic"}) {
      auto l = core::ShownRowLabel(db_, t, id);
      if (l.ok() && !l->empty()) {
        name = *l;
        break;
      }
    }
  } else {
    auto l = core::ShownRowLabel(db_, table, id);
    if (l.ok()) name = *l;
  }
  it->second = name.empty() ? core::ShortId(id) : name;
  return it->second;
}

std::string LogWords::Record(const core::LogEntry& e) {
  if (e.table == core::kRoleTable) return Name("node", e.row_id);
  return Name(e.table, e.row_id);
}

std::string LogWords::Shown(const core::LogEntry& e, const Value& v, bool to) {
  // Never set, or empty: nothing before; "(empty)" after, a field cleared.
  if (IsNull(v) || (std::holds_alternative<std::string>(v) && std::get<std::string>(v).empty()))
    return to ? C_("log", "(empty)") : "";
  std::optional<int64_t> n = IntOf(v);
  if (n && HoldsTime(e.column)) {
    std::string t = FormatTime(*n);
    if (!t.empty()) return t;
  }
  if (n && HoldsYesNo(e.table, e.column)) return YesNo(*n != 0);
  if (n && e.table == "chat_group" && e.column == "fee_cents") return FormatFee(*n);
  if (std::holds_alternative<Bytes>(v)) return core::ShortId(ValueToDisplay(v)) + "…";
  std::string s = ValueToDisplay(v);
  if (const Reference* r = Find(kReferences, e.table, e.column)) return Name(std::string(r->to), s);
  if (const Worded* w = Find(kWorded, e.table, e.column)) return Word(w->context, s);
  return s;
}

ShownWrite LogWords::Write(const core::LogEntry& e) {
  // A row is made by its first `deleted = 0` and removed by `deleted = 1`.
  if (e.column == "deleted") {
    std::optional<int64_t> from = IntOf(e.old_value), to = IntOf(e.new_value);
    if (to == 1) return {C_("log", "removed"), "", ""};
    if (to == 0 && IsNull(e.old_value)) return {C_("log", "added"), "", ""};
    if (to == 0 && from == 1) return {C_("log", "restored"), "", ""};
    if (to == 0 && from == 0) return {C_("log", "kept"), "", ""};
  }
  std::string field;
  if (e.table == core::kRoleTable) {
    if (auto key = core::ParseRoleColumn(e.column)) {
      core::Roles one;
      one.held.insert(*key);
      field = core::DescribeRoles(db_, one, core::Wording::kShown);
    }
  } else if (const FieldWord* f = Find(kFields, e.table, e.column)) {
    field = i18n::TrContext("field", f->word);
  }
  if (field.empty()) field = e.column;
  return {field, Shown(e, e.old_value, false), Shown(e, e.new_value, true)};
}

}  // namespace qun::cli
