#include "sync/protocol.h"

#include <doctest/doctest.h>

#include <random>

using namespace qun;
using namespace qun::sync;

namespace {

Heads SampleHeads() {
  Heads h(2);
  h[0].author.fill(0x11);
  h[0].seq = 7;
  h[0].hash.fill(0xA7);
  h[1].author.fill(0x22);
  h[1].seq = 1;
  h[1].hash.fill(0xB1);
  h[1].forked = true;
  return h;
}

Message RoundTrip(const Message& m) {
  auto decoded = DecodeMessage(EncodeMessage(m));
  REQUIRE_MESSAGE(decoded.ok(), decoded.status().message());
  return *decoded;
}

}  // namespace

TEST_CASE("every sync message round-trips through its bytes") {
  Hello hello;
  hello.community.fill(0xC1);
  hello.heads = SampleHeads();
  hello.credit = 3;
  hello.sending = 12345;
  hello.relay = true;
  Message m = RoundTrip(hello);
  REQUIRE(std::holds_alternative<Hello>(m));
  const Hello& h = std::get<Hello>(m);
  CHECK(h.protocol_version == kProtocolVersion);
  CHECK(h.community == hello.community);
  CHECK(h.heads == hello.heads);
  CHECK(h.credit == 3);
  CHECK(h.sending == 12345);
  CHECK(h.relay);

  Batch batch{{std::string("\x00\x01\x02", 3), std::string(100000, 'x')}};
  m = RoundTrip(batch);
  REQUIRE(std::holds_alternative<Batch>(m));
  CHECK(std::get<Batch>(m).change_sets == batch.change_sets);

  m = RoundTrip(Credit{1, 5, 4, 3, 2});
  REQUIRE(std::holds_alternative<Credit>(m));
  const Credit& c = std::get<Credit>(m);
  CHECK(c.batches == 1);
  CHECK(c.applied == 5);
  CHECK(c.already_held == 4);
  CHECK(c.pending == 3);
  CHECK(c.rejected == 2);

  m = RoundTrip(Done{SampleHeads()});
  REQUIRE(std::holds_alternative<Done>(m));
  CHECK(std::get<Done>(m).heads == SampleHeads());

  m = RoundTrip(Error{ErrorCode::kOtherCommunity, "另一个社区"});
  REQUIRE(std::holds_alternative<Error>(m));
  CHECK(std::get<Error>(m).code == ErrorCode::kOtherCommunity);
  CHECK(std::get<Error>(m).message == "另一个社区");
}

TEST_CASE("a hello in sync costs bytes in proportion to the number of authors") {
  Hello small, large;
  small.heads = SampleHeads();
  for (int i = 0; i < 200; ++i) {
    Head h;
    h.author.fill(0);
    h.author[0] = static_cast<uint8_t>(i);
    h.seq = 1000000;
    large.heads.push_back(h);
  }
  size_t per_author = (EncodeMessage(large).size() - EncodeMessage(small).size()) / 198;
  CHECK(per_author <= 128);  // key, hash, seq and Cap'n Proto framing
  CHECK(EncodeMessage(small).size() < 400);
}

TEST_CASE("damaged, truncated or impossible sync messages are Corruption, never a crash") {
  Hello hello;
  hello.heads = SampleHeads();
  std::string bytes = EncodeMessage(hello);
  for (size_t cut : {size_t{0}, size_t{8}, bytes.size() / 2, bytes.size() - 8}) {
    auto r = DecodeMessage(bytes.substr(0, cut));
    CHECK(r.status().code() == Status::Code::kCorruption);
  }
  CHECK(DecodeMessage(bytes + std::string(8, '\0')).status().code() == Status::Code::kCorruption);
  CHECK(DecodeMessage("garbage!").status().code() == Status::Code::kCorruption);

  // A vector out of order, or with a key of the wrong size.
  Hello unordered;
  unordered.heads = SampleHeads();
  std::swap(unordered.heads[0], unordered.heads[1]);
  CHECK(DecodeMessage(EncodeMessage(unordered)).status().code() == Status::Code::kCorruption);

  // Random bytes and random flips of a valid message never throw.
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string noise = bytes;
    for (int k = 0; k < 4; ++k) noise[rng() % noise.size()] = static_cast<char>(rng());
    auto r = DecodeMessage(noise);
    if (!r.ok()) CHECK(r.status().code() == Status::Code::kCorruption);
    std::string random(8 * (1 + rng() % 16), '\0');
    for (char& ch : random) ch = static_cast<char>(rng());
    (void)DecodeMessage(random);
  }
}

TEST_CASE("a hello of another protocol version is read far enough to answer it") {
  Hello future;
  future.protocol_version = kProtocolVersion + 1;
  Message m = RoundTrip(future);
  REQUIRE(std::holds_alternative<Hello>(m));
  CHECK(std::get<Hello>(m).protocol_version == kProtocolVersion + 1);
}
