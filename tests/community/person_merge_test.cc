// Merging two records of one person (community/person_merge.h): the kept
// record gains the other's handles, tags, memberships (on its own row id,
// core::MembershipRowId of the group and the kept person) and referrals, its
// empty fields are filled from the other, notes are joined, and the other
// record is removed; bad input is refused and writes nothing.
#include "community/person_merge.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "community/registry.h"
#include "core/ids.h"
#include "support/registry_store.h"

using namespace qun;
using qun::testing::RegistryStore;

namespace {

core::Handle H(const char* kind, const char* value) { return *core::NormalizeHandle(kind, value); }

struct Fixture : RegistryStore {
  std::string AddPerson(core::PersonInput in) {
    auto txn = Begin("member add");
    auto id = reg.AddPerson(*txn, in);
    REQUIRE_MESSAGE(id.ok(), id.status().message());
    REQUIRE(txn->Commit().ok());
    return *id;
  }
  void Join(const std::string& g, const std::string& p, const std::string& role = "member",
            std::optional<std::string> invited_by = std::nullopt) {
    auto txn = Begin("member join");
    Status s = reg.Join(*txn, g, p, role, invited_by);
    REQUIRE_MESSAGE(s.ok(), s.message());
    REQUIRE(txn->Commit().ok());
  }
  Result<core::PersonMergeResult> Merge(const std::string& keep, const std::string& gone) {
    auto txn = Begin("member merge");
    auto r = core::MergePeople(reg, *txn, keep, gone);
    if (r.ok()) REQUIRE(txn->Commit().ok());
    return r;
  }
  core::Person Person(const std::string& id) {
    auto p = reg.GetPerson(id);
    REQUIRE_MESSAGE(p.ok(), p.status().message());
    return *p;
  }
};

core::PersonInput Named(const std::string& name) {
  core::PersonInput in;
  in.display_name = name;
  return in;
}

}  // namespace

TEST_SUITE("person merge") {
  TEST_CASE("the kept record gains the other's handles, tags, memberships, referrals and fields") {
    Fixture f;
    std::string beijing = f.AddGroup("北京群"), shanghai = f.AddGroup("上海群");

    core::PersonInput k = Named("张伟");
    k.add_handles = {H("wechat", "zw_1")};
    k.add_tags = {"摄影"};
    k.notes = "老会员";
    k.city = "北京";
    std::string keep = f.AddPerson(k);
    core::PersonInput g = Named("张伟");
    g.add_handles = {H("phone", "+86 138 0000 0000")};
    g.add_tags = {"摄影", "读书"};
    g.city = "上海";  // the kept value stays
    g.nickname = "小张";
    g.intro = "做咖啡的";
    g.notes = "第二条";
    std::string gone = f.AddPerson(g);
    REQUIRE(keep != gone);

    f.Join(beijing, keep);
    f.Join(beijing, gone);            // both were in 北京群: the kept one stays as it is
    f.Join(shanghai, gone, "admin");  // only the other was in 上海群
    std::string wang = f.AddPerson(Named("王芳"));
    core::PersonInput referred;
    referred.referred_by = gone;
    {
      auto txn = f.Begin("member edit");
      REQUIRE(f.reg.EditPerson(*txn, wang, referred).ok());
      REQUIRE(txn->Commit().ok());
    }
    std::string li = f.AddPerson(Named("李娜"));
    f.Join(shanghai, li, "member", gone);  // invited by the other record

    auto r = f.Merge(keep, gone);
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(r->handles == 1);
    CHECK(r->tags == 1);         // 读书; 摄影 was the kept one's already
    CHECK(r->memberships == 1);  // 上海群
    CHECK(r->referrals == 2);    // 王芳's referrer, 李娜's inviter
    CHECK(r->fields == 3);       // nickname, intro, notes

    core::Person p = f.Person(keep);
    CHECK(p.display_name == "张伟");
    CHECK(p.city == "北京");
    CHECK(p.nickname == "小张");
    CHECK(p.intro == "做咖啡的");
    CHECK(p.notes == "老会员\n第二条");
    CHECK(p.handles ==
          std::vector<core::Handle>{H("wechat", "zw_1"), H("phone", "+8613800000000")});
    CHECK(p.tags == std::vector<std::string>{"摄影", "读书"});

    auto removed = f.reg.PersonRemoved(gone);
    REQUIRE(removed.ok());
    CHECK(*removed == std::optional<bool>(true));
    auto owner = f.reg.FindByHandle(H("phone", "+8613800000000"));
    REQUIRE(owner.ok());
    CHECK(*owner == std::optional<std::string>(keep));

    // The membership moved to the kept person's own row, with its role.
    auto moved = f.reg.GetMembership(shanghai, keep);
    REQUIRE(moved.ok());
    REQUIRE(moved->has_value());
    CHECK((*moved)->id == core::MembershipRowId(shanghai, keep));
    CHECK((*moved)->role == "admin");
    CHECK((*moved)->status == "active");
    CHECK(f.Int("SELECT deleted FROM membership WHERE id = '" +
                core::MembershipRowId(shanghai, gone) + "'") == 1);
    CHECK(f.Int("SELECT deleted FROM membership WHERE id = '" +
                core::MembershipRowId(beijing, gone) + "'") == 1);
    core::MembershipFilter in_beijing;
    in_beijing.group_id = beijing;
    auto members = f.reg.ListMemberships(in_beijing);
    REQUIRE(members.ok());
    REQUIRE(members->size() == 1);
    CHECK(members->front().person_id == keep);

    CHECK(f.Person(wang).referred_by == keep);
    auto invited = f.reg.GetMembership(shanghai, li);
    REQUIRE(invited.ok());
    REQUIRE(invited->has_value());
    CHECK((*invited)->invited_by == keep);

    // The other record's history stays in the log.
    CHECK(f.Int("SELECT count(*) FROM op WHERE tbl = 'person' AND row_id = '" + gone +
                "' AND col = 'display_name'") == 1);
  }

  TEST_CASE("a record that named the kept one as its referrer does not make it refer to itself") {
    Fixture f;
    std::string keep = f.AddPerson(Named("张伟"));
    core::PersonInput g = Named("张伟 (重复)");
    g.referred_by = keep;
    g.city = "深圳";
    std::string gone = f.AddPerson(g);
    auto r = f.Merge(keep, gone);
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(r->fields == 1);  // the city only
    CHECK(r->referrals == 0);
    core::Person p = f.Person(keep);
    CHECK(p.referred_by.empty());
    CHECK(p.city == "深圳");
  }

  TEST_CASE("the same notes are not joined twice, and a full record gains no fields") {
    Fixture f;
    core::PersonInput both = Named("李娜");
    both.notes = "同一条";
    both.city = "杭州";
    std::string keep = f.AddPerson(both);
    both.city = "苏州";
    std::string gone = f.AddPerson(both);
    auto r = f.Merge(keep, gone);
    REQUIRE(r.ok());
    CHECK(r->fields == 0);
    CHECK(r->handles == 0);
    CHECK(r->tags == 0);
    CHECK(r->memberships == 0);
    CHECK(f.Person(keep).notes == "同一条");
    CHECK(f.Person(keep).city == "杭州");
  }

  TEST_CASE("merging a person into themselves, an unknown or a removed one is refused") {
    Fixture f;
    std::string a = f.AddPerson(Named("张伟")), b = f.AddPerson(Named("张伟"));
    int64_t ops = f.Int("SELECT count(*) FROM op");

    auto self = f.Merge(a, a);
    REQUIRE_FALSE(self.ok());
    CHECK(self.status().code() == Status::Code::kInvalidArgument);
    CHECK(self.status().message().find("cannot be merged into themselves") != std::string::npos);

    std::string nobody = core::RandomId();
    auto unknown = f.Merge(a, nobody);
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.status().code() == Status::Code::kNotFound);
    CHECK(unknown.status().message().find(nobody) != std::string::npos);
    CHECK(f.Merge(nobody, a).status().code() == Status::Code::kNotFound);
    CHECK(f.Int("SELECT count(*) FROM op") == ops);

    {
      auto txn = f.Begin("member remove");
      REQUIRE(f.reg.RemovePerson(*txn, b).ok());
      REQUIRE(txn->Commit().ok());
    }
    ops = f.Int("SELECT count(*) FROM op");
    for (auto [keep, gone] : {std::pair{a, b}, std::pair{b, a}}) {
      auto r = f.Merge(keep, gone);
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == Status::Code::kNotFound);
    }
    CHECK(f.Int("SELECT count(*) FROM op") == ops);
    auto still = f.reg.PersonRemoved(a);
    REQUIRE(still.ok());
    CHECK(*still == std::optional<bool>(false));
  }
}
