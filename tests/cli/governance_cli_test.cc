// Roles over the network, as three admins' laptops would use them: an owner
// serving, a group admin who joined with a code, a member-editor who joined
// with an invite file. Each can do what its role allows and nothing more,
// and a revocation wins over what the revoked admin did at the same time.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <tuple>

#include "support/background.h"
#include "support/cli_runner.h"
#include "support/cli_steps.h"

using nlohmann::json;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::Ok;
using qun::testing::Server;
using qun::testing::StateHashOf;
using qun::testing::TempHome;

namespace {

int64_t Capacity(const TempHome& home, const std::string& group) {
  return json::parse(Ok(home, {"--json", "group", "show", group}).out).at("capacity");
}

}  // namespace

TEST_SUITE("cli governance") {
  TEST_CASE("three admins with different roles: each does what its role allows, on every node") {
    TempHome owner, admin, editor;
    Ok(owner, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Ok(owner, {"group", "add", "北京群"});
    Ok(owner, {"group", "add", "上海群"});
    Server server = Server::Start(owner, "owner");
    std::string key = qun::testing::ReadFile(owner.InHome("node.pub")).substr(0, 64);

    // A group admin joins with a code.
    CliResult code = Ok(owner, {"--json", "invite", "--code", "--address", server.address(),
                                "--role", "admin", "--group", "北京群", "--name", "李娜"});
    CHECK(Contains(json::parse(code.out).at("roles").get<std::string>(), "admin of 北京群"));
    Ok(admin, {"join", json::parse(code.out).at("code").get<std::string>(), "--admin", "李娜"});
    // A member-editor joins with an invite file.
    CliResult made = Ok(editor, {"--json", "init", "--join", "--admin", "陈静"});
    std::string editor_id = json::parse(made.out).at("node_id");
    std::string file = editor.Beside("editor.qun");
    CliResult invited = Ok(owner, {"invite", editor_id, "-o", file, "--role", "member-editor"});
    CHECK(Contains(invited.out, "(editor)"));
    Ok(editor, {"join", file});
    Ok(editor, {"peer", "add", "owner", server.address(), "--key", key});
    Ok(editor, {"sync"});
    CHECK(Contains(Ok(admin, {"status"}).out, "admin of 北京群"));
    CHECK(Contains(Ok(editor, {"status"}).out, "Roles:"));

    // The group admin: its group yes, another group no, roles no.
    Ok(admin, {"group", "edit", "北京群", "--capacity", "300"});
    Ok(admin, {"member", "add", "张伟", "--wechat", "zw_001", "--group", "北京群"});
    CliResult other = admin.Qun({"group", "edit", "上海群", "--capacity", "1"});
    CHECK_EXIT(other, 12);
    CHECK(Contains(other.err, "admin of group 上海群"));
    CliResult grant = admin.Qun({"admin", "grant", "王芳", "viewer"});
    CHECK_EXIT(grant, 12);
    CHECK(Contains(grant.err, "only an owner"));
    CliResult invite = admin.Qun({"invite", "--code", "--address", server.address()});
    CHECK_EXIT(invite, 12);
    // The member-editor: person records yes, groups no.
    Ok(editor, {"member", "add", "刘洋", "--wechat", "ly_002", "--city", "北京"});
    CHECK_EXIT(editor.Qun({"group", "edit", "北京群", "--capacity", "5"}), 12);
    CHECK_EXIT(editor.Qun({"member", "add", "赵磊", "--wechat", "zl_3", "--group", "上海群"}), 12);

    Ok(admin, {"sync"});
    Ok(editor, {"sync"});
    Ok(admin, {"sync"});
    CHECK(StateHashOf(owner) == StateHashOf(admin));
    CHECK(StateHashOf(owner) == StateHashOf(editor));
    CHECK(Capacity(editor, "北京群") == 300);
    CHECK(Capacity(editor, "上海群") == 500);
    CHECK(Contains(Ok(owner, {"member", "show", "ly_002"}).out, "刘洋"));
    json list = json::parse(Ok(editor, {"--json", "admin", "list"}).out);
    int with_roles = 0;
    for (const json& n : list)
      if (n.at("member").get<bool>()) ++with_roles;
    CHECK(with_roles == 3);
    CHECK(json::parse(Ok(owner, {"--json", "status", "--rejected"}).out).empty());

    // The owner takes the group away from the admin (who keeps reading, as
    // a viewer) while the admin, offline, edits the group once more.
    Ok(owner, {"admin", "grant", "李娜", "viewer"});
    Ok(owner, {"admin", "revoke", "李娜", "admin", "--group", "北京群"});
    Ok(admin, {"group", "edit", "北京群", "--capacity", "400"});
    Ok(admin, {"sync"});
    Ok(editor, {"sync"});
    for (const TempHome* h : {&owner, &admin, &editor}) CHECK(Capacity(*h, "北京群") == 300);
    CHECK(StateHashOf(owner) == StateHashOf(admin));
    CHECK(StateHashOf(owner) == StateHashOf(editor));
    json refused = json::parse(Ok(owner, {"--json", "status", "--rejected"}).out);
    REQUIRE(refused.size() == 1);
    CHECK(Contains(refused[0].at("reason").get<std::string>(), "revoked its role of admin"));
    CHECK(refused[0].at("note") == "group edit");
    // In words: the command as organizers call it, in either language.
    CHECK(Contains(Ok(owner, {"status", "--rejected"}).out, "(group edit)"));
    CHECK(Contains(Ok(owner, {"--lang", "zh", "status", "--rejected"}).out, "（修改群）"));
    // The refused edit stays in the history, marked.
    json log = json::parse(Ok(owner, {"--json", "log", "北京群"}).out);
    int not_counting = 0;
    for (const json& e : log)
      if (!e.at("counts").get<bool>()) {
        ++not_counting;
        CHECK(e.at("to") == 400);
      }
    CHECK(not_counting == 1);
    CHECK(Contains(Ok(owner, {"log", "北京群"}).out, "(does not count)"));
    CHECK(Contains(Ok(admin, {"status"}).out, "do not count"));
    CHECK(Contains(Ok(admin, {"status"}).out, "Roles:"));
    CHECK_EXIT(admin.Qun({"group", "edit", "北京群", "--capacity", "1"}), 12);
  }

  TEST_CASE("a removed admin is refused at connect and cannot read what is written next") {
    TempHome owner, stays, removed, later;
    Ok(owner, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Ok(owner, {"member", "add", "张伟", "--wechat", "zw_001"});
    Server server = Server::Start(owner, "owner");
    auto join = [&](TempHome& h, const char* name) {
      CliResult code = Ok(
          owner, {"--json", "invite", "--code", "--address", server.address(), "--role", "editor"});
      Ok(h, {"join", json::parse(code.out).at("code").get<std::string>(), "--admin", name});
    };
    join(stays, "李娜");
    join(removed, "陈静");
    CHECK(StateHashOf(owner) == StateHashOf(removed));

    CliResult out = Ok(owner, {"admin", "remove", "陈静"});
    CHECK(Contains(out.out, "Removed 陈静"));
    CHECK(Contains(out.out, "sealed to 2 nodes"));
    Ok(owner, {"member", "add", "秘密", "--wechat", "secret_1"});
    // Refused at connect, before any data moves.
    CliResult refused = removed.Qun({"sync", "--timeout", "5"});
    CHECK_EXIT(refused, 12);
    CHECK_EXIT(removed.Qun({"member", "show", "secret_1"}), 3);
    // The node that stays takes the new key and reads on.
    Ok(stays, {"sync"});
    CHECK(Contains(Ok(stays, {"member", "show", "secret_1"}).out, "秘密"));
    CHECK(StateHashOf(owner) == StateHashOf(stays));
    CHECK(Contains(Ok(owner, {"admin", "list"}).out, "no role: cannot connect"));

    // A rotation on demand; a node invited afterwards reads all history.
    CliResult rotated = Ok(owner, {"--json", "key", "rotate"});
    CHECK(json::parse(rotated.out).at("recipients") == 2);
    Ok(owner, {"member", "add", "刘洋", "--wechat", "ly_002"});
    join(later, "赵磊");
    CHECK(Contains(Ok(later, {"member", "show", "zw_001"}).out, "张伟"));
    CHECK(Contains(Ok(later, {"member", "show", "ly_002"}).out, "刘洋"));
    Ok(stays, {"sync"});
    CHECK(StateHashOf(owner) == StateHashOf(later));
    CHECK(StateHashOf(owner) == StateHashOf(stays));
    // Only owners replace keys or remove nodes.
    CHECK_EXIT(stays.Qun({"key", "rotate"}), 12);
    CHECK_EXIT(stays.Qun({"admin", "remove", "赵磊"}), 12);
    CHECK_EXIT(owner.Qun({"admin", "remove", "王芳"}), 2);
  }

  TEST_CASE("a removed node cannot read what it gets from a relay after the key rotation") {
    TempHome owner, stays, removed, relay_home;
    Ok(owner, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Server server = Server::Start(owner, "owner");
    for (auto [home, name] :
         {std::pair<TempHome*, const char*>{&stays, "李娜"}, {&removed, "陈静"}}) {
      CliResult code = Ok(
          owner, {"--json", "invite", "--code", "--address", server.address(), "--role", "editor"});
      Ok(*home, {"join", json::parse(code.out).at("code").get<std::string>(), "--admin", name});
    }
    // The relay's operator has not taken the removed node off its list.
    std::string ids;
    for (const TempHome* h : {&owner, &stays, &removed})
      ids += qun::testing::ReadFile(h->InHome("node.pub")).substr(0, 64) + "\n";
    std::string allow = relay_home.Write("allow.txt", ids);
    Server relay = Server::Start(relay_home, "relay", {"--allow", allow}, "*", "relay");
    std::string relay_key = relay.process->WaitFor(R"(relay key ([0-9a-f]{64}))");
    for (const TempHome* h : {&owner, &stays, &removed})
      Ok(*h, {"peer", "add", "relay", relay.address(), "--key", relay_key});

    Ok(owner, {"admin", "remove", "陈静"});
    Ok(owner, {"member", "add", "欧阳秘密", "--wechat", "secret_2"});
    Ok(owner, {"sync", "relay"});
    // It gets every change set from the relay, and reads none written
    // after its removal.
    CliResult got = removed.Qun({"sync", "relay"});
    CHECK_EXIT(got, 9);
    CHECK(Contains(got.out, "which this node does not hold"));
    CHECK_EXIT(removed.Qun({"member", "show", "secret_2"}), 3);
    json refused = json::parse(Ok(removed, {"--json", "status", "--rejected"}).out);
    REQUIRE(!refused.empty());
    CHECK(Contains(refused[0].at("reason").get<std::string>(), "does not hold"));
    // The node that stays reads it through the same relay.
    Ok(stays, {"sync", "relay"});
    CHECK(Contains(Ok(stays, {"member", "show", "secret_2"}).out, "欧阳秘密"));
    CHECK(StateHashOf(owner) == StateHashOf(stays));
  }

  TEST_CASE("a relay-role node gets the new key at a rotation and forwards what is written after") {
    TempHome owner, relay_role, third;
    Ok(owner, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Server server = Server::Start(owner, "owner");
    std::string key = qun::testing::ReadFile(owner.InHome("node.pub")).substr(0, 64);
    for (auto [home, name, role] :
         {std::tuple<TempHome*, const char*, const char*>{&relay_role, "中转", "relay"},
          {&third, "陈静", "editor"}}) {
      std::string id =
          json::parse(Ok(*home, {"--json", "init", "--join", "--admin", name}).out).at("node_id");
      std::string file = home->Beside("invite.qun");
      Ok(owner, {"invite", id, "-o", file, "--role", role, "--name", name});
      Ok(*home, {"join", file});
    }
    Ok(relay_role, {"peer", "add", "owner", server.address(), "--key", key});
    Ok(relay_role, {"sync"});

    // Every member gets an envelope, the relay-role node too.
    CliResult rotated = Ok(owner, {"--json", "key", "rotate"});
    CHECK(json::parse(rotated.out).at("recipients") == 3);
    Ok(owner, {"member", "add", "欧阳新", "--wechat", "after_rotation"});
    Ok(relay_role, {"sync"});
    CHECK(Contains(Ok(relay_role, {"member", "show", "after_rotation"}).out, "欧阳新"));
    CHECK(json::parse(Ok(relay_role, {"--json", "status", "--rejected"}).out).empty());

    // The third node never reaches the owner: it gets everything, the
    // change sets sealed under the new key included, from the relay-role
    // node (as a bundle).
    Ok(third, {"bundle", "vector", "-o", third.Beside("third.vector")});
    Ok(relay_role, {"bundle", "export", "--for", third.Beside("third.vector"), "-o",
                    relay_role.Beside("to-third.qunb")});
    Ok(third, {"bundle", "import", relay_role.Beside("to-third.qunb")});
    CHECK(Contains(Ok(third, {"member", "show", "after_rotation"}).out, "欧阳新"));
    CHECK(StateHashOf(owner) == StateHashOf(relay_role));
    CHECK(StateHashOf(owner) == StateHashOf(third));
    // It still writes nothing but its own name.
    CHECK_EXIT(relay_role.Qun({"member", "add", "赵磊", "--wechat", "zl_3"}), 12);
  }

  TEST_CASE("a node restored from an old backup forks — an owner resolves it for the restored one") {
    TempHome owner, laptop;
    Ok(owner, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Server server = Server::Start(owner, "owner");
    CliResult code = Ok(
        owner, {"--json", "invite", "--code", "--address", server.address(), "--role", "editor"});
    Ok(laptop, {"join", json::parse(code.out).at("code").get<std::string>(), "--admin", "李娜"});
    std::filesystem::copy(laptop.home(), laptop.Beside("backup"),
                          std::filesystem::copy_options::recursive);
    Ok(laptop, {"member", "add", "张伟", "--wechat", "zw_001"});
    Ok(laptop, {"sync"});
    // The laptop is restored from the backup and keeps writing: its next
    // change set has the number the lost one had.
    std::filesystem::remove_all(laptop.home());
    std::filesystem::rename(laptop.Beside("backup"), laptop.home());
    Ok(laptop, {"member", "add", "刘洋", "--wechat", "ly_002"});
    Ok(laptop, {"sync"});
    Ok(laptop, {"member", "add", "赵磊", "--wechat", "zl_003"});
    Ok(laptop, {"sync"});
    // The owner keeps the first, and holds what came after the fork.
    CHECK(Contains(Ok(owner, {"status"}).out, "qun admin resolve-fork"));
    CHECK_EXIT(owner.Qun({"member", "show", "zl_003"}), 3);
    json status = json::parse(Ok(owner, {"--json", "status"}).out);
    REQUIRE(status.at("forks").size() == 1);
    json fork = status.at("forks")[0];
    REQUIRE(fork.at("change_sets").size() == 2);
    std::string restored;
    for (const json& h : fork.at("change_sets"))
      if (h != fork.at("applied")) restored = h.get<std::string>();
    REQUIRE(!restored.empty());
    // Only an owner resolves; then the restored laptop's line counts.
    CHECK_EXIT(laptop.Qun({"admin", "resolve-fork", "李娜"}), 12);
    CHECK_EXIT(owner.Qun({"admin", "resolve-fork", "李娜", "--keep", "ffff"}), 2);
    CliResult resolved =
        Ok(owner, {"admin", "resolve-fork", "李娜", "--keep", restored.substr(0, 10)});
    CHECK(Contains(resolved.out, "no longer held"));
    CHECK(Contains(Ok(owner, {"member", "show", "zl_003"}).out, "赵磊"));
    CHECK(Contains(Ok(owner, {"member", "show", "ly_002"}).out, "刘洋"));
    CHECK_EXIT(owner.Qun({"member", "show", "zw_001"}), 3);
    Ok(laptop, {"sync"});
    CHECK(StateHashOf(owner) == StateHashOf(laptop));
    CHECK(Contains(Ok(owner, {"status"}).out, "an owner has said which one counts"));
    CHECK_EXIT(owner.Qun({"admin", "resolve-fork", "李娜"}), 3);
  }

  TEST_CASE("role arguments are checked before anything is written") {
    TempHome owner;
    Ok(owner, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Ok(owner, {"group", "add", "北京群"});
    std::string id(64, 'a');
    CliResult bad =
        owner.Qun({"invite", "--code", "--address", "tcp://127.0.0.1:7447", "--role", "boss"});
    CHECK_EXIT(bad, 2);
    CHECK(Contains(bad.err, "not a role"));
    CliResult no_group =
        owner.Qun({"invite", "--code", "--address", "tcp://127.0.0.1:7447", "--role", "admin"});
    CHECK_EXIT(no_group, 2);
    CHECK(Contains(no_group.err, "--group"));
    CliResult stray = owner.Qun({"invite", "--code", "--address", "tcp://127.0.0.1:7447", "--role",
                                 "viewer", "--group", "北京群"});
    CHECK_EXIT(stray, 2);
    CliResult nobody = owner.Qun({"admin", "grant", "nobody", "viewer"});
    CHECK_EXIT(nobody, 3);
    CHECK(Contains(nobody.err, "qun admin list"));
    CliResult founder = owner.Qun({"admin", "revoke", "王芳", "owner"});
    CHECK_EXIT(founder, 2);
    CHECK(Contains(founder.err, "founder"));
    json status = json::parse(Ok(owner, {"--json", "status"}).out);
    CHECK(status.at("changes") == 2);  // init and the group: nothing else written
    CHECK(Contains(status.at("roles").get<std::string>(), "founder"));
  }
}
