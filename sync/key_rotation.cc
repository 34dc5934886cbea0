#include "sync/key_rotation.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <charconv>

#include "base/i18n.h"
#include "core/db.h"
#include "core/log_reads.h"
#include "core/permissions.h"
#include "core/store.h"

namespace qun::sync {
namespace {

// Wipes the plaintext (it holds a key) however the function ends.
struct Wiped {
  std::string bytes;
  ~Wiped() { sodium_memzero(bytes.data(), bytes.size()); }
};

// What an envelope seals: the epoch (u32 little-endian) and the key.
void EnvelopePlaintext(const core::CommunityKey& key, Wiped* out) {
  out->bytes.reserve(4 + core::CommunityKey::kSize);  // no copies left behind
  for (int i = 0; i < 4; ++i)
    out->bytes.push_back(static_cast<char>((key.epoch() >> (8 * i)) & 0xff));
  out->bytes.append(reinterpret_cast<const char*>(key.data()), core::CommunityKey::kSize);
}

}  // namespace

std::string EnvelopeRowId(const core::PublicKey& node, uint32_t epoch) {
  return fmt::format("{}:{}", core::ToHex(node), epoch);
}

std::optional<uint32_t> EnvelopeEpoch(std::string_view row_id) {
  size_t colon = row_id.find(':');
  if (colon != 64) return std::nullopt;
  std::string_view digits = row_id.substr(colon + 1);
  uint32_t epoch = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), epoch);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty())
    return std::nullopt;
  return epoch;
}

std::optional<uint32_t> EnvelopeEpochFor(std::string_view row_id, const core::PublicKey& node) {
  if (row_id.substr(0, 64) != core::ToHex(node)) return std::nullopt;
  return EnvelopeEpoch(row_id);
}

Result<core::CommunityKey> WriteKeyRotation(core::WriteTxn& txn, const Community& community,
                                            const std::vector<core::PublicKey>& recipients) {
  uint32_t highest = 0;
  for (const auto& k : community.keys) highest = std::max(highest, k.epoch());
  if (highest > UINT32_MAX - (1u << 17))
    return Status::InvalidArgument(
        _("this community's key has been replaced too many times to number another"));
  uint32_t epoch = highest + 1 + randombytes_uniform(1u << 16);
  core::CommunityKey key = core::CommunityKey::Generate(epoch);
  Wiped plain;
  EnvelopePlaintext(key, &plain);
  auto write = [&](const core::PublicKey& node, uint32_t e, const std::string& bytes) -> Status {
    QUN_ASSIGN_OR_RETURN(std::string sealed, core::Identity::SealTo(node, bytes));
    return txn
        .Set(core::kKeyEnvelopeTable, EnvelopeRowId(node, e), "sealed",
             Bytes{std::vector<uint8_t>(sealed.begin(), sealed.end())})
        .status();
  };
  for (const core::PublicKey& node : recipients)
    QUN_RETURN_IF_ERROR(write(node, epoch, plain.bytes));
  // The older keys go along to whoever has no envelope of them: a node let
  // in by an owner that had not received a rotation yet lacks that key, and
  // cannot read what was sealed under it until someone passes it on.
  for (const auto& old : community.keys) {
    if (old.epoch() == 0) continue;  // the founding key: every invite holds it
    Wiped older;
    EnvelopePlaintext(old, &older);
    for (const core::PublicKey& node : recipients) {
      QUN_ASSIGN_OR_RETURN(bool held, core::RowLogged(txn.store().db(), core::kKeyEnvelopeTable,
                                                      EnvelopeRowId(node, old.epoch())));
      if (!held) QUN_RETURN_IF_ERROR(write(node, old.epoch(), older.bytes));
    }
  }
  return key;
}

Result<core::CommunityKey> OpenEnvelopeValue(const core::Identity& me, uint32_t epoch,
                                             const Value& value) {
  auto* sealed = std::get_if<Bytes>(&value);
  if (!sealed) return Status::Corruption(_("a key envelope holds no bytes"));
  return OpenEnvelope(
      me, epoch,
      std::string_view(reinterpret_cast<const char*>(sealed->data.data()), sealed->data.size()));
}

Result<core::CommunityKey> OpenEnvelope(const core::Identity& me, uint32_t epoch,
                                        std::string_view sealed) {
  Wiped plain;
  auto opened = me.OpenSealed(sealed);
  if (!opened.ok())
    return Status::Corruption(
        i18n::Format(_("the new community key (epoch {}) sent to this node does not open"), epoch));
  plain.bytes = std::move(*opened);
  if (plain.bytes.size() != 4 + core::CommunityKey::kSize)
    return Status::Corruption(_("a key envelope has the wrong size"));
  uint32_t inside = 0;
  for (int i = 0; i < 4; ++i)
    inside |= static_cast<uint32_t>(static_cast<uint8_t>(plain.bytes[i])) << (8 * i);
  if (inside != epoch)
    return Status::Corruption(_("a key envelope holds another epoch than it says"));
  return core::CommunityKey::FromBytes(epoch,
                                       reinterpret_cast<const uint8_t*>(plain.bytes.data() + 4));
}

}  // namespace qun::sync
