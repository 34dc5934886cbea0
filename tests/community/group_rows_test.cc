// References to a group's rows (community/group_rows.h): by local id
// prefix or title, within one group when asked.
#include "community/group_rows.h"

#include <doctest/doctest.h>

#include <string>
#include <utility>

#include "community/registry.h"
#include "core/ids.h"
#include "support/test_store.h"

using namespace qun;
using qun::testing::TestStore;

TEST_CASE("a group's rows are found by local id prefix or title, within the group when asked") {
  TestStore ts;
  core::Registry reg(*ts.store);
  std::string g1, g2;
  {
    auto t = ts.Begin();
    core::GroupInput a, b;
    a.name = "读书会";
    b.name = "徒步群";
    g1 = *reg.AddGroup(*t, a);
    g2 = *reg.AddGroup(*t, b);
    REQUIRE(t->Commit().ok());
  }
  std::string e1 = core::GroupRowId(g1, "aaaa1111" + std::string(24, '0'));
  std::string e2 = core::GroupRowId(g2, "aaaa2222" + std::string(24, '0'));
  std::string e3 = core::GroupRowId(g2, "bbbb3333" + std::string(24, '0'));
  {
    auto t = ts.Begin();
    for (auto [id, title] : {std::pair{e1, "周六活动"}, {e2, "周六活动"}, {e3, "爬山"}}) {
      REQUIRE(t->Set("event", id, "title", std::string(title)).ok());
      REQUIRE(t->Set("event", id, "deleted", int64_t{0}).ok());
    }
    REQUIRE(t->Commit().ok());
  }
  core::GroupRowKind kind{"event", "title", "event", "qun event list"};
  core::Database& db = ts.store->db();
  CHECK(*core::ResolveGroupRow(db, kind, "aaaa1") == e1);
  CHECK(*core::ResolveGroupRow(db, kind, "爬山") == e3);
  CHECK(*core::ResolveGroupRow(db, kind, e2) == e2);
  auto ambiguous = core::ResolveGroupRow(db, kind, "aaaa");
  CHECK(ambiguous.status().code() == Status::Code::kConflict);
  CHECK(ambiguous.status().message().find("aaaa1111") != std::string::npos);
  auto same_title = core::ResolveGroupRow(db, kind, "周六活动");
  CHECK(same_title.status().code() == Status::Code::kConflict);
  CHECK(*core::ResolveGroupRow(db, kind, "周六活动", g2) == e2);
  CHECK(*core::ResolveGroupRow(db, kind, "aaaa", g1) == e1);
  auto missing = core::ResolveGroupRow(db, kind, "爬山", g1);
  CHECK(missing.status().code() == Status::Code::kNotFound);
  CHECK(missing.status().message().find("qun event list") != std::string::npos);
}
