// A relay's store: the change sets of communities the relay holds no key
// for, kept so that admins who are never online together can sync through
// it.
//
// The relay checks what it can without a key: each change set's signature,
// that it belongs to the community the sending node named, and that it
// continues its author's chain (seq n names the hash of seq n-1 held here).
// It never decrypts and never learns who is invited; the nodes that receive
// change sets from it decide that, as they do for change sets from anyone.
// A second, different change set for an (author, seq) held is kept as
// evidence and forwarded, as nodes do.
//
// The database (relay.db in the relay's home) holds only signed, encrypted
// change sets with their authors, seqs and hashes: nothing a member wrote is
// readable in it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "core/db.h"
#include "sync/replica.h"

namespace qun::sync {

class RelayStore {
 public:
  static Result<std::unique_ptr<RelayStore>> Open(const std::string& path, int busy_timeout_ms);

  Result<Heads> ReadHeads(const CommunityId& community);
  Result<std::vector<int64_t>> MissingIds(const CommunityId& community, const Heads& theirs);
  Result<std::string> ChangeSetBytes(int64_t id);
  // Checks and keeps one change set. kApplied means stored; kPending means
  // refused for now because the author's earlier change set is not here
  // (the sender sends it again with it).
  Result<Received> Receive(const CommunityId& community, std::string_view bytes);

  struct Totals {
    int64_t communities = 0, authors = 0, change_sets = 0, evidence = 0, bytes = 0;
  };
  Result<Totals> Summarize();
  core::Database& db() { return *db_; }

 private:
  explicit RelayStore(std::unique_ptr<core::Database> db) : db_(std::move(db)) {}
  std::unique_ptr<core::Database> db_;
};

// One community's part of a relay, for one sync.
class RelayReplica : public Replica {
 public:
  RelayReplica(RelayStore& store, const CommunityId& community)
      : store_(store), community_(community) {}
  bool relay() const override { return true; }
  Result<Heads> ReadHeads() override { return store_.ReadHeads(community_); }
  Result<std::vector<int64_t>> MissingIds(const Heads& theirs) override {
    return store_.MissingIds(community_, theirs);
  }
  Result<std::string> ChangeSetBytes(int64_t id) override { return store_.ChangeSetBytes(id); }
  Result<Credit> Take(const std::vector<std::string>& batch,
                      std::vector<Received>* notable) override;

 private:
  RelayStore& store_;
  CommunityId community_;
};

}  // namespace qun::sync
