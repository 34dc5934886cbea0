-- 008: indexes found by the benchmark (docs/performance.md).
--
-- For the reports (core/reports.cc): they read a group's
-- activity facts that count (not deleted) person by person and day by day,
-- each fact once per kind and subject. With the person, day, kind and
-- subject in the index, in that order, they read them from the index alone
-- and in order: no lookup of each row, no sort to find the facts recorded
-- twice. coalesce(ref, '') is how the reports tell subjects apart (no
-- subject and an empty one are the same).
CREATE INDEX activity_facts ON activity (group_id, person_id, day, kind, coalesce(ref, ''))
  WHERE deleted = 0;

-- A person's membership of one group, and a group's members by status (who
-- holds a place, who waits): looked up for every line of an imported sheet
-- and every join. With only the one-column indexes the lookup walked all
-- of the group's members.
CREATE INDEX membership_by_group_person ON membership (group_id, person_id);
CREATE INDEX membership_by_group_status ON membership (group_id, status);

-- Every sync starts from this node's version vector: per author, the last
-- change set applied. The state column comes after the change set's bytes
-- in the row, so without this index reading it walked every change set's
-- bytes: a sync with nothing to move took 100 ms at 1.6 million ops and grew
-- with the history.
CREATE INDEX change_set_applied ON change_set (author, seq) WHERE state = 'applied';

-- The same for a single author's change sets in one state (its
-- equivocations, checked before each of its change sets is applied; its
-- pending ones): without it, the lookup read every change set of the author
-- down to its bytes, and applying a community's history took time in the
-- square of its authors' change sets.
CREATE INDEX change_set_by_author_state ON change_set (author, state, seq);
