// Warnings, bans and curated content written on two admins' nodes at the
// same time merge to the same state: warnings are facts (both kept),
// content edits merge field by field, and content that arrives by sync is
// searchable like local content (the FTS index follows the applier).
#include <doctest/doctest.h>

#include <set>

#include "community/content.h"
#include "community/warnings.h"
#include "core/ids.h"
#include "support/sync_nodes.h"

using namespace qun;
using namespace qun::testing;

namespace {

struct TwoAdmins {
  std::vector<std::unique_ptr<Node>> nodes = Founded(Keyring::New(), 2);
  Node& a = *nodes[0];
  Node& b = *nodes[1];
  std::string group, zhang;

  TwoAdmins() {
    a.Write("setup", [&](core::WriteTxn& t) {
      core::GroupInput g;
      g.name = "北京摄影群";
      group = *a.reg->AddGroup(t, g);
      zhang = *a.reg->AddPerson(t, Person("张伟", "zw_001"));
      REQUIRE(a.reg->Join(t, group, zhang, "member", std::nullopt).ok());
    });
    a.SendTo(b);
  }
  void Exchange() {
    a.SendTo(b);
    b.SendTo(a);
  }
};

std::vector<std::string> Titles(Node& n, const std::string& query) {
  auto hits = core::SearchContent(*n.store, query, {});
  REQUIRE_MESSAGE(hits.ok(), hits.status().message());
  std::vector<std::string> out;
  for (const auto& h : *hits) out.push_back(h.item.title);
  return out;
}

}  // namespace

TEST_CASE("two admins warning the same person at the same time both keep their warning") {
  TwoAdmins c;
  c.a.Write("warn", [&](core::WriteTxn& t) {
    REQUIRE(core::GiveWarning(t, c.group, c.zhang, "发广告", c.a.id->node_id()).ok());
  });
  c.b.Write("warn", [&](core::WriteTxn& t) {
    REQUIRE(core::GiveWarning(t, c.group, c.zhang, "刷屏", c.b.id->node_id()).ok());
  });
  c.Exchange();
  CHECK(c.a.Hash() == c.b.Hash());
  for (Node* n : {&c.a, &c.b}) {
    CHECK(*core::WarningCount(*n->store, c.group, c.zhang) == 2);
    auto ws = core::ListWarnings(*n->store, {});
    REQUIRE(ws->size() == 2);
    std::set<std::string> by = {(*ws)[0].given_by, (*ws)[1].given_by};
    CHECK(by == std::set<std::string>{c.a.id->node_id(), c.b.id->node_id()});
  }
}

TEST_CASE("a warning taken back on one node while another adds one leaves the new one") {
  TwoAdmins c;
  std::string first;
  c.a.Write("warn", [&](core::WriteTxn& t) {
    first = *core::GiveWarning(t, c.group, c.zhang, "误判", c.a.id->node_id());
  });
  c.a.SendTo(c.b);
  c.a.Write("warn remove", [&](core::WriteTxn& t) { REQUIRE(core::RemoveWarning(t, first).ok()); });
  c.b.Write("warn", [&](core::WriteTxn& t) {
    REQUIRE(core::GiveWarning(t, c.group, c.zhang, "骂人", c.b.id->node_id()).ok());
  });
  c.Exchange();
  CHECK(c.a.Hash() == c.b.Hash());
  for (Node* n : {&c.a, &c.b}) {
    auto ws = core::ListWarnings(*n->store, {});
    REQUIRE(ws->size() == 1);
    CHECK((*ws)[0].reason == "骂人");
  }
}

TEST_CASE("a membership added while a ban travels is listed, and banning again reaches it") {
  TwoAdmins c;
  std::string shanghai;
  c.a.Write("ban", [&](core::WriteTxn& t) {
    REQUIRE(core::BanPerson(t, c.zhang, "多次发广告", c.a.id->node_id()).ok());
  });
  c.b.Write("join", [&](core::WriteTxn& t) {
    core::GroupInput g;
    g.name = "上海群";
    shanghai = *c.b.reg->AddGroup(t, g);
    REQUIRE(c.b.reg->Join(t, shanghai, c.zhang, "member", std::nullopt).ok());
  });
  c.Exchange();
  CHECK(c.a.Hash() == c.b.Hash());
  auto ban = core::GetBan(*c.b.store, c.zhang);
  REQUIRE(*ban);
  CHECK((*ban)->active);
  CHECK((*ban)->holding_place_in == std::vector<std::string>{"上海群"});
  c.b.Write("ban", [&](core::WriteTxn& t) {
    auto r = core::BanPerson(t, c.zhang, "多次发广告", c.b.id->node_id());
    REQUIRE(r.ok());
    CHECK(r->groups == std::vector<std::string>{"上海群"});
  });
  c.Exchange();
  CHECK(c.a.Hash() == c.b.Hash());
  CHECK((*core::GetBan(*c.a.store, c.zhang))->holding_place_in.empty());
}

TEST_CASE("content saved on another node is searchable once it arrives, edits merge per field") {
  TwoAdmins c;
  std::string id;
  c.b.Write("content add", [&](core::WriteTxn& t) {
    core::ContentInput in;
    in.title = "夜景摄影技巧";
    in.body = "三脚架与长曝光";
    in.tags = std::vector<std::string>{"摄影"};
    id = *core::AddContent(t, c.group, in);
  });
  CHECK(Titles(c.a, "摄影").empty());
  c.b.SendTo(c.a);
  CHECK(Titles(c.a, "夜景摄影") == std::vector<std::string>{"夜景摄影技巧"});
  CHECK(Titles(c.a, "长曝光") == std::vector<std::string>{"夜景摄影技巧"});
  CHECK(Titles(c.a, "摄影") == std::vector<std::string>{"夜景摄影技巧"});
  // Offline: A retitles, B retags; both stay.
  c.a.Write("content edit", [&](core::WriteTxn& t) {
    core::ContentInput in;
    in.title = "城市夜景拍摄";
    REQUIRE(core::EditContent(t, id, in).ok());
  });
  c.b.Write("content edit", [&](core::WriteTxn& t) {
    core::ContentInput in;
    in.add_tags = {"夜景"};
    REQUIRE(core::EditContent(t, id, in).ok());
  });
  c.Exchange();
  CHECK(c.a.Hash() == c.b.Hash());
  for (Node* n : {&c.a, &c.b}) {
    auto item = core::GetContent(*n->store, id);
    REQUIRE(item.ok());
    CHECK(item->title == "城市夜景拍摄");
    CHECK(item->tags == std::vector<std::string>{"摄影", "夜景"});
    CHECK(Titles(*n, "技巧").empty());  // the old title's word is gone
    CHECK(Titles(*n, "城市夜景") == std::vector<std::string>{"城市夜景拍摄"});
  }
  // A removal on one node takes it out of the other's search.
  c.a.Write("content remove", [&](core::WriteTxn& t) { REQUIRE(core::RemoveContent(t, id).ok()); });
  c.a.SendTo(c.b);
  CHECK(Titles(c.b, "城市夜景").empty());
}
