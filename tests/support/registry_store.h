// A TestStore with the community's registry over it, and the one helper most
// domain tests start with: adding a group by name.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "community/registry.h"
#include "support/test_store.h"

namespace qun::testing {

struct RegistryStore : TestStore {
  core::Registry reg{*store};

  // Adds a group named `name` in a transaction of its own; its id.
  std::string AddGroup(const std::string& name) {
    auto txn = Begin("group add");
    core::GroupInput in;
    in.name = name;
    auto id = reg.AddGroup(*txn, in);
    REQUIRE_MESSAGE(id.ok(), id.status().message());
    REQUIRE(txn->Commit().ok());
    return *id;
  }
};

}  // namespace qun::testing
