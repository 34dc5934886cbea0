// Helpers for tests of core/: an in-memory store on a fake clock and fixed
// author keys.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "core/db.h"
#include "core/oplog.h"
#include "core/store.h"

namespace qun::testing {

inline core::PublicKey Key(uint8_t fill) {
  core::PublicKey k;
  k.fill(fill);
  return k;
}

struct TestStore {
  core::FakeClock clock{1'700'000'000'000};
  std::unique_ptr<core::Store> store;
  core::PublicKey me = Key(0x10);

  TestStore() {
    core::StoreOptions options;
    options.clock = &clock;
    auto s = core::Store::Open(":memory:", options);
    REQUIRE_MESSAGE(s.ok(), s.status().message());
    store = std::move(s).value();
  }

  std::unique_ptr<core::WriteTxn> Begin(const std::string& note = "test") {
    auto t = store->Begin(me, note);
    REQUIRE_MESSAGE(t.ok(), t.status().message());
    return std::move(t).value();
  }

  // One integer from a query, for assertions.
  int64_t Int(const std::string& sql) {
    auto s = store->db().Prepare(sql);
    REQUIRE_MESSAGE(s.ok(), s.status().message());
    auto row = s->Step();
    REQUIRE(row.ok());
    REQUIRE(*row);
    return s->Int(0);
  }
  Value Get(const std::string& sql) {
    auto s = store->db().Prepare(sql);
    REQUIRE_MESSAGE(s.ok(), s.status().message());
    auto row = s->Step();
    REQUIRE(row.ok());
    if (!*row) return std::monostate{};
    return s->GetValue(0);
  }

  // A transaction row for ops of another author, as sync will create.
  int64_t RemoteTxn(const core::PublicKey& author, int64_t seq, int64_t* author_id) {
    auto id = core::AuthorId(store->db(), author);
    REQUIRE(id.ok());
    *author_id = *id;
    auto s =
        store->db().Prepare("INSERT INTO op_txn(author, seq, hlc, note) VALUES (?,?,0,'remote')");
    REQUIRE(s.ok());
    s->Bind(1, *id).Bind(2, seq);
    REQUIRE(s->Run().ok());
    return sqlite3_last_insert_rowid(store->db().handle());
  }
};

}  // namespace qun::testing
