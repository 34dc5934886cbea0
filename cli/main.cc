// Entry point of `qun`: parses the command line with CLI11, runs the chosen
// command, and turns its Status into a message and an exit code
// (docs/cli.md lists them).
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <clocale>
#include <cstring>
#include <iostream>
#include <regex>

#include "base/text.h"
#include "cli/app.h"
#include "cli/argv.h"
#include "cli/output.h"
#include "core/home.h"
#include "core/ids.h"

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

namespace {

// CLI11's own words in help, in the chosen language. Set before the
// commands are made: they share the root's formatter, and copy its help
// flag and option group.
// CLI11's layout, with columns measured as a terminal shows them: a
// Chinese label takes two columns a character, not three bytes.
class Formatter : public CLI::Formatter {
 public:
  std::string make_option(const CLI::Option* opt, bool is_positional) const override {
    return Row(make_option_name(opt, is_positional) + make_option_opts(opt), make_option_desc(opt));
  }
  // A value's kind with its check ("TEXT:{csv,json}", "INT:NONNEGATIVE")
  // is not a label of its own: the kind is.
  std::string make_option_opts(const CLI::Option* opt) const override {
    std::string out = CLI::Formatter::make_option_opts(opt);
    for (const char* kind : {"TEXT", "INT", "UINT", "FLOAT"}) {
      const std::string from = std::string(" ") + kind + ":";
      for (size_t at = out.find(from); at != std::string::npos; at = out.find(from, at + 1))
        out.replace(at + 1, from.size() - 2, get_label(kind));
    }
    for (const char* range : {":FLOAT in ", ":INT in "})
      for (size_t at = out.find(range); at != std::string::npos; at = out.find(range))
        out.replace(at, std::strlen(range), " ");
    const std::string nonnegative = ":NONNEGATIVE";
    if (size_t at = out.find(nonnegative); at != std::string::npos)
      out.replace(at + 1, nonnegative.size() - 1, _("NONNEGATIVE"));
    return out;
  }
  std::string make_subcommand(const CLI::App* sub) const override {
    return Row(sub->get_display_name(), sub->get_description());
  }

 private:
  std::string Row(const std::string& name, const std::string& description) const {
    std::string out = "  " + name;
    size_t width = text::DisplayWidth(out);
    if (!description.empty()) {
      if (width >= column_width_)
        out += "\n" + std::string(column_width_, ' ');
      else
        out += std::string(column_width_ - width, ' ');
      for (char c : description) {
        out.push_back(c);
        if (c == '\n') out += std::string(column_width_, ' ');
      }
    }
    return out + "\n";
  }
};

void SpeakInHelp(CLI::App& cli) {
  auto f = std::make_shared<Formatter>();
  cli.formatter(f);
  f->label("Usage", _("Usage"));
  f->label("OPTIONS", C_("help", "OPTIONS"));
  f->label("SUBCOMMAND", _("COMMAND"));
  f->label("SUBCOMMANDS", _("COMMANDS"));
  f->label("Positionals", _("Arguments"));
  f->label("REQUIRED", _("REQUIRED"));
  f->label("TEXT", _("TEXT"));
  f->label("INT", _("NUMBER"));
  f->label("UINT", _("NUMBER"));
  f->label("FLOAT", _("NUMBER"));
  f->label("Env", _("Env"));
  f->label("Needs", _("Needs"));
  f->label("Excludes", _("Excludes"));
  f->column_width(34);
  cli.set_help_flag("-h,--help", _("show this help and exit"));
  cli.option_defaults()->group(_("Options"));
}

// The commands' heading in help, once every command is made.
void SubcommandsInHelp(CLI::App& app) {
  // A command's own help flag is made before it takes the root's defaults.
  for (CLI::Option* o : app.get_options())
    if (o->get_group() == "Options") o->group(_("Options"));
  for (CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_group() == "Subcommands") sub->group(_("Commands"));
    SubcommandsInHelp(*sub);
  }
}

// The deepest command the parser had reached.
const CLI::App* Reached(const CLI::App& root) {
  const CLI::App* at = &root;
  for (bool deeper = true; deeper;) {
    deeper = false;
    for (const CLI::App* sub : at->get_subcommands()) {
      at = sub;
      deeper = true;
      break;
    }
  }
  return at;
}

// Every option name of `app` and of the commands above it.
std::vector<std::string> OptionNames(const CLI::App* app) {
  std::vector<std::string> out;
  for (; app; app = app->get_parent())
    for (const CLI::Option* o : app->get_options())
      for (const std::string& n : o->get_lnames()) out.push_back("--" + n);
  return out;
}

// CLI11's refusal in the user's language, with "did you mean" for a
// mistyped option. The English keeps CLI11's own words for what it does
// not name.
Status ParseErrorStatus(const CLI::App& cli, const CLI::ParseError& e) {
  const CLI::App* at = Reached(cli);
  const std::string path = CommandPath(at);
  const std::string what = e.what();
  std::smatch m;
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
    static const std::regex kExtras("^The following arguments? (?:was|were) not expected: (.*)$");
    std::string extras = std::regex_match(what, m, kExtras) ? m[1].str() : what;
    // CLI11 names them last first; an option among them is the likely slip.
    std::vector<std::string> words;
    for (size_t at = 0; at <= extras.size();) {
      size_t end = std::min(extras.find(' ', at), extras.size());
      if (end > at) words.insert(words.begin(), extras.substr(at, end - at));
      at = end + 1;
    }
    std::string first;
    for (const std::string& w : words)
      if (w.size() > 1 && w[0] == '-') {
        first = w;
        break;
      }
    extras.clear();
    for (const std::string& w : words) extras += (extras.empty() ? "" : " ") + w;
    if (!first.empty()) {
      std::vector<std::string> near = Closest(first.substr(0, first.find('=')), OptionNames(at));
      if (!near.empty())
        return Status::InvalidArgument(
            i18n::Format(_("`{}` has no option {}; did you mean {}? (see `{} --help`)"), path,
                         first, near.front(), path));
      return Status::InvalidArgument(i18n::Format(
          _("`{}` has no option {} (see `{} --help` for its options)"), path, first, path));
    }
    return Status::InvalidArgument(i18n::Format(
        _("`{}` did not expect {}; see `{} --help` for what it takes (a value with spaces "
          "goes in quotes)"),
        path, extras, path));
  }
  if (dynamic_cast<const CLI::RequiredError*>(&e)) {
    static const std::regex kRequired("^(.*) is required$");
    if (std::regex_match(what, m, kRequired))
      return Status::InvalidArgument(
          i18n::Format(_("`{}` needs {} (see `{} --help`)"), path, m[1].str(), path));
  }
  if (dynamic_cast<const CLI::ConversionError*>(&e)) {
    static const std::regex kConvert("^Could not convert: (\\S+) = (.*)$");
    if (std::regex_match(what, m, kConvert))
      return Status::InvalidArgument(
          i18n::Format(_("{} takes a number, not {}"), m[1].str(), m[2].str()));
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e)) {
    static const std::regex kMissing("^(\\S+): \\d+ required \\S+ missing$");
    if (std::regex_match(what, m, kMissing))
      return Status::InvalidArgument(i18n::Format(_("{} needs a value after it"), m[1].str()));
  }
  return Status::InvalidArgument(i18n::Format(_("{} (see `{} --help`)"), what, path));
}

// For a name several people answer to: the command as typed, once for
// each of them, the name replaced by their id.
std::string CommandsForChoices(const std::vector<std::string>& args, const Status& s) {
  std::string out = _("To say which, run one of:");
  out += "\n";
  for (size_t i = 0; i < s.choices().size(); ++i) {
    // The word that is the name, else a word holding it (张伟，李娜).
    const bool whole = std::find(args.begin(), args.end(), s.typed()) != args.end();
    std::string line = "qun";
    for (const std::string& a : args) {
      std::string word = a;
      size_t at = word.find(s.typed());
      if (!s.typed().empty() && at != std::string::npos && (!whole || word == s.typed()))
        word.replace(at, s.typed().size(), core::ShortId(s.choices()[i]));
      bool plain = !word.empty() && word.find_first_of(" \t'\"\\$`") == std::string::npos;
      line += " " + (plain ? word : "'" + word + "'");
    }
    out += fmt::format("  {}. {}\n", i + 1, line);
  }
  return out;
}

}  // namespace

static int Run(int argc, char** argv) {
  // Nearly everything qun writes holds personal data or keys: the database
  // and its -wal and -shm, exports, bundles, the check's scratch copy, logs
  // of a server. None of it is for other users of this computer, whatever
  // umask the shell has; a user who wants to share a file says so with
  // chmod.
  umask(077);
  // The language comes first: help texts are made as the commands are.
  // --json output is for programs, and the same in every language: with
  // it, the messages inside (and errors) are English.
  std::optional<std::string> lang;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = AsOption(argv[i]).value_or(argv[i]);  // ——json is --json
    if (a == "--") break;
    if (a == "--lang" && i + 1 < argc) lang = argv[i + 1];
    if (a.rfind("--lang=", 0) == 0) lang = a.substr(7);
    if (a == "--json") json = true;
  }
  if (Status s = i18n::Init(lang); !s.ok()) {
    std::cerr << "qun: error: " << text::Printable(s.message()) << "\n";
    return s.exit_code();
  }
  if (json) (void)i18n::Init(std::string("en"));
  App app;
  CLI::App& cli = app.cli;
  SpeakInHelp(cli);
  cli.require_subcommand(1);
  cli.fallthrough();
  cli.set_version_flag("--version", "qun 0.1.0", _("show qun's version and exit"));
  cli.add_option("--home", app.options.home,
                 _("folder holding this node's data (default: $QUN_HOME, else "
                   "~/.local/share/qun)"));
  cli.add_flag("--json", app.options.json,
               _("print machine-readable JSON (the same in every language)"));
  cli.add_option(
      "--lang", lang,
      _("language: zh (中文) or en (default: $QUN_LANG, else the locale, as LANG=zh_CN.UTF-8)"));
  cli.footer(
      _("Exit codes: 0 ok, 2 bad input, 3 not found, 4 conflict, 5 database busy, "
        "6 damaged file, 7 cannot read/write, 8 newer version, 9 import rejected, 10 bad "
        "signature, 11 peer unreachable, 12 refused (by a peer, or by the roles: not allowed).\n"
        "Docs: docs/cli.md"));

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
      std::cerr << _("qun: error: ")
                << i18n::Format(_("argument {} is not valid UTF-8 text; check your terminal's "
                                  "encoding (it should be UTF-8) and type it again"),
                                i)
                << "\n";
      return static_cast<int>(Status::Code::kInvalidArgument);
    }
  }
  SubcommandsInHelp(cli);

  const std::vector<std::string> args =
      NormalizeArgs(cli, std::vector<std::string>(argv + 1, argv + argc));
  Status s = CheckCommandWords(cli, args);
  if (s.ok()) {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them so
    try {
      cli.parse(std::move(reversed));
    } catch (const CLI::CallForHelp& e) {
      return cli.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
      return cli.exit(e);
    } catch (const CLI::CallForVersion& e) {
      return cli.exit(e);
    } catch (const CLI::ParseError& e) {
      s = ParseErrorStatus(cli, e);
    }
  }
  if (s.ok() && app.action) {
    try {
      s = app.action();
    } catch (const std::exception& e) {
      s = Status::Internal(fmt::format("unexpected failure: {}; please report this", e.what()));
    }
  }
  if (s.ok()) return 0;
  if (app.options.json) {
    nlohmann::json err = {{"error", {{"code", s.code_name()}, {"message", s.message()}}}};
    if (!s.choices().empty()) err["error"]["choices"] = s.choices();
    std::cerr << EscapeJsonControls(
                     err.dump(2, ' ', false, nlohmann::json::error_handler_t::replace))
              << "\n";
  } else {
    // Messages quote names and values, which may come from other nodes.
    std::cerr << _("qun: error: ") << text::Printable(s.message()) << "\n";
    if (!s.choices().empty()) std::cerr << text::Printable(CommandsForChoices(args, s));
  }
  return s.exit_code();
}

}  // namespace qun::cli

int main(int argc, char** argv) { return qun::cli::Run(argc, argv); }
