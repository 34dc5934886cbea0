// The domain tables and columns that ops may write.
//
// This list is the op applier's allow-list: an op naming any other table or
// column is refused, so table and column names from the op log (and later
// from other nodes) are never spliced into SQL unchecked.
#pragma once

#include <string_view>
#include <vector>

namespace qun::core {

struct TableSchema {
  std::string_view name;
  std::vector<std::string_view> columns;  // without `id`, which every table has
};

const std::vector<TableSchema>& DomainTables();
const TableSchema* FindTable(std::string_view name);
bool IsDomainColumn(std::string_view table, std::string_view column);

}  // namespace qun::core
