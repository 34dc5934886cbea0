// Invite codes: joining over the network with a line of text that fits in
// a chat message, instead of an invite file.
//
// `qun invite --code` makes one and keeps a hash of its one-time secret;
// `qun join CODE` on a fresh machine connects to the inviter (its address
// and key are in the code), proves the secret over the encrypted
// connection, and receives an invite sealed to its own key. A code works
// once, until it expires.
//
// Text form: "qun1-" then lowercase base32 (RFC 4648 alphabet, no padding)
// of, integers little-endian:
//   version (1 byte, 1) | community id (16) | inviter node id (32)
//   | secret (16) | expiry (u64, unix seconds) | address (the rest but 4,
//   "HOST:PORT" of tcp://HOST:PORT) | check (first 4 bytes of BLAKE2b-256
//   of everything before it)
// The check catches a mistyped or cut code before anything connects.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "core/db.h"
#include "core/identity.h"
#include "core/permissions.h"
#include "sync/change_set.h"

namespace qun::sync {

using InviteSecret = std::array<uint8_t, 16>;

struct InviteCode {
  CommunityId community{};
  core::PublicKey inviter{};
  InviteSecret secret{};
  int64_t expires_unix_s = 0;
  std::string address;  // tcp://HOST:PORT
};

std::string FormatInviteCode(const InviteCode& code);
// Corruption, saying to copy the whole code again, when the text is not a
// code or a character is wrong or missing.
Result<InviteCode> ParseInviteCode(std::string_view text);
bool LooksLikeInviteCode(std::string_view text);

// Makes a code's secret and records its hash, with the name to give the
// new node, the roles to grant it and when it expires.
Result<InviteSecret> NewInviteSecret(core::Database& db, const std::string& name,
                                     int64_t expires_unix_ms,
                                     const std::vector<core::RoleKey>& roles);

// Spends the code of `secret` on `joiner`, a node that is not a member: a
// guest's first join. Denied, with a message for the joiner, when the
// secret is wrong, the code expired, or it was used already (by anyone:
// a code spent once never grants again; a member whose answer was lost
// asks on its member connection, see DeliveredInvite). Returns the name
// recorded with it. Runs inside the transaction that records the invite, so
// that a failed recording leaves the code open.
Result<std::string> SpendInviteSecret(core::Database& db, std::string_view secret,
                                      const core::PublicKey& joiner, int64_t now_unix_ms);

// Keeps the invite a spent code delivered, for DeliveredInvite.
Status RecordDeliveredInvite(core::Database& db, std::string_view secret, std::string_view invite);

// The invite the code of `secret` delivered to `member`, for a member whose
// answer to its join was lost. Only the same bytes again, never a new
// invite (nothing is written): only to the node the code was spent on, only
// before the code expires, and only while `held` (the roles the node holds
// now) are exactly the roles the code granted. A node demoted or removed
// since, or any other member, is denied with a message saying why.
Result<std::string> DeliveredInvite(core::Database& db, std::string_view secret,
                                    const core::PublicKey& member,
                                    const std::vector<core::RoleKey>& held, int64_t now_unix_ms);

// What the code of `secret` gives: the name recorded with it ("" when
// none) and its roles (ownership for a code made before roles existed).
// NotFound when there is no such code.
struct InviteGrant {
  std::string name;
  std::vector<core::RoleKey> roles;
};
Result<InviteGrant> InviteCodeGrant(core::Database& db, std::string_view secret);

// How many codes could still be redeemed now.
Result<int64_t> OpenInviteCodes(core::Database& db, int64_t now_unix_ms);

}  // namespace qun::sync
