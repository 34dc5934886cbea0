#include "core/home.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include "support/temp_dir.h"

using namespace qun;

namespace {
unsigned Mode(const std::string& path) {
  struct stat st;
  REQUIRE(stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}
}  // namespace

TEST_CASE("a home Qun creates is private to its owner") {
  testing::TempDir dir;
  REQUIRE(core::PrepareHome(dir / "a/b/home").ok());
  CHECK(Mode(dir / "a/b/home") == 0700);
}

TEST_CASE("an existing folder chosen as home is made private to its owner") {
  testing::TempDir dir;
  for (mode_t mode : {0755, 0777, 0750}) {
    std::string home = dir / ("shared" + std::to_string(mode));
    REQUIRE(mkdir(home.c_str(), mode) == 0);
    REQUIRE(chmod(home.c_str(), mode) == 0);
    REQUIRE(core::PrepareHome(home).ok());
    CHECK(Mode(home) == 0700);
  }
}

TEST_CASE("a home other users may enter is refused, with the chmod that fixes it") {
  testing::TempDir dir;
  std::string home = dir / "home";
  REQUIRE(core::PrepareHome(home).ok());
  CHECK(core::CheckHome(home).ok());
  REQUIRE(chmod(home.c_str(), 0755) == 0);
  Status s = core::CheckHome(home);
  CHECK(s.code() == Status::Code::kIOError);
  CHECK(s.message().find("chmod 700 " + home) != std::string::npos);
  REQUIRE(chmod(home.c_str(), 0700) == 0);
  CHECK(core::CheckHome(home).ok());
}

TEST_CASE("opening a home makes its database files private") {
  testing::TempDir dir;
  std::string home = dir / "home";
  REQUIRE(core::PrepareHome(home).ok());
  std::string db = core::DatabasePath(home);
  for (const std::string& f : {db, db + "-wal"}) {
    dir.Write("home/" + f.substr(f.rfind('/') + 1), "x");
    REQUIRE(chmod(f.c_str(), 0644) == 0);
  }
  REQUIRE(core::CheckHome(home).ok());
  CHECK(Mode(db) == 0600);
  CHECK(Mode(db + "-wal") == 0600);
}

TEST_CASE("a file where the home should be is refused") {
  testing::TempDir dir;
  dir.Write("file", "x");
  Status s = core::PrepareHome(dir / "file");
  CHECK(s.code() == Status::Code::kIOError);
  CHECK(s.message().find("--home") != std::string::npos);
}
