// A group admin and the people of other groups, end to end: the review's
// `member remove` and `member edit` by an admin of one group on people who
// belong only to another are refused at the command line, nothing is
// written, and what it may do still syncs to the owner.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "support/cli_runner.h"
#include "support/cli_steps.h"

using nlohmann::json;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::SendBundle;
using qun::testing::TempHome;

TEST_SUITE("cli person roles") {
  TEST_CASE("a group admin cannot remove or rewrite a person who belongs only to another group") {
    TempHome owner, admin;
    Ok(owner, {"init", "--name", "湾区读书会", "--admin", "小林"});
    Ok(owner, {"group", "add", "北京群"});
    Ok(owner, {"group", "add", "上海群"});
    Ok(owner, {"member", "add", "王芳", "--wechat", "wf_1", "--group", "上海群"});
    Ok(owner, {"member", "add", "李娜", "--phone", "13800002222", "--group", "上海群"});
    Ok(owner, {"member", "add", "张伟", "--wechat", "zw_1", "--group", "北京群"});
    Ok(owner, {"member", "add", "刘洋", "--wechat", "ly_1", "--group", "北京群"});
    Ok(owner, {"member", "join", "上海群", "刘洋"});
    std::string id = OkJson(admin, {"init", "--join", "--admin", "陈静"}).at("node_id");
    Ok(owner,
       {"invite", id, "-o", admin.Beside("invite.qun"), "--role", "admin", "--group", "北京群"});
    Ok(admin, {"join", admin.Beside("invite.qun")});
    REQUIRE_EXIT(SendBundle(owner, admin), 0);
    int64_t changes = OkJson(admin, {"status"}).at("changes");

    CliResult removed = admin.Qun({"member", "remove", "王芳"});
    CHECK_EXIT(removed, 12);
    CHECK(Contains(removed.err, "王芳"));
    CHECK(Contains(removed.err, "上海群"));
    CHECK(Contains(removed.err, "Nothing was written"));
    CliResult edited = admin.Qun({"member", "edit", "李娜", "--name", "李娜-renamed-by-G1-admin",
                                  "--remove-phone", "13800002222"});
    CHECK_EXIT(edited, 12);
    CHECK(Contains(edited.err, "the record of 李娜"));
    CHECK(Contains(edited.err, "an admin of a group 李娜"));
    CHECK_EXIT(admin.Qun({"member", "edit", "李娜", "--remove-phone", "13800002222"}), 12);
    // 刘洋 is in both groups: her record yes, removing her from every group no.
    Ok(admin, {"member", "edit", "刘洋", "--city", "天津"});
    CHECK_EXIT(admin.Qun({"member", "remove", "刘洋"}), 12);
    // Its own group's people, and new people in its group or in none.
    Ok(admin, {"member", "edit", "张伟", "--city", "北京"});
    Ok(admin, {"member", "remove", "张伟"});
    Ok(admin, {"member", "add", "赵磊", "--wechat", "zl_1", "--group", "北京群"});
    Ok(admin, {"member", "add", "孙丽", "--wechat", "sl_1"});
    Ok(admin, {"member", "edit", "孙丽", "--city", "广州"});
    CHECK(OkJson(admin, {"status"}).at("changes").get<int64_t>() == changes + 6);

    REQUIRE_EXIT(SendBundle(admin, owner), 0);
    CHECK(OkJson(owner, {"status", "--rejected"}).empty());
    CHECK(qun::testing::StateHashOf(owner) == qun::testing::StateHashOf(admin));
    json shanghai = OkJson(owner, {"member", "list", "--group", "上海群"});
    CHECK(shanghai.size() == 3);
    CHECK(Contains(Ok(owner, {"member", "show", "13800002222"}).out, "李娜"));
    CHECK(Contains(Ok(owner, {"member", "show", "ly_1"}).out, "天津"));
    CHECK_EXIT(owner.Qun({"member", "show", "zw_1"}), 3);
  }
}
