"""The chronic rate at the end of every month of the school year so far."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from outreach_bot.attendance.metrics import school_year_start
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
) -> tuple[list[TrendPoint], list[Population]]:
    """Points by group then month, from the first month anyone counts; and each month's
    population (to say which schools were left out when). `keep` narrows the students (a
    grade, a student group, the schools a staff member covers)."""
    found = populations(
        session, month_ends(as_of), unlisted_weekdays=unlisted_weekdays, school_id=school_id
    )
    if keep is not None:
        for month in found:
            month.standings = [standing for standing in month.standings if keep(standing)]
    while found and not found[0].counted:
        found.pop(0)  # summer, before the first school days: no point to draw
    points = [
        TrendPoint(f"{month.as_of:%Y-%m}", month.as_of, row)
        for month in found
        for row in tally(month.standings, by)
    ]
    # Each group's line together, in month order.
    points.sort(key=lambda point: (row_order(by, point.row.key), point.as_of))
    return points, found
