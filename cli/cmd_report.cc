// `qun report levels|inactive|lurkers|core|referrals|health|activity|expiring`
// and `qun match`: what the merged data says about a community
// (community/reports.h). Every report takes --as-of, so that two admins who
// hold the same data print the same figures.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/dates.h"
#include "base/svg_chart.h"
#include "base/text.h"
#include "cli/app.h"
#include "cli/output.h"
#include "cli/words.h"
#include "community/reports.h"
#include "core/ids.h"

namespace qun::cli {
namespace {

nlohmann::json EngagementJson(const core::Engagement& e) {
  return {{"person_id", e.person_id},     {"person", e.person_name},    {"role", e.role},
          {"status", e.status},           {"level", e.level},           {"facts", e.facts},
          {"days_active", e.days_active}, {"facts_ever", e.facts_ever}, {"last_active", e.last_day},
          {"joined", e.joined_day}};
}

// Options every report shares.
struct Common {
  std::optional<std::string> as_of;
  void Register(CLI::App* cmd) {
    cmd->add_option("--as-of", as_of, _("the day the report is for: YYYY-MM-DD (default today)"));
  }
  Result<int64_t> Day(Node& node) const {
    if (!as_of) return core::Today(*node.store);
    return DayArg(*as_of, core::NowMs(*node.store), core::Lean::kPast, "--as-of");
  }
};

// A report on one group's members: levels, inactive, lurkers, core.
void EngagementReport(App& app, CLI::App* report, const char* name, const char* help,
                      std::function<void(CLI::App*)> extra_options,
                      std::function<Result<std::vector<core::Engagement>>(
                          core::Reports&, const std::string&, int64_t)>
                          run,
                      std::function<std::string(const core::Group&, size_t)> summary) {
  auto group = std::make_shared<std::string>();
  auto common = std::make_shared<Common>();
  CLI::App* cmd = report->add_subcommand(name, help);
  cmd->add_option("GROUP", *group, _("group id, id prefix or name"))->required();
  common->Register(cmd);
  extra_options(cmd);
  cmd->callback([&app, group, common, run, summary] {
    app.action = [&app, group, common, run, summary]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      QUN_ASSIGN_OR_RETURN(std::string gid, node->registry->ResolveGroup(*group));
      QUN_ASSIGN_OR_RETURN(core::Group g, node->registry->GetGroup(gid));
      QUN_ASSIGN_OR_RETURN(int64_t as_of, common->Day(*node));
      core::Reports reports(*node->registry, *node->store);
      QUN_ASSIGN_OR_RETURN(auto rows, run(reports, gid, as_of));
      if (app.options.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& e : rows) list.push_back(EngagementJson(e));
        app.PrintJson({{"group_id", gid},
                       {"group", g.name},
                       {"as_of", core::DayText(as_of)},
                       {"window_days", g.level_window_days},
                       {"people", list}});
        return Status::Ok();
      }
      std::string out =
          summary(g, rows.size()) + i18n::Format(_(" (as of {})\n"), core::DayText(as_of));
      if (!rows.empty()) {
        Table t({_("PERSON"), _("LEVEL"), _("ACTIVITY"), _("DAYS"), _("LAST ACTIVE"), _("JOINED"),
                 _("ROLE")});
        for (const auto& e : rows)
          t.AddRow({e.person_name, Word(kLevel, e.level), std::to_string(e.facts),
                    std::to_string(e.days_active), e.last_day.empty() ? _("never") : e.last_day,
                    e.joined_day, Word(kRole, e.role)});
        out += t.Render();
      }
      app.Print(out);
      return Status::Ok();
    };
  });
}

nlohmann::json WeeksJson(const std::vector<core::Week>& weeks) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& w : weeks)
    out.push_back({{"week", w.start},
                   {"joined", w.joined},
                   {"left", w.left},
                   {"activity", w.facts},
                   {"active_people", w.active_people},
                   {"by_kind", w.by_kind}});
  return out;
}

// The chart goes to a file; "-" (standard output) would mix it with the
// report, so it is refused (the caller checks first, before any work).
Status CheckSvgPath(const std::optional<std::string>& path) {
  if (path && (path->empty() || *path == "-"))
    return Status::InvalidArgument(
        _("--svg needs a file name: the report itself goes to standard output"));
  return Status::Ok();
}

Status WriteSvg(const std::string& path, const std::string& svg) {
  Status st = WriteOutput(path, svg);
  if (!st.ok()) return st.WithContext("--svg " + path);
  return st;
}

// Options of the week-by-week reports (health, activity).
struct WeeklyArgs {
  std::optional<std::string> group, svg;
  int64_t weeks;
  Common common;

  explicit WeeklyArgs(int64_t default_weeks) : weeks(default_weeks) {}
  void Register(CLI::App* cmd, const char* group_help) {
    cmd->add_option("--group", group, group_help);
    cmd->add_option("--weeks", weeks, i18n::Format(_("how many weeks back (default {})"), weeks));
    cmd->add_option("--svg", svg, _("also write a chart to this SVG file"));
    common.Register(cmd);
  }
  Status Check() const {
    if (weeks < 1 || weeks > 520)
      return Status::InvalidArgument(_("--weeks must be between 1 and 520"));
    return CheckSvgPath(svg);
  }
  // The groups reported on: --group's, else every active group.
  Result<std::vector<std::string>> Groups(Node& node) const {
    std::vector<std::string> ids;
    if (group) {
      QUN_ASSIGN_OR_RETURN(std::string id, node.registry->ResolveGroup(*group));
      ids.push_back(id);
    } else {
      QUN_ASSIGN_OR_RETURN(auto groups, node.registry->ListGroups(false));
      for (const auto& g : groups) ids.push_back(g.id);
    }
    return ids;
  }
};

void AddHealth(App& app, CLI::App* report) {
  auto args = std::make_shared<WeeklyArgs>(8);
  CLI::App* cmd = report->add_subcommand(
      "health", _("group health: size against capacity, active share, joined and left per week"));
  args->Register(cmd, _("one group, week by week (default: every group)"));
  cmd->callback([&app, args] {
    app.action = [&app, args]() -> Status {
      QUN_RETURN_IF_ERROR(args->Check());
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      QUN_ASSIGN_OR_RETURN(int64_t as_of, args->common.Day(*node));
      QUN_ASSIGN_OR_RETURN(auto ids, args->Groups(*node));
      core::Reports reports(*node->registry, *node->store);
      std::vector<core::GroupHealth> all;
      for (const auto& id : ids) {
        QUN_ASSIGN_OR_RETURN(core::GroupHealth h, reports.Health(id, args->weeks, as_of));
        all.push_back(std::move(h));
      }
      if (args->svg) {
        std::string svg;
        if (args->group) {
          const core::GroupHealth& h = all[0];
          std::vector<std::string> labels;
          core::ChartSeries joined{C_("chart", "joined"), {}, "joined"},
              left{C_("chart", "left"), {}, "left"},
              active{C_("chart", "active people"), {}, "active people"};
          for (const auto& w : h.weeks) {
            labels.push_back(w.start);
            joined.values.push_back(static_cast<double>(w.joined));
            left.values.push_back(static_cast<double>(w.left));
            active.values.push_back(static_cast<double>(w.active_people));
          }
          svg = core::LineChartSvg(
              i18n::Format(_("{} — week by week to {}"), h.group_name, core::DayText(as_of)),
              labels, {joined, left, active});
        } else {
          std::vector<std::string> labels;
          std::vector<double> sizes, capacities;
          for (const auto& h : all) {
            labels.push_back(h.group_name);
            sizes.push_back(static_cast<double>(h.members));
            capacities.push_back(static_cast<double>(h.capacity));
          }
          svg = core::BarChartSvg(
              i18n::Format(_("Group sizes and capacity, {}"), core::DayText(as_of)), labels, sizes,
              capacities);
        }
        QUN_RETURN_IF_ERROR(WriteSvg(*args->svg, svg));
      }
      if (app.options.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& h : all)
          out.push_back({{"group_id", h.group_id},
                         {"group", h.group_name},
                         {"members", h.members},
                         {"capacity", h.capacity},
                         {"waitlisted", h.waitlisted},
                         {"active_members", h.active_members},
                         {"active_ratio", std::round(h.active_ratio * 1000) / 1000},
                         {"levels", h.levels},
                         {"weeks", WeeksJson(h.weeks)}});
        app.PrintJson({{"as_of", core::DayText(as_of)}, {"groups", out}});
        return Status::Ok();
      }
      if (all.empty()) {
        app.Print(_("No groups yet.\n"));
        return Status::Ok();
      }
      std::string out;
      if (!args->group) {
        Table t({_("GROUP"), _("MEMBERS"), _("FULL"), _("ACTIVE"), _("CORE"), _("LURKERS"),
                 _("WAITING"), i18n::Format(_("JOINED/LEFT ({}W)"), args->weeks)});
        for (const auto& h : all) {
          int64_t joined = 0, left = 0;
          for (const auto& w : h.weeks) {
            joined += w.joined;
            left += w.left;
          }
          t.AddRow({h.group_name, fmt::format("{}/{}", h.members, h.capacity),
                    fmt::format("{:.0f}%", h.capacity ? 100.0 * h.members / h.capacity : 0),
                    fmt::format("{:.0f}%", 100 * h.active_ratio),
                    std::to_string(h.levels.at("core")), std::to_string(h.levels.at("lurker")),
                    std::to_string(h.waitlisted), fmt::format("+{} −{}", joined, left)});
        }
        out = t.Render();
      } else {
        const core::GroupHealth& h = all[0];
        out = i18n::Format(
            _("{}: {}/{} members ({:.0f}% full), {} waiting; {:.0f}% active (core {}, active {}, "
              "observer {}, lurker {})\n"),
            h.group_name, h.members, h.capacity, h.capacity ? 100.0 * h.members / h.capacity : 0,
            h.waitlisted, 100 * h.active_ratio, h.levels.at("core"), h.levels.at("active"),
            h.levels.at("observer"), h.levels.at("lurker"));
        Table t({_("WEEK OF"), _("JOINED"), _("LEFT"), _("ACTIVITY"), _("ACTIVE PEOPLE")});
        for (const auto& w : h.weeks)
          t.AddRow({w.start, std::to_string(w.joined), std::to_string(w.left),
                    std::to_string(w.facts), std::to_string(w.active_people)});
        out += t.Render();
      }
      out += args->svg && *args->svg != "-" ? i18n::Format(_("As of {}; chart written to {}\n"),
                                                           core::DayText(as_of), *args->svg)
                                            : i18n::Format(_("As of {}\n"), core::DayText(as_of));
      app.Print(out);
      return Status::Ok();
    };
  });
}

void AddActivityReport(App& app, CLI::App* report) {
  auto args = std::make_shared<WeeklyArgs>(12);
  CLI::App* cmd = report->add_subcommand(
      "activity", _("activity over time: check-ins, homework, talks, attendance per week"));
  args->Register(cmd, _("only this group (default: every group)"));
  cmd->callback([&app, args] {
    app.action = [&app, args]() -> Status {
      QUN_RETURN_IF_ERROR(args->Check());
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      QUN_ASSIGN_OR_RETURN(int64_t as_of, args->common.Day(*node));
      QUN_ASSIGN_OR_RETURN(auto ids, args->Groups(*node));
      // `scope` goes into --json as is; `scope_text` is what a person reads.
      std::string scope = "all groups", scope_text = _("all groups");
      if (args->group) {
        QUN_ASSIGN_OR_RETURN(core::Group g, node->registry->GetGroup(ids[0]));
        scope = scope_text = g.name;
      }
      core::Reports reports(*node->registry, *node->store);
      // Summed over the groups, week by week. A person active in two
      // groups counts in each: the figures are per group membership.
      std::vector<core::Week> weeks;
      for (const auto& id : ids) {
        QUN_ASSIGN_OR_RETURN(std::vector<core::Week> group_weeks,
                             reports.Weeks(id, args->weeks, as_of));
        if (weeks.empty()) {
          weeks = std::move(group_weeks);
          continue;
        }
        for (size_t i = 0; i < weeks.size(); ++i) {
          weeks[i].facts += group_weeks[i].facts;
          weeks[i].active_people += group_weeks[i].active_people;
          weeks[i].joined += group_weeks[i].joined;
          weeks[i].left += group_weeks[i].left;
          for (const auto& [k, v] : group_weeks[i].by_kind) weeks[i].by_kind[k] += v;
        }
      }
      if (args->svg) {
        std::vector<std::string> labels;
        std::map<std::string, core::ChartSeries> by_kind;
        core::ChartSeries total{C_("chart", "all activity"), {}, "all activity"},
            people{C_("chart", "active people"), {}, "active people"};
        for (const auto& w : weeks) {
          labels.push_back(w.start);
          total.values.push_back(static_cast<double>(w.facts));
          people.values.push_back(static_cast<double>(w.active_people));
        }
        std::vector<core::ChartSeries> series = {total, people};
        for (const char* kind : {"checkin", "homework", "talk", "share", "attendance"}) {
          core::ChartSeries s{Word(kActivityKind, kind), {}, kind};
          double sum = 0;
          for (const auto& w : weeks) {
            auto it = w.by_kind.find(kind);
            double v = it == w.by_kind.end() ? 0 : static_cast<double>(it->second);
            s.values.push_back(v);
            sum += v;
          }
          if (sum > 0) series.push_back(s);
        }
        QUN_RETURN_IF_ERROR(WriteSvg(
            *args->svg, core::LineChartSvg(i18n::Format(_("Activity in {}, week by week to {}"),
                                                        scope_text, core::DayText(as_of)),
                                           labels, series)));
      }
      if (app.options.json) {
        app.PrintJson(
            {{"as_of", core::DayText(as_of)}, {"scope", scope}, {"weeks", WeeksJson(weeks)}});
        return Status::Ok();
      }
      Table t({_("WEEK OF"), _("ACTIVITY"), _("PEOPLE"), _("CHECK-INS"), _("HOMEWORK"),
               _("TALKS/SHARES"), _("ATTENDANCE")});
      auto kind = [](const core::Week& w, const char* k) {
        auto it = w.by_kind.find(k);
        return it == w.by_kind.end() ? int64_t{0} : it->second;
      };
      for (const auto& w : weeks)
        t.AddRow({w.start, std::to_string(w.facts), std::to_string(w.active_people),
                  std::to_string(kind(w, "checkin")), std::to_string(kind(w, "homework")),
                  std::to_string(kind(w, "talk") + kind(w, "share")),
                  std::to_string(kind(w, "attendance"))});
      app.Print(i18n::Format(_("Activity in {}\n"), scope_text) + t.Render() +
                (args->svg && *args->svg != "-"
                     ? i18n::Format(_("As of {}; chart written to {}\n"), core::DayText(as_of),
                                    *args->svg)
                     : i18n::Format(_("As of {}\n"), core::DayText(as_of))));
      return Status::Ok();
    };
  });
}

void AddReferrals(App& app, CLI::App* report) {
  CLI::App* cmd = report->add_subcommand(
      "referrals", _("who referred whom: the tree, with counts per referrer and depth"));
  cmd->callback([&app] {
    app.action = [&app]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      core::Reports reports(*node->registry, *node->store);
      QUN_ASSIGN_OR_RETURN(auto tree, reports.Referrals());
      if (app.options.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : tree)
          out.push_back({{"person_id", r.person_id},
                         {"person", r.person_name},
                         {"referred_by", r.referred_by},
                         {"direct", r.direct},
                         {"total", r.total},
                         {"depth", r.depth}});
        app.PrintJson(out);
        return Status::Ok();
      }
      if (tree.empty()) {
        app.Print(
            _("No referrals recorded. Record one with `qun member edit PERSON --referred-by "
              "OTHER`.\n"));
        return Status::Ok();
      }
      std::string out;
      int64_t max_depth = 0;
      for (const auto& r : tree) {
        max_depth = std::max(max_depth, r.depth);
        std::string counts = !r.direct ? ""
                             : r.total > r.direct
                                 ? i18n::Format(_("  (referred {}, {} in all)"), r.direct, r.total)
                                 : i18n::Format(_("  (referred {})"), r.direct);
        out += std::string(static_cast<size_t>(2 * r.depth), ' ') + (r.depth ? "└ " : "") +
               r.person_name + counts + "\n";
      }
      out += i18n::Format(_("{} people in referral trees, {} levels deep\n"), tree.size(),
                          max_depth + 1);
      app.Print(out);
      return Status::Ok();
    };
  });
}

void AddExpiring(App& app, CLI::App* report) {
  struct Args {
    std::optional<std::string> group;
    std::string days = "14d";
    Common common;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = report->add_subcommand(
      "expiring", _("members whose dues run out soon (or already have): who to remind"));
  cmd->add_option("--days", args->days, _("within this many days (default 14)"));
  cmd->add_option("--group", args->group, _("only this group"));
  args->common.Register(cmd);
  cmd->callback([&app, args] {
    app.action = [&app, args]() -> Status {
      QUN_ASSIGN_OR_RETURN(int64_t days, core::ParseDays(args->days));
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      QUN_ASSIGN_OR_RETURN(int64_t as_of, args->common.Day(*node));
      std::optional<std::string> group;
      if (args->group) {
        QUN_ASSIGN_OR_RETURN(group, node->registry->ResolveGroup(*args->group));
      }
      core::Reports reports(*node->registry, *node->store);
      QUN_ASSIGN_OR_RETURN(auto rows, reports.ExpiringDues(group, days, as_of));
      if (app.options.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& e : rows)
          out.push_back({{"group_id", e.group_id},
                         {"group", e.group_name},
                         {"person_id", e.person_id},
                         {"person", e.person_name},
                         {"paid_until", e.paid_until},
                         {"days_left", e.days_left}});
        app.PrintJson({{"as_of", core::DayText(as_of)}, {"days", days}, {"members", out}});
        return Status::Ok();
      }
      if (rows.empty()) {
        app.Print(i18n::Format(_("No dues run out within {0} days of {1}.\n"), days,
                               core::DayText(as_of)));
        return Status::Ok();
      }
      Table t({_("GROUP"), _("PERSON"), _("PAID UNTIL"), _("DAYS LEFT")});
      for (const auto& e : rows)
        t.AddRow({e.group_name, e.person_name, e.paid_until,
                  e.days_left < 0
                      ? i18n::Format(P_("expired {} day ago", "expired {} days ago", -e.days_left),
                                     -e.days_left)
                      : std::to_string(e.days_left)});
      app.Print(t.Render() +
                i18n::Format(_("{} to remind; record a payment with `qun member pay GROUP PERSON "
                               "--until YYYY-MM-DD`\n"),
                             rows.size()));
      return Status::Ok();
    };
  });
}

void AddMatch(App& app) {
  struct Args {
    std::string person;
    size_t top = 10;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.cli.add_subcommand(
      "match",
      _("connection points for a person: shared tags, offers that answer their needs, and the "
        "reverse"));
  cmd->add_option("PERSON", args->person, _("person id, id prefix, name or contact handle"))
      ->required();
  cmd->add_option("--top", args->top, _("at most this many in each list (default 10)"));
  cmd->callback([&app, args] {
    app.action = [&app, args]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      QUN_ASSIGN_OR_RETURN(std::string id, node->registry->ResolvePerson(args->person));
      QUN_ASSIGN_OR_RETURN(core::Person p, node->registry->GetPerson(id));
      core::Reports reports(*node->registry, *node->store);
      if (args->top < 1) return Status::InvalidArgument(_("--top must be at least 1"));
      QUN_ASSIGN_OR_RETURN(core::Matches m, reports.MatchFor(id, args->top));
      auto list_json = [](const std::vector<core::Match>& list, const char* a, const char* b) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& x : list) {
          nlohmann::json pairs = nlohmann::json::array();
          for (const auto& [t1, t2] : x.terms) pairs.push_back({{a, t1}, {b, t2}});
          out.push_back({{"person_id", x.person_id},
                         {"person", x.person_name},
                         {"common_tags", x.common_tags},
                         {"matches", pairs}});
        }
        return out;
      };
      if (app.options.json) {
        app.PrintJson({{"person_id", id},
                       {"person", p.display_name},
                       {"common_tags", list_json(m.common_tags, "", "")},
                       {"offers_my_needs", list_json(m.offers_my_needs, "offer", "need")},
                       {"needs_my_offers", list_json(m.needs_my_offers, "need", "offer")}});
        return Status::Ok();
      }
      std::string out = i18n::Format(_("Connection points for {}\n"), p.display_name);
      auto section = [&](const char* title, const std::vector<core::Match>& list, auto line) {
        out += fmt::format("\n{}\n", title);
        if (list.empty()) out += _("  (none)\n");
        for (const auto& x : list) out += "  " + x.person_name + ": " + line(x) + "\n";
      };
      auto join = [](const std::vector<std::string>& v) {
        return fmt::format("{}", fmt::join(v, ", "));
      };
      auto pairs = [](const core::Match& x) {
        std::string s;
        for (const auto& [a, b] : x.terms) s += (s.empty() ? "" : "; ") + a + " → " + b;
        return s;
      };
      section(_("Tags in common:"), m.common_tags,
              [&](const core::Match& x) { return join(x.common_tags); });
      section(p.needs.empty() ? _("Offers that answer their needs (no needs recorded):")
                              : _("Offers that answer their needs:"),
              m.offers_my_needs, pairs);
      section(p.offers.empty() ? _("Needs their offers answer (no offers recorded):")
                               : _("Needs their offers answer:"),
              m.needs_my_offers, pairs);
      out +=
          _("\nOnly what people entered (tags, needs, offers) is compared; nothing is guessed.\n");
      app.Print(out);
      return Status::Ok();
    };
  });
}

}  // namespace

void AddReportCommands(App& app) {
  CLI::App* report = app.cli.add_subcommand(
      "report",
      _("reports: levels, inactive, lurkers, core, referrals, health, activity, expiring"));
  report->require_subcommand(1);

  EngagementReport(
      app, report, "levels",
      _("each member's engagement level (core, active, observer, lurker) from recent activity"),
      [](CLI::App*) {},
      [](core::Reports& r, const std::string& g, int64_t as_of) { return r.Engagements(g, as_of); },
      [](const core::Group& g, size_t n) {
        return i18n::Format(_("{}: {} members, activity over {} days (core ≥ {}, active ≥ {})"),
                            g.name, n, g.level_window_days, g.level_core, g.level_active);
      });

  auto inactive_days = std::make_shared<std::string>("60d");
  EngagementReport(
      app, report, "inactive", _("members with no activity for a number of days"),
      [inactive_days](CLI::App* cmd) {
        cmd->add_option("--days", *inactive_days,
                        _("no activity for more than this (default 60d)"));
      },
      [inactive_days](core::Reports& r, const std::string& g,
                      int64_t as_of) -> Result<std::vector<core::Engagement>> {
        QUN_ASSIGN_OR_RETURN(int64_t days, core::ParseDays(*inactive_days));
        return r.Inactive(g, days, as_of);
      },
      [inactive_days](const core::Group& g, size_t n) {
        auto days = core::ParseDays(*inactive_days);
        return i18n::Format(
            P_("{}: {} member inactive for more than {} days",
               "{}: {} members inactive for more than {} days", static_cast<int64_t>(n)),
            g.name, n, days.ok() ? *days : 0);
      });

  auto grace = std::make_shared<std::string>("14d");
  EngagementReport(
      app, report, "lurkers", _("members who joined but were never active"),
      [grace](CLI::App* cmd) {
        cmd->add_option("--grace", *grace, _("leave out who joined within this (default 14d)"));
      },
      [grace](core::Reports& r, const std::string& g,
              int64_t as_of) -> Result<std::vector<core::Engagement>> {
        QUN_ASSIGN_OR_RETURN(int64_t days, core::ParseDays(*grace));
        return r.Lurkers(g, days, as_of);
      },
      [](const core::Group& g, size_t n) {
        return i18n::Format(P_("{}: {} lurker (joined, never active)",
                               "{}: {} lurkers (joined, never active)", static_cast<int64_t>(n)),
                            g.name, n);
      });

  auto top = std::make_shared<size_t>(10);
  EngagementReport(
      app, report, "core",
      _("core-member candidates: the most active members who are not admins yet"),
      [top](CLI::App* cmd) { cmd->add_option("--top", *top, _("how many (default 10)")); },
      [top](core::Reports& r, const std::string& g,
            int64_t as_of) -> Result<std::vector<core::Engagement>> {
        if (*top < 1) return Status::InvalidArgument(_("--top must be at least 1"));
        return r.CoreCandidates(g, as_of, *top);
      },
      [](const core::Group& g, size_t n) {
        return i18n::Format(P_("{}: {} candidate for volunteer admin",
                               "{}: {} candidates for volunteer admin", static_cast<int64_t>(n)),
                            g.name, n);
      });

  AddReferrals(app, report);
  AddHealth(app, report);
  AddActivityReport(app, report);
  AddExpiring(app, report);
  AddMatch(app);
}

}  // namespace qun::cli
