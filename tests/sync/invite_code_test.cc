#include "sync/invite_code.h"

#include <doctest/doctest.h>
#include <sodium.h>

#include "core/store.h"

using namespace qun;
using namespace qun::sync;

namespace {

InviteCode Sample() {
  InviteCode c;
  c.community.fill(0xC1);
  uint8_t secret_key[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(c.inviter.data(), secret_key);  // a real node id
  c.secret.fill(0x5E);
  c.expires_unix_s = 1'800'000'000;
  c.address = "tcp://192.168.1.20:7447";
  return c;
}

std::unique_ptr<core::Store> Memory() {
  return std::move(core::Store::Open(":memory:", core::StoreOptions{}).value());
}

}  // namespace

TEST_CASE("an invite code round-trips through its text and fits in a chat message") {
  InviteCode c = Sample();
  std::string text = FormatInviteCode(c);
  CHECK(text.rfind("qun1-", 0) == 0);
  CHECK(text.size() < 200);
  auto back = ParseInviteCode(text);
  REQUIRE_MESSAGE(back.ok(), back.status().message());
  CHECK(back->community == c.community);
  CHECK(back->inviter == c.inviter);
  CHECK(back->secret == c.secret);
  CHECK(back->expires_unix_s == c.expires_unix_s);
  CHECK(back->address == c.address);
  // Pasted with spaces around it, or shouted by a chat app: still the code.
  std::string upper = text;
  for (size_t i = 5; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  CHECK(ParseInviteCode("  " + upper + "\n").ok());
  // Wrapped over lines by a chat app.
  CHECK(ParseInviteCode(text.substr(0, 40) + "\n" + text.substr(40)).ok());
}

TEST_CASE("a mistyped or cut invite code is refused before anything connects") {
  std::string text = FormatInviteCode(Sample());
  for (size_t at : {size_t{6}, text.size() / 2, text.size() - 1}) {
    std::string typo = text;
    typo[at] = typo[at] == 'a' ? 'b' : 'a';
    auto r = ParseInviteCode(typo);
    CHECK(r.status().code() == Status::Code::kCorruption);
    CHECK(r.status().message().find("Copy the whole code") != std::string::npos);
  }
  CHECK_FALSE(ParseInviteCode(text.substr(0, text.size() - 6)).ok());
  CHECK_FALSE(ParseInviteCode("qun1-").ok());
  CHECK_FALSE(ParseInviteCode("hello").ok());
  CHECK_FALSE(ParseInviteCode(text + "!").ok());
}

TEST_CASE("an invite secret is spent once, and only its own answer goes again to its node") {
  auto store = Memory();
  core::Database& db = store->db();
  const int64_t now = 1'800'000'000'000;
  std::string group(32, 'a');
  auto secret = NewInviteSecret(db, "李娜", now + 60'000, {{core::Role::kAdmin, group}});
  REQUIRE(secret.ok());
  std::string s(reinterpret_cast<const char*>(secret->data()), secret->size());
  // The code keeps the name and the role it gives.
  auto grant = InviteCodeGrant(db, s);
  REQUIRE(grant.ok());
  CHECK(grant->name == "李娜");
  REQUIRE(grant->roles.size() == 1);
  CHECK(grant->roles[0] == core::RoleKey{core::Role::kAdmin, group});
  CHECK(*OpenInviteCodes(db, now) == 1);
  core::PublicKey joiner, other;
  joiner.fill(1);
  other.fill(2);

  std::string wrong = s;
  wrong[0] ^= 1;
  auto bad = SpendInviteSecret(db, wrong, joiner, now);
  CHECK(bad.status().code() == Status::Code::kDenied);
  CHECK(bad.status().message().find("not one this node gave out") != std::string::npos);

  // Before it is spent, no member can take it as "its invite again".
  std::vector<core::RoleKey> admin{{core::Role::kAdmin, group}};
  auto absorbed = DeliveredInvite(db, s, joiner, admin, now);
  CHECK(absorbed.status().code() == Status::Code::kDenied);
  CHECK(absorbed.status().message().find("not spent on your node") != std::string::npos);

  auto name = SpendInviteSecret(db, s, joiner, now);
  REQUIRE(name.ok());
  CHECK(*name == "李娜");
  CHECK(*OpenInviteCodes(db, now) == 0);
  // Spent: never again as a guest, not even by the same node.
  auto reused = SpendInviteSecret(db, s, joiner, now + 1000);
  CHECK(reused.status().code() == Status::Code::kDenied);
  CHECK(reused.status().message().find("used already") != std::string::npos);
  CHECK(SpendInviteSecret(db, s, other, now + 1000).status().code() == Status::Code::kDenied);

  // Its answer, once kept, goes again to that node alone, byte for byte,
  // while it holds exactly the code's roles and the code has not expired.
  CHECK(DeliveredInvite(db, s, joiner, admin, now + 1000).status().code() ==
        Status::Code::kDenied);  // nothing kept yet
  REQUIRE(RecordDeliveredInvite(db, s, "the invite bytes").ok());
  REQUIRE(RecordDeliveredInvite(db, s, "other bytes").ok());  // the first one stays
  auto again = DeliveredInvite(db, s, joiner, admin, now + 1000);
  REQUIRE(again.ok());
  CHECK(*again == "the invite bytes");
  CHECK_FALSE(DeliveredInvite(db, s, other, admin, now + 1000).ok());
  auto demoted = DeliveredInvite(db, s, joiner, {{core::Role::kViewer, ""}}, now + 1000);
  CHECK(demoted.status().code() == Status::Code::kDenied);
  CHECK(demoted.status().message().find("roles changed") != std::string::npos);
  auto more = DeliveredInvite(db, s, joiner, {admin[0], {core::Role::kViewer, ""}}, now + 1000);
  CHECK(more.status().code() == Status::Code::kDenied);
  CHECK_FALSE(DeliveredInvite(db, s, joiner, {}, now + 1000).ok());  // removed
  auto stale = DeliveredInvite(db, s, joiner, admin, now + 61'000);
  CHECK(stale.status().code() == Status::Code::kDenied);
  CHECK(stale.status().message().find("expired") != std::string::npos);

  auto late = NewInviteSecret(db, "", now + 1000, {{core::Role::kViewer, ""}});
  REQUIRE(late.ok());
  std::string l(reinterpret_cast<const char*>(late->data()), late->size());
  CHECK(*OpenInviteCodes(db, now) == 1);
  CHECK(*OpenInviteCodes(db, now + 2000) == 0);
  auto expired = SpendInviteSecret(db, l, joiner, now + 2000);
  CHECK(expired.status().code() == Status::Code::kDenied);
  CHECK(expired.status().message().find("expired") != std::string::npos);
  // A code made before roles existed (no roles recorded) makes an owner.
  REQUIRE(db.Exec("UPDATE invite_code SET roles = NULL").ok());
  auto old = InviteCodeGrant(db, l);
  REQUIRE(old.ok());
  REQUIRE(old->roles.size() == 1);
  CHECK(old->roles[0].role == core::Role::kOwner);
  CHECK(InviteCodeGrant(db, wrong).status().code() == Status::Code::kNotFound);
  // Only hashes are kept: the secret itself is nowhere in the database.
  auto rows = db.Prepare("SELECT secret_hash FROM invite_code");
  while (*rows->Step()) CHECK(rows->BlobView(0) != std::string_view(s));
}
