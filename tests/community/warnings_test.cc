#include "community/warnings.h"

#include <doctest/doctest.h>

#include "community/registry.h"
#include "core/ids.h"
#include "support/test_store.h"

using namespace qun;
using testing::TestStore;

namespace {

const std::string kNode(64, 'a');

struct Fixture : TestStore {
  core::Registry reg{*store};
  std::string beijing, shanghai, zhang, li, wang;

  Fixture() {
    beijing = AddGroup("北京群");
    shanghai = AddGroup("上海群");
    zhang = AddPerson("张伟");
    li = AddPerson("李娜");
    wang = AddPerson("王芳");
    Join(beijing, zhang);
    Join(shanghai, zhang);
    Join(beijing, li);
  }
  std::string AddGroup(const std::string& name, int64_t capacity = 500) {
    auto txn = Begin("group add");
    core::GroupInput in;
    in.name = name;
    in.capacity = capacity;
    auto id = reg.AddGroup(*txn, in);
    REQUIRE_MESSAGE(id.ok(), id.status().message());
    REQUIRE(txn->Commit().ok());
    return *id;
  }
  std::string AddPerson(const std::string& name) {
    auto txn = Begin("member add");
    core::PersonInput in;
    in.display_name = name;
    auto id = reg.AddPerson(*txn, in);
    REQUIRE(id.ok());
    REQUIRE(txn->Commit().ok());
    return *id;
  }
  void Join(const std::string& g, const std::string& p, bool waitlist = false) {
    auto txn = Begin("member join");
    REQUIRE(reg.Join(*txn, g, p, "member", std::nullopt, waitlist).ok());
    REQUIRE(txn->Commit().ok());
  }
  void SetStatus(const std::string& g, const std::string& p, const std::string& status) {
    auto txn = Begin("member set-status");
    REQUIRE(reg.SetMembershipStatus(*txn, g, p, status).ok());
    REQUIRE(txn->Commit().ok());
  }
  Result<std::string> Warn(const std::string& g, const std::string& p, const std::string& reason) {
    auto txn = Begin("warn");
    auto id = core::GiveWarning(*txn, g, p, reason, kNode);
    if (id.ok()) REQUIRE(txn->Commit().ok());
    clock.Advance(1000);
    return id;
  }
  void MustWarn(const std::string& g, const std::string& p, const std::string& reason) {
    auto id = Warn(g, p, reason);
    REQUIRE_MESSAGE(id.ok(), id.status().message());
  }
  int64_t Count(const std::string& g, const std::string& p) {
    auto n = core::WarningCount(*store, g, p);
    REQUIRE(n.ok());
    return *n;
  }
  Result<core::BanResult> Ban(const std::string& p, const std::string& reason) {
    auto txn = Begin("ban");
    auto r = core::BanPerson(*txn, p, reason, kNode);
    if (r.ok()) REQUIRE(txn->Commit().ok());
    return r;
  }
  std::string StatusOf(const std::string& g, const std::string& p) {
    auto m = reg.GetMembership(g, p);
    REQUIRE(m.ok());
    return *m ? (*m)->status : "";
  }
};

}  // namespace

TEST_SUITE("warnings") {
  TEST_CASE_FIXTURE(Fixture, "a warning records the reason, the node that gave it and when") {
    auto id = Warn(beijing, zhang, "  发广告 ");
    REQUIRE_MESSAGE(id.ok(), id.status().message());
    CHECK(core::GroupOfRowId(*id) == beijing);
    auto w = core::GetWarning(*store, *id);
    REQUIRE(w.ok());
    CHECK(w->reason == "发广告");
    CHECK(w->person_name == "张伟");
    CHECK(w->group_name == "北京群");
    CHECK(w->given_by == core::ToHex(me));
    CHECK(w->given_at == 1'700'000'000'000);
    CHECK(Count(beijing, zhang) == 1);
    CHECK(Count(shanghai, zhang) == 0);
  }

  TEST_CASE_FIXTURE(Fixture,
                    "a warning and a ban show the node that signed them, not the node they name") {
    // The writer names the founder's node (kNode) in given_by and banned_by;
    // what is shown is who signed the write: this store's author.
    const std::string founder = kNode;
    {
      auto txn = Begin("forged warn");
      REQUIRE(core::GiveWarning(*txn, beijing, zhang, "冒名警告", founder).ok());
      REQUIRE(txn->Commit().ok());
    }
    REQUIRE(Ban(li, "冒名封禁").ok());
    CHECK(Get("SELECT given_by FROM warning") == Value(founder));
    auto ws = core::ListWarnings(*store, {});
    REQUIRE(ws.ok());
    REQUIRE(ws->size() == 1);
    CHECK((*ws)[0].given_by == core::ToHex(me));
    CHECK((*ws)[0].given_by != founder);
    auto ban = core::GetBan(*store, li);
    REQUIRE(ban.ok());
    REQUIRE(*ban);
    CHECK((*ban)->banned_by == core::ToHex(me));
  }

  TEST_CASE_FIXTURE(Fixture, "a warning needs a membership of any status, and a reason") {
    CHECK(Warn(beijing, wang, "发广告").status().code() == Status::Code::kNotFound);
    CHECK(Warn(beijing, zhang, "   ").status().code() == Status::Code::kInvalidArgument);
    CHECK(Warn(beijing, zhang, "\xff").status().code() == Status::Code::kInvalidArgument);
    CHECK(Warn(std::string(32, 'c'), zhang, "x").status().code() == Status::Code::kNotFound);
    CHECK(Warn(beijing, std::string(32, 'd'), "x").status().code() == Status::Code::kNotFound);
    CHECK(Int("SELECT count(*) FROM warning") == 0);
    // One who already left can still be warned: warnings may come right
    // before a removal.
    SetStatus(beijing, li, "left");
    CHECK(Warn(beijing, li, "退群后私信骚扰").ok());
    auto message = Warn(beijing, wang, "x").status().message();
    CHECK(message.find("王芳") != std::string::npos);
    CHECK(message.find("北京群") != std::string::npos);
  }

  TEST_CASE_FIXTURE(Fixture,
                    "warnings are listed newest first, by group or person — removal undoes one") {
    auto first = Warn(beijing, zhang, "发广告");
    MustWarn(shanghai, zhang, "刷屏");
    MustWarn(beijing, li, "骂人");
    auto all = core::ListWarnings(*store, {});
    REQUIRE(all->size() == 3);
    CHECK((*all)[0].reason == "骂人");
    core::WarningFilter f;
    f.person_id = zhang;
    CHECK(core::ListWarnings(*store, f)->size() == 2);
    f.group_id = beijing;
    CHECK(core::ListWarnings(*store, f)->size() == 1);
    {
      auto txn = Begin();
      REQUIRE(core::RemoveWarning(*txn, *first).ok());
      REQUIRE(txn->Commit().ok());
    }
    CHECK(Count(beijing, zhang) == 0);
    CHECK(core::ListWarnings(*store, {})->size() == 2);
    auto txn = Begin();
    CHECK(core::RemoveWarning(*txn, *first).code() == Status::Code::kNotFound);
  }

  TEST_CASE_FIXTURE(Fixture,
                    "people at their group's warning limit are due, with the last reason") {
    MustWarn(beijing, zhang, "发广告");
    MustWarn(beijing, zhang, "刷屏");
    auto due = core::WarningsDue(*store, std::nullopt, false);
    CHECK(due->empty());  // 2 of the default 3
    MustWarn(beijing, zhang, "又发广告");
    due = core::WarningsDue(*store, std::nullopt, false);
    REQUIRE(due->size() == 1);
    CHECK((*due)[0].person_name == "张伟");
    CHECK((*due)[0].warnings == 3);
    CHECK((*due)[0].limit == core::kDefaultWarningLimit);
    CHECK((*due)[0].last_reason == "又发广告");
    CHECK((*due)[0].status == "active");
    // A group's own limit counts; warnings in other groups do not add up.
    MustWarn(shanghai, zhang, "刷屏");
    CHECK(core::WarningsDue(*store, shanghai, false)->empty());
    {
      auto txn = Begin();
      core::GroupInput in;
      in.warning_limit = 1;
      REQUIRE(reg.EditGroup(*txn, shanghai, in).ok());
      REQUIRE(txn->Commit().ok());
    }
    due = core::WarningsDue(*store, shanghai, false);
    REQUIRE(due->size() == 1);
    CHECK((*due)[0].limit == 1);
    CHECK(core::WarningsDue(*store, std::nullopt, false)->size() == 2);
  }

  TEST_CASE_FIXTURE(Fixture, "people already removed or banned are left out of due unless asked") {
    for (const char* r : {"一", "二", "三"}) MustWarn(beijing, zhang, r);
    SetStatus(beijing, zhang, "removed");
    CHECK(core::WarningsDue(*store, std::nullopt, false)->empty());
    auto all = core::WarningsDue(*store, std::nullopt, true);
    REQUIRE(all->size() == 1);
    CHECK((*all)[0].done);
    CHECK((*all)[0].status == "removed");
  }

  TEST_CASE_FIXTURE(Fixture, "a community ban bans every membership and frees the places") {
    std::string small = AddGroup("小群", 1);
    Join(small, zhang);
    Join(small, li, /*waitlist=*/true);
    REQUIRE(StatusOf(small, li) == "waitlisted");
    auto r = Ban(zhang, "多次发广告");
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK_FALSE(r->was_active);
    CHECK(r->groups.size() == 3);
    for (const auto& g : {beijing, shanghai, small}) CHECK(StatusOf(g, zhang) == "banned");
    CHECK(StatusOf(small, li) == "active");  // the waitlist moved up
    auto ban = core::GetBan(*store, zhang);
    REQUIRE(ban.ok());
    REQUIRE(*ban);
    CHECK((*ban)->active);
    CHECK((*ban)->reason == "多次发广告");
    CHECK((*ban)->banned_by == core::ToHex(me));
    CHECK((*ban)->id == core::DerivedId("ban", zhang));
    CHECK(*reg.BanReason(zhang) == std::optional<std::string>("多次发广告"));
    CHECK(core::ListBans(*store, false)->size() == 1);
    // A banned person cannot simply be added again.
    auto txn = Begin();
    CHECK(reg.Join(*txn, beijing, zhang, "member", std::nullopt).code() == Status::Code::kConflict);
  }

  TEST_CASE_FIXTURE(Fixture, "a ban needs a reason and a person") {
    CHECK(Ban(zhang, " ").status().code() == Status::Code::kInvalidArgument);
    CHECK(Ban(std::string(32, 'e'), "x").status().code() == Status::Code::kNotFound);
    CHECK(Int("SELECT count(*) FROM ban") == 0);
    CHECK(StatusOf(beijing, zhang) == "active");
  }

  TEST_CASE_FIXTURE(Fixture,
                    "banning again updates the reason and reaches memberships added since") {
    REQUIRE(Ban(wang, "骚扰").ok());  // in no group yet
    CHECK(core::ListBans(*store, false)->size() == 1);
    // A membership another node added while the ban travelled.
    {
      auto txn = Begin();
      std::string m = core::Registry::MembershipId(beijing, wang);
      REQUIRE(txn->Set("membership", m, "group_id", beijing).ok());
      REQUIRE(txn->Set("membership", m, "person_id", wang).ok());
      REQUIRE(txn->Set("membership", m, "role", "member").ok());
      REQUIRE(txn->Set("membership", m, "status", "active").ok());
      REQUIRE(txn->Set("membership", m, "deleted", int64_t{0}).ok());
      REQUIRE(txn->Commit().ok());
    }
    auto ban = core::GetBan(*store, wang);
    CHECK((*ban)->holding_place_in == std::vector<std::string>{"北京群"});
    int64_t banned_at = (*ban)->banned_at;
    clock.Advance(60'000);
    auto again = Ban(wang, "骚扰，屡教不改");
    REQUIRE(again.ok());
    CHECK(again->was_active);
    CHECK(again->groups == std::vector<std::string>{"北京群"});
    ban = core::GetBan(*store, wang);
    CHECK((*ban)->reason == "骚扰，屡教不改");
    CHECK((*ban)->banned_at == banned_at);
    CHECK((*ban)->holding_place_in.empty());
  }

  TEST_CASE_FIXTURE(Fixture, "lifting a ban keeps each group's membership banned") {
    REQUIRE(Ban(zhang, "发广告").ok());
    std::vector<std::string> still;
    {
      auto txn = Begin();
      auto r = core::LiftBan(*txn, zhang);
      REQUIRE(r.ok());
      still = *r;
      REQUIRE(txn->Commit().ok());
    }
    CHECK(still == std::vector<std::string>{"北京群", "上海群"});  // pinyin order
    CHECK(StatusOf(beijing, zhang) == "banned");
    CHECK_FALSE(reg.BanReason(zhang)->has_value());
    CHECK(core::ListBans(*store, false)->empty());
    CHECK(core::ListBans(*store, true)->size() == 1);
    CHECK_FALSE((*core::GetBan(*store, zhang))->active);
    auto txn = Begin();
    CHECK(core::LiftBan(*txn, zhang).status().code() == Status::Code::kNotFound);
    CHECK(core::LiftBan(*txn, li).status().code() == Status::Code::kNotFound);
  }

  TEST_CASE_FIXTURE(Fixture, "the ban notice names the community ban and the groups that banned") {
    CHECK_FALSE(core::BanNotice(*store, zhang)->has_value());
    SetStatus(shanghai, zhang, "banned");
    auto notice = core::BanNotice(*store, zhang);
    REQUIRE(notice->has_value());
    CHECK((*notice)->find("banned in 上海群") != std::string::npos);
    REQUIRE(Ban(zhang, "发广告").ok());
    notice = core::BanNotice(*store, zhang);
    CHECK((*notice)->find("whole community") != std::string::npos);
    CHECK((*notice)->find("发广告") != std::string::npos);
    CHECK((*notice)->find("北京群") != std::string::npos);
  }
}
