// Databases written by earlier versions must keep opening, with their data
// and history intact.
#include <doctest/doctest.h>
#include <sodium.h>

#include <filesystem>

#include "community/registry.h"
#include "core/history.h"
#include "core/ids.h"
#include "core/oplog.h"
#include "core/store.h"
#include "support/temp_dir.h"

using namespace qun;

TEST_CASE("a schema version 1 database opens with its data and history intact") {
  testing::TempDir dir;
  std::filesystem::copy_file(std::string(QUN_TEST_DATA) + "/../compat/db/v1-community.db",
                             dir / "community.db");
  auto store = core::Store::Open(dir / "community.db", {});
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  CHECK((*store)->schema_version() == core::Store::LatestSchemaVersion());
  core::Registry reg(**store);
  CHECK(*reg.CommunityName() == "兼容测试社区");
  auto groups = reg.ListGroups(true);
  REQUIRE(groups->size() == 1);
  CHECK((*groups)[0].name == "北京交流群");
  CHECK((*groups)[0].active_members == 1);
  auto zw = reg.ResolvePerson("zw_compat");
  REQUIRE(zw.ok());
  auto p = reg.GetPerson(*zw);
  CHECK(p->display_name == "张伟");
  CHECK(p->city == "北京");
  CHECK(p->tags == std::vector<std::string>{"摄影"});
  auto old = reg.ResolvePerson("+86 138 0000 0001");
  REQUIRE(old.ok());
  CHECK(reg.GetPerson(*old)->city == "上海");
  auto log = core::ReadLog((*store)->db(), *zw, 0);
  REQUIRE(log.ok());
  bool saw_city_edit = false;
  for (const auto& e : *log)
    if (e.column == "city" && e.note == "member edit") saw_city_edit = true;
  CHECK(saw_city_edit);
}

TEST_CASE("ops a newer version wrote take effect when this version learns their column") {
  // At schema version 2, node.invited_by was unknown: the op was kept in the
  // log without being applied. Opening it now must apply it.
  testing::TempDir dir;
  std::filesystem::copy_file(std::string(QUN_TEST_DATA) + "/../compat/db/v2-unknown-column.db",
                             dir / "community.db");
  auto store = core::Store::Open(dir / "community.db", {});
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  auto s = (*store)->db().Prepare("SELECT name, invited_by FROM node WHERE id='" +
                                  std::string(64, '1') + "'");
  REQUIRE(*s->Step());
  CHECK(s->Text(0) == "李娜");
  std::string founder;
  for (int i = 0; i < 32; ++i) founder += "f0";
  CHECK(s->Text(1) == founder);
  s->Reset();
  // Applied, not logged again.
  auto ops = (*store)->db().Prepare("SELECT count(*) FROM op");
  REQUIRE(*ops->Step());
  CHECK(ops->Int(0) == 6);
}

TEST_CASE("a database of schema version 6 opens with its data, and takes the new records") {
  testing::TempDir dir;
  std::filesystem::copy_file(std::string(QUN_TEST_DATA) + "/../compat/db/v6-community.db",
                             dir / "community.db");
  auto store = core::Store::Open(dir / "community.db", {});
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  core::Registry reg(**store);
  auto g = reg.ResolveGroup("读书会");
  REQUIRE(g.ok());
  auto group = *reg.GetGroup(*g);
  CHECK(group.capacity == 2);
  CHECK(group.admission == "application");
  CHECK(group.questions.empty());
  CHECK(group.warning_limit == core::kDefaultWarningLimit);
  CHECK(group.active_members == 1);
  auto zw = *reg.ResolvePerson("zw_v6");
  auto wf = *reg.ResolvePerson("+8613800000006");
  auto m = *reg.GetMembership(*g, wf);
  REQUIRE(m.has_value());
  CHECK(m->status == "left");
  CHECK(m->status_at == 0);  // not recorded before version 7
  CHECK(reg.RequireMember(*g, zw).ok());
  CHECK(reg.RequireMember(*g, wf).status().code() == Status::Code::kConflict);
  // A new kind of record is written through the same path.
  // The founder writes it (the database's own node; its roles are checked).
  auto founder = *(*store)->GetMeta("founder");
  REQUIRE(founder.has_value());
  core::PublicKey me{};
  REQUIRE(sodium_hex2bin(me.data(), me.size(), founder->data(), founder->size(), nullptr, nullptr,
                         nullptr) == 0);
  auto t = (*store)->Begin(me, "checkin");
  REQUIRE(t.ok());
  std::string fact = core::GroupRowId(*g, core::RandomId());
  REQUIRE((*t)->Set("activity", fact, "person_id", zw).ok());
  REQUIRE((*t)->Set("activity", fact, "kind", std::string("checkin")).ok());
  REQUIRE((*t)->Commit().ok());
  auto s = (*store)->db().Prepare("SELECT group_id, kind FROM activity");
  REQUIRE(*s->Step());
  CHECK(s->Text(0) == *g);
  CHECK(s->Text(1) == "checkin");
}
