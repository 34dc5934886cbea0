// Reading and writing Cap'n Proto messages that come from or go to other
// nodes: one place that turns every way outside bytes can be wrong into
// Corruption, so no decoder lets a kj::Exception escape.
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <fmt/format.h>
#include <kj/exception.h>

#include <array>
#include <cstring>
#include <string>
#include <string_view>

#include "base/status.h"

namespace qun::sync {

// The message in Cap'n Proto's standard (unpacked) framing.
inline std::string ToBytes(capnp::MessageBuilder& message) {
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  kj::ArrayPtr<const kj::byte> bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

inline capnp::Data::Reader AsData(const uint8_t* p, size_t n) { return capnp::Data::Reader(p, n); }
inline capnp::Data::Reader AsData(std::string_view s) {
  return AsData(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
template <size_t N>
capnp::Data::Reader AsData(const std::array<uint8_t, N>& a) {
  return AsData(a.data(), N);
}

// Runs `read` on the message in `bytes`, turning bad framing, out-of-bounds
// pointers and trailing garbage into Corruption (Cap'n Proto readers report
// them by throwing kj::Exception). `what` names the message for people.
template <typename T, typename Fn>
Result<T> ReadMessage(std::string_view bytes, const char* what, Fn read) {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0)
    return Status::Corruption(fmt::format(
        "a {} is damaged: {} bytes is not a whole Cap'n Proto message", what, bytes.size()));
  // Copy into word-aligned memory: the reader requires alignment.
  kj::Array<capnp::word> words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  capnp::ReaderOptions options;
  // Enough to read the whole message once, and 64 MiB more: a message of
  // pointers that all point at one place cannot cause more work than that.
  options.traversalLimitInWords = words.size() + (uint64_t{8} << 20);
  try {
    capnp::FlatArrayMessageReader reader(words, options);
    if (reader.getEnd() != words.end())
      return Status::Corruption(fmt::format("a {} is damaged: bytes follow its end", what));
    return read(reader);
  } catch (const kj::Exception& e) {
    return Status::Corruption(fmt::format("a {} is damaged: {}", what, e.getDescription().cStr()));
  }
}

// Copies a fixed-size Data field; false when its size is not N.
template <size_t N>
bool CopyFixed(capnp::Data::Reader in, std::array<uint8_t, N>* out) {
  if (in.size() != N) return false;
  std::memcpy(out->data(), in.begin(), N);
  return true;
}

}  // namespace qun::sync
