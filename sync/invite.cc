#include "sync/invite.h"

#include <fmt/format.h>
#include <sodium.h>

#include <cstring>

#include "base/i18n.h"

namespace qun::sync {
namespace {

// Version 2 adds the roles the invite grants; version 1 (no roles) is still
// read, as an invite to own the community, which is what it meant then.
constexpr char kMagic[] = "quninv02";
constexpr char kMagicV1[] = "quninv01";
constexpr uint32_t kMaxRoles = 1024;
constexpr size_t kMaxRoleColumn = 128;
constexpr size_t kMagicSize = 8;
constexpr size_t kKeySize = core::CommunityKey::kSize;
constexpr size_t kFixed = 16 + 32 + 32 + 32 + 4;
constexpr size_t kSignatureSize = crypto_sign_BYTES;

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}
uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}
constexpr size_t kVectorEntry = 32 + 8;
template <size_t N>
void Put(std::string& out, const std::array<uint8_t, N>& a) {
  out.append(reinterpret_cast<const char*>(a.data()), N);
}
template <size_t N>
void Get(const char* p, std::array<uint8_t, N>& a) {
  std::memcpy(a.data(), p, N);
}

// Wipes the plaintext (it holds community keys) however the parse ends.
struct Wiped {
  std::string bytes;
  ~Wiped() { sodium_memzero(bytes.data(), bytes.size()); }
};

}  // namespace

Result<core::PublicKey> ParseNodeId(std::string_view hex) {
  std::optional<core::PublicKey> parsed = core::PublicKeyFromHex(hex);
  if (!parsed)
    return Status::InvalidArgument(
        i18n::Format(_("'{}' is not a node id: a node id is the 64 hex characters that `qun init "
                       "--join` (or `qun status --verbose`) prints on the new admin's laptop"),
                     hex));
  const core::PublicKey& k = *parsed;
  if (!core::Identity::CurvePublicKey(k).ok())
    return Status::InvalidArgument(
        i18n::Format(_("'{}' is not a node id (it is not a valid public key); copy it again from "
                       "`qun status --verbose` on that node"),
                     hex));
  return k;
}

Result<std::string> MakeInvite(const Community& community, const core::Identity& inviter,
                               const core::PublicKey& invitee, const JoinPoint& join,
                               const std::vector<core::RoleKey>& roles) {
  std::vector<std::string> columns;
  size_t roles_size = 4;
  for (const core::RoleKey& r : roles) {
    columns.push_back(core::RoleColumn(r));
    roles_size += 4 + columns.back().size();
  }
  Wiped plain;
  // Sized once: a buffer that grew would leave copies of the keys behind in
  // freed memory.
  plain.bytes.reserve(kFixed + community.keys.size() * (4 + kKeySize) + 8 + 4 +
                      join.vector.size() * kVectorEntry + roles_size + kSignatureSize);
  Put(plain.bytes, community.id);
  Put(plain.bytes, community.founder);
  Put(plain.bytes, inviter.public_key());
  Put(plain.bytes, invitee);
  PutU32(plain.bytes, static_cast<uint32_t>(community.keys.size()));
  for (const auto& k : community.keys) {
    PutU32(plain.bytes, k.epoch());
    plain.bytes.append(reinterpret_cast<const char*>(k.data()), kKeySize);
  }
  PutU64(plain.bytes, join.frontier ? join.frontier->packed : 0);
  PutU32(plain.bytes, static_cast<uint32_t>(join.vector.size()));
  for (const auto& [author, seq] : join.vector) {
    Put(plain.bytes, author);
    PutU64(plain.bytes, seq);
  }
  PutU32(plain.bytes, static_cast<uint32_t>(columns.size()));
  for (const std::string& c : columns) {
    PutU32(plain.bytes, static_cast<uint32_t>(c.size()));
    plain.bytes += c;
  }
  auto signature = inviter.Sign(plain.bytes);
  plain.bytes.append(reinterpret_cast<const char*>(signature.data()), signature.size());
  QUN_ASSIGN_OR_RETURN(std::string sealed, core::Identity::SealTo(invitee, plain.bytes));
  return std::string(kMagic, kMagicSize) + sealed;
}

Result<Invite> OpenInvite(std::string_view file, const core::Identity& me) {
  bool v1 =
      file.size() >= kMagicSize && file.substr(0, kMagicSize) == std::string_view(kMagicV1, 8);
  if (!v1 &&
      (file.size() < kMagicSize || file.substr(0, kMagicSize) != std::string_view(kMagic, 8)))
    return Status::Corruption(
        _("this is not a Qun invite file; ask the owner for the file `qun invite` wrote"));
  Wiped plain;
  QUN_ASSIGN_OR_RETURN(plain.bytes, me.OpenSealed(file.substr(kMagicSize)));
  const std::string& b = plain.bytes;
  auto damaged = [] {
    return Status::Corruption(_("the invite is damaged; ask the owner to run `qun invite` again"));
  };
  if (b.size() < kFixed + kSignatureSize) return damaged();
  uint32_t count = GetU32(b.data() + kFixed - 4);
  size_t keys_end = kFixed + static_cast<size_t>(count) * (4 + kKeySize);
  if (count == 0 || count > 1024 || b.size() < keys_end + 8 + 4 + kSignatureSize) return damaged();
  uint32_t authors = GetU32(b.data() + keys_end + 8);
  size_t vector_end = keys_end + 8 + 4 + static_cast<size_t>(authors) * kVectorEntry;
  if (authors > (1u << 20) || b.size() < vector_end + kSignatureSize) return damaged();
  // The roles (version 2): count, then per role its length and column.
  std::vector<core::RoleKey> roles;
  size_t end = vector_end;
  if (v1) {
    roles.push_back({core::Role::kOwner, ""});
  } else {
    if (b.size() < end + 4 + kSignatureSize) return damaged();
    uint32_t n = GetU32(b.data() + end);
    end += 4;
    if (n > kMaxRoles) return damaged();
    for (uint32_t i = 0; i < n; ++i) {
      if (b.size() < end + 4 + kSignatureSize) return damaged();
      uint32_t len = GetU32(b.data() + end);
      end += 4;
      if (len > kMaxRoleColumn || b.size() < end + len + kSignatureSize) return damaged();
      auto key = core::ParseRoleColumn(std::string_view(b.data() + end, len));
      if (!key) return damaged();
      roles.push_back(*key);
      end += len;
    }
  }
  if (b.size() != end + kSignatureSize) return damaged();
  Invite inv;
  Get(b.data(), inv.community.id);
  Get(b.data() + 16, inv.community.founder);
  Get(b.data() + 48, inv.inviter);
  core::PublicKey invitee;
  Get(b.data() + 80, invitee);
  size_t signed_size = b.size() - kSignatureSize;
  if (!core::Identity::Verify(inv.inviter, std::string_view(b.data(), signed_size),
                              reinterpret_cast<const uint8_t*>(b.data() + signed_size)))
    return Status::BadSignature(
        _("the invite's signature does not match its inviter: it was altered; ask the owner for "
          "a new one"));
  if (invitee != me.public_key())
    return Status::Corruption(_("this invite was made for another node"));
  for (uint32_t i = 0; i < count; ++i) {
    const char* p = b.data() + kFixed + i * (4 + kKeySize);
    inv.community.keys.push_back(
        core::CommunityKey::FromBytes(GetU32(p), reinterpret_cast<const uint8_t*>(p + 4)));
  }
  uint64_t frontier = GetU64(b.data() + keys_end);
  if (frontier >= (uint64_t{1} << 62)) return damaged();  // no clock says this
  if (frontier) inv.join.frontier = core::Hlc{frontier};
  for (uint32_t i = 0; i < authors; ++i) {
    const char* p = b.data() + keys_end + 12 + i * kVectorEntry;
    core::PublicKey author;
    Get(p, author);
    inv.join.vector[author] = GetU64(p + 32);
  }
  inv.roles = std::move(roles);
  return inv;
}

}  // namespace qun::sync
