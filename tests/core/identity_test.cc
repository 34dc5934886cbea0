#include "core/identity.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/temp_dir.h"

using namespace qun;
using testing::TempDir;

TEST_CASE("a new identity writes a 0600 secret key and loads back to the same node id") {
  TempDir dir;
  auto created = core::Identity::Create(dir.path());
  REQUIRE_MESSAGE(created.ok(), created.status().message());
  struct stat st;
  REQUIRE(stat((dir / "node.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(st.st_size == crypto_sign_SECRETKEYBYTES);
  auto loaded = core::Identity::Load(dir.path());
  REQUIRE(loaded.ok());
  CHECK((*loaded)->node_id() == (*created)->node_id());
  CHECK((*loaded)->node_id().size() == 64);
  std::ifstream pub(dir / "node.pub");
  std::string line;
  std::getline(pub, line);
  CHECK(line == (*created)->node_id());
}

TEST_CASE("an existing key is never overwritten") {
  TempDir dir;
  auto first = core::Identity::Create(dir.path());
  REQUIRE(first.ok());
  auto second = core::Identity::Create(dir.path());
  CHECK(second.status().code() == Status::Code::kConflict);
  CHECK((*core::Identity::Load(dir.path()))->node_id() == (*first)->node_id());
}

TEST_CASE("a secret key others can read is refused with the chmod to fix it") {
  TempDir dir;
  REQUIRE(core::Identity::Create(dir.path()).ok());
  chmod((dir / "node.key").c_str(), 0644);
  auto loaded = core::Identity::Load(dir.path());
  CHECK(loaded.status().code() == Status::Code::kIOError);
  CHECK(loaded.status().message().find("chmod 600") != std::string::npos);
}

TEST_CASE("a truncated secret key is reported as damaged") {
  TempDir dir;
  dir.Write("node.key", "short");
  chmod((dir / "node.key").c_str(), 0600);
  CHECK(core::Identity::Load(dir.path()).status().code() == Status::Code::kCorruption);
}

TEST_CASE("a missing key says to run qun init") {
  TempDir dir;
  auto loaded = core::Identity::Load(dir.path());
  CHECK(loaded.status().code() == Status::Code::kNotFound);
  CHECK(loaded.status().message().find("qun init") != std::string::npos);
}

TEST_CASE("a public key reads back from its hex, and nothing else reads as one") {
  core::PublicKey k{};
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(i * 7);
  CHECK(core::PublicKeyFromHex(core::ToHex(k)) == k);
  std::string hex = core::ToHex(k);
  CHECK_FALSE(core::PublicKeyFromHex(hex.substr(0, 62)));
  CHECK_FALSE(core::PublicKeyFromHex(hex + "00"));
  CHECK_FALSE(core::PublicKeyFromHex(hex.substr(0, 63) + "g"));
  CHECK_FALSE(core::PublicKeyFromHex(""));
}
