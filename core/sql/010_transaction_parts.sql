-- 010: a write transaction kept in parts. A transaction too large for one
-- change set (a big sheet imported at once) is written as several op_txn
-- rows of consecutive seqs, each sealed into its own change set; every part
-- but the last has `continues` = 1. Nodes apply the parts of one
-- transaction together or not at all (docs/protocol.md, "Transactions in
-- parts").
ALTER TABLE op_txn ADD COLUMN continues INTEGER NOT NULL DEFAULT 0;
