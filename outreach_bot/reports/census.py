"""The chronic report counted by the database: band counts without loading every student.

On PostgreSQL `chronic_census` reads the counts the scan kept for the date while nothing
they were counted from has changed (`chronic_counts`), and otherwise runs the scan's rules as
one statement (`census_sql`); either way it returns the same rows `chronic.tally` makes from
`population`. Elsewhere (SQLite) it is that Python path. Tests hold them equal on the
hand-worked district and on random ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.attendance.coverage import MissingData
from outreach_bot.models import School
from outreach_bot.reports import chronic, chronic_counts
from outreach_bot.reports.census_sql import census_rows
from outreach_bot.reports.chronic import ChronicRow
from outreach_bot.reports.population import SchoolGap, no_data_sentence, population
from outreach_bot.reports.standing import BY_CHOICES, GROUPS

# The census_sql key columns behind each grouping.
_KEYS: dict[str, tuple[str, ...]] = {
    "district": ("district",),
    "school": ("school_id",),
    "grade": ("grade",),
    "zip": ("zip",),
    "group": GROUPS,
}


@dataclass
class Census:
    """A chronic report's rows on one date, and who was left out or why nobody counts."""

    as_of: date
    rows: list[ChronicRow]
    left_out: list[SchoolGap] = field(default_factory=list)
    roster_size: int = 0
    standings: int = 0  # students whose school was not left out
    with_days: int = 0  # of them, those with any school day while enrolled
    counted: int = 0  # of them, those who count in the report

    def no_data(self) -> str | None:
        """Why nobody counts on this date, as a sentence (None: somebody does)."""
        return no_data_sentence(
            self.as_of,
            counted=self.counted,
            roster_size=self.roster_size,
            left_out=self.left_out,
            standings=self.standings,
            with_days=self.with_days,
        )


def chronic_census(
    session: Session,
    as_of: date,
    *,
    by: str,
    unlisted_weekdays: bool,
    school_id: str | None = None,
) -> Census:
    """The chronic report's rows grouped `by`, counted in PostgreSQL where it runs."""
    if by not in _KEYS:
        raise ValueError(f"unknown grouping {by!r}; expected one of {', '.join(BY_CHOICES)}")
    if session.get_bind().dialect.name != "postgresql":
        return python_census(session, as_of, by, unlisted_weekdays, school_id)
    keys = _KEYS[by]
    found = chronic_counts.read(session, as_of, keys, unlisted_weekdays, school_id)
    if found is None:
        found = census_rows(session, as_of, keys, unlisted_weekdays, school_id)
    rows: dict[tuple[str, ...], ChronicRow] = {(): ChronicRow(())} if by == "district" else {}
    census = Census(as_of, [])
    gaps: list[tuple[str, int, MissingData]] = []
    for row in found:
        if row["grouping"] is None:  # a school's own row
            census.roster_size += row["roster"]
            census.standings += row["standings"]
            census.with_days += row["with_days"]
            census.counted += row["counted"]
            if row["missing"] is not None:
                missing = MissingData(row["missing"], row["needed"], row["last_attendance"])
                gaps.append((row["school_id"], row["roster"], missing))
            continue
        if not row["counted"]:
            continue
        key, value = row["grouping"], row["value"]
        found_key = () if by == "district" else ((key, value) if by == "group" else (value,))
        rows.setdefault(found_key, ChronicRow(found_key)).bands[row["band"]] += row["counted"]
    census.rows = sorted(rows.values(), key=lambda found: chronic.row_order(by, found.key))
    names: dict[str, str] = {
        row[0]: row[1] for row in session.execute(select(School.id, School.name))
    }
    census.left_out = [
        SchoolGap(school, names.get(school, school), size, missing)
        for school, size, missing in sorted(gaps, key=lambda gap: gap[0])
    ]
    return census


def python_census(
    session: Session, as_of: date, by: str, unlisted_weekdays: bool, school_id: str | None
) -> Census:
    """The same census from every student's standing (SQLite, and the referee in tests)."""
    found = population(session, as_of, unlisted_weekdays=unlisted_weekdays, school_id=school_id)
    return Census(
        as_of,
        chronic.tally(found.counted, by),
        left_out=found.left_out,
        roster_size=found.roster_size,
        standings=len(found.standings),
        with_days=sum(1 for standing in found.standings if standing.instructional_days),
        counted=len(found.counted),
    )
