// `qun poll add|vote|close|list|show`: a group's polls (see community/polls.h).
#include <fmt/format.h>

#include "base/dates.h"
#include "base/text.h"
#include "cli/app.h"
#include "cli/output.h"
#include "community/polls.h"
#include "core/ids.h"

namespace qun::cli {
namespace {

std::string StatusText(const core::Poll& p, int64_t now) {
  if (p.status == "closed") return C_("poll status", "closed");
  if (p.closes_at > 0 && now >= p.closes_at)
    return i18n::Format(_("closed at {}"), core::FormatLocalTime(p.closes_at));
  if (p.closes_at > 0) return i18n::Format(_("open until {}"), core::FormatLocalTime(p.closes_at));
  return C_("poll status", "open");
}

nlohmann::json PollJson(const core::Poll& p, int64_t now) {
  return {{"id", p.id},
          {"short_id", core::ShortRowId(p.id)},
          {"group_id", p.group_id},
          {"group", p.group_name},
          {"question", p.question},
          {"options", p.options},
          {"closes_at", p.closes_at > 0 ? nlohmann::json(p.closes_at) : nlohmann::json()},
          {"status", p.status},
          {"closed", p.ClosedAt(now)},
          {"created_at", p.created_at}};
}

nlohmann::json ResultsJson(const core::Poll& p, const core::PollResults& r) {
  nlohmann::json j;
  j["total"] = r.total;
  j["counts"] = nlohmann::json::array();
  for (size_t i = 0; i < p.options.size(); ++i) {
    int64_t c = i < r.counts.size() ? r.counts[i] : 0;
    double pct = r.total ? 100.0 * static_cast<double>(c) / r.total : 0.0;
    j["counts"].push_back({{"number", i + 1},
                           {"option", p.options[i]},
                           {"votes", c},
                           {"percent", std::round(pct * 10) / 10}});
  }
  j["votes"] = nlohmann::json::array();
  for (const auto& v : r.votes)
    j["votes"].push_back({{"person_id", v.person_id},
                          {"name", v.name},
                          {"choice", v.choice + 1},
                          {"option", p.options[v.choice]}});
  return j;
}

std::string OptionText(const core::Poll& p, int choice) {
  return fmt::format("{}. {}", choice + 1, p.options[choice]);
}

}  // namespace

void AddPollCommands(App& app) {
  CLI::App* poll = app.cli.add_subcommand("poll", _("a group's polls and votes"));
  poll->require_subcommand(1);

  {  // add
    struct AddArgs {
      std::string group, question;
      std::vector<std::string> options;
      std::optional<std::string> closes;
    };
    auto args = std::make_shared<AddArgs>();
    CLI::App* add = poll->add_subcommand("add", _("start a poll in a group; prints its id"));
    add->add_option("GROUP", args->group, _("group id, id prefix or name"))->required();
    add->add_option("QUESTION", args->question, _("what is asked, e.g. 周六去哪儿？"))->required();
    add->add_option("--option", args->options, _("an answer to choose (repeat: 2 to 20)"));
    add->add_option("--closes", args->closes,
                    _("stop taking votes at this local time: \"YYYY-MM-DD HH:MM\""));
    add->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Polls polls(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(std::string group_id, node->registry->ResolveGroup(args->group));
        core::PollInput in;
        in.question = args->question;
        in.options = args->options;
        if (args->closes) {
          QUN_ASSIGN_OR_RETURN(in.closes_at, TimeArg(*args->closes, core::NowMs(*node->store),
                                                     core::Lean::kFuture, "--closes"));
        }
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("poll add"));
        QUN_ASSIGN_OR_RETURN(std::string id, polls.Add(*txn, group_id, in));
        QUN_RETURN_IF_ERROR(txn->Commit());
        QUN_ASSIGN_OR_RETURN(core::Poll p, polls.Get(id));
        if (app.options.json)
          app.PrintJson(PollJson(p, core::NowMs(*node->store)));
        else
          app.Print(core::ShortRowId(id) + "\n");
        return Status::Ok();
      };
    });
  }

  {  // vote
    struct VoteArgs {
      std::string poll, person, choice;
    };
    auto args = std::make_shared<VoteArgs>();
    CLI::App* vote =
        poll->add_subcommand("vote", _("record a person's vote (again: changes it while open)"));
    vote->add_option("POLL", args->poll, _("poll id, id prefix or question"))->required();
    vote->add_option("PERSON", args->person, _("person id, id prefix, name or handle"))->required();
    vote->add_option("CHOICE", args->choice, _("option number (1, 2, ...) or its exact text"))
        ->required();
    vote->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Polls polls(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(std::string id, polls.Resolve(args->poll));
        QUN_ASSIGN_OR_RETURN(core::Poll p, polls.Get(id));
        QUN_ASSIGN_OR_RETURN(std::string person_id, node->registry->ResolvePerson(args->person));
        QUN_ASSIGN_OR_RETURN(core::Person person, node->registry->GetPerson(person_id));
        QUN_ASSIGN_OR_RETURN(int choice, core::ParseChoice(p, args->choice));
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("poll vote"));
        QUN_ASSIGN_OR_RETURN(core::VoteResult r, polls.Vote(*txn, id, person_id, choice));
        QUN_RETURN_IF_ERROR(txn->Commit());
        if (app.options.json) {
          app.PrintJson(
              {{"poll_id", id},
               {"person_id", person_id},
               {"choice", choice + 1},
               {"option", p.options[choice]},
               {"previous", r.previous ? nlohmann::json(*r.previous + 1) : nlohmann::json()},
               {"changed", r.changed}});
          return Status::Ok();
        }
        if (!r.changed)
          app.Print(i18n::Format(_("{0} had already voted {1} in '{2}'; nothing changed\n"),
                                 person.display_name, OptionText(p, choice), p.question));
        else if (r.previous)
          app.Print(i18n::Format(_("{} changed their vote in '{}' from {} to {}\n"),
                                 person.display_name, p.question, OptionText(p, *r.previous),
                                 OptionText(p, choice)));
        else
          app.Print(i18n::Format(_("{0} voted {1} in '{2}'\n"), person.display_name,
                                 OptionText(p, choice), p.question));
        return Status::Ok();
      };
    });
  }

  {  // close
    auto ref = std::make_shared<std::string>();
    CLI::App* close = poll->add_subcommand("close", _("stop a poll taking votes"));
    close->add_option("POLL", *ref, _("poll id, id prefix or question"))->required();
    close->callback([&app, ref] {
      app.action = [&app, ref]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Polls polls(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(std::string id, polls.Resolve(*ref));
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("poll close"));
        QUN_ASSIGN_OR_RETURN(bool closed, polls.Close(*txn, id));
        QUN_RETURN_IF_ERROR(txn->Commit());
        QUN_ASSIGN_OR_RETURN(core::Poll p, polls.Get(id));
        if (app.options.json) {
          nlohmann::json j = PollJson(p, core::NowMs(*node->store));
          j["changed"] = closed;
          app.PrintJson(j);
        } else {
          app.Print(closed ? i18n::Format(_("Closed the poll '{}'; `qun poll show {}` shows the "
                                            "results\n"),
                                          p.question, core::ShortRowId(id))
                           : i18n::Format(_("The poll '{}' was closed already\n"), p.question));
        }
        return Status::Ok();
      };
    });
  }

  {  // list
    auto group = std::make_shared<std::optional<std::string>>();
    CLI::App* list = poll->add_subcommand("list", _("list polls, newest first"));
    list->add_option("--group", *group, _("only this group's polls"));
    list->callback([&app, group] {
      app.action = [&app, group]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Polls polls(*node->registry, *node->store);
        std::optional<std::string> group_id;
        if (*group) {
          QUN_ASSIGN_OR_RETURN(group_id, node->registry->ResolveGroup(**group));
        }
        QUN_ASSIGN_OR_RETURN(auto list, polls.List(group_id));
        int64_t now = core::NowMs(*node->store);
        std::vector<core::PollResults> results;
        for (const auto& p : list) {
          QUN_ASSIGN_OR_RETURN(core::PollResults r, polls.Results(p));
          results.push_back(std::move(r));
        }
        if (app.options.json) {
          nlohmann::json out = nlohmann::json::array();
          for (size_t i = 0; i < list.size(); ++i) {
            nlohmann::json j = PollJson(list[i], now);
            j["total"] = results[i].total;
            out.push_back(j);
          }
          app.PrintJson(out);
          return Status::Ok();
        }
        if (list.empty()) {
          app.Print(
              _("No polls yet. Start one with `qun poll add GROUP QUESTION --option A "
                "--option B`.\n"));
          return Status::Ok();
        }
        Table t({_("ID"), _("QUESTION"), _("GROUP"), _("OPTIONS"), _("VOTES"), _("STATUS")});
        t.SetMaxWidth(1, 36);
        for (size_t i = 0; i < list.size(); ++i)
          t.AddRow({core::ShortRowId(list[i].id), list[i].question, list[i].group_name,
                    std::to_string(list[i].options.size()), std::to_string(results[i].total),
                    StatusText(list[i], now)});
        app.Print(t.Render());
        return Status::Ok();
      };
    });
  }

  {  // show
    auto ref = std::make_shared<std::string>();
    CLI::App* show = poll->add_subcommand("show", _("show a poll's results and who voted what"));
    show->add_option("POLL", *ref, _("poll id, id prefix or question"))->required();
    show->callback([&app, ref] {
      app.action = [&app, ref]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Polls polls(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(std::string id, polls.Resolve(*ref));
        QUN_ASSIGN_OR_RETURN(core::Poll p, polls.Get(id));
        QUN_ASSIGN_OR_RETURN(core::PollResults r, polls.Results(p));
        int64_t now = core::NowMs(*node->store);
        if (app.options.json) {
          nlohmann::json j = PollJson(p, now);
          j.update(ResultsJson(p, r));
          app.PrintJson(j);
          return Status::Ok();
        }
        Details d;
        d.Add(_("Poll"), p.question);
        d.Add(_("Id"), core::ShortRowId(p.id));
        d.Add(_("Group"), fmt::format("{} ({})", p.group_name, core::ShortId(p.group_id)));
        d.Add(_("Status"), StatusText(p, now));
        d.Add(_("Votes"), std::to_string(r.total));
        std::string out = d.Render() + "\n" + core::RenderPollBars(p, r);
        if (!r.votes.empty()) {
          out += _("\nWho voted:\n");
          for (size_t i = 0; i < p.options.size(); ++i) {
            std::string names;
            for (const auto& v : r.votes)
              if (v.choice == static_cast<int>(i)) names += (names.empty() ? "" : ", ") + v.name;
            if (!names.empty()) out += fmt::format("  {}: {}\n", OptionText(p, i), names);
          }
        }
        app.Print(out);
        return Status::Ok();
      };
    });
  }
}

}  // namespace qun::cli
