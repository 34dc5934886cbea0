#include "community/person_view.h"

#include <doctest/doctest.h>

#include "base/dates.h"
#include "community/registry.h"
#include "core/ids.h"
#include "support/registry_store.h"

using namespace qun;
using testing::RegistryStore;

namespace {

const std::string kNode(64, 'a');

struct Fixture : RegistryStore {
  std::string beijing, shanghai, reading, zhang;

  Fixture() {
    beijing = AddGroup("北京群");
    shanghai = AddGroup("上海群");
    reading = AddGroup("读书会");
    auto txn = Begin();
    core::PersonInput p;
    p.display_name = "张伟";
    zhang = *reg.AddPerson(*txn, p);
    REQUIRE(reg.Join(*txn, beijing, zhang, "core", std::nullopt).ok());
    REQUIRE(reg.Join(*txn, shanghai, zhang, "member", std::nullopt).ok());
    std::string m = core::Registry::MembershipId(beijing, zhang);
    REQUIRE(txn->Set("membership", m, "nickname", "北京-张伟-摄影").ok());
    REQUIRE(txn->Set("membership", m, "paid_until", "2026-12-31").ok());
    REQUIRE(txn->Commit().ok());
  }
  std::string Today(int64_t offset = 0) {
    return core::DayText(core::LocalDay(core::NowMs(*store)) + offset);
  }
  void Activity(const std::string& g, const std::string& day, bool deleted = false) {
    auto txn = Begin();
    std::string id = core::GroupRowId(g, core::RandomId());
    REQUIRE(txn->Set("activity", id, "person_id", zhang).ok());
    REQUIRE(txn->Set("activity", id, "kind", "checkin").ok());
    REQUIRE(txn->Set("activity", id, "day", day).ok());
    REQUIRE(txn->Set("activity", id, "deleted", int64_t{deleted}).ok());
    REQUIRE(txn->Commit().ok());
  }
  core::PersonView View() {
    auto v = core::GetPersonView(*store, zhang);
    REQUIRE_MESSAGE(v.ok(), v.status().message());
    return *v;
  }
  const core::PersonGroup* In(const core::PersonView& v, const std::string& group) {
    for (const auto& g : v.groups)
      if (g.group_id == group) return &g;
    return nullptr;
  }
};

}  // namespace

TEST_SUITE("person view") {
  TEST_CASE_FIXTURE(Fixture, "every membership with role, status, nickname and dues") {
    core::PersonView v = View();
    CHECK(v.person.display_name == "张伟");
    REQUIRE(v.groups.size() == 2);
    const core::PersonGroup* b = In(v, beijing);
    REQUIRE(b);
    CHECK(b->member);
    CHECK(b->role == "core");
    CHECK(b->status == "active");
    CHECK(b->nickname == "北京-张伟-摄影");
    CHECK(b->paid_until == "2026-12-31");
    CHECK(b->joined_at > 0);
    CHECK(b->warning_limit == core::kDefaultWarningLimit);
    CHECK(In(v, shanghai)->role == "member");
    CHECK_FALSE(In(v, reading));
    CHECK_FALSE(v.BannedFromCommunity());
    CHECK(v.BannedIn().empty());
    CHECK(v.signups.empty());
    CHECK(v.applications.empty());
  }

  TEST_CASE_FIXTURE(Fixture, "warnings per group: count and the latest reason") {
    for (const char* r : {"发广告", "刷屏"}) {
      auto txn = Begin();
      REQUIRE(core::GiveWarning(*txn, beijing, zhang, r, kNode).ok());
      REQUIRE(txn->Commit().ok());
      clock.Advance(1000);
    }
    core::PersonView v = View();
    CHECK(In(v, beijing)->warnings == 2);
    CHECK(In(v, beijing)->last_warning_reason == "刷屏");
    CHECK(In(v, beijing)->last_warning_at == 1'700'000'001'000);
    CHECK(In(v, shanghai)->warnings == 0);
  }

  TEST_CASE_FIXTURE(Fixture, "activity of the last 30 days per group, and the last active day") {
    Activity(beijing, Today());
    Activity(beijing, Today(-29));
    Activity(beijing, Today(-30));  // outside the window, but still the past
    Activity(beijing, Today(-1), /*deleted=*/true);
    Activity(shanghai, Today(-100));
    core::PersonView v = View();
    CHECK(v.activity_since == Today(-29));
    CHECK(In(v, beijing)->recent_activity == 2);
    CHECK(In(v, beijing)->last_activity_day == Today());
    CHECK(In(v, shanghai)->recent_activity == 0);
    CHECK(In(v, shanghai)->last_activity_day == Today(-100));
  }

  TEST_CASE_FIXTURE(Fixture, "a community ban and the groups that banned show up front") {
    {
      auto txn = Begin();
      REQUIRE(reg.SetMembershipStatus(*txn, shanghai, zhang, "banned").ok());
      REQUIRE(txn->Commit().ok());
    }
    core::PersonView v = View();
    CHECK_FALSE(v.BannedFromCommunity());
    CHECK(v.BannedIn() == std::vector<std::string>{"上海群"});
    {
      auto txn = Begin();
      REQUIRE(core::BanPerson(*txn, zhang, "多次发广告", kNode).ok());
      REQUIRE(txn->Commit().ok());
    }
    v = View();
    CHECK(v.BannedFromCommunity());
    CHECK(v.ban->reason == "多次发广告");
    CHECK(v.BannedIn().size() == 2);
  }

  TEST_CASE_FIXTURE(Fixture, "sign-ups name their events — applications their decision") {
    auto txn = Begin();
    std::string event = core::GroupRowId(reading, core::RandomId());
    REQUIRE(txn->Set("event", event, "title", "十一月读书分享").ok());
    REQUIRE(txn->Set("event", event, "starts_at", int64_t{1'700'100'000'000}).ok());
    REQUIRE(txn->Set("event", event, "status", "open").ok());
    REQUIRE(txn->Set("event", event, "deleted", int64_t{0}).ok());
    std::string signup = core::GroupRowId(reading, core::DerivedId("signup", event + " " + zhang));
    REQUIRE(txn->Set("signup", signup, "event_id", event).ok());
    REQUIRE(txn->Set("signup", signup, "person_id", zhang).ok());
    REQUIRE(txn->Set("signup", signup, "guests", int64_t{1}).ok());
    REQUIRE(txn->Set("signup", signup, "status", "in").ok());
    REQUIRE(txn->Set("signup", signup, "deleted", int64_t{0}).ok());
    // A sign-up under another group naming this event is not one.
    std::string rogue = core::GroupRowId(beijing, core::DerivedId("signup", event + " " + zhang));
    REQUIRE(txn->Set("signup", rogue, "event_id", event).ok());
    REQUIRE(txn->Set("signup", rogue, "person_id", zhang).ok());
    REQUIRE(txn->Set("signup", rogue, "status", "in").ok());
    REQUIRE(txn->Set("signup", rogue, "deleted", int64_t{0}).ok());
    std::string app =
        core::GroupRowId(reading, core::DerivedId("application", reading + " " + zhang));
    REQUIRE(txn->Set("application", app, "person_id", zhang).ok());
    REQUIRE(txn->Set("application", app, "applied_at", int64_t{1'699'000'000'000}).ok());
    REQUIRE(txn->Set("application", app, "decision",
                     R"({"status":"rejected","reason":"名额已满","by":"aa","at":1699500000000})")
                .ok());
    REQUIRE(txn->Set("application", app, "deleted", int64_t{0}).ok());
    std::string pending = core::GroupRowId(beijing, core::RandomId());
    REQUIRE(txn->Set("application", pending, "person_id", zhang).ok());
    REQUIRE(txn->Set("application", pending, "applied_at", int64_t{1'698'000'000'000}).ok());
    REQUIRE(txn->Set("application", pending, "deleted", int64_t{0}).ok());
    REQUIRE(txn->Commit().ok());

    core::PersonView v = View();
    REQUIRE(v.signups.size() == 1);
    CHECK(v.signups[0].event_title == "十一月读书分享");
    CHECK(v.signups[0].group_name == "读书会");
    CHECK(v.signups[0].guests == 1);
    CHECK(v.signups[0].status == "in");
    REQUIRE(v.applications.size() == 2);
    CHECK(v.applications[0].group_name == "读书会");
    CHECK(v.applications[0].status == "rejected");
    CHECK(v.applications[0].reason == "名额已满");
    CHECK(v.applications[0].decided_at == 1'699'500'000'000);
    // 张伟 is already a member of 北京群: his application there is approved
    // (he was let in directly).
    CHECK(v.applications[1].status == "approved");
  }

  TEST_CASE_FIXTURE(Fixture, "an unknown or removed person is not found") {
    CHECK(core::GetPersonView(*store, std::string(32, 'f')).status().code() ==
          Status::Code::kNotFound);
    auto txn = Begin();
    REQUIRE(reg.RemovePerson(*txn, zhang).ok());
    REQUIRE(txn->Commit().ok());
    CHECK(core::GetPersonView(*store, zhang).status().code() == Status::Code::kNotFound);
  }
}
