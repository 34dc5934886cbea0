// `qun import members` and `qun export members|groups|memberships`.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "base/csv.h"
#include "base/encoding.h"
#include "base/i18n.h"
#include "cli/app.h"
#include "cli/output.h"
#include "community/member_import.h"
#include "core/ids.h"

namespace qun::cli {
namespace {

struct Sheet {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  nlohmann::json json = nlohmann::json::array();
};

Result<Sheet> MembersSheet(core::Registry& reg) {
  Sheet s;
  s.header = core::MemberColumns();
  QUN_ASSIGN_OR_RETURN(auto people, reg.ListPeople({}));
  Progress progress(_("Exporting"), static_cast<int64_t>(people.size()));
  int64_t i = 0;
  for (const auto& p : people) {
    progress.Update(++i);
    s.rows.push_back({p.id, p.display_name, p.nickname, HandlesText(p, "wechat"),
                      HandlesText(p, "phone"), HandlesText(p, "email"), p.city, JoinTags(p.tags),
                      p.intro, p.needs, p.offers, p.referred_by, p.notes});
    s.json.push_back(PersonJson(p));
  }
  return s;
}

Result<Sheet> GroupsSheet(core::Registry& reg) {
  Sheet s;
  s.header = {"id",        "name", "kind",  "platform",       "handle", "capacity",
              "admission", "fee",  "rules", "intro_template", "status", "created_at"};
  QUN_ASSIGN_OR_RETURN(auto groups, reg.ListGroups(true));
  for (const auto& g : groups) {
    s.rows.push_back({g.id, g.name, g.kind, g.platform, g.handle, std::to_string(g.capacity),
                      g.admission, FormatFee(g.fee_cents), g.rules, g.intro_template, g.status,
                      FormatTime(g.created_at)});
    s.json.push_back(GroupJson(g));
  }
  return s;
}

Result<Sheet> MembershipsSheet(core::Registry& reg) {
  Sheet s;
  s.header = {"id",   "group_id", "group",     "person_id", "person",
              "role", "status",   "joined_at", "invited_by"};
  QUN_ASSIGN_OR_RETURN(auto ms, reg.ListMemberships({}));
  for (const auto& m : ms) {
    s.rows.push_back({m.id, m.group_id, m.group_name, m.person_id, m.person_name, m.role, m.status,
                      FormatTime(m.joined_at), m.invited_by});
    s.json.push_back(MembershipJson(m));
  }
  return s;
}

}  // namespace

void AddTransferCommands(App& app) {
  // ---- import
  CLI::App* imports = app.cli.add_subcommand("import", _("bring records in from a spreadsheet"));
  imports->require_subcommand(1);
  {
    struct ImportArgs {
      std::string file;
      std::optional<std::string> group, encoding;
      std::string role = "member";
      bool skip_bad = false, dry_run = false;
    };
    auto args = std::make_shared<ImportArgs>();
    CLI::App* members = imports->add_subcommand(
        "members", _("import people from a CSV file (UTF-8 or GB18030, as Excel or WPS saves it)"));
    members->add_option("FILE", args->file, _("the CSV file, or - for standard input"))->required();
    {
      std::string columns =
          _("Columns, found by their header in any order (the last two need --group):\n");
      for (const auto& [column, others] : core::MemberColumnHeaders())
        columns += others.empty() ? fmt::format("  {}\n", column)
                                  : fmt::format("  {:<13}{}\n", column, fmt::join(others, ", "));
      members->footer(columns);
    }
    members->add_option("--group", args->group, _("also add everyone to this group"));
    members->add_option("--role", args->role, _("their role in --group (default member)"));
    members->add_flag("--skip-bad", args->skip_bad,
                      _("import the good rows even when some are rejected"));
    members->add_flag("--dry-run", args->dry_run, _("check the file and report; change nothing"));
    members->add_option("--encoding", args->encoding,
                        _("the file's encoding when detection is wrong: utf-8 or gb18030"));
    members->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Registry& reg = *node->registry;
        core::ImportOptions opts;
        if (args->group) {
          QUN_RETURN_IF_ERROR(core::CheckEnum("role", args->role, core::kMemberRoles));
          QUN_ASSIGN_OR_RETURN(opts.group_id, reg.ResolveGroup(*args->group));
        }
        opts.role = args->role;
        if (args->encoding) {
          QUN_ASSIGN_OR_RETURN(opts.encoding, encoding::Parse(*args->encoding));
        }
        opts.skip_bad = args->skip_bad;
        opts.dry_run = args->dry_run;
        opts.note = "import members " + args->file;
        QUN_ASSIGN_OR_RETURN(std::string bytes, ReadInput(args->file));
        std::unique_ptr<Progress> bar;
        opts.progress = [&bar](int64_t done, int64_t total) {
          if (!bar) bar = std::make_unique<Progress>(_("Importing"), total);
          bar->Update(done);
        };
        core::ImportReport report;
        Status s = core::ImportMembers(*node->store, reg, node->identity->public_key(), bytes, opts,
                                       &report);
        if (bar) bar->Finish();
        if (!s.ok() && s.code() != Status::Code::kRejected) return s;
        if (app.options.json) {
          nlohmann::json rejected = nlohmann::json::array();
          for (const auto& r : report.rejections)
            rejected.push_back(
                {{"line", r.line}, {"reason", r.reason}, {"row_imported", r.row_imported}});
          app.PrintJson({{"file", args->file},
                         {"encoding", report.encoding},
                         {"rows", report.rows},
                         {"imported", report.imported},
                         {"updated", report.updated},
                         {"unchanged", report.unchanged},
                         {"joined_group", report.joined},
                         {"join_dates", report.join_dates},
                         {"activity_days", report.activity_days},
                         {"notices", report.notices},
                         {"rejected", report.rejected_rows()},
                         {"rejections", rejected},
                         {"ignored_columns", report.ignored_columns},
                         {"written", report.written}});
        } else {
          std::string out;
          for (const auto& r : report.rejections)
            out += i18n::Format(_("line {}: {}\n"), r.line, r.reason);
          for (const auto& c : report.ignored_columns)
            out += i18n::Format(_("note: column '{}' is not a Qun field and was ignored\n"), c);
          for (const auto& n : report.notices) out += i18n::Format(_("note: {}\n"), n);
          if (!report.written)
            out += args->dry_run ? _("Dry run, nothing written: ") : _("Nothing written: ");
          out += i18n::Format(_("{} ({}): {} imported, {} updated, {} unchanged, {} rejected"),
                              args->file, report.encoding, report.imported, report.updated,
                              report.unchanged, report.rejected_rows());
          if (opts.group_id) out += i18n::Format(_(", {} added to the group"), report.joined);
          out += "\n";
          if (report.join_dates)
            out += i18n::Format(P_("{} join date taken from the sheet\n",
                                   "{} join dates taken from the sheet\n", report.join_dates),
                                report.join_dates);
          if (report.activity_days)
            out +=
                i18n::Format(P_("{} last-active day recorded as activity\n",
                                "{} last-active days recorded as activity\n", report.activity_days),
                             report.activity_days);
          app.Print(out);
        }
        return s;
      };
    });
  }

  // ---- export
  CLI::App* exp = app.cli.add_subcommand("export", _("write records out as CSV or JSON"));
  exp->require_subcommand(1);
  struct ExportArgs {
    std::string format = "csv";
    std::string output;
    bool no_bom = false;
  };
  auto add_export = [&app, exp](const char* what, const char* help,
                                Result<Sheet> (*build)(core::Registry&)) {
    auto args = std::make_shared<ExportArgs>();
    CLI::App* cmd = exp->add_subcommand(what, help);
    cmd->add_option("--format", args->format, _("csv (default) or json"))
        ->check(CLI::IsMember({"csv", "json"}));
    cmd->add_option("-o,--output", args->output,
                    _("write to this file (default: standard output)"));
    cmd->add_flag("--no-bom", args->no_bom,
                  _("leave out the UTF-8 byte-order mark that Excel needs (for scripts)"));
    cmd->callback([&app, args, build] {
      app.action = [&app, args, build]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        QUN_ASSIGN_OR_RETURN(Sheet sheet, build(*node->registry));
        std::string bytes;
        if (args->format == "json" || app.options.json) {
          bytes = EscapeJsonControls(
                      sheet.json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)) +
                  "\n";
        } else {
          if (!args->no_bom) bytes = "\xEF\xBB\xBF";
          bytes += csv::FormatRecord(sheet.header);
          // Every cell, for spreadsheets: `qun import members` restores them.
          std::vector<std::string> cells;
          for (const auto& row : sheet.rows) {
            cells.clear();
            for (const auto& v : row) cells.push_back(csv::DefuseFormula(v));
            bytes += csv::FormatRecord(cells);
          }
        }
        QUN_RETURN_IF_ERROR(WriteOutput(args->output, bytes));
        if (!args->output.empty() && args->output != "-")
          std::cerr << i18n::Format(_("Wrote {} rows to {}\n"), sheet.rows.size(), args->output);
        return Status::Ok();
      };
    });
  };
  add_export("members", _("people, one row each, with a stable id column"), &MembersSheet);
  add_export("groups", _("groups, including archived ones"), &GroupsSheet);
  add_export("memberships", _("who is in which group, with role and status"), &MembershipsSheet);
}

}  // namespace qun::cli
