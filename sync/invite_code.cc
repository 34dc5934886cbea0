#include "sync/invite_code.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "base/i18n.h"
#include "core/hlc.h"
#include "sync/transport.h"

namespace qun::sync {
namespace {

constexpr char kPrefix[] = "qun1-";
constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
constexpr size_t kFixed = 1 + 16 + 32 + 16 + 8;
constexpr size_t kCheck = 4;

std::string Base32(const std::string& bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::optional<std::string> FromBase32(std::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const char* p = std::strchr(kAlphabet, c);
    if (!p || c == '\0') return std::nullopt;
    buffer = (buffer << 5) | static_cast<uint32_t>(p - kAlphabet);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  // The last character's unused bits are zero in a code qun wrote: a typo
  // there must not pass unnoticed.
  if (bits >= 5 || (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::array<uint8_t, 32> Blake(std::string_view bytes) {
  std::array<uint8_t, 32> h{};
  crypto_generichash(h.data(), h.size(), reinterpret_cast<const uint8_t*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  return h;
}

Status Damaged() {
  return Status::Corruption(
      _("this is not a whole invite code: a character is wrong or missing. Copy the whole code "
        "again (it starts with qun1-)"));
}

}  // namespace

bool LooksLikeInviteCode(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  if (text.size() < std::strlen(kPrefix)) return false;
  for (size_t i = 0; i < std::strlen(kPrefix); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != kPrefix[i]) return false;
  return true;
}

std::string FormatInviteCode(const InviteCode& code) {
  std::string bytes;
  bytes += '\x01';
  bytes.append(reinterpret_cast<const char*>(code.community.data()), code.community.size());
  bytes.append(reinterpret_cast<const char*>(code.inviter.data()), code.inviter.size());
  bytes.append(reinterpret_cast<const char*>(code.secret.data()), code.secret.size());
  for (int i = 0; i < 8; ++i)
    bytes += static_cast<char>(static_cast<uint64_t>(code.expires_unix_s) >> (8 * i));
  std::string address =
      code.address.rfind("tcp://", 0) == 0 ? code.address.substr(6) : code.address;
  bytes += address;
  auto check = Blake(bytes);
  bytes.append(reinterpret_cast<const char*>(check.data()), kCheck);
  return kPrefix + Base32(bytes);
}

Result<InviteCode> ParseInviteCode(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  if (!LooksLikeInviteCode(text)) return Damaged();
  // A chat app may have wrapped a long code over lines.
  std::string body32;
  for (char c : text.substr(std::strlen(kPrefix)))
    if (!std::isspace(static_cast<unsigned char>(c))) body32 += c;
  auto bytes = FromBase32(body32);
  if (!bytes || bytes->size() < kFixed + 3 + kCheck) return Damaged();
  std::string_view body(bytes->data(), bytes->size() - kCheck);
  auto check = Blake(body);
  if (std::memcmp(check.data(), bytes->data() + body.size(), kCheck) != 0) return Damaged();
  if (body[0] != '\x01')
    return Status::Incompatible(
        _("this invite code was made by a newer qun; upgrade qun to use it"));
  InviteCode code;
  const char* p = body.data() + 1;
  std::memcpy(code.community.data(), p, 16);
  std::memcpy(code.inviter.data(), p + 16, 32);
  std::memcpy(code.secret.data(), p + 48, 16);
  uint64_t expires = 0;
  for (int i = 0; i < 8; ++i) expires |= uint64_t{static_cast<uint8_t>(p[64 + i])} << (8 * i);
  code.expires_unix_s = static_cast<int64_t>(expires);
  code.address = "tcp://" + std::string(body.substr(kFixed));
  if (!CheckAddress(code.address, false).ok() || !core::Identity::CurvePublicKey(code.inviter).ok())
    return Damaged();
  return code;
}

Result<InviteSecret> NewInviteSecret(core::Database& db, const std::string& name,
                                     int64_t expires_unix_ms,
                                     const std::vector<core::RoleKey>& roles) {
  std::string role_lines = core::RoleLines(roles);
  InviteSecret secret;
  randombytes_buf(secret.data(), secret.size());
  auto hash = Blake(std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()));
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       db.Prepare("INSERT INTO invite_code (secret_hash, name, created_at, "
                                  "expires_at, roles) VALUES (?, ?, ?, ?, ?)"));
  int64_t now = core::WallClockMs();
  s.Bind(1, Blob(hash.data(), hash.size()))
      .Bind(3, static_cast<int64_t>(now))
      .Bind(4, expires_unix_ms)
      .Bind(5, role_lines);
  if (name.empty())
    s.BindNull(2);
  else
    s.Bind(2, name);
  QUN_RETURN_IF_ERROR(s.Run());
  return secret;
}

namespace {

// The refusals below are sent to the joining node (its qun shows them) and
// stay in English, whatever language this node speaks.
constexpr char kNotOurs[] =
    "the invite code is not one this node gave out: ask for a new code (`qun invite --code`)";
constexpr char kUsed[] =
    "the invite code was used already: each code works once; ask for a new one";
constexpr char kExpired[] = "the invite code has expired: ask for a new one";

// A code's row, looked up by its secret.
struct CodeRow {
  std::string name;
  int64_t expires = 0;
  bool used = false;
  std::string used_by;  // node id bytes, when used
  std::optional<std::string> invite;
  std::optional<std::string> roles;  // role lines; none for a code made before roles
};

Result<std::optional<CodeRow>> FindCode(core::Database& db, std::string_view secret) {
  if (secret.size() != InviteSecret().size()) return std::optional<CodeRow>();
  auto hash = Blake(secret);
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       db.Prepare("SELECT coalesce(name, ''), expires_at, used_at, used_by, "
                                  "invite, roles FROM invite_code WHERE secret_hash=?"));
  s.Bind(1, Blob(hash.data(), hash.size()));
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<CodeRow>();
  CodeRow code;
  code.name = s.Text(0);
  code.expires = s.Int(1);
  code.used = !s.IsNull(2);
  if (!s.IsNull(3)) code.used_by = std::string(s.BlobView(3));
  if (!s.IsNull(4)) code.invite = std::string(s.BlobView(4));
  if (!s.IsNull(5)) code.roles = s.Text(5);
  return std::optional<CodeRow>(std::move(code));
}

std::string_view KeyBytes(const core::PublicKey& k) {
  return std::string_view(reinterpret_cast<const char*>(k.data()), k.size());
}

}  // namespace

Result<std::string> SpendInviteSecret(core::Database& db, std::string_view secret,
                                      const core::PublicKey& joiner, int64_t now_unix_ms) {
  QUN_ASSIGN_OR_RETURN(auto code, FindCode(db, secret));
  if (!code) return Status::Denied(kNotOurs);
  // Spent is checked before expiry: whoever holds a spent code learns
  // nothing more from it than that.
  if (code->used) return Status::Denied(kUsed);
  if (now_unix_ms > code->expires) return Status::Denied(kExpired);
  auto hash = Blake(secret);
  QUN_ASSIGN_OR_RETURN(
      core::Statement mark,
      db.Prepare("UPDATE invite_code SET used_at=?, used_by=? WHERE secret_hash=? AND used_at "
                 "IS NULL"));
  mark.Bind(1, now_unix_ms)
      .Bind(2, Blob(joiner.data(), joiner.size()))
      .Bind(3, Blob(hash.data(), hash.size()));
  QUN_RETURN_IF_ERROR(mark.Run());
  // Two servers on one home could race for a code: the second finds it
  // taken.
  if (db.Changes() != 1) return Status::Denied(kUsed);
  return code->name;
}

Status RecordDeliveredInvite(core::Database& db, std::string_view secret, std::string_view invite) {
  auto hash = Blake(secret);
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       db.Prepare("UPDATE invite_code SET invite=? WHERE secret_hash=? AND "
                                  "used_at IS NOT NULL AND invite IS NULL"));
  s.Bind(1, Blob(reinterpret_cast<const uint8_t*>(invite.data()), invite.size()))
      .Bind(2, Blob(hash.data(), hash.size()));
  return s.Run();
}

Result<std::string> DeliveredInvite(core::Database& db, std::string_view secret,
                                    const core::PublicKey& member,
                                    const std::vector<core::RoleKey>& held, int64_t now_unix_ms) {
  QUN_ASSIGN_OR_RETURN(auto code, FindCode(db, secret));
  if (!code) return Status::Denied(kNotOurs);
  // A member may not take a code meant for someone else: that would give
  // it the code's roles and the newcomer's name under the inviter's eyes.
  if (!code->used || code->used_by != KeyBytes(member))
    return Status::Denied(
        "you are a node of this community already, and this invite code was not spent on your "
        "node: it is someone else's to use. To change your roles, ask an owner (`qun admin "
        "grant`)");
  if (now_unix_ms > code->expires) return Status::Denied(kExpired);
  std::vector<core::RoleKey> granted{{core::Role::kOwner, ""}};
  if (code->roles) {
    auto parsed = core::ParseRoleLines(*code->roles);
    if (!parsed)
      return Status::Corruption("an invite code's roles in this node's database are damaged");
    granted = std::move(*parsed);
  }
  std::vector<core::RoleKey> now = held;
  std::sort(granted.begin(), granted.end());
  granted.erase(std::unique(granted.begin(), granted.end()), granted.end());
  std::sort(now.begin(), now.end());
  now.erase(std::unique(now.begin(), now.end()), now.end());
  if (granted != now)
    return Status::Denied(
        "your node's roles changed since this invite code was used: it cannot be used again; "
        "ask an owner");
  if (!code->invite)
    return Status::Denied(
        "this node did not keep the invite it sent you (it was made by an older qun, or "
        "stopped before keeping it): ask an owner for a new invite");
  return *code->invite;
}

Result<InviteGrant> InviteCodeGrant(core::Database& db, std::string_view secret) {
  auto hash = Blake(secret);
  QUN_ASSIGN_OR_RETURN(
      core::Statement s,
      db.Prepare("SELECT coalesce(name, ''), roles FROM invite_code WHERE secret_hash=?"));
  s.Bind(1, Blob(hash.data(), hash.size()));
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Status::NotFound("no invite code of that secret");
  InviteGrant grant;
  grant.name = s.Text(0);
  if (s.IsNull(1)) {
    grant.roles.push_back({core::Role::kOwner, ""});
    return grant;
  }
  auto roles = core::ParseRoleLines(s.Text(1));
  if (!roles)
    return Status::Corruption(_("an invite code's roles in this node's database are damaged"));
  grant.roles = std::move(*roles);
  return grant;
}

Result<int64_t> OpenInviteCodes(core::Database& db, int64_t now_unix_ms) {
  QUN_ASSIGN_OR_RETURN(core::Statement s,
                       db.Prepare("SELECT count(*) FROM invite_code WHERE used_at IS NULL AND "
                                  "expires_at >= ?"));
  s.Bind(1, now_unix_ms);
  QUN_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

}  // namespace qun::sync
