// `qun check`: a sound node is found sound, and each way a database can go
// wrong that a user could meet after a crash or a disk problem is caught
// with exit 6 and words that say what to do: a table changed behind the op
// log, a damaged page.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_runner.h"
#include "support/cli_steps.h"
#include "support/direct_sql.h"

using nlohmann::json;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::ExecSql;
using qun::testing::NodeId;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::QueryInt;
using qun::testing::ReadFile;
using qun::testing::StateHashOf;
using qun::testing::TempHome;
using qun::testing::TwoHomes;

namespace {

// A founder with people, and a second admin whose edits came by bundle.
struct Community : TwoHomes {
  Community() : TwoHomes("湾区读书会") {
    std::string sheet = "display_name,wechat,city\n";
    for (int i = 0; i < 40; ++i)
      sheet += "读者" + std::to_string(i) + ",reader" + std::to_string(i) + ",深圳\n";
    Ok(a, {"import", "members", a.Write("sheet.csv", sheet)});
    Send(a, b);
    Ok(b, {"member", "edit", "reader3", "--city", "广州"});
    Send(b, a);
    // Written after the last export: not in any change set until sealed.
    Ok(a, {"member", "edit", "reader4", "--nickname", "小四"});
  }
};

}  // namespace

TEST_SUITE("cli check") {
  TEST_CASE("qun check on a node that joined and has not synced: sound, replay not yet possible") {
    TempHome a, c;
    Ok(a, {"init", "--name", "湾区读书会", "--admin", "王芳"});
    Ok(a, {"member", "add", "张伟", "--wechat", "zw_001"});
    Ok(c, {"init", "--join", "--admin", "小林"});
    Ok(a, {"invite", ReadFile(c.InHome("node.pub")).substr(0, 64), "-o", a.Beside("c.qun")});
    Ok(c, {"join", a.Beside("c.qun")});
    json j = OkJson(c, {"check"});
    CHECK(j["integrity"] == "ok");
    CHECK(Contains(j["replay"].get<std::string>(), "incomplete"));
    CHECK(Contains(Ok(c, {"check"}).out, "sync with a peer"));
    // Once it holds that history, the replay runs and agrees.
    Ok(a, {"bundle", "export", "-o", a.Beside("all.qun")});
    Ok(c, {"bundle", "import", a.Beside("all.qun")});
    CHECK(OkJson(c, {"check"})["replay"] == "same");
  }

  TEST_CASE("qun check finds a sound node sound: its change sets applied again give its data") {
    Community c;
    for (const TempHome* h : {&c.a, &c.b}) {
      json j = OkJson(*h, {"check"});
      CHECK(j["integrity"] == "ok");
      CHECK(j["replay"] == "same");
      std::string hash = Ok(*h, {"state-hash"}).out;
      CHECK(j["state_hash"] == hash.substr(0, hash.find('\n')));
      CHECK(j["replayed_state_hash"] == j["state_hash"]);
      CHECK(j["replayed"].get<int64_t>() >= 3);
      CHECK(j["applied"] == j["held_applied"]);
    }
    // The unsealed edit on a was sealed by the check, and is in the replay.
    CHECK(QueryInt(c.a.InHome("community.db"),
                   "SELECT count(*) FROM change_set WHERE state = 'applied'") ==
          OkJson(c.a, {"check"})["held_applied"].get<int64_t>());
    CliResult text = Ok(c.a, {"check"});
    CHECK(Contains(text.out, "integrity: ok"));
    CHECK(Contains(text.out, "give the same data"));
    // The scratch database is gone.
    CHECK(!std::ifstream(c.a.InHome("community.db.check")).good());
  }

  TEST_CASE("qun check catches a table changed behind the op log, and says what to do") {
    Community c;
    ExecSql(c.a.InHome("community.db"),
            "UPDATE person SET city = '改过' WHERE id = (SELECT min(id) FROM person)");
    CliResult r = c.a.Qun({"check"});
    CHECK_EXIT(r, 6);
    CHECK(Contains(r.err, "differs from what its change sets give"));
    CHECK(Contains(r.err, "qun init --join"));
    // The quick check looks at the file only, which is sound.
    CHECK_EXIT(c.a.Qun({"check", "--quick"}), 0);
    // b was not touched.
    CHECK_EXIT(c.b.Qun({"check"}), 0);
  }

  TEST_CASE("qun check reports a damaged page with exit 6") {
    Community c;
    std::string db = c.a.InHome("community.db");
    ExecSql(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    // A page no command reads at start: the person_tag table's root.
    int64_t page = QueryInt(db, "SELECT rootpage FROM sqlite_master WHERE name = 'person_tag'");
    int64_t page_size = QueryInt(db, "PRAGMA page_size");
    {
      std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
      REQUIRE(f.good());
      f.seekp((page - 1) * page_size);
      std::string garbage(static_cast<size_t>(page_size), '\xab');
      f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
      REQUIRE(f.good());
    }
    for (const char* mode : {"", "--quick"}) {
      std::vector<std::string> args = {"check"};
      if (*mode) args.push_back(mode);
      CliResult r = c.a.Qun(args);
      CHECK_EXIT(r, 6);
      CHECK(Contains(r.err, "is damaged"));
      CHECK(Contains(r.err, "integrity check says"));
    }
  }
}
