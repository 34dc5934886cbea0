// Forks (ChangeSetStore::Forks): a node that signs two different change
// sets with one number is quarantined on every node that learns of it, until
// an owner says which one every node keeps.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "core/permissions.h"
#include "support/sync_nodes.h"

using namespace qun;
using namespace qun::testing;

namespace {

// A change set of `author` with its next seq, built by hand: what a node
// restored from an old backup (or a stolen key) signs.
struct Forger {
  const Keyring& ring;
  Node& author;
  sync::ChangeSetHeader header;

  Forger(const Keyring& r, Node& a) : ring(r), author(a) {
    header.community_id = Community();
    header.seq = 1;  // unless it wrote before
    // What it had seen: its invite among it, or its role would not count.
    auto vector = author.sets->Vector();
    REQUIRE(vector.ok());
    for (const auto& [key, seq] : *vector)
      if (key != author.id->public_key()) header.dependencies.push_back({key, seq});
    auto heads = author.sets->ReadHeads();
    REQUIRE(heads.ok());
    for (const auto& head : *heads)
      if (head.author == author.id->public_key()) {
        header.seq = head.seq + 1;
        header.previous_hash = head.hash;
      }
  }
  sync::ChangeSet Make(const std::string& person, const char* city, uint64_t ms) {
    sync::Payload p;
    p.ops.push_back({"person", person, "city", std::string(city), core::Hlc::From(ms, 0), {}});
    auto cs = sync::Seal(header, p, ring.Make(), *author.id);
    REQUIRE(cs.ok());
    return *cs;
  }
  sync::ChangeSet MakeOps(std::vector<core::Op> ops) {
    sync::Payload p;
    p.ops = std::move(ops);
    auto cs = sync::Seal(header, p, ring.Make(), *author.id);
    REQUIRE(cs.ok());
    return *cs;
  }
  // The one after `previous`.
  sync::ChangeSet After(const sync::ChangeSet& previous, const std::string& person,
                        const char* city, uint64_t ms) {
    sync::ChangeSetHeader h = header;
    h.seq = header.seq + 1;
    h.previous_hash = previous.ComputeHash();
    sync::Payload p;
    p.ops.push_back({"person", person, "city", std::string(city), core::Hlc::From(ms, 0), {}});
    auto cs = sync::Seal(h, p, ring.Make(), *author.id);
    REQUIRE(cs.ok());
    return *cs;
  }
};

std::string City(Node& n, const std::string& person) {
  auto p = n.reg->GetPerson(person);
  REQUIRE_MESSAGE(p.ok(), p.status().message());
  return p->city;
}

}  // namespace

TEST_CASE("a forked node's later change sets are held until an owner resolves the fork") {
  auto ring = Keyring::New();
  auto nodes = Founded(ring, 3);
  Node &owner = *nodes[0], &forker = *nodes[1], &other = *nodes[2];
  std::string person;
  owner.Write("member add", [&](core::WriteTxn& t) {
    person = *owner.reg->AddPerson(t, Person("张伟", "zw_1"));
  });
  owner.SendTo(forker);
  owner.SendTo(other);

  Forger forge(ring, forker);
  sync::ChangeSet kept = forge.Make(person, "上海", 1'800'000'000'000);
  sync::ChangeSet dropped = forge.Make(person, "广州", 1'800'000'000'001);
  sync::ChangeSet next = forge.After(kept, person, "深圳", 1'800'000'000'002);
  CHECK(owner.Take(kept.Encode()) == Outcome::kApplied);
  CHECK(other.Take(dropped.Encode()) == Outcome::kApplied);
  CHECK(City(owner, person) == "上海");
  CHECK(City(other, person) == "广州");
  CHECK(owner.Take(dropped.Encode()) == Outcome::kEquivocation);
  CHECK(other.Take(kept.Encode()) == Outcome::kEquivocation);

  // Quarantined: what it signs next is held on both.
  for (Node* n : {&owner, &other}) {
    auto r = n->sets->Receive(next.Encode());
    REQUIRE(r.ok());
    CHECK(r->outcome == Outcome::kPending);
    CHECK(r->reason.find("resolve-fork") != std::string::npos);
    CHECK(*n->sets->Quarantined(forker.id->public_key()));
  }
  auto forks = owner.sets->Forks();
  REQUIRE(forks.ok());
  REQUIRE(forks->size() == 1);
  CHECK(forks->at(0).twins.size() == 2);
  CHECK(forks->at(0).applied == kept.ComputeHash());
  CHECK_FALSE(forks->at(0).resolved.has_value());

  // The owner keeps the one it applied; the other node switches to it.
  owner.Write("admin resolve-fork", [&](core::WriteTxn& t) {
    sync::Hash h = kept.ComputeHash();
    REQUIRE(t.Set(core::kForkTable, fmt::format("{}:{}", forker.id->node_id(), forge.header.seq),
                  "keep", Bytes{std::vector<uint8_t>(h.begin(), h.end())})
                .ok());
  });
  REQUIRE(owner.sets->SealLocal().ok());
  REQUIRE(owner.sets->ApplyResolutions().ok());
  REQUIRE(owner.sets->ApplyPending().ok());
  CHECK_FALSE(*owner.sets->Quarantined(forker.id->public_key()));
  CHECK(City(owner, person) == "深圳");
  owner.SendTo(other);
  CHECK_FALSE(*other.sets->Quarantined(forker.id->public_key()));
  CHECK(City(other, person) == "深圳");
  CHECK(owner.Hash() == other.Hash());
  auto held = sync::Summarize(other.store->db());
  REQUIRE(held.ok());
  CHECK(held->pending == 0);
  // The dropped one stays as evidence, on both.
  CHECK(held->equivocation == 1);
}

TEST_CASE("a fork resolution by a node that is not an owner changes nothing") {
  auto ring = Keyring::New();
  Node owner(ring);
  Node viewer(ring, 1'700'000'000'100, &owner);
  Node forker(ring, 1'700'000'000'200, &owner);
  for (Node* n : {&viewer, &forker}) {
    owner.Write("invite", [&](core::WriteTxn& t) {
      REQUIRE(t.Set("node", n->id->node_id(), "invited_by", owner.id->node_id()).ok());
      REQUIRE(
          t.Set(core::kRoleTable, n->id->node_id(), n == &viewer ? "viewer" : "editor", int64_t{1})
              .ok());
    });
  }
  std::string person;
  owner.Write("member add", [&](core::WriteTxn& t) {
    person = *owner.reg->AddPerson(t, Person("张伟", "zw_1"));
  });
  owner.SendTo(viewer);
  owner.SendTo(forker);
  Forger forge(ring, forker);
  sync::ChangeSet a = forge.Make(person, "上海", 1'800'000'000'000);
  sync::ChangeSet b = forge.Make(person, "广州", 1'800'000'000'001);
  for (Node* n : {&owner, &viewer}) {
    n->Take(a.Encode());
    n->Take(b.Encode());
  }
  viewer.Write("admin resolve-fork", [&](core::WriteTxn& t) {
    sync::Hash h = b.ComputeHash();
    REQUIRE(t.Set(core::kForkTable, fmt::format("{}:{}", forker.id->node_id(), forge.header.seq),
                  "keep", Bytes{std::vector<uint8_t>(h.begin(), h.end())})
                .ok());
  });
  viewer.SendTo(owner);
  CHECK(*owner.sets->Quarantined(forker.id->public_key()));
  CHECK(City(owner, person) == "上海");
}

TEST_CASE("what a change set taken out by a fork resolution granted is taken out with it") {
  auto ring = Keyring::New();
  auto nodes = Founded(ring, 3);
  Node &owner = *nodes[0], &forker = *nodes[1], &other = *nodes[2];
  Node editor(ring, 1'700'000'000'900, &owner);
  for (const auto& cs : owner.Outbox()) editor.Take(cs);
  for (Node* n : {&forker, &other}) owner.SendTo(*n);
  // One twin lets a new editor in, the other renames the forker.
  Forger forge(ring, forker);
  core::Hlc at = core::Hlc::From(1'700'000'001'000, 0);
  sync::ChangeSet invites =
      forge.MakeOps({{"node", editor.id->node_id(), "invited_by", forker.id->node_id(), at, {}},
                     {core::kRoleTable, editor.id->node_id(), "editor", int64_t{1}, at, {}}});
  sync::ChangeSet renames =
      forge.MakeOps({{"node", forker.id->node_id(), "name", std::string("fk"), at, {}}});
  CHECK(editor.Take(invites.Encode()) == Outcome::kApplied);
  CHECK(other.Take(invites.Encode()) == Outcome::kApplied);
  editor.Write("member add", [&](core::WriteTxn& t) {
    REQUIRE(editor.reg->AddPerson(t, Person("李四", "ls_1")).ok());
  });
  REQUIRE(editor.sets->SealLocal().ok());
  for (const auto& cs : editor.Outbox(*other.sets->Vector())) other.Take(cs);
  CHECK(owner.Take(renames.Encode()) == Outcome::kApplied);
  CHECK(owner.Take(invites.Encode()) == Outcome::kEquivocation);
  // The owner keeps the rename; the other node takes the invite out, and
  // with it the editor's role and what it wrote.
  owner.Write("admin resolve-fork", [&](core::WriteTxn& t) {
    sync::Hash h = renames.ComputeHash();
    REQUIRE(t.Set(core::kForkTable, fmt::format("{}:{}", forker.id->node_id(), forge.header.seq),
                  "keep", Bytes{std::vector<uint8_t>(h.begin(), h.end())})
                .ok());
  });
  owner.SendTo(other);
  other.Take(renames.Encode());
  auto roles =
      core::CurrentRoles(other.store->db(), editor.id->public_key(), owner.id->public_key());
  REQUIRE(roles.ok());
  CHECK(roles->held.empty());
  auto people = other.reg->ListPeople({});
  REQUIRE(people.ok());
  CHECK(people->empty());
  CHECK(other.Hash() == owner.Hash());
}
