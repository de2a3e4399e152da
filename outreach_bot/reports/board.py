"""The school board's monthly summary: the district's chronic rate and its trend, schools ranked,
outreach results, and the measured effect, as of the last school day of a month.

The numbers are the reports' own rows; `board_pdf` lays them out on one page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from outreach_bot.attendance.metrics import school_year_start
from outreach_bot.config import Settings
from outreach_bot.reports import chronic, outreach, trend
from outreach_bot.reports.effect_slot import EffectTable, effect_table
from outreach_bot.reports.population import last_school_day, population
from outreach_bot.reports.tables import school_names
from outreach_bot.staff import district_settings

_MONTH = re.compile(r"(\d{4})-(\d{2})")


class BoardError(ValueError):
    """The board summary cannot be made for the month asked for; the message says why."""


@dataclass(frozen=True)
class BoardSummary:
    """What the one page holds."""

    month: str  # YYYY-MM
    as_of: date  # the month's last day, or the last school day with attendance
    district: chronic.ChronicRow
    trend: list[trend.TrendPoint]
    schools: list[chronic.ChronicRow]  # highest chronic rate first
    names: dict[str, str]
    outreach_month: outreach.OutreachRow
    outreach_year: outreach.OutreachRow
    effect: EffectTable | None
    left_out: list[str]  # schools whose data does not reach as_of, as sentences


def month_bounds(text: str) -> tuple[date, date]:
    """The first and last day of a YYYY-MM month."""
    match = _MONTH.fullmatch(text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise BoardError(f"{text!r} is not a month; expected YYYY-MM, such as 2026-10.")
    first = date(int(match[1]), int(match[2]), 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def district_board(session: Session, month: str, settings: Settings, today: date) -> BoardSummary:
    """The summary under the district's own timezone and school-calendar choice."""
    return board_summary(
        session,
        month,
        today=today,
        timezone=settings.district_timezone,
        unlisted_weekdays=district_settings.effective(session, settings).unlisted_weekdays,
    )


def board_summary(
    session: Session, month: str, *, today: date, timezone: str, unlisted_weekdays: bool
) -> BoardSummary:
    """The summary for a month (so far, when it is the current one)."""
    first, last = month_bounds(month)
    if first > today:
        raise BoardError(f"{month} has not started yet; expected a month up to {today:%Y-%m}.")
    reached = last_school_day(session, today, unlisted_weekdays=unlisted_weekdays)
    if reached is None or reached < first:
        raise BoardError(f"No attendance has been imported for any school day in {month}.")
    # A past month ends on its last day, as in the trend; the current one on the last school
    # day the attendance reaches.
    as_of = min(reached, last)
    found = population(session, as_of, unlisted_weekdays=unlisted_weekdays)
    if (empty := found.no_data()) is not None:
        raise BoardError(empty)
    points, _ = trend.trend(session, as_of, by="district", unlisted_weekdays=unlisted_weekdays)
    schools = chronic.tally(found.counted, "school")
    schools.sort(key=lambda row: (-(row.chronic_rate or 0), row.key))
    month_period = outreach.period_of(first, as_of, timezone)
    year_period = outreach.period_of(school_year_start(as_of), as_of, timezone)
    return BoardSummary(
        month=month,
        as_of=as_of,
        district=chronic.tally(found.counted, "district")[0],
        trend=points,
        schools=schools,
        names=school_names(session),
        outreach_month=outreach.outreach_rows(session, month_period, "district")[0],
        outreach_year=outreach.outreach_rows(session, year_period, "district")[0],
        effect=effect_table(session, as_of, unlisted_weekdays=unlisted_weekdays),
        left_out=[
            f"{gap.name} ({gap.students} students): {gap.missing.explained()}"
            for gap in found.left_out
        ],
    )
