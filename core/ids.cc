#include "core/ids.h"

#include <sodium.h>

#include <cstdlib>

#include "core/identity.h"

namespace qun::core {

std::string RandomId() {
  if (sodium_init() < 0) std::abort();  // no randomness source: nothing is safe
  uint8_t bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  return ToHex(bytes, sizeof bytes);
}

std::string DerivedId(std::string_view kind, std::string_view natural_key) {
  if (sodium_init() < 0) std::abort();  // no randomness source: nothing is safe
  std::string input = "qun-id/";
  input.append(kind);
  input.push_back('\0');
  input.append(natural_key);
  uint8_t hash[16];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const uint8_t*>(input.data()),
                     input.size(), nullptr, 0);
  return ToHex(hash, sizeof hash);
}

static bool AllHex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string MembershipRowId(std::string_view group_id, std::string_view person_id) {
  std::string key(group_id);
  key.push_back('\0');
  key.append(person_id);
  return DerivedId("membership", key);
}

bool LooksLikeId(std::string_view s) { return s.size() == kIdHexLength && AllHex(s); }
bool LooksLikeIdPrefix(std::string_view s) {
  return s.size() >= 4 && s.size() <= kIdHexLength && AllHex(s);
}

std::string GroupRowId(std::string_view group_id, std::string_view local_id) {
  std::string out;
  out.reserve(group_id.size() + 1 + local_id.size());
  out.append(group_id).append(".").append(local_id);
  return out;
}

std::string_view GroupOfRowId(std::string_view row_id) {
  if (row_id.size() != 2 * kIdHexLength + 1 || row_id[kIdHexLength] != '.') return {};
  std::string_view group = row_id.substr(0, kIdHexLength);
  if (!LooksLikeId(group) || !LooksLikeId(row_id.substr(kIdHexLength + 1))) return {};
  return group;
}

std::string_view LocalOfRowId(std::string_view row_id) {
  if (GroupOfRowId(row_id).empty()) return row_id;
  return row_id.substr(kIdHexLength + 1);
}

}  // namespace qun::core
