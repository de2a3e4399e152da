"""The chronic report on the last school day, counted once by the scan and read back while
nothing it was counted from has changed (PostgreSQL).

Counting a district of a million students takes seconds; reading a school's band counts back
takes milliseconds. `refresh` (the scan calls it) runs the census statement for the report's
default date, school by school and for every grouping, and keeps the rows with the snapshot
they were counted in. `read` returns them only for that date and those rules, and only when
every transaction that changed an input (noted by the triggers of migration 0011) is visible
in that snapshot: an import, a correction, a transfer or a new day since means counting
afresh, so a report never prints a number its own count would not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date

from sqlalchemy import RowMapping, text
from sqlalchemy.orm import Session

from outreach_bot.clock import utcnow
from outreach_bot.reports.census_sql import (
    KEY_EXPRESSIONS,
    census_params,
    census_statement,
    tune,
)
from outreach_bot.reports.definitions import MIN_INSTRUCTIONAL_DAYS
from outreach_bot.reports.population import last_school_day

# Every grouping, school by school: what the scan keeps.
_STATEMENT = census_statement(tuple(KEY_EXPRESSIONS), each_school=True)
# The rules the counts were made by, the statement and the minimum of school days, hashed:
# after a release that changes either, reports count afresh until the next scan.
RULES = hashlib.sha256(f"{MIN_INSTRUCTIONAL_DAYS}\n{_STATEMENT}".encode()).hexdigest()
_COLUMNS = "roster, standings, with_days, counted, missing, needed, last_attendance"
_VISIBLE = "pg_visible_in_snapshot(CAST(CAST({0}.xid AS text) AS xid8), CAST({1} AS pg_snapshot))"


def refresh(session: Session, today: date, *, unlisted_weekdays: bool) -> date | None:
    """Count the report's default date (the last school day the attendance reaches by
    `today`) for every school and grouping, and keep it; the date, or None when there is no
    attendance to count (nothing is kept then). Nothing to do off PostgreSQL."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    # One refresh at a time; reports keep reading the old rows until this one commits.
    session.execute(text("LOCK TABLE chronic_counts_taken IN SHARE ROW EXCLUSIVE MODE"))
    session.execute(
        text("WITH taken AS (DELETE FROM chronic_counts_taken) DELETE FROM chronic_counts")
    )
    as_of = last_school_day(session, today, unlisted_weekdays=unlisted_weekdays)
    if as_of is None:
        return None
    # The snapshot first: the count below sees at least what it saw, so a change the count
    # includes but the snapshot misses can only make reports count afresh, never go stale.
    # The changes it saw, and this transaction's own so far, are in the count: forgotten.
    # Any this transaction makes after it are not: its own xid never counts as seen.
    session.execute(
        text(f"""
            WITH taken AS (
                INSERT INTO chronic_counts_taken
                    (as_of, unlisted_weekdays, rules, snapshot, xid, taken_at)
                VALUES (:as_of, :weekdays, :rules, CAST(pg_current_snapshot() AS text),
                        CAST(CAST(pg_current_xact_id() AS text) AS bigint), :now)
                RETURNING snapshot, xid
            )
            DELETE FROM chronic_count_changes c USING taken
            WHERE c.xid = taken.xid OR {_VISIBLE.format("c", "taken.snapshot")}
        """),
        {
            "as_of": as_of,
            "weekdays": unlisted_weekdays,
            "rules": RULES,
            "now": utcnow(),
        },
    )
    tune(session)
    session.execute(
        text(f"""
            INSERT INTO chronic_counts (school_id, grouping, value, band, {_COLUMNS})
            SELECT school_id, coalesce(grouping, ''), coalesce(value, ''), coalesce(band, ''),
                   {_COLUMNS}
            FROM ({_STATEMENT}) census
        """),
        census_params(as_of, unlisted_weekdays, None),
    )
    return as_of


def read(
    session: Session,
    as_of: date,
    keys: tuple[str, ...],
    unlisted_weekdays: bool,
    school_id: str | None,
) -> Sequence[RowMapping] | None:
    """The kept rows for `keys` and each school's own row, as `census_sql.census_rows`
    returns them; None unless they were counted for this date and these rules and no input
    has changed since."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    # One statement, so the check and the rows are read in one snapshot.
    rows = (
        session.execute(
            text(f"""
                SELECT c.school_id, nullif(c.grouping, '') AS grouping, c.value,
                       nullif(c.band, '') AS band, c.roster, c.standings, c.with_days,
                       c.counted, c.missing, c.needed, c.last_attendance
                FROM chronic_counts_taken t
                LEFT JOIN chronic_counts c
                    ON (c.grouping = '' OR c.grouping = ANY(:keys))
                   AND (CAST(:school AS text) IS NULL OR c.school_id = :school)
                WHERE t.as_of = :as_of AND t.unlisted_weekdays = :weekdays
                  AND t.rules = :rules
                  AND NOT EXISTS (
                      SELECT 1 FROM chronic_count_changes x
                      WHERE x.xid = t.xid OR NOT {_VISIBLE.format("x", "t.snapshot")}
                  )
            """),
            {
                "keys": list(keys),
                "school": school_id,
                "as_of": as_of,
                "weekdays": unlisted_weekdays,
                "rules": RULES,
            },
        )
        .mappings()
        .all()
    )
    if not rows:
        return None
    return [row for row in rows if row["school_id"] is not None]
