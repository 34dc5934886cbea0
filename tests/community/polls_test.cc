// Polls and votes (community/polls.h).
#include "community/polls.h"

#include <doctest/doctest.h>

#include "base/dates.h"
#include "base/text.h"
#include "core/ids.h"
#include "support/test_store.h"

using namespace qun;
using namespace qun::testing;

namespace {

struct Fixture {
  TestStore ts;
  core::Registry reg{*ts.store};
  core::Polls polls{reg, *ts.store};
  std::string group;

  Fixture() {
    auto t = ts.Begin();
    core::GroupInput g;
    g.name = "读书会";
    group = *reg.AddGroup(*t, g);
    REQUIRE(t->Commit().ok());
  }

  std::string Person(const std::string& name, bool join = true) {
    auto t = ts.Begin();
    core::PersonInput in;
    in.display_name = name;
    auto id = reg.AddPerson(*t, in);
    REQUIRE(id.ok());
    if (join) REQUIRE(reg.Join(*t, group, *id, "member", std::nullopt).ok());
    REQUIRE(t->Commit().ok());
    return *id;
  }

  std::string Poll(std::vector<std::string> options = {"公园", "图书馆", "线上"},
                   std::optional<int64_t> closes_at = std::nullopt) {
    auto t = ts.Begin();
    core::PollInput in;
    in.question = "周六去哪儿？";
    in.options = std::move(options);
    in.closes_at = closes_at;
    auto id = polls.Add(*t, group, in);
    REQUIRE_MESSAGE(id.ok(), id.status().message());
    REQUIRE(t->Commit().ok());
    return *id;
  }

  Result<core::VoteResult> Vote(const std::string& poll, const std::string& person, int choice) {
    auto t = ts.Begin();
    auto r = polls.Vote(*t, poll, person, choice);
    if (r.ok()) REQUIRE(t->Commit().ok());
    ts.clock.Advance(1000);
    return r;
  }

  core::PollResults Results(const std::string& poll) {
    auto p = polls.Get(poll);
    REQUIRE(p.ok());
    auto r = polls.Results(*p);
    REQUIRE(r.ok());
    return *r;
  }
};

Status AddWith(Fixture& f, const std::string& question, std::vector<std::string> options,
               std::optional<int64_t> closes_at = std::nullopt) {
  auto t = f.ts.Begin();
  core::PollInput in;
  in.question = question;
  in.options = std::move(options);
  in.closes_at = closes_at;
  return f.polls.Add(*t, f.group, in).status();
}

}  // namespace

TEST_CASE("a poll needs a question and 2 to 20 distinct, non-empty options") {
  Fixture f;
  CHECK(AddWith(f, "去哪儿？", {"公园"}).code() == Status::Code::kInvalidArgument);
  CHECK(AddWith(f, "  ", {"公园", "图书馆"}).code() == Status::Code::kInvalidArgument);
  Status empty = AddWith(f, "去哪儿？", {"公园", " "});
  CHECK(empty.code() == Status::Code::kInvalidArgument);
  CHECK(empty.message().find("option 2 is empty") != std::string::npos);
  Status twice = AddWith(f, "去哪儿？", {"公园", " 公园"});
  CHECK(twice.message().find("given twice") != std::string::npos);
  std::vector<std::string> many;
  for (int i = 0; i < 21; ++i) many.push_back("选项" + std::to_string(i));
  CHECK(AddWith(f, "去哪儿？", many).message().find("2 to 20 options") != std::string::npos);
  many.pop_back();
  CHECK(AddWith(f, "去哪儿？", many).ok());
  Status past = AddWith(f, "去哪儿？", {"公园", "图书馆"}, core::NowMs(*f.ts.store) - 1000);
  CHECK(past.message().find("already passed") != std::string::npos);
  CHECK(f.ts.Int("SELECT count(*) FROM poll") == 0);  // none of them was committed
}

TEST_CASE("a poll keeps its options in order, open, with its group") {
  Fixture f;
  std::string id = f.Poll();
  auto p = f.polls.Get(id);
  REQUIRE(p.ok());
  CHECK(p->options == std::vector<std::string>{"公园", "图书馆", "线上"});
  CHECK(p->status == "open");
  CHECK(p->group_name == "读书会");
  CHECK(core::GroupOfRowId(id) == f.group);
  CHECK(*f.polls.Resolve("周六去哪儿？") == id);
  CHECK(*f.polls.Resolve(core::ShortRowId(id)) == id);
}

TEST_CASE("one vote per person: the latest counts, the same choice again writes nothing") {
  Fixture f;
  std::string poll = f.Poll();
  std::string a = f.Person("张伟"), b = f.Person("李娜");
  auto first = f.Vote(poll, a, 0);
  REQUIRE(first.ok());
  CHECK_FALSE(first->previous.has_value());
  REQUIRE(f.Vote(poll, b, 0).ok());
  auto changed = f.Vote(poll, a, 1);
  REQUIRE(changed.ok());
  CHECK(changed->previous == 0);
  int64_t ops = f.ts.Int("SELECT count(*) FROM op");
  auto same = f.Vote(poll, a, 1);
  CHECK_FALSE(same->changed);
  CHECK(f.ts.Int("SELECT count(*) FROM op") == ops);
  core::PollResults r = f.Results(poll);
  CHECK(r.counts == std::vector<int64_t>{1, 1, 0});
  CHECK(r.total == 2);
  CHECK(f.ts.Int("SELECT count(*) FROM vote") == 2);
  REQUIRE(r.votes.size() == 2);
  CHECK(r.votes[0].name == "李娜");
  CHECK(r.votes[1].choice == 1);
}

TEST_CASE("votes are refused from non-members, on closed polls and for options that do not exist") {
  Fixture f;
  std::string poll = f.Poll({"公园", "图书馆"}, core::NowMs(*f.ts.store) + 60'000);
  std::string a = f.Person("张伟"), outsider = f.Person("路人", false);
  CHECK(f.Vote(poll, outsider, 0).status().code() == Status::Code::kNotFound);
  auto bad = f.Vote(poll, a, 2);
  CHECK(bad.status().code() == Status::Code::kInvalidArgument);
  // The closing time passes.
  f.ts.clock.Advance(120'000);
  auto late = f.Vote(poll, a, 0);
  CHECK(late.status().code() == Status::Code::kConflict);
  CHECK(late.status().message().find("closed at") != std::string::npos);
  // Closed by an admin.
  std::string other = f.Poll();
  {
    auto t = f.ts.Begin();
    CHECK(*f.polls.Close(*t, other));
    CHECK_FALSE(*f.polls.Close(*t, other));
    REQUIRE(t->Commit().ok());
  }
  auto closed = f.Vote(other, a, 0);
  CHECK(closed.status().code() == Status::Code::kConflict);
  CHECK(closed.status().message().find("is closed") != std::string::npos);
  CHECK(f.ts.Int("SELECT count(*) FROM vote") == 0);
}

TEST_CASE("a choice is an option number or its exact text") {
  core::Poll p;
  p.options = {"公园", "图书馆", "2"};
  CHECK(*core::ParseChoice(p, "1") == 0);
  CHECK(*core::ParseChoice(p, " 3 ") == 2);
  CHECK(*core::ParseChoice(p, "图书馆") == 1);
  auto out = core::ParseChoice(p, "4");
  CHECK(out.status().code() == Status::Code::kInvalidArgument);
  CHECK(out.status().message().find("no option 4") != std::string::npos);
  CHECK(out.status().message().find("1. 公园") != std::string::npos);
  CHECK(core::ParseChoice(p, "0").status().code() == Status::Code::kInvalidArgument);
  CHECK(core::ParseChoice(p, "咖啡馆").status().message().find("not one of the options") !=
        std::string::npos);
}

TEST_CASE("the bar chart aligns Chinese options by display width and scales the bars") {
  core::Poll p;
  p.options = {"静安图书馆", "咖啡馆", "online"};
  core::PollResults r;
  r.counts = {3, 1, 0};
  r.total = 4;
  std::string out = core::RenderPollBars(p, r, 10);
  std::vector<std::string_view> lines = text::SplitLines(out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "  1. 静安图书馆  ███████▌      3   75.0%");
  CHECK(lines[1] == "  2. 咖啡馆      ██▌           1   25.0%");
  CHECK(lines[2] == "  3. online                    0    0.0%");
  // Every line takes the same width on screen.
  CHECK(text::DisplayWidth(lines[0]) == text::DisplayWidth(lines[1]));
  CHECK(text::DisplayWidth(lines[1]) == text::DisplayWidth(lines[2]));
}

TEST_CASE("a vote's id derives from the poll and the person") {
  std::string poll = core::GroupRowId(std::string(32, 'a'), std::string(32, 'b'));
  CHECK(core::Polls::VoteId(poll, "p") == core::Polls::VoteId(poll, "p"));
  CHECK(core::Polls::VoteId(poll, "p") != core::Polls::VoteId(poll, "q"));
  CHECK(core::GroupOfRowId(core::Polls::VoteId(poll, "p")) == std::string(32, 'a'));
}

TEST_CASE("a vote recorded after the poll closed does not count, on any node") {
  Fixture f;
  std::string zhang = f.Person("张伟"), li = f.Person("李娜");
  int64_t closes = static_cast<int64_t>(f.ts.clock.NowMs()) + 60'000;
  std::string poll = f.Poll({"公园", "图书馆"}, closes);
  REQUIRE(f.Vote(poll, zhang, 0).ok());
  // A node whose clock ran behind recorded 李娜's vote after closing time:
  // written directly, as it arrives from that node.
  auto t = f.ts.Begin();
  std::string vote = core::GroupRowId(f.group, core::DerivedId("vote", poll + " " + li));
  REQUIRE(t->Set("vote", vote, "poll_id", poll).ok());
  REQUIRE(t->Set("vote", vote, "person_id", li).ok());
  REQUIRE(t->Set("vote", vote, "choice", int64_t{1}).ok());
  REQUIRE(t->Set("vote", vote, "voted_at", closes + 1).ok());
  REQUIRE(t->Set("vote", vote, "deleted", int64_t{0}).ok());
  REQUIRE(t->Commit().ok());
  core::PollResults r = f.Results(poll);
  CHECK(r.total == 1);
  CHECK(r.counts == std::vector<int64_t>{1, 0});
}
