// Helpers for tests of sync/: admins' nodes with in-memory databases on
// fake clocks, in one community, exchanging change sets directly.
#pragma once

#include <doctest/doctest.h>
#include <sodium.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "community/registry.h"
#include "core/state_hash.h"
#include "support/temp_dir.h"
#include "sync/change_set_store.h"

namespace qun::testing {

using sync::Outcome;

inline sync::CommunityId Community(uint8_t fill = 0xC0) {
  sync::CommunityId id;
  id.fill(fill);
  return id;
}

// The community key as bytes, so that each node can hold its own copy.
struct Keyring {
  std::array<uint8_t, core::CommunityKey::kSize> bytes{};
  uint32_t epoch = 0;
  static Keyring New(uint32_t epoch = 0) {
    Keyring r;
    r.epoch = epoch;
    randombytes_buf(r.bytes.data(), r.bytes.size());
    return r;
  }
  core::CommunityKey Make() const { return core::CommunityKey::FromBytes(epoch, bytes.data()); }
};

// One admin's node: identity, in-memory database on its own fake clock.
struct Node {
  testing::TempDir dir;
  core::FakeClock clock;
  std::unique_ptr<core::Identity> id = std::move(core::Identity::Create(dir.path()).value());
  std::unique_ptr<core::Store> store;
  std::unique_ptr<core::Registry> reg;
  sync::Community community;
  std::unique_ptr<sync::ChangeSetStore> sets;

  // A node of the community founded by `founder` (by itself when null).
  // The database is in memory unless `on_disk`, then in the node's folder.
  // `part_bytes` is the part size of large transactions (core/store.h).
  Node(const Keyring& ring, uint64_t now = 1'700'000'000'000, const Node* founder = nullptr,
       sync::CommunityId community_id = Community(), bool on_disk = false,
       int64_t part_bytes = core::kDefaultPartBytes)
      : clock(now) {
    core::StoreOptions options;
    options.clock = &clock;
    options.part_bytes = part_bytes;
    auto opened = on_disk ? core::Store::Create(dir.path() + "/community.db", options)
                          : core::Store::Open(":memory:", options);
    REQUIRE_MESSAGE(opened.ok(), opened.status().message());
    store = std::move(*opened);
    reg = std::make_unique<core::Registry>(*store);
    community.id = community_id;
    community.founder = founder ? founder->id->public_key() : id->public_key();
    community.keys.push_back(ring.Make());
    sets = std::make_unique<sync::ChangeSetStore>(*store, community, *id);
  }

  template <typename Fn>
  void Write(const char* note, Fn fn) {
    auto txn = store->Begin(id->public_key(), note);
    REQUIRE(txn.ok());
    fn(**txn);
    REQUIRE((*txn)->Commit().ok());
    clock.Advance(7);
  }
  // Lets `other` into the community, as `qun invite` does.
  void Invite(const Node& other) {
    Write("invite", [&](core::WriteTxn& t) {
      REQUIRE(t.Set("node", other.id->node_id(), "invited_by", id->node_id()).ok());
    });
  }
  std::string Hash() { return *core::StateHash(store->db()); }
  std::vector<std::string> Outbox(const sync::VersionVector& theirs = {}) {
    auto sealed = sets->SealLocal();
    REQUIRE_MESSAGE(sealed.ok(), sealed.status().message());
    return *sets->Missing(theirs);
  }
  Outcome Take(const std::string& bytes) {
    auto r = sets->Receive(bytes);
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    // As a sync or an import does once a batch is in: role change sets
    // are decided together.
    auto decided = sets->EnsureDecided();
    REQUIRE_MESSAGE(decided.ok(), decided.message());
    return r->outcome;
  }
  // Gives `other` everything it lacks.
  void SendTo(Node& other) {
    REQUIRE(other.sets->SealLocal().ok());
    for (const auto& cs : Outbox(*other.sets->Vector())) other.Take(cs);
  }
};

// A founder and `n` invited nodes, the invites already delivered to all.
inline std::vector<std::unique_ptr<Node>> Founded(const Keyring& ring, int n,
                                                  const std::vector<uint64_t>& clocks = {}) {
  std::vector<std::unique_ptr<Node>> nodes;
  auto now = [&](int i) {
    return i < static_cast<int>(clocks.size()) ? clocks[i] : uint64_t{1'700'000'000'000};
  };
  nodes.push_back(std::make_unique<Node>(ring, now(0)));
  for (int i = 1; i < n; ++i) {
    nodes.push_back(std::make_unique<Node>(ring, now(i), nodes[0].get()));
    nodes[0]->Invite(*nodes[i]);
  }
  for (int i = 1; i < n; ++i) nodes[0]->SendTo(*nodes[i]);
  return nodes;
}

inline core::PersonInput Person(const char* name, const char* wechat) {
  core::PersonInput in;
  in.display_name = name;
  in.add_handles = {*core::NormalizeHandle("wechat", wechat)};
  return in;
}

}  // namespace qun::testing
