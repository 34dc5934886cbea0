#include "node/node.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "base/i18n.h"
#include "base/text.h"
#include "core/community_key.h"
#include "core/field_text.h"
#include "core/home.h"
#include "core/key_file.h"
#include "sync/change_set_store.h"
#include "sync/community.h"

namespace qun::node {

int BusyTimeoutMs() {
  if (const char* env = std::getenv("QUN_BUSY_TIMEOUT_MS"); env && *env) {
    char* end = nullptr;
    long v = std::strtol(env, &end, 10);
    if (end && *end == '\0' && v >= 0) return static_cast<int>(v);
  }
  return 5000;
}

namespace {

// QUN_PART_BYTES: the part size of large transactions (core/store.h), for
// tests that split a transaction without writing 16 MiB of it. At least
// 4 KiB, so that every part holds some ops.
int64_t PartBytes() {
  if (const char* env = std::getenv("QUN_PART_BYTES"); env && *env) {
    char* end = nullptr;
    long long v = std::strtoll(env, &end, 10);
    if (end && *end == '\0' && v >= 4096) return v;
  }
  return core::kDefaultPartBytes;
}

// Removes the files of a node whose making did not finish, so that trying
// again starts clean.
struct HalfMadeNode {
  std::string home;
  std::unique_ptr<core::Store>* store;
  bool key_created = false;
  bool community_key_created = false;
  bool done = false;

  ~HalfMadeNode() {
    if (done) return;
    store->reset();  // close the database before removing it
    std::string db = core::DatabasePath(home);
    for (const std::string& f : {db, db + "-wal", db + "-shm"}) std::remove(f.c_str());
    if (key_created)
      for (const char* f : {"/node.key", "/node.pub"}) std::remove((home + f).c_str());
    if (community_key_created) std::remove(core::KeyFilePath(home).c_str());
  }
};

std::string LoginName() {
  const char* user = std::getenv("USER");
  return user && *user && text::IsValidUtf8(user) ? user : "admin";
}

}  // namespace

Result<std::unique_ptr<core::WriteTxn>> Node::Begin(const std::string& note) {
  QUN_ASSIGN_OR_RETURN(auto joining, store->GetMeta(core::kJoiningAsKey));
  if (joining)
    return Status::NotFound(
        _("this node has not joined its community yet, so it cannot record changes. Ask an "
          "owner to run `qun invite YOUR-NODE-ID -o invite.qun`, then run `qun join "
          "invite.qun`"));
  return store->Begin(identity->public_key(), note);
}

Result<std::string> ExistingHome(const std::string& home_option) {
  QUN_ASSIGN_OR_RETURN(std::string home, core::ResolveHome(home_option));
  QUN_RETURN_IF_ERROR(core::CheckHome(home));
  return home;
}

Result<std::unique_ptr<Node>> OpenNode(const std::string& home_option) {
  QUN_ASSIGN_OR_RETURN(std::string home, ExistingHome(home_option));
  auto node = std::make_unique<Node>();
  node->home = home;
  core::StoreOptions store_options;
  store_options.busy_timeout_ms = BusyTimeoutMs();
  store_options.part_bytes = PartBytes();
  QUN_ASSIGN_OR_RETURN(node->store, core::Store::Open(core::DatabasePath(home), store_options));
  QUN_ASSIGN_OR_RETURN(node->identity, core::Identity::Load(home));
  node->registry = std::make_unique<core::Registry>(*node->store);
  // A database made before roles existed gets them decided once, and role
  // change sets an interrupted import left undecided are decided, before
  // any write is checked against them.
  QUN_ASSIGN_OR_RETURN(auto founder, node->store->GetMeta(core::kFounderKey));
  QUN_ASSIGN_OR_RETURN(auto decided, node->store->GetMeta(core::kAuthorityGenerationKey));
  QUN_ASSIGN_OR_RETURN(auto dirty, node->store->GetMeta(core::kAuthorityDirtyKey));
  if (founder && (!decided || dirty)) {
    QUN_ASSIGN_OR_RETURN(sync::Community community, sync::LoadCommunity(*node->store, home));
    sync::ChangeSetStore sets(*node->store, community, *node->identity);
    QUN_RETURN_IF_ERROR(sets.EnsureDecided());
  }
  return node;
}

Result<std::string> MakeNodeToJoin(const std::string& home, std::string admin) {
  if (admin.empty()) admin = LoginName();
  if (!text::IsValidUtf8(admin))
    return Status::InvalidArgument(_("the admin name is not valid UTF-8 text; re-type it"));
  // Checked now, not when `qun join` writes it: by then the invite is spent.
  QUN_RETURN_IF_ERROR(core::CheckFieldValue("node", "name", admin));
  QUN_RETURN_IF_ERROR(core::PrepareHome(home));
  core::StoreOptions store_options;
  store_options.busy_timeout_ms = BusyTimeoutMs();
  QUN_ASSIGN_OR_RETURN(auto store, core::Store::Create(core::DatabasePath(home), store_options));
  HalfMadeNode cleanup{home, &store};
  QUN_ASSIGN_OR_RETURN(auto identity, core::Identity::Create(home));
  cleanup.key_created = true;
  // Nothing is written until `qun join`: a write made before the node has
  // seen anything of the community would have no clock bound. The admin's
  // name waits in meta until then.
  QUN_RETURN_IF_ERROR(store->SetMeta(core::kJoiningAsKey, admin));
  cleanup.done = true;
  return identity->node_id();
}

Result<Founded> FoundCommunity(const std::string& home, const std::string& name,
                               std::string admin) {
  if (admin.empty()) admin = LoginName();
  QUN_RETURN_IF_ERROR(core::PrepareHome(home));
  Founded out;
  out.database = core::DatabasePath(home);
  core::StoreOptions store_options;
  store_options.busy_timeout_ms = BusyTimeoutMs();
  // Whatever fails after the database exists, the files made so far are
  // removed again, so a retried `qun init` starts clean.
  QUN_ASSIGN_OR_RETURN(auto store, core::Store::Create(out.database, store_options));
  HalfMadeNode cleanup{home, &store};
  QUN_ASSIGN_OR_RETURN(auto identity, core::Identity::Create(home));
  cleanup.key_created = true;
  core::Registry registry(*store);
  QUN_ASSIGN_OR_RETURN(auto txn, store->Begin(identity->public_key(), "init"));
  QUN_RETURN_IF_ERROR(registry.InitCommunity(*txn, name));
  QUN_RETURN_IF_ERROR(registry.SetNodeName(*txn, identity->node_id(), admin));
  QUN_RETURN_IF_ERROR(txn->Commit());
  QUN_ASSIGN_OR_RETURN(out.community_id, registry.CommunityId());
  QUN_ASSIGN_OR_RETURN(sync::CommunityId cid, sync::ParseCommunityId(out.community_id));
  QUN_RETURN_IF_ERROR(sync::SaveCommunityMeta(*store, cid, identity->public_key()));
  // The founder's key opens epoch 0.
  auto key = core::CommunityKey::Generate(0);
  QUN_RETURN_IF_ERROR(core::WriteKeyFile(home, {&key}));
  cleanup.community_key_created = true;
  cleanup.done = true;
  out.node_id = identity->node_id();
  return out;
}

}  // namespace qun::node
