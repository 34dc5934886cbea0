#include "community/admission.h"

#include <doctest/doctest.h>

#include "base/dates.h"
#include "core/ids.h"
#include "support/test_store.h"

using namespace qun;
using qun::testing::TestStore;

namespace {

struct Community {
  TestStore ts;
  core::Registry reg{*ts.store};
  core::Admission admission{reg, *ts.store};
  std::string group;
  std::vector<std::string> people;

  explicit Community(const char* admission_kind = "application", int64_t capacity = 2) {
    auto t = ts.Begin();
    core::GroupInput g;
    g.name = "读书会";
    g.capacity = capacity;
    g.admission = admission_kind;
    g.questions = std::vector<std::string>{"你是谁", "为什么想加入"};
    group = *reg.AddGroup(*t, g);
    for (const char* name : {"张伟", "李娜", "王芳"}) {
      core::PersonInput p;
      p.display_name = name;
      people.push_back(*reg.AddPerson(*t, p));
    }
    REQUIRE(t->Commit().ok());
  }
  template <typename Fn>
  Status Write(Fn fn) {
    auto t = ts.Begin();
    Status st = fn(*t);
    if (st.ok()) REQUIRE(t->Commit().ok());
    ts.clock.Advance(1000);
    return st;
  }
  Status Apply(int i, std::vector<std::string> answers = {"学生", "喜欢读书"}, bool paid = false) {
    return Write([&](core::WriteTxn& t) {
      core::ApplyInput in;
      in.answers = answers;
      in.paid = paid;
      return admission.Apply(t, group, people[i], in);
    });
  }
  Result<std::string> Approve(int i, core::Approval a = {}) {
    Result<std::string> out = Status::Internal("not run");
    Status st = Write([&](core::WriteTxn& t) {
      out = admission.Approve(t, group, people[i], a, "aa");
      return out.status();
    });
    return out;
  }
  Status Reject(int i, const std::string& reason) {
    return Write(
        [&](core::WriteTxn& t) { return admission.Reject(t, group, people[i], reason, "bb"); });
  }
  core::Application Get(int i) {
    auto a = admission.Get(group, people[i]);
    REQUIRE(a.ok());
    REQUIRE(a->has_value());
    return **a;
  }
  std::string MemberStatus(int i) { return (*reg.GetMembership(group, people[i]))->status; }
};

}  // namespace

TEST_CASE("an application answers every screening question, in order") {
  Community c;
  Status few = c.Apply(0, {"学生"});
  CHECK(few.code() == Status::Code::kInvalidArgument);
  CHECK(few.message().find("1. 你是谁") != std::string::npos);
  CHECK(few.message().find("2. 为什么想加入") != std::string::npos);
  CHECK(c.Apply(0, {"学生", "  "}).code() == Status::Code::kInvalidArgument);
  CHECK(c.Apply(0, {"学生", std::string("\xff")}).code() == Status::Code::kInvalidArgument);
  CHECK(c.ts.Int("SELECT count(*) FROM application") == 0);

  REQUIRE(c.Apply(0).ok());
  core::Application a = c.Get(0);
  CHECK(a.status == "pending");
  CHECK(a.membership_status == "applicant");
  REQUIRE(a.answers.size() == 2);
  CHECK(a.answers[1] == std::pair<std::string, std::string>{"为什么想加入", "喜欢读书"});
  CHECK(c.Apply(0).code() == Status::Code::kConflict);  // already applied
}

TEST_CASE("approval lets an applicant in, or onto the waitlist of a full group, in order") {
  Community c("application", 1);
  for (int i = 0; i < 3; ++i) REQUIRE(c.Apply(i).ok());
  CHECK(*c.Approve(0) == "active");
  CHECK(*c.Approve(2) == "waitlisted");
  CHECK(*c.Approve(1) == "waitlisted");
  CHECK(c.Get(2).status == "waitlisted");
  CHECK(c.Get(0).status == "approved");
  // The node that signed the decision, not the "aa" the decision names.
  CHECK(c.Get(0).decided_by == core::ToHex(c.ts.me));
  // Deciding twice says how it was decided.
  auto again = c.Approve(0);
  CHECK(again.status().code() == Status::Code::kConflict);
  CHECK(again.status().message().find("already approved") != std::string::npos);
  // A place frees: the first approved onto the waitlist (王芳) moves up.
  REQUIRE(c.Write([&](core::WriteTxn& t) {
             return c.reg.SetMembershipStatus(t, c.group, c.people[0], "left");
           }).ok());
  CHECK(c.MemberStatus(2) == "active");
  CHECK(c.MemberStatus(1) == "waitlisted");
  CHECK(c.Get(2).status == "approved");
}

TEST_CASE("a rejection needs a reason, and the person may apply again afresh") {
  Community c;
  REQUIRE(c.Apply(0).ok());
  CHECK(c.Reject(0, " ").code() == Status::Code::kInvalidArgument);
  REQUIRE(c.Reject(0, "回答不完整").ok());
  core::Application a = c.Get(0);
  CHECK(a.status == "rejected");
  CHECK(a.reason == "回答不完整");
  CHECK(c.MemberStatus(0) == "rejected");
  CHECK(c.Approve(0).status().code() == Status::Code::kConflict);
  REQUIRE(c.Apply(0).ok());
  a = c.Get(0);
  CHECK(a.status == "pending");
  CHECK(a.reason.empty());
  CHECK(a.decided_at == 0);
  CHECK(c.admission.List(c.group, std::string("pending"))->size() == 1);
  CHECK(c.admission.List(c.group, std::string("rejected"))->empty());
  CHECK(c.admission.List(c.group, std::string("maybe")).status().code() ==
        Status::Code::kInvalidArgument);
}

TEST_CASE("a paid group approves only once the fee is paid or waived, and sets dues") {
  Community c("paid");
  REQUIRE(c.Apply(0).ok());
  auto unpaid = c.Approve(0);
  CHECK(unpaid.status().code() == Status::Code::kConflict);
  CHECK(unpaid.status().message().find("qun admission paid") != std::string::npos);
  CHECK(c.MemberStatus(0) == "applicant");  // nothing written
  REQUIRE(c.Write([&](core::WriteTxn& t) {
             return c.admission.MarkPaid(t, c.group, c.people[0]);
           }).ok());
  CHECK(c.Get(0).paid);
  REQUIRE(c.Approve(0).ok());
  auto m = *c.reg.GetMembership(c.group, c.people[0]);
  // A year on from the day it was approved.
  CHECK(m->paid_until ==
        core::DayText(core::LocalDay(static_cast<int64_t>(c.ts.clock.NowMs())) + 365));

  REQUIRE(c.Apply(1).ok());
  core::Approval waived;
  waived.waive_fee = true;
  waived.paid_until = "2025-01-31";
  REQUIRE(c.Approve(1, waived).ok());
  CHECK((*c.reg.GetMembership(c.group, c.people[1]))->paid_until == "2025-01-31");
  REQUIRE(c.Apply(2, {"a", "b"}, true).ok());
  core::Approval bad;
  bad.paid_until = "next year";
  CHECK(c.Approve(2, bad).status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("members, the waitlisted and the banned cannot apply") {
  Community c;
  REQUIRE(c.Write([&](core::WriteTxn& t) {
             return c.reg.Join(t, c.group, c.people[0], "member", std::nullopt);
           }).ok());
  CHECK(c.Apply(0).code() == Status::Code::kConflict);
  REQUIRE(c.Write([&](core::WriteTxn& t) {
             return c.reg.SetMembershipStatus(t, c.group, c.people[1], "banned");
           }).ok());
  Status banned = c.Apply(1);
  CHECK(banned.code() == Status::Code::kConflict);
  CHECK(banned.message().find("banned") != std::string::npos);
  // Banned from the whole community.
  REQUIRE(c.Write([&](core::WriteTxn& t) {
             std::string id = core::DerivedId("ban", c.people[2]);
             REQUIRE(t.Set("ban", id, "person_id", c.people[2]).ok());
             REQUIRE(t.Set("ban", id, "reason", std::string("骚扰")).ok());
             return t.Set("ban", id, "active", int64_t{1}).status();
           }).ok());
  Status community = c.Apply(2);
  CHECK(community.code() == Status::Code::kConflict);
  CHECK(community.message().find("骚扰") != std::string::npos);
}
