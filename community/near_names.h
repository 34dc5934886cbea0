// "Did you mean": the names closest to one an organizer mistyped, by
// characters or by sound, for the refusal that says the name was not found.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace qun::core {

// The names among `rows` (id, name) close to `typed`, closest first, at
// most three, each once: a character or so apart (one edit per three
// characters), or read the same in pinyin (早起打咔群 and 早起打卡群 are
// both zao qi da ka qun).
std::vector<std::string> NearNames(const std::string& typed,
                                   const std::vector<std::pair<std::string, std::string>>& rows);

// 'a' or 'b' or 'c', with the joining word in the language of the messages.
std::string QuotedNames(const std::vector<std::string>& names);

}  // namespace qun::core
