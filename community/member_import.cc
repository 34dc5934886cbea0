#include "community/member_import.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "base/csv.h"
#include "base/dates.h"
#include "base/i18n.h"
#include "base/text.h"
#include "base/when.h"
#include "community/activity.h"
#include "core/ids.h"

namespace qun::core {
namespace {

// Header aliases people actually use, mapped to the canonical column.
const std::map<std::string, std::string>& HeaderAliases() {
  static const std::map<std::string, std::string> kAliases = {
      {"id", "id"},
      {"display_name", "display_name"},
      {"name", "display_name"},
      {"姓名", "display_name"},
      {"名字", "display_name"},
      {"称呼", "display_name"},
      {"nickname", "nickname"},
      {"昵称", "nickname"},
      {"群昵称", "nickname"},
      {"wechat", "wechat"},
      {"微信", "wechat"},
      {"微信号", "wechat"},
      {"phone", "phone"},
      {"手机", "phone"},
      {"手机号", "phone"},
      {"电话", "phone"},
      {"email", "email"},
      {"邮箱", "email"},
      {"电子邮件", "email"},
      {"city", "city"},
      {"城市", "city"},
      {"tags", "tags"},
      {"标签", "tags"},
      {"兴趣", "tags"},
      {"intro", "intro"},
      {"自我介绍", "intro"},
      {"介绍", "intro"},
      {"needs", "needs"},
      {"需求", "needs"},
      {"offers", "offers"},
      {"能提供", "offers"},
      {"资源", "offers"},
      {"referred_by", "referred_by"},
      {"推荐人", "referred_by"},
      {"邀请人", "referred_by"},
      {"介绍人", "referred_by"},
      {"invited_by", "referred_by"},
      {"inviter", "referred_by"},
      {"referrer", "referred_by"},
      {"notes", "notes"},
      {"备注", "notes"},
      {"说明", "notes"},
      // With --group: when they joined that group, and when they were last
      // seen active in it.
      {"joined_at", "joined_at"},
      {"joined", "joined_at"},
      {"join_date", "joined_at"},
      {"date_joined", "joined_at"},
      {"入群日期", "joined_at"},
      {"入群时间", "joined_at"},
      {"进群日期", "joined_at"},
      {"进群时间", "joined_at"},
      {"加入日期", "joined_at"},
      {"加入时间", "joined_at"},
      {"入群", "joined_at"},
      {"last_active", "last_active"},
      {"last_seen", "last_active"},
      {"last_activity", "last_active"},
      {"最后发言", "last_active"},
      {"最后发言时间", "last_active"},
      {"最后发言日期", "last_active"},
      {"最后活跃", "last_active"},
      {"最后活跃时间", "last_active"},
      {"最近活跃", "last_active"},
      {"最近发言", "last_active"},
  };
  return kAliases;
}

// Splits "a;b; c" (also the fullwidth "；") into trimmed, non-empty items.
std::vector<std::string> SplitList(const std::string& s) {
  std::string norm = s;
  for (size_t pos; (pos = norm.find("；")) != std::string::npos;) norm.replace(pos, 3, ";");
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= norm.size()) {
    size_t end = norm.find(';', start);
    if (end == std::string::npos) end = norm.size();
    std::string item = text::Trim(norm.substr(start, end - start));
    if (!item.empty() && std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

struct Row {
  int line;
  std::optional<std::string> id;
  PersonInput input;
  std::optional<std::string> referred_by;  // a reference, resolved after all rows
  std::optional<int64_t> joined_at;        // unix ms
  std::optional<int64_t> last_active;      // a day number
};

// A date as a sheet holds it: what people type (2026/3/5, 2026年3月5日,
// 2026-03-05 14:22), or the day number Excel stores when the column is
// formatted as a number (45356 is 2024-03-05). A day still to come is
// refused: nobody joined or spoke on it yet.
Result<When> SheetDate(const std::string& cell, int64_t today) {
  std::string t = text::Trim(cell);
  if (t.size() == 5 &&
      std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // Excel counts days from 1899-12-30; 25569 of them end on 1970-01-01.
    When w;
    w.day = std::stoll(t) - 25569;
    w.written = t;
    return w;
  }
  QUN_ASSIGN_OR_RETURN(When w, ParseWhen(t, today, Lean::kPast));
  if (!w.dated)
    return Status::InvalidArgument(
        i18n::Format(_("'{}' is a time without a date; write the date, e.g. 2026-03-05"), t));
  if (w.day > today)
    return Status::InvalidArgument(i18n::Format(
        _("{} is in the future; the sheet's dates are days that have passed"), DayText(w.day)));
  return w;
}

}  // namespace

int64_t ImportReport::rejected_rows() const {
  int64_t n = 0;
  for (const auto& r : rejections)
    if (!r.row_imported) ++n;
  return n;
}

const std::vector<std::string>& MemberColumns() {
  static const std::vector<std::string> kColumns = {
      "id",   "display_name", "nickname", "wechat", "phone",       "email", "city",
      "tags", "intro",        "needs",    "offers", "referred_by", "notes"};
  return kColumns;
}

std::vector<std::pair<std::string, std::vector<std::string>>> MemberColumnHeaders() {
  std::vector<std::string> columns = MemberColumns();
  columns.push_back("joined_at");
  columns.push_back("last_active");
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const std::string& c : columns) {
    std::vector<std::string> others;
    for (const auto& [alias, canonical] : HeaderAliases())
      if (canonical == c && alias != c) others.push_back(alias);
    out.emplace_back(c, std::move(others));
  }
  return out;
}

Status ImportMembers(Store& store, Registry& registry, const PublicKey& author,
                     std::string_view bytes, const ImportOptions& options, ImportReport* report) {
  *report = ImportReport{};
  std::string text_utf8;
  if (options.encoding) {
    QUN_ASSIGN_OR_RETURN(text_utf8, encoding::DecodeAs(bytes, *options.encoding));
    report->encoding = encoding::Name(*options.encoding);
  } else {
    QUN_ASSIGN_OR_RETURN(encoding::Decoded decoded, encoding::DecodeAuto(bytes));
    text_utf8 = std::move(decoded.utf8);
    report->encoding = encoding::Name(decoded.detected);
  }
  if (text_utf8.find('\0') != std::string::npos)
    return Status::InvalidArgument(
        _("the file contains NUL bytes: it is not a CSV text file (UTF-16 without a byte-order "
          "mark?); save it as \"CSV UTF-8\" from your spreadsheet"));
  QUN_ASSIGN_OR_RETURN(std::vector<csv::Record> records, csv::Parse(text_utf8));
  // An export defuses cells a spreadsheet would run as formulas
  // (csv::DefuseFormula); the values are what was exported.
  for (csv::Record& rec : records)
    for (std::string& f : rec.fields) f = csv::RestoreFormula(f);
  if (records.empty())
    return Status::InvalidArgument(
        _("the file is empty; it needs a header line such as "
          "display_name,wechat,phone,email,city,tags"));

  // Map header cells to canonical columns.
  std::map<std::string, size_t> col;
  const csv::Record& header = records[0];
  for (size_t i = 0; i < header.fields.size(); ++i) {
    std::string h = text::AsciiLower(text::Trim(header.fields[i]));
    for (char& c : h)
      if (c == ' ' || c == '-') c = '_';
    auto it = HeaderAliases().find(h);
    if (it == HeaderAliases().end()) {
      if (!h.empty()) report->ignored_columns.push_back(header.fields[i]);
      continue;
    }
    if (col.count(it->second))
      return Status::InvalidArgument(
          i18n::Format(_("the header has two columns for {} ('{}' is the second); remove one"),
                       it->second, header.fields[i]));
    col[it->second] = i;
  }
  if (!col.count("display_name"))
    return Status::InvalidArgument(
        i18n::Format(_("the header (line {}) has no display_name column; name the column with "
                       "people's names display_name (or 姓名), and keep the first line as the "
                       "header"),
                     header.line));

  // Join and last-active dates are about one group: without --group there
  // is none to put them in.
  if (!options.group_id)
    for (const char* name : {"joined_at", "last_active"})
      if (col.count(name))
        report->notices.push_back(
            i18n::Format(_("the column '{}' is about a group; import with --group GROUP to use it"),
                         header.fields[col[name]]));
  const int64_t today = LocalDay(NowMs(store));

  // Parse rows into person inputs; each problem becomes a rejection.
  std::vector<Row> rows;
  auto reject = [&](int line, std::string reason) {
    report->rejections.push_back({line, std::move(reason)});
  };
  std::map<std::string, int> handle_lines;  // "kind:value" -> first line with it
  std::set<std::string> ids_seen;
  std::map<std::string, int> bare_name_lines;  // rows matched by name alone
  for (size_t r = 1; r < records.size(); ++r) {
    const csv::Record& rec = records[r];
    ++report->rows;
    if (rec.fields.size() > header.fields.size()) {
      bool extra_empty = true;
      for (size_t i = header.fields.size(); i < rec.fields.size(); ++i)
        if (!text::Trim(rec.fields[i]).empty()) extra_empty = false;
      if (!extra_empty) {
        reject(rec.line, i18n::Format(_("{} fields, but the header has {}; a comma inside a "
                                        "value needs quotes"),
                                      rec.fields.size(), header.fields.size()));
        continue;
      }
    }
    auto field = [&](const char* name) -> std::optional<std::string> {
      auto it = col.find(name);
      if (it == col.end()) return std::nullopt;
      return it->second < rec.fields.size() ? rec.fields[it->second] : std::string();
    };
    Row row;
    row.line = rec.line;
    PersonInput& in = row.input;
    in.display_name = field("display_name");
    if (text::Trim(*in.display_name).empty()) {
      reject(rec.line, _("the display_name is empty"));
      continue;
    }
    in.nickname = field("nickname");
    in.city = field("city");
    in.intro = field("intro");
    in.needs = field("needs");
    in.offers = field("offers");
    in.notes = field("notes");
    if (auto tags = field("tags")) in.set_tags = SplitList(*tags);
    bool ok = true;
    bool any_handle_column = false;
    std::vector<Handle> handles;
    for (const char* kind : {"wechat", "phone", "email"}) {
      auto v = field(kind);
      if (!v) continue;
      any_handle_column = true;
      for (const std::string& item : SplitList(*v)) {
        auto h = NormalizeHandle(kind, item);
        if (!h.ok()) {
          reject(rec.line, h.status().message());
          ok = false;
          break;
        }
        std::string key = h->kind + ":" + h->value;
        if (auto seen = handle_lines.find(key); seen != handle_lines.end()) {
          reject(rec.line, i18n::Format(_("the {} {} is also on line {}; one person per row"),
                                        h->kind, h->value, seen->second));
          ok = false;
          break;
        }
        handle_lines[key] = rec.line;
        handles.push_back(*h);
      }
      if (!ok) break;
    }
    if (!ok) continue;
    if (any_handle_column) in.set_handles = handles;
    if (handles.empty() && !(field("id") && !text::Trim(*field("id")).empty())) {
      // Without id or handle, the name is all that tells two rows apart.
      std::string name = text::Trim(*in.display_name);
      if (auto seen = bare_name_lines.find(name); seen != bare_name_lines.end()) {
        reject(rec.line, i18n::Format(_("{} is also on line {}, and neither row has an id or a "
                                        "contact handle to tell them apart; add a wechat, phone "
                                        "or email column"),
                                      name, seen->second));
        continue;
      }
      bare_name_lines[name] = rec.line;
    }
    if (auto id = field("id"); id && !text::Trim(*id).empty()) {
      std::string v = text::AsciiLower(text::Trim(*id));
      if (!LooksLikeId(v)) {
        reject(rec.line, i18n::Format(_("the id '{}' is not a Qun id (32 hex characters); leave "
                                        "it empty for new people"),
                                      *id));
        continue;
      }
      if (!ids_seen.insert(v).second) {
        reject(rec.line, i18n::Format(_("the id {} appears on two rows"), ShortId(v)));
        continue;
      }
      row.id = v;
    }
    if (options.group_id) {
      // A date column's cell: none when empty; a rejection naming the
      // column as the sheet has it when it is not a day that has passed.
      bool bad_date = false;
      auto date_of = [&](const char* name) -> std::optional<When> {
        auto v = field(name);
        if (!v || text::Trim(*v).empty()) return std::nullopt;
        auto w = SheetDate(*v, today);
        if (w.ok()) return *w;
        reject(rec.line, i18n::Format(_("{} '{}': {}"), header.fields[col.at(name)], text::Trim(*v),
                                      w.status().message()));
        bad_date = true;
        return std::nullopt;
      };
      if (auto w = date_of("joined_at"))
        row.joined_at = w->minute ? LocalMs(*w) : LocalMidnightMs(w->day);
      // One rejection per row, as for every other problem.
      if (!bad_date)
        if (auto w = date_of("last_active")) row.last_active = w->day;
      if (bad_date) continue;
    }
    if (auto ref = field("referred_by"); ref && !text::Trim(*ref).empty())
      row.referred_by = text::Trim(*ref);
    else if (ref)
      row.input.referred_by = "";
    rows.push_back(std::move(row));
  }

  QUN_ASSIGN_OR_RETURN(auto txn, store.Begin(author, options.note));
  // The group is read once: counting its members again for every line made
  // a large sheet take time in the square of its length.
  std::optional<Group> group;
  if (options.group_id) {
    QUN_ASSIGN_OR_RETURN(Group g, registry.GetGroup(*options.group_id));
    group = std::move(g);
  }
  Activity activity(registry, store);
  int64_t done = 0;
  int64_t total = static_cast<int64_t>(rows.size());
  enum class Outcome { kImported, kUpdated, kUnchanged };
  struct Written {
    const Row* row;
    std::string person_id;
    Outcome outcome;
  };
  std::vector<Written> written;
  for (const Row& row : rows) {
    if (options.progress) options.progress(done++, total);
    QUN_RETURN_IF_ERROR(txn->Savepoint());
    // Match: the id column, else the contact handles.
    std::optional<std::string> target;
    bool existed = false;
    Status s;
    if (row.id) {
      QUN_ASSIGN_OR_RETURN(auto removed, registry.PersonRemoved(*row.id));
      target = *row.id;
      existed = removed.has_value() && !*removed;
    } else if (row.input.set_handles) {
      std::set<std::string> owners;
      for (const Handle& h : *row.input.set_handles) {
        QUN_ASSIGN_OR_RETURN(auto owner, registry.FindByHandle(h));
        if (owner) owners.insert(*owner);
      }
      if (owners.size() > 1) {
        s = Status::Conflict(
            _("its contact handles belong to two different people in the registry; split or "
              "merge them first"));
      } else if (owners.size() == 1) {
        target = *owners.begin();
        existed = true;
      }
    }
    if (s.ok() && !target && (!row.input.set_handles || row.input.set_handles->empty())) {
      // No id, no handle: a name that exactly one person has is that person,
      // so re-importing such a sheet updates instead of duplicating.
      auto by_name = registry.ResolvePersonByName(*row.input.display_name);
      if (by_name.ok()) {
        target = *by_name;
        existed = true;
      } else if (by_name.status().code() != Status::Code::kNotFound) {
        s = by_name.status();
      }
    }
    int64_t ops_before = txn->ops_written();
    if (s.ok()) {
      if (existed) {
        s = registry.EditPerson(*txn, *target, row.input);
      } else {
        auto id = registry.AddPerson(*txn, row.input, target);
        s = id.status();
        if (id.ok()) target = *id;
      }
    }
    bool person_changed = txn->ops_written() > ops_before;
    bool joined = false;
    if (s.ok() && options.group_id) {
      MembershipFilter f;
      f.group_id = options.group_id;
      f.person_id = target;
      auto ms = registry.ListMemberships(f);
      s = ms.status();
      if (s.ok() && (ms->empty() || !HoldsPlace((*ms)[0].status))) {
        // Someone banned from the community is not put into a group by a
        // spreadsheet: that takes an admin's yes (`qun member join --yes`).
        auto ban = registry.BanReason(*target);
        s = ban.status();
        if (s.ok() && *ban)
          s = Status::Conflict(i18n::Format(
              _("this person is banned from the whole community ({}); add them to the group "
                "with `qun member join --yes` if that is intended"),
              (*ban)->empty() ? std::string(_("no reason given")) : **ban));
        if (s.ok()) {
          s = registry.JoinGroup(*txn, *group, *target, options.role, std::nullopt, false,
                                 row.joined_at);
          joined = s.ok();
          if (joined && row.joined_at) ++report->join_dates;
        }
      } else if (s.ok() && row.joined_at && (*ms)[0].joined_at != *row.joined_at) {
        s = registry.SetJoinedAt(*txn, *options.group_id, *target, *row.joined_at);
        if (s.ok()) ++report->join_dates;
      }
      if (s.ok() && row.last_active) {
        // Stated once per person and day, whoever imports the sheet.
        auto added = activity.RecordStated(*txn, *options.group_id, *target, "talk",
                                           *row.last_active, "sheet");
        s = added.status();
        if (s.ok() && *added) ++report->activity_days;
      }
    }
    if (!s.ok()) {
      // Storage failures abort the import; bad data rejects the row.
      if (s.code() == Status::Code::kBusy || s.code() == Status::Code::kIOError ||
          s.code() == Status::Code::kCorruption || s.code() == Status::Code::kInternal)
        return s;
      QUN_RETURN_IF_ERROR(txn->RollbackToSavepoint());
      reject(row.line, s.message());
      continue;
    }
    QUN_RETURN_IF_ERROR(txn->ReleaseSavepoint());
    if (joined) ++report->joined;
    written.push_back({&row, *target,
                       !existed         ? Outcome::kImported
                       : person_changed ? Outcome::kUpdated
                                        : Outcome::kUnchanged});
  }

  // Referrals last: the referrer may be further down the sheet.
  for (Written& w : written) {
    if (!w.row->referred_by) continue;
    // An id names the referrer even when they were removed since (exports
    // write ids); anything else is resolved like on the command line.
    std::string as_id = text::AsciiLower(*w.row->referred_by);
    Result<std::string> ref = Status::NotFound("");
    QUN_ASSIGN_OR_RETURN(auto id_exists, registry.PersonRemoved(as_id));
    if (LooksLikeId(as_id) && id_exists)
      ref = as_id;
    else
      ref = registry.ResolvePerson(*w.row->referred_by);
    Status s = ref.status();
    if (s.ok()) {
      PersonInput in;
      in.referred_by = *ref;
      QUN_RETURN_IF_ERROR(txn->Savepoint());
      int64_t before = txn->ops_written();
      s = registry.EditPerson(*txn, w.person_id, in);
      if (s.ok()) {
        QUN_RETURN_IF_ERROR(txn->ReleaseSavepoint());
        if (txn->ops_written() > before && w.outcome == Outcome::kUnchanged)
          w.outcome = Outcome::kUpdated;
        continue;
      }
      QUN_RETURN_IF_ERROR(txn->RollbackToSavepoint());
    }
    report->rejections.push_back(
        {w.row->line,
         i18n::Format(options.skip_bad
                          ? _("referred_by '{}': {} (the person was imported without the referral)")
                          : _("referred_by '{}': {}"),
                      *w.row->referred_by, s.message()),
         true});
  }
  for (const Written& w : written) {
    if (w.outcome == Outcome::kImported) ++report->imported;
    if (w.outcome == Outcome::kUpdated) ++report->updated;
    if (w.outcome == Outcome::kUnchanged) ++report->unchanged;
  }
  if (options.progress) options.progress(total, total);

  std::sort(report->rejections.begin(), report->rejections.end(),
            [](const ImportRejection& a, const ImportRejection& b) { return a.line < b.line; });
  if (!report->rejections.empty() && !options.skip_bad)
    return Status::Rejected(
        i18n::Format(_("{} of {} rows have problems, so nothing was imported; fix them, or pass "
                       "--skip-bad to import the good rows"),
                     report->rejections.size(), report->rows));
  if (options.dry_run) return Status::Ok();  // the transaction rolls back
  QUN_RETURN_IF_ERROR(txn->Commit());
  report->written = true;
  return Status::Ok();
}

}  // namespace qun::core
