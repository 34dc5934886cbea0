// End-to-end tests of network sync: `qun serve`, `qun sync`, `qun peer`,
// `qun relay`, each node a separate home and process on 127.0.0.1, ports
// chosen at run time.
#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/background.h"
#include "support/cli_runner.h"
#include "support/cli_steps.h"
#include "support/scale.h"

using nlohmann::json;
using qun::testing::Background;
using qun::testing::CliOptions;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::Init;
using qun::testing::InviteAndJoin;
using qun::testing::NodeId;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::ReadFile;
using qun::testing::Server;
using qun::testing::StateHashOf;
using qun::testing::TempHome;

namespace {

// Size and time of the last change of `home`'s write-ahead log: a stat, so
// that it can be looked at every millisecond.
std::string WalStamp(const TempHome& home) {
  struct stat st;
  if (stat(home.InHome("community.db-wal").c_str(), &st) != 0) return "";
  return std::to_string(st.st_size) + "@" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

// People committed in `home`'s database, read directly: a qun command could
// wait on the write lock of a process the test froze.
int64_t PeopleCommitted(const TempHome& home) {
  sqlite3* db = nullptr;
  int64_t n = -1;
  if (sqlite3_open_v2(home.InHome("community.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
      SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM person", -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
      n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  REQUIRE_MESSAGE(n >= 0, "cannot read " << home.InHome("community.db"));
  return n;
}

// Freezes `running` (SIGSTOP) once `home`'s database has taken a write after
// which `ready()` holds. ready() is asked with the process frozen, so that
// however slowly it answers (a qun command, on a loaded machine), the
// process cannot run to its end meanwhile; while it does not hold, the
// process is thawed and the watch goes on.
void FreezeAfterWrite(const TempHome& home, Background& running,
                      const std::function<bool()>& ready) {
  std::string last = WalStamp(home);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    REQUIRE_MESSAGE(running.Running(), "it finished before it could be frozen");
    std::string now = WalStamp(home);
    if (now != last) {
      kill(running.pid(), SIGSTOP);
      if (ready()) return;
      kill(running.pid(), SIGCONT);
      last = now;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  FAIL("no write came within a minute");
}

int64_t Applied(const TempHome& home) {
  return OkJson(home, {"status"}).at("change_sets").at("applied").get<int64_t>();
}

// A community of `n` admins: the first founds it and invites the others.
struct Community {
  std::vector<std::unique_ptr<TempHome>> nodes;
  explicit Community(int n) {
    for (int i = 0; i < n; ++i) nodes.push_back(std::make_unique<TempHome>());
    Init(*nodes[0], "湾区读书会", "王芳");
    for (int i = 1; i < n; ++i) InviteAndJoin(*nodes[0], *nodes[i], "admin" + std::to_string(i));
  }
  TempHome& operator[](int i) { return *nodes[i]; }
};

// `home` knows `server` (running on `serving`'s node) as peer `name`.
void AddPeer(const TempHome& home, const std::string& name, const Server& server,
             const std::string& key) {
  Ok(home, {"peer", "add", name, server.address(), "--key", key});
}

CliResult Sync(const TempHome& home, const std::string& peer, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--json", "sync", peer, "--timeout", "10"};
  args.insert(args.end(), extra.begin(), extra.end());
  return home.Qun(args);
}

json SyncOk(const TempHome& home, const std::string& peer) {
  CliResult r = Sync(home, peer);
  REQUIRE_EXIT(r, 0);
  return json::parse(r.out);
}

// A members sheet of `n` people whose names start with `prefix`.
std::string Sheet(const std::string& prefix, int n) {
  std::string csv = "display_name,wechat,city,tags\n";
  for (int i = 0; i < n; ++i)
    csv += prefix + std::to_string(i) + ",wx_" + prefix + std::to_string(i) + ",深圳,读书;摄影\n";
  return csv;
}

}  // namespace

TEST_SUITE("cli network sync") {
  TEST_CASE("two nodes converge over the network, both ways, and a second sync moves nothing") {
    Community c(2);
    Ok(c[0], {"group", "add", "北京交流群"});
    Ok(c[0], {"member", "add", "张伟", "--wechat", "zw_001", "--city", "北京"});
    Server a = Server::Start(c[0], "a");
    AddPeer(c[1], "wangfang", a, NodeId(c[0]));

    json first = SyncOk(c[1], "wangfang");
    CHECK(first.at("received").get<int>() > 0);
    CHECK(first.at("applied") == first.at("received"));
    CHECK(StateHashOf(c[0]) == StateHashOf(c[1]));

    // Offline edits on both sides, one field on both.
    Ok(c[0], {"member", "edit", "zw_001", "--nickname", "大伟", "--city", "天津"});
    Ok(c[1], {"member", "edit", "zw_001", "--notes", "组织者", "--city", "上海"});
    Ok(c[1], {"member", "add", "Alice Chen", "--wechat", "alice_c"});
    json second = SyncOk(c[1], "wangfang");
    CHECK(second.at("sent").get<int>() >= 2);
    CHECK(second.at("peer_applied") == second.at("sent"));
    CHECK(second.at("received").get<int>() >= 1);
    CHECK(StateHashOf(c[0]) == StateHashOf(c[1]));
    CHECK(OkJson(c[0], {"member", "list"}) == OkJson(c[1], {"member", "list"}));
    json zw = OkJson(c[0], {"member", "show", "zw_001"});
    CHECK(zw.at("nickname") == "大伟");
    CHECK(zw.at("city") == "上海");  // the later edit

    // In sync: nothing moves, and the bytes are a few hundred per author.
    json third = SyncOk(c[1], "wangfang");
    CHECK(third.at("sent") == 0);
    CHECK(third.at("received") == 0);
    CHECK(third.at("bytes_sent").get<int>() + third.at("bytes_received").get<int>() < 1500);
    CliResult text = c[1].Qun({"sync", "wangfang"});
    REQUIRE_EXIT(text, 0);
    CHECK(Contains(text.out, "Synced with wangfang: sent 0, received 0"));
    CHECK(Contains(text.out, "already in sync"));

    // Status and peer list tell when and how far.
    CliResult status = Ok(c[1], {"status"});
    CHECK(Contains(status.out, "wangfang (" + a.address() + "): last sync just now, in step"));
    json peers = OkJson(c[1], {"status"}).at("peers");
    REQUIRE(peers.size() == 1);
    CHECK(peers[0].at("behind") == 0);
    CHECK(peers[0].at("last_error").is_null());
    Ok(c[1], {"member", "add", "陈静"});
    peers = OkJson(c[1], {"status"}).at("peers");
    CHECK(peers[0].at("behind") == 1);  // one change set it has not seen

    // The server logs each sync and stops cleanly on SIGTERM.
    CHECK(Contains(a.process->out(), "synced with admin1"));
    CHECK(a.process->Stop(SIGTERM) == 0);
    CHECK(Contains(a.process->out(), "stopped"));
  }

  TEST_CASE("three nodes in a line converge through the middle one") {
    Community c(3);  // 0 invited 1 and 2; 1 serves; 0 and 2 never meet
    Server b = Server::Start(c[1], "b");
    AddPeer(c[0], "b", b, NodeId(c[1]));
    AddPeer(c[2], "b", b, NodeId(c[1]));
    // Node 2 is let in only once node 1 has seen its invite, from node 0.
    CliResult early = Sync(c[2], "b");
    CHECK_EXIT(early, 12);
    CHECK(Contains(early.err, "refused this node"));
    Ok(c[0], {"member", "add", "甲", "--wechat", "jia"});
    SyncOk(c[0], "b");
    json got = SyncOk(c[2], "b");
    CHECK(got.at("received").get<int>() > 0);
    CHECK(OkJson(c[2], {"member", "show", "jia"}).at("display_name") == "甲");

    Ok(c[2], {"member", "add", "丙", "--wechat", "bing"});
    Ok(c[0], {"member", "edit", "jia", "--city", "广州"});
    SyncOk(c[2], "b");
    SyncOk(c[0], "b");
    SyncOk(c[2], "b");
    CHECK(OkJson(c[0], {"member", "show", "bing"}).at("display_name") == "丙");
    CHECK(StateHashOf(c[0]) == StateHashOf(c[1]));
    CHECK(StateHashOf(c[1]) == StateHashOf(c[2]));
  }

  TEST_CASE("two admins who are never up together converge through a relay that cannot read") {
    Community c(2);
    TempHome relay_home;
    std::string allow = relay_home.Write(
        "allow.txt", "# nodes of 湾区读书会\n" + NodeId(c[0]) + " 王芳\n" + NodeId(c[1]) + "\n");
    Server relay = Server::Start(relay_home, "relay", {"--allow", allow}, "*", "relay");
    std::string relay_key = relay.process->WaitFor(R"(relay key ([0-9a-f]{64}))");
    AddPeer(c[0], "relay", relay, relay_key);
    AddPeer(c[1], "relay", relay, relay_key);

    // Only the first admin is up: writes, syncs, goes away.
    Ok(c[0],
       {"member", "add", "欧阳秘密", "--wechat", "ouyang_secret", "--notes", "Zanzibar-Quokka"});
    json up = SyncOk(c[0], "relay");
    CHECK(up.at("relay") == true);
    CHECK(up.at("peer_applied") == up.at("sent"));
    // Then only the second: takes it in, writes, syncs, goes away.
    json down = SyncOk(c[1], "relay");
    CHECK(down.at("applied").get<int>() > 0);
    CHECK(OkJson(c[1], {"member", "show", "ouyang_secret"}).at("notes") == "Zanzibar-Quokka");
    Ok(c[1], {"member", "edit", "ouyang_secret", "--city", "杭州"});
    SyncOk(c[1], "relay");
    // The first comes back.
    SyncOk(c[0], "relay");
    CHECK(OkJson(c[0], {"member", "show", "ouyang_secret"}).at("city") == "杭州");
    CHECK(StateHashOf(c[0]) == StateHashOf(c[1]));

    // The relay's files hold no plaintext: neither name nor note, in UTF-8,
    // while the nodes' own databases do (so the search would find it).
    relay.process->Stop(SIGTERM);
    std::string relay_db = ReadFile(relay_home.InHome("relay.db"));
    CHECK(relay_db.size() > 0);
    for (const std::string& secret :
         {std::string("欧阳秘密"), std::string("Zanzibar-Quokka"), std::string("ouyang_secret")})
      CHECK_MESSAGE(!Contains(relay_db, secret), secret);
    CHECK(Contains(ReadFile(c[0].InHome("community.db")), "Zanzibar-Quokka"));

    // A node not in the allow file is refused before anything moves.
    TempHome stranger;
    Ok(stranger, {"init", "--name", "别的社区", "--admin", "x"});
    Server again = Server::Start(relay_home, "relay2", {"--allow", allow}, "*", "relay");
    AddPeer(stranger, "relay", again, relay_key);
    CliResult refused = Sync(stranger, "relay");
    CHECK_EXIT(refused, 12);
    CHECK(Contains(again.process->out(), "refused a connection"));
  }

  TEST_CASE("an unknown key is refused at connect — wrong key, no server and bad peers are clear") {
    Community c(2);
    Ok(c[0], {"member", "add", "张伟", "--wechat", "zw_001"});
    Server a = Server::Start(c[0], "a");

    // A node of another community: refused by the access check, gets nothing.
    TempHome stranger;
    Ok(stranger, {"init", "--name", "别的社区", "--admin", "x"});
    AddPeer(stranger, "a", a, NodeId(c[0]));
    std::string before = StateHashOf(stranger);
    CliResult refused = Sync(stranger, "a");
    CHECK_EXIT(refused, 12);
    CHECK(Contains(refused.err, "refused this node"));
    CHECK(StateHashOf(stranger) == before);
    CHECK(Contains(a.process->out(), "refused a connection from 127.0.0.1"));
    json peer = OkJson(stranger, {"peer", "list"})[0];
    CHECK(Contains(peer.at("last_error").get<std::string>(), "refused"));
    CHECK(peer.at("failures") == 1);

    // The right server, the wrong key for it (another node's id).
    AddPeer(c[1], "wrongkey", a, NodeId(stranger));
    CliResult wrong = c[1].Qun({"sync", "wrongkey", "--timeout", "5"});
    CHECK_EXIT(wrong, 12);
    CHECK(Contains(wrong.err, "does not hold the key"));

    // Nothing listening.
    Ok(c[1], {"peer", "add", "nobody", "tcp://127.0.0.1:1", "--key", NodeId(c[0])});
    CliResult unreachable = c[1].Qun({"sync", "nobody", "--timeout", "1"});
    CHECK_EXIT(unreachable, 11);
    CHECK(Contains(unreachable.err, "cannot reach nobody"));

    // A server that stops answering mid-way: SIGSTOP keeps the port open.
    AddPeer(c[1], "a", a, NodeId(c[0]));
    kill(a.process->pid(), SIGSTOP);
    CliResult silent = c[1].Qun({"sync", "a", "--timeout", "1"});
    kill(a.process->pid(), SIGCONT);
    CHECK(silent.exit_code == 11);
    CHECK_MESSAGE(Contains(silent.err, "a at " + a.address()), silent.Describe());

    // --all reports each failure and says how many failed.
    CliResult all = c[1].Qun({"sync", "--all", "--timeout", "2"});
    CHECK(all.exit_code != 0);
    CHECK(Contains(all.out, "Synced with a:"));
    CHECK(Contains(all.err, "2 of 3 peers could not be synced"));
  }

  TEST_CASE("peer add, list and remove check what they are given") {
    TempHome h;
    Ok(h, {"init", "--name", "社区", "--admin", "x"});
    std::string key(64, 'a');
    TempHome other;
    Ok(other, {"init", "--join"});
    std::string id = NodeId(other);
    CHECK_EXIT(h.Qun({"peer", "add", "bob", "192.168.1.2:7447", "--key", id}), 2);
    CHECK_EXIT(h.Qun({"peer", "add", "bob", "tcp://host:99999", "--key", id}), 2);
    CHECK_EXIT(h.Qun({"peer", "add", "bob", "tcp://host:7447", "--key", "abc"}), 2);
    CHECK_EXIT(h.Qun({"peer", "add", "bob", "tcp://host:7447", "--key", NodeId(h)}), 2);
    CHECK_EXIT(h.Qun({"peer", "add", "bob smith", "tcp://host:7447", "--key", id}), 2);
    Ok(h, {"peer", "add", "李娜", "tcp://host:7447", "--key", id});
    CliResult dup = h.Qun({"peer", "add", "李娜", "tcp://other:7447", "--key", id});
    CHECK_EXIT(dup, 4);
    CHECK(Contains(dup.err, "already a peer named 李娜"));
    json list = OkJson(h, {"peer", "list"});
    REQUIRE(list.size() == 1);
    CHECK(list[0].at("address") == "tcp://host:7447");
    CHECK(list[0].at("key") == id);
    CHECK(list[0].at("last_sync_ms").is_null());
    CHECK(Contains(Ok(h, {"peer", "list"}).out, "never"));
    CliResult unknown = h.Qun({"sync", "bob"});
    CHECK_EXIT(unknown, 3);
    CHECK(Contains(unknown.err, "the peers are: 李娜"));
    Ok(h, {"peer", "remove", "李娜"});
    CHECK(OkJson(h, {"peer", "list"}).empty());
    CHECK_EXIT(h.Qun({"peer", "remove", "李娜"}), 3);
    CliResult none = h.Qun({"sync"});
    CHECK_EXIT(none, 3);
    CHECK(Contains(none.err, "no peers"));
  }

  TEST_CASE("a sync killed mid-transfer keeps what it took, and the next one completes it") {
    Community c(2);
    const int sheets = qun::testing::Scaled(24, 8);
    for (int i = 0; i < sheets; ++i) {
      std::string file = c[0].Write("sheet" + std::to_string(i) + ".csv",
                                    Sheet("p" + std::to_string(i) + "-", 300));
      Ok(c[0], {"import", "members", file});
    }
    Server a = Server::Start(c[0], "a");
    AddPeer(c[1], "a", a, NodeId(c[0]));
    Background sync(c[1].home(), {"sync", "a", "--timeout", "10"}, c[1].Beside("sync"));
    // Kill it once part of the transfer is committed.
    int64_t before = PeopleCommitted(c[1]);
    FreezeAfterWrite(c[1], sync, [&] { return PeopleCommitted(c[1]) > before; });
    int64_t kept = PeopleCommitted(c[1]) - before;
    sync.Stop(SIGKILL);
    CHECK(kept > 0);
    CHECK_MESSAGE(kept < sheets * 300, "the sync finished before it could be killed");
    // The next sync sends only what was not taken.
    json rest = SyncOk(c[1], "a");
    CHECK(rest.at("received").get<int64_t>() < Applied(c[0]) - 2);
    CHECK(StateHashOf(c[0]) == StateHashOf(c[1]));
    CHECK(OkJson(c[1], {"status"}).at("people").get<int>() == sheets * 300);
  }

  TEST_CASE("a serving node restarted while a sync runs: the sync starts again and converges") {
    Community c(2);
    const int sheets = qun::testing::Scaled(24, 8);
    for (int i = 0; i < sheets; ++i) {
      std::string file = c[1].Write("sheet" + std::to_string(i) + ".csv",
                                    Sheet("q" + std::to_string(i) + "-", 300));
      Ok(c[1], {"import", "members", file});
    }
    Server a = Server::Start(c[0], "a");
    AddPeer(c[1], "a", a, NodeId(c[0]));
    Background sync(c[1].home(), {"--json", "sync", "a", "--timeout", "10"}, c[1].Beside("sync"));
    // The client is frozen once the server has taken part of what it sends,
    // and stays frozen while its server dies and comes back, so that it
    // cannot finish in between; thawed, it finds the connection gone.
    int64_t before = PeopleCommitted(c[0]);
    FreezeAfterWrite(c[0], sync, [&] { return PeopleCommitted(c[0]) > before; });
    CHECK_MESSAGE(PeopleCommitted(c[0]) - before < sheets * 300,
                  "the sync finished before the server was killed");
    a.process->Stop(SIGKILL);
    Server again = Server::Start(c[0], "a2", {"--sync-every", "0"}, a.port);
    kill(sync.pid(), SIGCONT);
    REQUIRE(sync.Wait(std::chrono::seconds(60)) == 0);
    json report = json::parse(sync.out());
    CHECK(report.at("attempts").get<int>() >= 2);  // it said hello again
    SyncOk(c[1], "a");
    CHECK(StateHashOf(c[0]) == StateHashOf(c[1]));
  }

  TEST_CASE("several peers sync with one server at the same time") {
    Community c(4);
    Server a = Server::Start(c[0], "a");
    for (int i = 1; i < 4; ++i) {
      AddPeer(c[i], "a", a, NodeId(c[0]));
      std::string file = c[i].Write(
          "sheet.csv", Sheet("n" + std::to_string(i) + "-", qun::testing::Scaled(400, 100)));
      Ok(c[i], {"import", "members", file});
      Ok(c[i], {"group", "add", "群" + std::to_string(i)});
    }
    std::vector<std::unique_ptr<Background>> syncs;
    for (int i = 1; i < 4; ++i)
      syncs.push_back(std::make_unique<Background>(
          c[i].home(), std::vector<std::string>{"sync", "a", "--timeout", "20"},
          c[i].Beside("sync")));
    for (auto& s : syncs) CHECK_MESSAGE(s->Wait(std::chrono::seconds(60)) == 0, s->err());
    // A second round brings each the others' changes through the server.
    for (int i = 1; i < 4; ++i) SyncOk(c[i], "a");
    std::string expected = StateHashOf(c[0]);
    for (int i = 1; i < 4; ++i) CHECK(StateHashOf(c[i]) == expected);
    CHECK(OkJson(c[0], {"status"}).at("people").get<int>() == 3 * qun::testing::Scaled(400, 100));
  }

  TEST_CASE("qun serve syncs with its peers on a schedule and backs off from unreachable ones") {
    Community c(2);
    Server b = Server::Start(c[1], "b");
    Ok(c[0], {"peer", "add", "b", b.address(), "--key", NodeId(c[1])});
    Ok(c[0], {"peer", "add", "gone", "tcp://127.0.0.1:1", "--key", NodeId(c[1])});
    Ok(c[1], {"member", "add", "远方", "--wechat", "far_away"});
    Server a = Server::Start(c[0], "a", {"--sync-every", "1s", "--timeout", "1"});
    a.process->WaitFor("Synced with b: sent \\d+, received \\d+");
    CHECK(OkJson(c[0], {"member", "show", "far_away"}).at("display_name") == "远方");
    a.process->WaitFor("sync with gone failed \\(2 in a row; next try in 4 s\\)",
                       std::chrono::seconds(20));
    CHECK(a.process->Stop(SIGINT) == 0);
    json peers = OkJson(c[0], {"peer", "list"});
    CHECK(peers[0].at("name") == "b");
    CHECK(peers[0].at("last_error").is_null());
    CHECK(peers[1].at("failures").get<int>() >= 2);
  }
}
