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
// The id of the membership of a person in a group: one row per pair, so two
// admins who add the same person to the same group offline write one row.
std::string MembershipRowId(std::string_view group_id, std::string_view person_id);
bool LooksLikeId(std::string_view s);        // exactly 32 lowercase hex characters
bool LooksLikeIdPrefix(std::string_view s);  // 4 to 32 hex characters
inline std::string ShortId(std::string_view id) {
  return std::string(id.substr(0, kShortIdLength));
}

// The id of a row that belongs to one group (an event, a check-in...):
// "<group id>.<local id>", both 32 hex characters. The group is part of the
// id so that who may write the row follows from the id alone
// (core/permissions.h).
std::string GroupRowId(std::string_view group_id, std::string_view local_id);
// The group of such an id; empty when `row_id` is not one.
std::string_view GroupOfRowId(std::string_view row_id);
// The local part of such an id (what the CLI shows and accepts as a
// reference); `row_id` itself when it is not one.
std::string_view LocalOfRowId(std::string_view row_id);
// ShortId of the local part: "9f3a61c2" for "<group>.9f3a61c2…".
inline std::string ShortRowId(std::string_view row_id) { return ShortId(LocalOfRowId(row_id)); }

}  // namespace qun::core
