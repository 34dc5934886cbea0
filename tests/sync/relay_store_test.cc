#include "sync/relay_store.h"

#include <doctest/doctest.h>

#include "support/temp_dir.h"
#include "sync/change_set.h"

using namespace qun;
using namespace qun::sync;

namespace {

struct Author {
  testing::TempDir dir;
  std::unique_ptr<core::Identity> id = std::move(core::Identity::Create(dir.path()).value());
  std::vector<ChangeSet> chain;

  // The next change set of this author's chain, sealed under `key`.
  std::string Next(const CommunityId& community, const core::CommunityKey& key,
                   const std::string& secret = "张伟") {
    ChangeSetHeader h;
    h.community_id = community;
    h.seq = chain.size() + 1;
    if (!chain.empty()) h.previous_hash = chain.back().ComputeHash();
    Payload p;
    p.ops.push_back({"person",
                     "p" + std::to_string(h.seq),
                     "display_name",
                     secret,
                     core::Hlc::From(1000 + h.seq, 0),
                     {}});
    auto cs = Seal(h, p, key, *id);
    REQUIRE(cs.ok());
    chain.push_back(*cs);
    return cs->Encode();
  }
};

struct Relay {
  testing::TempDir dir;
  std::unique_ptr<RelayStore> store = std::move(RelayStore::Open(dir / "relay.db", 1000).value());
};

CommunityId CommunityOf(uint8_t b) {
  CommunityId c;
  c.fill(b);
  return c;
}

}  // namespace

TEST_CASE("a relay keeps whole chains it cannot read and forwards them in arrival order") {
  Relay relay;
  Author a, b;
  auto key = core::CommunityKey::Generate(0);
  CommunityId c = CommunityOf(1);
  std::string a1 = a.Next(c, key), a2 = a.Next(c, key), b1 = b.Next(c, key), a3 = a.Next(c, key);
  for (const std::string& cs : {a1, a2, b1, a3}) {
    auto r = relay.store->Receive(c, cs);
    REQUIRE(r.ok());
    CHECK_MESSAGE(r->outcome == Outcome::kApplied, r->reason);
  }
  CHECK(relay.store->Receive(c, a2)->outcome == Outcome::kAlreadyHeld);

  auto heads = relay.store->ReadHeads(c);
  REQUIRE(heads.ok());
  VersionVector v = ToVector(*heads);
  CHECK(v[a.id->public_key()] == 3);
  CHECK(v[b.id->public_key()] == 1);
  for (const Head& h : *heads) {
    const auto& chain = h.author == a.id->public_key() ? a.chain : b.chain;
    CHECK(h.hash == chain.back().ComputeHash());
  }
  // Another community's view is empty.
  CHECK(relay.store->ReadHeads(CommunityOf(2))->empty());

  // A node holding a1 gets a2, b1, a3 in the order they arrived.
  Heads theirs{{a.id->public_key(), 1, a.chain[0].ComputeHash(), false}};
  auto ids = relay.store->MissingIds(c, theirs);
  REQUIRE(ids.ok());
  std::vector<std::string> sent;
  for (int64_t id : *ids) sent.push_back(*relay.store->ChangeSetBytes(id));
  CHECK(sent == std::vector<std::string>{a2, b1, a3});
  // A node in step gets nothing.
  CHECK(relay.store->MissingIds(c, *heads)->empty());

  // The totals say what is held.
  auto totals = relay.store->Summarize();
  CHECK(totals->change_sets == 4);
  CHECK(totals->authors == 2);
}

TEST_CASE("a relay refuses forged, foreign and out-of-chain change sets, and keeps one twin") {
  Relay relay;
  Author a;
  auto key = core::CommunityKey::Generate(0);
  CommunityId c = CommunityOf(1);
  std::string a1 = a.Next(c, key);
  std::string a2 = a.Next(c, key);

  // Out of order: seq 2 before seq 1 is not kept (its sender sends it again).
  auto early = relay.store->Receive(c, a2);
  CHECK(early->outcome == Outcome::kPending);
  CHECK(relay.store->ReadHeads(c)->empty());
  CHECK(relay.store->Receive(c, a1)->outcome == Outcome::kApplied);

  // Named for another community than the one the node said.
  auto foreign = relay.store->Receive(CommunityOf(9), a2);
  CHECK(foreign->outcome == Outcome::kRejected);
  CHECK(foreign->reason.find("another community") != std::string::npos);

  // A flipped byte breaks the signature.
  std::string forged = a2;
  forged[forged.size() / 2] ^= 0x40;
  CHECK(relay.store->Receive(c, forged)->outcome == Outcome::kRejected);
  CHECK(relay.store->Receive(c, "not a change set")->outcome == Outcome::kRejected);

  // A chain that does not continue: seq 2 naming another previous hash.
  {
    ChangeSetHeader h;
    h.community_id = c;
    h.seq = 2;
    h.previous_hash = Hash{};
    auto cs = Seal(h, Payload{}, key, *a.id);
    REQUIRE(cs.ok());
    auto r = relay.store->Receive(c, cs->Encode());
    CHECK(r->outcome == Outcome::kRejected);
    CHECK(r->reason.find("chain") != std::string::npos);
  }
  CHECK(relay.store->Receive(c, a2)->outcome == Outcome::kApplied);

  // Two different change sets with seq 2: the second is kept once as
  // evidence and flagged; a third is refused.
  auto twin_of = [&](const std::string& text) {
    ChangeSetHeader h;
    h.community_id = c;
    h.seq = 2;
    h.previous_hash = a.chain[0].ComputeHash();
    Payload p;
    p.note = text;
    auto cs = Seal(h, p, key, *a.id);
    REQUIRE(cs.ok());
    return cs->Encode();
  };
  CHECK(relay.store->Receive(c, twin_of("twin"))->outcome == Outcome::kEquivocation);
  CHECK(relay.store->Receive(c, twin_of("third"))->outcome == Outcome::kRejected);
  auto heads = relay.store->ReadHeads(c);
  REQUIRE(heads->size() == 1);
  CHECK((*heads)[0].forked);
  CHECK((*heads)[0].seq == 2);
  // Both twins go to a node that does not know of the fork (it may hold
  // either); nothing to one that does.
  Heads unaware{{a.id->public_key(), 2, a.chain[1].ComputeHash(), false}};
  CHECK(relay.store->MissingIds(c, unaware)->size() == 2);
  Heads aware = unaware;
  aware[0].forked = true;
  CHECK(relay.store->MissingIds(c, aware)->empty());
}

TEST_CASE("a relay notices a fork behind equal vectors from the head hash and sends its twin") {
  Relay relay;
  Author a;
  auto key = core::CommunityKey::Generate(0);
  CommunityId c = CommunityOf(1);
  std::string a1 = a.Next(c, key), a2 = a.Next(c, key);
  REQUIRE(relay.store->Receive(c, a1)->outcome == Outcome::kApplied);
  REQUIRE(relay.store->Receive(c, a2)->outcome == Outcome::kApplied);
  Heads same{{a.id->public_key(), 2, a.chain[1].ComputeHash(), false}};
  CHECK(relay.store->MissingIds(c, same)->empty());
  Hash other;
  other.fill(0x5A);
  Heads forked_head{{a.id->public_key(), 2, other, false}};
  auto ids = relay.store->MissingIds(c, forked_head);
  REQUIRE(ids->size() == 1);
  CHECK(*relay.store->ChangeSetBytes((*ids)[0]) == a2);
}
