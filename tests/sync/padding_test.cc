// Padding of change-set payloads (docs/protocol.md, "Padding"): different
// small commands seal to ciphertexts of one size, so that a relay cannot
// tell them apart by their size, and they still open and apply elsewhere.
#include <doctest/doctest.h>
#include <sodium.h>

#include <set>

#include "community/warnings.h"
#include "support/sync_nodes.h"
#include "sync/change_set.h"

using namespace qun;
using namespace qun::testing;

TEST_CASE("different small commands seal to one size and still apply on another node") {
  auto ring = Keyring::New();
  Node a(ring);
  Node b(ring, 1'700'000'000'100, &a);
  a.Invite(b);
  std::string group, person;
  a.Write("group add", [&](core::WriteTxn& t) {
    core::GroupInput g;
    g.name = "北京群";
    group = *a.reg->AddGroup(t, g);
  });
  a.Write("member add", [&](core::WriteTxn& t) {
    core::PersonInput p;
    p.display_name = "张伟";
    person = *a.reg->AddPerson(t, p);
    REQUIRE(a.reg->Join(t, group, person, "member", std::nullopt).ok());
  });
  REQUIRE(a.sets->SealLocal().ok());
  auto count = [&] {
    auto s = a.store->db().Prepare("SELECT count(*) FROM change_set WHERE author = ?");
    s->Bind(1, Blob(a.id->public_key()));
    REQUIRE(*s->Step());
    return s->Int(0);
  };
  int64_t first_small = count() + 1;

  // Four commands that write different tables, numbers and lengths of ops.
  a.Write("group edit", [&](core::WriteTxn& t) {
    core::GroupInput g;
    g.capacity = 300;
    REQUIRE(a.reg->EditGroup(t, group, g).ok());
  });
  a.Write("member edit", [&](core::WriteTxn& t) {
    core::PersonInput p;
    p.city = "上海";
    p.add_tags = {"摄影"};
    REQUIRE(a.reg->EditPerson(t, person, p).ok());
  });
  a.Write("warn", [&](core::WriteTxn& t) {
    REQUIRE(core::GiveWarning(t, group, person, "发广告", a.id->node_id()).ok());
  });
  a.Write("member set-status", [&](core::WriteTxn& t) {
    REQUIRE(a.reg->SetMembershipStatus(t, group, person, "muted").ok());
  });
  REQUIRE(a.sets->SealLocal().ok());

  auto s = a.store->db().Prepare(
      "SELECT bytes FROM change_set WHERE author = ? AND seq >= ? ORDER BY seq");
  s->Bind(1, Blob(a.id->public_key())).Bind(2, first_small);
  std::set<size_t> sizes;
  int sealed = 0;
  while (*s->Step()) {
    auto cs = sync::ChangeSet::Decode(s->BlobView(0));
    REQUIRE(cs.ok());
    sizes.insert(cs->ciphertext.size());
    ++sealed;
  }
  CHECK(sealed == 4);
  CHECK(sizes ==
        std::set<size_t>{sync::kPaddingMinimum + crypto_aead_xchacha20poly1305_ietf_ABYTES});

  a.SendTo(b);
  CHECK(a.Hash() == b.Hash());
  CHECK(b.reg->GetPerson(person)->city == "上海");
  CHECK(*core::WarningCount(*b.store, group, person) == 1);
}
