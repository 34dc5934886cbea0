-- 009: the invite each redeemed code delivered, so that a node whose answer
-- was lost gets the same invite again instead of a new one (a new one would
-- grant its roles again, even after they were taken away).
--
-- Local to the inviting node, like the rest of invite_code. Null for codes
-- redeemed before this version, and for one whose answer was made after a
-- crash could record it: those are never delivered again.
ALTER TABLE invite_code ADD COLUMN invite BLOB;
