"""How an SIS attendance export is read: the district's codes, and period rows rolled up to days.

A plain attendance file (one row per student and day, standard statuses) is the ATTENDANCE
kind as it is. With a codes table the status column holds the district's codes; with a
`period` column each row is one period, and the rows of a day become one stored day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from outreach_bot.attendance import csv_fields as read
from outreach_bot.attendance.codes import AttendanceCodes
from outreach_bot.attendance.csv_kinds import ATTENDANCE, Column, Kind
from outreach_bot.attendance.periods import PeriodMark, PeriodRule, roll_up

PERIOD = Column("period", read.text(32), "a period such as 3 or 2A", True)
DayKey = tuple[str, date]


@dataclass(frozen=True)
class PeriodDays:
    """How a period file's rows become days: the kind each day is stored as, and the rule."""

    day_kind: Kind
    rule: PeriodRule

    def days(
        self, periods: Mapping[tuple[Any, ...], dict[str, Any]], spoiled: Collection[DayKey]
    ) -> dict[tuple[Any, ...], dict[str, Any]]:
        """Each day's values from its periods; days in `spoiled` (a bad period row) are left out,
        since rolling up the rest would be a guess."""
        by_day: dict[DayKey, list[dict[str, Any]]] = defaultdict(list)
        for values in periods.values():
            key = (values["student_id"], values["date"])
            if key not in spoiled:
                by_day[key].append(values)
        days: dict[tuple[Any, ...], dict[str, Any]] = {}
        for (student_id, day), rows in by_day.items():
            marks = [PeriodMark(row["status"], row.get("minutes_missed")) for row in rows]
            rolled = roll_up(marks, self.rule)
            values = {"student_id": student_id, "date": day, "status": rolled.status}
            if any("minutes_missed" in row for row in rows):
                values["minutes_missed"] = rolled.minutes_missed
            reasons = sorted({row["reason"] for row in rows if row.get("reason")})
            if any("reason" in row for row in rows):
                values["reason"] = "; ".join(reasons)[:200] or None
            days[(student_id, day)] = values
        return days


def attendance_kind(codes: AttendanceCodes | None) -> Kind:
    """The attendance kind, reading the district's codes in the status column when given."""
    if codes is None:
        return ATTENDANCE
    expected = f"a code from {codes.source}, or present, absent, tardy, excused or unexcused"
    columns = tuple(
        replace(column, read=codes.status, expected=expected) if column.name == "status" else column
        for column in ATTENDANCE.columns
    )

    def fill_minutes(cells: Mapping[str, str], values: dict[str, Any]) -> None:
        # A code may stand for a number of minutes (T30: thirty minutes late); a row's own
        # minutes_missed wins.
        if values.get("minutes_missed") is None:
            minutes = codes.minutes_missed(cells["status"].strip())
            if minutes is not None:
                values["minutes_missed"] = minutes

    return replace(ATTENDANCE, columns=columns, complete=fill_minutes)


def reading_of(
    kind: Kind,
    header: Collection[str],
    *,
    codes: AttendanceCodes | None = None,
    periods: PeriodRule | None = None,
) -> tuple[Kind, PeriodDays | None]:
    """How to read a file of `kind` with this header: the kind its rows are read as, and how
    period rows become days (None for a file of days)."""
    if kind.name != ATTENDANCE.name:
        if codes is not None:
            raise ValueError("a codes table applies to attendance files only")
        return kind, None
    day_kind = attendance_kind(codes)
    if PERIOD.name not in header:
        return day_kind, None
    period_kind = replace(
        day_kind,
        columns=(*day_kind.columns, PERIOD),
        key=("student_id", "date", "period"),
        once="a student may have one row per date and period",
    )
    return period_kind, PeriodDays(day_kind, periods or PeriodRule())
