// What a node must know to take part in its community's sync: the community
// id, the founder's key (the first author every node trusts) and the
// community keys it holds, one per key epoch.
//
// The id and founder live in the node's meta table (never synced); the keys
// in <home>/community.key (core/key_file.h). A node made with `qun init
// --join` has none of them until `qun join`.
//
// Move-only (it owns key material).
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "core/community_key.h"
#include "core/identity.h"
#include "core/store.h"
#include "sync/change_set.h"

namespace qun::sync {

struct Community {
  CommunityId id{};
  core::PublicKey founder{};
  std::vector<core::CommunityKey> keys;

  // The key of `epoch`, or null when this node does not hold it.
  const core::CommunityKey* Key(uint32_t epoch) const;
  // The key new change sets are sealed with: the highest epoch held.
  const core::CommunityKey& Current() const;
};

// Reads the community this node belongs to. NotFound, saying to run `qun
// join`, when it has not joined one.
Result<Community> LoadCommunity(core::Store& store, const std::string& home);

// Records the community id and founder in the node's meta table.
Status SaveCommunityMeta(core::Store& store, const CommunityId& id, const core::PublicKey& founder);

std::string CommunityIdHex(const CommunityId& id);
Result<CommunityId> ParseCommunityId(std::string_view hex);

}  // namespace qun::sync
