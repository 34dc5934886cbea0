// Files that crossed the wire from an earlier version must keep working:
// the frozen bundle, invite, node key and change set of tests/compat/wire/
// (made once by wire/make.sh; tests/compat/README.md says how and what they
// must give). A fresh home with the frozen invitee's identity joins with the
// frozen invite, imports the frozen bundle and must reach the recorded state
// hash; the single change set must decode, verify and open as recorded.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/identity.h"
#include "support/cli_runner.h"
#include "support/cli_steps.h"
#include "support/temp_dir.h"
#include "sync/bundle.h"
#include "sync/change_set.h"
#include "sync/invite.h"

using namespace qun;
using nlohmann::json;
using qun::testing::ListedNames;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::ReadFile;
using qun::testing::StateHashOf;
using qun::testing::TempHome;
using qun::testing::WriteFile;

namespace {

// What wire/make.sh printed when the files were made (README.md).
constexpr char kStateHash[] = "0652a9e8b6e11b4ade796b5fb42471ecfe2f2b4cfd2b7f5b5c5c0d3cf894e65d";
constexpr char kCommunityId[] = "967a320cb33ef19f9f80e2f9b4eba99e";
constexpr char kFounder[] = "a5bba1f1dbdb684305c4ef494a9aef6cefe621ae860821ab6a358b05e5111ec7";
constexpr char kSecondAdmin[] = "7bbcca0114072a4a759478884e5036ef1fb9826d2b35108760726119065851b0";
constexpr char kInvitee[] = "6149bf98d0ffdcbb70707ce520a83bed38dd147c2201a5029d6aa8f15c72b38c";
constexpr uint64_t kBundleChangeSets = 17;
constexpr uint64_t kChangeSetSeq = 3;
constexpr char kChangeSetHash[] = "81f1bf496dbe8312e9e4b1bb8ec119c2e693a491eaff6cea88b9014743ec4015";

std::string Wire(const std::string& name) {
  return std::string(QUN_TEST_DATA) + "/../compat/wire/" + name;
}

// The frozen invitee's identity in `home` (a folder of its own), key 0600
// as qun wants it (git keeps no modes).
void PutIdentity(const std::string& home) {
  WriteFile(home + "/node.key", ReadFile(Wire("node.key")));
  WriteFile(home + "/node.pub", ReadFile(Wire("node.pub")));
  REQUIRE(chmod((home + "/node.key").c_str(), 0600) == 0);
}

}  // namespace

TEST_SUITE("compat wire") {
  TEST_CASE("the frozen invitee joins with the frozen invite, imports the bundle, same state") {
    TempHome h;
    Ok(h, {"init", "--join", "--admin", "王五"});
    PutIdentity(h.home());
    CHECK(ReadFile(h.InHome("node.pub")).substr(0, 64) == kInvitee);

    Ok(h, {"join", Wire("invite.qun")});
    json joined = OkJson(h, {"status"});
    CHECK(joined.at("community_id") == kCommunityId);
    CHECK(joined.at("node_id") == kInvitee);

    Ok(h, {"bundle", "import", Wire("community.qunb")});
    CHECK(StateHashOf(h) == kStateHash);

    json s = OkJson(h, {"status"});
    CHECK(s.at("community") == "湾区读书会");
    CHECK(s.at("groups") == 2);
    CHECK(s.at("people") == 4);
    CHECK(ListedNames(h) == std::set<std::string>{"张伟", "李娜", "陈静", "赵磊"});
    CHECK(ListedNames(h, {"--group", "北京读书群"}) ==
          std::set<std::string>{"张伟", "陈静", "赵磊"});
    CHECK(ListedNames(h, {"--group", "上海读书群"}) == std::set<std::string>{"李娜", "陈静"});

    // The roles: the founder, the second admin (admin of 北京读书群 and
    // member-editor by a grant of its own), the invitee a viewer.
    std::set<std::string> roles;
    for (const json& n : OkJson(h, {"admin", "list"})) {
      std::string name = n.at("name").get<std::string>();  // "刘洋 (7bbcca01)"
      for (const json& r : n.at("roles"))
        roles.insert(name.substr(0, name.find(' ')) + ":" + r.at("role").get<std::string>());
    }
    CHECK(roles.count("刘洋:admin") == 1);
    CHECK(roles.count("刘洋:editor") == 1);
    CHECK(roles.count("王五:viewer") == 1);

    // Importing it again changes nothing.
    Ok(h, {"bundle", "import", Wire("community.qunb")});
    CHECK(StateHashOf(h) == kStateHash);
  }

  TEST_CASE("the frozen bundle reads as the recorded community's change sets") {
    auto reader = sync::BundleReader::Open(Wire("community.qunb"));
    REQUIRE_MESSAGE(reader.ok(), reader.status().message());
    CHECK(core::ToHex((*reader)->community()) == kCommunityId);
    std::set<std::string> authors;
    bool holds_change_set = false;
    std::string single = ReadFile(Wire("change-set.bin"));
    while (true) {
      auto next = (*reader)->Next();
      REQUIRE_MESSAGE(next.ok(), next.status().message());
      if (!next->has_value()) break;
      auto cs = sync::ChangeSet::Decode(**next);
      REQUIRE_MESSAGE(cs.ok(), cs.status().message());
      auto header = sync::Verify(*cs);
      REQUIRE_MESSAGE(header.ok(), header.status().message());
      CHECK(core::ToHex(header->community_id) == kCommunityId);
      authors.insert(core::ToHex(header->author));
      if (**next == single) holds_change_set = true;
    }
    CHECK((*reader)->count() == kBundleChangeSets);
    CHECK(authors == std::set<std::string>{kFounder, kSecondAdmin});
    CHECK(holds_change_set);
  }

  TEST_CASE("the frozen change set decodes, verifies and opens with the invite's key") {
    std::string bytes = ReadFile(Wire("change-set.bin"));
    auto cs = sync::ChangeSet::Decode(bytes);
    REQUIRE_MESSAGE(cs.ok(), cs.status().message());
    CHECK(cs->Encode() == bytes);
    auto header = sync::Verify(*cs);
    REQUIRE_MESSAGE(header.ok(), header.status().message());
    CHECK(header->format_version == 1);
    CHECK(core::ToHex(header->community_id) == kCommunityId);
    CHECK(core::ToHex(header->author) == kSecondAdmin);
    CHECK(header->seq == kChangeSetSeq);
    CHECK(header->previous_hash.has_value());
    CHECK(core::ToHex(cs->ComputeHash()) == kChangeSetHash);

    // One flipped bit of the ciphertext and the signature no longer holds.
    sync::ChangeSet altered = *cs;
    altered.ciphertext[altered.ciphertext.size() / 2] ^= 1;
    CHECK_FALSE(sync::Verify(altered).ok());

    // The invite, opened by the library with the frozen identity (invite
    // files carry no expiry; nothing here depends on the date), gives the
    // community key the change set was sealed with.
    qun::testing::TempDir dir;
    PutIdentity(dir.path());
    auto me = core::Identity::Load(dir.path());
    REQUIRE_MESSAGE(me.ok(), me.status().message());
    auto invite = sync::OpenInvite(ReadFile(Wire("invite.qun")), **me);
    REQUIRE_MESSAGE(invite.ok(), invite.status().message());
    CHECK(core::ToHex(invite->community.id) == kCommunityId);
    CHECK(core::ToHex(invite->community.founder) == kFounder);
    CHECK(core::ToHex(invite->inviter) == kFounder);
    CHECK(invite->roles == std::vector<core::RoleKey>{{core::Role::kViewer, ""}});
    const core::CommunityKey* key = invite->community.Key(header->key_epoch);
    REQUIRE(key != nullptr);
    auto payload = sync::Open(*cs, *header, *key);
    REQUIRE_MESSAGE(payload.ok(), payload.status().message());
    // The second admin's sign-up of 赵磊 for the event.
    bool signup = std::any_of(payload->ops.begin(), payload->ops.end(), [](const core::Op& op) {
      return op.table == "signup" && op.column == "person_id";
    });
    CHECK_MESSAGE(signup, "note: " << payload->note);
    CHECK(payload->note.find("signup") != std::string::npos);

    // Opening it for another node fails.
    qun::testing::TempDir other;
    auto stranger = core::Identity::Create(other.path());
    REQUIRE(stranger.ok());
    CHECK_FALSE(sync::OpenInvite(ReadFile(Wire("invite.qun")), **stranger).ok());
  }
}
