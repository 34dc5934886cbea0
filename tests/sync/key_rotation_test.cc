// Removing a node and rotating the community key (sync/key_rotation.h): the
// nodes that remain take the new key, the removed one cannot read what is
// written after it, whoever passes it the change sets.
#include "sync/key_rotation.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "core/permissions.h"
#include "support/sync_nodes.h"

using namespace qun;
using namespace qun::testing;

namespace {

// `qun admin remove`: the removed node's roles revoked and a new key for
// the others, in one change set.
uint32_t Remove(Node& owner, const Node& removed, const std::vector<const Node*>& remaining) {
  uint32_t epoch = 0;
  owner.Write("admin remove", [&](core::WriteTxn& t) {
    REQUIRE(t.Set(core::kRoleTable, removed.id->node_id(), "owner", int64_t{0}).ok());
    std::vector<core::PublicKey> to;
    for (const Node* n : remaining) to.push_back(n->id->public_key());
    auto key = sync::WriteKeyRotation(t, owner.community, to);
    REQUIRE_MESSAGE(key.ok(), key.status().message());
    epoch = key->epoch();
  });
  REQUIRE(owner.sets->SealLocal().ok());
  auto claimed = owner.sets->ClaimKeys();
  REQUIRE(claimed.ok());
  CHECK(*claimed == 1);
  return epoch;
}

bool HasPerson(Node& n, const char* wechat) {
  auto h = core::NormalizeHandle("wechat", wechat);
  auto found = n.reg->FindByHandle(*h);
  REQUIRE(found.ok());
  return found->has_value();
}

}  // namespace

TEST_CASE("a removed node cannot connect or read what is written after the key rotation") {
  auto ring = Keyring::New();
  auto nodes = Founded(ring, 3);
  Node &owner = *nodes[0], &stays = *nodes[1], &removed = *nodes[2];
  for (Node* n : {&stays, &removed}) owner.SendTo(*n);

  uint32_t epoch = Remove(owner, removed, {&owner, &stays});
  CHECK(epoch > 0);
  CHECK(owner.community.Current().epoch() == epoch);
  owner.Write("member add", [&](core::WriteTxn& t) {
    REQUIRE(owner.reg->AddPerson(t, Person("秘密", "secret_1")).ok());
  });

  // The removed node gets every change set (from a relay, say): it applies
  // the rotation, sealed under the old key, and nothing after it.
  for (const auto& cs : owner.Outbox(*removed.sets->Vector())) removed.Take(cs);
  CHECK_FALSE(HasPerson(removed, "secret_1"));
  CHECK(removed.community.keys.size() == 1);
  auto held = sync::Summarize(removed.store->db());
  REQUIRE(held.ok());
  CHECK(held->rejected == 1);
  auto refusals = sync::ListRefusals(removed.store->db());
  REQUIRE(refusals.ok());
  REQUIRE(refusals->size() == 1);
  CHECK(refusals->at(0).reason.find("does not hold") != std::string::npos);

  // The node that stays takes the new key and reads on.
  owner.SendTo(stays);
  CHECK(stays.community.Key(epoch) != nullptr);
  CHECK(HasPerson(stays, "secret_1"));
  CHECK(stays.Hash() == owner.Hash());
  // What it writes next is sealed under the new key.
  stays.Write("member add", [&](core::WriteTxn& t) {
    REQUIRE(stays.reg->AddPerson(t, Person("李娜", "ln_1")).ok());
  });
  for (const auto& cs : stays.Outbox(*removed.sets->Vector())) removed.Take(cs);
  CHECK_FALSE(HasPerson(removed, "ln_1"));
  stays.SendTo(owner);
  CHECK(HasPerson(owner, "ln_1"));

  // Nobody lets it connect any more.
  for (Node* n : {&owner, &stays}) {
    auto members = n->sets->Members();
    REQUIRE(members.ok());
    CHECK(std::find(members->begin(), members->end(), removed.id->public_key()) == members->end());
  }
  // What it writes after the removal does not count anywhere.
  removed.Write("group add", [&](core::WriteTxn& t) {
    core::GroupInput g;
    g.name = "removed was here";
    REQUIRE(removed.reg->AddGroup(t, g).ok());
  });
  for (const auto& cs : removed.Outbox(*owner.sets->Vector())) owner.Take(cs);
  auto groups = owner.reg->ListGroups(true);
  REQUIRE(groups.ok());
  CHECK(groups->empty());
}

TEST_CASE("a key envelope opens only for its node, and only with its epoch") {
  auto ring = Keyring::New();
  auto nodes = Founded(ring, 2);
  Node &a = *nodes[0], &b = *nodes[1];
  std::string sealed;
  uint32_t epoch = 0;
  a.Write("key rotate", [&](core::WriteTxn& t) {
    auto key = sync::WriteKeyRotation(t, a.community, {b.id->public_key()});
    REQUIRE(key.ok());
    epoch = key->epoch();
  });
  auto s = a.store->db().Prepare("SELECT row_id, value FROM op WHERE tbl = 'key_envelope'");
  REQUIRE(s.ok());
  REQUIRE(*s->Step());
  std::string row = s->Text(0);
  sealed = std::string(s->BlobView(1));
  CHECK(sync::EnvelopeEpochFor(row, b.id->public_key()) == epoch);
  CHECK_FALSE(sync::EnvelopeEpochFor(row, a.id->public_key()).has_value());
  CHECK_FALSE(sync::EnvelopeEpoch("nope:12").has_value());
  CHECK(sync::OpenEnvelope(*b.id, epoch, sealed).ok());
  CHECK(sync::OpenEnvelope(*b.id, epoch + 1, sealed).status().code() == Status::Code::kCorruption);
  CHECK(sync::OpenEnvelope(*a.id, epoch, sealed).status().code() == Status::Code::kCorruption);
  std::string damaged = sealed;
  damaged[damaged.size() / 2] ^= 1;
  CHECK_FALSE(sync::OpenEnvelope(*b.id, epoch, damaged).ok());
}

TEST_CASE("a rotation by a node that is not an owner gives nobody a key") {
  auto ring = Keyring::New();
  Node owner(ring);
  Node viewer(ring, 1'700'000'000'100, &owner);
  Node other(ring, 1'700'000'000'200, &owner);
  for (Node* n : {&viewer, &other}) {
    owner.Write("invite", [&](core::WriteTxn& t) {
      REQUIRE(t.Set("node", n->id->node_id(), "invited_by", owner.id->node_id()).ok());
      REQUIRE(t.Set(core::kRoleTable, n->id->node_id(), "viewer", int64_t{1}).ok());
    });
  }
  owner.SendTo(viewer);
  owner.SendTo(other);
  viewer.Write("key rotate", [&](core::WriteTxn& t) {
    REQUIRE(sync::WriteKeyRotation(t, viewer.community, {other.id->public_key()}).ok());
  });
  viewer.SendTo(other);
  CHECK(other.community.keys.size() == 1);
  auto refusals = sync::ListRefusals(other.store->db());
  REQUIRE(refusals.ok());
  CHECK(refusals->size() == 1);
}

TEST_CASE("a node let in by an owner behind on a rotation gets that key with the next one") {
  auto ring = Keyring::New();
  auto nodes = Founded(ring, 2);
  Node &owner = *nodes[0], &behind = *nodes[1];
  owner.SendTo(behind);
  Node late(ring, 1'700'000'000'500, &owner);
  // The owner rotates and writes under the new key; `behind` (an owner
  // too) has not received it when it lets a new node in.
  uint32_t first = 0;
  owner.Write("key rotate", [&](core::WriteTxn& t) {
    auto key = sync::WriteKeyRotation(t, owner.community,
                                      {owner.id->public_key(), behind.id->public_key()});
    REQUIRE(key.ok());
    first = key->epoch();
  });
  REQUIRE(owner.sets->SealLocal().ok());
  REQUIRE(*owner.sets->ClaimKeys() == 1);
  owner.Write("member add", [&](core::WriteTxn& t) {
    REQUIRE(owner.reg->AddPerson(t, Person("张伟", "zw_1")).ok());
  });
  behind.Invite(late);
  behind.SendTo(late);
  owner.SendTo(late);
  CHECK_FALSE(HasPerson(late, "zw_1"));  // sealed under a key it lacks
  // Once the owner knows of it, its next rotation passes the older key on.
  behind.SendTo(owner);
  owner.Write("key rotate", [&](core::WriteTxn& t) {
    REQUIRE(sync::WriteKeyRotation(
                t, owner.community,
                {owner.id->public_key(), behind.id->public_key(), late.id->public_key()})
                .ok());
  });
  REQUIRE(owner.sets->SealLocal().ok());
  owner.SendTo(late);
  CHECK(late.community.Key(first) != nullptr);
  CHECK(late.community.keys.size() == 3);
  CHECK(HasPerson(late, "zw_1"));
  auto held = sync::Summarize(late.store->db());
  REQUIRE(held.ok());
  CHECK(held->rejected == 0);
}

TEST_CASE("the key of a rotation that does not count is never sealed with") {
  auto ring = Keyring::New();
  auto nodes = Founded(ring, 3);
  Node &founder = *nodes[0], &demoted = *nodes[1], &member = *nodes[2];
  founder.SendTo(demoted);
  founder.SendTo(member);
  // The founder takes ownership from `demoted`, which, at the same time,
  // rotates the key for itself and `member`.
  founder.Write("admin revoke", [&](core::WriteTxn& t) {
    REQUIRE(t.Set(core::kRoleTable, demoted.id->node_id(), "owner", int64_t{0}).ok());
  });
  uint32_t epoch = 0;
  demoted.Write("key rotate", [&](core::WriteTxn& t) {
    auto key = sync::WriteKeyRotation(t, demoted.community,
                                      {demoted.id->public_key(), member.id->public_key()});
    REQUIRE(key.ok());
    epoch = key->epoch();
  });
  demoted.SendTo(member);
  CHECK(member.community.Key(epoch) != nullptr);  // it counted, for now
  founder.SendTo(member);                         // the revocation wins
  member.Write("member add", [&](core::WriteTxn& t) {
    REQUIRE(member.reg->AddPerson(t, Person("李娜", "ln_1")).ok());
  });
  auto newest = sync::ChangeSet::Decode(member.Outbox(*founder.sets->Vector()).back());
  REQUIRE(newest.ok());
  auto header = sync::ReadHeader(*newest);
  REQUIRE(header.ok());
  CHECK(header->key_epoch == 0);
  member.SendTo(founder);
  CHECK(HasPerson(founder, "ln_1"));
}
