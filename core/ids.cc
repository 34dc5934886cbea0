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

bool LooksLikeId(std::string_view s) { return s.size() == kIdHexLength && AllHex(s); }
bool LooksLikeIdPrefix(std::string_view s) {
  return s.size() >= 4 && s.size() <= kIdHexLength && AllHex(s);
}

}  // namespace qun::core
