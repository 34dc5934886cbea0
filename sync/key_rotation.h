// Key rotation: a new community key, given to the nodes that remain.
//
// An owner writes, in one transaction, an envelope for each remaining node:
// the new key sealed to that node's key (libsodium sealed box to its X25519
// form), as an op of table key_envelope (core/permissions.h). That change
// set itself is sealed under the key epoch before the new one, so that every
// node can apply it; each recipient opens its own envelope and holds the new
// key, and from then on change sets are sealed under it. A node left out
// (removed) can still open the rotation's change set, but not its envelope,
// so nothing sealed after it.
//
// Epoch numbers grow by a random step (1 to 65536) instead of by one: two
// owners rotating at the same time then make two different epochs, not two
// keys for one epoch. The highest epoch held is the one change sets use.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "core/community_key.h"
#include "core/identity.h"
#include "core/oplog.h"
#include "sync/community.h"

namespace qun::sync {

// "<node id>:<epoch>".
std::string EnvelopeRowId(const core::PublicKey& node, uint32_t epoch);
// The epoch of an envelope row addressed to `node`; none for another's.
std::optional<uint32_t> EnvelopeEpochFor(std::string_view row_id, const core::PublicKey& node);
// The epoch of any envelope row; none when the row id is not one.
std::optional<uint32_t> EnvelopeEpoch(std::string_view row_id);

// Makes a new key and writes its envelopes for `recipients` in `txn`.
// Returns the key, which the caller adds to its own keys once the change
// set holding the envelopes is sealed (ChangeSetStore::ClaimKeys does).
Result<core::CommunityKey> WriteKeyRotation(core::WriteTxn& txn, const Community& community,
                                            const std::vector<core::PublicKey>& recipients);

// Opens an envelope addressed to `me`. Corruption when it does not open or
// holds another epoch than its row says.
Result<core::CommunityKey> OpenEnvelope(const core::Identity& me, uint32_t epoch,
                                        std::string_view sealed);
// The same, from an envelope op's value (Corruption when it holds no bytes).
Result<core::CommunityKey> OpenEnvelopeValue(const core::Identity& me, uint32_t epoch,
                                             const Value& value);

}  // namespace qun::sync
