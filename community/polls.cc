#include "community/polls.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "base/dates.h"
#include "base/i18n.h"
#include "base/text.h"
#include "community/group_rows.h"
#include "core/ids.h"

namespace qun::core {
namespace {

constexpr GroupRowKind kPollKind = {"poll", "question", NC_("row kind", "poll"), "qun poll list"};

std::string OptionsList(const Poll& poll) {
  std::string out;
  for (size_t i = 0; i < poll.options.size(); ++i)
    out += fmt::format("{}{}. {}", i ? ", " : "", i + 1, poll.options[i]);
  return out;
}

}  // namespace

std::string Polls::VoteId(const std::string& poll_id, const std::string& person_id) {
  return GroupRowId(GroupOfRowId(poll_id), DerivedId("vote", poll_id + " " + person_id));
}

Result<std::string> Polls::Add(WriteTxn& txn, const std::string& group_id, const PollInput& in) {
  QUN_ASSIGN_OR_RETURN(Group group, registry_.GetGroup(group_id));
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "question"), in.question));
  std::string question = text::Trim(in.question);
  if (question.empty())
    return Status::InvalidArgument(
        _("the poll needs a question, e.g. `qun poll add GROUP "
          "\"周六去哪儿？\" --option 公园 --option 图书馆`"));
  std::vector<std::string> options;
  std::set<std::string> seen;
  for (const auto& raw : in.options) {
    QUN_RETURN_IF_ERROR(CheckText(C_("field", "option"), raw));
    std::string o = text::Trim(raw);
    if (o.empty())
      return Status::InvalidArgument(
          i18n::Format(_("option {} is empty; every --option needs a text"), options.size() + 1));
    if (!seen.insert(o).second)
      return Status::InvalidArgument(
          i18n::Format(_("the option '{}' is given twice; options must differ"), o));
    options.push_back(o);
  }
  if (options.size() < kMinPollOptions || options.size() > kMaxPollOptions)
    return Status::InvalidArgument(
        i18n::Format(_("a poll needs {} to {} options, each given with --option (got {})"),
                     kMinPollOptions, kMaxPollOptions, options.size()));
  int64_t now = NowMs(store_);
  if (in.closes_at && *in.closes_at <= now)
    return Status::InvalidArgument(
        i18n::Format(_("the closing time {} has already passed; give a time to come with --closes"),
                     FormatLocalTime(*in.closes_at)));
  std::string id = GroupRowId(group.id, RandomId());
  auto set = [&](const char* column, const Value& v) {
    return txn.Set("poll", id, column, v).status();
  };
  nlohmann::json j = options;
  QUN_RETURN_IF_ERROR(set("question", question));
  QUN_RETURN_IF_ERROR(set("options", j.dump()));
  if (in.closes_at) QUN_RETURN_IF_ERROR(set("closes_at", *in.closes_at));
  QUN_RETURN_IF_ERROR(set("status", std::string("open")));
  QUN_RETURN_IF_ERROR(set("created_at", now));
  QUN_RETURN_IF_ERROR(set("deleted", int64_t{0}));
  return id;
}

Result<std::string> Polls::Resolve(const std::string& ref,
                                   const std::optional<std::string>& group_id) {
  return ResolveGroupRow(store_.db(), kPollKind, ref, group_id);
}

Result<Poll> Polls::Get(const std::string& id) {
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store_.db().Prepare(
          "SELECT p.id, p.group_id, coalesce(g.name,''), coalesce(p.question,''), "
          "coalesce(p.options,'[]'), coalesce(p.closes_at,0), coalesce(p.status,'open'), "
          "coalesce(p.created_at,0) FROM poll p LEFT JOIN chat_group g ON g.id = p.group_id WHERE "
          "p.id = ? AND p.deleted = 0"));
  s.Bind(1, id);
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row)
    return Status::NotFound(
        i18n::Format(_("no poll {}; list them with `qun poll list`"), ShortRowId(id)));
  Poll p;
  p.id = s.Text(0);
  p.group_id = s.Text(1);
  p.group_name = s.Text(2);
  p.question = s.Text(3);
  nlohmann::json options = nlohmann::json::parse(s.Text(4), nullptr, false);
  if (options.is_array())
    for (const auto& o : options)
      if (o.is_string()) p.options.push_back(o.get<std::string>());
  p.closes_at = s.Int(5);
  p.status = s.Text(6);
  p.created_at = s.Int(7);
  return p;
}

Result<std::vector<Poll>> Polls::List(const std::optional<std::string>& group_id) {
  std::string sql = "SELECT id FROM poll WHERE deleted = 0";
  if (group_id) sql += " AND group_id = ?1";
  sql += " ORDER BY created_at DESC, id";
  QUN_ASSIGN_OR_RETURN(Statement s, store_.db().Prepare(sql));
  if (group_id) s.Bind(1, *group_id);
  std::vector<std::string> ids;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ids.push_back(s.Text(0));
  }
  std::vector<Poll> out;
  for (const auto& id : ids) {
    QUN_ASSIGN_OR_RETURN(Poll p, Get(id));
    out.push_back(std::move(p));
  }
  return out;
}

Result<VoteResult> Polls::Vote(WriteTxn& txn, const std::string& poll_id,
                               const std::string& person_id, int choice) {
  QUN_ASSIGN_OR_RETURN(Poll poll, Get(poll_id));
  int64_t now = NowMs(store_);
  if (poll.ClosedAt(now))
    return Status::Conflict(
        poll.status == "closed"
            ? i18n::Format(_("the poll '{}' is closed; it takes no more votes"), poll.question)
            : i18n::Format(_("the poll '{}' closed at {}; it takes no more votes"), poll.question,
                           FormatLocalTime(poll.closes_at)));
  if (choice < 0 || choice >= static_cast<int>(poll.options.size()))
    return Status::InvalidArgument(i18n::Format(_("there is no option {}; the options are {}"),
                                                choice + 1, OptionsList(poll)));
  QUN_RETURN_IF_ERROR(registry_.RequireMember(poll.group_id, person_id).status());
  std::string id = VoteId(poll.id, person_id);
  QUN_ASSIGN_OR_RETURN(
      Statement s, store_.db().Prepare("SELECT choice FROM vote WHERE id = ? AND deleted = 0 AND "
                                       "choice IS NOT NULL"));
  s.Bind(1, id);
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  VoteResult r;
  if (row) {
    int64_t previous = s.Int(0);
    // A choice out of range (a damaged row from elsewhere) is no vote.
    if (previous >= 0 && previous < static_cast<int64_t>(poll.options.size()))
      r.previous = static_cast<int>(previous);
    if (r.previous && *r.previous == choice) {
      r.changed = false;
      return r;
    }
  }
  auto set = [&](const char* column, const Value& v) {
    return txn.Set("vote", id, column, v).status();
  };
  QUN_RETURN_IF_ERROR(set("poll_id", poll.id));
  QUN_RETURN_IF_ERROR(set("person_id", person_id));
  QUN_RETURN_IF_ERROR(set("choice", int64_t{choice}));
  QUN_RETURN_IF_ERROR(set("voted_at", now));
  QUN_RETURN_IF_ERROR(set("deleted", int64_t{0}));
  return r;
}

Result<bool> Polls::Close(WriteTxn& txn, const std::string& poll_id) {
  QUN_ASSIGN_OR_RETURN(Poll poll, Get(poll_id));
  if (poll.status == "closed") return false;
  QUN_RETURN_IF_ERROR(txn.Set("poll", poll.id, "status", std::string("closed")).status());
  return true;
}

Result<PollResults> Polls::Results(const Poll& poll) {
  QUN_ASSIGN_OR_RETURN(
      Statement s,
      store_.db().Prepare(
          "SELECT v.person_id, v.choice, coalesce(v.voted_at,0), coalesce(p.display_name,'') "
          "FROM vote v LEFT JOIN person p ON p.id = v.person_id WHERE v.poll_id = ?1 AND "
          "v.group_id = ?2 AND v.deleted = 0 AND v.choice IS NOT NULL AND v.person_id IS NOT "
          "NULL ORDER BY v.choice, p.display_name COLLATE PINYIN, v.person_id"));
  s.Bind(1, poll.id).Bind(2, poll.group_id);
  PollResults r;
  r.counts.assign(poll.options.size(), 0);
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    int64_t choice = s.Int(1);
    if (choice < 0 || choice >= static_cast<int64_t>(poll.options.size())) continue;
    // A vote recorded after the poll closed (by a node whose clock ran
    // behind) does not count, on any node.
    if (poll.closes_at && s.Int(2) > poll.closes_at) continue;
    PollVote v;
    v.person_id = s.Text(0);
    v.choice = static_cast<int>(choice);
    v.voted_at = s.Int(2);
    v.name = s.Text(3);
    ++r.counts[v.choice];
    ++r.total;
    r.votes.push_back(std::move(v));
  }
  return r;
}

Result<int> ParseChoice(const Poll& poll, const std::string& choice) {
  std::string c = text::Trim(choice);
  bool digits = !c.empty() && c.size() <= 3 &&
                std::all_of(c.begin(), c.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  if (digits) {
    int n = std::stoi(c);
    if (n >= 1 && n <= static_cast<int>(poll.options.size())) return n - 1;
  }
  for (size_t i = 0; i < poll.options.size(); ++i)
    if (poll.options[i] == c) return static_cast<int>(i);
  if (digits)
    return Status::InvalidArgument(
        i18n::Format(_("there is no option {}: the poll has {} options ({})"), c,
                     poll.options.size(), OptionsList(poll)));
  return Status::InvalidArgument(
      i18n::Format(_("'{}' is not one of the options; give its number or its exact text: {}"), c,
                   OptionsList(poll)));
}

std::string RenderPollBars(const Poll& poll, const PollResults& results, size_t bar_width) {
  std::vector<std::string> labels;
  size_t label_width = 0;
  for (size_t i = 0; i < poll.options.size(); ++i) {
    labels.push_back(fmt::format("{}. {}", i + 1, poll.options[i]));
    label_width = std::max(label_width, text::DisplayWidth(labels.back()));
  }
  label_width = std::min<size_t>(label_width, 32);
  std::string out;
  for (size_t i = 0; i < poll.options.size(); ++i) {
    int64_t count = i < results.counts.size() ? results.counts[i] : 0;
    double share = results.total ? static_cast<double>(count) / results.total : 0.0;
    // Half cells: a full block per cell, a left half block for the rest.
    size_t halves = static_cast<size_t>(share * bar_width * 2 + 0.5);
    if (count > 0 && halves == 0) halves = 1;  // a vote always shows
    std::string bar;
    for (size_t h = 0; h < halves / 2; ++h) bar += "█";
    if (halves % 2) bar += "▌";
    size_t cells = halves / 2 + halves % 2;
    bar += std::string(bar_width > cells ? bar_width - cells : 0, ' ');
    out += fmt::format("  {}  {}  {:>3}  {:>5.1f}%\n", text::PadRight(labels[i], label_width), bar,
                       count, share * 100);
  }
  return out;
}

}  // namespace qun::core
