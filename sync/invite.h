// Invites: how the community key reaches a new admin's node offline.
//
// `qun invite NODE-ID` seals, to that node's public key only (libsodium
// sealed box to the key's X25519 form), what it needs to take part: the
// community id, the founder's key, the community keys, and who invited it,
// signed by the inviter. `qun join FILE` opens it on the invited node.
//
// File format (docs/protocol.md, "Invites"): the 8 bytes "quninv02", then
// the sealed box. Inside the box, all integers little-endian:
//   community id (16) | founder key (32) | inviter key (32) | invitee key (32)
//   | key count (u32) | per key: epoch (u32), key (32)
//   | join frontier (u64 packed HLC, 0 for none)
//   | vector count (u32) | per author: key (32), seq (u64)
//   | role count (u32) | per role: length (u32), role column (core/permissions.h)
//   | Ed25519 signature by the inviter over all bytes before it (64).
// "quninv01" files (before roles) have no role part and grant ownership.
// The vector is what the inviter held when it wrote the invite (its invite
// included), and the frontier the newest effective HLC in it: the new node's
// first change sets depend on them (see JoinPoint).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "core/identity.h"
#include "core/permissions.h"
#include "sync/change_set_store.h"
#include "sync/community.h"

namespace qun::sync {

struct Invite {
  Community community;
  core::PublicKey inviter{};
  JoinPoint join;
  // The roles the invite grants (its change set grants them too); the new
  // node writes with them until it has that change set.
  std::vector<core::RoleKey> roles;
};

// The invite file's bytes for `invitee`.
Result<std::string> MakeInvite(const Community& community, const core::Identity& inviter,
                               const core::PublicKey& invitee, const JoinPoint& join,
                               const std::vector<core::RoleKey>& roles);

// Opens an invite file's bytes with this node's identity. Corruption when it
// is not an invite, was made for another node, or was altered.
Result<Invite> OpenInvite(std::string_view file, const core::Identity& me);

// Parses a node id (64 hex characters) given on the command line.
Result<core::PublicKey> ParseNodeId(std::string_view hex);

}  // namespace qun::sync
