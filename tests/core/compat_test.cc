// Databases written by earlier versions must keep opening, with their data
// and history intact.
#include <doctest/doctest.h>

#include <filesystem>

#include "core/oplog.h"
#include "core/registry.h"
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
