// Crash consistency: the real `qun` killed with SIGKILL at seeded random
// moments of a bundle import, a member-sheet import, a network sync (the
// syncing side) and a sync being served (the serving side, taking in what a
// peer pushes). After every kill:
//   - `qun check` passes: SQLite's integrity check, and every change set
//     applied again into a scratch database gives the node's data (so the op
//     log, the change sets and the tables agree);
//   - whatever a command acknowledged before the kill is still there;
//   - running the interrupted work again converges: the same state hash as
//     the node it syncs with, or as a run that was never interrupted.
//
// QUN_CRASH_POINTS sets the number of kill points (default 52, a quarter
// per operation) and QUN_CRASH_SEED the seed (default fixed; each test
// prints it, so a failure can be replayed). Delays are drawn uniformly
// between 0 and 1.2 times the uninterrupted run's time, so some kills land
// before the command starts work and some after it finished.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/background.h"
#include "support/cli_runner.h"
#include "support/cli_steps.h"

using nlohmann::json;
using qun::testing::Background;
using qun::testing::CliOptions;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::NodeId;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::ReadFile;
using qun::testing::Server;
using qun::testing::StateHashOf;
using qun::testing::TempHome;
using qun::testing::TwoHomes;
using Ms = std::chrono::milliseconds;

namespace {

// Copies a home (no qun may be running in it) into `to`, which has none yet.
void CopyHome(const TempHome& from, const TempHome& to) {
  std::filesystem::copy(from.home(), to.home(), std::filesystem::copy_options::recursive);
}

uint64_t Seed() {
  const char* s = std::getenv("QUN_CRASH_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 20261203;
}

int PointsPerOperation() {
  const char* s = std::getenv("QUN_CRASH_POINTS");
  int total = s ? std::atoi(s) : 52;
  return std::max(1, total / 4);
}

// Seeded delays, uniformly in [0, 1.2 × the uninterrupted run's time].
class Delays {
 public:
  Delays(const char* what, Ms uninterrupted) : max_(uninterrupted * 12 / 10) {
    uint64_t seed = Seed();
    for (const char* c = what; *c; ++c) seed = seed * 131 + static_cast<uint8_t>(*c);
    rng_.seed(seed);
    MESSAGE(what << ": " << PointsPerOperation() << " kill points, seed " << Seed()
                 << ", uninterrupted run " << uninterrupted.count() << " ms");
  }
  Ms Next() { return Ms(std::uniform_int_distribution<int64_t>(0, max_.count())(rng_)); }

 private:
  Ms max_;
  std::mt19937_64 rng_;
};

Ms Time(const std::function<void()>& fn) {
  auto start = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - start);
}

// The node is sound after a kill: the integrity check, and the replay of
// its change sets gives its data.
void CheckSound(const TempHome& home, const std::string& context) {
  CliResult r = home.Qun({"--json", "check"});
  REQUIRE_MESSAGE(r.exit_code == 0, context << "\n" << r.Describe());
  json j = json::parse(r.out, nullptr, false);
  REQUIRE(!j.is_discarded());
  CHECK_MESSAGE(j["replay"] == "same", context);
}

std::string Sheet(int from, int count) {
  std::string sheet = "display_name,wechat,city,tags\n";
  for (int i = from; i < from + count; ++i)
    sheet += "成员" + std::to_string(i) + ",member" + std::to_string(i) + "," +
             (i % 2 ? "深圳" : "Hong Kong") + ",读书;徒步\n";
  return sheet;
}

// A founder (a) whose history is several change sets of member sheets and
// a group, and an admin (b) who has joined and holds none of that yet.
struct Community : TwoHomes {
  std::string group;
  Community() : TwoHomes("湾区读书会") {
    // b holds the history its invite builds on, as after a first sync; so
    // every change set it writes can be replayed (qun check).
    Send(a, b);
    group = OkJson(a, {"group", "add", "周末读书", "--capacity", "5000"})["id"];
    for (int s = 0; s < 6; ++s)
      Ok(a, {"import", "members", "--group", group,
             a.Write("sheet" + std::to_string(s) + ".csv", Sheet(s * 150, 150))});
    Ok(a, {"bundle", "export", "-o", a.Beside("all.qun")});
  }
};

int64_t People(const TempHome& home) { return OkJson(home, {"status"})["people"].get<int64_t>(); }

}  // namespace

TEST_SUITE("crash consistency") {
  TEST_CASE("qun killed during a bundle import loses nothing acknowledged and imports again") {
    Community c;
    // b with a first sheet of its own, so that it has something to edit.
    // Its acknowledged edit is the same in every copy, so the reference run
    // (never interrupted) ends with the same state hash.
    Ok(c.b, {"import", "members", c.b.Write("own.csv", Sheet(5000, 20))});
    Ms uninterrupted;
    std::string reference;
    {
      TempHome ref;
      CopyHome(c.b, ref);
      Ok(ref, {"member", "edit", "member5000", "--notes", "acknowledged"});
      uninterrupted = Time([&] { Ok(ref, {"bundle", "import", c.a.Beside("all.qun")}); });
      reference = StateHashOf(ref);
    }
    Delays delays("bundle import", uninterrupted);
    int landed = 0;  // kills that came while the command was running
    for (int i = 0; i < PointsPerOperation(); ++i) {
      TempHome h;
      CopyHome(c.b, h);
      Ok(h, {"member", "edit", "member5000", "--notes", "acknowledged"});
      Ms delay = delays.Next();
      CliOptions kill_at;
      kill_at.timeout = delay;
      CliResult killed = h.Qun({"bundle", "import", c.a.Beside("all.qun")}, kill_at);
      std::string context = "kill point " + std::to_string(i) + " at " +
                            std::to_string(delay.count()) + " ms (" +
                            (killed.timed_out ? "killed" : "had finished") + ")";
      landed += killed.timed_out;
      CheckSound(h, context);
      CHECK_MESSAGE(OkJson(h, {"member", "show", "member5000"})["notes"] == "acknowledged",
                    context);
      CliResult again = h.Qun({"bundle", "import", c.a.Beside("all.qun")});
      REQUIRE_MESSAGE(again.exit_code == 0, context << "\n" << again.Describe());
      CHECK_MESSAGE(StateHashOf(h) == reference, context);
    }
    MESSAGE(landed << " of " << PointsPerOperation() << " kills came while it ran");
    CHECK(landed > 0);
  }

  TEST_CASE("qun killed during a member-sheet import: all of it or none, and it imports again") {
    Community c;
    std::string sheet = c.a.Write("big.csv", Sheet(10000, 600));
    int64_t before = People(c.a);
    Ms uninterrupted;
    {
      TempHome ref;
      CopyHome(c.a, ref);
      uninterrupted = Time([&] { Ok(ref, {"import", "members", "--group", c.group, sheet}); });
      REQUIRE(People(ref) == before + 600);
    }
    Delays delays("member-sheet import", uninterrupted);
    int landed = 0;  // kills that came while the command was running
    for (int i = 0; i < PointsPerOperation(); ++i) {
      TempHome h;
      CopyHome(c.a, h);
      Ok(h, {"group", "edit", c.group, "--rules", "规则 " + std::to_string(i)});
      Ms delay = delays.Next();
      CliOptions kill_at;
      kill_at.timeout = delay;
      CliResult killed = h.Qun({"import", "members", "--group", c.group, sheet}, kill_at);
      std::string context = "kill point " + std::to_string(i) + " at " +
                            std::to_string(delay.count()) + " ms (" +
                            (killed.timed_out ? "killed" : "had finished") + ")";
      landed += killed.timed_out;
      CheckSound(h, context);
      int64_t people = People(h);
      CHECK_MESSAGE((people == before || people == before + 600), context << ": " << people);
      if (!killed.timed_out) CHECK_MESSAGE(people == before + 600, context);
      CHECK_MESSAGE(Contains(Ok(h, {"rules", c.group}).out, "规则 " + std::to_string(i)), context);
      CliResult again = h.Qun({"import", "members", "--group", c.group, sheet});
      REQUIRE_MESSAGE(again.exit_code == 0, context << "\n" << again.Describe());
      CHECK_MESSAGE(People(h) == before + 600, context);
      CHECK_MESSAGE(
          OkJson(h, {"group", "show", c.group})["active_members"].get<int64_t>() == 900 + 600,
          context);
    }
    MESSAGE(landed << " of " << PointsPerOperation() << " kills came while it ran");
    CHECK(landed > 0);
  }

  TEST_CASE("qun sync killed on the syncing side: the next sync converges") {
    Community c;
    Server server = Server::Start(c.a, "a");
    std::string expected = StateHashOf(c.a);
    Ok(c.b, {"peer", "add", "a", server.address(), "--key", NodeId(c.a)});
    Ms uninterrupted;
    {
      TempHome ref;
      CopyHome(c.b, ref);
      uninterrupted = Time([&] { Ok(ref, {"sync", "a"}); });
      REQUIRE(StateHashOf(ref) == expected);
    }
    Delays delays("network sync, syncing side", uninterrupted);
    int landed = 0;  // kills that came while the command was running
    for (int i = 0; i < PointsPerOperation(); ++i) {
      TempHome h;
      CopyHome(c.b, h);
      Ms delay = delays.Next();
      CliOptions kill_at;
      kill_at.timeout = delay;
      CliResult killed = h.Qun({"sync", "a"}, kill_at);
      std::string context = "kill point " + std::to_string(i) + " at " +
                            std::to_string(delay.count()) + " ms (" +
                            (killed.timed_out ? "killed" : "had finished") + ")";
      landed += killed.timed_out;
      CheckSound(h, context);
      CliResult again = h.Qun({"sync", "a"});
      REQUIRE_MESSAGE(again.exit_code == 0, context << "\n" << again.Describe());
      CHECK_MESSAGE(StateHashOf(h) == expected, context);
    }
    MESSAGE(landed << " of " << PointsPerOperation() << " kills came while it ran");
    CHECK(landed > 0);
    // The server went on serving every one of them.
    CHECK(server.process->Running());
    CheckSound(c.a, "the server after all the syncs");
  }

  TEST_CASE("qun serve killed while it takes in a push: it restarts sound and the sync converges") {
    Community c;
    // b has all of a's history, then writes sheets of its own to push.
    Ok(c.b, {"bundle", "import", c.a.Beside("all.qun")});
    for (int s = 0; s < 3; ++s)
      Ok(c.b, {"import", "members",
               c.b.Write("b" + std::to_string(s) + ".csv", Sheet(20000 + s * 200, 200))});
    auto push = [&](const TempHome& a, const TempHome& b, std::optional<Ms> kill_after,
                    const std::string& tag) {
      Server server = Server::Start(a, "serve-" + tag);
      Ok(b, {"peer", "add", "a-" + tag, server.address(), "--key", NodeId(a)});
      // Once the server is gone, b waits out its timeout: short then.
      Background sync(b.home(), {"sync", "a-" + tag, "--timeout", kill_after ? "1" : "30"},
                      b.Beside("sync-" + tag));
      if (kill_after) {
        std::this_thread::sleep_for(*kill_after);
        server.process->Stop(SIGKILL);
      }
      int code = sync.Wait(std::chrono::seconds(60));
      if (!kill_after) server.process->Stop(SIGTERM);
      return code;
    };
    Ms uninterrupted;
    std::string expected;
    {
      TempHome ra, rb;
      CopyHome(c.a, ra);
      CopyHome(c.b, rb);
      uninterrupted = Time([&] { REQUIRE(push(ra, rb, std::nullopt, "ref") == 0); });
      expected = StateHashOf(rb);
      REQUIRE(StateHashOf(ra) == expected);
    }
    Delays delays("serving a push", uninterrupted);
    int landed = 0;  // kills that came while the command was running
    for (int i = 0; i < PointsPerOperation(); ++i) {
      TempHome a, b;
      CopyHome(c.a, a);
      CopyHome(c.b, b);
      Ms delay = delays.Next();
      int code = push(a, b, delay, std::to_string(i));
      std::string context = "kill point " + std::to_string(i) + " at " +
                            std::to_string(delay.count()) + " ms (sync exit " +
                            std::to_string(code) + ")";
      landed += code != 0;
      CheckSound(a, context);
      CheckSound(b, context);
      REQUIRE_MESSAGE(push(a, b, std::nullopt, std::to_string(i) + "-again") == 0, context);
      CHECK_MESSAGE(StateHashOf(a) == expected, context);
      CHECK_MESSAGE(StateHashOf(b) == expected, context);
    }
    MESSAGE(landed << " of " << PointsPerOperation() << " kills cut a sync short");
    CHECK(landed > 0);
  }
}
