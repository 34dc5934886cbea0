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
  // Rows of this table belong to one group, named by the first 32
  // characters of their id ("<group id>.<32 hex>", see GroupRowId): who may
  // write them follows from the id alone (core/permissions.h).
  bool group_scoped = false;
};

const std::vector<TableSchema>& DomainTables();
const TableSchema* FindTable(std::string_view name);
bool IsDomainColumn(std::string_view table, std::string_view column);
bool IsGroupScoped(std::string_view table);

}  // namespace qun::core
