-- 006: roles (docs/security.md, "Roles").
--
-- Roles are granted and revoked by ops of the table node_role (row id: the
-- node's id; column: the role, "owner", "editor", "viewer", "relay" or
-- "admin:<group id>"; value: 1 granted, 0 revoked). Those ops are not merged
-- last-writer-wins: sync/authority.cc decides which of them stand and writes
-- the roles each node holds now into the table below.

-- Why a transaction's ops do not count: its author did not hold the role
-- they need in the change set's causal past, or a concurrent revocation
-- overrode it. NULL: they count. Refused ops stay in the log, so that a
-- later change (a revocation itself overridden) can let them count again.
ALTER TABLE op_txn ADD COLUMN refused TEXT;

-- The roles each node holds now, as the authority rules decide them from
-- the op log. Derived data like the domain tables; rewritten whole.
CREATE TABLE node_role (
  node       TEXT NOT NULL,           -- node id (public key, hex)
  role       TEXT NOT NULL,           -- owner, admin, editor, viewer, relay
  group_id   TEXT NOT NULL DEFAULT '',-- for admin: the group
  granted_by TEXT,                    -- the node whose grant stands
  PRIMARY KEY (node, role, group_id)
) WITHOUT ROWID;

-- The authority rules read every transaction that grants or revokes a role
-- or invites a node; this index holds only those ops.
CREATE INDEX op_roles ON op (txn) WHERE tbl = 'node_role' OR (tbl = 'node' AND col = 'invited_by');

-- The roles an invite code grants, as role columns one per line (owner when
-- NULL: codes made before roles existed let in co-admins with every right).
ALTER TABLE invite_code ADD COLUMN roles TEXT;
