// What the fuzz targets and the corpus maker share: one community with fixed
// keys, and nodes of it on in-memory databases.
//
// The keys are fixed so that the seeds the corpus maker signs and encrypts
// (tests/fuzz/corpus/) are valid change sets, bundles and invite codes for
// the targets in every later run. They protect nothing: they exist only here.
//
// A target must behave the same for the same input, so each input gets a
// new node (FreshNode), which first takes in the founder's setup change sets
// (Founding): a community, a group with people, an admin of that group and
// a viewer.
#pragma once

#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "community/registry.h"
#include "core/hlc.h"
#include "core/identity.h"
#include "core/permissions.h"
#include "core/store.h"
#include "sync/change_set_store.h"
#include "sync/community.h"
#include "sync/invite_code.h"

namespace qun::fuzz {

// A broken invariant: the fuzzer reports the input that led here.
[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what.c_str());
  std::abort();
}
inline void Must(const Status& s, const char* what) {
  if (!s.ok()) Fail(std::string(what) + ": " + s.message());
}
template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) Fail(std::string(what) + ": " + r.status().message());
  return std::move(*r);
}

// A folder under /tmp, removed with its contents.
class TempFolder {
 public:
  TempFolder() {
    char tmpl[] = "/tmp/qun-fuzz-XXXXXX";
    if (!mkdtemp(tmpl)) Fail("cannot make a folder under /tmp");
    path_ = tmpl;
  }
  ~TempFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline constexpr uint64_t kNow = 1'750'000'000'000;  // 2025-06-15, for the fake clocks

inline sync::CommunityId FixedCommunity() {
  sync::CommunityId id;
  id.fill(0x51);
  return id;
}

inline core::CommunityKey FixedKey() {
  std::array<uint8_t, core::CommunityKey::kSize> bytes;
  bytes.fill(0x4b);
  return core::CommunityKey::FromBytes(0, bytes.data());
}

// An identity whose Ed25519 key comes from a seed of `seed_byte` repeated,
// written as `dir`/node.key (as a home holds it) and loaded from there.
inline std::unique_ptr<core::Identity> FixedIdentity(const std::string& dir, uint8_t seed_byte) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::array<uint8_t, crypto_sign_SEEDBYTES> seed;
  seed.fill(seed_byte);
  std::array<uint8_t, crypto_sign_PUBLICKEYBYTES> pk;
  std::array<uint8_t, crypto_sign_SECRETKEYBYTES> sk;
  if (sodium_init() < 0) Fail("libsodium did not start");
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  std::string path = dir + "/node.key";
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) Fail("cannot write " + path);
  bool written = write(fd, sk.data(), sk.size()) == static_cast<ssize_t>(sk.size());
  close(fd);
  sodium_memzero(sk.data(), sk.size());
  if (!written) Fail("cannot write " + path);
  return Must(core::Identity::Load(dir), "loading a fixed identity");
}

// The community's nodes: the founder, an admin of the founder's first
// group, a viewer, and a stranger nobody invited.
struct Cast {
  TempFolder folder;
  std::unique_ptr<core::Identity> founder = FixedIdentity(folder / "founder", 1);
  std::unique_ptr<core::Identity> admin = FixedIdentity(folder / "admin", 2);
  std::unique_ptr<core::Identity> viewer = FixedIdentity(folder / "viewer", 3);
  std::unique_ptr<core::Identity> stranger = FixedIdentity(folder / "stranger", 4);
};

// One process's cast, made once.
inline const Cast& TheCast() {
  static const Cast cast;
  return cast;
}

// A node of the fixed community, as `me`, on an in-memory database.
struct Node {
  core::FakeClock clock{kNow};
  std::unique_ptr<core::Store> store;
  std::unique_ptr<core::Registry> registry;
  sync::Community community;
  std::unique_ptr<sync::ChangeSetStore> sets;
  const core::Identity& me;

  // A new node, or one holding a copy of `image` (Store::Image()).
  // `part_bytes`: the part size of large transactions (core/store.h).
  explicit Node(const core::Identity& identity, const std::string* image = nullptr,
                int64_t part_bytes = core::kDefaultPartBytes)
      : me(identity) {
    core::StoreOptions options;
    options.clock = &clock;
    options.part_bytes = part_bytes;
    store = Must(
        image ? core::Store::OpenImage(*image, options) : core::Store::Open(":memory:", options),
        "opening an in-memory store");
    registry = std::make_unique<core::Registry>(*store);
    community.id = FixedCommunity();
    community.founder = TheCast().founder->public_key();
    community.keys.push_back(FixedKey());
    sets = std::make_unique<sync::ChangeSetStore>(*store, community, me);
  }

  // Runs `fn` in one write transaction of this node and commits it.
  template <typename Fn>
  void Write(const char* note, Fn fn) {
    auto txn = Must(store->Begin(me.public_key(), note), "beginning a write");
    Must(fn(*txn), note);
    Must(txn->Commit(), "committing a write");
    clock.Advance(1000);
  }

  // Every change set this node holds, in the order they apply.
  std::vector<std::string> ChangeSets() {
    Must(sets->SealLocal(), "sealing");
    return Must(sets->Missing({}), "listing change sets");
  }

  // Receives change sets as a sync does, role change sets decided at the end.
  void TakeAll(const std::vector<std::string>& change_sets) {
    for (const std::string& cs : change_sets) {
      auto r = Must(sets->Receive(cs), "receiving a founding change set");
      if (r.outcome != sync::Outcome::kApplied) Fail("a founding change set did not apply");
    }
    Must(sets->EnsureDecided(), "deciding roles");
  }
};

// The founder's setup, written once per process: the change sets every
// fresh node starts from.
struct Founding {
  std::string group_id;
  std::vector<std::string> person_ids;
  std::vector<std::string> change_sets;
};

inline const Founding& TheFounding() {
  static const Founding* founding = [] {
    auto* f = new Founding();
    const Cast& cast = TheCast();
    Node founder(*cast.founder);
    founder.Write("found the community", [&](core::WriteTxn& t) -> Status {
      QUN_RETURN_IF_ERROR(founder.registry->InitCommunity(t, "湾区读书会"));
      core::GroupInput g;
      g.name = "周末读书";
      g.capacity = 5;
      QUN_ASSIGN_OR_RETURN(f->group_id, founder.registry->AddGroup(t, g));
      const char* names[] = {"王芳", "李雷", "Ada Lovelace"};
      for (int i = 0; i < 3; ++i) {
        core::PersonInput p;
        p.display_name = names[i];
        p.add_handles.push_back({"wechat", "reader_" + std::to_string(i)});
        p.add_tags.push_back("志愿者");
        QUN_ASSIGN_OR_RETURN(std::string id, founder.registry->AddPerson(t, p));
        QUN_RETURN_IF_ERROR(founder.registry->Join(t, f->group_id, id, "member", std::nullopt));
        f->person_ids.push_back(id);
      }
      return Status::Ok();
    });
    founder.Write("invite", [&](core::WriteTxn& t) -> Status {
      const std::string founder_id = cast.founder->node_id();
      QUN_RETURN_IF_ERROR(t.Set("node", cast.admin->node_id(), "invited_by", founder_id).status());
      QUN_RETURN_IF_ERROR(t.Set(core::kRoleTable, cast.admin->node_id(),
                                core::RoleColumn({core::Role::kAdmin, f->group_id}), int64_t{1})
                              .status());
      QUN_RETURN_IF_ERROR(t.Set("node", cast.viewer->node_id(), "invited_by", founder_id).status());
      return t
          .Set(core::kRoleTable, cast.viewer->node_id(),
               core::RoleColumn({core::Role::kViewer, ""}), int64_t{1})
          .status();
    });
    f->change_sets = founder.ChangeSets();
    return f;
  }();
  return *founding;
}

// The secret of the invite code every fresh node has open (protocol
// target), and a stranger's seeds join with.
inline sync::InviteSecret FixedInviteSecret() {
  sync::InviteSecret secret;
  secret.fill(0x1c);
  return secret;
}

// Opens an invite code of FixedInviteSecret() in `db`, for a day from kNow,
// granting the viewer role. The code is made as `qun invite --code` makes
// one, then given the fixed secret: its table is the node's own, not
// community data.
inline Status OpenFixedInviteCode(core::Database& db) {
  QUN_RETURN_IF_ERROR(sync::NewInviteSecret(db, "新朋友", static_cast<int64_t>(kNow) + 86'400'000,
                                            {{core::Role::kViewer, ""}})
                          .status());
  sync::InviteSecret secret = FixedInviteSecret();
  std::array<uint8_t, 32> hash;
  crypto_generichash(hash.data(), hash.size(), secret.data(), secret.size(), nullptr, 0);
  QUN_ASSIGN_OR_RETURN(core::Statement s, db.Prepare("UPDATE invite_code SET secret_hash = ?"));
  s.Bind(1, Blob(hash.data(), hash.size()));
  return s.Run();
}

// A new node of the viewer, holding the founding change sets: what each
// input of a target that applies change sets starts from.
inline std::unique_ptr<Node> FreshNode() {
  // Made once and copied: building the schema and applying the founding
  // change sets took four fifths of each input's time.
  static const std::string* image = [] {
    Node node(*TheCast().viewer);
    node.TakeAll(TheFounding().change_sets);
    return new std::string(Must(node.store->Image(), "copying the founded node"));
  }();
  return std::make_unique<Node>(*TheCast().viewer, image);
}

}  // namespace qun::fuzz
