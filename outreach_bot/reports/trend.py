"""The chronic rate at the end of every month of the school year so far."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from outreach_bot.attendance.metrics import school_year_start
from outreach_bot.reports.census import Census, chronic_census
from outreach_bot.reports.chronic import COUNT_COLUMNS, ChronicRow, row_order, tally
from outreach_bot.reports.population import Population, populations
from outreach_bot.reports.standing import KEY_COLUMNS, StudentStanding

TREND_BY: tuple[str, ...] = tuple(KEY_COLUMNS)


@dataclass(frozen=True)
class TrendPoint:
    """One group's chronic absence at the end of one month (or on the report date)."""

    month: str  # YYYY-MM
    as_of: date  # the month's last day, or the report date in its own month
    row: ChronicRow

    def values(self) -> tuple[object, ...]:
        """The cells of a trend row, in `columns` order."""
        return (*self.row.key, self.month, self.as_of, *self.row.values())


def columns(by: str) -> tuple[str, ...]:
    """The header of a trend report grouped `by`."""
    return (*KEY_COLUMNS[by], "month", "as_of", *COUNT_COLUMNS)


def month_ends(as_of: date) -> list[date]:
    """The last day of each month from July 1 of as_of's school year, then as_of itself."""
    ends = []
    day = school_year_start(as_of)
    while True:
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        end = following - timedelta(days=1)
        if end >= as_of:
            ends.append(as_of)
            return ends
        ends.append(end)
        day = following


def trend(
    session: Session,
    as_of: date,
    *,
    by: str,
    unlisted_weekdays: bool,
    school_id: str | None = None,
    keep: Callable[[StudentStanding], bool] | None = None,
) -> tuple[list[TrendPoint], list[Population] | list[Census]]:
    """Points by group then month, from the first month anyone counts; and each month's
    population or census (to say which schools were left out when). `keep` narrows the
    students (a grade, a student group, the schools a staff member covers).

    On PostgreSQL, unless narrowed by `keep`, each month is counted by the database
    (`census.chronic_census`) rather than from every student's standing."""
    ends = month_ends(as_of)
    months: list[Population] | list[Census]
    if keep is None and session.get_bind().dialect.name == "postgresql":
        months = [
            chronic_census(
                session, end, by=by, unlisted_weekdays=unlisted_weekdays, school_id=school_id
            )
            for end in ends
        ]
        while months and not months[0].counted:
            months.pop(0)  # summer, before the first school days: no point to draw
        rows = [(month.as_of, month.rows) for month in months]
    else:
        found = populations(session, ends, unlisted_weekdays=unlisted_weekdays, school_id=school_id)
        if keep is not None:
            for month in found:
                month.standings = [standing for standing in month.standings if keep(standing)]
        while found and not found[0].counted:
            found.pop(0)
        rows = [(month.as_of, tally(month.standings, by)) for month in found]
        months = found
    points = [
        TrendPoint(f"{day:%Y-%m}", day, row) for day, month_rows in rows for row in month_rows
    ]
    # Each group's line together, in month order.
    points.sort(key=lambda point: (row_order(by, point.row.key), point.as_of))
    return points, months
