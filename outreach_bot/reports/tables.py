"""The tables of the dashboard's Reports page and of its CSV downloads, from the report rows.

Every number comes from the reports' own row functions (chronic.tally, trend.trend,
students.student_rows, outreach.outreach_rows), narrowed to a Selection; nothing is counted a
second way here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.attendance.metrics import school_year_start
from outreach_bot.models import School, Student
from outreach_bot.reports import chronic, outreach, students, trend
from outreach_bot.reports.definitions import grade_order
from outreach_bot.reports.effect_slot import EffectTable, effect_table
from outreach_bot.reports.formats import transposed
from outreach_bot.reports.population import Population, last_school_day, population
from outreach_bot.reports.public import PublicRow, public_rows
from outreach_bot.reports.selection import Selection
from outreach_bot.reports.standing import GROUPS, group_value

# The downloadable tables, in page order.
TABLES: tuple[str, ...] = (
    "bands",
    "trend",
    "students",
    "outreach_school",
    "outreach_language",
    "effect",
)


@dataclass(frozen=True)
class Table:
    """A header and rows of plain values, as the page shows them and CSV writes them."""

    columns: tuple[str, ...]
    rows: list[tuple[object, ...]]


@dataclass
class ReportData:
    """Everything the Reports page shows, for one date and one selection."""

    as_of: date
    found: Population
    bands: list[chronic.ChronicRow]
    trend: list[trend.TrendPoint]
    students: list[students.StudentRow]
    outreach_school: list[outreach.OutreachRow]
    outreach_language: list[outreach.OutreachRow]
    effect: EffectTable | None
    names: dict[str, str] = field(default_factory=dict)  # school names by id

    def shown(self, name: str) -> Table | None:
        """A table as the page shows it: outreach's two dozen measures read down the page,
        one column per school or language, as the command line's table format does."""
        found = self.table(name)
        if found is None or not name.startswith("outreach_") or not found.rows:
            return found
        columns, lines = transposed(found.columns, found.rows, keys=1)
        return Table(tuple(columns), [tuple(line) for line in lines])

    def table(self, name: str) -> Table | None:
        """One table by name (None: the effect report has nothing yet)."""
        if name == "bands":
            rows = [(*row.key, *row.values()) for row in self.bands]
            return Table(chronic.columns("school"), rows)
        if name == "trend":
            return Table(trend.columns("district"), [point.values() for point in self.trend])
        if name == "students":
            return Table(students.COLUMNS, [row.values() for row in self.students])
        if name in ("outreach_school", "outreach_language"):
            by = name.removeprefix("outreach_")
            found = self.outreach_school if by == "school" else self.outreach_language
            return Table(outreach.columns(by), [(*row.key, *row.values()) for row in found])
        if name == "effect":
            if self.effect is None:
                return None
            return Table(self.effect.columns, [tuple(row) for row in self.effect.rows])
        raise ValueError(f"unknown report table {name!r}; expected one of {', '.join(TABLES)}")


def report_data(
    session: Session,
    as_of: date,
    selection: Selection,
    *,
    today: date,
    timezone: str,
    unlisted_weekdays: bool,
) -> ReportData:
    """The page's rows as of a report date; outreach from July 1 to today."""
    found = population(session, as_of, unlisted_weekdays=unlisted_weekdays)
    found.standings = selection.narrow(found.standings)
    points, _ = trend.trend(
        session, as_of, by="district", unlisted_weekdays=unlisted_weekdays, keep=selection.keeps
    )
    period = outreach.period_of(school_year_start(today), today, timezone)
    return ReportData(
        as_of=as_of,
        found=found,
        bands=chronic.tally(found.counted, "school"),
        trend=points,
        students=students.student_rows(
            session, found.counted, timezone=timezone, min_rate=students.DEFAULT_MIN_RATE
        ),
        outreach_school=outreach.outreach_rows(
            session, period, "school", schools=selection.schools
        ),
        outreach_language=outreach.outreach_rows(
            session, period, "language", schools=selection.schools
        ),
        effect=effect_table(session, as_of, unlisted_weekdays=unlisted_weekdays),
        names=school_names(session),
    )


def school_names(session: Session) -> dict[str, str]:
    """Every school's name by id."""
    return {row[0]: row[1] for row in session.execute(select(School.id, School.name))}


def filter_choices(session: Session, schools: frozenset[str] | None) -> dict[str, Sequence[str]]:
    """The grades and student-group values on the roster of the schools within reach."""
    query = select(Student.grade, *(getattr(Student, group) for group in GROUPS))
    if schools is not None:
        query = query.where(Student.school_id.in_(sorted(schools)))
    grades: set[str] = set()
    groups: set[tuple[int, str]] = set()
    for grade, *values in session.execute(query):
        grades.add(grade)
        groups.update((index, group_value(value)) for index, value in enumerate(values))
    return {
        "grades": sorted(grades, key=grade_order),
        "groups": [f"{GROUPS[index]}={value}" for index, value in sorted(groups)],
    }


def public_aggregates(
    session: Session, today: date, *, unlisted_weekdays: bool
) -> tuple[date, list[PublicRow]] | None:
    """The public table as of the last school day with attendance (None: nothing imported)."""
    as_of = last_school_day(session, today, unlisted_weekdays=unlisted_weekdays)
    if as_of is None:
        return None
    found = population(session, as_of, unlisted_weekdays=unlisted_weekdays)
    return as_of, public_rows(found.counted, school_names(session))
