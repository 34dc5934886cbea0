// Row ids of the community registry.
//
// An id is 128 bits written as 32 lowercase hex characters. Rows without a
// natural key get random ids. Rows with one derive their id from it with
// BLAKE2b, so that two admins who create "the same" row offline (the person
// with WeChat handle wx_123, the membership of that person in that group, the
// tag "摄影" on that person) write to one row and their edits merge field by
// field instead of producing duplicates.
#pragma once

#include <string>
#include <string_view>

namespace qun::core {

constexpr size_t kIdHexLength = 32;
// How many hex characters the CLI shows.
constexpr size_t kShortIdLength = 8;

std::string RandomId();
// Deterministic id for a natural key; `kind` separates the id spaces
// ("person", "membership", "tag", "handle").
std::string DerivedId(std::string_view kind, std::string_view natural_key);
bool LooksLikeId(std::string_view s);        // exactly 32 lowercase hex characters
bool LooksLikeIdPrefix(std::string_view s);  // 4 to 32 hex characters
inline std::string ShortId(std::string_view id) {
  return std::string(id.substr(0, kShortIdLength));
}

}  // namespace qun::core
