// One home, several qun processes at once: `qun serve` taking in pushes and
// serving pulls while the admin edits and imports from the CLI in the same
// home. Every command must succeed (SQLite's busy timeout and the bounded
// batches make writers wait their turn), none may show "database is
// locked", no update may be lost, and the nodes end equal.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/background.h"
#include "support/cli_runner.h"
#include "support/cli_steps.h"

using nlohmann::json;
using qun::testing::Background;
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

namespace {

std::string Sheet(const std::string& prefix, int count) {
  std::string sheet = "display_name,wechat,city\n";
  for (int i = 0; i < count; ++i)
    sheet += prefix + std::to_string(i) + "," + prefix + "_wx" + std::to_string(i) + ",深圳\n";
  return sheet;
}

}  // namespace

TEST_SUITE("same home") {
  TEST_CASE("qun serve and CLI edits and imports in one home: all succeed, nothing is lost") {
    TwoHomes homes("湾区读书会");
    TempHome &a = homes.a, &b = homes.b;
    Server server = Server::Start(a, "a");
    Ok(b, {"peer", "add", "a", server.address(), "--key", NodeId(a)});

    // b pushes sheets of its own and pulls a's, over and over, while the
    // admin of a works in a's home.
    std::vector<CliResult> b_results;
    std::thread peer([&] {
      for (int round = 0; round < 6; ++round) {
        b_results.push_back(b.Qun({"import", "members",
                                   b.Write("b" + std::to_string(round) + ".csv",
                                           Sheet("b" + std::to_string(round), 150))}));
        b_results.push_back(b.Qun({"sync", "a"}));
      }
    });
    std::vector<CliResult> a_results;
    for (int i = 0; i < 4; ++i)
      a_results.push_back(
          a.Qun({"import", "members",
                 a.Write("a" + std::to_string(i) + ".csv", Sheet("a" + std::to_string(i), 200))}));
    for (int i = 0; i < 15; ++i)
      a_results.push_back(a.Qun({"member", "add", "单加" + std::to_string(i), "--wechat",
                                 "single_" + std::to_string(i)}));
    peer.join();

    for (const auto* results : {&a_results, &b_results})
      for (const CliResult& r : *results) {
        CHECK_EXIT(r, 0);
        CHECK_MESSAGE(!Contains(r.err, "locked"), r.Describe());
      }
    // A last sync brings each the other's latest writes.
    Ok(b, {"sync", "a"});
    CHECK(StateHashOf(a) == StateHashOf(b));
    json status = json::parse(Ok(a, {"--json", "status"}).out);
    CHECK(status["people"].get<int64_t>() == 4 * 200 + 15 + 6 * 150);
    CHECK(server.process->Running());
  }
}
