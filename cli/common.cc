// Helpers shared by the command files: reading and writing files, records
// to JSON, fees.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "base/dates.h"
#include "base/text.h"
#include "cli/app.h"
#include "cli/output.h"

namespace qun::cli {

using nlohmann::json;

Result<std::string> ReadInput(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return Status::InvalidArgument(
        i18n::Format(_("{} is a folder; give the path of a .csv file inside it"), path));
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::NotFound(
        i18n::Format(_("cannot open {}: {}; check the file name"), path, strerror(errno)));
  try {
    // Read at the file's size, not grown as it goes: a big sheet would take
    // twice its size or more while the string doubles.
    std::string bytes;
    if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      bytes.resize(static_cast<size_t>(st.st_size));
      in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      bytes.resize(static_cast<size_t>(in.gcount()));
      if (in.eof()) in.clear();  // the file shrank while being read
      // Whatever was appended since the size was taken.
      bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } else {
      bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (!in.bad()) return bytes;
  } catch (const std::exception&) {
    // libstdc++ reports read errors from the stream buffer by throwing.
  }
  return Status::IOError(
      i18n::Format(_("reading {} failed: {}; check the file and the disk"), path, strerror(errno)));
}

// Writes next to the target and renames, so an interrupted export never
// leaves a half-written file where a good one was.
Status WriteOutput(const std::string& path, const std::string& bytes) {
  if (path.empty() || path == "-") {
    // On a terminal a person reads it, so controls are shown, not obeyed;
    // into a pipe or a file it goes byte for byte.
    std::cout << (StdoutIsTerminal() ? text::Printable(bytes) : bytes) << std::flush;
    return std::cout ? Status::Ok() : Status::IOError(_("writing to standard output failed"));
  }
  std::string tmp = path + ".qun-tmp";
  {
    // Exports hold names and phones: readable by this user only, whatever
    // the umask (a file left over from an interrupted export included).
    std::remove(tmp.c_str());
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
      return Status::IOError(i18n::Format(_("cannot write {}: {}; choose another file with -o"),
                                          path, strerror(errno)));
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    bool ok = done == bytes.size();
    if (close(fd) != 0) ok = false;
    if (!ok) {
      std::remove(tmp.c_str());
      return Status::IOError(i18n::Format(_("writing {} failed; check free disk space"), path));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::IOError(i18n::Format(_("cannot write {}: {}"), path, strerror(errno)));
  }
  return Status::Ok();
}

std::string FormatFee(int64_t cents) {
  if (cents % 100 == 0) return std::to_string(cents / 100);
  return fmt::format("{}.{:02}", cents / 100, cents % 100);
}

Result<int64_t> ParseFee(const std::string& typed) {
  const std::string s = text::FoldWidth(typed);  // ４９．９０
  auto bad = [&] {
    return Status::InvalidArgument(i18n::Format(
        _("'{}' is not a fee; write an amount like 50 or 49.90 (no currency sign)"), s));
  };
  if (s.empty()) return bad();
  int64_t whole = 0, frac = 0;
  int frac_digits = -1;
  for (char c : s) {
    if (c == '.') {
      if (frac_digits >= 0) return bad();
      frac_digits = 0;
    } else if (c >= '0' && c <= '9') {
      if (frac_digits < 0) {
        if (whole > 1'000'000'000) return bad();
        whole = whole * 10 + (c - '0');
      } else {
        if (++frac_digits > 2) return bad();
        frac = frac * 10 + (c - '0');
      }
    } else {
      return bad();
    }
  }
  bool has_digit = s.find_first_of("0123456789") != std::string::npos;
  if (!has_digit) return bad();
  if (frac_digits == 1) frac *= 10;
  return whole * 100 + frac;
}

std::string HandlesText(const core::Person& p, const std::string& kind) {
  std::string out;
  for (const auto& h : p.handles)
    if (h.kind == kind) out += (out.empty() ? "" : ";") + h.value;
  return out;
}

std::string JoinTags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) out += (out.empty() ? "" : ";") + t;
  return out;
}

json GroupJson(const core::Group& g) {
  return {
      {"id", g.id},
      {"name", g.name},
      {"kind", g.kind},
      {"platform", g.platform},
      {"handle", g.handle},
      {"capacity", g.capacity},
      {"active_members", g.active_members},
      {"admission", g.admission},
      {"fee", FormatFee(g.fee_cents)},
      {"rules", g.rules},
      {"intro_template", g.intro_template},
      {"questions", g.questions},
      {"nickname_pattern", g.nickname_pattern},
      {"warning_limit", g.warning_limit},
      {"levels",
       {{"window_days", g.level_window_days}, {"core", g.level_core}, {"active", g.level_active}}},
      {"status", g.status},
      {"created_at", g.created_at},
      {"updated_at", g.updated_at}};
}

json PersonJson(const core::Person& p) {
  json handles = json::object();
  for (const auto& kind : core::kHandleKinds) handles[kind] = json::array();
  for (const auto& h : p.handles) handles[h.kind].push_back(h.value);
  return {{"id", p.id},
          {"display_name", p.display_name},
          {"nickname", p.nickname},
          {"handles", handles},
          {"city", p.city},
          {"tags", p.tags},
          {"intro", p.intro},
          {"needs", p.needs},
          {"offers", p.offers},
          {"referred_by", p.referred_by},
          {"notes", p.notes},
          {"created_at", p.created_at},
          {"updated_at", p.updated_at}};
}

json MembershipJson(const core::Membership& m) {
  return {{"id", m.id},
          {"group_id", m.group_id},
          {"group", m.group_name},
          {"person_id", m.person_id},
          {"person", m.person_name},
          {"role", m.role},
          {"status", m.status},
          {"joined_at", m.joined_at},
          {"invited_by", m.invited_by},
          {"nickname", m.nickname},
          {"intro", m.intro},
          {"paid_until", m.paid_until},
          {"status_at", m.status_at}};
}

std::optional<bool> AskYesNo(const App& app, const std::string& question) {
  if (app.options.json || isatty(STDIN_FILENO) != 1 || isatty(STDERR_FILENO) != 1)
    return std::nullopt;
  std::cerr << question << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  answer = text::AsciiLower(text::Trim(answer));
  return answer == "y" || answer == "yes";
}

namespace {

void EchoWhen(const core::When& w) {
  std::string echo = core::Echo(w);
  if (!echo.empty()) std::cerr << "qun: " << text::Printable(echo) << "\n";
}

int MinuteOfDay(int64_t now_ms) {
  int64_t since_midnight = now_ms - core::LocalMidnightMs(core::LocalDay(now_ms));
  return static_cast<int>(since_midnight / 60000);
}

}  // namespace

Result<int64_t> DayArg(const std::string& text, int64_t now_ms, core::Lean lean,
                       std::string_view flag) {
  core::When w;
  auto day = core::ParseDay(text, core::LocalDay(now_ms), lean, &w);
  if (!day.ok()) return day.status().WithContext(std::string(flag));
  EchoWhen(w);
  return *day;
}

Result<int64_t> TimeArg(const std::string& text, int64_t now_ms, core::Lean lean,
                        std::string_view flag, std::optional<int64_t> time_alone_day) {
  auto w = core::ParseWhen(text, core::LocalDay(now_ms), lean, MinuteOfDay(now_ms));
  if (!w.ok()) return w.status().WithContext(std::string(flag));
  if (!w->dated && time_alone_day) {
    w->day = *time_alone_day;
    w->inferred = false;  // the day the user meant, nothing to echo
  }
  EchoWhen(*w);
  return core::LocalMs(*w);
}

}  // namespace qun::cli
