// Who may write what (core/permissions.h): the role names and columns, the
// permission table (RequirementOf and Satisfies) for owner, admin (of one
// group), member-editor, viewer and relay, the person rule by groups, the
// rules of role ops themselves, and the same table as a local write meets
// it: WriteTxn::Set on an in-memory store, refusing with kDenied and words
// that say what was refused, what it needs and what the node holds.
#include "core/permissions.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/identity.h"
#include "core/ids.h"
#include "support/test_store.h"

using namespace qun;
using core::Requirement;
using core::Role;
using core::RoleKey;
using qun::testing::Key;
using qun::testing::TestStore;

namespace {

core::Op MakeOp(std::string table, std::string row, std::string column, Value value = {},
                const core::PublicKey& author = Key(0x10)) {
  core::Op op;
  op.table = std::move(table);
  op.row_id = std::move(row);
  op.column = std::move(column);
  op.value = std::move(value);
  op.author = author;
  return op;
}

core::Roles Holding(std::vector<RoleKey> keys) {
  core::Roles r;
  r.held.insert(keys.begin(), keys.end());
  return r;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A community in an in-memory store: the founder (Key 0xF0) made two
// groups, 北京群 and 上海群, and four people: 张伟 in 北京群, 李娜 in both,
// 王芳 in none, 赵磊 in 上海群; 张伟 has a wechat handle and a tag. The
// node under test is `me` (Key 0x10); Grant() gives it roles, as the
// authority rules would write them into node_role.
struct Community : TestStore {
  core::PublicKey founder = Key(0xF0);
  std::string beijing = core::RandomId(), shanghai = core::RandomId();
  std::string zhang = core::RandomId(), li = core::RandomId(), wang = core::RandomId(),
              zhao = core::RandomId();
  std::string handle = core::RandomId(), tag = core::RandomId();

  Community() {
    REQUIRE(store->SetMeta("founder", core::ToHex(founder)).ok());
    auto t = store->Begin(founder, "setup");
    REQUIRE(t.ok());
    auto set = [&](const char* table, const std::string& row, const char* column,
                   Value v) {
      auto r = (*t)->Set(table, row, column, v);
      REQUIRE_MESSAGE(r.ok(), r.status().message());
    };
    set("chat_group", beijing, "name", std::string("北京群"));
    set("chat_group", shanghai, "name", std::string("上海群"));
    set("person", zhang, "display_name", std::string("张伟"));
    set("person", li, "display_name", std::string("李娜"));
    set("person", wang, "display_name", std::string("王芳"));
    set("person", zhao, "display_name", std::string("赵磊"));
    auto join = [&](const std::string& group, const std::string& person) {
      std::string row = core::MembershipRowId(group, person);
      set("membership", row, "group_id", group);
      set("membership", row, "person_id", person);
      set("membership", row, "status", std::string("active"));
    };
    join(beijing, zhang);
    join(beijing, li);
    join(shanghai, li);
    join(shanghai, zhao);
    set("person_handle", handle, "person_id", zhang);
    set("person_handle", handle, "value", std::string("zw_001"));
    set("person_tag", tag, "person_id", zhang);
    set("person_tag", tag, "tag", std::string("摄影"));
    REQUIRE((*t)->Commit().ok());
  }

  void Grant(const std::string& role, const std::string& group = "") {
    auto s = store->db().Prepare("INSERT INTO node_role(node, role, group_id) VALUES (?, ?, ?)");
    REQUIRE(s.ok());
    s->Bind(1, core::ToHex(me)).Bind(2, role).Bind(3, group);
    REQUIRE(s->Run().ok());
  }

  // One write by `me` in a transaction of its own, committed when allowed.
  Status Write(const std::string& table, const std::string& row, const std::string& column,
               const Value& value) {
    auto t = store->Begin(me, "test");
    REQUIRE_MESSAGE(t.ok(), t.status().message());
    auto r = (*t)->Set(table, row, column, value);
    if (!r.ok()) return r.status();
    return (*t)->Commit();
  }
  // Several writes by `me` in one transaction; the first refusal.
  Status WriteAll(const std::vector<core::WriteTxn::FieldWrite>& writes) {
    auto t = store->Begin(me, "test");
    REQUIRE_MESSAGE(t.ok(), t.status().message());
    for (const auto& w : writes) {
      auto r = (*t)->Set(w.table, w.row_id, w.column, w.value);
      if (!r.ok()) return r.status();
    }
    return (*t)->Commit();
  }
  int64_t Logged(const std::string& row) {
    return Int("SELECT count(*) FROM op WHERE row_id = '" + row + "'");
  }
};

// Checks a refusal: kDenied, nothing written, and its words.
void CheckDenied(const Status& s, const std::vector<std::string>& words) {
  REQUIRE_MESSAGE(!s.ok(), "the write was allowed");
  CHECK_MESSAGE(s.code() == Status::Code::kDenied, s.message());
  CHECK(Contains(s.message(), "this node may not change"));
  CHECK(Contains(s.message(), "Nothing was written"));
  for (const std::string& w : words) CHECK_MESSAGE(Contains(s.message(), w), s.message());
}

}  // namespace

TEST_SUITE("permissions") {
  TEST_CASE("role names and role columns read back only in their canonical form") {
    for (Role r : {Role::kOwner, Role::kAdmin, Role::kEditor, Role::kViewer, Role::kRelay})
      CHECK(core::ParseRole(core::RoleName(r)) == r);
    CHECK(core::ParseRole("member-editor") == Role::kEditor);
    CHECK_FALSE(core::ParseRole("Owner").has_value());
    CHECK_FALSE(core::ParseRole("").has_value());

    std::string g = core::RandomId();
    CHECK(core::RoleColumn({Role::kAdmin, g}) == "admin:" + g);
    CHECK(core::RoleColumn({Role::kOwner, ""}) == "owner");
    CHECK(core::ParseRoleColumn("admin:" + g) == RoleKey{Role::kAdmin, g});
    CHECK(core::ParseRoleColumn("editor") == RoleKey{Role::kEditor, ""});
    CHECK_FALSE(core::ParseRoleColumn("admin").has_value());  // an admin names its group
    CHECK_FALSE(core::ParseRoleColumn("admin:" + g.substr(1)).has_value());
    CHECK_FALSE(core::ParseRoleColumn("member-editor").has_value());  // not a column
    CHECK_FALSE(core::ParseRoleColumn("root").has_value());

    std::vector<RoleKey> roles = {{Role::kAdmin, g}, {Role::kViewer, ""}};
    CHECK(core::RoleLines(roles) == "admin:" + g + "\nviewer\n");
    CHECK(core::ParseRoleLines(core::RoleLines(roles)) == roles);
    CHECK_FALSE(core::ParseRoleLines("viewer\nking\n").has_value());
  }

  TEST_CASE("roles, key envelopes and fork resolutions are logged only, and need an owner") {
    for (const char* table : {core::kRoleTable, core::kKeyEnvelopeTable, core::kForkTable}) {
      CAPTURE(table);
      CHECK(core::IsLoggedOnly(table));
      core::Op op = MakeOp(table, core::ToHex(Key(0x22)), "owner", int64_t{1});
      CHECK(core::RequirementOf(op, std::nullopt).kind == Requirement::kOwner);
      CHECK_FALSE(core::Satisfies(Holding({{Role::kEditor, ""}}), core::RequirementOf(op, {}), op));
      CHECK(core::Satisfies(Holding({{Role::kOwner, ""}}), core::RequirementOf(op, {}), op));
    }
    CHECK_FALSE(core::IsLoggedOnly("person"));
    CHECK(core::IsRoleOp(MakeOp(core::kRoleTable, "x", "owner")));
    CHECK(core::IsInviteOp(MakeOp("node", "x", "invited_by")));
    CHECK_FALSE(core::IsInviteOp(MakeOp("node", "x", "name")));
  }

  TEST_CASE("the permission table: what each op needs") {
    std::string g = core::RandomId(), p = core::RandomId();
    auto kind = [](const core::Op& op, std::optional<std::string> group = std::nullopt) {
      return core::RequirementOf(op, group).kind;
    };
    CHECK(kind(MakeOp("community", "c", "name")) == Requirement::kOwner);
    CHECK(kind(MakeOp("node", core::ToHex(Key(1)), "name")) == Requirement::kSelf);
    CHECK(kind(MakeOp("node", core::ToHex(Key(1)), "deleted")) == Requirement::kSelf);
    CHECK(kind(MakeOp("node", core::ToHex(Key(1)), "invited_by")) == Requirement::kOwner);
    Requirement group = core::RequirementOf(MakeOp("chat_group", g, "capacity"), std::nullopt);
    CHECK(group.kind == Requirement::kGroupAdmin);
    CHECK(group.group == g);
    Requirement event =
        core::RequirementOf(MakeOp("event", core::GroupRowId(g, p), "title"), std::nullopt);
    CHECK(event.kind == Requirement::kGroupAdmin);
    CHECK(event.group == g);
    // A group-scoped row whose id names no group is an owner's.
    CHECK(kind(MakeOp("event", p, "title")) == Requirement::kOwner);
    CHECK(kind(MakeOp("ban", p, "active")) == Requirement::kOwner);
    Requirement member = core::RequirementOf(MakeOp("membership", p, "status"), g);
    CHECK(member.kind == Requirement::kGroupAdmin);
    CHECK(member.group == g);
    CHECK(kind(MakeOp("membership", p, "status")) == Requirement::kOwner);  // group unknown
    CHECK(kind(MakeOp("person", p, "city")) == Requirement::kPerson);
    CHECK(kind(MakeOp("person_handle", p, "value")) == Requirement::kPerson);
    CHECK(kind(MakeOp("person_tag", p, "tag")) == Requirement::kPerson);
    CHECK(kind(MakeOp("person", p, "deleted")) == Requirement::kPersonDelete);
    // A field this version does not know is the business of the one that does.
    CHECK(kind(MakeOp("person", p, "shoe_size")) == Requirement::kNone);
    CHECK(core::Satisfies(core::Roles{}, core::RequirementOf(MakeOp("person", p, "shoe_size"), {}),
                          MakeOp("person", p, "shoe_size")));
  }

  TEST_CASE("who satisfies what: owner, founder, admin of a group, editor, viewer, relay") {
    std::string g = core::RandomId(), h = core::RandomId(), p = core::RandomId();
    core::Roles owner = Holding({{Role::kOwner, ""}});
    core::Roles founder;
    founder.founder = true;
    core::Roles admin_g = Holding({{Role::kAdmin, g}});
    core::Roles editor = Holding({{Role::kEditor, ""}});
    core::Roles viewer = Holding({{Role::kViewer, ""}});
    core::Roles relay = Holding({{Role::kRelay, ""}});
    CHECK(founder.Owner());
    CHECK(owner.Owner());
    CHECK_FALSE(admin_g.Owner());
    CHECK(admin_g.AdminOf(g));
    CHECK_FALSE(admin_g.AdminOf(h));

    std::vector<core::Op> ops = {MakeOp("community", "c", "name", std::string("x")),
                                 MakeOp("chat_group", g, "name", std::string("x")),
                                 MakeOp("chat_group", h, "name", std::string("x")),
                                 MakeOp("event", core::GroupRowId(g, p), "title"),
                                 MakeOp("event", core::GroupRowId(h, p), "title"),
                                 MakeOp("ban", p, "active", int64_t{1}),
                                 MakeOp("node", core::ToHex(Key(0x33)), "name")};
    auto allowed = [&](const core::Roles& roles) {
      std::vector<bool> out;
      for (const auto& op : ops) out.push_back(core::Satisfies(roles, core::RequirementOf(op, {}), op));
      return out;
    };
    CHECK(allowed(owner) == std::vector<bool>(ops.size(), true));
    CHECK(allowed(founder) == std::vector<bool>(ops.size(), true));
    CHECK(allowed(admin_g) == std::vector<bool>{false, true, false, true, false, false, false});
    CHECK(allowed(editor) == std::vector<bool>(ops.size(), false));
    CHECK(allowed(viewer) == std::vector<bool>(ops.size(), false));
    CHECK(allowed(relay) == std::vector<bool>(ops.size(), false));

    // Each names its own node, and only its own.
    core::Op own_name = MakeOp("node", core::ToHex(Key(0x33)), "name", std::string("me"), Key(0x33));
    for (const core::Roles* r : {&viewer, &relay, &editor, &admin_g}) {
      CHECK(core::Satisfies(*r, core::RequirementOf(own_name, {}), own_name));
    }
    CHECK(core::Satisfies(core::Roles{}, core::RequirementOf(own_name, {}), own_name));

    // A member-editor keeps people's records whatever their groups.
    core::Op city = MakeOp("person", p, "city", std::string("北京"));
    core::Op gone = MakeOp("person", p, "deleted", int64_t{1});
    CHECK(core::Satisfies(editor, core::RequirementOf(city, {}, {{p, {h}}}), city));
    CHECK(core::Satisfies(editor, core::RequirementOf(gone, {}, {{p, {g, h}}}), gone));
    CHECK(core::Satisfies(editor, core::RequirementOf(city, {}), city));  // people unknown
    CHECK_FALSE(core::Satisfies(viewer, core::RequirementOf(city, {}, {{p, {}}}), city));
    CHECK_FALSE(core::Satisfies(relay, core::RequirementOf(city, {}, {{p, {}}}), city));
  }

  TEST_CASE("the person rule: an admin of one of a person's groups edits, of all of them deletes") {
    std::string g = core::RandomId(), h = core::RandomId(), p = core::RandomId(),
                q = core::RandomId();
    core::Roles admin_g = Holding({{Role::kAdmin, g}});
    core::Op city = MakeOp("person", p, "city", std::string("上海"));
    core::Op gone = MakeOp("person", p, "deleted", int64_t{1});
    auto can = [&](const core::Op& op, std::vector<core::PersonGroups> people) {
      return core::Satisfies(admin_g, core::RequirementOf(op, std::nullopt, people), op);
    };
    CHECK(can(city, {{p, {g}}}));
    CHECK(can(city, {{p, {g, h}}}));
    CHECK_FALSE(can(city, {{p, {h}}}));
    CHECK(can(city, {{p, {}}}));  // in no group: any admin
    CHECK_FALSE(can(city, {}));   // whose record is unknown: owner or editor only
    CHECK(can(gone, {{p, {g}}}));
    CHECK_FALSE(can(gone, {{p, {g, h}}}));
    CHECK(can(gone, {{p, {}}}));
    // A handle moved between two people changes both: both must be allowed.
    core::Op moved = MakeOp("person_handle", q, "person_id", p);
    CHECK(can(moved, {{p, {g}}, {q, {g, h}}}));
    CHECK_FALSE(can(moved, {{p, {g}}, {q, {h}}}));
    // Someone in no group is no admin's at all without a role.
    CHECK_FALSE(core::Satisfies(core::Roles{}, core::RequirementOf(city, {}, {{p, {}}}), city));
  }

  TEST_CASE("a role op names a node and a role, grants or revokes, and never unseats the founder") {
    core::PublicKey founder = Key(0xF0);
    std::string other = core::ToHex(Key(0x22));
    auto check = [&](const std::string& row, const std::string& column, Value v) {
      return core::CheckRoleOp(MakeOp(core::kRoleTable, row, column, std::move(v)), founder);
    };
    CHECK(check(other, "owner", int64_t{1}).ok());
    CHECK(check(other, "owner", int64_t{0}).ok());
    CHECK(check(other, "admin:" + core::RandomId(), int64_t{1}).ok());
    CHECK(check(core::ToHex(founder), "editor", int64_t{0}).ok());

    Status not_node = check("not-a-node", "owner", int64_t{1});
    CHECK(not_node.code() == Status::Code::kInvalidArgument);
    CHECK(Contains(not_node.message(), "'not-a-node', which is not a node id"));
    std::string upper = other;
    upper[0] = 'A';
    upper[1] = 'B';
    CHECK(check(upper, "owner", int64_t{1}).code() == Status::Code::kInvalidArgument);
    Status not_role = check(other, "king", int64_t{1});
    CHECK(not_role.code() == Status::Code::kInvalidArgument);
    CHECK(Contains(not_role.message(), "'king', which is not a role"));
    Status two = check(other, "viewer", int64_t{2});
    CHECK(two.code() == Status::Code::kInvalidArgument);
    CHECK(Contains(two.message(), "neither 1 (grant) nor 0 (revoke)"));
    CHECK(check(other, "viewer", std::string("1")).code() == Status::Code::kInvalidArgument);
    Status unseat = check(core::ToHex(founder), "owner", int64_t{0});
    CHECK(unseat.code() == Status::Code::kInvalidArgument);
    CHECK(Contains(unseat.message(), "the founder's ownership cannot be revoked"));

    CHECK(core::RoleTarget(MakeOp(core::kRoleTable, other, "owner")) == Key(0x22));
    CHECK(core::RoleTarget(MakeOp("node", other, "invited_by")) == Key(0x22));
    CHECK_FALSE(core::RoleTarget(MakeOp("node", other, "name")).has_value());
    CHECK_FALSE(core::RoleTarget(MakeOp(core::kRoleTable, "zz", "owner")).has_value());
  }

  TEST_CASE("a local write by an admin of one group: its group, its people, nothing else") {
    Community c;
    c.Grant("admin", c.beijing);

    CHECK(c.Write("chat_group", c.beijing, "capacity", int64_t{200}).ok());
    CheckDenied(c.Write("chat_group", c.shanghai, "capacity", int64_t{200}),
                {"the settings of group 上海群", "needs an owner, or an admin of group 上海群",
                 "it holds admin of 北京群"});
    std::string event = core::GroupRowId(c.beijing, core::RandomId());
    CHECK(c.Write("event", event, "title", std::string("读书会")).ok());
    std::string their_event = core::GroupRowId(c.shanghai, core::RandomId());
    CheckDenied(c.Write("event", their_event, "title", std::string("读书会")),
                {"the events of group 上海群"});
    CHECK(c.Logged(their_event) == 0);

    // Memberships: of its own group only, by the group the row id derives from.
    std::string mine = core::MembershipRowId(c.beijing, c.wang);
    CHECK(c.WriteAll({{"membership", mine, "group_id", c.beijing},
                      {"membership", mine, "person_id", c.wang}})
              .ok());
    std::string theirs = core::MembershipRowId(c.shanghai, c.wang);
    CheckDenied(c.Write("membership", theirs, "group_id", c.shanghai),
                {"the members of group 上海群"});
    CHECK(c.Write("membership", core::MembershipRowId(c.beijing, c.li), "status",
                  std::string("left"))
              .ok());
    CheckDenied(c.Write("membership", core::MembershipRowId(c.shanghai, c.zhao), "status",
                        std::string("left")),
                {"the members of group 上海群"});

    // People: anyone in one of its groups (李娜 is in both), or in none.
    CHECK(c.Write("person", c.zhang, "city", std::string("北京")).ok());
    CHECK(c.Write("person", c.li, "city", std::string("北京")).ok());
    CheckDenied(c.Write("person", c.zhao, "city", std::string("北京")),
                {"the record of 赵磊", "an admin of a group 赵磊"});
    CHECK(c.Write("person_tag", c.tag, "tag", std::string("读书")).ok());
    CHECK(c.Write("person_handle", c.handle, "value", std::string("zw_002")).ok());
    // Removing a person needs every group they are in.
    CHECK(c.Write("person", c.zhang, "deleted", int64_t{1}).ok());
    CheckDenied(c.Write("person", c.li, "deleted", int64_t{1}),
                {"whether 李娜 is in the registry at all", "an admin of every group 李娜"});
    // Moving 张伟's handle to 赵磊 changes 赵磊's record too.
    CheckDenied(c.Write("person_handle", c.handle, "person_id", c.zhao),
                {"people's contact handles"});

    // The community, other nodes, roles, bans: an owner's.
    CheckDenied(c.Write("community", "c", "name", std::string("x")),
                {"the community's settings", "needs an owner,"});
    CheckDenied(c.Write("node", core::ToHex(Key(0x22)), "name", std::string("x")),
                {"another admin's node", "the node itself, or an owner"});
    CheckDenied(c.Write("node", core::ToHex(Key(0x22)), "invited_by", core::ToHex(c.me)),
                {"who is let in"});
    CheckDenied(c.Write(core::kRoleTable, core::ToHex(Key(0x22)), "viewer", int64_t{1}),
                {"roles"});
    CheckDenied(c.Write("ban", c.zhao, "active", int64_t{1}), {"bans from the whole community"});
    CHECK(c.Write("node", core::ToHex(c.me), "name", std::string("我的电脑")).ok());
  }

  TEST_CASE("a local write by a member-editor, a viewer, a relay and a node with no role") {
    SUBCASE("member-editor: people's records, handles and tags, not groups or memberships") {
      Community c;
      c.Grant("editor");
      CHECK(c.Write("person", c.zhao, "city", std::string("深圳")).ok());
      CHECK(c.Write("person", c.li, "deleted", int64_t{1}).ok());
      CHECK(c.Write("person_handle", c.handle, "person_id", c.zhao).ok());
      CHECK(c.Write("person_tag", c.tag, "tag", std::string("读书")).ok());
      CheckDenied(c.Write("chat_group", c.beijing, "capacity", int64_t{5}),
                  {"needs an owner, or an admin of group 北京群", "it holds editor"});
      CheckDenied(c.Write("membership", core::MembershipRowId(c.beijing, c.zhang), "status",
                          std::string("left")),
                  {"the members of group 北京群"});
    }
    for (const char* role : {"viewer", "relay", ""}) {
      CAPTURE(role);
      Community c;
      if (*role) c.Grant(role);
      std::string holds = *role ? std::string("it holds ") + role : "it holds no role";
      CheckDenied(c.Write("person", c.wang, "city", std::string("深圳")), {holds});
      CheckDenied(c.Write("person_tag", c.tag, "tag", std::string("读书")), {holds});
      CheckDenied(c.Write("chat_group", c.beijing, "name", std::string("x")), {holds});
      CheckDenied(c.Write("event", core::GroupRowId(c.beijing, core::RandomId()), "title",
                          std::string("x")),
                  {holds});
      CheckDenied(c.Write("community", "c", "name", std::string("x")), {holds});
      CHECK(c.Write("node", core::ToHex(c.me), "name", std::string("我的电脑")).ok());
    }
  }

  TEST_CASE("a local write by an owner: everything, but a role op must still be well formed") {
    Community c;
    c.Grant("owner");
    CHECK(c.Write("community", "c", "name", std::string("新名字")).ok());
    CHECK(c.Write("chat_group", c.shanghai, "capacity", int64_t{10}).ok());
    CHECK(c.Write("person", c.li, "deleted", int64_t{1}).ok());
    CHECK(c.Write("ban", c.zhao, "active", int64_t{1}).ok());
    CHECK(c.Write(core::kKeyEnvelopeTable, core::ToHex(Key(0x22)) + ":1", "sealed",
                  Bytes{{1, 2, 3}})
              .ok());
    CHECK(c.Write(core::kRoleTable, core::ToHex(Key(0x22)), "admin:" + c.beijing, int64_t{1}).ok());
    Status unseat = c.Write(core::kRoleTable, core::ToHex(c.founder), "owner", int64_t{0});
    CHECK(unseat.code() == Status::Code::kInvalidArgument);
    CHECK(Contains(unseat.message(), "the founder's ownership cannot be revoked"));
    Status bad = c.Write(core::kRoleTable, core::ToHex(Key(0x22)), "king", int64_t{1});
    CHECK(bad.code() == Status::Code::kInvalidArgument);
    CHECK(c.Logged(core::ToHex(c.founder)) == 0);
  }

  TEST_CASE("the founder is an owner without any role row, and the roles describe themselves") {
    Community c;
    c.me = c.founder;
    CHECK(c.Write(core::kForkTable, core::ToHex(Key(0x22)) + ":7", "keep",
                  Bytes{std::vector<uint8_t>(32, 0xAB)})
              .ok());
    CHECK(c.Write("chat_group", c.shanghai, "name", std::string("上海新群")).ok());

    auto roles = core::CurrentRoles(c.store->db(), c.founder, c.founder);
    REQUIRE(roles.ok());
    CHECK(roles->founder);
    CHECK(roles->Owner());
    CHECK(core::DescribeRoles(c.store->db(), *roles) == "owner (the founder)");
    CHECK(core::DescribeRoles(c.store->db(), core::Roles{}) == "no role");
    std::string admin = core::DescribeRoles(
        c.store->db(), Holding({{Role::kAdmin, c.beijing}, {Role::kEditor, ""}}));
    CHECK(admin == "admin of 北京群 (" + core::ShortId(c.beijing) + "), editor");

    c.me = Key(0x10);
    c.Grant("admin", c.beijing);
    c.Grant("viewer");
    auto mine = core::CurrentRoles(c.store->db(), c.me, c.founder);
    REQUIRE(mine.ok());
    CHECK_FALSE(mine->founder);
    CHECK(mine->held == std::set<RoleKey>{{Role::kAdmin, c.beijing}, {Role::kViewer, ""}});
  }

  TEST_CASE("the groups of a person and the people of an op come from the log") {
    Community c;
    auto groups = [&](const std::string& person) {
      auto g = core::GroupsOfPerson(c.store->db(), person, {});
      REQUIRE(g.ok());
      return *g;
    };
    std::vector<std::string> both = {c.beijing, c.shanghai};
    std::sort(both.begin(), both.end());
    CHECK(groups(c.zhang) == std::vector<std::string>{c.beijing});
    CHECK(groups(c.li) == both);
    CHECK(groups(c.wang).empty());
    // A membership in the same change counts.
    core::Op joins = MakeOp("membership", core::MembershipRowId(c.shanghai, c.wang), "person_id",
                            c.wang);
    auto with = core::GroupsOfPerson(c.store->db(), c.wang, {joins});
    REQUIRE(with.ok());
    CHECK(*with == std::vector<std::string>{c.shanghai});

    auto people = core::PeopleOf(c.store->db(), MakeOp("person_tag", c.tag, "tag"), {});
    REQUIRE(people.ok());
    CHECK(*people == std::vector<std::string>{c.zhang});
    auto moved = core::PeopleOf(c.store->db(), MakeOp("person_handle", c.handle, "person_id", c.zhao),
                                {MakeOp("person_handle", c.handle, "person_id", c.zhao)});
    REQUIRE(moved.ok());
    CHECK(std::set<std::string>(moved->begin(), moved->end()) ==
          std::set<std::string>{c.zhang, c.zhao});

    auto group = core::MembershipGroup(c.store->db(), core::MembershipRowId(c.beijing, c.zhang), {});
    REQUIRE(group.ok());
    CHECK(*group == c.beijing);
    auto unknown = core::MembershipGroup(c.store->db(), core::RandomId(), {});
    REQUIRE(unknown.ok());
    CHECK_FALSE(unknown->has_value());
    // A change that writes another group into the row is refused.
    std::string row = core::MembershipRowId(c.beijing, c.zhang);
    auto mismatch = core::MembershipGroup(c.store->db(), row,
                                          {MakeOp("membership", row, "group_id", c.shanghai)});
    REQUIRE_FALSE(mismatch.ok());
    CHECK(mismatch.status().code() == Status::Code::kInvalidArgument);
    CHECK(Contains(mismatch.status().message(), "does not match the membership"));
  }
}
