// `qun log [ID]`: who changed which field, from what to what, and when.
#include <fmt/format.h>

#include <map>

#include "base/i18n.h"
#include "base/text.h"
#include "cli/app.h"
#include "cli/log_text.h"
#include "cli/output.h"
#include "core/history.h"
#include "core/ids.h"
#include "core/oplog.h"

namespace qun::cli {

void AddLogCommand(App& app) {
  struct LogArgs {
    std::optional<std::string> ref;
    int64_t limit = 50;
  };
  auto args = std::make_shared<LogArgs>();
  CLI::App* log = app.cli.add_subcommand(
      "log", _("history of the whole community, or of one group, person or row"));
  log->add_option("ID", args->ref, _("a row id or prefix, a group or a person"));
  log->add_option("-n,--limit", args->limit, _("show at most this many changes (0: all)"))
      ->check(CLI::NonNegativeNumber);
  log->callback([&app, args] {
    app.action = [&app, args]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      std::optional<std::string> row;
      if (args->ref) {
        QUN_ASSIGN_OR_RETURN(row, node->registry->ResolveAnyRow(*args->ref));
      }
      QUN_ASSIGN_OR_RETURN(auto entries, core::ReadLog(node->store->db(), row, args->limit));
      if (app.options.json) {
        // Rows are named the way admins know them: a person's name, a group's
        // name, "张伟 @ 北京交流群" for a membership; in English, as stored.
        std::map<std::string, std::string> labels;
        auto label = [&](const core::LogEntry& e) -> std::string {
          auto [it, fresh] = labels.try_emplace(e.table + e.row_id);
          if (fresh) {
            auto l = core::RowLabel(node->store->db(), e.table, e.row_id);
            it->second = l.ok() && !l->empty() ? *l : core::ShortId(e.row_id);
          }
          return it->second;
        };
        nlohmann::json out = nlohmann::json::array();
        auto value_json = [](const Value& v) -> nlohmann::json {
          if (std::holds_alternative<std::monostate>(v)) return nullptr;
          if (auto* i = std::get_if<int64_t>(&v)) return *i;
          if (auto* d = std::get_if<double>(&v)) return *d;
          return ValueToDisplay(v);
        };
        for (const auto& e : entries)
          out.push_back({{"hlc", e.hlc.packed},
                         {"time_ms", e.hlc.physical_ms()},
                         {"author", e.author},
                         {"author_name", e.author_name},
                         {"seq", e.seq},
                         {"note", e.note},
                         {"table", e.table},
                         {"row_id", e.row_id},
                         {"record", label(e)},
                         {"field", e.column},
                         {"from", value_json(e.old_value)},
                         {"to", value_json(e.new_value)},
                         {"counts", e.counts}});
        app.PrintJson(out);
        return Status::Ok();
      }
      if (entries.empty()) {
        app.Print(_("No changes recorded.\n"));
        return Status::Ok();
      }
      Table t({_("WHEN"), _("WHO"), _("CHANGE"), _("RECORD"), _("FIELD"), _("FROM"), _("TO")});
      t.SetMaxWidth(5, 24);
      t.SetMaxWidth(6, 32);
      // For people: names, dates, the organizers' words (cli/log_text.h).
      LogWords words(node->store->db());
      for (const auto& e : entries) {
        std::string who = e.author_name.empty() ? core::ShortId(e.author)
                                                : e.author_name + " " + core::ShortId(e.author);
        // A refused change stays in the history but changes nothing.
        std::string change = ChangeName(e.note);
        if (!e.counts) change = i18n::Format(_("{} (does not count)"), change);
        ShownWrite w = words.Write(e);
        t.AddRow({FormatTime(static_cast<int64_t>(e.hlc.physical_ms())), who, change,
                  words.Record(e), w.field, w.from, w.to});
      }
      app.Print(t.Render());
      return Status::Ok();
    };
  });
}

}  // namespace qun::cli
