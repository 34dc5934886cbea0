-- 004: the peers this node syncs with over the network (`qun peer add`),
-- and how the last syncs with each went.
--
-- Local to this node like meta: a peer list is how this laptop reaches
-- others, not community data, so it is neither synced nor in the op log.
CREATE TABLE peer (
  name            TEXT PRIMARY KEY,
  address         TEXT NOT NULL,              -- tcp://HOST:PORT
  key             BLOB NOT NULL,              -- the peer's node id (Ed25519 public key)
  added_at        INTEGER NOT NULL,           -- unix ms
  last_attempt_at INTEGER,                    -- unix ms, of the last sync tried
  last_sync_at    INTEGER,                    -- unix ms, of the last sync that finished
  last_error      TEXT,                       -- why the last try failed; NULL when it worked
  failures        INTEGER NOT NULL DEFAULT 0, -- failed tries in a row, for backoff
  vector          TEXT,                       -- the peer's vector after the last sync
  relay           INTEGER NOT NULL DEFAULT 0, -- 1: the peer said it is a relay
  sent            INTEGER,                    -- change sets sent and received in the last sync
  received        INTEGER
);

-- Who may connect is read at every connection (`qun serve`'s access check):
-- the invites in the op log. This small index holds only those ops, so the
-- check costs the same with a million ops of history as with a thousand.
CREATE INDEX op_invites ON op (row_id) WHERE tbl = 'node' AND col = 'invited_by';
