// The entry ritual of a group: the nickname convention members follow
// (e.g. city-name-trade, so 上海-王芳-设计) and the self-introduction
// template newcomers fill in (who I am / what I need / what I offer).
//
// Pure functions on text; the convention and template are group settings
// (chat_group.nickname_pattern, chat_group.intro_template), the nickname
// and introduction membership fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qun::core {

// A convention such as "city-name-trade": its parts, and the separator
// between them. Chat nicknames are typed on phones, so the full-width and
// look-alike forms of the separator count as the same one.
struct NicknamePattern {
  std::string separator;           // as written in the convention
  std::vector<std::string> parts;  // "city", "name", "trade"
};

// None when `pattern` has no separator between two or more named parts.
std::optional<NicknamePattern> ParseNicknamePattern(std::string_view pattern);

// Why `nickname` does not follow the convention ("no nickname", "2 parts
// instead of 3: city-name-trade", "part 2 (name) is empty"); empty when it
// does.
std::string NicknameProblem(const NicknamePattern& pattern, std::string_view nickname);

// The headings of a self-introduction template: the text before ':' or
// '：' on each of its lines ("我是谁：" gives 我是谁), or each whole line
// when no line has one.
std::vector<std::string> TemplateHeadings(std::string_view intro_template);

// The headings of `intro_template` that `intro` does not mention.
std::vector<std::string> MissingHeadings(std::string_view intro_template, std::string_view intro);

}  // namespace qun::core
