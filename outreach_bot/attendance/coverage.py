"""Whether a school's data reaches the day scanned: the scan never guesses where data is missing.

Pure: dates in, a verdict out. A school's attendance "has arrived through" the latest date
of any attendance record of its students this school year. Up to that date a student with
no record was at school (many districts export absences only); after it nothing is known,
so a scan that needs a later day skips the school: no numbers saved, nothing fired.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

NO_CALENDAR = "no_calendar"
NO_ATTENDANCE = "no_attendance"
LATE_ATTENDANCE = "late_attendance"
REASONS: tuple[str, ...] = (NO_CALENDAR, NO_ATTENDANCE, LATE_ATTENDANCE)


@dataclass(frozen=True)
class MissingData:
    """Why a school cannot be scanned as of a day, and what would have been needed."""

    reason: str  # one of REASONS
    needed: date | None  # the latest school day up to the scan, whose attendance is missing
    last_attendance: date | None  # the latest day with any attendance (None: none this year)

    def explained(self) -> str:
        """What is missing, as the end of a sentence about the school; it names no student."""
        if self.reason == NO_CALENDAR:
            return "no calendar for this school year, so it has no school days"
        needed = self.needed.isoformat() if self.needed else "the day scanned"
        if self.last_attendance is None:
            return (
                f"attendance for {needed} has not arrived (no attendance at all this school year)"
            )
        return (
            f"attendance for {needed} has not arrived"
            f" (the last day with attendance is {self.last_attendance.isoformat()})"
        )


def missing_data(
    school_days: Sequence[date], *, has_calendar: bool, last_attendance: date | None
) -> MissingData | None:
    """What keeps a school from being scanned (None: its data covers every day it needs).

    `school_days` are the school's sorted instructional days this year up to the scan;
    `has_calendar` whether its calendar lists any date of the school year at all;
    `last_attendance` the latest date of any attendance record of its students this year.
    """
    if not school_days:
        # No school day yet is fine (a calendar that starts later); no calendar at all is not:
        # counting nothing would report every student as never absent.
        return None if has_calendar else MissingData(NO_CALENDAR, None, last_attendance)
    needed = school_days[-1]
    if last_attendance is None:
        return MissingData(NO_ATTENDANCE, needed, None)
    if last_attendance < needed:
        return MissingData(LATE_ATTENDANCE, needed, last_attendance)
    return None
