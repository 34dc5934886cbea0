// Change sets: how one author's write transaction travels between nodes.
//
// A ChangeSet holds the exact bytes of its header, the encrypted payload and
// the author's signature (schemas/changeset.capnp, docs/protocol.md). Seal()
// makes one from ops; Verify() checks who wrote it without any key; Open()
// decrypts it with the community key. Every decode of bytes from outside is
// checked here: malformed bytes are Corruption, a signature that does not
// match is BadSignature, a format from a newer Qun is Incompatible.
//
// ChangeSet, ChangeSetHeader and Payload are value types; all functions are
// thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "core/community_key.h"
#include "core/identity.h"
#include "core/oplog.h"

namespace qun::sync {

// The change-set format this build writes and applies.
constexpr uint16_t kFormatVersion = 1;

using Hash = std::array<uint8_t, 32>;
using CommunityId = std::array<uint8_t, 16>;
using Nonce = std::array<uint8_t, 24>;
using Signature = core::Identity::Signature;

struct VersionEntry {
  core::PublicKey author{};
  uint64_t seq = 0;
  bool operator==(const VersionEntry&) const = default;
};

struct ChangeSetHeader {
  uint16_t format_version = kFormatVersion;
  CommunityId community_id{};
  core::PublicKey author{};
  uint64_t seq = 0;
  std::optional<Hash> previous_hash;  // none exactly when seq is 1
  std::vector<VersionEntry> dependencies;
  uint32_t key_epoch = 0;
  Nonce nonce{};
  bool continues = false;  // the transaction goes on in seq + 1
  bool operator==(const ChangeSetHeader&) const = default;
};

struct Payload {
  std::vector<core::Op> ops;  // each op's author is the header's author
  std::string note;
};

struct ChangeSet {
  std::string header;  // a ChangeSetHeader message, exactly as signed
  std::string ciphertext;
  Signature signature{};

  // The ChangeSet message in Cap'n Proto's standard framing.
  std::string Encode() const;
  // Parses a ChangeSet message; Corruption when the bytes are not one.
  static Result<ChangeSet> Decode(std::string_view bytes);

  // What the signature covers: "qun-changeset-v1", the header length (u32
  // little-endian), the header, the ciphertext.
  std::string SignedMessage() const;
  // BLAKE2b-256 of SignedMessage(): the change set's identity, and what the
  // author's next change set names as previousHash.
  Hash ComputeHash() const;

  bool operator==(const ChangeSet&) const = default;
};

// Encrypts `payload` under `key` and signs with `author`, filling in the
// header's nonce, key epoch and author. The header's other fields are the
// caller's (community, seq, previous hash, dependencies).
Result<ChangeSet> Seal(ChangeSetHeader header, const Payload& payload,
                       const core::CommunityKey& key, const core::Identity& author);

// A payload as Seal() encrypts it (schemas/changeset.capnp, Payload),
// padded to PaddedPayloadSize of its size.
std::string EncodePayload(const Payload& payload);

// Padding (docs/protocol.md, "Padding"): an encoded payload of n bytes is
// padded to a multiple of kPaddingMinimum (1 KiB, and at least that) while
// n is at most kPaddingLinearLimit (4 KiB); above, to the next multiple of
// one sixteenth of the largest power of two not above n (at most 6.25%
// more). Every size this returns is a multiple of 8, as a Cap'n Proto
// message's is.
inline constexpr size_t kPaddingMinimum = 1024;
inline constexpr size_t kPaddingLinearLimit = 4096;
size_t PaddedPayloadSize(size_t encoded);

// Seal() with the payload already encoded (schemas/changeset.capnp,
// Payload): for tests and fuzzing, which send payloads Seal() would never
// make, to see that receiving them is safe.
Result<ChangeSet> SealEncoded(ChangeSetHeader header, std::string_view plaintext,
                              const core::CommunityKey& key, const core::Identity& author);

// Decodes the header and checks that its author signed the change set.
Result<ChangeSetHeader> Verify(const ChangeSet& change_set);

// Decodes the header without checking the signature: for a change set this
// node checked when it received it.
Result<ChangeSetHeader> ReadHeader(const ChangeSet& change_set);

// Decrypts and decodes the payload of a verified change set. Corruption when
// the key is not the one it was sealed with, or the payload is malformed.
Result<Payload> Open(const ChangeSet& change_set, const ChangeSetHeader& header,
                     const core::CommunityKey& key);

}  // namespace qun::sync
