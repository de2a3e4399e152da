"""A student's attendance numbers: absences, streaks, rate and Attendance Works band.

Pure: dates and counts in, numbers out. Definitions a district lead may ask about:

- The school year runs July 1 to June 30; "to date" counts from `school_year_start(as_of)`.
- An instructional day is one the school's calendar marks instructional. A date the calendar
  does not list is not one, unless the district says weekdays count (`unlisted_weekdays`):
  then an unlisted Monday to Friday is.
- A student is enrolled from their entry date (else their first attendance record of the
  year) through their exit date, if any: instructional days outside that are not theirs to
  miss. An instructional day with no record counts as attended, because many districts
  export absences only; the scan never counts a day the school's attendance has not
  reached (see `coverage`).
- Attendance on non-instructional days is ignored.
- Rates are exact (whole-number arithmetic), so exactly 5%, 10% and 20% land in the higher
  band.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

SATISFACTORY = "satisfactory"
AT_RISK = "at_risk"
MODERATE_CHRONIC = "moderate_chronic"
SEVERE_CHRONIC = "severe_chronic"
# Lowest to highest.
BANDS: tuple[str, ...] = (SATISFACTORY, AT_RISK, MODERATE_CHRONIC, SEVERE_CHRONIC)
# Highest first: a band starts at this percentage of instructional days missed (Attendance Works).
_BAND_FLOORS = ((SEVERE_CHRONIC, 20), (MODERATE_CHRONIC, 10), (AT_RISK, 5))
_RANKS = {band: rank for rank, band in enumerate(BANDS)}
# The percentage of days missed at which each band starts, by rank (satisfactory: 0).
RANK_FLOORS: tuple[int, ...] = (0, *(percent for _, percent in reversed(_BAND_FLOORS)))
SCHOOL_YEAR_START_MONTH = 7
# A band is only a student's "peak" once about a month of school has passed: one absence in
# the first two weeks is already 10%, and recognising "improvement" from that would be noise.
PEAK_AFTER_DAYS = 20
_SATURDAY = 5


def band_for(absences: int, instructional_days: int) -> str:
    """The Attendance Works band for absences out of instructional days (none yet: satisfactory)."""
    if instructional_days <= 0:
        return SATISFACTORY
    # Whole numbers only (absences / days >= percent / 100), so the edges are exact.
    hundredfold = absences * 100
    for band, percent in _BAND_FLOORS:
        if hundredfold >= percent * instructional_days:
            return band
    return SATISFACTORY


def band_rank(band: str) -> int:
    """Position of a band from satisfactory (0) to severe chronic (3)."""
    return _RANKS[band]


def school_year_start(as_of: date) -> date:
    """July 1 on or before as_of: the first date counted "to date"."""
    year = as_of.year if as_of.month >= SCHOOL_YEAR_START_MONTH else as_of.year - 1
    return date(year, SCHOOL_YEAR_START_MONTH, 1)


def school_year_end(as_of: date) -> date:
    """June 30 on or after as_of: the last date of its school year."""
    return date(school_year_start(as_of).year + 1, SCHOOL_YEAR_START_MONTH, 1) - timedelta(days=1)


def instructional_days(
    calendar: Mapping[date, bool], start: date, end: date, *, unlisted_weekdays: bool
) -> list[date]:
    """Instructional dates from start to end inclusive, by the school's calendar.

    A date the calendar does not list is not instructional, unless `unlisted_weekdays` (the
    district's choice) makes an unlisted Monday to Friday one.
    """
    days = []
    day = start
    while day <= end:
        listed = calendar.get(day)
        if listed is None:
            listed = unlisted_weekdays and day.weekday() < _SATURDAY
        if listed:
            days.append(day)
        day += timedelta(days=1)
    return days


@dataclass(frozen=True, slots=True)
class AttendanceMetrics:
    """A student's numbers as of one date."""

    as_of: date
    instructional_days: int
    absences: int
    consecutive_absences: int
    absent_today: bool
    consecutive_present: int = 0
    peak_band_rank: int = 0  # the worst band reached on any day since PEAK_AFTER_DAYS

    @property
    def rate(self) -> Fraction:
        """Share of instructional days missed, exact (0 before the first day)."""
        if self.instructional_days == 0:
            return Fraction(0)
        return Fraction(self.absences, self.instructional_days)

    @property
    def band(self) -> str:
        """The Attendance Works band."""
        return band_for(self.absences, self.instructional_days)


class AttendanceSeries:
    """Cumulative numbers for each instructional day a student was enrolled, oldest first.

    Each day's `AttendanceMetrics` is made only when asked for, because the rules usually
    look at the last day only: that one is counted straight from the absences, and the
    running totals of every day are built the first time an earlier day is asked for.
    """

    def __init__(self, days: Sequence[date], absent: Sequence[bool] | bytes) -> None:
        if len(days) != len(absent):
            raise ValueError("days and absent must be the same length")
        self.days = tuple(days)
        # A byte a day, 1 absent: searched in C, not a day a step. Bytes are taken as they are.
        self._marks = absent if isinstance(absent, bytes) else bytes(absent)
        self._columns: tuple[list[int], list[int], list[int], list[int]] | None = None
        self._peaks: list[int | None] | None = None
        # Each day's numbers once made: the rules walk back over the same days per trigger.
        self._made: dict[int, AttendanceMetrics] = {}

    def _running_totals(self) -> tuple[list[int], list[int], list[int], list[int]]:
        """Absences, absent streak, present streak and peak band rank on each day."""
        if self._columns is not None:
            return self._columns
        totals: list[int] = []
        streaks: list[int] = []
        present: list[int] = []
        peaks: list[int] = []
        total = streak = present_run = peak = 0
        for days_so_far, was_absent in enumerate(self._marks, start=1):
            if was_absent:
                total += 1
                streak += 1
                present_run = 0
            else:
                streak = 0
                present_run += 1
            # A band falls as present days pass, so the peak can only rise on the first day
            # it counts, or on a day absent.
            if days_so_far >= PEAK_AFTER_DAYS and (was_absent or days_so_far == PEAK_AFTER_DAYS):
                peak = max(peak, _RANKS[band_for(total, days_so_far)])
            totals.append(total)
            streaks.append(streak)
            present.append(present_run)
            peaks.append(peak)
        self._columns = (totals, streaks, present, peaks)
        return self._columns

    @property
    def marks(self) -> bytes:
        """A byte a day, oldest first: 1 absent, 0 not."""
        return self._marks

    @property
    def peaks(self) -> list[int | None]:
        """The day each band rank was first the peak's, as `peak_reached` says (kept)."""
        if self._peaks is None:
            self._peaks = peak_reached(self._marks)
        return self._peaks

    def _last_day(self) -> AttendanceMetrics:
        """The last day's numbers, counted from the days absent alone."""
        marks, count = self._marks, len(self._marks)
        peak = 0
        for rank, reached in enumerate(self.peaks):
            if reached is not None:
                peak = rank
        return AttendanceMetrics(
            as_of=self.days[-1],
            instructional_days=count,
            absences=marks.count(1),
            consecutive_absences=count - 1 - marks.rfind(0),
            absent_today=marks[-1] == 1,
            consecutive_present=count - 1 - marks.rfind(1),
            peak_band_rank=peak,
        )

    def __len__(self) -> int:
        return len(self.days)

    def __getitem__(self, index: int) -> AttendanceMetrics:
        if index < 0:
            index += len(self.days)
        if not 0 <= index < len(self.days):
            raise IndexError("attendance series index out of range")
        made = self._made.get(index)
        if made is not None:
            return made
        if index == len(self.days) - 1 and self._columns is None:
            made = self._last_day()
        else:
            totals, streaks, present, peaks = self._running_totals()
            made = AttendanceMetrics(
                as_of=self.days[index],
                instructional_days=index + 1,
                absences=totals[index],
                consecutive_absences=streaks[index],
                absent_today=self._marks[index] == 1,
                consecutive_present=present[index],
                peak_band_rank=peaks[index],
            )
        self._made[index] = made
        return made

    def __iter__(self) -> Iterator[AttendanceMetrics]:
        return (self[index] for index in range(len(self.days)))

    def as_of(self, day: date) -> AttendanceMetrics:
        """The numbers on a date: on a non-instructional day, the latest day's, not absent today."""
        index = bisect_right(self.days, day) - 1
        if index < 0:
            return AttendanceMetrics(day, 0, 0, 0, False)
        latest = self[index]
        if latest.as_of == day:
            return latest
        return AttendanceMetrics(
            as_of=day,
            instructional_days=latest.instructional_days,
            absences=latest.absences,
            consecutive_absences=latest.consecutive_absences,
            absent_today=False,
            consecutive_present=latest.consecutive_present,
            peak_band_rank=latest.peak_band_rank,
        )


def peak_reached(marks: bytes) -> list[int | None]:
    """For each band rank, the first day (index into marks) the peak band reached it (None:
    never): rank 0 on the first day; a higher one from PEAK_AFTER_DAYS on, on a day absent."""
    reached: list[int | None] = [0 if marks else None, None, None, None]
    if len(marks) < PEAK_AFTER_DAYS:
        return reached
    total = marks.count(1, 0, PEAK_AFTER_DAYS)
    index = PEAK_AFTER_DAYS - 1
    rank = 1  # the next rank to reach
    while index >= 0 and rank < len(RANK_FLOORS):
        # Whole numbers, as `band_for` compares: total / days >= floor / 100.
        while rank < len(RANK_FLOORS) and total * 100 >= RANK_FLOORS[rank] * (index + 1):
            reached[rank] = index
            rank += 1
        index = marks.find(1, index + 1)
        total += 1
    return reached


def daily_series(
    school_days: Sequence[date],
    *,
    enrolled_from: date | None,
    absent_days: Collection[date],
    as_of: date,
    enrolled_until: date | None = None,
) -> AttendanceSeries:
    """The series up to as_of, from the school's sorted instructional days and a student's absences.

    `enrolled_from` is the student's entry date or first attendance record (None: neither,
    nothing counts); `enrolled_until` their exit date, the last day enrolled (None: still
    enrolled). Absences on dates outside `school_days` are ignored.
    """
    if enrolled_from is None:
        return AttendanceSeries((), ())
    first = bisect_left(school_days, enrolled_from)
    end = as_of if enrolled_until is None else min(as_of, enrolled_until)
    days = school_days[first : bisect_right(school_days, end)]
    return AttendanceSeries(days, [day in absent_days for day in days])


def compute_metrics(
    school_days: Sequence[date],
    *,
    enrolled_from: date | None,
    absent_days: Collection[date],
    as_of: date,
    enrolled_until: date | None = None,
) -> AttendanceMetrics:
    """A student's numbers as of a date (see `daily_series` for the arguments)."""
    series = daily_series(
        school_days,
        enrolled_from=enrolled_from,
        absent_days=absent_days,
        as_of=as_of,
        enrolled_until=enrolled_until,
    )
    return series.as_of(as_of)
