// A node's identity: its Ed25519 keypair (libsodium).
//
// The public key is the node id every op is signed and attributed with. The
// secret key lives in `<home>/node.key`, mode 0600, and in memory only inside
// a SecretKey, which is allocated with sodium_malloc (guarded, never swapped)
// and wiped on destruction. It is never printed.
//
// Identity is a resource type: move-only; not thread-safe.
#pragma once

#include <sodium.h>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace qun::core {

using PublicKey = std::array<uint8_t, crypto_sign_PUBLICKEYBYTES>;

std::string ToHex(const uint8_t* data, size_t size);
template <size_t N>
std::string ToHex(const std::array<uint8_t, N>& a) {
  return ToHex(a.data(), N);
}
// The public key `hex` spells (64 hex digits, nothing else); none otherwise.
// Whether it is a valid curve point is not checked (Identity::CurvePublicKey).
std::optional<PublicKey> PublicKeyFromHex(std::string_view hex);

// Owns secret-key bytes in sodium-guarded memory; zeroed and freed on scope exit.
class SecretKey {
 public:
  SecretKey();
  ~SecretKey();
  SecretKey(SecretKey&& o) noexcept : bytes_(o.bytes_) { o.bytes_ = nullptr; }
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  SecretKey& operator=(SecretKey&&) = delete;

  uint8_t* data() { return bytes_; }
  const uint8_t* data() const { return bytes_; }
  static constexpr size_t size() { return crypto_sign_SECRETKEYBYTES; }

 private:
  uint8_t* bytes_;
};

class Identity {
 public:
  // Generates a keypair and writes node.key (0600) and node.pub in `home`.
  // Refuses to overwrite an existing key.
  static Result<std::unique_ptr<Identity>> Create(const std::string& home);
  // Reads node.key; refuses a key file others may read (fix with chmod 600).
  static Result<std::unique_ptr<Identity>> Load(const std::string& home);

  const PublicKey& public_key() const { return public_key_; }

  using Signature = std::array<uint8_t, crypto_sign_BYTES>;
  // Ed25519 detached signature of `message`; the secret key never leaves.
  Signature Sign(std::string_view message) const;
  // Checks a detached signature by `signer`.
  static bool Verify(const PublicKey& signer, std::string_view message, const uint8_t* signature);

  // Encrypts `message` so that only the holder of `recipient`'s secret key
  // can read it (libsodium sealed box to the key's X25519 form). For sending
  // the community key to a new admin.
  static Result<std::string> SealTo(const PublicKey& recipient, std::string_view message);
  // Opens a sealed box addressed to this node; Corruption when it was not.
  Result<std::string> OpenSealed(std::string_view sealed) const;
  std::string node_id() const { return ToHex(public_key_); }

  // The X25519 form of a node's key: what ZeroMQ's CURVE uses. A node's
  // network key is derived from its identity, so knowing its node id is
  // knowing whom one connects to.
  using CurveKey = std::array<uint8_t, crypto_box_PUBLICKEYBYTES>;
  static Result<CurveKey> CurvePublicKey(const PublicKey& node);
  // Calls `use` with this node's X25519 secret key in guarded memory, wiped
  // as soon as `use` returns. Whatever `use` hands it to keeps its own copy
  // (ZeroMQ keeps one in each CURVE socket, for the socket's life).
  Status WithCurveSecret(const std::function<Status(const uint8_t* secret)>& use) const;

 private:
  Identity() = default;
  PublicKey public_key_{};
  SecretKey secret_key_;
};

// Initializes libsodium once; safe to call many times.
Status InitSodium();

}  // namespace qun::core
