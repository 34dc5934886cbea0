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

namespace {

// A store with two groups, 读书会 (g1) and 徒步群 (g2).
struct TwoGroups {
  TestStore ts;
  std::string g1, g2;
  TwoGroups() {
    core::Registry reg(*ts.store);
    auto t = ts.Begin();
    core::GroupInput a, b;
    a.name = "读书会";
    b.name = "徒步群";
    g1 = *reg.AddGroup(*t, a);
    g2 = *reg.AddGroup(*t, b);
    REQUIRE(t->Commit().ok());
  }
};

}  // namespace

TEST_CASE("a group's rows are found by local id prefix or title, within the group when asked") {
  TwoGroups c;
  TestStore& ts = c.ts;
  const std::string &g1 = c.g1, &g2 = c.g2;
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

TEST_CASE(
    "a mistyped title is answered with the titles it is close to, within the group when asked") {
  TwoGroups c;
  TestStore& ts = c.ts;
  const std::string &g1 = c.g1, &g2 = c.g2;
  std::string e1 = core::GroupRowId(g1, "aaaa1111" + std::string(24, '0'));
  std::string e2 = core::GroupRowId(g2, "bbbb2222" + std::string(24, '0'));
  std::string e3 = core::GroupRowId(g2, "cccc3333" + std::string(24, '0'));
  {
    auto t = ts.Begin();
    for (auto [id, title] :
         {std::pair{e1, "周六读书分享"}, {e2, "梧桐山徒步"}, {e3, "Morning Run"}}) {
      REQUIRE(t->Set("event", id, "title", std::string(title)).ok());
      REQUIRE(t->Set("event", id, "deleted", int64_t{0}).ok());
    }
    REQUIRE(t->Commit().ok());
  }
  core::GroupRowKind kind{"event", "title", "event", "qun event list"};
  core::Database& db = ts.store->db();
  // One character off, and a character that sounds the same (布 for 步).
  auto typo = core::ResolveGroupRow(db, kind, "梧桐山徒布");
  CHECK(typo.status().code() == Status::Code::kNotFound);
  CHECK(typo.status().message().find("did you mean '梧桐山徒步'") != std::string::npos);
  auto latin = core::ResolveGroupRow(db, kind, "morning rnu");
  CHECK(latin.status().message().find("'Morning Run'") != std::string::npos);
  // Within a group, only that group's titles are offered.
  auto other_group = core::ResolveGroupRow(db, kind, "周六读书分想", g2);
  CHECK(other_group.status().code() == Status::Code::kNotFound);
  CHECK(other_group.status().message().find("did you mean") == std::string::npos);
  auto same_group = core::ResolveGroupRow(db, kind, "周六读书分想", g1);
  CHECK(same_group.status().message().find("'周六读书分享'") != std::string::npos);
  // Nothing close: the plain answer, pointing to the list.
  auto far = core::ResolveGroupRow(db, kind, "年会");
  CHECK(far.status().message().find("did you mean") == std::string::npos);
  CHECK(far.status().message().find("qun event list") != std::string::npos);
  // Deleted rows are not suggested.
  {
    auto t = ts.Begin();
    REQUIRE(t->Set("event", e2, "deleted", int64_t{1}).ok());
    REQUIRE(t->Commit().ok());
  }
  auto gone = core::ResolveGroupRow(db, kind, "梧桐山徒布");
  CHECK(gone.status().message().find("梧桐山徒步") == std::string::npos);
}
