// Steps shared by the end-to-end tests of community operations: run a
// command that must succeed, parse its --json, and a community of two
// admins' homes that sync by file (bundles), as two laptops would.
//
// Header-only, like cli/cli_runner.h.
#pragma once

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_runner.h"

namespace qun::testing {

// Runs `qun args...` in `home`; the test stops unless it exits 0.
inline CliResult Ok(const TempHome& home, const std::vector<std::string>& args,
                    const CliOptions& options = {}) {
  CliResult r = home.Qun(args, options);
  REQUIRE_EXIT(r, 0);
  return r;
}

// Runs `qun --json args...` and parses what it printed.
inline nlohmann::json OkJson(const TempHome& home, std::vector<std::string> args,
                             const CliOptions& options = {}) {
  args.insert(args.begin(), "--json");
  CliResult r = Ok(home, args, options);
  nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  REQUIRE_MESSAGE(!j.is_discarded(), r.Describe());
  return j;
}

// A node's id: its public key in hex, as node.pub holds it.
inline std::string NodeId(const TempHome& home) {
  return ReadFile(home.InHome("node.pub")).substr(0, 64);
}

// What `qun state-hash` prints, without the line end.
inline std::string StateHashOf(const TempHome& home) {
  std::string out = Ok(home, {"state-hash"}).out;
  return out.substr(0, out.find('\n'));
}

// A founder's home (`a`, 小林, owner) and a co-admin's (`b`, 李娜, owner
// unless other roles are given), joined with an invite file. Send() carries
// what one lacks to the other as a bundle.
struct TwoHomes {
  TempHome a, b;
  explicit TwoHomes(const std::string& community = "测试社区",
                    const std::vector<std::string>& b_roles = {}) {
    Ok(a, {"init", "--name", community, "--admin", "小林"});
    Ok(b, {"init", "--join", "--admin", "李娜"});
    std::string b_id = ReadFile(b.InHome("node.pub")).substr(0, 64);
    std::vector<std::string> invite = {"invite", b_id,  "-o", a.Beside("invite.qun"),
                                       "--name", "李娜"};
    invite.insert(invite.end(), b_roles.begin(), b_roles.end());
    Ok(a, invite);
    Ok(b, {"join", a.Beside("invite.qun")});
  }
  // `from` writes what `to` lacks; `to` imports it. Must succeed.
  void Send(const TempHome& from, const TempHome& to) {
    Ok(to, {"bundle", "vector", "-o", to.Beside("mine.vector")});
    Ok(from,
       {"bundle", "export", "--for", to.Beside("mine.vector"), "-o", from.Beside("out.qunb")});
    Ok(to, {"bundle", "import", from.Beside("out.qunb")});
  }
  // Both ways: afterwards both hold everything.
  void Exchange() {
    Send(a, b);
    Send(b, a);
  }
  std::string StateHash(const TempHome& home) { return Ok(home, {"state-hash"}).out; }
};

}  // namespace qun::testing
