#include "core/community_key.h"

#include <cstdlib>
#include <new>

namespace qun::core {

CommunityKey::CommunityKey(uint32_t epoch) : epoch_(epoch) {
  if (sodium_init() < 0) std::abort();  // no randomness source: nothing is safe
  bytes_ = static_cast<uint8_t*>(sodium_malloc(kSize));
  if (!bytes_) throw std::bad_alloc();
}

CommunityKey::~CommunityKey() {
  if (bytes_) sodium_free(bytes_);  // zeroes before freeing
}

CommunityKey CommunityKey::Generate(uint32_t epoch) {
  CommunityKey key(epoch);
  crypto_aead_xchacha20poly1305_ietf_keygen(key.bytes_);
  return key;
}

CommunityKey CommunityKey::FromBytes(uint32_t epoch, const uint8_t* bytes) {
  CommunityKey key(epoch);
  std::memcpy(key.bytes_, bytes, kSize);
  return key;
}

}  // namespace qun::core
