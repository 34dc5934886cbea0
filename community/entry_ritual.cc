#include "community/entry_ritual.h"

#include <algorithm>

#include "base/i18n.h"
#include "base/text.h"

namespace qun::core {
namespace {

// Separators a convention may use, each with the forms people type for it
// (full-width on Chinese keyboards, dashes that autocorrect produces).
const std::vector<std::vector<std::string_view>>& SeparatorFamilies() {
  static const std::vector<std::vector<std::string_view>> kFamilies = {
      {"-", "－", "—", "–"}, {"_", "＿"}, {"|", "｜"}, {"/", "／"},
      {"·", "•", "・"},      {"+", "＋"}, {" ", "　"},
  };
  return kFamilies;
}

const std::vector<std::string_view>* FamilyOf(std::string_view sep) {
  for (const auto& f : SeparatorFamilies())
    for (std::string_view s : f)
      if (s == sep) return &f;
  return nullptr;
}

// Splits `s` at every occurrence of any of `seps`.
std::vector<std::string> SplitAny(std::string_view s, const std::vector<std::string_view>& seps) {
  std::vector<std::string> out;
  std::string cur;
  size_t i = 0;
  while (i < s.size()) {
    bool cut = false;
    for (std::string_view sep : seps)
      if (s.substr(i, sep.size()) == sep) {
        out.push_back(cur);
        cur.clear();
        i += sep.size();
        cut = true;
        break;
      }
    if (!cut) cur += s[i++];
  }
  out.push_back(cur);
  return out;
}

}  // namespace

std::optional<NicknamePattern> ParseNicknamePattern(std::string_view pattern_in) {
  std::string pattern = text::Trim(pattern_in);
  for (const auto& family : SeparatorFamilies())
    for (std::string_view sep : family) {
      if (pattern.find(sep) == std::string::npos) continue;
      std::vector<std::string_view> one = {sep};
      std::vector<std::string> parts = SplitAny(pattern, one);
      if (parts.size() < 2) continue;
      NicknamePattern p;
      p.separator = std::string(sep);
      for (auto& part : parts) {
        std::string t = text::Trim(part);
        if (t.empty()) return std::nullopt;
        p.parts.push_back(t);
      }
      return p;
    }
  return std::nullopt;
}

std::string NicknameProblem(const NicknamePattern& pattern, std::string_view nickname_in) {
  std::string nickname = text::Trim(nickname_in);
  std::string convention;
  for (size_t i = 0; i < pattern.parts.size(); ++i)
    convention += (i ? pattern.separator : "") + pattern.parts[i];
  if (nickname.empty()) return _("no nickname");
  const std::vector<std::string_view>* family = FamilyOf(pattern.separator);
  std::vector<std::string_view> seps;
  if (family) seps = *family;
  if (seps.empty()) seps.push_back(pattern.separator);
  std::vector<std::string> parts = SplitAny(nickname, seps);
  if (parts.size() != pattern.parts.size())
    return i18n::Format(P_("{} part instead of {}: {}", "{} parts instead of {}: {}",
                           static_cast<int64_t>(parts.size())),
                        parts.size(), pattern.parts.size(), convention);
  for (size_t i = 0; i < parts.size(); ++i)
    if (text::Trim(parts[i]).empty())
      return i18n::Format(_("part {} ({}) is empty: {}"), i + 1, pattern.parts[i], convention);
  return "";
}

std::vector<std::string> TemplateHeadings(std::string_view tmpl) {
  std::vector<std::string> with_colon, lines;
  for (std::string_view line : text::SplitLines(tmpl)) {
    std::string l = text::Trim(line);
    if (l.empty()) continue;
    lines.push_back(l);
    size_t ascii = l.find(':');
    size_t wide = l.find("：");
    size_t at = std::min(ascii, wide);
    if (at != std::string::npos && at > 0) with_colon.push_back(text::Trim(l.substr(0, at)));
  }
  return with_colon.empty() ? lines : with_colon;
}

std::vector<std::string> MissingHeadings(std::string_view tmpl, std::string_view intro) {
  std::vector<std::string> missing;
  std::string lowered = text::AsciiLower(intro);
  for (const std::string& h : TemplateHeadings(tmpl))
    if (lowered.find(text::AsciiLower(h)) == std::string::npos) missing.push_back(h);
  return missing;
}

}  // namespace qun::core
