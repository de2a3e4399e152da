"""A table's indexes built once after a large insert, instead of a row at a time during it.

PostgreSQL keeps every index of a table up to date with each row an INSERT adds: for a
district's first guardians.csv, most of the insert's time (1,000,000 rows: 6.8 s with the
indexes; 2.0 s with the primary key alone, and 1.7 s to build the others after).
`indexes_built_after` drops the table's indexes and the constraints they back, lets the
block insert, then creates each again as the catalog said it was (`pg_get_indexdef`,
`pg_get_constraintdef`, the same names), sorting each index's rows once with
`maintenance_work_mem` raised for the transaction.

Kept in place, as they are:
- the primary key, and any index another table's foreign key refers to: other tables' keys
  point at it (students', guardians', schools'), and for attendance and students it is the
  key the merge's lookups use and a new key given twice fails on;
- an index that is not valid (a CREATE INDEX CONCURRENTLY that failed) or that is the
  table's replica identity: creating either again would not give back what was there.

PostgreSQL only. The DROPs take an ACCESS EXCLUSIVE lock on the table, held until the
transaction ends: every other reader and writer of it waits until the import commits or
rolls back (see docs/architecture.md, "Indexes built after a first import"). A unique
constraint the rows break fails when it is built, an `IntegrityError` as the INSERT's own
would have been, and the caller's rollback (the transaction's, or a savepoint's) brings the
indexes back as they were: DDL is transactional in PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session

# Room to sort an index's keys in memory (as work_mem is raised for the merge's joins):
# the default 64 MB sorts a million guardians' keys in batches on disk.
_MAINTENANCE_WORK_MEM = "256MB"

# For each index of :table that can go: the statement that drops it and the one that makes
# it again, from the catalog; an index behind a constraint goes with its constraint.
_SET_ASIDE = """
SELECT
    CASE WHEN c.oid IS NULL THEN format('DROP INDEX %s', i.indexrelid::regclass)
         ELSE format('ALTER TABLE %s DROP CONSTRAINT %I', i.indrelid::regclass, c.conname)
    END,
    CASE WHEN c.oid IS NULL THEN pg_get_indexdef(i.indexrelid)
         ELSE format('ALTER TABLE %s ADD CONSTRAINT %I %s',
                     i.indrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
    END
FROM pg_index AS i
LEFT JOIN pg_constraint AS c
    ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x')
WHERE i.indrelid = to_regclass(:table)
    AND NOT i.indisprimary
    AND i.indisvalid
    AND NOT i.indisreplident
    AND NOT EXISTS (
        SELECT FROM pg_constraint AS f WHERE f.contype = 'f' AND f.conindid = i.indexrelid
    )
ORDER BY i.indexrelid
"""


@contextmanager
def indexes_built_after(session: Session, table: str) -> Iterator[None]:
    """Drop `table`'s indexes but its primary key (and those other tables' keys refer to),
    run the block, then build them again as they were, in the caller's transaction."""
    set_aside = session.execute(text(_SET_ASIDE), {"table": table}).all()
    for drop, _create in set_aside:
        _execute(session, drop)
    yield
    if not set_aside:
        return
    saved = session.execute(
        text(
            "SELECT current_setting('maintenance_work_mem'),"
            " set_config('maintenance_work_mem', :memory, true)"
        ),
        {"memory": _MAINTENANCE_WORK_MEM},
    ).one()[0]
    for _drop, create in set_aside:
        _execute(session, create)
    session.execute(
        text("SELECT set_config('maintenance_work_mem', :memory, true)"), {"memory": saved}
    )


def _execute(session: Session, statement: str) -> None:
    # Through SQLAlchemy, whose errors the callers catch (an IntegrityError); a colon made
    # literal, since a definition (a partial index's condition, a cast) may hold one where a
    # text() statement would read a parameter. (text() doubles a percent sign itself.)
    session.execute(text(statement.replace(":", "\\:")))
