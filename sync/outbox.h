// What this node sends out of its own: its write transactions sealed into
// change sets, and where it stood when it joined (the join point), which
// its first writes depend on.
//
// Sealing runs inside the transaction that applies a change set from
// elsewhere (so a received change set's dependencies are exactly what its
// author had applied), and on its own before a sync sends anything.
//
// Borrows the Community, the Identity, Held, the Keyring and Decisions; one
// thread at a time.
#pragma once

#include <optional>

#include "core/hlc.h"
#include "core/identity.h"
#include "sync/community.h"
#include "sync/decisions.h"
#include "sync/held.h"
#include "sync/keyring.h"

namespace qun::sync {

// Where a node stood when it joined: the inviter's version vector and the
// newest effective HLC in it. The node's first writes depend on it, so their
// clock ceiling is measured from it even before it has received anything.
struct JoinPoint {
  VersionVector vector;
  std::optional<core::Hlc> frontier;
};

class Outbox {
 public:
  Outbox(Community& community, const core::Identity& me, Held& held, Keyring& keyring,
         Decisions& decisions)
      : community_(community), me_(me), held_(held), keyring_(keyring), decisions_(decisions) {}

  // Seals every write transaction of this node that is not yet a change
  // set, inside a transaction the caller holds. Returns how many.
  Result<int> SealLocked();

  // The newest effective HLC among the change sets named by `vector` (all
  // applied here): what an invite passes on.
  Result<std::optional<core::Hlc>> FrontierOf(const VersionVector& vector);
  // Records the join point of this node (from its invite).
  Status SaveJoinPoint(const JoinPoint& join);
  // Corruption when the recorded one is damaged.
  Result<JoinPoint> ReadJoinPoint();
  // What this node's unsealed writes have seen: what it has applied, and
  // what its invite named.
  Result<VersionVector> LocalSeen();

 private:
  Community& community_;
  const core::Identity& me_;
  Held& held_;
  Keyring& keyring_;
  Decisions& decisions_;
};

}  // namespace qun::sync
