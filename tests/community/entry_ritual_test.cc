#include "community/entry_ritual.h"

#include <doctest/doctest.h>

using namespace qun;

TEST_CASE("a nickname convention is its parts and separator, typed in any of its forms") {
  auto p = core::ParseNicknamePattern("city-name-trade");
  REQUIRE(p.has_value());
  CHECK(p->separator == "-");
  CHECK(p->parts == std::vector<std::string>{"city", "name", "trade"});
  CHECK(core::NicknameProblem(*p, "上海-王芳-设计").empty());
  CHECK(core::NicknameProblem(*p, "上海－王芳－设计").empty());  // full-width dash
  CHECK(core::NicknameProblem(*p, "上海—王芳—设计").empty());
  CHECK(core::NicknameProblem(*p, "王芳") == "1 part instead of 3: city-name-trade");
  CHECK(core::NicknameProblem(*p, "上海-王芳") == "2 parts instead of 3: city-name-trade");
  CHECK(core::NicknameProblem(*p, "上海--设计") == "part 2 (name) is empty: city-name-trade");
  CHECK(core::NicknameProblem(*p, "") == "no nickname");
  CHECK(core::NicknameProblem(*p, "上海|王芳|设计") == "1 part instead of 3: city-name-trade");

  auto bar = core::ParseNicknamePattern("城市｜姓名");
  REQUIRE(bar.has_value());
  CHECK(bar->parts.size() == 2);
  CHECK(core::NicknameProblem(*bar, "北京|李娜").empty());
  CHECK_FALSE(core::ParseNicknamePattern("name").has_value());
  CHECK_FALSE(core::ParseNicknamePattern("city--trade").has_value());
  CHECK_FALSE(core::ParseNicknamePattern("").has_value());
}

TEST_CASE("a self-introduction is checked against the headings of the group's template") {
  std::string tmpl = "我是谁：\n我需要：\n我能提供：\n";
  CHECK(core::TemplateHeadings(tmpl) == std::vector<std::string>{"我是谁", "我需要", "我能提供"});
  CHECK(core::MissingHeadings(tmpl, "我是谁：设计师\n我需要：客户\n我能提供：海报").empty());
  CHECK(core::MissingHeadings(tmpl, "我是谁：设计师 我需要：客户") ==
        std::vector<std::string>{"我能提供"});
  // Latin headings match whatever the case; lines without a colon are
  // headings themselves.
  CHECK(core::MissingHeadings("Who I am: \nWhat I offer:", "who i am: Li. WHAT I OFFER: code")
            .empty());
  CHECK(core::TemplateHeadings("city\ntrade") == std::vector<std::string>{"city", "trade"});
  CHECK(core::MissingHeadings("", "anything").empty());
}
