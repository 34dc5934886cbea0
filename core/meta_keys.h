// The keys of table meta, each named once, and typed access to those whose
// value is more than text.
//
// meta is a node's small notebook: one row per key, text values. Its keys
// are part of the on-disk format (databases of earlier versions keep
// loading), so each one is spelled here and nowhere else.
//
// Functions borrow the Database; one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"

namespace qun::core {

class Database;

// The founder's public key, hex, once the node belongs to a community.
inline constexpr char kFounderKey[] = "founder";
// The community id, hex.
inline constexpr char kCommunityIdKey[] = "community_id";
// Counts up each time the authority rules decide role change sets again
// (sync/authority.h); absent in a database never decided.
inline constexpr char kAuthorityGenerationKey[] = "authority_generation";
// Present while role change sets wait to be decided (see
// sync/decisions.h).
inline constexpr char kAuthorityDirtyKey[] = "authority_dirty";
// Where this node joined: its inviter's version vector ("<hex> <seq>" a
// line) and the newest effective HLC in it.
inline constexpr char kJoinVectorKey[] = "join_vector";
inline constexpr char kJoinFrontierKey[] = "join_frontier";
// The roles this node's invite named (core/permissions.h, RoleLines).
inline constexpr char kJoinRolesKey[] = "join_roles";
// The admin name of a node made to join, until it has joined.
inline constexpr char kJoiningAsKey[] = "joining_as";
// Key epochs taken from change sets still waiting, one a line: for reading
// until a rotation that counts gives them out (sync/keyring.h).
inline constexpr char kEarlyKeysKey[] = "early_keys";
// Set when a migration taught this version tables or columns that logged
// ops of others already write: those ops are decided by the authority
// rules (every change set again) before they take effect.
inline constexpr char kOpsLearnedKey[] = "ops_learned";

// Any key's value; none when unset.
Result<std::optional<std::string>> GetMeta(Database& db, const char* key);
Status SetMeta(Database& db, const char* key, const std::string& value);
Status DeleteMeta(Database& db, const char* key);

// kAuthorityGenerationKey as a number; none in a database never decided.
// Corruption when it is not a number.
Result<std::optional<int64_t>> AuthorityGeneration(Database& db);
// Counts it up (from 1 when absent).
Status BumpAuthorityGeneration(Database& db);
// kAuthorityDirtyKey: whether role change sets wait to be decided.
Result<bool> AuthorityDirty(Database& db);
Status SetAuthorityDirty(Database& db, bool dirty);
// kOpsLearnedKey.
Result<bool> OpsLearned(Database& db);
Status ClearOpsLearned(Database& db);

}  // namespace qun::core
