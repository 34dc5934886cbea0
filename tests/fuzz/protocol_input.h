// The input format of the protocol fuzz target (protocol_fuzz.cc), shared
// with the corpus maker: which client speaks, then its messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qun::fuzz {

struct ProtocolInput {
  bool guest = false;  // the stranger rather than the admin
  std::vector<std::string> messages;
};

inline constexpr size_t kMaxProtocolMessages = 32;

// First byte: odd for the guest. Then each message as a little-endian u16
// length and its bytes; a length running past the end takes what is left.
inline ProtocolInput ParseProtocolInput(std::string_view in) {
  ProtocolInput out;
  if (in.empty()) return out;
  out.guest = (static_cast<unsigned char>(in[0]) & 1) != 0;
  in.remove_prefix(1);
  while (in.size() >= 2 && out.messages.size() < kMaxProtocolMessages) {
    size_t n = static_cast<unsigned char>(in[0]) | (static_cast<unsigned char>(in[1]) << 8);
    in.remove_prefix(2);
    n = std::min(n, in.size());
    out.messages.emplace_back(in.substr(0, n));
    in.remove_prefix(n);
  }
  return out;
}

inline std::string FormatProtocolInput(const ProtocolInput& input) {
  std::string out(1, input.guest ? '\x01' : '\x00');
  for (const std::string& m : input.messages) {
    out.push_back(static_cast<char>(m.size() & 0xff));
    out.push_back(static_cast<char>((m.size() >> 8) & 0xff));
    out += m;
  }
  return out;
}

}  // namespace qun::fuzz
