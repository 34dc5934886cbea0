#include "community/near_names.h"

#include <algorithm>

#include "base/chinese.h"
#include "base/i18n.h"
#include "base/text.h"

namespace qun::core {

std::vector<std::string> NearNames(const std::string& typed,
                                   const std::vector<std::pair<std::string, std::string>>& rows) {
  std::u32string want = text::CodePoints(text::FoldForSearch(text::Trim(typed)));
  std::string sound = text::NamePinyin(typed);
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& row : rows) {
    const std::string& name = row.second;
    std::u32string have = text::CodePoints(text::FoldForSearch(name));
    size_t d = text::EditDistance(want, have);
    size_t limit = std::max<size_t>(1, std::min(want.size(), have.size()) / 3);
    if (d > limit && !sound.empty() && text::NamePinyin(name) == sound) d = limit;
    if (d <= limit &&
        std::none_of(scored.begin(), scored.end(), [&](const auto& s) { return s.second == name; }))
      scored.emplace_back(d, name);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < 3; ++i) out.push_back(scored[i].second);
  return out;
}

std::string QuotedNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i ? _(" or ") : "") + ("'" + names[i] + "'");
  return out;
}

}  // namespace qun::core
