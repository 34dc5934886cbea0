#include "sync/community.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cassert>

#include "base/i18n.h"
#include "core/key_file.h"

namespace qun::sync {
namespace {

template <size_t N>
bool FromHex(std::string_view hex, std::array<uint8_t, N>& out) {
  size_t len = 0;
  return hex.size() == 2 * N &&
         sodium_hex2bin(out.data(), N, hex.data(), hex.size(), nullptr, &len, nullptr) == 0 &&
         len == N;
}

}  // namespace

const core::CommunityKey* Community::Key(uint32_t epoch) const {
  for (const auto& k : keys)
    if (k.epoch() == epoch) return &k;
  return nullptr;
}

const core::CommunityKey& Community::Current() const {
  assert(!keys.empty() && "LoadCommunity never returns a community without keys");
  return *std::max_element(keys.begin(), keys.end(),
                           [](const auto& a, const auto& b) { return a.epoch() < b.epoch(); });
}

std::string CommunityIdHex(const CommunityId& id) { return core::ToHex(id); }

Result<CommunityId> ParseCommunityId(std::string_view hex) {
  CommunityId id;
  if (!FromHex(hex, id))
    return Status::InvalidArgument(
        i18n::Format(_("'{}' is not a community id (32 hex characters)"), hex));
  return id;
}

Status SaveCommunityMeta(core::Store& store, const CommunityId& id,
                         const core::PublicKey& founder) {
  QUN_RETURN_IF_ERROR(store.SetMeta(core::kCommunityIdKey, CommunityIdHex(id)));
  return store.SetMeta(core::kFounderKey, core::ToHex(founder));
}

Result<Community> LoadCommunity(core::Store& store, const std::string& home) {
  QUN_ASSIGN_OR_RETURN(auto id_hex, store.GetMeta(core::kCommunityIdKey));
  QUN_ASSIGN_OR_RETURN(auto founder_hex, store.GetMeta(core::kFounderKey));
  if (!id_hex || !founder_hex)
    return Status::NotFound(
        _("this node has not joined a community yet. Ask an owner to run `qun invite "
          "YOUR-NODE-ID -o invite.qun` (`qun status` shows your node id), then run `qun join "
          "invite.qun`"));
  Community c;
  QUN_ASSIGN_OR_RETURN(c.id, ParseCommunityId(*id_hex));
  std::optional<core::PublicKey> founder = core::PublicKeyFromHex(*founder_hex);
  if (!founder)
    return Status::Corruption(_("the founder key recorded in this node's database is damaged"));
  c.founder = *founder;
  QUN_ASSIGN_OR_RETURN(c.keys, core::ReadKeyFile(home));
  return c;
}

}  // namespace qun::sync
