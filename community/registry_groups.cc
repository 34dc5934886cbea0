// The registry's groups: checked input, writes, reads (community/registry.h).
#include <fmt/format.h>

#include "base/i18n.h"
#include "base/text.h"
#include "community/registry.h"
#include "core/ids.h"
#include "core/log_reads.h"

namespace qun::core {

// ---------------------------------------------------------------- groups

Status Registry::CheckGroupInput(const GroupInput& in, const std::optional<std::string>& id) {
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "group name"), in.name));
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "chat handle"), in.handle));
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "rules"), in.rules));
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "self-introduction template"), in.intro_template));
  if (in.kind) QUN_RETURN_IF_ERROR(CheckEnum(C_("field", "group kind"), *in.kind, kGroupKinds));
  if (in.platform)
    QUN_RETURN_IF_ERROR(CheckEnum(C_("field", "platform"), *in.platform, kPlatforms));
  if (in.admission)
    QUN_RETURN_IF_ERROR(CheckEnum(C_("field", "admission"), *in.admission, kAdmissions));
  if (in.status)
    QUN_RETURN_IF_ERROR(CheckEnum(C_("field", "group status"), *in.status, kGroupStatuses));
  if (in.capacity && *in.capacity <= 0)
    return Status::InvalidArgument(
        i18n::Format(_("capacity must be a positive number of members, not {}"), *in.capacity));
  if (in.fee_cents && *in.fee_cents < 0)
    return Status::InvalidArgument(_("the fee cannot be negative"));
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "nickname convention"), in.nickname_pattern));
  if (in.questions)
    for (const std::string& q : *in.questions) {
      QUN_RETURN_IF_ERROR(CheckText(C_("field", "screening question"), q));
      if (q.find('\n') != std::string::npos || text::Trim(q).empty())
        return Status::InvalidArgument(
            _("a screening question is one non-empty line; give each with its own --question"));
    }
  auto positive = [](const char* what, const std::optional<int64_t>& v) -> Status {
    if (v && *v <= 0)
      return Status::InvalidArgument(
          i18n::Format(_("{} must be a positive number, not {}"), what, *v));
    return Status::Ok();
  };
  QUN_RETURN_IF_ERROR(positive(_("the warning limit"), in.warning_limit));
  QUN_RETURN_IF_ERROR(positive(_("the level window (days)"), in.level_window_days));
  QUN_RETURN_IF_ERROR(positive(_("the activity needed for core"), in.level_core));
  QUN_RETURN_IF_ERROR(positive(_("the activity needed for active"), in.level_active));
  if (in.level_core && in.level_active && *in.level_active > *in.level_core)
    return Status::InvalidArgument(
        _("the activity needed for active cannot exceed what core needs (--level-active is at "
          "most --level-core)"));
  if (in.name) {
    std::string name = text::Trim(*in.name);
    if (name.empty()) return Status::InvalidArgument(_("a group needs a non-empty name"));
    QUN_ASSIGN_OR_RETURN(
        Statement s,
        store_.db().Prepare("SELECT id, name FROM chat_group WHERE deleted=0 AND name=? "
                            "COLLATE NOCASE AND id IS NOT ?"));
    s.Bind(1, name);
    if (id) s.Bind(2, *id);
    QUN_ASSIGN_OR_RETURN(bool taken, s.Step());
    if (taken)
      return Status::Conflict(
          i18n::Format(_("a group named '{}' already exists ({}); choose another name, or edit "
                         "that group with `qun group edit {}`"),
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
  if (!in_given.name) return Status::InvalidArgument(_("a group needs a name"));
  QUN_RETURN_IF_ERROR(CheckGroupInput(in_given, std::nullopt));
  GroupInput in = in_given;
  if (!in.kind) in.kind = "other";
  if (!in.platform) in.platform = "wechat";
  if (!in.capacity) in.capacity = kDefaultCapacity;
  if (!in.admission) in.admission = "open";
  if (!in.status) in.status = "active";
  if (!in.fee_cents) in.fee_cents = 0;
  std::string id = RandomId();
  QUN_RETURN_IF_ERROR(txn.Set("chat_group", id, "created_at", NowMs(store_)).status());
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

static const std::string kGroupColumns =
    std::string(
        "g.id, g.name, coalesce(g.kind,''), coalesce(g.platform,''), coalesce(g.handle,''), "
        "coalesce(g.capacity,500), coalesce(g.admission,''), coalesce(g.fee_cents,0), "
        "coalesce(g.rules,''), coalesce(g.intro_template,''), coalesce(g.status,'active'), "
        "coalesce(g.created_at,0), ") +
    RowChangedSql("chat_group", "g.id") +
    " >> 16, "
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
  if (!row) return Status::NotFound(i18n::Format(_("no group with id {}"), id));
  return ReadGroup(s);
}

Result<std::vector<Group>> Registry::ListGroups(bool include_archived) {
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store_.db().Prepare(fmt::format(
          "SELECT {} FROM chat_group g WHERE g.deleted=0 {} ORDER BY g.name COLLATE PINYIN, g.id",
          kGroupColumns, include_archived ? "" : "AND coalesce(g.status,'active')='active'")));
  std::vector<Group> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadGroup(s));
  }
  return out;
}

}  // namespace qun::core
