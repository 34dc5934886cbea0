// The fixture of the end-to-end tests (tests/cli, tests/compat): run a
// command that must succeed and parse its --json; found a community in a
// home, add people and groups; invite and join a second node; carry what
// one node lacks to another as a bundle; and a community of two admins'
// homes that sync by file (bundles), as two laptops would. Every end-to-end
// test takes these from here rather than keeping a copy of its own.
//
// Header-only, like cli/cli_runner.h.
#pragma once

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
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

// Founds a community in `home` (`qun init`) with `admin` as its first admin.
inline void Init(const TempHome& home, const std::string& community = "测试社区",
                 const std::string& admin = "小林") {
  Ok(home, {"init", "--name", community, "--admin", admin});
}

// A home with a node in it: the founder's of `community`, admin 小林.
struct Node : TempHome {
  explicit Node(const std::string& community = "测试社区") { Init(*this, community); }
};

// `qun member add args...`; gives the new person's id.
inline std::string AddPerson(const TempHome& home, std::vector<std::string> args) {
  args.insert(args.begin(), {"member", "add"});
  return OkJson(home, args).at("id").get<std::string>();
}

// `qun group add args...`; gives the new group's id.
inline std::string AddGroup(const TempHome& home, std::vector<std::string> args) {
  args.insert(args.begin(), {"group", "add"});
  return OkJson(home, args).at("id").get<std::string>();
}

// The short form of an id that lists print.
inline std::string Short(const std::string& id) { return id.substr(0, 8); }

// The display names `member list --json args...` prints.
inline std::set<std::string> ListedNames(const TempHome& home, std::vector<std::string> args = {}) {
  args.insert(args.begin(), {"member", "list"});
  std::set<std::string> names;
  for (const nlohmann::json& p : OkJson(home, args))
    names.insert(p.at("display_name").get<std::string>());
  return names;
}

// Everything that tells whether a command wrote: the counts and the history.
inline std::string Snapshot(const TempHome& home) {
  nlohmann::json status = OkJson(home, {"status"});
  nlohmann::json log = OkJson(home, {"log", "-n", "0"});
  return status.dump() + "\n" + log.dump();
}

// `text` cut at its line ends (a last line without one counts too).
inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// The line of a table that starts with `key` (a short id).
inline std::string LineStartingWith(const std::string& text, const std::string& key) {
  for (const std::string& line : Lines(text))
    if (line.rfind(key, 0) == 0) return line;
  FAIL("no line starts with " << key << " in:\n" << text);
  return "";
}

// Bytes as hex digits.
inline std::string Hex(std::string_view bytes, bool upper = false) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// The members sheet of tests/data: 240 people.
inline std::string SamplePath() { return std::string(QUN_TEST_DATA) + "/members-sample.csv"; }

// A file's permission bits.
inline int FileMode(const std::string& path) {
  struct stat st;
  REQUIRE_MESSAGE(stat(path.c_str(), &st) == 0, "cannot stat " << path);
  return static_cast<int>(st.st_mode & 07777);
}

inline bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// `joiner` makes a node of its own (`qun init --join`, admin `name`), the
// node of `inviter` invites it with an invite file (`invite_args` added,
// e.g. {"--role", "viewer"}), and `joiner` joins with it.
inline void InviteAndJoin(const TempHome& inviter, const TempHome& joiner, const std::string& name,
                          const std::vector<std::string>& invite_args = {}) {
  CliResult made = Ok(joiner, {"init", "--join", "--admin", name});
  std::string id = NodeId(joiner);
  CHECK_MESSAGE(Contains(made.out, id), "init --join does not print the node id: " << made.out);
  std::vector<std::string> invite = {"invite", id,  "-o", joiner.Beside("invite.qun"),
                                     "--name", name};
  invite.insert(invite.end(), invite_args.begin(), invite_args.end());
  Ok(inviter, invite);
  Ok(joiner, {"join", joiner.Beside("invite.qun")});
}

// `from` writes what `to` lacks as a bundle file `name` (next to `from`'s
// home); `to` imports it. Gives the import's result, whatever it is.
inline CliResult SendBundle(const TempHome& from, const TempHome& to,
                            const std::string& name = "out.qunb") {
  Ok(to, {"bundle", "vector", "-o", to.Beside("mine.vector")});
  Ok(from, {"bundle", "export", "--for", to.Beside("mine.vector"), "-o", from.Beside(name)});
  return to.Qun({"bundle", "import", from.Beside(name)});
}

// A founder's home (`a`, admin 小林 unless `a_admin` names another, owner)
// and a co-admin's (`b`, 李娜, owner
// unless other roles are given), joined with an invite file. Send() carries
// what one lacks to the other as a bundle.
struct TwoHomes {
  TempHome a, b;
  explicit TwoHomes(const std::string& community = "测试社区",
                    const std::vector<std::string>& b_roles = {},
                    const std::string& a_admin = "小林") {
    Init(a, community, a_admin);
    InviteAndJoin(a, b, "李娜", b_roles);
  }
  // `from` writes what `to` lacks; `to` imports it. Must succeed.
  void Send(const TempHome& from, const TempHome& to) { REQUIRE_EXIT(SendBundle(from, to), 0); }
  // Both ways: afterwards both hold everything.
  void Exchange() {
    Send(a, b);
    Send(b, a);
  }
  std::string StateHash(const TempHome& home) { return Ok(home, {"state-hash"}).out; }
};

}  // namespace qun::testing

// Sets of names (ListedNames) print in a failed CHECK as {a, b}.
namespace doctest {
template <>
struct StringMaker<std::set<std::string>> {
  static String convert(const std::set<std::string>& names) {
    std::string out = "{";
    for (const std::string& n : names) out += (out.size() > 1 ? ", " : "") + n;
    return (out + "}").c_str();
  }
};
}  // namespace doctest
