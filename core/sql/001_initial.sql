-- 001: the community registry, its op log and the node's own state.
--
-- Domain tables (community, node, chat_group, person, person_handle,
-- person_tag, membership) are materialized views of the op log: only the op
-- applier in core/oplog.cc writes them. They have no NOT NULL or UNIQUE
-- constraints on data columns, because merging two admins' changes must never
-- fail on a constraint; rules such as "group names are unique" are checked by
-- the registry on local writes. Rows are never deleted: `deleted` is a
-- tombstone field like any other. Foreign keys are deferred so that the ops
-- of one transaction may arrive in any order.

-- Local state of this node, never synced: schema facts, the HLC high-water mark.
-- `value` columns have no declared type on purpose: that gives them no type
-- affinity, so a text such as '+8613800000000' or '007' is stored exactly as
-- written. (A declared type like ANY would mean NUMERIC affinity in an
-- ordinary table, and SQLite would turn those texts into numbers.)
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value
) WITHOUT ROWID;

-- Every author whose ops this node holds, by Ed25519 public key. The op log
-- refers to authors by this table's small integer id.
CREATE TABLE op_author (
  id     INTEGER PRIMARY KEY,
  pubkey BLOB NOT NULL UNIQUE
);

-- One local write transaction of one author: the unit sync will ship as a
-- change set. seq counts 1, 2, 3... per author.
CREATE TABLE op_txn (
  id     INTEGER PRIMARY KEY,
  author INTEGER NOT NULL REFERENCES op_author(id),
  seq    INTEGER NOT NULL,
  hlc    INTEGER NOT NULL,
  note   TEXT,
  UNIQUE (author, seq)
);

-- The op log: one row per field write, insert-only.
CREATE TABLE op (
  id     INTEGER PRIMARY KEY,
  txn    INTEGER NOT NULL REFERENCES op_txn(id),
  tbl    TEXT NOT NULL,
  row_id TEXT NOT NULL,
  col    TEXT NOT NULL,
  value,
  hlc    INTEGER NOT NULL,
  author INTEGER NOT NULL REFERENCES op_author(id)
);
CREATE INDEX op_by_row ON op (row_id, hlc);
CREATE INDEX op_by_hlc ON op (hlc);

-- The winning (HLC, author) of every field: last-writer-wins state.
CREATE TABLE field_clock (
  tbl    TEXT NOT NULL,
  row_id TEXT NOT NULL,
  col    TEXT NOT NULL,
  hlc    INTEGER NOT NULL,
  author BLOB NOT NULL,
  PRIMARY KEY (tbl, row_id, col)
) WITHOUT ROWID;

CREATE TABLE community (
  id         TEXT PRIMARY KEY,
  name       TEXT,
  created_at INTEGER
);

-- Nodes (admins' laptops) as the community knows them: id is the public key in hex.
CREATE TABLE node (
  id      TEXT PRIMARY KEY,
  name    TEXT,
  deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE chat_group (
  id             TEXT PRIMARY KEY,
  name           TEXT,
  kind           TEXT,
  platform       TEXT,
  handle         TEXT,
  capacity       INTEGER,
  admission      TEXT,
  fee_cents      INTEGER,
  rules          TEXT,
  intro_template TEXT,
  status         TEXT,
  created_at     INTEGER,
  deleted        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX chat_group_by_name ON chat_group (name);

CREATE TABLE person (
  id           TEXT PRIMARY KEY,
  display_name TEXT,
  nickname     TEXT,
  city         TEXT,
  intro        TEXT,
  needs        TEXT,
  offers       TEXT,
  referred_by  TEXT REFERENCES person(id) DEFERRABLE INITIALLY DEFERRED,
  notes        TEXT,
  created_at   INTEGER,
  deleted      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX person_by_name ON person (display_name);

-- A contact handle (wechat, phone, email). Its id derives from kind and value,
-- so one handle is one row community-wide.
CREATE TABLE person_handle (
  id        TEXT PRIMARY KEY,
  person_id TEXT REFERENCES person(id) DEFERRABLE INITIALLY DEFERRED,
  kind      TEXT,
  value     TEXT,
  deleted   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX person_handle_by_person ON person_handle (person_id);
CREATE INDEX person_handle_by_value ON person_handle (kind, value);

-- One interest tag on one person; id derives from (person, tag).
CREATE TABLE person_tag (
  id        TEXT PRIMARY KEY,
  person_id TEXT REFERENCES person(id) DEFERRABLE INITIALLY DEFERRED,
  tag       TEXT,
  deleted   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX person_tag_by_person ON person_tag (person_id);
CREATE INDEX person_tag_by_tag ON person_tag (tag);

-- A person in a group; id derives from (group, person).
CREATE TABLE membership (
  id         TEXT PRIMARY KEY,
  group_id   TEXT REFERENCES chat_group(id) DEFERRABLE INITIALLY DEFERRED,
  person_id  TEXT REFERENCES person(id) DEFERRABLE INITIALLY DEFERRED,
  role       TEXT,
  status     TEXT,
  joined_at  INTEGER,
  invited_by TEXT REFERENCES person(id) DEFERRABLE INITIALLY DEFERRED,
  deleted    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX membership_by_group ON membership (group_id);
CREATE INDEX membership_by_person ON membership (person_id);
