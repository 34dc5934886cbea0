#include "sync/change_set.h"

#include <doctest/doctest.h>
#include <sodium.h>

#include <cstdio>
#include <fstream>

#include "support/temp_dir.h"

using namespace qun;
using sync::ChangeSet;
using sync::ChangeSetHeader;

namespace {

struct Author {
  testing::TempDir dir;
  std::unique_ptr<core::Identity> id = std::move(core::Identity::Create(dir.path()).value());
};

ChangeSetHeader Header(uint64_t seq = 1) {
  ChangeSetHeader h;
  h.community_id.fill(0xC1);
  h.seq = seq;
  if (seq > 1) h.previous_hash = sync::Hash{};
  return h;
}

sync::Payload SamplePayload() {
  sync::Payload p;
  p.note = "member add";
  p.ops.push_back(
      {"person", "p1", "display_name", std::string("张伟"), core::Hlc::From(1000, 1), {}});
  p.ops.push_back({"person", "p1", "notes", std::monostate{}, core::Hlc::From(1000, 2), {}});
  p.ops.push_back({"chat_group", "g1", "capacity", int64_t{300}, core::Hlc::From(1001, 0), {}});
  p.ops.push_back({"person", "p1", "city", std::string("007"), core::Hlc::From(1001, 1), {}});
  p.ops.push_back({"x", "r", "c", 2.5, core::Hlc::From(1002, 0), {}});
  p.ops.push_back({"x", "r", "b", Bytes{{0, 1, 255}}, core::Hlc::From(1002, 1), {}});
  return p;
}

ChangeSet SealOk(const Author& a, const core::CommunityKey& key, ChangeSetHeader h = Header()) {
  auto cs = sync::Seal(h, SamplePayload(), key, *a.id);
  REQUIRE_MESSAGE(cs.ok(), cs.status().message());
  return *cs;
}

}  // namespace

TEST_CASE("a sealed change set round-trips through its bytes with every value kind intact") {
  Author a;
  auto key = core::CommunityKey::Generate(0);
  ChangeSet cs = SealOk(a, key);
  auto decoded = ChangeSet::Decode(cs.Encode());
  REQUIRE(decoded.ok());
  CHECK(*decoded == cs);
  auto header = sync::Verify(*decoded);
  REQUIRE_MESSAGE(header.ok(), header.status().message());
  CHECK(header->author == a.id->public_key());
  CHECK(header->seq == 1);
  CHECK(header->community_id == Header().community_id);
  auto payload = sync::Open(*decoded, *header, key);
  REQUIRE_MESSAGE(payload.ok(), payload.status().message());
  CHECK(payload->note == "member add");
  sync::Payload expected = SamplePayload();
  REQUIRE(payload->ops.size() == expected.ops.size());
  for (size_t i = 0; i < expected.ops.size(); ++i) {
    CAPTURE(i);
    CHECK(payload->ops[i].table == expected.ops[i].table);
    CHECK(payload->ops[i].column == expected.ops[i].column);
    CHECK(payload->ops[i].value == expected.ops[i].value);
    CHECK(payload->ops[i].hlc == expected.ops[i].hlc);
    CHECK(payload->ops[i].author == a.id->public_key());
  }
}

TEST_CASE("the payload is not readable in the change set's bytes") {
  Author a;
  auto key = core::CommunityKey::Generate(0);
  std::string bytes = SealOk(a, key).Encode();
  CHECK(bytes.find("张伟") == std::string::npos);
  CHECK(bytes.find("display_name") == std::string::npos);
}

TEST_CASE("each sealing uses a fresh nonce, so equal payloads give different ciphertexts") {
  Author a;
  auto key = core::CommunityKey::Generate(0);
  ChangeSet one = SealOk(a, key), two = SealOk(a, key);
  CHECK(one.ciphertext != two.ciphertext);
  CHECK(one.ComputeHash() != two.ComputeHash());
}

TEST_CASE("a flipped byte anywhere in header, ciphertext or signature is refused") {
  Author a;
  auto key = core::CommunityKey::Generate(0);
  ChangeSet good = SealOk(a, key);
  auto try_apply = [&](const ChangeSet& cs) -> Status {
    auto h = sync::Verify(cs);
    if (!h.ok()) return h.status();
    return sync::Open(cs, *h, key).status();
  };
  REQUIRE(try_apply(good).ok());
  for (size_t i = 0; i < good.header.size(); ++i) {
    ChangeSet bad = good;
    bad.header[i] ^= 0x01;
    CAPTURE(i);
    Status s = try_apply(bad);
    CHECK_FALSE(s.ok());
  }
  for (size_t i = 0; i < good.ciphertext.size(); i += 7) {
    ChangeSet bad = good;
    bad.ciphertext[i] ^= 0x80;
    CHECK(try_apply(bad).code() == Status::Code::kBadSignature);
  }
  for (size_t i = 0; i < good.signature.size(); ++i) {
    ChangeSet bad = good;
    bad.signature[i] ^= 0x01;
    CHECK(try_apply(bad).code() == Status::Code::kBadSignature);
  }
}

TEST_CASE("a change set re-signed by another key under the first author's name is refused") {
  Author a, mallory;
  auto key = core::CommunityKey::Generate(0);
  ChangeSet cs = SealOk(a, key);
  cs.signature = mallory.id->Sign(cs.SignedMessage());
  CHECK(sync::Verify(cs).status().code() == Status::Code::kBadSignature);
}

TEST_CASE("the wrong community key or epoch cannot open a change set") {
  Author a;
  auto key = core::CommunityKey::Generate(0);
  ChangeSet cs = SealOk(a, key);
  auto h = sync::Verify(cs);
  REQUIRE(h.ok());
  auto other = core::CommunityKey::Generate(0);
  CHECK(sync::Open(cs, *h, other).status().code() == Status::Code::kCorruption);
  auto next_epoch = core::CommunityKey::FromBytes(1, key.data());
  CHECK(sync::Open(cs, *h, next_epoch).status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("truncated or garbage bytes are corruption, never a crash") {
  Author a;
  auto key = core::CommunityKey::Generate(0);
  std::string bytes = SealOk(a, key).Encode();
  for (size_t n = 0; n < bytes.size(); n += 3) {
    CAPTURE(n);
    auto cs = ChangeSet::Decode(bytes.substr(0, n));
    if (cs.ok()) {
      CHECK_FALSE(sync::Verify(*cs).ok());
    } else {
      CHECK(cs.status().code() == Status::Code::kCorruption);
    }
  }
  CHECK(ChangeSet::Decode(std::string(64, '\xff')).status().code() == Status::Code::kCorruption);
  CHECK(ChangeSet::Decode(bytes + std::string(8, '\0')).status().code() ==
        Status::Code::kCorruption);
}

TEST_CASE("a change set from a newer format is verified but not opened") {
  Author a;
  auto key = core::CommunityKey::Generate(0);
  ChangeSetHeader h = Header();
  h.format_version = sync::kFormatVersion + 1;
  ChangeSet cs = SealOk(a, key, h);
  auto verified = sync::Verify(cs);
  REQUIRE(verified.ok());
  auto opened = sync::Open(cs, *verified, key);
  CHECK(opened.status().code() == Status::Code::kIncompatible);
  CHECK(opened.status().message().find("upgrade qun") != std::string::npos);
}

TEST_CASE("the chain fields survive: seq, previous hash and dependencies") {
  Author a, b;
  auto key = core::CommunityKey::Generate(0);
  ChangeSet first = SealOk(a, key);
  ChangeSetHeader h = Header(2);
  h.previous_hash = first.ComputeHash();
  h.dependencies = {{a.id->public_key(), 1}, {b.id->public_key(), 7}};
  ChangeSet second = SealOk(a, key, h);
  auto got = sync::Verify(second);
  REQUIRE(got.ok());
  CHECK(got->seq == 2);
  CHECK(got->previous_hash == first.ComputeHash());
  CHECK(got->dependencies == h.dependencies);
}

TEST_CASE("the stock capnp tool decodes a change set header with schemas/") {
  Author a;
  auto key = core::CommunityKey::Generate(0);
  ChangeSetHeader h = Header(3);
  h.previous_hash = sync::Hash{};
  h.previous_hash->fill(0xAB);
  ChangeSet cs = SealOk(a, key, h);
  testing::TempDir dir;
  dir.Write("header.bin", cs.header);
  dir.Write("changeset.bin", cs.Encode());
  auto run = [&](const std::string& type, const std::string& file) {
    std::string cmd = std::string(QUN_CAPNP_TOOL) + " decode " + QUN_SCHEMAS + "/changeset.capnp " +
                      type + " < " + (dir / file) + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    CHECK(pclose(p) == 0);
    return out;
  };
  std::string header = run("ChangeSetHeader", "header.bin");
  CAPTURE(header);
  CHECK(header.find("formatVersion = 1") != std::string::npos);
  CHECK(header.find("seq = 3") != std::string::npos);
  CHECK(header.find("keyEpoch = 0") != std::string::npos);
  std::string whole = run("ChangeSet", "changeset.bin");
  CHECK(whole.find("signature = ") != std::string::npos);
}

TEST_CASE("payloads are padded to their bucket: 1 KiB steps up to 4 KiB, then sixteenths") {
  CHECK(sync::PaddedPayloadSize(8) == 1024);
  CHECK(sync::PaddedPayloadSize(1024) == 1024);
  CHECK(sync::PaddedPayloadSize(1032) == 2048);
  CHECK(sync::PaddedPayloadSize(4096) == 4096);
  CHECK(sync::PaddedPayloadSize(4104) == 4352);      // 4 KiB + 256
  CHECK(sync::PaddedPayloadSize(8200) == 8704);      // 8 KiB + 512
  CHECK(sync::PaddedPayloadSize(100000) == 102400);  // a multiple of 64 KiB / 16
  for (size_t n = 8; n < (size_t{1} << 22); n = n * 3 / 2 + 8) {
    size_t padded = sync::PaddedPayloadSize(n / 8 * 8);
    CHECK(padded >= n / 8 * 8);
    CHECK(padded % 8 == 0);
    if (n > 4096) CHECK(padded - n / 8 * 8 <= n / 16);
  }
  // The encoded payload is exactly its bucket's size, and reads back the
  // same: readers ignore the padding.
  Author a;
  auto key = core::CommunityKey::Generate(0);
  for (int ops : {1, 6, 20, 80, 400}) {
    sync::Payload p;
    p.note = "member add";
    for (int i = 0; i < ops; ++i)
      p.ops.push_back({"person",
                       "p" + std::to_string(i),
                       "display_name",
                       std::string("张伟"),
                       core::Hlc::From(1000, static_cast<uint16_t>(i)),
                       {}});
    std::string plain = sync::EncodePayload(p);
    CHECK(plain.size() == sync::PaddedPayloadSize(plain.size()));
    auto cs = sync::Seal(Header(), p, key, *a.id);
    REQUIRE(cs.ok());
    CHECK(cs->ciphertext.size() == plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    auto opened = sync::Open(*cs, *sync::Verify(*cs), key);
    REQUIRE(opened.ok());
    REQUIRE(opened->ops.size() == p.ops.size());
    CHECK(opened->ops.back().row_id == p.ops.back().row_id);
    CHECK(opened->note == "member add");
  }
}
