// The typed value of one field, as the op log stores and sync will carry it:
// null, integer, real, text or bytes (SQLite's own storage classes).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace qun {

struct Bytes {
  std::vector<uint8_t> data;
  bool operator==(const Bytes&) const = default;
};

using Value = std::variant<std::monostate, int64_t, double, std::string, Bytes>;

// Raw bytes (a key, a hash, a change set) as a blob value for a statement.
inline Bytes Blob(const uint8_t* p, size_t n) { return Bytes{std::vector<uint8_t>(p, p + n)}; }
template <size_t N>
Bytes Blob(const std::array<uint8_t, N>& a) {
  return Blob(a.data(), N);
}

inline bool IsNull(const Value& v) { return std::holds_alternative<std::monostate>(v); }

// A human-readable rendering for logs and tables: null is "", bytes as hex.
std::string ValueToDisplay(const Value& v);

}  // namespace qun
