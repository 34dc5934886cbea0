#include "community/member_import.h"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <map>

#include "core/ids.h"
#include "support/test_store.h"

using namespace qun;
using testing::TestStore;

namespace {

struct Fixture : TestStore {
  core::Registry reg{*store};

  Status Import(const std::string& bytes, core::ImportReport* report,
                core::ImportOptions options = {}) {
    return core::ImportMembers(*store, reg, me, bytes, options, report);
  }
  int64_t People() { return Int("SELECT count(*) FROM person WHERE deleted=0"); }
  int64_t Ops() { return Int("SELECT count(*) FROM op"); }
};

std::string SampleCsv() {
  std::ifstream in(std::string(QUN_TEST_DATA) + "/members-sample.csv", std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("importing the sample sheet adds 240 people and re-importing it changes nothing") {
  Fixture f;
  core::ImportReport r;
  REQUIRE(f.Import(SampleCsv(), &r).ok());
  CHECK(r.encoding == "UTF-8 with BOM");
  CHECK(r.imported == 240);
  CHECK(r.rejections.empty());
  CHECK(r.written);
  CHECK(f.People() == 240);
  int64_t ops = f.Ops();
  core::ImportReport again;
  REQUIRE(f.Import(SampleCsv(), &again).ok());
  CHECK(again.imported == 0);
  CHECK(again.updated == 0);
  CHECK(again.unchanged == 240);
  CHECK(f.Ops() == ops);
}

TEST_CASE("an edited row updates its person, matched by contact handle") {
  Fixture f;
  core::ImportReport r;
  REQUIRE(f.Import("display_name,wechat,city\r\n张伟,zw_1,北京\r\n", &r).ok());
  REQUIRE(f.Import("wechat,city,display_name\r\nzw_1,上海,张伟\r\n", &r).ok());
  CHECK(r.updated == 1);
  CHECK(f.People() == 1);
  CHECK(f.Get("SELECT city FROM person") == Value{std::string("上海")});
}

TEST_CASE("a GB18030 sheet with Chinese headers imports as proper UTF-8") {
  Fixture f;
  std::string utf8 = "姓名,微信,城市,标签\r\n张伟,zw_1,北京,摄影；读书\r\n";
  auto gb = encoding::EncodeAs(utf8, encoding::Encoding::kGb18030);
  REQUIRE(gb.ok());
  REQUIRE(*gb != utf8);
  core::ImportReport r;
  REQUIRE(f.Import(*gb, &r).ok());
  CHECK(r.encoding == "GB18030");
  CHECK(r.imported == 1);
  auto people = f.reg.ListPeople({});
  REQUIRE(people->size() == 1);
  CHECK((*people)[0].display_name == "张伟");
  CHECK((*people)[0].city == "北京");
  CHECK((*people)[0].tags == std::vector<std::string>{"摄影", "读书"});
}

TEST_CASE("a file with bad rows is rejected whole, each problem with its line") {
  Fixture f;
  std::string csv =
      "display_name,wechat,email\n"
      "好人,ok_1,ok@example.org\n"
      ",no_name,\n"
      "坏邮箱,bad_mail,not-an-email\n"
      "\"多行\n名字\",ml_1,\n"
      "重复,ok_1,\n";
  core::ImportReport r;
  Status s = f.Import(csv, &r);
  CHECK(s.code() == Status::Code::kRejected);
  CHECK_FALSE(r.written);
  REQUIRE(r.rejections.size() == 4);
  std::map<int, std::string> by_line;
  for (const auto& rejection : r.rejections) by_line[rejection.line] = rejection.reason;
  CHECK(by_line.count(3));
  CHECK(by_line.count(4));
  // A name is one line: the quoted line break is refused, not stored.
  CHECK(by_line[5].find("the display name holds a line break") != std::string::npos);
  REQUIRE(by_line.count(7));  // the quoted line break moved it down
  CHECK(by_line[7].find("line 2") != std::string::npos);
  CHECK(f.People() == 0);
  CHECK(f.Ops() == 0);

  core::ImportOptions skip;
  skip.skip_bad = true;
  REQUIRE(f.Import(csv, &r, skip).ok());
  CHECK(r.imported == 1);
  CHECK(r.rejections.size() == 4);
  CHECK(f.People() == 1);
}

TEST_CASE("a dry run reports but writes nothing") {
  Fixture f;
  core::ImportOptions dry;
  dry.dry_run = true;
  core::ImportReport r;
  REQUIRE(f.Import(SampleCsv(), &r, dry).ok());
  CHECK(r.imported == 240);
  CHECK_FALSE(r.written);
  CHECK(f.People() == 0);
}

TEST_CASE("a sheet without a display_name column is refused with what to name it") {
  Fixture f;
  core::ImportReport r;
  Status s = f.Import("wechat,city\nwx,北京\n", &r);
  CHECK(s.code() == Status::Code::kInvalidArgument);
  CHECK(s.message().find("display_name") != std::string::npos);
}

TEST_CASE("a referrer further down the sheet is linked after all rows are in") {
  Fixture f;
  core::ImportReport r;
  REQUIRE(f.Import("display_name,wechat,referred_by\n新人,new_1,old_1\n老人,old_1,\n", &r).ok());
  auto id = f.reg.ResolvePerson("new_1");
  REQUIRE(id.ok());
  auto p = f.reg.GetPerson(*id);
  CHECK(p->referred_by_name == "老人");
}

TEST_CASE("unknown columns are ignored and reported") {
  Fixture f;
  core::ImportReport r;
  REQUIRE(f.Import("display_name,favourite colour\nA,blue\n", &r).ok());
  CHECK(r.ignored_columns == std::vector<std::string>{"favourite colour"});
}

TEST_CASE("importing into a group adds every person to it once") {
  Fixture f;
  std::string g;
  {
    auto txn = f.Begin();
    core::GroupInput in;
    in.name = "导入群";
    g = *f.reg.AddGroup(*txn, in);
    REQUIRE(txn->Commit().ok());
  }
  core::ImportOptions opts;
  opts.group_id = g;
  core::ImportReport r;
  REQUIRE(f.Import("display_name,wechat\nA,a1\nB,b1\n", &r, opts).ok());
  CHECK(r.joined == 2);
  REQUIRE(f.Import("display_name,wechat\nA,a1\nB,b1\n", &r, opts).ok());
  CHECK(r.joined == 0);
  CHECK(r.unchanged == 2);
}

TEST_CASE("re-importing a sheet without ids or handles matches people by their unique name") {
  Fixture f;
  core::ImportReport r;
  REQUIRE(f.Import("姓名,城市\n张伟,北京\n李娜,上海\n", &r).ok());
  CHECK(r.imported == 2);
  REQUIRE(f.Import("姓名,城市\n张伟,深圳\n李娜,上海\n", &r).ok());
  CHECK(r.imported == 0);
  CHECK(r.updated == 1);
  CHECK(r.unchanged == 1);
  CHECK(f.People() == 2);
  // Two rows that only a name could tell apart are refused.
  Status s = f.Import("姓名\n王芳\n王芳\n", &r);
  CHECK(s.code() == Status::Code::kRejected);
  REQUIRE(r.rejections.size() == 1);
  CHECK(r.rejections[0].line == 3);
}

TEST_CASE("a referrer removed since still counts, so an export re-imports") {
  Fixture f;
  core::ImportReport r;
  REQUIRE(f.Import("display_name,wechat,referred_by\n老人,old_1,\n新人,new_1,old_1\n", &r).ok());
  std::string old_id = *f.reg.ResolvePerson("old_1");
  {
    auto txn = f.Begin();
    REQUIRE(f.reg.RemovePerson(*txn, old_id).ok());
    REQUIRE(txn->Commit().ok());
  }
  REQUIRE(f.Import("display_name,wechat,referred_by\n新人,new_1," + old_id + "\n", &r).ok());
  CHECK(r.rejections.empty());
  CHECK(f.reg.GetPerson(*f.reg.ResolvePerson("new_1"))->referred_by == old_id);
}

TEST_CASE("with --skip-bad a row with an unknown referrer is imported without it and listed") {
  Fixture f;
  core::ImportOptions skip;
  skip.skip_bad = true;
  core::ImportReport r;
  REQUIRE(f.Import("display_name,wechat,referred_by\n新人,new_1,nobody\n", &r, skip).ok());
  CHECK(r.imported == 1);
  CHECK(r.rejected_rows() == 0);
  REQUIRE(r.rejections.size() == 1);
  CHECK(r.rejections[0].row_imported);
  CHECK(r.rejections[0].reason.find("without the referral") != std::string::npos);
  // Without --skip-bad the same sheet writes nothing.
  Fixture g;
  CHECK(g.Import("display_name,wechat,referred_by\n新人,new_1,nobody\n", &r).code() ==
        Status::Code::kRejected);
  CHECK(g.People() == 0);
}

TEST_CASE("a ' —' inside a handle or tag is refused, since it separates them in sheets") {
  Fixture f;
  core::ImportReport r;
  // In a sheet, the cell "wx;alt" is two WeChat ids of one person.
  REQUIRE(f.Import("display_name,wechat\n甲,\"wx;alt\"\n", &r).ok());
  CHECK(f.reg.GetPerson(*f.reg.ResolvePerson("alt"))->handles.size() == 2);
  CHECK(core::NormalizeHandle("wechat", "wx;alt").status().code() ==
        Status::Code::kInvalidArgument);
  auto txn = f.Begin();
  core::PersonInput in;
  in.display_name = "乙";
  in.add_tags = {"摄影；修图"};
  CHECK(f.reg.AddPerson(*txn, in).status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("importing into a group keeps muted members as they are and refuses the banned") {
  Fixture f;
  std::string g;
  {
    auto txn = f.Begin();
    core::GroupInput in;
    in.name = "导入群";
    g = *f.reg.AddGroup(*txn, in);
    REQUIRE(txn->Commit().ok());
  }
  core::ImportOptions opts;
  opts.group_id = g;
  core::ImportReport r;
  REQUIRE(f.Import("display_name,wechat\nA,a1\nB,b1\n", &r, opts).ok());
  std::string a = **f.reg.FindByHandle(*core::NormalizeHandle("wechat", "a1"));
  std::string b = **f.reg.FindByHandle(*core::NormalizeHandle("wechat", "b1"));
  {
    auto txn = f.Begin();
    REQUIRE(f.reg.SetMembershipStatus(*txn, g, a, "muted").ok());
    REQUIRE(f.reg.SetMembershipStatus(*txn, g, b, "left").ok());
    // B is banned from the whole community since.
    std::string ban = core::DerivedId("ban", b);
    REQUIRE(txn->Set("ban", ban, "person_id", b).ok());
    REQUIRE(txn->Set("ban", ban, "reason", std::string("发广告")).ok());
    REQUIRE(txn->Set("ban", ban, "active", int64_t{1}).ok());
    REQUIRE(txn->Commit().ok());
  }
  core::ImportReport again;
  Status st = f.Import("display_name,wechat\nA,a1\nB,b1\n", &again, opts);
  CHECK(st.code() == Status::Code::kRejected);
  REQUIRE(again.rejections.size() == 1);
  CHECK(again.rejections[0].line == 3);
  CHECK(again.rejections[0].reason.find("banned from the whole community (发广告)") !=
        std::string::npos);
  CHECK((*f.reg.GetMembership(g, a))->status == "muted");
  CHECK((*f.reg.GetMembership(g, b))->status == "left");
}

TEST_CASE("an import into a group fills its free places and refuses the lines beyond them") {
  // The import reads the group once and counts the places it fills itself;
  // it must still stop at the capacity, counting who already held a place.
  Fixture f;
  std::string group;
  {
    auto txn = f.Begin("group add");
    core::GroupInput g;
    g.name = "小群";
    g.capacity = 3;
    auto id = f.reg.AddGroup(*txn, g);
    REQUIRE(id.ok());
    group = *id;
    core::PersonInput old;
    old.display_name = "老成员";
    old.add_handles = {*core::NormalizeHandle("wechat", "wx_old")};
    auto first = f.reg.AddPerson(*txn, old, std::nullopt);
    REQUIRE(first.ok());
    REQUIRE(f.reg.Join(*txn, group, *first, "member", std::nullopt).ok());
    REQUIRE(txn->Commit().ok());
  }
  core::ImportReport r;
  core::ImportOptions options;
  options.group_id = group;
  options.skip_bad = true;
  REQUIRE(f.Import("display_name,wechat\n甲,wx_a\n乙,wx_b\n丙,wx_c\n丁,wx_d\n", &r, options).ok());
  CHECK(r.joined == 2);
  CHECK(f.Int("SELECT count(*) FROM membership WHERE status='active'") == 3);
  CHECK(r.rejected_rows() == 2);
}
