// Entry point of `qun`: parses the command line with CLI11, runs the chosen
// command, and turns its Status into a message and an exit code
// (docs/cli.md lists them).
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <clocale>
#include <iostream>

#include "base/text.h"
#include "cli/app.h"
#include "cli/output.h"
#include "core/home.h"

namespace qun::cli {

// Everything a command prints for people passes here, so that no text from
// elsewhere reaches the terminal with its control characters intact.
void App::Print(const std::string& s) const { std::cout << TerminalText(s) << std::flush; }

void App::PrintJson(const nlohmann::json& j) const {
  // Invalid UTF-8 cannot reach the store, so dump() never meets it; replace
  // rather than throw all the same.
  std::cout << EscapeJsonControls(j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace))
            << "\n"
            << std::flush;
}

static int Run(int argc, char** argv) {
  // Nearly everything qun writes holds personal data or keys: the database
  // and its -wal and -shm, exports, bundles, the check's scratch copy, logs
  // of a server. None of it is for other users of this computer, whatever
  // umask the shell has; a user who wants to share a file says so with
  // chmod.
  umask(077);
  // The language comes first: help texts are made as the commands are.
  std::optional<std::string> lang;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") break;
    if (a == "--lang" && i + 1 < argc) lang = argv[i + 1];
    if (a.rfind("--lang=", 0) == 0) lang = std::string(a.substr(7));
  }
  if (Status s = i18n::Init(lang); !s.ok()) {
    std::cerr << "qun: error: " << text::Printable(s.message()) << "\n";
    return s.exit_code();
  }
  App app;
  CLI::App& cli = app.cli;
  cli.require_subcommand(1);
  cli.fallthrough();
  cli.set_version_flag("--version", "qun 0.1.0");
  cli.add_option("--home", app.options.home,
                 "folder holding this node's data (default: $QUN_HOME, else "
                 "~/.local/share/qun)");
  cli.add_flag("--json", app.options.json, "print machine-readable JSON");
  cli.add_option(
      "--lang", lang,
      "language: zh (中文) or en (default: $QUN_LANG, else the locale, as LANG=zh_CN.UTF-8)");
  cli.footer(
      "Exit codes: 0 ok, 2 bad input, 3 not found, 4 conflict, 5 database busy, "
      "6 damaged file, 7 cannot read/write, 8 newer version, 9 import rejected, 10 bad "
      "signature, 11 peer unreachable, 12 refused (by a peer, or by the roles: not allowed).\n"
      "Docs: docs/cli.md");

  AddNodeCommands(app);
  AddGroupCommands(app);
  AddMemberCommands(app);
  AddTransferCommands(app);
  AddLogCommand(app);
  AddSyncCommands(app);
  AddNetCommands(app);
  AddAdminCommands(app);
  AddAdmissionCommands(app);
  AddActivityCommands(app);
  AddEventCommands(app);
  AddPollCommands(app);
  AddContentCommands(app);
  AddWarningCommands(app);
  AddReportCommands(app);
  AddCheckCommand(app);

  for (int i = 1; i < argc; ++i) {
    if (!text::IsValidUtf8(argv[i])) {
      std::cerr << fmt::format(
          "qun: error: argument {} is not valid UTF-8 text; check your terminal's encoding "
          "(it should be UTF-8) and type it again\n",
          i);
      return static_cast<int>(Status::Code::kInvalidArgument);
    }
  }

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    cli.exit(e);  // prints the message and usage
    return static_cast<int>(Status::Code::kInvalidArgument);
  }
  if (!app.action) return 0;

  Status s;
  try {
    s = app.action();
  } catch (const std::exception& e) {
    s = Status::Internal(fmt::format("unexpected failure: {}; please report this", e.what()));
  }
  if (s.ok()) return 0;
  if (app.options.json) {
    nlohmann::json err = {{"error", {{"code", s.code_name()}, {"message", s.message()}}}};
    std::cerr << EscapeJsonControls(
                     err.dump(2, ' ', false, nlohmann::json::error_handler_t::replace))
              << "\n";
  } else {
    // Messages quote names and values, which may come from other nodes.
    std::cerr << _("qun: error: ") << text::Printable(s.message()) << "\n";
  }
  return s.exit_code();
}

}  // namespace qun::cli

int main(int argc, char** argv) { return qun::cli::Run(argc, argv); }
