#include "community/registry.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "base/dates.h"
#include "base/text.h"
#include "core/ids.h"

namespace qun::core {

const std::vector<std::string> kGroupKinds = {"exchange", "course",   "regional",
                                              "resource", "interest", "other"};
const std::vector<std::string> kPlatforms = {"wechat", "qq", "telegram", "discord", "other"};
const std::vector<std::string> kAdmissions = {"open", "invite", "application", "paid"};
const std::vector<std::string> kGroupStatuses = {"active", "archived"};
const std::vector<std::string> kRoles = {"member", "core", "admin", "owner"};
const std::vector<std::string> kMemberStatuses = {"applicant", "waitlisted", "active",
                                                  "muted",     "left",       "removed",
                                                  "purged",    "rejected",   "banned"};

bool HoldsPlace(const std::string& status) { return status == "active" || status == "muted"; }
const std::vector<std::string> kHandleKinds = {"wechat", "phone", "email"};

// Every text a person typed must be valid UTF-8 before it enters the log.
Status CheckText(std::string_view field, const std::optional<std::string>& v) {
  if (v && !text::IsValidUtf8(*v))
    return Status::InvalidArgument(fmt::format(
        "the {} is not valid UTF-8 text; re-type it, or convert the file to UTF-8", field));
  return Status::Ok();
}

int64_t NowMs(Store& store) { return static_cast<int64_t>(store.clock().Now().physical_ms()); }

int64_t Today(Store& store) { return LocalDay(NowMs(store)); }

namespace {

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  return fmt::format("{}", fmt::join(v, sep));
}

int64_t Now(Store& store) { return NowMs(store); }

size_t HandleRank(const std::string& kind) {
  return std::find(kHandleKinds.begin(), kHandleKinds.end(), kind) - kHandleKinds.begin();
}

// Resolves `ref` against ids in `table` (live rows only), then by names.
// `name_sql` selects candidate ids for a name (one parameter).
Result<std::string> ResolveRef(Database& db, const std::string& ref, std::string_view table,
                               std::string_view what, std::string_view live_sql,
                               const std::vector<std::string>& name_sqls) {
  std::string lowered = text::AsciiLower(text::Trim(ref));
  if (lowered.empty())
    return Status::InvalidArgument(fmt::format("an empty {} reference was given", what));
  auto candidates = [&](Statement& stmt) -> Result<std::vector<std::string>> {
    std::vector<std::string> ids;
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      std::string id = stmt.Text(0);
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
    return ids;
  };
  std::string plural = what == "person" ? "people" : std::string(what) + "s";
  auto ambiguous = [&](const std::vector<std::string>& ids) {
    std::string list;
    for (size_t i = 0; i < ids.size() && i < 5; ++i) list += " " + ShortId(ids[i]);
    return Status::Conflict(
        fmt::format("'{}' is ambiguous: it matches {} {} ({}{}); give more characters of the id",
                    ref, ids.size(), plural, list.substr(1), ids.size() > 5 ? " ..." : ""));
  };

  if (LooksLikeIdPrefix(lowered)) {
    // Prefix match as a range scan on the primary key.
    std::string hi = lowered + "g";
    QUN_ASSIGN_OR_RETURN(Statement stmt,
                         db.Prepare(fmt::format("SELECT id FROM {} t WHERE id >= ? AND id < ? "
                                                "AND {} LIMIT 6",
                                                table, live_sql)));
    stmt.Bind(1, lowered).Bind(2, hi);
    QUN_ASSIGN_OR_RETURN(auto ids, candidates(stmt));
    if (ids.size() == 1) return ids[0];
    if (ids.size() > 1) return ambiguous(ids);
  }
  std::string name = text::Trim(ref);
  for (const std::string& sql : name_sqls) {
    QUN_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
    stmt.Bind(1, name);
    QUN_ASSIGN_OR_RETURN(auto ids, candidates(stmt));
    if (ids.size() == 1) return ids[0];
    if (ids.size() > 1)
      return Status::Conflict(
          fmt::format("'{}' is ambiguous: {} {} have that name ({}); use the id instead", ref,
                      ids.size(), plural, [&] {
                        std::vector<std::string> s;
                        for (auto& id : ids) s.push_back(ShortId(id));
                        return Join(s, ", ");
                      }()));
  }
  return Status::NotFound(
      fmt::format("no {} matches '{}'; check the spelling, or list them with "
                  "`qun {} list`",
                  what, ref, what == "group" ? "group" : "member"));
}

}  // namespace

Status CheckEnum(const std::string& field, const std::string& value,
                 const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return Status::Ok();
  return Status::InvalidArgument(
      fmt::format("'{}' is not a valid {}; choose one of: {}", value, field, Join(allowed, ", ")));
}

Result<Handle> NormalizeHandle(const std::string& kind_in, const std::string& value_in) {
  std::string kind = text::AsciiLower(text::Trim(kind_in));
  QUN_RETURN_IF_ERROR(CheckEnum("contact kind", kind, kHandleKinds));
  std::string value = text::Trim(value_in);
  if (!text::IsValidUtf8(value))
    return Status::InvalidArgument(fmt::format("the {} handle is not valid UTF-8 text", kind));
  if (value.empty()) return Status::InvalidArgument(fmt::format("the {} handle is empty", kind));
  if (value.find(';') != std::string::npos || value.find("；") != std::string::npos)
    return Status::InvalidArgument(fmt::format(
        "the {} '{}' contains ';', which separates several {}s in spreadsheets; give each on its "
        "own",
        kind, value, kind));
  if (kind == "phone") {
    std::string digits;
    for (size_t i = 0; i < value.size(); ++i) {
      char c = value[i];
      if (c >= '0' && c <= '9') {
        digits += c;
      } else if (c == '+' && digits.empty() && i == 0) {
        digits += c;
      } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
        return Status::InvalidArgument(fmt::format(
            "'{}' is not a phone number; use digits, optionally with a leading + and spaces or "
            "dashes",
            value));
      }
    }
    if (digits.size() < 3 || digits == "+")
      return Status::InvalidArgument(fmt::format("'{}' is too short for a phone number", value));
    value = digits;
  } else if (kind == "email") {
    value = text::AsciiLower(value);
    size_t at = value.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == value.size() ||
        value.find(' ') != std::string::npos)
      return Status::InvalidArgument(
          fmt::format("'{}' is not an email address (expected name@domain)", value));
  } else {
    if (value.find_first_of(" \t\r\n") != std::string::npos)
      return Status::InvalidArgument(fmt::format("the wechat id '{}' contains spaces", value));
    // WeChat ids do not distinguish case: WangFang_88 and wangfang_88 are
    // one account, so they must be one handle.
    value = text::AsciiLower(value);
  }
  return Handle{kind, value};
}

std::string HandleRowId(const Handle& h) { return DerivedId("handle", h.kind + ":" + h.value); }
std::string TagRowId(const std::string& person_id, const std::string& tag) {
  return DerivedId("tag", person_id + '\0' + tag);
}

std::string Registry::MembershipId(const std::string& group_id, const std::string& person_id) {
  return MembershipRowId(group_id, person_id);
}

// ---------------------------------------------------------------- community

Status Registry::InitCommunity(WriteTxn& txn, const std::string& name) {
  QUN_RETURN_IF_ERROR(CheckText("community name", name));
  if (text::Trim(name).empty())
    return Status::InvalidArgument("the community needs a name: qun init --name NAME");
  std::string id = RandomId();
  QUN_ASSIGN_OR_RETURN(bool w, txn.Set("community", id, "name", text::Trim(name)));
  QUN_ASSIGN_OR_RETURN(w, txn.Set("community", id, "created_at", Now(store_)));
  (void)w;
  return Status::Ok();
}

Result<std::string> Registry::CommunityId() {
  QUN_ASSIGN_OR_RETURN(Statement s,
                       store_.db().Prepare("SELECT id FROM community ORDER BY created_at LIMIT 1"));
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status::NotFound("this node holds no community yet; run `qun init --name NAME`");
  return s.Text(0);
}

Result<std::string> Registry::CommunityName() {
  QUN_ASSIGN_OR_RETURN(
      Statement s, store_.db().Prepare("SELECT name FROM community ORDER BY created_at LIMIT 1"));
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status::NotFound("this node holds no community yet; run `qun init --name NAME`");
  return s.Text(0);
}

Status Registry::SetNodeName(WriteTxn& txn, const std::string& node_id, const std::string& name) {
  QUN_RETURN_IF_ERROR(CheckText("node name", name));
  QUN_ASSIGN_OR_RETURN(bool w, txn.Set("node", node_id, "name", name));
  QUN_ASSIGN_OR_RETURN(w, txn.Set("node", node_id, "deleted", int64_t{0}));
  (void)w;
  return Status::Ok();
}

Status Registry::RecordInvite(WriteTxn& txn, const std::string& node_id,
                              const std::string& inviter) {
  QUN_ASSIGN_OR_RETURN(bool w, txn.Set("node", node_id, "invited_by", inviter));
  (void)w;
  return Status::Ok();
}

Result<std::vector<std::pair<std::string, std::string>>> Registry::FindNodes(
    const std::string& ref) {
  std::string lower = ref;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool hex = lower.size() >= 4 && lower.find_first_not_of("0123456789abcdef") == std::string::npos;
  QUN_ASSIGN_OR_RETURN(
      Statement s, store_.db().Prepare("SELECT id, coalesce(name, '') FROM node WHERE (?1 AND "
                                       "substr(id, 1, length(?2)) = ?2) OR name = ?3 ORDER BY id"));
  s.Bind(1, int64_t{hex}).Bind(2, lower).Bind(3, ref);
  std::vector<std::pair<std::string, std::string>> found;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    found.push_back({s.Text(0), s.Text(1)});
  }
  return found;
}

Result<std::vector<std::string>> Registry::KnownNodeIds() {
  QUN_ASSIGN_OR_RETURN(Statement s,
                       store_.db().Prepare("SELECT id FROM node UNION SELECT node FROM node_role "
                                           "ORDER BY 1"));
  std::vector<std::string> ids;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ids.push_back(s.Text(0));
  }
  return ids;
}

Result<Counts> Registry::Count() {
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store_.db().Prepare(
          "SELECT (SELECT count(*) FROM chat_group WHERE deleted=0 AND status='active'),"
          " (SELECT count(*) FROM chat_group WHERE deleted=0 AND status='archived'),"
          " (SELECT count(*) FROM person WHERE deleted=0),"
          " (SELECT count(*) FROM membership m JOIN person p ON p.id=m.person_id"
          "   WHERE m.deleted=0 AND p.deleted=0 AND m.status='active'),"
          " (SELECT count(*) FROM op), (SELECT count(*) FROM op_txn)"));
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  Counts c;
  if (row) {
    c.groups = s.Int(0);
    c.archived_groups = s.Int(1);
    c.people = s.Int(2);
    c.memberships = s.Int(3);
    c.ops = s.Int(4);
    c.txns = s.Int(5);
  }
  return c;
}

// ---------------------------------------------------------------- references

Result<std::string> Registry::ResolveGroup(const std::string& ref) {
  return ResolveRef(store_.db(), ref, "chat_group", "group", "t.deleted=0",
                    {"SELECT id FROM chat_group WHERE deleted=0 AND name=?",
                     "SELECT id FROM chat_group WHERE deleted=0 AND name=? COLLATE NOCASE",
                     "SELECT id FROM chat_group WHERE deleted=0 AND handle=?"});
}

Result<std::string> Registry::ResolvePerson(const std::string& ref) {
  std::vector<std::string> by_name = {
      "SELECT id FROM person WHERE deleted=0 AND display_name=?",
      "SELECT id FROM person WHERE deleted=0 AND nickname=?",
      "SELECT p.id FROM person_handle h JOIN person p ON p.id=h.person_id "
      "WHERE h.deleted=0 AND p.deleted=0 AND h.value=lower(?)",
      "SELECT id FROM person WHERE deleted=0 AND display_name=? COLLATE NOCASE"};
  // A phone typed with spaces or dashes still finds its person.
  auto phone = NormalizeHandle("phone", ref);
  if (phone.ok()) {
    auto found = FindByHandle(*phone);
    if (found.ok() && found->has_value() && !LooksLikeIdPrefix(ref)) return **found;
  }
  return ResolveRef(store_.db(), ref, "person", "person", "t.deleted=0", by_name);
}

Result<std::string> Registry::ResolvePersonByName(const std::string& name) {
  QUN_ASSIGN_OR_RETURN(Statement s, store_.db().Prepare("SELECT id FROM person WHERE deleted=0 AND "
                                                        "display_name=? LIMIT 2"));
  s.Bind(1, text::Trim(name));
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status::NotFound(fmt::format("no person is named '{}'", name));
  std::string id = s.Text(0);
  QUN_ASSIGN_OR_RETURN(row, s.Step());
  if (row)
    return Status::Conflict(fmt::format(
        "several people are named '{}'; add an id or a contact handle (wechat, phone or email) "
        "to say which",
        name));
  return id;
}

Result<std::string> Registry::ResolveAnyRow(const std::string& ref) {
  std::string lowered = text::AsciiLower(text::Trim(ref));
  if (LooksLikeIdPrefix(lowered)) {
    QUN_ASSIGN_OR_RETURN(Statement s,
                         store_.db().Prepare("SELECT DISTINCT row_id FROM op WHERE row_id >= ? "
                                             "AND row_id < ? LIMIT 6"));
    s.Bind(1, lowered).Bind(2, lowered + "g");
    std::vector<std::string> ids;
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      ids.push_back(s.Text(0));
    }
    if (ids.size() == 1) return ids[0];
    if (ids.size() > 1)
      return Status::Conflict(
          fmt::format("'{}' is ambiguous: it matches {} rows; give more characters of the id", ref,
                      ids.size()));
  }
  auto group = ResolveGroup(ref);
  if (group.ok()) return group;
  if (group.status().code() == Status::Code::kConflict) return group.status();
  auto person = ResolvePerson(ref);
  if (person.ok() || person.status().code() == Status::Code::kConflict) return person;
  return Status::NotFound(fmt::format(
      "nothing matches '{}': no row id, group or person by that name; try `qun log` without an "
      "id, or `qun member list`",
      ref));
}

// ---------------------------------------------------------------- groups

Status Registry::CheckGroupInput(const GroupInput& in, const std::optional<std::string>& id) {
  QUN_RETURN_IF_ERROR(CheckText("group name", in.name));
  QUN_RETURN_IF_ERROR(CheckText("chat handle", in.handle));
  QUN_RETURN_IF_ERROR(CheckText("rules", in.rules));
  QUN_RETURN_IF_ERROR(CheckText("self-introduction template", in.intro_template));
  if (in.kind) QUN_RETURN_IF_ERROR(CheckEnum("group kind", *in.kind, kGroupKinds));
  if (in.platform) QUN_RETURN_IF_ERROR(CheckEnum("platform", *in.platform, kPlatforms));
  if (in.admission) QUN_RETURN_IF_ERROR(CheckEnum("admission", *in.admission, kAdmissions));
  if (in.status) QUN_RETURN_IF_ERROR(CheckEnum("group status", *in.status, kGroupStatuses));
  if (in.capacity && *in.capacity <= 0)
    return Status::InvalidArgument(
        fmt::format("capacity must be a positive number of members, not {}", *in.capacity));
  if (in.fee_cents && *in.fee_cents < 0)
    return Status::InvalidArgument("the fee cannot be negative");
  QUN_RETURN_IF_ERROR(CheckText("nickname convention", in.nickname_pattern));
  if (in.questions)
    for (const std::string& q : *in.questions) {
      QUN_RETURN_IF_ERROR(CheckText("screening question", q));
      if (q.find('\n') != std::string::npos || text::Trim(q).empty())
        return Status::InvalidArgument(
            "a screening question is one non-empty line; give each with its own --question");
    }
  auto positive = [](const char* what, const std::optional<int64_t>& v) -> Status {
    if (v && *v <= 0)
      return Status::InvalidArgument(fmt::format("{} must be a positive number, not {}", what, *v));
    return Status::Ok();
  };
  QUN_RETURN_IF_ERROR(positive("the warning limit", in.warning_limit));
  QUN_RETURN_IF_ERROR(positive("the level window (days)", in.level_window_days));
  QUN_RETURN_IF_ERROR(positive("the activity needed for core", in.level_core));
  QUN_RETURN_IF_ERROR(positive("the activity needed for active", in.level_active));
  if (in.level_core && in.level_active && *in.level_active > *in.level_core)
    return Status::InvalidArgument(
        "the activity needed for active cannot exceed what core needs (--level-active is at most "
        "--level-core)");
  if (in.name) {
    std::string name = text::Trim(*in.name);
    if (name.empty()) return Status::InvalidArgument("a group needs a non-empty name");
    QUN_ASSIGN_OR_RETURN(
        Statement s,
        store_.db().Prepare("SELECT id, name FROM chat_group WHERE deleted=0 AND name=? "
                            "COLLATE NOCASE AND id IS NOT ?"));
    s.Bind(1, name);
    if (id) s.Bind(2, *id);
    QUN_ASSIGN_OR_RETURN(bool taken, s.Step());
    if (taken)
      return Status::Conflict(fmt::format(
          "a group named '{}' already exists ({}); choose another name, or edit that group "
          "with `qun group edit {}`",
          s.Text(1), ShortId(s.Text(0)), ShortId(s.Text(0))));
  }
  return Status::Ok();
}

Status Registry::WriteGroupFields(WriteTxn& txn, const std::string& id, const GroupInput& in) {
  auto set = [&](const char* col, const auto& v) -> Status {
    if (!v) return Status::Ok();
    Value value;
    if constexpr (std::is_same_v<std::decay_t<decltype(*v)>, std::string>) {
      std::string s = std::string(col) == "name" ? text::Trim(*v) : *v;
      if (!s.empty()) value = s;  // empty means null, as for never-set fields
    } else
      value = static_cast<int64_t>(*v);
    return txn.Set("chat_group", id, col, value).status();
  };
  QUN_RETURN_IF_ERROR(set("name", in.name));
  QUN_RETURN_IF_ERROR(set("kind", in.kind));
  QUN_RETURN_IF_ERROR(set("platform", in.platform));
  QUN_RETURN_IF_ERROR(set("handle", in.handle));
  QUN_RETURN_IF_ERROR(set("capacity", in.capacity));
  QUN_RETURN_IF_ERROR(set("admission", in.admission));
  QUN_RETURN_IF_ERROR(set("fee_cents", in.fee_cents));
  QUN_RETURN_IF_ERROR(set("rules", in.rules));
  QUN_RETURN_IF_ERROR(set("intro_template", in.intro_template));
  QUN_RETURN_IF_ERROR(set("status", in.status));
  if (in.questions) {
    std::string lines;
    for (const std::string& q : *in.questions) lines += text::Trim(q) + "\n";
    std::optional<std::string> joined = lines;
    QUN_RETURN_IF_ERROR(set("questions", joined));
  }
  QUN_RETURN_IF_ERROR(set("nickname_pattern", in.nickname_pattern));
  QUN_RETURN_IF_ERROR(set("warning_limit", in.warning_limit));
  QUN_RETURN_IF_ERROR(set("level_window_days", in.level_window_days));
  QUN_RETURN_IF_ERROR(set("level_core", in.level_core));
  QUN_RETURN_IF_ERROR(set("level_active", in.level_active));
  return Status::Ok();
}

Result<std::string> Registry::AddGroup(WriteTxn& txn, const GroupInput& in_given) {
  if (!in_given.name) return Status::InvalidArgument("a group needs a name");
  QUN_RETURN_IF_ERROR(CheckGroupInput(in_given, std::nullopt));
  GroupInput in = in_given;
  if (!in.kind) in.kind = "other";
  if (!in.platform) in.platform = "wechat";
  if (!in.capacity) in.capacity = kDefaultCapacity;
  if (!in.admission) in.admission = "open";
  if (!in.status) in.status = "active";
  if (!in.fee_cents) in.fee_cents = 0;
  std::string id = RandomId();
  QUN_RETURN_IF_ERROR(txn.Set("chat_group", id, "created_at", Now(store_)).status());
  QUN_RETURN_IF_ERROR(WriteGroupFields(txn, id, in));
  QUN_RETURN_IF_ERROR(txn.Set("chat_group", id, "deleted", int64_t{0}).status());
  return id;
}

Status Registry::EditGroup(WriteTxn& txn, const std::string& id, const GroupInput& in) {
  QUN_RETURN_IF_ERROR(CheckGroupInput(in, id));
  return WriteGroupFields(txn, id, in);
}

Status Registry::ArchiveGroup(WriteTxn& txn, const std::string& id) {
  GroupInput in;
  in.status = "archived";
  return WriteGroupFields(txn, id, in);
}

static const char kGroupColumns[] =
    "g.id, g.name, coalesce(g.kind,''), coalesce(g.platform,''), coalesce(g.handle,''), "
    "coalesce(g.capacity,500), coalesce(g.admission,''), coalesce(g.fee_cents,0), "
    "coalesce(g.rules,''), coalesce(g.intro_template,''), coalesce(g.status,'active'), "
    "coalesce(g.created_at,0), "
    "coalesce((SELECT max(hlc) FROM field_clock c WHERE c.tbl='chat_group' AND "
    "c.row_id=g.id), 0) >> 16, "
    "(SELECT count(*) FROM membership m JOIN person p ON p.id=m.person_id WHERE "
    "m.group_id=g.id AND m.deleted=0 AND p.deleted=0 AND m.status IN ('active','muted')), "
    "coalesce(g.questions,''), coalesce(g.nickname_pattern,''), g.warning_limit, "
    "g.level_window_days, g.level_core, g.level_active";

static Group ReadGroup(Statement& s) {
  Group g;
  g.id = s.Text(0);
  g.name = s.Text(1);
  g.kind = s.Text(2);
  g.platform = s.Text(3);
  g.handle = s.Text(4);
  g.capacity = s.Int(5);
  g.admission = s.Text(6);
  g.fee_cents = s.Int(7);
  g.rules = s.Text(8);
  g.intro_template = s.Text(9);
  g.status = s.Text(10);
  g.created_at = s.Int(11);
  g.updated_at = s.Int(12);
  g.active_members = s.Int(13);
  std::string questions = s.Text(14);  // SplitLines returns views into it
  for (std::string_view q : text::SplitLines(questions)) g.questions.emplace_back(q);
  g.nickname_pattern = s.Text(15);
  auto setting = [&s](int col, int64_t fallback) { return s.IsNull(col) ? fallback : s.Int(col); };
  g.warning_limit = setting(16, kDefaultWarningLimit);
  g.level_window_days = setting(17, kDefaultLevelWindowDays);
  g.level_core = setting(18, kDefaultLevelCore);
  g.level_active = setting(19, kDefaultLevelActive);
  return g;
}

Result<Group> Registry::GetGroup(const std::string& id) {
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store_.db().Prepare(fmt::format("SELECT {} FROM chat_group g WHERE g.id=?", kGroupColumns)));
  s.Bind(1, id);
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status::NotFound(fmt::format("no group with id {}", id));
  return ReadGroup(s);
}

Result<std::vector<Group>> Registry::ListGroups(bool include_archived) {
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store_.db().Prepare(fmt::format(
          "SELECT {} FROM chat_group g WHERE g.deleted=0 {} ORDER BY g.name, g.id", kGroupColumns,
          include_archived ? "" : "AND coalesce(g.status,'active')='active'")));
  std::vector<Group> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadGroup(s));
  }
  return out;
}

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
  QUN_ASSIGN_OR_RETURN(Statement * s, store_.db().Cached(sql));
  s->Bind(1, key);
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  std::optional<std::string> out;
  if (row) out = s->Text(0);
  s->Reset();
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
  QUN_RETURN_IF_ERROR(CheckText("display name", in.display_name));
  QUN_RETURN_IF_ERROR(CheckText("nickname", in.nickname));
  QUN_RETURN_IF_ERROR(CheckText("city", in.city));
  QUN_RETURN_IF_ERROR(CheckText("intro", in.intro));
  QUN_RETURN_IF_ERROR(CheckText("needs", in.needs));
  QUN_RETURN_IF_ERROR(CheckText("offers", in.offers));
  QUN_RETURN_IF_ERROR(CheckText("notes", in.notes));
  if (in.display_name && text::Trim(*in.display_name).empty())
    return Status::InvalidArgument("a person needs a non-empty display name");
  auto check_tag = [](const std::string& t) -> Status {
    if (!text::IsValidUtf8(t)) return Status::InvalidArgument("a tag is not valid UTF-8 text");
    if (text::Trim(t).empty()) return Status::InvalidArgument("a tag cannot be empty");
    if (t.find(';') != std::string::npos || t.find("；") != std::string::npos)
      return Status::InvalidArgument(
          fmt::format("the tag '{}' contains ';', which separates tags in spreadsheets; give "
                      "each tag on its own",
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
      return Status::Conflict(fmt::format(
          "the {} '{}' already belongs to {} ({}); edit that person with `qun member edit {}`, "
          "or remove the handle from them first",
          h.kind, h.value, other.display_name, ShortId(*owner), ShortId(*owner)));
    }
  }
  if (in.referred_by && !in.referred_by->empty()) {
    if (*in.referred_by == id)
      return Status::InvalidArgument("a person cannot be referred by themselves");
    // A referral is a fact of the past: a referrer removed since still counts.
    QUN_ASSIGN_OR_RETURN(auto removed, PersonRemoved(*in.referred_by));
    if (!removed)
      return Status::NotFound(
          fmt::format("the referrer {} is not in the registry", ShortId(*in.referred_by)));
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
    return Status::InvalidArgument("a person needs a display name");
  std::string id;
  if (given_id) {
    if (!LooksLikeId(*given_id))
      return Status::InvalidArgument(fmt::format(
          "'{}' is not a Qun id (32 hex characters); leave the id column empty for new people",
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
    return Status::Conflict(fmt::format(
        "{} is already in the registry as {} ({}); use `qun member edit {}` to change them",
        text::Trim(*in.display_name), existing.display_name, ShortId(id), ShortId(id)));
  }
  QUN_RETURN_IF_ERROR(CheckPersonInput(in, id));
  if (!removed) QUN_RETURN_IF_ERROR(txn.Set("person", id, "created_at", Now(store_)).status());
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

static const char kPersonColumns[] =
    "p.id, coalesce(p.display_name,''), coalesce(p.nickname,''), coalesce(p.city,''), "
    "coalesce(p.intro,''), coalesce(p.needs,''), coalesce(p.offers,''), "
    "coalesce(p.referred_by,''), coalesce(r.display_name,''), coalesce(p.notes,''), "
    "coalesce(p.created_at,0), "
    "coalesce((SELECT max(hlc) FROM field_clock c WHERE c.tbl='person' AND c.row_id=p.id), 0) "
    ">> 16";

Result<Person> Registry::GetPerson(const std::string& id) {
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store_.db().Prepare(fmt::format(
          "SELECT {} FROM person p LEFT JOIN person r ON r.id=p.referred_by WHERE p.id=?",
          kPersonColumns)));
  s.Bind(1, id);
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status::NotFound(fmt::format("no person with id {}", id));
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
  for (const auto& id : ids) {
    QUN_ASSIGN_OR_RETURN(Person p, GetPerson(id));
    out.push_back(std::move(p));
  }
  return out;
}

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
                      bool waitlist) {
  QUN_ASSIGN_OR_RETURN(Group g, GetGroup(group_id));
  return JoinGroup(txn, g, person_id, role, invited_by, waitlist);
}

Status Registry::JoinGroup(WriteTxn& txn, Group& g, const std::string& person_id,
                           const std::string& role, const std::optional<std::string>& invited_by,
                           bool waitlist) {
  const std::string group_id = g.id;
  QUN_RETURN_IF_ERROR(CheckEnum("role", role, kRoles));
  if (g.status == "archived")
    return Status::Conflict(fmt::format(
        "the group '{}' is archived; reactivate it with `qun group edit {} --status active` "
        "first",
        g.name, ShortId(g.id)));
  QUN_ASSIGN_OR_RETURN(auto existing, GetMembership(group_id, person_id));
  if (existing && HoldsPlace(existing->status))
    return Status::Conflict(fmt::format(
        "{} is already a member of '{}' (role {}, status {}); change the role with `qun member "
        "set-role`",
        existing->person_name, g.name, existing->role, existing->status));
  if (existing && existing->status == "banned")
    return Status::Conflict(fmt::format(
        "{} is banned from '{}'; lift the ban with `qun member set-status {} {} active` if "
        "that is intended",
        existing->person_name, g.name, ShortId(g.id), ShortId(person_id)));
  if (existing && existing->status == "waitlisted" && waitlist)
    return Status::Conflict(
        fmt::format("{} is already on the waitlist of '{}'", existing->person_name, g.name));
  // Those already waiting come first: free places go to them before a
  // newcomer.
  QUN_RETURN_IF_ERROR(PromoteWaitlistOf(txn, g).status());
  bool full = g.active_members >= g.capacity;
  if (full && !waitlist)
    return Status::Conflict(fmt::format(
        "the group '{}' is full ({}/{} members); raise its capacity with `qun group edit {} "
        "--capacity N`, or put them on its waitlist with `qun member join {} {} --waitlist`",
        g.name, g.active_members, g.capacity, ShortId(g.id), ShortId(g.id), ShortId(person_id)));
  if (invited_by && *invited_by == person_id)
    return Status::InvalidArgument("a person cannot invite themselves");
  std::string id = MembershipId(group_id, person_id);
  int64_t now = Now(store_);
  QUN_RETURN_IF_ERROR(txn.Set("membership", id, "group_id", group_id).status());
  QUN_RETURN_IF_ERROR(txn.Set("membership", id, "person_id", person_id).status());
  QUN_RETURN_IF_ERROR(txn.Set("membership", id, "role", role).status());
  QUN_RETURN_IF_ERROR(txn.Set("membership", id, "status", full ? "waitlisted" : "active").status());
  QUN_RETURN_IF_ERROR(txn.Set("membership", id, "status_at", now).status());
  QUN_RETURN_IF_ERROR(txn.Set("membership", id, "joined_at", now).status());
  if (invited_by)
    QUN_RETURN_IF_ERROR(txn.Set("membership", id, "invited_by", *invited_by).status());
  QUN_RETURN_IF_ERROR(txn.Set("membership", id, "deleted", int64_t{0}).status());
  if (!full) ++g.active_members;
  return Status::Ok();
}

Status Registry::SetMembershipStatus(WriteTxn& txn, const std::string& group_id,
                                     const std::string& person_id, const std::string& status) {
  QUN_RETURN_IF_ERROR(CheckEnum("membership status", status, kMemberStatuses));
  QUN_ASSIGN_OR_RETURN(auto existing, GetMembership(group_id, person_id));
  std::string id = MembershipId(group_id, person_id);
  if (!existing) {
    QUN_ASSIGN_OR_RETURN(Group g, GetGroup(group_id));
    QUN_ASSIGN_OR_RETURN(Person p, GetPerson(person_id));
    if (status != "applicant" && status != "banned")
      return Status::NotFound(
          fmt::format("{} is not in the group '{}'; add them with `qun member join {} {}`",
                      p.display_name, g.name, ShortId(group_id), ShortId(person_id)));
    // Applicants and bans may precede membership: record the row.
    QUN_RETURN_IF_ERROR(txn.Set("membership", id, "group_id", group_id).status());
    QUN_RETURN_IF_ERROR(txn.Set("membership", id, "person_id", person_id).status());
    QUN_RETURN_IF_ERROR(txn.Set("membership", id, "role", "member").status());
    QUN_RETURN_IF_ERROR(txn.Set("membership", id, "deleted", int64_t{0}).status());
  } else if (HoldsPlace(status) && !HoldsPlace(existing->status)) {
    QUN_ASSIGN_OR_RETURN(Group g, GetGroup(group_id));
    if (g.active_members >= g.capacity)
      return Status::Conflict(fmt::format(
          "the group '{}' is full ({}/{} members); raise its capacity with `qun group edit {} "
          "--capacity N`",
          g.name, g.active_members, g.capacity, ShortId(g.id)));
  }
  if (existing && existing->status == status) return Status::Ok();
  QUN_ASSIGN_OR_RETURN(bool changed, txn.Set("membership", id, "status", status));
  if (!changed) return Status::Ok();
  QUN_RETURN_IF_ERROR(txn.Set("membership", id, "status_at", Now(store_)).status());
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
  int64_t now = Now(store_);
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
        fmt::format("{} is not in the group '{}'; add them first with `qun member join {} {}`",
                    p.display_name, g.name, ShortId(group_id), ShortId(person_id)));
  return Status::Conflict(fmt::format(
      "{} is not a member of '{}' now (status {}); `qun member show {}` shows their groups",
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
  QUN_RETURN_IF_ERROR(CheckEnum("role", role, kRoles));
  QUN_ASSIGN_OR_RETURN(auto existing, GetMembership(group_id, person_id));
  if (!existing)
    return Status::NotFound(fmt::format(
        "that person is not in the group; add them first with `qun member join {} {} --role {}`",
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
      Statement * cached,
      store_.db().Cached(fmt::format(
          "SELECT m.id, m.group_id, coalesce(g.name,''), m.person_id, "
          "coalesce(p.display_name,''), coalesce(m.role,'member'), coalesce(m.status,'active'), "
          "coalesce(m.invited_by,''), coalesce(i.display_name,''), coalesce(m.joined_at,0), "
          "coalesce(m.nickname,''), coalesce(m.intro,''), coalesce(m.paid_until,''), "
          "coalesce(m.status_at,0) "
          "FROM membership m JOIN person p ON p.id=m.person_id JOIN chat_group g ON "
          "g.id=m.group_id LEFT JOIN person i ON i.id=m.invited_by WHERE {} "
          "ORDER BY g.name, p.display_name, m.id",
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
