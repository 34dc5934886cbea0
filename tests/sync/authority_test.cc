// The authority rules (sync/authority.h): every node decides alike which
// change sets' ops count, whatever order they arrive in.
//
// The nodes here have no founder in their meta table, so their local writes
// are not checked before they are made: each stands for a node that skips
// the check (a modified or broken qun), and the other nodes must refuse
// what it was not allowed to write.
#include "sync/authority.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>

#include "core/history.h"
#include "core/ids.h"
#include "core/permissions.h"
#include "support/sync_nodes.h"

using namespace qun;
using namespace qun::testing;
using core::Role;
using core::RoleKey;

namespace {

void SetRoles(Node& by, const Node& to, const std::vector<RoleKey>& roles, bool granted) {
  by.Write(granted ? "admin grant" : "admin revoke", [&](core::WriteTxn& t) {
    for (const RoleKey& k : roles)
      REQUIRE(
          t.Set(core::kRoleTable, to.id->node_id(), core::RoleColumn(k), int64_t{granted}).ok());
  });
}

// `qun invite --role`: the invite and its grants in one change set.
void InviteAs(Node& by, const Node& to, const std::vector<RoleKey>& roles) {
  by.Write("invite", [&](core::WriteTxn& t) {
    REQUIRE(t.Set("node", to.id->node_id(), "invited_by", by.id->node_id()).ok());
    for (const RoleKey& k : roles)
      REQUIRE(t.Set(core::kRoleTable, to.id->node_id(), core::RoleColumn(k), int64_t{1}).ok());
  });
}

std::string AddGroup(Node& n, const char* name) {
  std::string id;
  n.Write("group add", [&](core::WriteTxn& t) {
    core::GroupInput g;
    g.name = name;
    auto r = n.reg->AddGroup(t, g);
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    id = *r;
  });
  return id;
}

void Rename(Node& n, const std::string& group, const char* name) {
  n.Write("group edit", [&](core::WriteTxn& t) {
    core::GroupInput g;
    g.name = name;
    auto st = n.reg->EditGroup(t, group, g);
    REQUIRE_MESSAGE(st.ok(), st.message());
  });
}

std::string GroupName(Node& n, const std::string& group) {
  auto g = n.reg->GetGroup(group);
  REQUIRE_MESSAGE(g.ok(), g.status().message());
  return g->name;
}

// The newest change set of `n`, sealed.
std::string Latest(Node& n) {
  REQUIRE(n.sets->SealLocal().ok());
  auto s = n.store->db().Prepare(
      "SELECT bytes FROM change_set WHERE author = ? ORDER BY seq DESC LIMIT 1");
  REQUIRE(s.ok());
  s->Bind(1, Blob(n.id->public_key()));
  REQUIRE(*s->Step());
  return std::string(s->BlobView(0));
}

core::Roles RolesOf(Node& at, const Node& who) {
  auto r = core::CurrentRoles(at.store->db(), who.id->public_key(), at.community.founder);
  REQUIRE(r.ok());
  return *r;
}

int64_t Refused(Node& n) {
  auto list = sync::ListRefusals(n.store->db());
  REQUIRE(list.ok());
  return static_cast<int64_t>(list->size());
}

bool RefusedWith(Node& n, const Node& author, const std::string& words) {
  auto list = sync::ListRefusals(n.store->db());
  REQUIRE(list.ok());
  return std::any_of(list->begin(), list->end(), [&](const sync::Refusal& r) {
    return r.author == author.id->public_key() && r.reason.find(words) != std::string::npos;
  });
}

}  // namespace

TEST_CASE("an admin of one group who edits another group is refused on every node") {
  auto ring = Keyring::New();
  Node owner(ring);
  Node admin(ring, 1'700'000'000'100, &owner);
  Node viewer(ring, 1'700'000'000'200, &owner);
  std::string a = AddGroup(owner, "北京交流群");
  std::string b = AddGroup(owner, "上海交流群");
  InviteAs(owner, admin, {{Role::kAdmin, a}});
  InviteAs(owner, viewer, {{Role::kViewer, ""}});
  owner.SendTo(admin);
  owner.SendTo(viewer);
  CHECK(RolesOf(viewer, admin).AdminOf(a));
  CHECK_FALSE(RolesOf(viewer, admin).AdminOf(b));

  Rename(admin, a, "北京交流群（新）");  // its own group: allowed
  Rename(admin, b, "hijacked");          // another group: not
  admin.SendTo(owner);
  admin.SendTo(viewer);
  for (Node* n : {&owner, &viewer}) {
    CHECK(GroupName(*n, a) == "北京交流群（新）");
    CHECK(GroupName(*n, b) == "上海交流群");
    CHECK(Refused(*n) == 1);
    CHECK(RefusedWith(*n, admin, "admin of group 上海交流群"));
  }
  CHECK(owner.Hash() == viewer.Hash());

  // A viewer writes nothing but its own name.
  viewer.Write("node rename", [&](core::WriteTxn& t) {
    REQUIRE(viewer.reg->SetNodeName(t, viewer.id->node_id(), "王芳").ok());
  });
  Rename(viewer, a, "viewer was here");
  viewer.SendTo(owner);
  CHECK(GroupName(owner, a) == "北京交流群（新）");
  CHECK(*core::RowLabel(owner.store->db(), "node", viewer.id->node_id()) == "王芳");
  CHECK(RefusedWith(owner, viewer, "needs an owner, or an admin of group"));
}

TEST_CASE("roles granted by a node that is not an owner are refused, and so is what they allowed") {
  auto ring = Keyring::New();
  Node owner(ring);
  Node admin(ring, 1'700'000'000'100, &owner);
  Node editor(ring, 1'700'000'000'200, &owner);
  Node stranger(ring, 1'700'000'000'300, &owner);
  std::string a = AddGroup(owner, "北京交流群");
  std::string b = AddGroup(owner, "上海交流群");
  InviteAs(owner, admin, {{Role::kAdmin, a}});
  InviteAs(owner, editor, {{Role::kEditor, ""}});
  owner.SendTo(admin);
  owner.SendTo(editor);

  // The admin makes itself an owner, the editor an admin of b, and lets a
  // stranger in.
  SetRoles(admin, admin, {{Role::kOwner, ""}}, true);
  SetRoles(admin, editor, {{Role::kAdmin, b}}, true);
  InviteAs(admin, stranger, {{Role::kOwner, ""}});
  admin.SendTo(editor);
  Rename(editor, b, "taken over");
  stranger.Write("join", [&](core::WriteTxn& t) {
    REQUIRE(stranger.reg->SetNodeName(t, stranger.id->node_id(), "stranger").ok());
  });
  Rename(stranger, a, "stranger was here");
  admin.SendTo(owner);
  editor.SendTo(owner);
  for (const auto& cs : stranger.Outbox()) owner.Take(cs);
  REQUIRE(owner.sets->DropUninvited().ok());

  CHECK_FALSE(RolesOf(owner, admin).Owner());
  CHECK_FALSE(RolesOf(owner, editor).AdminOf(b));
  CHECK(GroupName(owner, b) == "上海交流群");
  CHECK(GroupName(owner, a) == "北京交流群");
  CHECK(RefusedWith(owner, admin, "needs an owner"));
  CHECK(RefusedWith(owner, editor, "admin of group 上海交流群"));
  // The stranger's invite did not count: it is no member, and nothing of
  // it is kept.
  auto members = owner.sets->Members();
  REQUIRE(members.ok());
  CHECK(std::find(members->begin(), members->end(), stranger.id->public_key()) == members->end());
  CHECK(std::find(members->begin(), members->end(), admin.id->public_key()) != members->end());
  auto held = sync::Summarize(owner.store->db());
  REQUIRE(held.ok());
  CHECK(held->pending == 0);
}

TEST_CASE(
    "a revocation wins over the revoked admin's concurrent changes, in every delivery order") {
  auto ring = Keyring::New();
  Node owner(ring);
  Node admin(ring, 1'700'000'000'100, &owner);
  Node second(ring, 1'700'000'000'200, &owner);  // an owner the founder demotes
  Node helper(ring, 1'700'000'000'300, &owner);  // gets a role from `second`
  std::string a = AddGroup(owner, "北京交流群");
  std::string b = AddGroup(owner, "上海交流群");
  InviteAs(owner, admin, {{Role::kAdmin, a}});
  InviteAs(owner, second, {{Role::kOwner, ""}});
  InviteAs(owner, helper, {{Role::kViewer, ""}});
  for (Node* n : {&admin, &second, &helper}) owner.SendTo(*n);
  auto base = owner.Outbox();  // what every observer holds before

  // Seen by the owner before it revokes: stands.
  Rename(admin, a, "first");
  std::string a1 = Latest(admin);
  owner.Take(a1);
  SetRoles(owner, admin, {{Role::kAdmin, a}}, false);
  std::string revoke_admin = Latest(owner);
  SetRoles(owner, second, {{Role::kOwner, ""}}, false);
  std::string revoke_second = Latest(owner);
  // Concurrently with the revocations (neither side saw the other):
  Rename(admin, a, "second");
  std::string a2 = Latest(admin);
  admin.Write("member add", [&](core::WriteTxn& t) {
    auto p = admin.reg->AddPerson(t, Person("张伟", "zw_1"));
    REQUIRE(p.ok());
    REQUIRE(admin.reg->Join(t, a, *p, "member", std::nullopt).ok());
  });
  std::string a3 = Latest(admin);
  SetRoles(second, helper, {{Role::kAdmin, b}}, true);
  std::string grant = Latest(second);
  helper.Take(grant);
  Rename(helper, b, "helper's name");
  std::string h1 = Latest(helper);

  std::vector<std::string> sets{a1, revoke_admin, revoke_second, a2, a3, grant, h1};
  std::vector<size_t> order(sets.size());
  std::iota(order.begin(), order.end(), 0);
  std::string expected;
  int orders = 0;
  // Every order of the seven change sets whose first is fixed (5040 would
  // take long; 720 orders still put every pair both ways round).
  do {
    Node observer(ring, 1'700'000'000'400, &owner);
    for (const auto& cs : base) observer.Take(cs);
    for (size_t i : order) observer.Take(sets[i]);
    auto held = sync::Summarize(observer.store->db());
    REQUIRE(held.ok());
    REQUIRE(held->applied == static_cast<int64_t>(base.size() + sets.size()));
    std::string hash = observer.Hash();
    if (expected.empty()) {
      expected = hash;
      CHECK(GroupName(observer, a) == "first");
      CHECK(GroupName(observer, b) == "上海交流群");
      CHECK_FALSE(RolesOf(observer, admin).AdminOf(a));
      CHECK_FALSE(RolesOf(observer, second).Owner());
      CHECK_FALSE(RolesOf(observer, helper).AdminOf(b));
      CHECK(RefusedWith(observer, admin, "revoked its role of admin"));
      CHECK(RefusedWith(observer, second, "revoked its role of owner"));
      CHECK(RefusedWith(observer, helper, "admin of group 上海交流群"));
      // The person the admin added concurrently is not shown.
      auto people = observer.reg->ListPeople({});
      REQUIRE(people.ok());
      CHECK(people->empty());
    }
    CHECK_MESSAGE(hash == expected, "order " << orders);
    ++orders;
  } while (std::next_permutation(order.begin() + 1, order.end()));
  CHECK(orders == 720);

  // The nodes themselves agree once they have everything.
  for (Node* n : {&admin, &second, &helper}) {
    n->SendTo(owner);
    owner.SendTo(*n);
  }
  for (Node* n : {&admin, &second, &helper}) CHECK(n->Hash() == expected);
  CHECK(owner.Hash() == expected);
}

TEST_CASE("a refused revocation lets the changes it had overridden count again") {
  auto ring = Keyring::New();
  Node owner(ring);
  Node second(ring, 1'700'000'000'100, &owner);
  Node admin(ring, 1'700'000'000'200, &owner);
  Node observer(ring, 1'700'000'000'300, &owner);
  std::string a = AddGroup(owner, "北京交流群");
  InviteAs(owner, second, {{Role::kOwner, ""}});
  InviteAs(owner, admin, {{Role::kAdmin, a}});
  for (Node* n : {&second, &admin, &observer}) owner.SendTo(*n);

  // `second` revokes the admin while the founder, concurrently, takes
  // ownership from `second`; the admin renames its group concurrently with
  // both.
  SetRoles(second, admin, {{Role::kAdmin, a}}, false);
  std::string revoke = Latest(second);
  SetRoles(owner, second, {{Role::kOwner, ""}}, false);
  std::string demote = Latest(owner);
  Rename(admin, a, "still mine");
  std::string edit = Latest(admin);

  observer.Take(revoke);
  observer.Take(edit);
  CHECK(GroupName(observer, a) == "北京交流群");  // overridden, for now
  CHECK(RefusedWith(observer, admin, "revoked its role"));
  observer.Take(demote);
  // The revocation was made concurrently with the founder's: it does not
  // count, and neither does what it overrode.
  CHECK(GroupName(observer, a) == "still mine");
  CHECK(RolesOf(observer, admin).AdminOf(a));
  CHECK(RefusedWith(observer, second, "revoked its role of owner"));
  CHECK_FALSE(RefusedWith(observer, admin, ""));
}

TEST_CASE("two owners who revoke each other at the same time: every node keeps the same one") {
  auto ring = Keyring::New();
  Node founder(ring);
  Node p(ring, 1'700'000'000'100, &founder);
  Node q(ring, 1'700'000'000'200, &founder);
  InviteAs(founder, p, {{Role::kOwner, ""}});
  InviteAs(founder, q, {{Role::kOwner, ""}});
  founder.SendTo(p);
  founder.SendTo(q);
  SetRoles(p, q, {{Role::kOwner, ""}}, false);
  SetRoles(q, p, {{Role::kOwner, ""}}, false);
  std::string from_p = Latest(p), from_q = Latest(q);
  Node x(ring, 1'700'000'000'300, &founder), y(ring, 1'700'000'000'400, &founder);
  for (Node* n : {&x, &y})
    for (const auto& cs : founder.Outbox()) n->Take(cs);
  x.Take(from_p);
  x.Take(from_q);
  y.Take(from_q);
  y.Take(from_p);
  CHECK(x.Hash() == y.Hash());
  // Exactly one of them is still an owner: the other's revocation stood.
  CHECK(RolesOf(x, p).Owner() != RolesOf(x, q).Owner());
  // The founder stays an owner whatever anyone writes.
  SetRoles(p, founder, {{Role::kOwner, ""}}, false);
  x.Take(Latest(p));
  CHECK(RolesOf(x, founder).Owner());
  CHECK(RefusedWith(x, p, "founder"));
}

TEST_CASE("invites made before roles existed make owners") {
  auto ring = Keyring::New();
  auto nodes = Founded(ring, 2);  // Node::Invite: no role op
  Node &founder = *nodes[0], &old = *nodes[1];
  CHECK(RolesOf(founder, old).Owner());
  CHECK(RolesOf(old, old).Owner());
  std::string g = AddGroup(old, "北京交流群");
  old.SendTo(founder);
  CHECK(GroupName(founder, g) == "北京交流群");
  CHECK(Refused(founder) == 0);
}

TEST_CASE("a node checks its own writes against its roles before making them") {
  auto ring = Keyring::New();
  Node owner(ring);
  Node admin(ring, 1'700'000'000'100, &owner);
  std::string a = AddGroup(owner, "北京交流群");
  std::string b = AddGroup(owner, "上海交流群");
  InviteAs(owner, admin, {{Role::kAdmin, a}});
  owner.SendTo(admin);
  // A node in a community has its founder in meta: its writes are checked.
  REQUIRE(sync::SaveCommunityMeta(*admin.store, admin.community.id, owner.id->public_key()).ok());
  auto txn = admin.store->Begin(admin.id->public_key(), "group edit");
  REQUIRE(txn.ok());
  core::GroupInput in;
  in.name = "hijacked";
  Status denied = admin.reg->EditGroup(**txn, b, in);
  CHECK(denied.code() == Status::Code::kDenied);
  CHECK(denied.message().find("admin of group 上海交流群") != std::string::npos);
  CHECK(denied.message().find("holds admin of 北京交流群") != std::string::npos);
  txn->reset();
  Rename(admin, a, "ok");  // its own group
  // Adding a person to its own group is an admin's; so is the person.
  admin.Write("member add", [&](core::WriteTxn& t) {
    auto p = admin.reg->AddPerson(t, Person("李娜", "ln_1"));
    REQUIRE(p.ok());
    REQUIRE(admin.reg->Join(t, a, *p, "member", std::nullopt).ok());
  });
  auto t2 = admin.store->Begin(admin.id->public_key(), "admin grant");
  REQUIRE(t2.ok());
  auto grant = (*t2)->Set(core::kRoleTable, admin.id->node_id(), "owner", int64_t{1});
  CHECK(grant.status().code() == Status::Code::kDenied);
  t2->reset();
  admin.SendTo(owner);
  CHECK(Refused(owner) == 0);
  CHECK(GroupName(owner, a) == "ok");
}

TEST_CASE("a membership may not be moved to another group by writing its group again") {
  auto ring = Keyring::New();
  Node owner(ring);
  Node admin(ring, 1'700'000'000'100, &owner);
  std::string a = AddGroup(owner, "北京交流群");
  std::string b = AddGroup(owner, "上海交流群");
  std::string p;
  owner.Write("member add",
              [&](core::WriteTxn& t) { p = *owner.reg->AddPerson(t, Person("张伟", "zw_1")); });
  InviteAs(owner, admin, {{Role::kAdmin, a}});
  owner.SendTo(admin);
  // The admin of a writes a membership of its group, then names group b
  // as its group: as if the row were b's.
  std::string row = core::Registry::MembershipId(a, p);
  admin.Write("member join", [&](core::WriteTxn& t) {
    REQUIRE(t.Set("membership", row, "group_id", a).ok());
    REQUIRE(t.Set("membership", row, "person_id", p).ok());
    REQUIRE(t.Set("membership", row, "status", std::string("active")).ok());
    REQUIRE(t.Set("membership", row, "group_id", b).ok());
  });
  admin.SendTo(owner);
  core::MembershipFilter in_b;
  in_b.group_id = b;
  CHECK(owner.reg->ListMemberships(in_b)->empty());
  CHECK(RefusedWith(owner, admin, "does not match the membership"));
}

TEST_CASE("a membership's group is found from the change set's causal past, whatever arrived") {
  auto ring = Keyring::New();
  Node owner(ring);
  Node admin(ring, 1'700'000'100'000, &owner);
  Node first(ring, 1'700'000'000'200, &owner), second(ring, 1'700'000'000'300, &owner);
  std::string a = AddGroup(owner, "北京交流群");
  std::string p;
  owner.Write("member add",
              [&](core::WriteTxn& t) { p = *owner.reg->AddPerson(t, Person("张伟", "zw_1")); });
  InviteAs(owner, admin, {{Role::kAdmin, a}});
  for (Node* n : {&admin, &first, &second}) owner.SendTo(*n);
  // The owner adds the person to the group; the admin, not having seen
  // that, sets the status of the same membership row.
  owner.Write("member join", [&](core::WriteTxn& t) {
    REQUIRE(owner.reg->Join(t, a, p, "member", std::nullopt).ok());
  });
  std::string join = Latest(owner);
  std::string row = core::Registry::MembershipId(a, p);
  admin.Write("member ban", [&](core::WriteTxn& t) {
    REQUIRE(t.Set("membership", row, "status", std::string("banned")).ok());
  });
  std::string ban = Latest(admin);
  first.Take(join);
  first.Take(ban);
  second.Take(ban);
  second.Take(join);
  CHECK(first.Hash() == second.Hash());
}

TEST_CASE("a node let in by an invite that stops counting does not strand what others built on") {
  auto ring = Keyring::New();
  auto nodes = Founded(ring, 4);
  Node &founder = *nodes[0], &demoted = *nodes[1], &builder = *nodes[2], &late = *nodes[3];
  for (Node* n : {&demoted, &builder, &late}) founder.SendTo(*n);
  Node invited(ring, 1'700'000'000'500, &founder);
  SetRoles(founder, demoted, {{Role::kOwner, ""}}, false);
  std::string revoke = Latest(founder);
  InviteAs(demoted, invited, {{Role::kEditor, ""}});  // concurrently
  std::string invite = Latest(demoted);
  invited.Take(invite);
  invited.Write("member add", [&](core::WriteTxn& t) {
    REQUIRE(invited.reg->AddPerson(t, Person("李四", "ls_1")).ok());
  });
  std::string by_invited = Latest(invited);
  builder.Take(invite);
  builder.Take(by_invited);
  builder.Write("member add", [&](core::WriteTxn& t) {
    REQUIRE(builder.reg->AddPerson(t, Person("王五", "ww_1")).ok());
  });
  std::string on_top = Latest(builder);
  builder.Take(revoke);
  late.Take(revoke);  // the revocation first, then the rest
  late.Take(invite);
  late.Take(by_invited);
  late.Take(on_top);
  CHECK(builder.Hash() == late.Hash());
  auto held = sync::Summarize(late.store->db());
  REQUIRE(held.ok());
  CHECK(held->pending == 0);
  // The invite did not count: the invited node holds no role, and what it
  // wrote does not count either.
  CHECK_FALSE(RolesOf(late, invited).Has(Role::kEditor));
  CHECK(RefusedWith(late, invited, "no role"));
}

TEST_CASE("a row of a group's own (an event, a check-in) is its admins' to write, by its id") {
  auto ring = Keyring::New();
  Node owner(ring);
  Node admin(ring, 1'700'000'000'100, &owner);
  std::string a = AddGroup(owner, "北京交流群");
  std::string b = AddGroup(owner, "上海交流群");
  InviteAs(owner, admin, {{Role::kAdmin, a}});
  owner.SendTo(admin);

  std::string in_a = core::GroupRowId(a, core::RandomId());
  std::string in_b = core::GroupRowId(b, core::RandomId());
  std::string no_group = core::RandomId();
  auto event = [&](const std::string& id, const char* title) {
    admin.Write("event add", [&](core::WriteTxn& t) {
      REQUIRE(t.Set("event", id, "title", title).ok());
      REQUIRE(t.Set("event", id, "deleted", int64_t{0}).ok());
    });
  };
  event(in_a, "周六读书会");
  event(in_b, "not mine");
  event(no_group, "no group at all");
  admin.SendTo(owner);
  auto title = [&](const std::string& id) {
    return owner.store->db().Prepare("SELECT coalesce(title,'') FROM event WHERE id='" + id +
                                     "' AND deleted=0");
  };
  auto a_row = title(in_a);
  REQUIRE(*a_row->Step());
  CHECK(a_row->Text(0) == "周六读书会");
  auto b_row = title(in_b);
  CHECK_FALSE(*b_row->Step());
  auto none_row = title(no_group);
  CHECK_FALSE(*none_row->Step());
  CHECK(Refused(owner) == 2);
  CHECK(RefusedWith(owner, admin, "admin of group 上海交流群"));
  CHECK(RefusedWith(owner, admin, "event.title, which needs an owner"));

  // The generated group column follows the id, for queries.
  auto g = owner.store->db().Prepare("SELECT group_id FROM event WHERE id='" + in_a + "'");
  REQUIRE(*g->Step());
  CHECK(g->Text(0) == a);

  // Checked before writing, too, with the group named.
  core::Roles roles;
  roles.held.insert({Role::kAdmin, a});
  core::Op op{"event", in_b, "title", std::string("x"), {}, admin.id->public_key()};
  CHECK_FALSE(core::Satisfies(roles, core::RequirementOf(op, std::nullopt), op));
  CHECK(core::WhatItChanges(owner.store->db(), op, std::nullopt) ==
        "the events of group 上海交流群 (" + core::ShortId(b) + ")");
  op.row_id = in_a;
  CHECK(core::Satisfies(roles, core::RequirementOf(op, std::nullopt), op));
  // A community-wide ban is an owner's.
  core::Op ban{"ban", core::RandomId(), "active", int64_t{1}, {}, admin.id->public_key()};
  CHECK_FALSE(core::Satisfies(roles, core::RequirementOf(ban, std::nullopt), ban));
}

namespace {

std::string AddPersonIn(Node& n, const char* name, const std::vector<std::string>& groups,
                        const std::optional<std::string>& phone = std::nullopt) {
  std::string id;
  n.Write("member add", [&](core::WriteTxn& t) {
    core::PersonInput in;
    in.display_name = name;
    if (phone) in.add_handles.push_back(*core::NormalizeHandle("phone", *phone));
    auto r = n.reg->AddPerson(t, in);
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    id = *r;
    for (const std::string& g : groups) REQUIRE(n.reg->Join(t, g, id, "member", std::nullopt).ok());
  });
  return id;
}

std::string PersonName(Node& n, const std::string& id) {
  auto s = n.store->db().Prepare("SELECT display_name, deleted FROM person WHERE id = ?");
  REQUIRE(s.ok());
  s->Bind(1, id);
  REQUIRE(*s->Step());
  return s->Int(1) ? "(deleted)" : s->Text(0);
}

}  // namespace

TEST_CASE("an admin of one group cannot delete or rewrite a person of another group only") {
  auto ring = Keyring::New();
  Node owner(ring);
  Node admin(ring, 1'700'000'000'100, &owner);
  Node viewer(ring, 1'700'000'000'200, &owner);
  std::string a = AddGroup(owner, "北京交流群");
  std::string b = AddGroup(owner, "上海交流群");
  std::string wang = AddPersonIn(owner, "王芳", {b});
  std::string li = AddPersonIn(owner, "李娜", {b}, "13800002222");
  std::string zhang = AddPersonIn(owner, "张伟", {a});
  std::string liu = AddPersonIn(owner, "刘洋", {a, b});
  std::string zhou = AddPersonIn(owner, "周敏", {b});
  InviteAs(owner, admin, {{Role::kAdmin, a}});
  InviteAs(owner, viewer, {{Role::kViewer, ""}});
  owner.SendTo(admin);
  owner.SendTo(viewer);

  auto edit = [&](const std::string& id, const char* city) {
    admin.Write("member edit", [&](core::WriteTxn& t) {
      core::PersonInput in;
      in.city = city;
      REQUIRE(admin.reg->EditPerson(t, id, in).ok());
    });
  };
  auto remove = [&](const std::string& id) {
    admin.Write("member remove",
                [&](core::WriteTxn& t) { REQUIRE(admin.reg->RemovePerson(t, id).ok()); });
  };
  // Refused: 上海's people only.
  remove(wang);
  admin.Write("member edit", [&](core::WriteTxn& t) {
    core::PersonInput in;
    in.display_name = "李娜-renamed-by-G1-admin";
    in.remove_handles.push_back(*core::NormalizeHandle("phone", "13800002222"));
    REQUIRE(admin.reg->EditPerson(t, li, in).ok());
  });
  // Refused: taking 李娜's phone over for one of its own group's people
  // changes 李娜's record too.
  admin.Write("member edit", [&](core::WriteTxn& t) {
    auto phone = *core::NormalizeHandle("phone", "13800002222");
    REQUIRE(t.Set("person_handle", core::HandleRowId(phone), "person_id", zhang).ok());
  });
  // Refused: 刘洋 is in 上海交流群 too, so deleting her needs its admin as
  // well; so does adding 周敏 to its own group and deleting her at once.
  remove(liu);
  admin.Write("member join", [&](core::WriteTxn& t) {
    REQUIRE(admin.reg->Join(t, a, zhou, "member", std::nullopt).ok());
    REQUIRE(admin.reg->RemovePerson(t, zhou).ok());
  });
  // Allowed: its own group's people, a shared person's record, a new person
  // in its group or in none, and deleting a person only its group has.
  edit(zhang, "北京");
  edit(liu, "天津");
  std::string zhao = AddPersonIn(admin, "赵磊", {a});
  std::string sun = AddPersonIn(admin, "孙丽", {});
  edit(sun, "广州");
  remove(zhao);

  admin.SendTo(owner);
  admin.SendTo(viewer);
  for (Node* n : {&owner, &viewer}) {
    CHECK(PersonName(*n, wang) == "王芳");
    CHECK(PersonName(*n, li) == "李娜");
    CHECK(PersonName(*n, liu) == "刘洋");
    CHECK(PersonName(*n, zhou) == "周敏");
    CHECK(PersonName(*n, sun) == "孙丽");
    CHECK(PersonName(*n, zhao) == "(deleted)");
    auto phone = n->reg->FindByHandle(*core::NormalizeHandle("phone", "13800002222"));
    REQUIRE(phone.ok());
    CHECK(*phone == std::optional<std::string>(li));
    CHECK(n->reg->GetPerson(zhang)->city == "北京");
    CHECK(n->reg->GetPerson(liu)->city == "天津");
    CHECK(n->reg->GetPerson(sun)->city == "广州");
    CHECK(Refused(*n) == 5);
    CHECK(RefusedWith(*n, admin, "an admin of every group 王芳"));
    CHECK(RefusedWith(*n, admin, "an admin of a group 李娜"));
    CHECK(RefusedWith(*n, admin, "上海交流群"));
  }
  CHECK(owner.Hash() == viewer.Hash());
}

TEST_CASE("who may change a person follows from the groups they belong to") {
  core::Roles admin_a, editor;
  admin_a.held.insert({Role::kAdmin, "a"});
  editor.held.insert({Role::kEditor, ""});
  core::Op rename{"person", "p", "display_name", std::string("x"), {}, {}};
  core::Op remove{"person", "p", "deleted", int64_t{1}, {}, {}};
  auto need = [](const core::Op& op, std::vector<std::string> groups) {
    return core::RequirementOf(op, std::nullopt, {{"p", std::move(groups)}});
  };
  // In a group of its: yes; in another's only: no; in none: any admin.
  CHECK(core::Satisfies(admin_a, need(rename, {"a"}), rename));
  CHECK(core::Satisfies(admin_a, need(rename, {"a", "b"}), rename));
  CHECK_FALSE(core::Satisfies(admin_a, need(rename, {"b"}), rename));
  CHECK(core::Satisfies(admin_a, need(rename, {}), rename));
  // Deleting needs every group the person is in.
  CHECK(core::Satisfies(admin_a, need(remove, {"a"}), remove));
  CHECK_FALSE(core::Satisfies(admin_a, need(remove, {"a", "b"}), remove));
  CHECK(core::Satisfies(admin_a, need(remove, {}), remove));
  // A member-editor keeps everyone's records; nobody else without people.
  CHECK(core::Satisfies(editor, need(remove, {"a", "b"}), remove));
  core::Op handle{"person_handle", "h", "deleted", int64_t{1}, {}, {}};
  CHECK(core::Satisfies(editor, core::RequirementOf(handle, std::nullopt), handle));
  CHECK_FALSE(core::Satisfies(admin_a, core::RequirementOf(handle, std::nullopt), handle));
  // A handle that belongs to two people needs a say over both.
  std::vector<core::PersonGroups> two = {{"p", {"a"}}, {"q", {"b"}}};
  CHECK_FALSE(core::Satisfies(admin_a, core::RequirementOf(handle, std::nullopt, two), handle));
}
