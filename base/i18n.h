// The language Qun speaks: English, or Simplified Chinese from the GNU
// gettext catalogs in po/ (compiled to <locale dir>/zh_CN/LC_MESSAGES/qun.mo
// at build time).
//
// Which one: `--lang zh|en` first, then QUN_LANG, then the locale's own
// variables as gettext reads them (LC_ALL, LC_MESSAGES, LANG): any zh_* is
// Chinese. The catalogs are found beside the binary, so a build works
// without being installed; QUN_LOCALEDIR names another folder.
//
// Marking: _("text") translates a message now; N_("text") only marks one
// for the catalog, for tables of messages translated where they are shown;
// P_("one {}", "{} things", n) chooses by number (one form in Chinese);
// C_("context", "text") is a short word whose Chinese depends on what it
// names ("active" is 在群 for a membership, 活跃 for an engagement level),
// and NC_ marks one for the catalog without translating.
// Messages are fmt format strings: their {} placeholders must match between
// the languages (tests/base/catalog_test.cc checks every one); format a
// translated one with i18n::Format(_("..."), values...). --json keys,
// exit codes and the text stored in the database never depend on the
// language.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace qun::i18n {

enum class Lang { kEn, kZh };

// Reads "zh", "zh_CN", "zh-Hans", "zh_TW.UTF-8", "en", "en_US"... ; none
// for anything else ("C", "fr").
std::optional<Lang> ParseLang(std::string_view text);

// Chooses the language (see above) and binds the catalogs. `flag` is the
// --lang value, when given; an unknown one is InvalidArgument. Call once,
// before any message is shown; calling again switches.
Status Init(const std::optional<std::string>& flag);
// The language chosen by Init; English before it.
Lang Current();

// The message in the current language; `msgid` itself in English or when
// the catalog lacks it.
const char* Tr(const char* msgid);

// `msgid` as meant in `context` (gettext's msgctxt), in the current
// language; `msgid` itself when the catalog lacks it.
const char* TrContext(const char* context, const char* msgid);

// The singular or plural message for `n`, in the current language.
const char* TrPlural(const char* singular, const char* plural, int64_t n);

// A translated fmt message with its values. The format string comes from
// the catalog at run time; its placeholders are the English ones (checked
// by tests/base/catalog_test.cc), so it cannot throw on a good catalog.
template <typename... Args>
std::string Format(const char* message, Args&&... args) {
  return fmt::format(fmt::runtime(message), std::forward<Args>(args)...);
}

// Where the catalogs are looked for: QUN_LOCALEDIR, else the first of
// <exe dir>/locale, <exe dir>/../locale and <exe dir>/../share/locale
// that holds qun's catalog.
std::string LocaleDir();

}  // namespace qun::i18n

#define _(msgid) ::qun::i18n::Tr(msgid)
#define N_(msgid) msgid
#define C_(context, msgid) ::qun::i18n::TrContext(context, msgid)
#define NC_(context, msgid) msgid
#define P_(singular, plural, n) ::qun::i18n::TrPlural(singular, plural, n)
