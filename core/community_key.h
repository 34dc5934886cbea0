// The community key: the 32-byte XChaCha20-Poly1305 key that encrypts every
// change set of one key epoch. Whoever holds it can read the community's
// data, so it lives only in sodium-guarded memory, wiped when freed, and is
// never printed.
//
// Move-only resource type; not thread-safe.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <cstring>
#include <memory>

namespace qun::core {

class CommunityKey {
 public:
  static constexpr size_t kSize = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;

  // A fresh random key.
  static CommunityKey Generate(uint32_t epoch);
  // A key from `kSize` bytes (read from the key file or an invite).
  static CommunityKey FromBytes(uint32_t epoch, const uint8_t* bytes);

  CommunityKey(CommunityKey&& o) noexcept : epoch_(o.epoch_), bytes_(o.bytes_) {
    o.bytes_ = nullptr;
  }
  CommunityKey(const CommunityKey&) = delete;
  CommunityKey& operator=(const CommunityKey&) = delete;
  CommunityKey& operator=(CommunityKey&&) = delete;
  ~CommunityKey();

  uint32_t epoch() const { return epoch_; }
  const uint8_t* data() const { return bytes_; }

 private:
  explicit CommunityKey(uint32_t epoch);
  uint32_t epoch_;
  uint8_t* bytes_;
};

}  // namespace qun::core
