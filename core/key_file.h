// The community keys a node holds, one per key epoch, in `<home>/community.key`
// (mode 0600). Whoever reads this file can read the community's data.
//
// Format: the 8 bytes "qunkey01", then per epoch a little-endian u32 epoch
// and the 32-byte key.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "core/community_key.h"

namespace qun::core {

std::string KeyFilePath(const std::string& home);

// Writes the keys; refuses to replace an existing file.
Status WriteKeyFile(const std::string& home, const std::vector<const CommunityKey*>& keys);

// Adds `key` to the file (a new key epoch): the whole file is written anew
// beside it and renamed over it, so that a crash leaves the old file or the
// new one, never half of one. Nothing to do when the file holds it already.
Status AddToKeyFile(const std::string& home, const CommunityKey& key);

// Reads all keys. NotFound when the node has none yet (not joined).
Result<std::vector<CommunityKey>> ReadKeyFile(const std::string& home);

}  // namespace qun::core
