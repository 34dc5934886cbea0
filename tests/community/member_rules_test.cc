#include "community/member_rules.h"

#include <doctest/doctest.h>

#include "base/dates.h"
#include "support/test_store.h"

using namespace qun;
using testing::TestStore;

namespace {

struct Fixture : TestStore {
  core::Registry reg{*store};
  std::string group, zhang;

  Fixture() {
    auto txn = Begin("setup");
    core::GroupInput g;
    g.name = "北京交流群";
    g.nickname_pattern = "city-name";
    group = *reg.AddGroup(*txn, g);
    core::PersonInput p;
    p.display_name = "张伟";
    zhang = *reg.AddPerson(*txn, p);
    REQUIRE(reg.Join(*txn, group, zhang, "member", std::nullopt).ok());
    REQUIRE(txn->Commit().ok());
  }
  core::Membership Member() { return *reg.RequireMember(group, zhang); }
  int64_t Today() { return core::Today(*store); }
};

}  // namespace

TEST_CASE("dues: --months counts from the current end, or from today once it has passed") {
  Fixture f;
  auto txn = f.Begin("member pay");
  auto until = core::RecordDues(*txn, f.Member(), std::nullopt, int64_t{3}, f.Today());
  REQUIRE(until.ok());
  CHECK(*until == core::AddMonths(f.Today(), 3));
  REQUIRE(txn->Commit().ok());
  CHECK(f.Member().paid_until == *until);
  // Paid ahead: three more months from the end already paid, not from today.
  txn = f.Begin("member pay");
  auto later = core::RecordDues(*txn, f.Member(), std::nullopt, int64_t{3}, f.Today());
  REQUIRE(later.ok());
  CHECK(*later == core::AddMonths(*core::ParseDayNumber(*until), 3));
  REQUIRE(txn->Commit().ok());
  // Lapsed: a year later the three months start from that day.
  int64_t next_year = f.Today() + 400;
  txn = f.Begin("member pay");
  CHECK(*core::RecordDues(*txn, f.Member(), std::nullopt, int64_t{3}, next_year) ==
        core::AddMonths(next_year, 3));
}

TEST_CASE("dues: exactly one of --until and --months, a real date, 1 to 120 months") {
  Fixture f;
  auto txn = f.Begin("member pay");
  auto m = f.Member();
  CHECK(core::RecordDues(*txn, m, std::nullopt, std::nullopt, f.Today()).status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(core::RecordDues(*txn, m, std::string("2027-06-30"), int64_t{1}, f.Today())
            .status()
            .code() == Status::Code::kInvalidArgument);
  auto bad_day = core::RecordDues(*txn, m, std::string("30/6/2027"), std::nullopt, f.Today());
  CHECK(bad_day.status().message().find("YYYY-MM-DD") != std::string::npos);
  CHECK(!core::RecordDues(*txn, m, std::nullopt, int64_t{0}, f.Today()).ok());
  CHECK(!core::RecordDues(*txn, m, std::nullopt, int64_t{121}, f.Today()).ok());
  CHECK(*core::RecordDues(*txn, m, std::string("2027-06-30"), std::nullopt, f.Today()) ==
        "2027-06-30");
}

TEST_CASE("an introduction and a nickname are recorded on the membership, checked as text") {
  Fixture f;
  auto txn = f.Begin("member intro");
  CHECK(core::RecordIntro(*txn, f.Member(), std::string("bad \xff byte"), std::nullopt)
            .code() == Status::Code::kInvalidArgument);
  REQUIRE(core::RecordIntro(*txn, f.Member(), "大家好，我是张伟", std::string(" 北京-张伟 "))
              .ok());
  REQUIRE(txn->Commit().ok());
  CHECK(f.Member().intro == "大家好，我是张伟");
  CHECK(f.Member().nickname == "北京-张伟");
  // An empty introduction leaves the one on record.
  txn = f.Begin("member intro");
  REQUIRE(core::RecordIntro(*txn, f.Member(), "", std::string("北京-阿伟")).ok());
  REQUIRE(txn->Commit().ok());
  CHECK(f.Member().intro == "大家好，我是张伟");
  CHECK(f.Member().nickname == "北京-阿伟");
}

TEST_CASE("the nickname check names who misses the convention, and needs one") {
  Fixture f;
  auto g = *f.reg.GetGroup(f.group);
  auto found = core::CheckNicknames(f.reg, g);
  REQUIRE(found.ok());
  CHECK(found->checked == 1);
  REQUIRE(found->not_following.size() == 1);  // no nickname yet
  CHECK(found->not_following[0].membership.person_name == "张伟");
  auto txn = f.Begin("member intro");
  REQUIRE(core::RecordIntro(*txn, f.Member(), "", std::string("北京-张伟")).ok());
  REQUIRE(txn->Commit().ok());
  CHECK(core::CheckNicknames(f.reg, g)->not_following.empty());
  g.nickname_pattern = "";
  auto none = core::CheckNicknames(f.reg, g);
  CHECK(none.status().code() == Status::Code::kInvalidArgument);
  CHECK(none.status().message().find("--nickname-pattern") != std::string::npos);
}

TEST_CASE("a purge never takes the chat's admins and owners") {
  Fixture f;
  core::PersonInput p;
  p.display_name = "李娜";
  auto txn = f.Begin("setup");
  std::string li = *f.reg.AddPerson(*txn, p);
  REQUIRE(f.reg.Join(*txn, f.group, li, "admin", std::nullopt).ok());
  REQUIRE(txn->Commit().ok());
  core::Reports reports(f.reg, *f.store);
  // Both joined today: inactive for more than 30 days only as of day +40.
  auto none = core::PurgeCandidates(reports, f.group, 30, f.Today());
  REQUIRE(none.ok());
  CHECK(none->empty());
  auto later = core::PurgeCandidates(reports, f.group, 30, f.Today() + 40);
  REQUIRE(later.ok());
  REQUIRE(later->size() == 1);
  CHECK((*later)[0].person_name == "张伟");
  CHECK((*later)[0].last_active == "never");
}
