"""Period attendance rolled up to the day, by the district's rule.

Pure: a day's period marks in, the day's status out. Secondary schools take attendance each
period; the scan counts days. The district sets what share of a day's periods a student must
miss for the day to count as an absence (100%: absent every period; any less is a partial
day, counted as attended with the minutes missed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ABSENT_STATUSES = frozenset({"absent", "excused", "unexcused"})
ALL_PERIODS = 100


@dataclass(frozen=True)
class PeriodRule:
    """A day is an absence when the student missed at least `absent_percent` of its periods."""

    absent_percent: int = ALL_PERIODS

    def __post_init__(self) -> None:
        if not 1 <= self.absent_percent <= 100:
            raise ValueError(
                f"absent_percent is {self.absent_percent}; expected a whole number from 1 to 100"
            )


@dataclass(frozen=True)
class PeriodMark:
    """One period's attendance: a status and, when the export says, the minutes missed."""

    status: str
    minutes_missed: int | None = None


@dataclass(frozen=True)
class DayAttendance:
    """A day rolled up from its periods."""

    status: str
    minutes_missed: int | None
    periods_missed: int
    periods: int


def roll_up(marks: Sequence[PeriodMark], rule: PeriodRule) -> DayAttendance:
    """The day's status from its periods' marks, by the district's rule."""
    if not marks:
        raise ValueError("a day needs at least one period to roll up")
    missed = [mark for mark in marks if mark.status in ABSENT_STATUSES]
    given = [mark.minutes_missed for mark in marks if mark.minutes_missed is not None]
    minutes = min(sum(given), 24 * 60) if given else None
    if missed and len(missed) * 100 >= rule.absent_percent * len(marks):
        kinds = {mark.status for mark in missed}
        # Excused or unexcused only when every missed period says so; a mix is plain absent.
        status = kinds.pop() if len(kinds) == 1 else "absent"
    elif any(mark.status == "tardy" for mark in marks) and not missed:
        status = "tardy"
    else:
        status = "present"  # a partial day: at school for part of it
    return DayAttendance(status, minutes, len(missed), len(marks))
