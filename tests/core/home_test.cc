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

TEST_CASE("an existing folder chosen as home keeps its permissions") {
  testing::TempDir dir;
  REQUIRE(mkdir((dir / "shared").c_str(), 0755) == 0);
  chmod((dir / "shared").c_str(), 0755);
  REQUIRE(core::PrepareHome(dir / "shared").ok());
  CHECK(Mode(dir / "shared") == 0755);
}

TEST_CASE("a file where the home should be is refused") {
  testing::TempDir dir;
  dir.Write("file", "x");
  Status s = core::PrepareHome(dir / "file");
  CHECK(s.code() == Status::Code::kIOError);
  CHECK(s.message().find("--home") != std::string::npos);
}
