-- 008: indexes found by the benchmark (docs/performance.md).
--
-- For the reports (community/reports.cc): they read a group's
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

-- A change set's author, state and seq, for what the change set rows
-- cannot answer cheaply: their state comes after the change set's bytes, so
-- reading it walks the bytes. Every sync starts from this node's version
-- vector (per author, the last change set applied): read from the rows, a
-- sync with nothing to move took 100 ms at 1.6 million ops and grew with
-- the history. And before each of an author's change sets is applied, its
-- equivocations are looked up: read from the rows, that was every change
-- set of the author, bytes and all, so applying a community's history took
-- time in the square of its authors' change sets.
CREATE INDEX change_set_by_author_state ON change_set (author, state, seq);
