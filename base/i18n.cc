#include "base/i18n.h"

#include <fmt/format.h>
#include <libintl.h>
#include <unistd.h>

#include <clocale>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

namespace qun::i18n {
namespace {

constexpr char kDomain[] = "qun";
Lang g_lang = Lang::kEn;

std::string ExeDir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return ".";
  return exe.parent_path().string();
}

bool HoldsCatalog(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir / "zh_CN" / "LC_MESSAGES" / "qun.mo", ec);
}

// The first of the locale variables gettext reads that is set and not
// empty: LC_ALL, LC_MESSAGES, LANG.
std::optional<Lang> FromLocale() {
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* v = std::getenv(name);
    if (v && *v) return ParseLang(v).value_or(Lang::kEn);
  }
  return std::nullopt;
}

}  // namespace

std::optional<Lang> ParseLang(std::string_view text) {
  auto starts = [&](std::string_view p) {
    return text.size() >= p.size() && strncasecmp(text.data(), p.data(), p.size()) == 0 &&
           (text.size() == p.size() || text[p.size()] == '_' || text[p.size()] == '-' ||
            text[p.size()] == '.' || text[p.size()] == '@');
  };
  if (starts("zh")) return Lang::kZh;
  if (starts("en")) return Lang::kEn;
  return std::nullopt;
}

std::string LocaleDir() {
  if (const char* d = std::getenv("QUN_LOCALEDIR"); d && *d) return d;
  std::filesystem::path exe = ExeDir();
  for (const auto& dir : {exe / "locale", exe / ".." / "locale", exe / ".." / "share" / "locale"})
    if (HoldsCatalog(dir)) return std::filesystem::weakly_canonical(dir).string();
  return (exe / "locale").string();
}

Status Init(const std::optional<std::string>& flag) {
  Lang lang = Lang::kEn;
  if (flag) {
    std::optional<Lang> l = ParseLang(*flag);
    if (!l)
      return Status::InvalidArgument(fmt::format(
          "--lang {}: Qun speaks zh (中文) and en (English); write --lang zh or --lang en", *flag));
    lang = *l;
  } else if (const char* q = std::getenv("QUN_LANG"); q && *q) {
    std::optional<Lang> l = ParseLang(q);
    if (!l)
      return Status::InvalidArgument(fmt::format(
          "QUN_LANG={}: Qun speaks zh (中文) and en (English); set QUN_LANG=zh or QUN_LANG=en", q));
    lang = *l;
  } else if (std::optional<Lang> l = FromLocale()) {
    lang = *l;
  }
  g_lang = lang;
  if (lang == Lang::kEn) return Status::Ok();
  // gettext ignores LANGUAGE under the "C" locale, and a machine may not
  // have zh_CN.UTF-8 generated: C.UTF-8 is always there and is enough,
  // since only messages are translated (numbers and dates are formatted by
  // Qun itself).
  const char* current = std::setlocale(LC_MESSAGES, "");
  if (!current || std::strcmp(current, "C") == 0 || std::strcmp(current, "POSIX") == 0)
    std::setlocale(LC_MESSAGES, "C.UTF-8");
  setenv("LANGUAGE", "zh_CN", 1);
  bindtextdomain(kDomain, LocaleDir().c_str());
  bind_textdomain_codeset(kDomain, "UTF-8");
  return Status::Ok();
}

Lang Current() { return g_lang; }

const char* Tr(const char* msgid) {
  if (g_lang == Lang::kEn || !msgid || !*msgid) return msgid;
  return dgettext(kDomain, msgid);
}

const char* TrContext(const char* context, const char* msgid) {
  if (g_lang == Lang::kEn || !msgid || !*msgid) return msgid;
  // The catalog keys a message with a context as "context\004msgid"; a
  // missing one comes back as the key itself.
  thread_local std::string key;
  key = std::string(context) + '\004' + msgid;
  const char* found = dgettext(kDomain, key.c_str());
  return found == key.c_str() ? msgid : found;
}

const char* TrPlural(const char* singular, const char* plural, int64_t n) {
  if (g_lang == Lang::kEn) return n == 1 ? singular : plural;
  return dngettext(kDomain, singular, plural, static_cast<unsigned long>(n < 0 ? -n : n));
}

}  // namespace qun::i18n
