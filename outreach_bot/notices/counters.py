"""Truancy counters: a student's unexcused days and long tardies in one school year.

Pure: attendance rows in, counts out. What counts is what the district's data says, never a
guess (California Education Code 48260):
- an unexcused full day is a record whose status is `unexcused`;
- a tardy or partial absence counts when its status is `tardy` or `present` (a partial day,
  as period roll-ups and Ed-Fi's `Early Departure`/`Partial` are stored) and it says more
  than `partial_minutes` minutes were missed: exactly 30 does not count, 31 does; a tardy
  with no minutes given is not counted, since how long it was is not known;
- an `excused` record never counts, whatever its minutes;
- an `absent` record (the export does not say excused or not) is not counted either, and is
  reported as unclassified so staff can settle it: map the district's codes to `excused` or
  `unexcused` (`--codes`) for them to count.
Each date counts once (a student has one record a day), and each school year (from July 1)
starts again at zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from outreach_bot.attendance.metrics import school_year_start

UNEXCUSED_DAYS = "unexcused_days"
LONG_TARDIES = "tardies_over_30"
TRUANCIES = "truancies"  # the two together: 48260's "any combination thereof"
COUNTERS = (UNEXCUSED_DAYS, LONG_TARDIES, TRUANCIES)
PARTIAL_MINUTES = 30  # more than this many minutes late or away counts
CHRONIC_SHARE = 0.10  # 48263.6: unexcused for 10% or more of the school days enrolled


@dataclass(frozen=True)
class AttendanceRow:
    """One day of a student's attendance, as stored."""

    day: date
    status: str
    minutes_missed: int | None = None


@dataclass(frozen=True)
class Truancy:
    """A student's counted days in one school year, in date order."""

    unexcused_days: tuple[date, ...] = ()
    long_tardies: tuple[date, ...] = ()
    unclassified: int = 0  # `absent` records: neither excused nor unexcused in the data

    @property
    def dates(self) -> tuple[date, ...]:
        """Every counted date, full days and long tardies together, in order."""
        return tuple(sorted((*self.unexcused_days, *self.long_tardies)))

    def count(self, counter: str) -> int:
        """The value of one counter (see COUNTERS)."""
        if counter == UNEXCUSED_DAYS:
            return len(self.unexcused_days)
        if counter == LONG_TARDIES:
            return len(self.long_tardies)
        if counter == TRUANCIES:
            return len(self.unexcused_days) + len(self.long_tardies)
        raise ValueError(f"unknown counter {counter!r}; expected one of {', '.join(COUNTERS)}")

    def counted(self, counter: str) -> tuple[date, ...]:
        """The dates one counter counts."""
        if counter == UNEXCUSED_DAYS:
            return self.unexcused_days
        if counter == LONG_TARDIES:
            return self.long_tardies
        if counter == TRUANCIES:
            return self.dates
        raise ValueError(f"unknown counter {counter!r}; expected one of {', '.join(COUNTERS)}")

    def counts(self) -> dict[str, int]:
        """Every counter's value, by name."""
        return {name: self.count(name) for name in COUNTERS}


def count_truancy(
    rows: Iterable[AttendanceRow], as_of: date, partial_minutes: int = PARTIAL_MINUTES
) -> Truancy:
    """The counters over the school year of `as_of`, up to and including `as_of`."""
    start = school_year_start(as_of)
    full: list[date] = []
    partial: list[date] = []
    unclassified = 0
    for row in rows:
        if not start <= row.day <= as_of:
            continue
        if row.status == "unexcused":
            full.append(row.day)
        elif row.status in ("tardy", "present"):
            if row.minutes_missed is not None and row.minutes_missed > partial_minutes:
                partial.append(row.day)
        elif row.status == "absent":
            unclassified += 1
    return Truancy(tuple(sorted(full)), tuple(sorted(partial)), unclassified)


@dataclass(frozen=True)
class ChronicTruancy:
    """48263.6: whether a student was absent without a valid excuse for `share` or more of
    the school days they were enrolled this school year, up to the last scan."""

    unexcused_days: int
    school_days: int
    share: float = CHRONIC_SHARE

    @property
    def rate(self) -> float:
        """Unexcused full days over school days enrolled (0 before the first school day)."""
        return self.unexcused_days / self.school_days if self.school_days else 0.0

    @property
    def chronic(self) -> bool:
        """A chronic truant: the rate reaches the share (10% exactly counts)."""
        return self.school_days > 0 and self.unexcused_days >= self.share * self.school_days
