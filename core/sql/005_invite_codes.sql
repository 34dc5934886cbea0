-- 005: invite codes (`qun invite --code`): one-time secrets this node gave
-- out so that a new node can join over the network (`qun join CODE`).
--
-- Local to the inviting node: only it can redeem its codes, since the new
-- node connects to it. Only a hash of each secret is kept, so a copy of the
-- database does not let anyone join.
CREATE TABLE invite_code (
  secret_hash BLOB PRIMARY KEY,   -- BLAKE2b-256 of the 16-byte secret
  name        TEXT,               -- the new admin's name, when given
  created_at  INTEGER NOT NULL,   -- unix ms
  expires_at  INTEGER NOT NULL,   -- unix ms
  used_at     INTEGER,            -- unix ms, once redeemed
  used_by     BLOB                -- the node id that redeemed it
);
