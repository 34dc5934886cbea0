// Joining over the network with an invite code: `qun invite --code` on a
// serving node, `qun join CODE` on a fresh home, as two laptops would.
#include <doctest/doctest.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>
#include <zmq.hpp>

#include "core/identity.h"
#include "support/background.h"
#include "support/cli_runner.h"
#include "support/cli_steps.h"
#include "sync/invite.h"
#include "sync/invite_code.h"
#include "sync/protocol.h"
#include "sync/transport.h"

using nlohmann::json;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::Ok;
using qun::testing::Server;
using qun::testing::TempHome;

namespace {

std::string Code(const TempHome& home, const Server& server, const std::string& expires = "1h",
                 const std::string& name = "") {
  std::vector<std::string> args{"--json",         "invite",    "--code", "--address",
                                server.address(), "--expires", expires};
  if (!name.empty()) {
    args.push_back("--name");
    args.push_back(name);
  }
  return json::parse(Ok(home, args).out).at("code").get<std::string>();
}

// Sends one Join with the secret of `code_text`, as the node of `home`, on a
// connection of its own: what a node may send by hand, without `qun join`.
qun::sync::Message RawJoin(const TempHome& home, const std::string& code_text,
                           const std::string& name = "") {
  auto code = qun::sync::ParseInviteCode(code_text);
  REQUIRE(code.ok());
  auto me = qun::core::Identity::Load(home.home());
  REQUIRE(me.ok());
  zmq::context_t context;
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  REQUIRE(qun::sync::MakeCurveClient(socket, **me, code->inviter).ok());
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::rcvtimeo, 10000);
  socket.connect(code->address);
  qun::sync::Join join;
  join.secret.assign(reinterpret_cast<const char*>(code->secret.data()), code->secret.size());
  join.name = name;
  join.node = (*me)->public_key();
  REQUIRE(socket.send(zmq::buffer(qun::sync::EncodeMessage(join))));
  zmq::message_t reply;
  REQUIRE(socket.recv(reply));
  auto m = qun::sync::DecodeMessage(
      std::string_view(static_cast<const char*>(reply.data()), reply.size()));
  REQUIRE(m.ok());
  return *m;
}

std::string Refusal(const qun::sync::Message& m) {
  const auto* e = std::get_if<qun::sync::Error>(&m);
  REQUIRE_MESSAGE(e != nullptr, "the join was answered with an invite");
  return e->message;
}

// The roles `name` holds in `home`'s `admin list`, as "role:group" words.
std::vector<std::string> RolesOf(const TempHome& home, const std::string& name) {
  std::vector<std::string> out;
  for (const json& n : json::parse(Ok(home, {"--json", "admin", "list"}).out)) {
    if (n.at("name").get<std::string>().rfind(name, 0) != 0) continue;
    for (const json& r : n.at("roles"))
      out.push_back(r.at("role").get<std::string>() + ":" + r.at("group_id").get<std::string>());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_SUITE("cli network sync") {
  TEST_CASE("a fresh machine joins with an invite code, once, and syncs at once") {
    TempHome a, b, c;
    Ok(a, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Ok(a, {"member", "add", "张伟", "--wechat", "zw_001"});
    Server server = Server::Start(a, "a");
    std::string code = Code(a, server, "1h", "李娜");

    // b's home does not exist yet: join makes the node, joins, syncs.
    CliResult joined = b.Qun({"join", code, "--admin", "李娜"});
    REQUIRE_EXIT(joined, 0);
    CHECK(Contains(joined.out, "Joined community"));
    CHECK(Contains(joined.out, "Synced with inviter"));
    CHECK(Ok(a, {"state-hash"}).out == Ok(b, {"state-hash"}).out);
    CHECK(json::parse(Ok(b, {"--json", "member", "show", "zw_001"}).out).at("display_name") ==
          "张伟");
    json peers = json::parse(Ok(b, {"--json", "peer", "list"}).out);
    REQUIRE(peers.size() == 1);
    CHECK(peers[0].at("name") == "inviter");
    CHECK(Contains(server.process->out(), "joined with an invite code"));
    // It is a member now: its writes reach the inviter.
    Ok(b, {"member", "add", "陈静", "--wechat", "cj_01"});
    Ok(b, {"sync"});
    CHECK(json::parse(Ok(a, {"--json", "member", "show", "cj_01"}).out).at("display_name") ==
          "陈静");
    json nodes_named = json::parse(Ok(a, {"--json", "status"}).out);
    CHECK(nodes_named.at("community_id") ==
          json::parse(Ok(b, {"--json", "status"}).out).at("community_id"));

    // The code works once: another machine is refused, and gets nothing.
    CliResult again = c.Qun({"join", code});
    CHECK_EXIT(again, 12);
    CHECK(Contains(again.err, "used already"));
    CHECK(Contains(c.Qun({"status"}).out, "none yet"));

    // With another code open, a stranger still only gets to try codes.
    std::string open = Code(a, server);
    auto parsed = qun::sync::ParseInviteCode(open);
    REQUIRE(parsed.ok());
    parsed->secret[0] ^= 0xFF;  // a code this node never gave out
    CliResult forged = c.Qun({"join", qun::sync::FormatInviteCode(*parsed)});
    CHECK_EXIT(forged, 12);
    CHECK(Contains(forged.err, "not one this node gave out"));
    TempHome stranger;
    Ok(stranger, {"init", "--name", "别的社区", "--admin", "x"});
    Ok(stranger, {"peer", "add", "a", server.address(), "--key",
                  qun::testing::ReadFile(a.InHome("node.pub")).substr(0, 64)});
    CliResult sync = stranger.Qun({"sync", "a", "--timeout", "5"});
    CHECK_EXIT(sync, 12);
    CHECK(Contains(sync.err, "join with an invite code first"));

    // The open code still works for c.
    CliResult c_joined = c.Qun({"join", open, "--admin", "陈"});
    REQUIRE_EXIT(c_joined, 0);
    CHECK(Ok(a, {"state-hash"}).out == Ok(c, {"state-hash"}).out);
  }

  TEST_CASE("a node whose answer to its join was lost may redeem its code again, alone") {
    TempHome a, b, c;
    Ok(a, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Server server = Server::Start(a, "a");
    std::string code = Code(a, server);
    Ok(b, {"init", "--join", "--admin", "李娜"});
    // The home as it was before the join: as if the answer never arrived.
    std::filesystem::copy(b.home(), b.Beside("before"), std::filesystem::copy_options::recursive);
    Ok(b, {"join", "  " + code});  // pasted with a space in front
    std::filesystem::remove_all(b.home());
    std::filesystem::rename(b.Beside("before"), b.home());
    CliResult again = b.Qun({"join", code});
    REQUIRE_EXIT(again, 0);
    CHECK(Contains(server.process->out(), "asked for its invite again"));
    CHECK(Ok(a, {"state-hash"}).out == Ok(b, {"state-hash"}).out);
    // Nobody else may.
    CHECK_EXIT(c.Qun({"join", code}), 12);
  }

  TEST_CASE("a spent invite code never grants again: not after a demotion, nor a removal") {
    TempHome a, b, later, stranger;
    Ok(a, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Ok(a, {"group", "add", "G1"});
    Server server = Server::Start(a, "a");
    std::string code =
        json::parse(Ok(a, {"--json", "invite", "--code", "--address", server.address(), "--role",
                           "admin", "--group", "G1", "--name", "dave", "--expires", "2h"})
                        .out)
            .at("code")
            .get<std::string>();
    Ok(b, {"join", code, "--admin", "dave"});
    std::string g1 = json::parse(Ok(a, {"--json", "group", "show", "G1"}).out).at("id");
    CHECK(RolesOf(a, "dave") == std::vector<std::string>{"admin:" + g1});

    // Demoted to viewer: asking with the spent code changes nothing.
    Ok(a, {"admin", "grant", "dave", "viewer"});
    Ok(a, {"admin", "revoke", "dave", "admin", "--group", "G1"});
    std::string hash = Ok(a, {"state-hash"}).out;
    CHECK(Contains(Refusal(RawJoin(b, code)), "roles changed"));
    CHECK(RolesOf(a, "dave") == std::vector<std::string>{"viewer:"});
    CHECK(Ok(a, {"state-hash"}).out == hash);
    CHECK(Contains(server.process->out(), "refused dave"));
    CHECK_FALSE(Contains(server.process->out(), "asked for its invite again"));

    // Removed: it connects as a stranger (another code is open), and a
    // spent code is never taken from one, nor from a copy of its key in a
    // fresh home.
    Ok(a, {"admin", "remove", "dave"});
    Ok(a, {"member", "add", "SECRET-after-removal", "--phone", "13500000000"});
    Ok(a,
       {"invite", "--code", "--address", server.address(), "--role", "viewer", "--name", "erin"});
    hash = Ok(a, {"state-hash"}).out;
    CHECK(Contains(Refusal(RawJoin(b, code)), "used already"));
    Ok(later, {"init", "--join", "--admin", "dave"});
    std::filesystem::copy_file(b.InHome("node.key"), later.InHome("node.key"),
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(b.InHome("node.pub"), later.InHome("node.pub"),
                               std::filesystem::copy_options::overwrite_existing);
    CliResult replay = later.Qun({"join", code});
    CHECK_EXIT(replay, 12);
    CHECK(Contains(replay.err, "used already"));
    CHECK_FALSE(Contains(later.Qun({"member", "list"}).out, "SECRET-after-removal"));
    CHECK(RolesOf(a, "dave").empty());
    CHECK(Ok(a, {"state-hash"}).out == hash);
    // A stranger with the code is refused too.
    CHECK_EXIT(stranger.Qun({"join", code}), 12);
  }

  TEST_CASE("a spent invite code is not answered again once it has expired") {
    TempHome a, b;
    Ok(a, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Server server = Server::Start(a, "a");
    auto made = std::chrono::steady_clock::now();
    std::string code = Code(a, server, "6s", "frank");
    Ok(b, {"join", code});
    // Its roles are unchanged, and its lost answer would still be sent...
    CHECK(std::holds_alternative<qun::sync::Invited>(RawJoin(b, code)));
    std::string hash = Ok(a, {"state-hash"}).out;
    // ...but not once the code has expired.
    std::this_thread::sleep_until(made + std::chrono::milliseconds(6500));
    CHECK(Contains(Refusal(RawJoin(b, code)), "expired"));
    CHECK(Ok(a, {"state-hash"}).out == hash);
  }

  TEST_CASE("a member cannot take a code meant for someone else") {
    TempHome a, v, newcomer;
    Ok(a, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Server server = Server::Start(a, "a");
    std::string mine = json::parse(Ok(a, {"--json", "invite", "--code", "--address",
                                          server.address(), "--role", "viewer", "--name", "vic"})
                                       .out)
                           .at("code")
                           .get<std::string>();
    Ok(v, {"join", mine, "--admin", "vic"});
    std::string theirs = Code(a, server, "1h", "new-owner");  // an owner's code
    std::string hash = Ok(a, {"state-hash"}).out;
    CHECK(Contains(Refusal(RawJoin(v, theirs, "vic")), "someone else's"));
    CHECK(RolesOf(a, "vic") == std::vector<std::string>{"viewer:"});
    CHECK(RolesOf(a, "new-owner").empty());
    CHECK(Ok(a, {"state-hash"}).out == hash);
    CHECK_FALSE(Contains(server.process->out(), "asked for its invite again"));
    // The code is still open for the one it was meant for.
    REQUIRE_EXIT(newcomer.Qun({"join", theirs, "--admin", "new-owner"}), 0);
    CHECK(RolesOf(a, "new-owner") == std::vector<std::string>{"owner:"});
    CHECK(RolesOf(a, "vic") == std::vector<std::string>{"viewer:"});
  }

  TEST_CASE("expired, mistyped and unreachable invite codes are refused clearly") {
    TempHome a, b;
    Ok(a, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Server server = Server::Start(a, "a");
    std::string code = Code(a, server, "1s");
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    CliResult expired = b.Qun({"join", code});
    CHECK_EXIT(expired, 12);
    CHECK(Contains(expired.err, "expired"));

    std::string fresh = Code(a, server);
    std::string typo = fresh;
    typo[20] = typo[20] == 'a' ? 'b' : 'a';
    CliResult mistyped = b.Qun({"join", typo});
    CHECK_EXIT(mistyped, 6);
    CHECK(Contains(mistyped.err, "Copy the whole code"));

    // The inviter is not serving.
    server.process->Stop(SIGTERM);
    CliResult down = b.Qun({"join", fresh, "--timeout", "1"});
    CHECK_EXIT(down, 11);
    CHECK(Contains(down.err, "cannot reach"));

    // Without --address, --code says what to add.
    CliResult no_address = a.Qun({"invite", "--code"});
    CHECK_EXIT(no_address, 2);
    CHECK(Contains(no_address.err, "--address"));
    CHECK_EXIT(a.Qun({"invite", "--code", "--address", "tcp://h:1", "--expires", "40d"}), 2);
  }

  TEST_CASE("a join the inviter cannot record leaves the code open, and strangers get one try") {
    TempHome a, b;
    Ok(a, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Server server = Server::Start(a, "a");
    std::string text = Code(a, server);
    auto code = qun::sync::ParseInviteCode(text);
    REQUIRE(code.ok());
    Ok(b, {"init", "--join", "--admin", "李娜"});
    auto me = qun::core::Identity::Load(b.home());
    REQUIRE(me.ok());

    // A join whose name is not text: the inviter cannot record it, says so,
    // and does not spend the code.
    zmq::context_t context;
    auto try_join = [&](const std::string& name) {
      zmq::socket_t socket(context, zmq::socket_type::dealer);
      REQUIRE(qun::sync::MakeCurveClient(socket, **me, code->inviter).ok());
      socket.set(zmq::sockopt::linger, 0);
      socket.set(zmq::sockopt::rcvtimeo, 5000);
      socket.connect(server.address());
      qun::sync::Join join;
      join.secret.assign(reinterpret_cast<const char*>(code->secret.data()), code->secret.size());
      join.name = name;
      join.node = (*me)->public_key();
      REQUIRE(socket.send(zmq::buffer(qun::sync::EncodeMessage(join))));
      zmq::message_t reply;
      REQUIRE(socket.recv(reply));
      auto m = qun::sync::DecodeMessage(
          std::string_view(static_cast<const char*>(reply.data()), reply.size()));
      REQUIRE(m.ok());
      // A second try on the same connection gets no answer at all.
      REQUIRE(socket.send(zmq::buffer(qun::sync::EncodeMessage(join))));
      socket.set(zmq::sockopt::rcvtimeo, 500);
      zmq::message_t second;
      bool answered = socket.recv(second).has_value();
      return std::make_pair(*m, answered);
    };
    auto [refused, again] = try_join("\xff\xfe");
    REQUIRE(std::holds_alternative<qun::sync::Error>(refused));
    CHECK(std::get<qun::sync::Error>(refused).code == qun::sync::ErrorCode::kBadCode);
    CHECK(Contains(std::get<qun::sync::Error>(refused).message, "could not record"));
    CHECK_FALSE(again);
    // The code is still open: the real join works.
    CliResult joined = b.Qun({"join", text});
    REQUIRE_EXIT(joined, 0);
    CHECK(Ok(a, {"state-hash"}).out == Ok(b, {"state-hash"}).out);
  }

  TEST_CASE("while a code is open, at most 30 strangers a minute get to try one") {
    TempHome a;
    Ok(a, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Server server = Server::Start(a, "a");
    std::string text = Code(a, server);
    auto code = qun::sync::ParseInviteCode(text);
    REQUIRE(code.ok());
    auto server_key = qun::core::Identity::CurvePublicKey(code->inviter);
    REQUIRE(server_key.ok());
    zmq::context_t context;
    int answered = 0, busy = 0;
    for (int i = 0; i < 32; ++i) {
      // A stranger with a key of its own, trying a made-up code.
      uint8_t pk[32], sk[32];
      crypto_box_keypair(pk, sk);
      zmq::socket_t socket(context, zmq::socket_type::dealer);
      socket.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(server_key->data(), 32));
      socket.set(zmq::sockopt::curve_publickey, zmq::const_buffer(pk, 32));
      socket.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(sk, 32));
      socket.set(zmq::sockopt::linger, 0);
      socket.set(zmq::sockopt::rcvtimeo, i < 30 ? 5000 : 1000);
      socket.connect(server.address());
      qun::sync::Join join;
      join.secret = std::string(16, 'x');
      REQUIRE(socket.send(zmq::buffer(qun::sync::EncodeMessage(join))));
      zmq::message_t reply;
      if (!socket.recv(reply)) continue;
      // Past the 30, a stranger gets no try: only `busy`, to come back later.
      auto m = qun::sync::DecodeMessage(
          std::string_view(static_cast<const char*>(reply.data()), reply.size()));
      REQUIRE(m.ok());
      auto* e = std::get_if<qun::sync::Error>(&*m);
      if (e && e->code == qun::sync::ErrorCode::kBusy)
        ++busy;
      else
        ++answered;
    }
    CHECK(answered == 30);
    CHECK(busy == 2);
    CHECK(Contains(server.process->out(), "too many invite code tries"));
  }
}
