-- 002: change sets, as received from other nodes or sealed from this node's
-- own write transactions (see docs/protocol.md).
--
-- Every change set is kept as its exact bytes, so the node can forward it to
-- others and prove who wrote what. `state` says what became of it:
--   applied       its ops are in the op log (txn) and merged
--   pending       waiting for its author's earlier change sets or for the
--                 change sets it depends on
--   newer         a format this version cannot apply; kept and forwarded
--   equivocation  a second, different change set with an (author, seq)
--                 already held: kept as evidence
--   rejected      refused for `reason` (a forged chain, an unreadable payload)
CREATE TABLE change_set (
  id     INTEGER PRIMARY KEY,
  author BLOB NOT NULL,
  seq    INTEGER NOT NULL,
  hash   BLOB NOT NULL UNIQUE,
  bytes  BLOB NOT NULL,
  state  TEXT NOT NULL,
  reason TEXT,
  txn    INTEGER REFERENCES op_txn(id)
);
CREATE INDEX change_set_by_author ON change_set (author, seq);
CREATE INDEX change_set_by_state ON change_set (state);
CREATE INDEX change_set_by_txn ON change_set (txn);
