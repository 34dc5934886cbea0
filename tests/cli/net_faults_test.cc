// Network faults: two nodes sync through a proxy that cuts connections,
// truncates, duplicates, corrupts, reorders and delays what passes
// (fault_proxy.h), seeded. Each `qun sync` must either succeed or fail with
// an exit code and a message that says what happened, within its timeout;
// neither node may crash or be left unsound; and once the network behaves,
// the next sync converges.
#include <doctest/doctest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/background.h"
#include "support/cli_runner.h"
#include "support/cli_steps.h"
#include "support/fault_proxy.h"
#include "support/scale.h"

using nlohmann::json;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::FaultPlan;
using qun::testing::FaultProxy;
using qun::testing::NodeId;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::ReadFile;
using qun::testing::Server;
using qun::testing::StateHashOf;
using qun::testing::TempHome;
using qun::testing::TwoHomes;

namespace {

std::string Sheet(const std::string& prefix, int count) {
  std::string sheet = "display_name,wechat,city,notes\n";
  for (int i = 0; i < count; ++i)
    sheet += prefix + std::to_string(i) + "," + prefix + "_wx" + std::to_string(i) +
             ",深圳,一段备注 " + std::string(40, 'x') + "\n";
  return sheet;
}

uint64_t Seed() {
  const char* s = std::getenv("QUN_FAULT_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 7447;
}

bool SoundAfter(const TempHome& home) {
  CliResult r = home.Qun({"--json", "check"});
  if (r.exit_code != 0) return false;
  json j = json::parse(r.out, nullptr, false);
  return !j.is_discarded() && j["replay"] == "same";
}

}  // namespace

TEST_SUITE("network faults") {
  TEST_CASE(
      "syncs through a damaging network fail clearly or succeed, and converge once it heals") {
    // b holds the history its invite builds on, so that `qun check` can
    // replay everything it holds.
    TwoHomes homes("湾区读书会");
    TempHome &a = homes.a, &b = homes.b;
    homes.Send(a, b);
    // Enough on both sides that a sync takes several batches each way.
    for (int s = 0; s < qun::testing::Scaled(4, 2); ++s)
      Ok(a, {"import", "members",
             a.Write("a" + std::to_string(s) + ".csv", Sheet("a" + std::to_string(s) + "_", 300))});
    for (int s = 0; s < qun::testing::Scaled(2, 1); ++s)
      Ok(b, {"import", "members",
             b.Write("b" + std::to_string(s) + ".csv", Sheet("b" + std::to_string(s) + "_", 300))});
    Server server = Server::Start(a, "a");
    FaultProxy proxy(std::stoi(server.port), Seed());
    Ok(b, {"peer", "add", "a", proxy.address(), "--key", NodeId(a)});
    MESSAGE("fault seed " << Seed());

    // cut, truncate, duplicate, corrupt, reorder (per chunk), delay (ms)
    const std::vector<FaultPlan> plans = {
        {0.05, 0, 0, 0, 0, 0},
        {0, 0.05, 0, 0, 0, 0},
        {0, 0, 0.05, 0, 0, 0},
        {0, 0, 0, 0.05, 0, 0},
        {0, 0, 0, 0, 0.1, 0},
        {0, 0, 0, 0, 0, 30},
        {0.5, 0, 0, 0, 0, 0},
        {0, 0, 0, 1.0, 0, 0},
        {0.02, 0.02, 0.02, 0.02, 0.05, 5},
        {0.02, 0.02, 0.02, 0.02, 0.05, 5},
    };
    int succeeded = 0, failed = 0;
    for (size_t i = 0; i < plans.size(); ++i) {
      proxy.SetPlan(plans[i]);
      qun::testing::CliOptions bounded;
      bounded.timeout = std::chrono::seconds(60);
      CliResult r = b.Qun({"sync", "a", "--timeout", "1"}, bounded);
      std::string context = "plan " + std::to_string(i) + ": " + r.Describe();
      CHECK_MESSAGE(!r.timed_out, context);
      // Success, or an error that says what happened: an exit code from the
      // list in `qun --help` and a message, never a crash.
      CHECK_MESSAGE(r.exit_code < 64, context);
      if (r.exit_code == 0) {
        ++succeeded;
      } else {
        ++failed;
        CHECK_MESSAGE(Contains(r.err, "qun: error:"), context);
      }
      CHECK_MESSAGE(SoundAfter(b), context);
    }
    MESSAGE(succeeded << " syncs succeeded and " << failed << " failed through faults; "
                      << proxy.counts().Faults() << " faults made over "
                      << proxy.counts().connections << " connections");
    CHECK(proxy.counts().Faults() > 0);
    CHECK(failed > 0);

    // The network heals: the next sync converges.
    proxy.SetPlan({});
    Ok(b, {"sync", "a", "--timeout", "10"});
    CHECK(StateHashOf(a) == StateHashOf(b));
    CHECK(server.process->Running());
    CHECK(SoundAfter(b));
    server.process->Stop(SIGTERM);
    CHECK(SoundAfter(a));
  }

  TEST_CASE("a sync whose connection is cut over and over keeps what it took and finishes later") {
    TwoHomes homes("湾区读书会");
    TempHome &a = homes.a, &b = homes.b;
    homes.Send(a, b);
    for (int s = 0; s < qun::testing::Scaled(6, 2); ++s)
      Ok(a, {"import", "members",
             a.Write("a" + std::to_string(s) + ".csv", Sheet("s" + std::to_string(s) + "_", 300))});
    Server server = Server::Start(a, "a");
    FaultProxy proxy(std::stoi(server.port), Seed() + 1);
    Ok(b, {"peer", "add", "a", proxy.address(), "--key", NodeId(a)});
    // Connections are cut every hundred chunks or so: a sync gives up at the
    // first cut, and the next one goes on from what the last committed.
    FaultPlan cuts;
    cuts.cut = 0.01;
    proxy.SetPlan(cuts);
    std::string target = StateHashOf(a);
    bool converged = false;
    for (int attempt = 0; attempt < 40 && !converged; ++attempt) {
      CliResult r = b.Qun({"sync", "a", "--timeout", "2"});
      CHECK_MESSAGE(r.exit_code < 64, r.Describe());
      converged = r.exit_code == 0 && StateHashOf(b) == target;
    }
    CHECK(converged);
    MESSAGE(proxy.counts().cuts << " connections cut");
    CHECK(proxy.counts().cuts > 0);
    CHECK(SoundAfter(b));
  }
}
