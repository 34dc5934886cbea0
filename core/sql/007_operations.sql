-- 007: community operations (docs/operations.md): admission, the entry
-- ritual, activity facts, events and sign-up lists, polls, curated content,
-- warnings and bans.
--
-- Rows that belong to one group (an application, a check-in, an event...)
-- carry their group in their id: "<group id>.<32 hex>". Who may write such
-- a row (an owner or an admin of that group) is then read from the row id
-- alone, the same on every node whatever else has arrived, and a later
-- write cannot move the row to another group. group_id is that prefix, as a
-- generated column for queries; ops never write it.
--
-- Facts (check-ins, homework, talks, attendance, warnings) are insert-only:
-- each has a fresh random id, so two admins who record facts at the same
-- time add two rows and never conflict. Undoing one is a tombstone
-- (deleted = 1), like any row. Rows with a natural key (one application per
-- person and group, one sign-up per person and event, one vote per person
-- and poll) derive their id from it, so that two admins writing "the same"
-- row merge field by field.

-- Group settings: screening questions (one per line), the nickname
-- convention (e.g. city-name-trade), how many warnings make a person due
-- for removal, and the engagement-level thresholds (activity facts within a
-- rolling window of days). NULL means the default (docs/operations.md).
ALTER TABLE chat_group ADD COLUMN questions TEXT;
ALTER TABLE chat_group ADD COLUMN nickname_pattern TEXT;
ALTER TABLE chat_group ADD COLUMN warning_limit INTEGER;
ALTER TABLE chat_group ADD COLUMN level_window_days INTEGER;
ALTER TABLE chat_group ADD COLUMN level_core INTEGER;
ALTER TABLE chat_group ADD COLUMN level_active INTEGER;

-- A member's nickname in this group, the self-introduction they posted on
-- entry (following the group's template), the date their dues are paid
-- until (YYYY-MM-DD), and when their status last changed (unix ms): the
-- waitlist is served in that order, and the health report counts who left
-- per week by it.
ALTER TABLE membership ADD COLUMN nickname TEXT;
ALTER TABLE membership ADD COLUMN intro TEXT;
ALTER TABLE membership ADD COLUMN paid_until TEXT;
ALTER TABLE membership ADD COLUMN status_at INTEGER;

-- An application to join a group; id "<group>.<DerivedId(application,
-- group person)>". answers: a JSON array of {"q", "a"}. decision: one JSON
-- object {"status", "reason", "by", "at"}, one field so that a concurrent
-- approve and reject resolve whole. The membership's status (applicant,
-- active, waitlisted, rejected...) says where the person stands.
CREATE TABLE application (
  id         TEXT PRIMARY KEY,
  group_id   TEXT GENERATED ALWAYS AS (substr(id, 1, 32)) VIRTUAL,
  person_id  TEXT,
  answers    TEXT,
  paid       INTEGER,
  applied_at INTEGER,
  decision   TEXT,
  deleted    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX application_by_group ON application (group_id);

-- An activity fact: kind checkin, homework (ref: the topic), talk, share or
-- attendance (ref: the event). day is the local date it counts for
-- (YYYY-MM-DD), at the moment it was recorded or submitted (unix ms).
CREATE TABLE activity (
  id        TEXT PRIMARY KEY,
  group_id  TEXT GENERATED ALWAYS AS (substr(id, 1, 32)) VIRTUAL,
  person_id TEXT,
  kind      TEXT,
  day       TEXT,
  at        INTEGER,
  ref       TEXT,
  note      TEXT,
  deleted   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX activity_by_group ON activity (group_id, person_id, day);
CREATE INDEX activity_by_person ON activity (person_id);
CREATE INDEX activity_by_ref ON activity (ref) WHERE ref IS NOT NULL;

-- A weekly topic with its homework deadline (unix ms).
CREATE TABLE topic (
  id         TEXT PRIMARY KEY,
  group_id   TEXT GENERATED ALWAYS AS (substr(id, 1, 32)) VIRTUAL,
  title      TEXT,
  deadline   INTEGER,
  created_at INTEGER,
  deleted    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX topic_by_group ON topic (group_id);

-- An event a group holds. mode: online or offline; status: open, closed
-- (no more sign-ups) or cancelled; retro: the retrospective (复盘).
CREATE TABLE event (
  id         TEXT PRIMARY KEY,
  group_id   TEXT GENERATED ALWAYS AS (substr(id, 1, 32)) VIRTUAL,
  title      TEXT,
  starts_at  INTEGER,
  ends_at    INTEGER,
  place      TEXT,
  mode       TEXT,
  capacity   INTEGER,
  status     TEXT,
  retro      TEXT,
  created_at INTEGER,
  deleted    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX event_by_group ON event (group_id);

-- A person on an event's sign-up list (接龙); id "<group>.<DerivedId(signup,
-- event person)>". The list is ordered by (signed_at, id): the same order
-- on every node. guests: the "+1"s they bring. status: in or withdrawn.
CREATE TABLE signup (
  id        TEXT PRIMARY KEY,
  group_id  TEXT GENERATED ALWAYS AS (substr(id, 1, 32)) VIRTUAL,
  event_id  TEXT,
  person_id TEXT,
  guests    INTEGER,
  note      TEXT,
  signed_at INTEGER,
  status    TEXT,
  deleted   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX signup_by_event ON signup (event_id);

-- A poll; options: a JSON array of texts. status: open or closed.
CREATE TABLE poll (
  id         TEXT PRIMARY KEY,
  group_id   TEXT GENERATED ALWAYS AS (substr(id, 1, 32)) VIRTUAL,
  question   TEXT,
  options    TEXT,
  closes_at  INTEGER,
  status     TEXT,
  created_at INTEGER,
  deleted    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX poll_by_group ON poll (group_id);

-- A person's vote; id "<group>.<DerivedId(vote, poll person)>", so a person
-- has one vote per poll and the latest write counts. choice: the option's
-- index, from 0.
CREATE TABLE vote (
  id        TEXT PRIMARY KEY,
  group_id  TEXT GENERATED ALWAYS AS (substr(id, 1, 32)) VIRTUAL,
  poll_id   TEXT,
  person_id TEXT,
  choice    INTEGER,
  voted_at  INTEGER,
  deleted   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX vote_by_poll ON vote (poll_id);

-- Curated content (精华): a post or link kept for a group. tags: one per
-- line. person_id: who wrote or shared it, when known.
CREATE TABLE content (
  id        TEXT PRIMARY KEY,
  group_id  TEXT GENERATED ALWAYS AS (substr(id, 1, 32)) VIRTUAL,
  title     TEXT,
  url       TEXT,
  body      TEXT,
  tags      TEXT,
  person_id TEXT,
  saved_at  INTEGER,
  deleted   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX content_by_group ON content (group_id);

-- Full-text search over content, for Chinese as for Latin text: the
-- trigram tokenizer matches any run of three or more characters, with no
-- word segmentation to guess. An index of the content table, kept by
-- triggers as the op applier writes it; never synced, and rebuilt with
-- INSERT INTO content_fts(content_fts) VALUES('rebuild').
CREATE VIRTUAL TABLE content_fts USING fts5(
  title, body, tags, url, content='content', content_rowid='rowid', tokenize='trigram');
CREATE TRIGGER content_fts_insert AFTER INSERT ON content BEGIN
  INSERT INTO content_fts(rowid, title, body, tags, url)
    VALUES (new.rowid, new.title, new.body, new.tags, new.url);
END;
CREATE TRIGGER content_fts_delete AFTER DELETE ON content BEGIN
  INSERT INTO content_fts(content_fts, rowid, title, body, tags, url)
    VALUES ('delete', old.rowid, old.title, old.body, old.tags, old.url);
END;
CREATE TRIGGER content_fts_update AFTER UPDATE OF title, body, tags, url ON content BEGIN
  INSERT INTO content_fts(content_fts, rowid, title, body, tags, url)
    VALUES ('delete', old.rowid, old.title, old.body, old.tags, old.url);
  INSERT INTO content_fts(rowid, title, body, tags, url)
    VALUES (new.rowid, new.title, new.body, new.tags, new.url);
END;

-- A warning given to a person under a group's rules; given_by: the node
-- (public key, hex) that recorded it.
CREATE TABLE warning (
  id        TEXT PRIMARY KEY,
  group_id  TEXT GENERATED ALWAYS AS (substr(id, 1, 32)) VIRTUAL,
  person_id TEXT,
  reason    TEXT,
  given_by  TEXT,
  given_at  INTEGER,
  deleted   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX warning_by_group ON warning (group_id, person_id);
CREATE INDEX warning_by_person ON warning (person_id);

-- A ban from the whole community (every group); id DerivedId(ban, person).
-- active: 1 banned, 0 lifted. An owner's decision: it reaches into every
-- group. A ban from one group is that membership's status, banned.
CREATE TABLE ban (
  id        TEXT PRIMARY KEY,
  person_id TEXT,
  reason    TEXT,
  banned_by TEXT,
  banned_at INTEGER,
  active    INTEGER,
  deleted   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ban_by_person ON ban (person_id);
