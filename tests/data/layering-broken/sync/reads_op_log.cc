// Reads the op log's tables with SQL of its own, where core/log_reads.h is
// the way in.
const char kSql[] = "SELECT count(*) FROM op_txn WHERE refused IS NOT NULL";
