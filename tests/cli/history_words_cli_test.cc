// End-to-end tests of what `qun log` and `qun status` say to a person: the
// history with names, dates, yes and no, "added" and "removed", in the
// organizers' words and in Chinese; status with what an organizer wants to
// know, the technical figures behind --verbose; and the --json of both
// unchanged for scripts.
#include <doctest/doctest.h>
#include <time.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "base/dates.h"
#include "core/store.h"
#include "support/cli_runner.h"
#include "support/cli_steps.h"

using nlohmann::json;
using namespace qun::testing;

namespace {

// "2026-12-06 20:14": a time as `qun log` shows it, in local time.
std::string LocalTime(int64_t ms) { return qun::core::FormatLocalTime(ms); }

// The lines of `text` that hold every one of `parts`.
std::vector<std::string> LinesWith(const std::string& text, const std::vector<std::string>& parts) {
  std::vector<std::string> out;
  for (const std::string& line : Lines(text)) {
    bool all = true;
    for (const std::string& p : parts) all = all && Contains(line, p);
    if (all) out.push_back(line);
  }
  return out;
}

// The log entry of a field write, from `qun --json log`.
const json* EntryOf(const json& log, const std::string& table, const std::string& field) {
  for (const json& e : log)
    if (e.at("table") == table && e.at("field") == field) return &e;
  return nullptr;
}

std::set<std::string> KeysOf(const json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

// A group with a check-in, a person referred by another, a removed person,
// an application to a group that screens, and a community ban.
struct History : Node {
  std::string zhang, wang;
  History() {
    AddGroup(*this, {"早起群"});
    zhang = AddPerson(*this, {"张伟", "--group", "早起群", "--city", "深圳"});
    Ok(*this, {"checkin", "早起群", "张伟"});
    AddPerson(*this, {"陈静", "--referred-by", "张伟"});
    Ok(*this, {"member", "join", "早起群", "陈静", "--invited-by", "张伟"});
    wang = AddPerson(*this, {"王芳"});
    Ok(*this, {"member", "remove", "王芳"});
    AddGroup(*this, {"读书会", "--admission", "application"});
    AddPerson(*this, {"赵六"});
    Ok(*this, {"admission", "apply", "读书会", "赵六"});
    AddPerson(*this, {"刘洋"});
    Ok(*this, {"ban", "刘洋", "--reason", "发广告"});
  }
};

}  // namespace

TEST_SUITE("cli log and status in people's words") {
  TEST_CASE("qun log shows a check-in's time as a date and time, and its row as added") {
    History h;
    json log = OkJson(h, {"log", "-n", "0"});
    const json* at = EntryOf(log, "activity", "at");
    REQUIRE_MESSAGE(at != nullptr, log.dump(2));
    int64_t ms = at->at("to").get<int64_t>();

    std::string text = Ok(h, {"log", "张伟"}).out;
    std::vector<std::string> time = LinesWith(text, {"checkin", "time"});
    REQUIRE_MESSAGE(time.size() == 1, text);
    CHECK(Contains(time[0], LocalTime(ms)));
    CHECK_FALSE(Contains(text, std::to_string(ms)));
    // The day stays a day.
    CHECK(LinesWith(text, {"checkin", " day ", LocalTime(ms).substr(0, 10)}).size() == 1);
    // The check-in's row was added: no `deleted ∅ 0`.
    CHECK(LinesWith(text, {"checkin", "added"}).size() == 1);
    CHECK_FALSE(Contains(text, "deleted"));
    CHECK_FALSE(Contains(text, "∅"));
    // Column names are the organizers' words.
    CHECK(LinesWith(text, {"member add", "created"}).size() >= 1);
    CHECK_FALSE(Contains(text, "created_at"));
    CHECK_FALSE(Contains(text, "person_id"));
    CHECK_FALSE(Contains(text, "display_name"));
  }

  TEST_CASE("qun log shows a removed person as removed") {
    History h;
    // A removed person is found by id only.
    std::string text = Ok(h, {"log", Short(h.wang)}).out;
    std::vector<std::string> lines = Lines(text);
    REQUIRE(lines.size() > 2);
    CHECK(Contains(lines[1], "member remove"));
    CHECK(Contains(lines[1], "removed"));
    CHECK(LinesWith(text, {"member add", "王芳", "added"}).size() == 1);
    CHECK_FALSE(Contains(text, "deleted"));
  }

  TEST_CASE("qun log names the person a reference points at") {
    History h;
    std::string text = Ok(h, {"log", "陈静"}).out;
    std::vector<std::string> referred = LinesWith(text, {"referred by"});
    REQUIRE_MESSAGE(referred.size() == 1, text);
    CHECK(Contains(referred[0], "张伟"));
    CHECK_FALSE(Contains(referred[0], Short(h.zhang)));
    std::vector<std::string> invited = LinesWith(text, {"invited by", "陈静 @ 早起群"});
    REQUIRE_MESSAGE(invited.size() == 1, text);
    CHECK(Contains(invited[0], "张伟"));
    // A membership's person and group by name.
    CHECK(LinesWith(text, {"member join", " group ", "早起群"}).size() == 1);
    CHECK(LinesWith(text, {"member join", " person ", "陈静"}).size() == 1);
    CHECK_FALSE(Contains(text, Short(h.zhang)));
  }

  TEST_CASE("qun log shows yes and no for flags, and the organizers' words for stored values") {
    History h;
    std::string text = Ok(h, {"log", "-n", "0"}).out;
    std::vector<std::string> paid = LinesWith(text, {"admission apply", "paid"});
    REQUIRE_MESSAGE(paid.size() == 1, text);
    CHECK(paid[0].ends_with("no"));
    std::vector<std::string> in_force = LinesWith(text, {"ban", "in force"});
    REQUIRE_MESSAGE(in_force.size() == 1, text);
    CHECK(in_force[0].ends_with("yes"));
    // The ban's author is this node, by name.
    CHECK(LinesWith(text, {"ban", "banned by", "小林"}).size() == 1);
  }

  TEST_CASE("qun log in Chinese: 新增, 删除, 是 and 否, and the fields in Chinese") {
    History h;
    CliResult r = h.Qun({"--lang", "zh", "log", "-n", "0"});
    REQUIRE_EXIT(r, 0);
    const std::string& text = r.out;
    CHECK(Lines(text).at(0).starts_with("时间"));
    // The check-in: 打卡, added, its time and its person.
    CHECK(LinesWith(text, {"打卡", "新增"}).size() == 1);
    CHECK(LinesWith(text, {"打卡", "时间"}).size() == 1);
    CHECK(LinesWith(text, {"打卡", "成员", "张伟"}).size() == 1);
    CHECK(LinesWith(text, {"删除成员", "王芳", "删除"}).size() == 1);
    CHECK(LinesWith(text, {"推荐人", "张伟"}).size() == 1);
    CHECK(LinesWith(text, {"邀请人", "张伟"}).size() == 1);
    CHECK(LinesWith(text, {"城市", "深圳"}).size() == 1);
    CHECK(LinesWith(text, {"已付费", "否"}).size() == 1);
    CHECK(LinesWith(text, {"封禁", "生效中", "是"}).size() == 1);
    CHECK(LinesWith(text, {"成员状态", "在群"}).size() >= 1);
    for (const char* raw : {"deleted", "created_at", "display_name", "referred_by", "checkin",
                            "member add", "∅", " yes", " no"})
      CHECK_MESSAGE(!Contains(text, raw), raw);
  }

  TEST_CASE("qun log --json keeps the stored names and values in every language") {
    History h;
    json log = OkJson(h, {"log", "-n", "0"});
    CHECK(OkJson(h, {"--lang", "zh", "log", "-n", "0"}) == log);
    const std::set<std::string> keys = {"hlc",  "time_ms", "author", "author_name", "seq",
                                        "note", "table",   "row_id", "record",      "field",
                                        "from", "to",      "counts"};
    for (const json& e : log) CHECK(KeysOf(e) == keys);

    const json* at = EntryOf(log, "activity", "at");
    REQUIRE(at != nullptr);
    CHECK(at->at("to").is_number_integer());
    CHECK(at->at("note") == "checkin");
    CHECK(Contains(at->at("record").get<std::string>(), "张伟 @ 早起群 · checkin "));
    const json* referred = EntryOf(log, "person", "referred_by");
    REQUIRE(referred != nullptr);
    CHECK(referred->at("to") == h.zhang);
    const json* active = EntryOf(log, "ban", "active");
    REQUIRE(active != nullptr);
    CHECK(active->at("to") == 1);
    int made = 0;
    for (const json& e : log)
      if (e.at("field") == "deleted" && e.at("from").is_null() && e.at("to") == 0) ++made;
    CHECK(made >= 8);
  }

  TEST_CASE("qun status says the community, roles, people, groups and co-admins — no node id") {
    TwoHomes t("湾区读书会");
    AddGroup(t.a, {"北京群"});
    AddPerson(t.a, {"张伟", "--group", "北京群"});
    AddPerson(t.a, {"李四"});
    std::string node_id = NodeId(t.a);

    CliResult r = Ok(t.a, {"status"});
    CHECK(Contains(r.out, "Community: 湾区读书会\n"));
    CHECK(Contains(r.out, "Roles:     owner (the founder)"));
    CHECK(Contains(r.out, "People:    2"));
    CHECK(Contains(r.out, "Groups:    1"));
    CHECK(Contains(r.out, "Co-admins: 1: 李娜 (owner)"));
    CHECK_FALSE(Contains(r.out, node_id));
    CHECK_FALSE(Contains(r.out, node_id.substr(0, 8)));
    for (const char* technical : {"Node id", "Database", "Schema", "History", "field writes",
                                  "applied", "Memberships", t.a.home().c_str()})
      CHECK_MESSAGE(!Contains(r.out, technical), technical);

    // The founder is the joined node's co-admin, by name once its changes
    // arrived.
    t.Send(t.a, t.b);
    CHECK(Contains(Ok(t.b, {"status"}).out, "Co-admins: 1: 小林 (owner (the founder))"));
    // In Chinese.
    CliResult zh = t.a.Qun({"--lang", "zh", "status"});
    REQUIRE_EXIT(zh, 0);
    CHECK(Contains(zh.out, "社区:"));
    CHECK(Contains(zh.out, "成员:"));
    CHECK(Contains(zh.out, "群:"));
    CHECK(Contains(zh.out, "其他管理员: 1: 李娜"));
    CHECK_FALSE(Contains(zh.out, node_id.substr(0, 8)));
  }

  TEST_CASE(
      "qun status --verbose adds the node id, the history, the change sets and the database") {
    Node h("湾区读书会");
    AddGroup(h, {"北京群"});
    AddPerson(h, {"张伟", "--group", "北京群"});
    CHECK(Contains(Ok(h, {"status"}).out, "Co-admins: none yet"));
    CliResult r = Ok(h, {"status", "--verbose"});
    CHECK(Contains(r.out, "Node id:     " + NodeId(h)));
    CHECK(Contains(r.out, "Memberships: 1 active"));
    CHECK(Contains(r.out, "History:     3 changes"));
    CHECK(Contains(r.out, "field writes"));
    CHECK(Contains(r.out, "Change sets: "));
    CHECK(Contains(r.out, " applied\n"));
    CHECK(Contains(r.out, "Database:    " + h.InHome("community.db")));
    CHECK(Contains(
        r.out, "Schema:      version " + std::to_string(qun::core::Store::LatestSchemaVersion())));
    CHECK(Contains(r.out, "Community:   湾区读书会 ("));
  }

  TEST_CASE("qun status lists what is left to settle: warnings due, applications, failed syncs") {
    Node h;
    AddGroup(h, {"北京群", "--warning-limit", "2"});
    AddPerson(h, {"张伟", "--group", "北京群"});
    Ok(h, {"warn", "北京群", "张伟", "刷屏"});
    CHECK_FALSE(Contains(Ok(h, {"status"}).out, "Warnings:"));
    Ok(h, {"warn", "北京群", "张伟", "发广告"});
    AddGroup(h, {"读书会", "--admission", "application"});
    AddPerson(h, {"赵六"});
    Ok(h, {"admission", "apply", "读书会", "赵六"});
    Node other;
    Ok(h, {"peer", "add", "nobody", "tcp://127.0.0.1:1", "--key", NodeId(other)});
    CHECK_EXIT(h.Qun({"sync", "nobody", "--timeout", "1"}), 11);

    std::string out = Ok(h, {"status"}).out;
    CHECK(Contains(out,
                   "Warnings:     1 person has reached a group's warning limit: `qun warn due`"));
    CHECK(Contains(out, "Applications: 1 application waits for a decision"));
    CHECK(Contains(out,
                   "nobody (tcp://127.0.0.1:1): never synced; last try failed just now: "
                   "cannot reach nobody"));
    std::string zh = Ok(h, {"--lang", "zh", "status"}).out;
    CHECK(Contains(zh, "1 人已达到群的警告上限"));
    CHECK(Contains(zh, "上次尝试（刚刚）失败"));
  }

  TEST_CASE("qun status --json keeps the keys and values it had, with or without --verbose") {
    TwoHomes t;
    AddGroup(t.a, {"北京群"});
    AddPerson(t.a, {"张伟", "--group", "北京群"});
    json s = OkJson(t.a, {"status"});
    const std::set<std::string> keys = {"community",
                                        "community_id",
                                        "node_id",
                                        "home",
                                        "database",
                                        "schema_version",
                                        "groups",
                                        "archived_groups",
                                        "people",
                                        "active_memberships",
                                        "changes",
                                        "ops",
                                        "change_sets",
                                        "roles",
                                        "equivocating_nodes",
                                        "forks",
                                        "upgrade_needed",
                                        "conflicts",
                                        "peers"};
    CHECK(KeysOf(s) == keys);
    CHECK(KeysOf(s.at("change_sets")) == std::set<std::string>{"applied", "pending", "newer_format",
                                                               "equivocation", "rejected",
                                                               "refused_by_roles"});
    CHECK(s.at("node_id") == NodeId(t.a));
    CHECK(s.at("people") == 1);
    CHECK(s.at("groups") == 1);
    CHECK(s.at("active_memberships") == 1);
    CHECK(s.at("roles") == "owner (the founder)");
    CHECK(OkJson(t.a, {"status", "--verbose"}) == s);
    CHECK(OkJson(t.a, {"--lang", "zh", "status"}) == s);
  }
}
