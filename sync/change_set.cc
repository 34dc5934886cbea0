#include "sync/change_set.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <fmt/format.h>
#include <kj/exception.h>
#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "schemas/changeset.capnp.h"
#include "sync/capnp_io.h"

namespace qun::sync {
namespace {

constexpr char kSignaturePrefix[] = "qun-changeset-v1";  // 16 bytes, no NUL

Result<ChangeSetHeader> DecodeHeader(std::string_view bytes) {
  return ReadMessage<ChangeSetHeader>(
      bytes, "change set header", [](capnp::MessageReader& reader) -> Result<ChangeSetHeader> {
        auto h = reader.getRoot<schema::ChangeSetHeader>();
        ChangeSetHeader out;
        out.format_version = h.getFormatVersion();
        out.seq = h.getSeq();
        out.key_epoch = h.getKeyEpoch();
        out.continues = h.getContinues();
        auto bad = [](const char* field) {
          return Status::Corruption(
              fmt::format("a change set header is damaged: its {} has the wrong size", field));
        };
        if (!CopyFixed(h.getCommunityId(), &out.community_id)) return bad("community id");
        if (!CopyFixed(h.getAuthor(), &out.author)) return bad("author key");
        if (!CopyFixed(h.getNonce(), &out.nonce)) return bad("nonce");
        if (out.seq == 0) return Status::Corruption("a change set header is damaged: its seq is 0");
        if (out.seq == 1) {
          if (h.getPreviousHash().size() != 0) return bad("previous hash");
        } else {
          Hash previous;
          if (!CopyFixed(h.getPreviousHash(), &previous)) return bad("previous hash");
          out.previous_hash = previous;
        }
        for (auto entry : h.getDependencies()) {
          VersionEntry e;
          if (!CopyFixed(entry.getAuthor(), &e.author)) return bad("dependency author");
          e.seq = entry.getSeq();
          out.dependencies.push_back(e);
        }
        return out;
      });
}

std::string EncodeHeader(const ChangeSetHeader& h) {
  capnp::MallocMessageBuilder message;
  auto b = message.initRoot<schema::ChangeSetHeader>();
  b.setFormatVersion(h.format_version);
  b.setCommunityId(AsData(h.community_id.data(), h.community_id.size()));
  b.setAuthor(AsData(h.author.data(), h.author.size()));
  b.setSeq(h.seq);
  if (h.previous_hash) b.setPreviousHash(AsData(h.previous_hash->data(), h.previous_hash->size()));
  auto deps = b.initDependencies(static_cast<unsigned>(h.dependencies.size()));
  for (size_t i = 0; i < h.dependencies.size(); ++i) {
    deps[i].setAuthor(AsData(h.dependencies[i].author.data(), h.dependencies[i].author.size()));
    deps[i].setSeq(h.dependencies[i].seq);
  }
  b.setKeyEpoch(h.key_epoch);
  b.setContinues(h.continues);
  b.setNonce(AsData(h.nonce.data(), h.nonce.size()));
  return ToBytes(message);
}

// The payload message with `padding` zero bytes of padding (none when 0),
// built in one segment of `first_segment_words` when that is not 0.
std::string BuildPayloadMessage(const Payload& p, size_t padding, unsigned first_segment_words) {
  capnp::MallocMessageBuilder message(
      first_segment_words > 0 ? first_segment_words : capnp::SUGGESTED_FIRST_SEGMENT_WORDS);
  auto b = message.initRoot<schema::Payload>();
  b.setNote(p.note);
  if (padding > 0) b.initPadding(static_cast<unsigned>(padding));  // zero-filled
  auto ops = b.initOps(static_cast<unsigned>(p.ops.size()));
  for (size_t i = 0; i < p.ops.size(); ++i) {
    const core::Op& op = p.ops[i];
    ops[i].setTable(op.table);
    ops[i].setRowId(op.row_id);
    ops[i].setColumn(op.column);
    ops[i].setHlc(op.hlc.packed);
    auto v = ops[i].initValue();
    struct Visitor {
      schema::Value::Builder& v;
      void operator()(std::monostate) { v.setNull(); }
      void operator()(int64_t x) { v.setInt(x); }
      void operator()(double x) { v.setReal(x); }
      void operator()(const std::string& x) { v.setText(x); }
      void operator()(const Bytes& x) { v.setBytes(AsData(x.data.data(), x.data.size())); }
    };
    std::visit(Visitor{v}, op.value);
  }
  return ToBytes(message);
}

// The payload padded to its bucket: measured without padding, then built
// again in one segment with the padding the difference asks for. A blob of
// n bytes (n a multiple of 8) adds exactly n bytes to a one-segment
// message; the loop only corrects for a measurement made of several
// segments. The first is built in one segment as large as the ops' bound
// (core::EncodedSizeBound): in several, a message takes a fifth more bytes
// (the segments' unused ends), and the parts of a large transaction are
// sized by that bound.
std::string EncodePayloadMessage(const Payload& p) {
  size_t bound = 64 + p.note.size();
  for (const core::Op& op : p.ops) bound += static_cast<size_t>(core::EncodedSizeBound(op));
  std::string plain =
      BuildPayloadMessage(p, 0, static_cast<unsigned>(bound / sizeof(capnp::word) + 16));
  const size_t target = PaddedPayloadSize(plain.size());
  const auto words = static_cast<unsigned>(target / sizeof(capnp::word) + 16);
  int64_t padding = static_cast<int64_t>(target) - static_cast<int64_t>(plain.size());
  for (int attempt = 0; attempt < 3 && plain.size() != target; ++attempt) {
    sodium_memzero(plain.data(), plain.size());
    plain = BuildPayloadMessage(p, static_cast<size_t>(std::max<int64_t>(padding, 0)), words);
    padding += static_cast<int64_t>(target) - static_cast<int64_t>(plain.size());
  }
  return plain;
}

Result<Payload> DecodePayload(std::string_view bytes, const core::PublicKey& author) {
  return ReadMessage<Payload>(
      bytes, "change set payload", [&](capnp::MessageReader& reader) -> Result<Payload> {
        auto p = reader.getRoot<schema::Payload>();
        Payload out;
        out.note = p.getNote();
        for (auto op : p.getOps()) {
          core::Op o;
          o.table = op.getTable();
          o.row_id = op.getRowId();
          o.column = op.getColumn();
          o.hlc = core::Hlc{op.getHlc()};
          o.author = author;
          auto v = op.getValue();
          switch (v.which()) {
            case schema::Value::NULL_:
              o.value = std::monostate{};
              break;
            case schema::Value::INT:
              o.value = v.getInt();
              break;
            case schema::Value::REAL:
              o.value = v.getReal();
              break;
            case schema::Value::TEXT:
              o.value = std::string(v.getText());
              break;
            case schema::Value::BYTES: {
              auto d = v.getBytes();
              o.value = Bytes{std::vector<uint8_t>(d.begin(), d.end())};
              break;
            }
            default:
              // A value kind from a newer format: the change set cannot be
              // applied faithfully by this version.
              return Status::Incompatible(
                  "a change set holds a kind of value this qun does not know; upgrade qun");
          }
          out.ops.push_back(std::move(o));
        }
        return out;
      });
}

}  // namespace

std::string EncodePayload(const Payload& payload) { return EncodePayloadMessage(payload); }

std::string ChangeSet::Encode() const {
  capnp::MallocMessageBuilder message;
  auto b = message.initRoot<schema::ChangeSet>();
  b.setHeader(AsData(header));
  b.setCiphertext(AsData(ciphertext));
  b.setSignature(AsData(signature.data(), signature.size()));
  return ToBytes(message);
}

Result<ChangeSet> ChangeSet::Decode(std::string_view bytes) {
  return ReadMessage<ChangeSet>(
      bytes, "change set", [](capnp::MessageReader& reader) -> Result<ChangeSet> {
        auto r = reader.getRoot<schema::ChangeSet>();
        ChangeSet out;
        auto h = r.getHeader();
        out.header.assign(reinterpret_cast<const char*>(h.begin()), h.size());
        auto c = r.getCiphertext();
        out.ciphertext.assign(reinterpret_cast<const char*>(c.begin()), c.size());
        if (!CopyFixed(r.getSignature(), &out.signature))
          return Status::Corruption(
              "a change set is damaged: its signature has the wrong "
              "size");
        return out;
      });
}

std::string ChangeSet::SignedMessage() const {
  std::string m(kSignaturePrefix, sizeof(kSignaturePrefix) - 1);
  uint32_t n = static_cast<uint32_t>(header.size());
  for (int i = 0; i < 4; ++i) m.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  m += header;
  m += ciphertext;
  return m;
}

Hash ChangeSet::ComputeHash() const {
  std::string m = SignedMessage();
  Hash h;
  crypto_generichash(h.data(), h.size(), reinterpret_cast<const uint8_t*>(m.data()), m.size(),
                     nullptr, 0);
  return h;
}

size_t PaddedPayloadSize(size_t encoded) {
  if (encoded <= kPaddingLinearLimit)
    return std::max(kPaddingMinimum,
                    (encoded + kPaddingMinimum - 1) / kPaddingMinimum * kPaddingMinimum);
  size_t step = std::bit_floor(encoded) / 16;
  return (encoded + step - 1) / step * step;
}

Result<ChangeSet> Seal(ChangeSetHeader header, const Payload& payload,
                       const core::CommunityKey& key, const core::Identity& author) {
  std::string plain = EncodePayloadMessage(payload);
  auto sealed = SealEncoded(std::move(header), plain, key, author);
  sodium_memzero(plain.data(), plain.size());
  return sealed;
}

Result<ChangeSet> SealEncoded(ChangeSetHeader header, std::string_view plain,
                              const core::CommunityKey& key, const core::Identity& author) {
  if (header.seq == 0) return Status::Internal("change sets count from seq 1");
  if ((header.seq == 1) != !header.previous_hash)
    return Status::Internal("a change set has a previous hash exactly when its seq is above 1");
  header.author = author.public_key();
  header.key_epoch = key.epoch();
  randombytes_buf(header.nonce.data(), header.nonce.size());

  ChangeSet cs;
  cs.header = EncodeHeader(header);
  cs.ciphertext.resize(plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<uint8_t*>(cs.ciphertext.data()), &written,
      reinterpret_cast<const uint8_t*>(plain.data()), plain.size(),
      reinterpret_cast<const uint8_t*>(cs.header.data()), cs.header.size(), nullptr,
      header.nonce.data(), key.data());
  cs.ciphertext.resize(written);
  cs.signature = author.Sign(cs.SignedMessage());
  return cs;
}

Result<ChangeSetHeader> ReadHeader(const ChangeSet& change_set) {
  return DecodeHeader(change_set.header);
}

Result<ChangeSetHeader> Verify(const ChangeSet& change_set) {
  QUN_ASSIGN_OR_RETURN(ChangeSetHeader header, DecodeHeader(change_set.header));
  if (!core::Identity::Verify(header.author, change_set.SignedMessage(),
                              change_set.signature.data()))
    return Status::BadSignature(fmt::format(
        "change set {} of author {} does not carry that author's signature: it was altered or "
        "forged; it was not applied",
        header.seq, core::ToHex(header.author).substr(0, 8)));
  return header;
}

Result<Payload> Open(const ChangeSet& change_set, const ChangeSetHeader& header,
                     const core::CommunityKey& key) {
  if (header.format_version > kFormatVersion)
    return Status::Incompatible(fmt::format(
        "change set {} of author {} uses format {}, newer than this qun (format {}); upgrade "
        "qun to apply it",
        header.seq, core::ToHex(header.author).substr(0, 8), header.format_version,
        kFormatVersion));
  if (key.epoch() != header.key_epoch)
    return Status::InvalidArgument(
        fmt::format("change set {} is encrypted under the key of epoch {}, not epoch {}",
                    header.seq, header.key_epoch, key.epoch()));
  if (change_set.ciphertext.size() < crypto_aead_xchacha20poly1305_ietf_ABYTES)
    return Status::Corruption("a change set is damaged: its ciphertext is too short");
  std::string plain(change_set.ciphertext.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long plain_size = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<uint8_t*>(plain.data()), &plain_size, nullptr,
          reinterpret_cast<const uint8_t*>(change_set.ciphertext.data()),
          change_set.ciphertext.size(), reinterpret_cast<const uint8_t*>(change_set.header.data()),
          change_set.header.size(), header.nonce.data(), key.data()) != 0)
    return Status::Corruption(fmt::format(
        "change set {} of author {} cannot be decrypted: the community key is wrong or the "
        "change set was damaged",
        header.seq, core::ToHex(header.author).substr(0, 8)));
  plain.resize(plain_size);
  auto payload = DecodePayload(plain, header.author);
  sodium_memzero(plain.data(), plain.size());
  return payload;
}

}  // namespace qun::sync
