// `qun checkin`, `qun streaks`, `qun topic add|list|submit|status`,
// `qun activity add|list|remove`: activity facts (community/activity.h).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/dates.h"
#include "cli/app.h"
#include "cli/argv.h"
#include "cli/output.h"
#include "cli/words.h"
#include "community/activity.h"
#include "community/group_rows.h"
#include "core/ids.h"

namespace qun::cli {
namespace {

const core::GroupRowKind& kTopicKind = core::kTopicRowKind;

int64_t Today(Node& node) { return core::Today(*node.store); }

// Where a member stands on a topic's homework (community/activity.h: "on
// time", "late", "missing"), in the words of the language shown.
std::string HomeworkState(const std::string& state) {
  if (state == "on time") return C_("homework", "on time");
  if (state == "late") return C_("homework", "late");
  if (state == "missing") return C_("homework", "missing");
  return state;
}

nlohmann::json FactJson(const core::ActivityFact& a) {
  return {{"id", a.id},
          {"group_id", a.group_id},
          {"group", a.group_name},
          {"person_id", a.person_id},
          {"person", a.person_name},
          {"kind", a.kind},
          {"day", a.day},
          {"at", a.at},
          {"ref", a.ref},
          {"note", a.note}};
}

nlohmann::json StreakJson(const core::Streak& s) {
  return {{"person_id", s.person_id}, {"person", s.person_name}, {"current", s.current},
          {"longest", s.longest},     {"total", s.total},        {"last_day", s.last_day}};
}

// What `qun checkin` says of one name that was not recorded.
std::string NotRecordedLine(const core::CheckInOutcome& o) {
  if (o.kind == core::CheckInOutcome::Kind::kNotMember)
    return i18n::Format(_("{}: not checked in: {}"), o.person_name, o.reason);
  return i18n::Format(_("'{}': not checked in: {}"), o.typed, o.reason);
}

const char* OutcomeKey(core::CheckInOutcome::Kind k) {
  switch (k) {
    case core::CheckInOutcome::Kind::kCheckedIn:
      return "checked_in";
    case core::CheckInOutcome::Kind::kAlready:
      return "already";
    case core::CheckInOutcome::Kind::kNotMember:
      return "not_member";
    case core::CheckInOutcome::Kind::kNotFound:
      return "not_found";
    case core::CheckInOutcome::Kind::kAmbiguous:
      return "ambiguous";
  }
  return "not_found";
}

// `qun checkin missing GROUP`: who has not checked in, as a list and as a
// line to paste into the chat (@ their group nickname, as the chat shows).
void AddCheckinMissing(App& app, CLI::App* checkin) {
  struct Args {
    std::string group;
    std::optional<std::string> date;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = checkin->add_subcommand(
      "missing", _("who has not checked in yet, with a line to paste into the chat (催打卡)"));
  cmd->add_option("GROUP", args->group, _("group id, id prefix or name"))->required();
  cmd->add_option("--date", args->date, _("the day (default today)"));
  cmd->callback([&app, args] {
    app.action = [&app, args]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      core::Registry& reg = *node->registry;
      QUN_ASSIGN_OR_RETURN(std::string group, reg.ResolveGroup(args->group));
      QUN_ASSIGN_OR_RETURN(core::Group g, reg.GetGroup(group));
      int64_t today = Today(*node);
      int64_t day = today;
      if (args->date) {
        QUN_ASSIGN_OR_RETURN(
            day, DayArg(*args->date, core::NowMs(*node->store), core::Lean::kPast, "--date"));
      }
      core::Activity activity(reg, *node->store);
      QUN_ASSIGN_OR_RETURN(auto missing, activity.NotCheckedIn(group, day));
      std::vector<std::string> mentions;
      for (const auto& m : missing)
        mentions.push_back("@" + (m.nickname.empty() ? m.person_name : m.nickname));
      std::string line = fmt::format("{}", fmt::join(mentions, " "));
      std::string paste =
          mentions.empty() ? std::string()
          : day == today   ? i18n::Format(_("{} — not checked in yet today"), line)
                         : i18n::Format(_("{} — not checked in for {}"), line, core::DayText(day));
      if (app.options.json) {
        nlohmann::json list = nlohmann::json::array();
        for (size_t i = 0; i < missing.size(); ++i)
          list.push_back({{"person_id", missing[i].person_id},
                          {"person", missing[i].person_name},
                          {"mention", mentions[i]}});
        app.PrintJson({{"group", g.name},
                       {"day", core::DayText(day)},
                       {"members", g.active_members},
                       {"missing", list},
                       {"text", paste}});
        return Status::Ok();
      }
      if (missing.empty()) {
        app.Print(
            i18n::Format(_("Everyone in {} has checked in for {}.\n"), g.name, core::DayText(day)));
        return Status::Ok();
      }
      std::string out = i18n::Format(_("Not checked in for {0} in {1}: {2} of {3} members\n"),
                                     core::DayText(day), g.name, missing.size(), g.active_members);
      for (const auto& m : missing) out += "  " + m.person_name + "\n";
      out += i18n::Format(_("\nTo paste into the chat:\n{}\n"), paste);
      app.Print(out);
      return Status::Ok();
    };
  });
}

void AddCheckin(App& app) {
  struct Args {
    std::string group;
    std::vector<std::string> people;
    std::optional<std::string> date;
    std::string note;
    bool strict = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.cli.add_subcommand("checkin", _("record check-ins (打卡) in a group"));
  // Not required here: `qun checkin missing GROUP` has none of them.
  cmd->add_option("GROUP", args->group, _("group id, id prefix or name"));
  cmd->add_option("PERSON", args->people, _("who checked in (one or more)"));
  cmd->add_option("--date", args->date, _("the day checked in for: YYYY-MM-DD (default today)"));
  cmd->add_option("--note", args->note, _("what they posted, briefly"));
  cmd->add_flag("--strict", args->strict,
                _("record nothing unless every name can be checked in (for scripts)"));
  AddCheckinMissing(app, cmd);
  cmd->callback([&app, args, cmd] {
    if (cmd->got_subcommand("missing")) return;
    app.action = [&app, args]() -> Status {
      if (args->group.empty() || args->people.empty())
        return Status::InvalidArgument(
            _("give the group and who checked in: `qun checkin GROUP PERSON...`; `qun checkin "
              "missing GROUP` lists who has not"));
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      core::Registry& reg = *node->registry;
      QUN_ASSIGN_OR_RETURN(std::string group, reg.ResolveGroup(args->group));
      int64_t today = Today(*node);
      int64_t day = today;
      if (args->date) {
        QUN_ASSIGN_OR_RETURN(
            day, DayArg(*args->date, core::NowMs(*node->store), core::Lean::kPast, "--date"));
        if (day > today)
          return Status::InvalidArgument(
              i18n::Format(_("--date {}: a check-in is for today or a day gone by, not {}"),
                           *args->date, core::DayText(day)));
      }
      core::Activity activity(reg, *node->store);
      QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("checkin"));
      QUN_ASSIGN_OR_RETURN(auto outcomes, activity.CheckInMany(*txn, group, SplitList(args->people),
                                                               day, args->note));
      // The first name that could not be recorded decides the exit code.
      const core::CheckInOutcome* failed = nullptr;
      size_t not_recorded = 0;
      for (const auto& o : outcomes)
        if (!o.recorded()) {
          if (!failed) failed = &o;
          ++not_recorded;
        }
      auto failure = [&](const std::string& message) {
        return failed->kind == core::CheckInOutcome::Kind::kAmbiguous ? Status::Conflict(message)
                                                                      : Status::NotFound(message);
      };
      if (failed && args->strict)
        return failure(
            i18n::Format(_("nothing was recorded (--strict): {}"), NotRecordedLine(*failed)));
      QUN_RETURN_IF_ERROR(txn->Commit());
      // As of the day checked in for: a check-in recorded late still says
      // what it made of that day's streak.
      QUN_ASSIGN_OR_RETURN(auto streaks, activity.Streaks(group, day));
      std::map<std::string, core::Streak> by_person;
      for (auto& s : streaks) by_person[s.person_id] = s;
      if (app.options.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& o : outcomes) {
          nlohmann::json j = {{"typed", o.typed},
                              {"outcome", OutcomeKey(o.kind)},
                              {"person_id", o.person_id},
                              {"person", o.person_name},
                              {"day", core::DayText(day)}};
          if (o.recorded()) {
            j["id"] = o.fact_id;
            j["streak"] = StreakJson(by_person[o.person_id]);
          } else {
            j["reason"] = o.reason;
            if (!o.choices.empty()) j["choices"] = o.choices;
          }
          out.push_back(j);
        }
        app.PrintJson(out);
      } else {
        std::string text;
        for (const auto& o : outcomes) {
          if (o.kind == core::CheckInOutcome::Kind::kCheckedIn) {
            const core::Streak& s = by_person[o.person_id];
            text +=
                i18n::Format(P_("{} checked in for {}: streak {} day (longest {})\n",
                                "{} checked in for {}: streak {} days (longest {})\n", s.current),
                             s.person_name, core::DayText(day), s.current, s.longest);
          } else if (o.kind == core::CheckInOutcome::Kind::kAlready) {
            text += i18n::Format(_("{} had already checked in for {}\n"), o.person_name,
                                 core::DayText(day));
          } else {
            text += NotRecordedLine(o) + "\n";
          }
        }
        app.Print(text);
      }
      if (!failed) return Status::Ok();
      return failure(i18n::Format(P_("{} name was not checked in (see above); the others were",
                                     "{} names were not checked in (see above); the others were",
                                     static_cast<int64_t>(not_recorded)),
                                  not_recorded));
    };
  });
}

void AddStreaks(App& app) {
  struct Args {
    std::string group;
    std::optional<std::string> person, as_of;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.cli.add_subcommand(
      "streaks", _("check-in streaks of a group's members (one missed day is forgiven)"));
  cmd->add_option("GROUP", args->group, _("group id, id prefix or name"))->required();
  cmd->add_option("--person", args->person, _("only this person"));
  cmd->add_option("--as-of", args->as_of, _("the day to count up to: YYYY-MM-DD (default today)"));
  cmd->callback([&app, args] {
    app.action = [&app, args]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      core::Registry& reg = *node->registry;
      QUN_ASSIGN_OR_RETURN(std::string group, reg.ResolveGroup(args->group));
      int64_t today = Today(*node);
      if (args->as_of) {
        QUN_ASSIGN_OR_RETURN(
            today, DayArg(*args->as_of, core::NowMs(*node->store), core::Lean::kPast, "--as-of"));
      }
      std::optional<std::string> person;
      if (args->person) {
        QUN_ASSIGN_OR_RETURN(person, reg.ResolvePerson(*args->person, group));
      }
      core::Activity activity(reg, *node->store);
      QUN_ASSIGN_OR_RETURN(auto streaks, activity.Streaks(group, today));
      if (person) {
        std::erase_if(streaks, [&](const core::Streak& s) { return s.person_id != *person; });
        if (streaks.empty()) QUN_RETURN_IF_ERROR(reg.RequireMember(group, *person).status());
      }
      if (app.options.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& s : streaks) out.push_back(StreakJson(s));
        app.PrintJson(out);
        return Status::Ok();
      }
      if (streaks.empty()) {
        app.Print(_("No members in that group.\n"));
        return Status::Ok();
      }
      Table t({_("PERSON"), _("STREAK"), _("LONGEST"), _("CHECK-INS"), _("LAST")});
      for (const auto& s : streaks)
        t.AddRow({s.person_name, std::to_string(s.current), std::to_string(s.longest),
                  std::to_string(s.total), s.last_day});
      app.Print(t.Render() + i18n::Format(_("As of {}\n"), core::DayText(today)));
      return Status::Ok();
    };
  });
}

void AddTopic(App& app) {
  CLI::App* topic = app.cli.add_subcommand(
      "topic", _("weekly topics with homework deadlines (add, submit, status)"));
  topic->require_subcommand(1);
  {
    struct Args {
      std::string group, title;
      std::optional<std::string> deadline;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = topic->add_subcommand("add", _("add a topic to a group"));
    cmd->add_option("GROUP", args->group, _("group id, id prefix or name"))->required();
    cmd->add_option("TITLE", args->title, _("the topic"))->required();
    cmd->add_option(
        "--deadline", args->deadline,
        _("homework due by: YYYY-MM-DD HH:MM (local time; a date alone means its start)"));
    cmd->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        QUN_ASSIGN_OR_RETURN(std::string group, node->registry->ResolveGroup(args->group));
        int64_t deadline = 0;
        if (args->deadline) {
          QUN_ASSIGN_OR_RETURN(deadline, TimeArg(*args->deadline, core::NowMs(*node->store),
                                                 core::Lean::kFuture, "--deadline"));
        }
        core::Activity activity(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("topic add"));
        QUN_ASSIGN_OR_RETURN(std::string id, activity.AddTopic(*txn, group, args->title, deadline));
        QUN_RETURN_IF_ERROR(txn->Commit());
        if (app.options.json) {
          app.PrintJson({{"id", id}, {"title", args->title}, {"deadline", deadline}});
          return Status::Ok();
        }
        app.Print(
            deadline ? i18n::Format(_("Added topic {} ({}), due {}\n"), args->title,
                                    core::ShortRowId(id), core::FormatLocalTime(deadline))
                     : i18n::Format(_("Added topic {} ({})\n"), args->title, core::ShortRowId(id)));
        return Status::Ok();
      };
    });
  }
  {
    auto group = std::make_shared<std::optional<std::string>>();
    CLI::App* cmd = topic->add_subcommand("list", _("list topics, latest deadline first"));
    cmd->add_option("--group", *group, _("only this group's"));
    cmd->callback([&app, group] {
      app.action = [&app, group]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        std::optional<std::string> gid;
        if (*group) {
          QUN_ASSIGN_OR_RETURN(gid, node->registry->ResolveGroup(**group));
        }
        core::Activity activity(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(auto topics, activity.ListTopics(gid));
        if (app.options.json) {
          nlohmann::json out = nlohmann::json::array();
          for (const auto& t : topics)
            out.push_back({{"id", t.id},
                           {"group_id", t.group_id},
                           {"group", t.group_name},
                           {"title", t.title},
                           {"deadline", t.deadline},
                           {"submitted", t.submissions}});
          app.PrintJson(out);
          return Status::Ok();
        }
        if (topics.empty()) {
          app.Print(
              _("No topics yet. Add one with `qun topic add GROUP TITLE --deadline TIME`.\n"));
          return Status::Ok();
        }
        Table t({_("ID"), _("GROUP"), _("TOPIC"), _("DEADLINE"), _("SUBMITTED")});
        for (const auto& tp : topics)
          t.AddRow({core::ShortRowId(tp.id), tp.group_name, tp.title,
                    core::FormatLocalTime(tp.deadline), std::to_string(tp.submissions)});
        app.Print(t.Render());
        return Status::Ok();
      };
    });
  }
  {
    struct Args {
      std::string topic, person, note;
      std::optional<std::string> at;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = topic->add_subcommand("submit", _("record a person's homework for a topic"));
    cmd->add_option("TOPIC", args->topic, _("topic id prefix or title"))->required();
    cmd->add_option("PERSON", args->person, _("who submitted"))->required();
    cmd->add_option("--note", args->note, _("the homework, or a link to it"));
    cmd->add_option("--at", args->at,
                    _("when it was submitted: YYYY-MM-DD HH:MM (default now), for late records"));
    cmd->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        QUN_ASSIGN_OR_RETURN(std::string topic,
                             core::ResolveGroupRow(node->store->db(), kTopicKind, args->topic));
        QUN_ASSIGN_OR_RETURN(std::string person, node->registry->ResolvePerson(args->person));
        int64_t at = core::NowMs(*node->store);
        if (args->at) {
          QUN_ASSIGN_OR_RETURN(at, TimeArg(*args->at, at, core::Lean::kPast, "--at"));
        }
        core::Activity activity(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(core::Topic t, activity.GetTopic(topic));
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("topic submit"));
        QUN_ASSIGN_OR_RETURN(core::Submission sub,
                             activity.Submit(*txn, topic, person, args->note, at));
        QUN_RETURN_IF_ERROR(txn->Commit());
        QUN_ASSIGN_OR_RETURN(core::Person p, node->registry->GetPerson(person));
        if (app.options.json) {
          app.PrintJson({{"id", sub.id},
                         {"topic", t.title},
                         {"person", p.display_name},
                         {"late", sub.late},
                         {"submissions", sub.count}});
          return Status::Ok();
        }
        std::string when = sub.late ? i18n::Format(_("late: the deadline was {}; recorded as late"),
                                                   core::FormatLocalTime(t.deadline))
                                    : C_("homework", "on time");
        std::string again =
            sub.count > 1
                ? i18n::Format(_(". Submission {}: the first one decides on time or late"),
                               sub.count)
                : "";
        app.Print(i18n::Format(_("Recorded {}'s homework for {} ({}){}\n"), p.display_name, t.title,
                               when, again));
        return Status::Ok();
      };
    });
  }
  {
    auto ref = std::make_shared<std::string>();
    CLI::App* cmd =
        topic->add_subcommand("status", _("who submitted on time, late, or not at all"));
    cmd->add_option("TOPIC", *ref, _("topic id prefix or title"))->required();
    cmd->callback([&app, ref] {
      app.action = [&app, ref]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        QUN_ASSIGN_OR_RETURN(std::string topic,
                             core::ResolveGroupRow(node->store->db(), kTopicKind, *ref));
        core::Activity activity(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(core::Topic t, activity.GetTopic(topic));
        QUN_ASSIGN_OR_RETURN(auto entries, activity.TopicStatus(topic));
        std::map<std::string, int> counts;
        for (const auto& e : entries) ++counts[e.state];
        if (app.options.json) {
          nlohmann::json list = nlohmann::json::array();
          for (const auto& e : entries)
            list.push_back({{"person_id", e.person_id},
                            {"person", e.person_name},
                            {"state", e.state},
                            {"submitted_at", e.submitted_at}});
          app.PrintJson({{"id", t.id},
                         {"title", t.title},
                         {"group", t.group_name},
                         {"deadline", t.deadline},
                         {"on_time", counts["on time"]},
                         {"late", counts["late"]},
                         {"missing", counts["missing"]},
                         {"people", list}});
          return Status::Ok();
        }
        std::string out =
            t.deadline
                ? i18n::Format(_("{} ({}), due {}: {} on time, {} late, {} missing\n"), t.title,
                               t.group_name, core::FormatLocalTime(t.deadline), counts["on time"],
                               counts["late"], counts["missing"])
                : i18n::Format(_("{} ({}): {} on time, {} late, {} missing\n"), t.title,
                               t.group_name, counts["on time"], counts["late"], counts["missing"]);
        Table table({_("PERSON"), _("HOMEWORK"), _("SUBMITTED")});
        for (const auto& e : entries)
          table.AddRow(
              {e.person_name, HomeworkState(e.state), core::FormatLocalTime(e.submitted_at)});
        app.Print(out + table.Render());
        return Status::Ok();
      };
    });
  }
}

void AddActivity(App& app) {
  CLI::App* act = app.cli.add_subcommand("activity", _("talks, shares and other activity facts"));
  act->require_subcommand(1);
  {
    struct Args {
      std::string group, person, kind, note;
      std::optional<std::string> date;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = act->add_subcommand("add", _("record a talk or share by a member"));
    cmd->add_option("GROUP", args->group, _("group id, id prefix or name"))->required();
    cmd->add_option("PERSON", args->person, _("who"))->required();
    cmd->add_option("--kind", args->kind, _("talk or share"))->required();
    cmd->add_option("--note", args->note, _("what it was about"));
    cmd->add_option("--date", args->date, _("the day: YYYY-MM-DD (default today)"));
    cmd->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        if (args->kind != "talk" && args->kind != "share")
          return Status::InvalidArgument(i18n::Format(
              _("'{}' is not a kind `activity add` records: choose talk or share (check-ins, "
                "homework and attendance have their own commands: `qun checkin`, `qun topic "
                "submit`, `qun event attend`)"),
              args->kind));
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        QUN_ASSIGN_OR_RETURN(std::string group, node->registry->ResolveGroup(args->group));
        QUN_ASSIGN_OR_RETURN(std::string person,
                             node->registry->ResolvePerson(args->person, group));
        int64_t day = Today(*node);
        if (args->date) {
          int64_t today = day;
          QUN_ASSIGN_OR_RETURN(
              day, DayArg(*args->date, core::NowMs(*node->store), core::Lean::kPast, "--date"));
          if (day > today)
            return Status::InvalidArgument(
                i18n::Format(_("--date {}: activity is recorded for today or a day gone by, "
                               "not {}"),
                             *args->date, core::DayText(day)));
        }
        core::Activity activity(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("activity add"));
        QUN_ASSIGN_OR_RETURN(std::string id,
                             activity.Record(*txn, group, person, args->kind, day, args->note));
        QUN_RETURN_IF_ERROR(txn->Commit());
        if (app.options.json) {
          app.PrintJson({{"id", id}, {"kind", args->kind}, {"day", core::DayText(day)}});
          return Status::Ok();
        }
        app.Print(i18n::Format(_("Recorded a {} on {} ({})\n"), Word(kActivityKind, args->kind),
                               core::DayText(day), core::ShortRowId(id)));
        return Status::Ok();
      };
    });
  }
  {
    struct Args {
      std::optional<std::string> group, person, kind, since, until;
      int64_t limit = 50;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = act->add_subcommand("list", _("activity facts, newest first"));
    cmd->add_option("--group", args->group, _("only this group's"));
    cmd->add_option("--person", args->person, _("only this person's"));
    cmd->add_option("--kind", args->kind, _("checkin, homework, talk, share or attendance"));
    cmd->add_option("--since", args->since, _("from this day on: YYYY-MM-DD"));
    cmd->add_option("--until", args->until, _("up to this day: YYYY-MM-DD"));
    cmd->add_option("-n,--limit", args->limit, _("show at most this many (0: all; default 50)"));
    cmd->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::ActivityFilter f;
        if (args->group) {
          QUN_ASSIGN_OR_RETURN(f.group_id, node->registry->ResolveGroup(*args->group));
        }
        if (args->person) {
          QUN_ASSIGN_OR_RETURN(f.person_id, node->registry->ResolvePerson(*args->person));
        }
        if (args->kind)
          QUN_RETURN_IF_ERROR(
              core::CheckEnum(C_("field", "activity kind"), *args->kind, core::kActivityKinds));
        f.kind = args->kind;
        if (args->since) {
          QUN_ASSIGN_OR_RETURN(f.since_day, DayArg(*args->since, core::NowMs(*node->store),
                                                   core::Lean::kPast, "--since"));
        }
        if (args->until) {
          QUN_ASSIGN_OR_RETURN(f.until_day, DayArg(*args->until, core::NowMs(*node->store),
                                                   core::Lean::kPast, "--until"));
        }
        core::Activity activity(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(auto facts, activity.List(f));
        size_t total = facts.size();
        if (args->limit > 0 && facts.size() > static_cast<size_t>(args->limit))
          facts.resize(static_cast<size_t>(args->limit));
        if (app.options.json) {
          nlohmann::json out = nlohmann::json::array();
          for (const auto& a : facts) out.push_back(FactJson(a));
          app.PrintJson(out);
          return Status::Ok();
        }
        if (facts.empty()) {
          app.Print(_("No activity matches.\n"));
          return Status::Ok();
        }
        Table t({_("ID"), _("DAY"), _("GROUP"), _("PERSON"), _("KIND"), _("NOTE")});
        t.SetMaxWidth(5, 40);
        for (const auto& a : facts)
          t.AddRow({core::ShortRowId(a.id), a.day, a.group_name, a.person_name,
                    Word(kActivityKind, a.kind), a.note});
        int64_t n = static_cast<int64_t>(total);
        std::string count = total > facts.size()
                                ? i18n::Format(P_("{} record (showing {}; -n 0 shows all)\n",
                                                  "{} records (showing {}; -n 0 shows all)\n", n),
                                               total, facts.size())
                                : i18n::Format(P_("{} record\n", "{} records\n", n), total);
        app.Print(t.Render() + count);
        return Status::Ok();
      };
    });
  }
  {
    auto ref = std::make_shared<std::string>();
    CLI::App* cmd = act->add_subcommand("remove", _("undo an activity record made by mistake"));
    cmd->add_option("ID", *ref, _("the record's id (as `qun activity list` shows it)"))->required();
    cmd->callback([&app, ref] {
      app.action = [&app, ref]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Activity activity(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(std::string id, activity.ResolveFact(*ref));
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("activity remove"));
        QUN_RETURN_IF_ERROR(activity.Remove(*txn, id));
        QUN_RETURN_IF_ERROR(txn->Commit());
        if (app.options.json)
          app.PrintJson({{"id", id}, {"removed", true}});
        else
          app.Print(i18n::Format(_("Removed activity record {}; `qun log` keeps its history\n"),
                                 core::ShortRowId(id)));
        return Status::Ok();
      };
    });
  }
}

}  // namespace

void AddActivityCommands(App& app) {
  AddCheckin(app);
  AddStreaks(app);
  AddTopic(app);
  AddActivity(app);
}

}  // namespace qun::cli
