// A temporary folder for one test, removed with everything in it afterwards.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace qun::testing {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/qun-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    RestorePermissions(path_);
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

  void Write(const std::string& name, const std::string& bytes) const {
    std::ofstream out(*this / name, std::ios::binary | std::ios::trunc);
    out << bytes;
    REQUIRE(out.good());
  }

 private:
  // Gives the owner rwx on every folder again (a test may have taken it
  // away), so that remove_all can enter them even when not running as root.
  static void RestorePermissions(const std::string& dir) {
    if (chmod(dir.c_str(), 0700) != 0) return;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
      if (entry.is_directory(ec) && !entry.is_symlink(ec)) RestorePermissions(entry.path());
  }

  std::string path_;
};

}  // namespace qun::testing
