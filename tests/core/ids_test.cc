// Row ids of the community registry (core/ids.h): random and derived ids,
// and the ids of rows that belong to one group.
#include "core/ids.h"

#include <doctest/doctest.h>

#include <string>

using namespace qun;

TEST_CASE("a group's row id carries the group, and nothing else passes for one") {
  std::string g = core::RandomId(), local = core::RandomId();
  std::string id = core::GroupRowId(g, local);
  CHECK(id.size() == 65);
  CHECK(core::GroupOfRowId(id) == g);
  CHECK(core::LocalOfRowId(id) == local);
  CHECK(core::ShortRowId(id) == local.substr(0, 8));
  CHECK(core::GroupOfRowId(g).empty());                      // a plain id
  CHECK(core::GroupOfRowId(g + "." + g.substr(1)).empty());  // short local part
  CHECK(core::GroupOfRowId(g + ":" + local).empty());        // wrong separator
  std::string upper = id;
  upper[0] = 'A';
  CHECK(core::GroupOfRowId(upper).empty());
  CHECK(core::LocalOfRowId(g) == g);
}

TEST_CASE("derived ids are the same for the same key and kind, and differ otherwise") {
  CHECK(core::LooksLikeId(core::RandomId()));
  CHECK(core::RandomId() != core::RandomId());
  std::string a = core::DerivedId("person", "wechat:zw_1");
  CHECK(core::LooksLikeId(a));
  CHECK(core::DerivedId("person", "wechat:zw_1") == a);
  CHECK(core::DerivedId("handle", "wechat:zw_1") != a);
  CHECK(core::DerivedId("person", "wechat:zw_2") != a);
  std::string g = core::RandomId(), p = core::RandomId();
  CHECK(core::MembershipRowId(g, p) == core::MembershipRowId(g, p));
  CHECK(core::MembershipRowId(g, p) != core::MembershipRowId(p, g));
  CHECK(core::LooksLikeId(core::MembershipRowId(g, p)));
  CHECK_FALSE(core::LooksLikeId(a.substr(1)));
  std::string upper = a;
  upper[0] = 'A';
  CHECK_FALSE(core::LooksLikeId(upper));
  CHECK(core::LooksLikeIdPrefix("9f3a"));
  CHECK_FALSE(core::LooksLikeIdPrefix("9f3"));
  CHECK_FALSE(core::LooksLikeIdPrefix("9f3g"));
  CHECK(core::ShortId(a) == a.substr(0, 8));
}
