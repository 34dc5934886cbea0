// A node as a front end opens it: its home, identity, database and registry.
// Opening decides roles a database made by an older version, or an import
// that stopped halfway, left undecided, so that every write is checked
// against them. Creating a node (founding a community, or waiting to join
// one) removes whatever it made should any step fail.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "community/registry.h"
#include "core/identity.h"
#include "core/oplog.h"
#include "core/store.h"

namespace qun::node {

// How long a command waits for another holding the database's write lock:
// QUN_BUSY_TIMEOUT_MS, else 5 s.
int BusyTimeoutMs();

// A node opened for one command. One thread at a time.
struct Node {
  std::string home;
  std::unique_ptr<core::Identity> identity;
  std::unique_ptr<core::Store> store;
  std::unique_ptr<core::Registry> registry;

  // Begins a write. A node made to join a community writes nothing before
  // it has joined (NotFound, saying how).
  Result<std::unique_ptr<core::WriteTxn>> Begin(const std::string& note);
};

// The home `home_option` names (empty: $QUN_HOME, else
// ~/.local/share/qun; docs/cli.md), checked to hold a node.
Result<std::string> ExistingHome(const std::string& home_option);

// Opens the node of an existing home.
Result<std::unique_ptr<Node>> OpenNode(const std::string& home_option);

// Makes a node in `home` that waits for an invite (`qun init --join`);
// `admin` empty means the login name. Returns its node id.
Result<std::string> MakeNodeToJoin(const std::string& home, std::string admin);

struct Founded {
  std::string database;      // its path
  std::string node_id;       // this node's id
  std::string community_id;  // the new community's id
};
// Founds a community named `name` in `home`: the database, this node's
// identity, the community key (epoch 0) and the first change, which names
// the community and this node's admin (`admin` empty: the login name).
Result<Founded> FoundCommunity(const std::string& home, const std::string& name, std::string admin);

}  // namespace qun::node
