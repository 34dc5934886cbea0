#include "core/state_hash.h"

#include <fmt/format.h>
#include <sodium.h>

#include "core/identity.h"
#include "core/schema.h"

namespace qun::core {

Result<std::string> StateHash(Database& db) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 32);
  auto feed = [&](const std::string& bytes) {
    uint64_t n = bytes.size();
    uint8_t len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(n >> (8 * i));
    crypto_generichash_update(&state, len, sizeof len);
    crypto_generichash_update(&state, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  };
  for (const TableSchema& t : DomainTables()) {
    std::string columns = "id";
    for (auto c : t.columns) columns += fmt::format(", {}", c);
    feed(std::string(t.name));
    // A placeholder row (only ops that do not count, or none left, wrote
    // it: core/oplog.h) is no data: nodes may hold it or not depending on
    // what they saw first.
    QUN_ASSIGN_OR_RETURN(
        Statement s,
        db.Prepare(fmt::format("SELECT {0} FROM {1} t WHERE EXISTS (SELECT 1 FROM field_clock c "
                               "WHERE c.tbl = '{1}' AND c.row_id = t.id) ORDER BY id",
                               columns, t.name)));
    const int n = static_cast<int>(t.columns.size()) + 1;
    while (true) {
      QUN_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      for (int i = 0; i < n; ++i) {
        Value v = s.GetValue(i);
        // Type tag first: 1 and '1' and null and '' must differ.
        feed(std::string(1, static_cast<char>('0' + v.index())));
        if (auto* i64 = std::get_if<int64_t>(&v)) feed(std::to_string(*i64));
        if (auto* d = std::get_if<double>(&v)) feed(fmt::format("{}", *d));
        if (auto* str = std::get_if<std::string>(&v)) feed(*str);
        if (auto* b = std::get_if<Bytes>(&v)) feed(std::string(b->data.begin(), b->data.end()));
      }
    }
  }
  // The roles each node holds, as the authority rules decided them: two
  // nodes that agree on the data but not on who may change it differ.
  feed("node_role");
  QUN_ASSIGN_OR_RETURN(Statement roles, db.Prepare("SELECT node, role, group_id FROM node_role "
                                                   "ORDER BY node, role, group_id"));
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, roles.Step());
    if (!row) break;
    feed(roles.Text(0) + " " + roles.Text(1) + " " + roles.Text(2));
  }
  uint8_t out[32];
  crypto_generichash_final(&state, out, sizeof out);
  return ToHex(out, sizeof out);
}

}  // namespace qun::core
