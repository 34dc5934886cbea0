#include "cli/argv.h"

#include <algorithm>

#include "base/i18n.h"
#include "base/text.h"

namespace qun::cli {
namespace {

bool IsDashLike(char32_t c) {
  return c == '-' || c == 0x2014 /* — */ || c == 0x2013 /* – */ || c == 0x2012 ||
         c == 0x2212 /* − */ || c == 0xFF0D /* － */ || c == 0x2015 /* ― */;
}

bool IsOptionNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool IsNumberOption(const CLI::Option* opt) {
  std::string t = opt->get_type_name();
  return t == "INT" || t == "UINT" || t == "FLOAT" || t == "NUMBER" || t == "INT:INT";
}

// The option `name` ("--plus", "-h") of `app` or of the commands above it
// (global options fall through).
const CLI::Option* FindOption(const CLI::App* app, const std::string& name) {
  for (; app; app = app->get_parent()) {
    if (const CLI::Option* o = app->get_option_no_throw(name)) return o;
  }
  return nullptr;
}

const CLI::App* SubcommandNamed(const CLI::App* app, const std::string& word) {
  for (const CLI::App* sub : const_cast<CLI::App*>(app)->get_subcommands({}))
    if (sub->check_name(word)) return sub;
  return nullptr;
}

std::vector<std::string> SubcommandNames(const CLI::App* app) {
  std::vector<std::string> out;
  for (const CLI::App* sub : const_cast<CLI::App*>(app)->get_subcommands({}))
    if (!sub->get_name().empty() && !sub->get_group().empty()) out.push_back(sub->get_name());
  return out;
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

bool IsHan(char32_t c) {
  return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x3134F) || c == 0x00B7 /* · in 阿卜杜·热合曼 */;
}

}  // namespace

std::string CommandPath(const CLI::App* app) {
  std::string path;
  for (; app; app = app->get_parent()) path = app->get_name() + (path.empty() ? "" : " " + path);
  return path;
}

std::optional<std::string> AsOption(const std::string& token) {
  std::u32string cps = text::CodePoints(token);
  size_t dashes = 0;
  bool foreign = false;
  while (dashes < cps.size() && IsDashLike(cps[dashes])) {
    foreign |= cps[dashes] != '-';
    ++dashes;
  }
  if (dashes == 0 || dashes == cps.size()) return std::nullopt;
  std::string rest;
  for (size_t i = dashes; i < cps.size(); ++i) text::AppendUtf8(cps[i], rest);
  std::string folded = text::FoldWidth(rest);
  foreign |= folded != rest;
  if (!foreign) return std::nullopt;
  // The option's name ends at '='; what follows is a value, kept as typed.
  size_t eq = folded.find('=');
  std::string name = folded.substr(0, eq);
  if (name.empty() || !std::all_of(name.begin(), name.end(), IsOptionNameChar)) return std::nullopt;
  std::string out = (name.size() == 1 ? "-" : "--") + name;
  if (eq != std::string::npos) {
    // The value as typed: after the first '=' or '＝' of the original text.
    size_t at = rest.find('=');
    size_t wide = rest.find("\xEF\xBC\x9D");  // ＝
    if (wide != std::string::npos && (at == std::string::npos || wide < at))
      out += "=" + rest.substr(wide + 3);
    else
      out += "=" + rest.substr(at + 1);
  }
  return out;
}

std::vector<std::string> NormalizeArgs(const CLI::App& root, std::vector<std::string> args) {
  const CLI::App* at = &root;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string& a = args[i];
    if (a == "--") break;
    if (std::optional<std::string> opt = AsOption(a)) a = *opt;
    if (a.size() > 1 && a[0] == '-') {
      size_t eq = a.find('=');
      const CLI::Option* o = FindOption(at, a.substr(0, eq));
      if (!o || o->get_items_expected_max() == 0) continue;
      if (eq != std::string::npos) {
        if (IsNumberOption(o)) a = a.substr(0, eq + 1) + text::FoldWidth(a.substr(eq + 1));
      } else if (i + 1 < args.size()) {
        ++i;
        if (IsNumberOption(o)) args[i] = text::FoldWidth(args[i]);
      }
      continue;
    }
    // A command word typed in full-width letters is still that command.
    std::string folded = text::FoldWidth(a);
    if (const CLI::App* sub = SubcommandNamed(at, folded)) {
      a = folded;
      at = sub;
    }
  }
  return args;
}

Status CheckCommandWords(const CLI::App& root, const std::vector<std::string>& args) {
  const CLI::App* at = &root;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (a == "-h" || a == "--help" || a == "--version") return Status::Ok();
    if (a.size() > 1 && a[0] == '-') {
      const CLI::Option* o = FindOption(at, a.substr(0, a.find('=')));
      if (o && o->get_items_expected_max() > 0 && a.find('=') == std::string::npos) ++i;
      continue;
    }
    if (const CLI::App* sub = SubcommandNamed(at, a)) {
      at = sub;
      continue;
    }
    std::vector<std::string> names = SubcommandNames(at);
    if (names.empty() || at->get_require_subcommand_min() == 0) return Status::Ok();
    std::vector<std::string> near = Closest(a, names);
    if (near.empty())
      return Status::InvalidArgument(
          i18n::Format(_("`{}` is not a command of `{}`; its commands are: {} (see `{} --help`)"),
                       a, CommandPath(at), Joined(names), CommandPath(at)));
    return Status::InvalidArgument(i18n::Format(
        _("`{}` is not a command of `{}`; did you mean {}? (all of them: `{} --help`)"), a,
        CommandPath(at), Joined([&] {
          std::vector<std::string> quoted;
          for (const std::string& n : near) quoted.push_back("`" + CommandPath(at) + " " + n + "`");
          return quoted;
        }()),
        CommandPath(at)));
  }
  if (at->get_require_subcommand_min() > 0) {
    std::vector<std::string> names = SubcommandNames(at);
    if (!names.empty())
      return Status::InvalidArgument(i18n::Format(_("`{}` needs a command: {} (see `{} --help`)"),
                                                  CommandPath(at), Joined(names), CommandPath(at)));
  }
  return Status::Ok();
}

std::vector<std::string> SplitList(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& v : values) {
    std::u32string cps = text::CodePoints(v);
    std::string item;
    auto flush = [&] {
      std::string t = text::Trim(item);
      if (!t.empty()) out.push_back(t);
      item.clear();
    };
    for (size_t i = 0; i < cps.size(); ++i) {
      char32_t c = cps[i];
      bool sep = c == 0xFF0C /* ， */ || c == 0x3001 /* 、 */ || c == 0xFF1B /* ； */ || c == ',' ||
                 c == ';' || c == 0x3000 || c == '\n' || c == '\t';
      if (c == ' ') {
        // Between two Chinese names, a space parts them; in "Zhang Wei" it
        // is part of the name.
        size_t before = i, after = i;
        while (before > 0 && cps[before - 1] == ' ') --before;
        while (after + 1 < cps.size() && cps[after + 1] == ' ') ++after;
        sep =
            before > 0 && after + 1 < cps.size() && IsHan(cps[before - 1]) && IsHan(cps[after + 1]);
      }
      if (sep)
        flush();
      else
        text::AppendUtf8(c, item);
    }
    flush();
  }
  return out;
}

std::vector<std::string> Closest(const std::string& typed,
                                 const std::vector<std::string>& candidates) {
  std::u32string t = text::CodePoints(text::AsciiLower(text::FoldWidth(typed)));
  std::vector<std::pair<size_t, std::string>> scored;
  for (const std::string& c : candidates) {
    std::u32string n = text::CodePoints(text::AsciiLower(c));
    size_t d = text::EditDistance(t, n);
    // A word begun is as good as one letter wrong.
    if (t.size() >= 2 && n.compare(0, t.size(), t) == 0) d = std::min<size_t>(d, 1);
    size_t limit = std::max<size_t>(1, std::min(t.size(), n.size()) / 3);
    if (d <= limit) scored.emplace_back(d, c);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (const auto& s : scored) {
    if (out.size() == 3) break;
    out.push_back(s.second);
  }
  return out;
}

}  // namespace qun::cli
