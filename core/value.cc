#include "core/value.h"

#include <fmt/format.h>

namespace qun {

std::string ValueToDisplay(const Value& v) {
  struct Visitor {
    std::string operator()(std::monostate) const { return ""; }
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return fmt::format("{}", d); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const Bytes& b) const {
      std::string out;
      for (uint8_t c : b.data) out += fmt::format("{:02x}", c);
      return out;
    }
  };
  return std::visit(Visitor{}, v);
}

}  // namespace qun
