#include "core/oplog.h"

#include <doctest/doctest.h>

#include "core/history.h"
#include "support/test_store.h"

using namespace qun;
using core::Hlc;
using core::Op;
using testing::Key;
using testing::TestStore;

namespace {

Result<bool> Apply(TestStore& t, const core::PublicKey& author, int64_t seq, std::string row,
                   std::string col, Value v, Hlc hlc) {
  int64_t author_id = 0;
  int64_t txn = t.RemoteTxn(author, seq, &author_id);
  Op op{"person", std::move(row), std::move(col), std::move(v), hlc, author};
  return core::ApplyOp(t.store->db(), op, txn, author_id, std::nullopt);
}

std::string Name(TestStore& t, const std::string& id) {
  Value v = t.Get("SELECT display_name FROM person WHERE id='" + id + "'");
  return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : "<null>";
}

}  // namespace

TEST_CASE("a write updates the table and appends to the op log in one transaction") {
  TestStore t;
  auto txn = t.Begin("member add");
  auto w = txn->Set("person", "p1", "display_name", std::string("张伟"));
  REQUIRE(w.ok());
  CHECK(*w);
  REQUIRE(txn->Commit().ok());
  CHECK(Name(t, "p1") == "张伟");
  CHECK(t.Int("SELECT count(*) FROM op WHERE row_id='p1' AND col='display_name'") == 1);
  CHECK(t.Int("SELECT count(*) FROM op_txn WHERE note='member add'") == 1);
  CHECK(t.Int("SELECT count(*) FROM field_clock WHERE row_id='p1'") == 1);
}

TEST_CASE("a transaction that is not committed leaves neither data nor ops") {
  TestStore t;
  {
    auto txn = t.Begin();
    REQUIRE(txn->Set("person", "p1", "display_name", std::string("Alice")).ok());
  }  // destroyed without Commit
  CHECK(t.Int("SELECT count(*) FROM person") == 0);
  CHECK(t.Int("SELECT count(*) FROM op") == 0);
  CHECK(t.Int("SELECT count(*) FROM op_txn") == 0);
}

TEST_CASE("writing the value a field already holds adds nothing to the log") {
  TestStore t;
  auto a = t.Begin();
  REQUIRE(a->Set("person", "p1", "city", std::string("北京")).ok());
  REQUIRE(a->Commit().ok());
  auto b = t.Begin();
  auto w = b->Set("person", "p1", "city", std::string("北京"));
  REQUIRE(w.ok());
  CHECK_FALSE(*w);
  CHECK(b->ops_written() == 0);
  REQUIRE(b->Commit().ok());
  CHECK(t.Int("SELECT count(*) FROM op") == 1);
  CHECK(t.Int("SELECT count(*) FROM op_txn") == 1);  // the empty transaction left no row
}

TEST_CASE("each transaction of an author gets the next sequence number") {
  TestStore t;
  for (int i = 0; i < 3; ++i) {
    auto txn = t.Begin();
    REQUIRE(txn->Set("person", "p1", "notes", std::string("n") + std::to_string(i)).ok());
    REQUIRE(txn->Commit().ok());
  }
  CHECK(t.Int("SELECT group_concat(seq) = '1,2,3' FROM (SELECT seq FROM op_txn ORDER BY id)") == 1);
}

TEST_CASE("values are stored exactly as written, whatever they look like") {
  TestStore t;
  auto txn = t.Begin();
  REQUIRE(txn->Set("person_handle", "h1", "value", std::string("+8613800000000")).ok());
  REQUIRE(txn->Set("person_handle", "h2", "value", std::string("007")).ok());
  REQUIRE(txn->Set("person", "p1", "notes", std::string("1e5")).ok());
  REQUIRE(txn->Set("chat_group", "g1", "capacity", int64_t{300}).ok());
  REQUIRE(txn->Commit().ok());
  for (const char* v : {"+8613800000000", "007", "1e5"}) {
    CAPTURE(v);
    CHECK(t.Int(std::string("SELECT count(*) FROM op WHERE typeof(value)='text' AND value='") + v +
                "'") == 1);
  }
  CHECK(t.Int("SELECT typeof(value)='integer' FROM op WHERE col='capacity'") == 1);
}

TEST_CASE("an op naming an unknown table or column is kept in the log but not applied") {
  TestStore t;
  auto txn = t.Begin();
  CHECK_FALSE(txn->Set("person", "p1", "password", std::string("x")).ok());  // local: refused
  CHECK_FALSE(txn->Set("sqlite_master", "p1", "name", std::string("x")).ok());
  int64_t author_id = 0;
  int64_t remote = t.RemoteTxn(Key(0x20), 1, &author_id);
  Op op{"person; DROP TABLE op", "p1",     "display_name", std::string("x"),
        Hlc::From(1, 0),         Key(0x20)};
  auto r = core::ApplyOp(t.store->db(), op, remote, author_id, std::nullopt);
  REQUIRE(r.ok());
  CHECK_FALSE(*r);
  CHECK(t.Int("SELECT count(*) FROM op WHERE tbl='person; DROP TABLE op'") == 1);
  CHECK(t.Int("SELECT count(*) FROM person") == 0);
}

TEST_CASE("last writer wins per field: the later HLC wins in either order of arrival") {
  for (bool later_first : {false, true}) {
    CAPTURE(later_first);
    TestStore t;
    auto early = [&] {
      return Apply(t, Key(0x30), 1, "p1", "display_name", std::string("早"), Hlc::From(100, 0));
    };
    auto late = [&] {
      return Apply(t, Key(0x20), 1, "p1", "display_name", std::string("晚"), Hlc::From(200, 0));
    };
    if (later_first) {
      CHECK(*late());
      CHECK_FALSE(*early());
    } else {
      CHECK(*early());
      CHECK(*late());
    }
    CHECK(Name(t, "p1") == "晚");
    CHECK(t.Int("SELECT count(*) FROM op") == 2);  // the losing write is still history
  }
}

TEST_CASE("equal HLCs are broken by the larger author key, the same on every node") {
  for (bool big_first : {false, true}) {
    CAPTURE(big_first);
    TestStore t;
    Hlc same = Hlc::From(500, 7);
    auto small = [&] { return Apply(t, Key(0x01), 1, "p1", "city", std::string("上海"), same); };
    auto big = [&] { return Apply(t, Key(0xF0), 1, "p1", "city", std::string("深圳"), same); };
    if (big_first) {
      REQUIRE(big().ok());
      REQUIRE(small().ok());
    } else {
      REQUIRE(small().ok());
      REQUIRE(big().ok());
    }
    CHECK(t.Get("SELECT city FROM person WHERE id='p1'") == Value{std::string("深圳")});
  }
}

TEST_CASE("applying the same op twice changes nothing the second time") {
  TestStore t;
  CHECK(*Apply(t, Key(0x20), 1, "p1", "city", std::string("成都"), Hlc::From(300, 0)));
  CHECK_FALSE(*Apply(t, Key(0x20), 2, "p1", "city", std::string("成都"), Hlc::From(300, 0)));
  CHECK(t.Get("SELECT city FROM person WHERE id='p1'") == Value{std::string("成都")});
}

TEST_CASE("fields merge independently: concurrent edits of different fields both stay") {
  TestStore t;
  REQUIRE(Apply(t, Key(0x20), 1, "p1", "city", std::string("杭州"), Hlc::From(100, 0)).ok());
  REQUIRE(Apply(t, Key(0x30), 1, "p1", "nickname", std::string("小李"), Hlc::From(90, 0)).ok());
  CHECK(t.Get("SELECT city FROM person WHERE id='p1'") == Value{std::string("杭州")});
  CHECK(t.Get("SELECT nickname FROM person WHERE id='p1'") == Value{std::string("小李")});
}

TEST_CASE("a delete is a tombstone: the row stays and a later write can revive it") {
  TestStore t;
  REQUIRE(Apply(t, Key(0x20), 1, "p1", "display_name", std::string("A"), Hlc::From(100, 0)).ok());
  REQUIRE(Apply(t, Key(0x20), 2, "p1", "deleted", int64_t{1}, Hlc::From(200, 0)).ok());
  CHECK(t.Int("SELECT count(*) FROM person WHERE id='p1' AND deleted=1") == 1);
  // A concurrent edit of another field does not bring the row back...
  REQUIRE(Apply(t, Key(0x30), 1, "p1", "city", std::string("X"), Hlc::From(150, 0)).ok());
  CHECK(t.Int("SELECT deleted FROM person WHERE id='p1'") == 1);
  // ...an older restore loses to the delete, a newer one wins.
  REQUIRE(Apply(t, Key(0x30), 2, "p1", "deleted", int64_t{0}, Hlc::From(180, 0)).ok());
  CHECK(t.Int("SELECT deleted FROM person WHERE id='p1'") == 1);
  REQUIRE(Apply(t, Key(0x30), 3, "p1", "deleted", int64_t{0}, Hlc::From(250, 0)).ok());
  CHECK(t.Int("SELECT deleted FROM person WHERE id='p1'") == 0);
}

TEST_CASE("a local write orders after every op the node has seen") {
  TestStore t;
  // A remote op from a node whose clock runs ahead of ours.
  REQUIRE(Apply(t, Key(0x20), 1, "p1", "city", std::string("远"),
                Hlc::From(t.clock.NowMs() + 60'000, 0))
              .ok());
  t.store->clock().Observe(Hlc::From(t.clock.NowMs() + 60'000, 0));
  auto txn = t.Begin();
  CHECK(*txn->Set("person", "p1", "city", std::string("近")));
  REQUIRE(txn->Commit().ok());
  CHECK(t.Get("SELECT city FROM person WHERE id='p1'") == Value{std::string("近")});
}

TEST_CASE("rolling back to a savepoint forgets the writes and the transaction row since") {
  TestStore t;
  auto txn = t.Begin();
  REQUIRE(txn->Savepoint().ok());
  REQUIRE(txn->Set("person", "bad", "display_name", std::string("bad row")).ok());
  REQUIRE(txn->RollbackToSavepoint().ok());
  CHECK(txn->ops_written() == 0);
  REQUIRE(txn->Savepoint().ok());
  REQUIRE(txn->Set("person", "good", "display_name", std::string("good row")).ok());
  REQUIRE(txn->ReleaseSavepoint().ok());
  REQUIRE(txn->Commit().ok());
  CHECK(t.Int("SELECT count(*) FROM person") == 1);
  CHECK(t.Int("SELECT count(*) FROM op") == 1);
  CHECK(t.Int("SELECT count(*) FROM op o JOIN op_txn x ON x.id=o.txn") == 1);
}

TEST_CASE("the log shows each change with the value it replaced, newest first") {
  TestStore t;
  for (const char* city : {"北京", "上海", "广州"}) {
    t.clock.Advance(1000);
    auto txn = t.Begin(std::string("move to ") + city);
    REQUIRE(txn->Set("person", "p1", "city", std::string(city)).ok());
    REQUIRE(txn->Commit().ok());
  }
  auto log = core::ReadLog(t.store->db(), std::string("p1"), 0);
  REQUIRE(log.ok());
  REQUIRE(log->size() == 3);
  CHECK((*log)[0].new_value == Value{std::string("广州")});
  CHECK((*log)[0].old_value == Value{std::string("上海")});
  CHECK((*log)[0].note == "move to 广州");
  CHECK((*log)[0].seq == 3);
  CHECK((*log)[0].author == core::ToHex(t.me));
  CHECK(qun::IsNull((*log)[2].old_value));
  auto limited = core::ReadLog(t.store->db(), std::nullopt, 2);
  REQUIRE(limited.ok());
  CHECK(limited->size() == 2);
}

TEST_CASE("a row added again wins over an older delete made on another node") {
  TestStore t;
  // This node adds the person; the row's `deleted` is only a column default
  // until written, so the add must log it.
  auto txn = t.Begin("member add");
  REQUIRE(txn->Set("person", "p1", "display_name", std::string("张伟")).ok());
  REQUIRE(txn->Set("person", "p1", "deleted", int64_t{0}).ok());
  REQUIRE(txn->Commit().ok());
  CHECK(t.Int("SELECT count(*) FROM op WHERE col='deleted'") == 1);
  // Another node removed the same person earlier.
  REQUIRE(Apply(t, Key(0x20), 1, "p1", "deleted", int64_t{1}, Hlc::From(1000, 0)).ok());
  CHECK(t.Int("SELECT deleted FROM person WHERE id='p1'") == 0);
}

TEST_CASE("write transactions inside a batch become durable together when the batch commits") {
  TestStore t;
  {
    core::Batch batch(t.store->db(), 60'000);
    REQUIRE(batch.Step().ok());
    for (const char* id : {"p1", "p2"}) {
      auto txn = t.Begin("bulk");
      REQUIRE(txn->Set("person", id, "display_name", std::string("王芳")).ok());
      REQUIRE(txn->Commit().ok());
    }
    {
      auto dropped = t.Begin("dropped");
      REQUIRE(dropped->Set("person", "p3", "display_name", std::string("李娜")).ok());
    }  // not committed: only it is undone
    CHECK(t.Int("SELECT count(*) FROM person") == 2);
    CHECK(t.Int("SELECT count(*) FROM op_txn") == 2);
    // Each keeps its own sequence number, so each is its own change set.
    CHECK(t.Int("SELECT max(seq) FROM op_txn") == 2);
    // A write whose row refers to nothing is refused at its own commit,
    // and the batch goes on.
    {
      auto bad = t.Begin("bad");
      REQUIRE(bad->Set("membership", "m1", "person_id", std::string("nobody")).ok());
      auto committed = bad->Commit();
      CHECK_FALSE(committed.ok());
      CHECK(committed.message().find("does not exist") != std::string::npos);
    }
    REQUIRE(batch.Finish().ok());
  }
  CHECK(t.Int("SELECT count(*) FROM person") == 2);
  CHECK(t.Int("SELECT count(*) FROM membership") == 0);
  CHECK(t.Int("SELECT count(*) FROM op") == 2);
}

TEST_CASE("write transactions of a batch that never commits leave nothing") {
  TestStore t;
  {
    core::Batch batch(t.store->db(), 60'000);
    REQUIRE(batch.Step().ok());
    auto txn = t.Begin("bulk");
    REQUIRE(txn->Set("person", "p1", "display_name", std::string("赵敏")).ok());
    REQUIRE(txn->Commit().ok());
  }  // the batch is abandoned, as when the process is killed before it commits
  CHECK(t.Int("SELECT count(*) FROM person") == 0);
  CHECK(t.Int("SELECT count(*) FROM op") == 0);
}

TEST_CASE("a placeholder row comes alive with its first op that counts, a deleted row does not") {
  TestStore t;
  // Rows that only refused ops wrote: placeholders, deleted = 1.
  std::vector<Op> refused = {
      Op{"person", "ghost", "display_name", std::string("被拒"), Hlc{1000}, Key(0x30)},
      Op{"person", "gone", "display_name", std::string("已删"), Hlc{1000}, Key(0x30)}};
  REQUIRE(core::AddPlaceholderRows(t.store->db(), refused).ok());
  CHECK(t.Int("SELECT deleted FROM person WHERE id='ghost'") == 1);
  // An op that counts deletes "gone" on purpose.
  REQUIRE(*Apply(t, Key(0x20), 1, "gone", "deleted", int64_t{1}, Hlc{2000}));
  REQUIRE(*Apply(t, Key(0x20), 2, "ghost", "city", std::string("成都"), Hlc{3000}));
  REQUIRE(*Apply(t, Key(0x20), 3, "gone", "city", std::string("成都"), Hlc{3000}));
  CHECK(t.Int("SELECT deleted FROM person WHERE id='ghost'") == 0);
  CHECK(t.Int("SELECT deleted FROM person WHERE id='gone'") == 1);
  // A live row is left live by further writes.
  REQUIRE(*Apply(t, Key(0x20), 4, "ghost", "city", std::string("重庆"), Hlc{4000}));
  CHECK(t.Int("SELECT deleted FROM person WHERE id='ghost'") == 0);
}
