// End-to-end tests of syncing by file: `qun init --join`, `qun invite`,
// `qun join` and `qun bundle vector|export|import`, run as the real binary on
// separate homes, as two admins on two laptops would.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/identity.h"
#include "core/ids.h"
#include "core/oplog.h"
#include "core/store.h"
#include "support/cli_runner.h"
#include "support/cli_steps.h"
#include "sync/bundle.h"
#include "sync/change_set.h"
#include "sync/change_set_store.h"
#include "sync/community.h"

using nlohmann::json;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::ReadFile;
using qun::testing::SendBundle;
using qun::testing::StateHashOf;
using qun::testing::TempHome;
using qun::testing::TwoHomes;
using qun::testing::WriteFile;

TEST_SUITE("cli sync") {
  TEST_CASE("two admins edit offline, swap bundles both ways and see the same data") {
    TwoHomes t("湾区读书会", {}, "王芳");
    Ok(t.a, {"group", "add", "北京交流群", "--capacity", "200"});
    Ok(t.a, {"member", "add", "张伟", "--wechat", "zw_001", "--city", "北京"});
    REQUIRE_EXIT(SendBundle(t.a, t.b, "a1.qun"), 0);
    CHECK(StateHashOf(t.a) == StateHashOf(t.b));

    // Offline on both laptops: the same person edited on both, one field
    // each and one field on both; new people on both sides.
    Ok(t.a, {"member", "edit", "zw_001", "--nickname", "大伟", "--city", "天津"});
    Ok(t.b, {"member", "edit", "zw_001", "--notes", "组织者", "--city", "上海"});
    Ok(t.b, {"member", "add", "Alice Chen", "--wechat", "alice_c"});
    Ok(t.a, {"member", "add", "陈静", "--phone", "+86 138 0000 0002"});
    Ok(t.b, {"group", "edit", "北京交流群", "--capacity", "300"});

    CliResult to_a = SendBundle(t.b, t.a, "b1.qun");
    REQUIRE_EXIT(to_a, 0);
    CHECK(Contains(to_a.out, "applied"));
    REQUIRE_EXIT(SendBundle(t.a, t.b, "a2.qun"), 0);

    CHECK(StateHashOf(t.a) == StateHashOf(t.b));
    json list_a = OkJson(t.a, {"member", "list"});
    json list_b = OkJson(t.b, {"member", "list"});
    CHECK(list_a == list_b);
    CHECK(list_a.size() == 3);
    json zw = OkJson(t.b, {"member", "show", "zw_001"});
    CHECK(zw.at("nickname") == "大伟");
    CHECK(zw.at("notes") == "组织者");
    CHECK(zw.at("city") == "上海");  // B's edit came later
    CHECK(OkJson(t.a, {"group", "show", "北京交流群"}).at("capacity") == 300);

    // Nothing new: exporting again for the other side sends nothing, and
    // importing a bundle twice changes nothing.
    CliResult again = t.b.Qun({"--json", "bundle", "import", t.a.Beside("a2.qun")});
    REQUIRE_EXIT(again, 0);
    json report = json::parse(again.out);
    CHECK(report.at("applied") == 0);
    CHECK(report.at("already_held").get<int>() > 0);
    Ok(t.a, {"bundle", "vector", "-o", t.a.Beside("a.vector")});
    json empty = OkJson(
        t.b, {"bundle", "export", "--for", t.a.Beside("a.vector"), "-o", t.b.Beside("none.qun")});
    CHECK(empty.at("change_sets") == 0);
  }

  TEST_CASE("bundle export --since takes the vector that bundle vector prints") {
    TwoHomes t("湾区读书会", {}, "王芳");
    REQUIRE_EXIT(SendBundle(t.a, t.b, "a1.qun"), 0);
    Ok(t.a, {"member", "add", "张伟", "--wechat", "zw_001"});
    json vector = OkJson(t.b, {"bundle", "vector"});
    std::string since = vector.at("since").get<std::string>();
    CHECK_FALSE(since.empty());
    json out = OkJson(t.a, {"bundle", "export", "--since", since, "-o", t.a.Beside("s.qun")});
    CHECK(out.at("change_sets") == 1);
    json all = OkJson(t.a, {"bundle", "export", "-o", t.a.Beside("all.qun")});
    CHECK(all.at("change_sets").get<int>() > 1);
    REQUIRE_EXIT(t.b.Qun({"bundle", "import", t.a.Beside("s.qun")}), 0);
    CHECK(StateHashOf(t.a) == StateHashOf(t.b));

    CHECK_EXIT(t.a.Qun({"bundle", "export", "--since", "zz:1", "-o", t.a.Beside("x.qun")}), 2);
    CHECK_EXIT(t.a.Qun({"bundle", "export", "--since", since, "--for", "f", "-o", "x"}), 2);
  }

  TEST_CASE("a tampered bundle is refused with a reason and changes nothing") {
    TwoHomes t("湾区读书会", {}, "王芳");
    Ok(t.a, {"member", "add", "张伟", "--wechat", "zw_001"});
    Ok(t.b, {"bundle", "vector", "-o", t.b.Beside("b.vector")});
    Ok(t.a, {"bundle", "export", "--for", t.b.Beside("b.vector"), "-o", t.a.Beside("a.qun")});
    std::string good = ReadFile(t.a.Beside("a.qun"));
    std::string before = StateHashOf(t.b);

    SUBCASE("a flipped byte inside a change set") {
      for (size_t at : {size_t{24 + 4 + 40}, size_t{24 + 4 + 200}, good.size() - 10}) {
        CAPTURE(at);
        std::string bad = good;
        bad[at] ^= 0x01;
        std::string path = t.b.Beside("bad.qun");
        WriteFile(path, bad);
        CliResult r = t.b.Qun({"bundle", "import", path});
        CHECK_MESSAGE((r.exit_code == 10 || r.exit_code == 6), r.Describe());
        CHECK(Contains(r.err, "altered or damaged"));
        CHECK(Contains(r.err, "nothing from it was imported"));
        CHECK(StateHashOf(t.b) == before);
      }
    }
    SUBCASE("a truncated bundle") {
      for (size_t keep : {good.size() - 1, good.size() - 4, good.size() / 2, size_t{30}}) {
        CAPTURE(keep);
        std::string path = t.b.Beside("short.qun");
        WriteFile(path, good.substr(0, keep));
        CliResult r = t.b.Qun({"bundle", "import", path});
        CHECK_EXIT(r, 6);
        CHECK(Contains(r.err, "truncated"));
        CHECK(Contains(r.err, "nothing from it was imported"));
        CHECK(StateHashOf(t.b) == before);
      }
    }
    SUBCASE("bytes after the end, or not a bundle at all") {
      WriteFile(t.b.Beside("long.qun"), good + "x");
      CHECK_EXIT(t.b.Qun({"bundle", "import", t.b.Beside("long.qun")}), 6);
      WriteFile(t.b.Beside("text.qun"), "姓名,微信\n张伟,zw\n");
      CliResult r = t.b.Qun({"bundle", "import", t.b.Beside("text.qun")});
      CHECK_EXIT(r, 6);
      CHECK(Contains(r.err, "not a Qun bundle"));
      CHECK_EXIT(t.b.Qun({"bundle", "import", t.b.Beside("missing.qun")}), 3);
      CHECK(StateHashOf(t.b) == before);
    }
    SUBCASE("a bundle of another community") {
      TempHome other;
      Ok(other, {"init", "--name", "别的社区"});
      Ok(other, {"bundle", "export", "-o", other.Beside("o.qun")});
      CliResult r = t.b.Qun({"bundle", "import", other.Beside("o.qun")});
      CHECK_EXIT(r, 6);
      CHECK(Contains(r.err, "another community"));
      Ok(other, {"bundle", "vector", "-o", other.Beside("o.vector")});
      CHECK_EXIT(t.a.Qun({"bundle", "export", "--for", other.Beside("o.vector"), "-o", "x.qun"}),
                 2);
      CHECK(StateHashOf(t.b) == before);
    }
    // The good bundle still goes in afterwards.
    REQUIRE_EXIT(t.b.Qun({"bundle", "import", t.a.Beside("a.qun")}), 0);
    CHECK(StateHashOf(t.b) == StateHashOf(t.a));
  }

  TEST_CASE("invites open only on the node they were made for") {
    TempHome a, b, c;
    Ok(a, {"init", "--name", "湾区读书会"});
    Ok(b, {"init", "--join"});
    Ok(c, {"init", "--join"});
    std::string b_id = ReadFile(b.InHome("node.pub")).substr(0, 64);
    Ok(a, {"invite", b_id, "-o", a.Beside("b.qun")});
    struct stat st;
    REQUIRE(stat(a.Beside("b.qun").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    // Another node cannot open it, and is left as it was.
    CliResult wrong = c.Qun({"join", a.Beside("b.qun")});
    CHECK_EXIT(wrong, 6);
    CHECK(Contains(wrong.err, "not sealed to this node"));
    CHECK(stat(c.InHome("community.key").c_str(), &st) != 0);
    CHECK_EXIT(c.Qun({"bundle", "vector"}), 3);  // not joined: says to join
    CHECK(Contains(c.Qun({"bundle", "vector"}).err, "qun join"));

    // A damaged invite is refused.
    std::string bytes = ReadFile(a.Beside("b.qun"));
    std::string bad = bytes;
    bad[bad.size() / 2] ^= 0x40;
    WriteFile(a.Beside("bad.qun"), bad);
    CHECK_EXIT(b.Qun({"join", a.Beside("bad.qun")}), 6);
    WriteFile(a.Beside("junk.qun"), "hello");
    CHECK_EXIT(b.Qun({"join", a.Beside("junk.qun")}), 6);

    // Bad ids, one's own id, an existing file.
    CHECK_EXIT(a.Qun({"invite", "1234", "-o", a.Beside("x.qun")}), 2);
    std::string a_id = ReadFile(a.InHome("node.pub")).substr(0, 64);
    CHECK_EXIT(a.Qun({"invite", a_id, "-o", a.Beside("x.qun")}), 2);
    CHECK_EXIT(a.Qun({"invite", b_id, "-o", a.Beside("b.qun")}), 4);
    CHECK(ReadFile(a.Beside("b.qun")) == bytes);

    // The right node joins, once; the invite and keys are private.
    Ok(b, {"join", a.Beside("b.qun")});
    REQUIRE(stat(b.InHome("community.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK_EXIT(b.Qun({"join", a.Beside("b.qun")}), 4);
    // A home holds one node; init needs exactly one of --name and --join.
    CHECK_EXIT(b.Qun({"init", "--join"}), 4);
    CHECK_EXIT(a.Qun({"init"}), 2);
    CHECK_EXIT(a.Qun({"init", "--join", "--name", "x"}), 2);
  }

  TEST_CASE("a change set that waits for an earlier one is reported, then applied later") {
    TwoHomes t("湾区读书会", {}, "王芳");
    TempHome c;
    Ok(c, {"init", "--join", "--admin", "陈静"});
    std::string c_id = ReadFile(c.InHome("node.pub")).substr(0, 64);
    // B invites C: any invited node may, for now.
    REQUIRE_EXIT(SendBundle(t.a, t.b, "a0.qun"), 0);
    Ok(t.b, {"invite", c_id, "-o", t.b.Beside("c.qun")});
    Ok(c, {"join", t.b.Beside("c.qun")});
    Ok(c, {"member", "add", "赵磊", "--wechat", "zl_9"});
    // A gets C's change sets before B's invite of C reached it: they wait,
    // and are not kept.
    Ok(t.a, {"bundle", "vector", "-o", t.a.Beside("a.vector")});
    Ok(c, {"bundle", "export", "--for", t.a.Beside("a.vector"), "-o", c.Beside("c1.qun")});
    std::string before = StateHashOf(t.a);
    CliResult early = t.a.Qun({"--json", "bundle", "import", c.Beside("c1.qun")});
    CHECK_EXIT(early, 9);
    json report = json::parse(early.out);
    CHECK(report.at("rejected").get<int>() > 0);
    CHECK(Contains(report.at("change_sets").dump(), "nobody in this community has invited"));
    CHECK(StateHashOf(t.a) == before);
    // Once B's bundle (with the invite) is in, C's bundle applies.
    REQUIRE_EXIT(SendBundle(t.b, t.a, "b1.qun"), 0);
    CliResult later = t.a.Qun({"bundle", "import", c.Beside("c1.qun")});
    REQUIRE_EXIT(later, 0);
    CHECK(Contains(OkJson(t.a, {"member", "show", "zl_9"}).dump(), "赵磊"));
  }
}

TEST_SUITE("cli sync") {
  TEST_CASE("concurrent duplicates are kept, listed by qun status, and settled by a merge") {
    TwoHomes t("湾区读书会", {}, "王芳");
    Ok(t.a, {"group", "add", "北京交流群"});
    REQUIRE_EXIT(SendBundle(t.a, t.b, "a0.qun"), 0);
    // Offline on both laptops: the same new group name, the same person
    // added with different contact handles.
    Ok(t.a, {"group", "add", "周末读书"});
    Ok(t.b, {"group", "add", "周末读书", "--capacity", "80"});
    Ok(t.a, {"member", "add", "张伟", "--wechat", "zw_001", "--city", "北京", "--tag", "摄影"});
    Ok(t.a, {"member", "join", "北京交流群", "zw_001", "--role", "admin"});
    Ok(t.b,
       {"member", "add", "张伟", "--phone", "13800000009", "--notes", "周六有空", "--tag", "徒步"});
    Ok(t.b, {"member", "add", "陈静", "--wechat", "cj_2", "--referred-by", "13800000009"});
    REQUIRE_EXIT(SendBundle(t.b, t.a, "b1.qun"), 0);
    REQUIRE_EXIT(SendBundle(t.a, t.b, "a1.qun"), 0);
    CHECK(StateHashOf(t.a) == StateHashOf(t.b));

    // The merge kept both; status says so, on both nodes.
    json status = OkJson(t.b, {"status"});
    REQUIRE(status.at("conflicts").size() == 2);
    CHECK(Contains(status.at("conflicts").dump(), "周末读书"));
    CHECK(Contains(status.at("conflicts").dump(), "qun member merge"));
    CliResult text = Ok(t.a, {"status"});
    CHECK(Contains(text.out, "Conflicts to settle (2)"));
    CHECK(Contains(text.out, "2 groups are named '周末读书'"));
    CHECK(OkJson(t.a, {"group", "list"}).size() == 3);

    // B settles both; the fixes sync like any edit.
    std::string kept = OkJson(t.b, {"member", "show", "zw_001"}).at("id");
    std::string other = OkJson(t.b, {"member", "show", "13800000009"}).at("id");
    json merged = OkJson(t.b, {"member", "merge", "zw_001", "13800000009"});
    CHECK(merged.at("kept") == kept);
    CHECK(merged.at("removed") == other);
    std::string dup_group = status.at("conflicts")[0].at("ids")[1];
    Ok(t.b, {"group", "edit", dup_group, "--name", "周末读书二群"});
    REQUIRE_EXIT(SendBundle(t.b, t.a, "b2.qun"), 0);
    CHECK(StateHashOf(t.a) == StateHashOf(t.b));
    CHECK(OkJson(t.a, {"status"}).at("conflicts").empty());

    json zw = OkJson(t.a, {"member", "show", "13800000009"});
    CHECK(zw.at("id") == kept);
    CHECK(zw.at("city") == "北京");
    CHECK(zw.at("notes") == "周六有空");
    CHECK(Contains(zw.dump(), "摄影"));
    CHECK(Contains(zw.dump(), "徒步"));
    CHECK(OkJson(t.a, {"member", "show", "cj_2"}).at("referred_by") == kept);
    CHECK(Contains(Ok(t.a, {"member", "list", "--group", "北京交流群"}).out, "张伟"));
    CHECK(OkJson(t.a, {"member", "list"}).size() == 2);

    // Bad merges are refused and change nothing.
    std::string before = StateHashOf(t.a);
    CHECK_EXIT(t.a.Qun({"member", "merge", "zw_001", "zw_001"}), 2);
    CHECK_EXIT(t.a.Qun({"member", "merge", "zw_001", "nobody_here"}), 3);
    CHECK(StateHashOf(t.a) == before);
  }
}

TEST_SUITE("cli sync") {
  TEST_CASE("a bundle import killed midway keeps whole change sets, and importing again finishes") {
    TwoHomes t("湾区读书会", {}, "王芳");
    // Many change sets on A, written through the library (one per person,
    // each with three fields), faster than hundreds of qun runs.
    const int kPeople = 600;
    {
      auto id = qun::core::Identity::Load(t.a.home());
      REQUIRE(id.ok());
      auto store = qun::core::Store::Open(t.a.InHome("community.db"), {});
      REQUIRE(store.ok());
      for (int i = 0; i < kPeople; ++i) {
        auto txn = (*store)->Begin((*id)->public_key(), "member add");
        REQUIRE(txn.ok());
        std::string row = qun::core::DerivedId("person", "kill-" + std::to_string(i));
        REQUIRE((*txn)->Set("person", row, "display_name", "成员" + std::to_string(i)).ok());
        REQUIRE((*txn)->Set("person", row, "city", std::string("杭州")).ok());
        REQUIRE((*txn)->Set("person", row, "nickname", "n" + std::to_string(i)).ok());
        REQUIRE((*txn)->Commit().ok());
      }
    }
    Ok(t.b, {"bundle", "vector", "-o", t.b.Beside("b.vector")});
    Ok(t.a, {"bundle", "export", "--for", t.b.Beside("b.vector"), "-o", t.a.Beside("big.qun")});
    // Kill while the bundle is checked, while it is merged, or after.
    for (int ms : {40, 80, 120, 160, 400}) {
      CAPTURE(ms);
      qun::testing::CliOptions options;
      options.timeout = std::chrono::milliseconds(ms);
      t.b.Qun({"bundle", "import", t.a.Beside("big.qun")}, options);
      // Whatever was applied is whole: no person without their city.
      json people = OkJson(t.b, {"member", "list"});
      for (const json& p : people) CHECK(p.at("city") == "杭州");
      if (static_cast<int>(people.size()) == kPeople) break;  // finished before the kill
    }
    REQUIRE_EXIT(t.b.Qun({"bundle", "import", t.a.Beside("big.qun")}), 0);
    CHECK(OkJson(t.b, {"member", "list"}).size() == kPeople);
    CHECK(StateHashOf(t.a) == StateHashOf(t.b));
  }
}

TEST_SUITE("cli sync") {
  TEST_CASE("a node made to join records nothing before it has joined") {
    TempHome a, b;
    Ok(a, {"init", "--name", "湾区读书会"});
    Ok(b, {"init", "--join", "--admin", "李娜"});
    // No change of its own yet, so none without a clock bound.
    CHECK(OkJson(b, {"status"}).at("changes") == 0);
    CliResult early = b.Qun({"member", "add", "张伟"});
    CHECK_EXIT(early, 3);
    CHECK(Contains(early.err, "qun join"));
    std::string b_id = ReadFile(b.InHome("node.pub")).substr(0, 64);
    Ok(a, {"invite", b_id, "-o", a.Beside("b.qun")});
    Ok(b, {"join", a.Beside("b.qun")});
    // Joining wrote its admin's name, as its first change.
    CHECK(OkJson(b, {"status"}).at("changes") == 1);
    Ok(b, {"member", "add", "张伟"});
    Ok(b, {"bundle", "vector", "-o", b.Beside("b.vector")});
    Ok(a, {"bundle", "vector", "-o", a.Beside("a.vector")});
    Ok(b, {"bundle", "export", "--for", a.Beside("a.vector"), "-o", b.Beside("b1.qun")});
    REQUIRE_EXIT(a.Qun({"bundle", "import", b.Beside("b1.qun")}), 0);
    CHECK(Contains(Ok(a, {"log", "-n", "0"}).out, "李娜"));
  }

  TEST_CASE("a change set naming a missing row is refused alone — the rest of the bundle goes in") {
    TwoHomes t("湾区读书会", {}, "王芳");
    Ok(t.a, {"member", "add", "张伟", "--wechat", "zw_001"});
    Ok(t.b, {"bundle", "vector", "-o", t.b.Beside("b.vector")});
    Ok(t.a, {"bundle", "export", "--for", t.b.Beside("b.vector"), "-o", t.a.Beside("a.qun")});
    // A appends a change set of its own that tags a person who does not
    // exist: signed and sealed properly, but it cannot be merged.
    std::string forged = t.a.Beside("forged.qun");
    {
      auto id = qun::core::Identity::Load(t.a.home());
      auto store = qun::core::Store::Open(t.a.InHome("community.db"), {});
      REQUIRE(store.ok());
      auto community = qun::sync::LoadCommunity(**store, t.a.home());
      REQUIRE(community.ok());
      qun::sync::ChangeSetStore sets(**store, *community, **id);
      uint64_t seq = sets.Vector()->at((*id)->public_key());
      auto reader = qun::sync::BundleReader::Open(t.a.Beside("a.qun"));
      auto writer = qun::sync::BundleWriter::Create(forged, community->id);
      std::optional<qun::sync::Hash> last;
      while (true) {
        auto next = (*reader)->Next();
        REQUIRE(next.ok());
        if (!*next) break;
        REQUIRE((*writer)->Add(**next).ok());
        auto cs = qun::sync::ChangeSet::Decode(**next);
        if (qun::sync::Verify(*cs)->seq == seq) last = cs->ComputeHash();
      }
      REQUIRE(last.has_value());
      qun::sync::ChangeSetHeader h;
      h.community_id = community->id;
      h.seq = seq + 1;
      h.previous_hash = last;
      qun::sync::Payload p;
      p.ops.push_back({"person_tag",
                       std::string(32, 'a'),
                       "person_id",
                       std::string("nobody"),
                       qun::core::Hlc::From(1'800'000'000'000, 0),
                       {}});
      auto broken = qun::sync::Seal(h, p, community->Current(), **id);
      REQUIRE(broken.ok());
      REQUIRE((*writer)->Add(broken->Encode()).ok());
      REQUIRE((*writer)->Finish().ok());
    }
    CliResult r = t.b.Qun({"--json", "bundle", "import", forged});
    CHECK_EXIT(r, 9);
    json report = json::parse(r.out);
    CHECK(report.at("rejected") == 1);
    CHECK(report.at("applied").get<int>() >= 1);
    CHECK(Contains(report.at("change_sets").dump(), "cannot be merged"));
    CHECK(OkJson(t.b, {"member", "show", "zw_001"}).at("display_name") == "张伟");
    CHECK(Contains(Ok(t.b, {"status"}).out, "1 refused"));
    // Nothing is stuck: the next bundle from A goes in.
    Ok(t.a, {"member", "add", "陈静", "--wechat", "cj_2"});
    REQUIRE_EXIT(SendBundle(t.a, t.b, "a2.qun"), 0);
  }
}
