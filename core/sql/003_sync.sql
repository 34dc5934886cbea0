-- 003: what merging other nodes' change sets needs (see docs/correctness.md,
-- "Clocks that run ahead").
--
-- node.invited_by: the node (public key, hex) whose `qun invite` let this
-- node into the community. A change set is applied only when its author is
-- the founder or has been invited this way.
ALTER TABLE node ADD COLUMN invited_by TEXT;

-- The ceiling of a transaction: no op of it counts as later than this HLC
-- when fields are compared. NULL means no ceiling (nothing to measure the
-- author's clock against yet).
ALTER TABLE op_txn ADD COLUMN ceiling INTEGER;

-- field_clock.hlc is the winning op's effective HLC (its own HLC, lowered to
-- its transaction's ceiling); raw is the op's own HLC, which orders the
-- writes of one author that share a ceiling. NULL raw means raw = hlc.
ALTER TABLE field_clock ADD COLUMN raw INTEGER;

-- The highest effective HLC of the author's change sets up to this one: what
-- a change set that depends on it may be measured against.
ALTER TABLE change_set ADD COLUMN chain_max INTEGER;

-- Sealing reads a transaction's ops by txn; without this, every sealing
-- scans the whole op log.
CREATE INDEX op_by_txn ON op (txn);
