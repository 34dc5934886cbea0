#include "sync/log_limit.h"

#include <doctest/doctest.h>

#include <string>

using qun::sync::LogLimit;

TEST_CASE("a log limit lets a few lines a minute through per key and counts the rest") {
  LogLimit limit(3, 60'000);
  int logged = 0;
  for (int i = 0; i < 100; ++i) {
    std::string key = "192.0.2.7";
    if (limit.Allow(key, 1000 + i * 100)) ++logged;  // ten a second
  }
  CHECK(logged == 3);
  // Another address has its own few.
  std::string other = "198.51.100.1";
  CHECK(limit.Allow(other, 2000));
  CHECK(limit.Expire(30'000).empty());  // the minute has not ended
  auto due = limit.Expire(61'000);
  REQUIRE(due.size() == 1);
  CHECK(due[0].first == "192.0.2.7");
  CHECK(due[0].second == 97);
  // A new minute lets lines through again; the quiet key owed nothing.
  std::string key = "192.0.2.7";
  CHECK(limit.Allow(key, 61'500));
  CHECK(limit.Expire(200'000).empty());
  CHECK(limit.keys() == 0);
}

TEST_CASE("a log limit keeps a bounded table however many addresses flood it") {
  LogLimit limit(1, 60'000);
  int logged = 0;
  for (size_t i = 0; i < LogLimit::kMaxKeys + 500; ++i) {
    std::string key = "2001:db8::" + std::to_string(i);
    if (limit.Allow(key, 0)) ++logged;
  }
  CHECK(limit.keys() == LogLimit::kMaxKeys + 1);
  CHECK(logged == static_cast<int>(LogLimit::kMaxKeys) + 1);
  auto due = limit.Expire(60'000);
  REQUIRE(due.size() == 1);
  CHECK(due[0].first == LogLimit::kOtherKey);
  CHECK(due[0].second == 499);
}
