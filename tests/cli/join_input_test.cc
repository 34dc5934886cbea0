// An invite code need not appear on the command line, where every local
// user could read it (/proc) and the shell keeps it: `qun join -` reads it
// from standard input, `qun join --code-file F` from a file.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/background.h"
#include "support/cli_runner.h"
#include "support/cli_steps.h"

using nlohmann::json;
using qun::testing::CliOptions;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::Ok;
using qun::testing::Server;
using qun::testing::TempHome;

namespace {

std::string Code(const TempHome& home, const Server& server) {
  return json::parse(Ok(home, {"--json", "invite", "--code", "--address", server.address()}).out)
      .at("code")
      .get<std::string>();
}

}  // namespace

TEST_SUITE("cli network sync") {
  TEST_CASE("qun join takes the invite code from standard input or from a file") {
    TempHome a, b, c, d;
    Ok(a, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Ok(a, {"member", "add", "张伟", "--wechat", "zw_001"});
    Server server = Server::Start(a, "a");

    // `qun join -`, the code pasted (a chat app may add spaces and lines).
    CliOptions pasted;
    pasted.stdin_bytes = "  " + Code(a, server) + "\n";
    CliResult by_stdin = b.Qun({"join", "-", "--admin", "李娜"}, pasted);
    REQUIRE_EXIT(by_stdin, 0);
    CHECK(Contains(by_stdin.out, "Joined community"));
    CHECK(a.Qun({"state-hash"}).out == b.Qun({"state-hash"}).out);

    // No argument at all, standard input not a terminal: read from it.
    CliOptions piped;
    piped.stdin_bytes = Code(a, server) + "\n";
    REQUIRE_EXIT(d.Qun({"join", "--admin", "赵六"}, piped), 0);
    CHECK(a.Qun({"state-hash"}).out == d.Qun({"state-hash"}).out);

    // --code-file.
    std::string file = c.Write("code.txt", Code(a, server) + "\n");
    CliResult by_file = c.Qun({"join", "--code-file", file, "--admin", "陈静"});
    REQUIRE_EXIT(by_file, 0);
    CHECK(a.Qun({"state-hash"}).out == c.Qun({"state-hash"}).out);

    // Nothing given: a clear message, exit 2.
    TempHome e;
    CliResult empty = e.Qun({"join", "-"});
    CHECK_EXIT(empty, 2);
    CHECK(Contains(empty.err, "standard input was empty"));
    CliResult not_code = e.Qun({"join", "--code-file", e.Write("x.txt", "hello\n")});
    CHECK_EXIT(not_code, 2);
    CHECK(Contains(not_code.err, "holds no invite code"));
    // The help says how.
    CliResult help = e.Qun({"join", "--help"});
    CHECK(Contains(help.out, "--code-file"));
    CHECK(Contains(help.out, "standard input"));
  }

  TEST_CASE("an invite file may come on standard input too") {
    TempHome a, b;
    Ok(a, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Ok(b, {"init", "--join", "--admin", "李娜"});
    std::string invite = a.Beside("invite.qun");
    Ok(a, {"invite", qun::testing::NodeId(b), "-o", invite});
    CliOptions in;
    in.stdin_bytes = qun::testing::ReadFile(invite);
    CliResult r = b.Qun({"join", "-"}, in);
    REQUIRE_EXIT(r, 0);
    CHECK(Contains(r.out, "Joined community"));
  }
}
