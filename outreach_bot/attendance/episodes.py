"""Where a running episode began, from a student's days absent, without walking every day.

Pure. An episode is the unbroken run of school days, ending on the day scanned, on which a
trigger's condition held (see `rules`). A condition is a conjunction, so its run is where
the runs of all its parts overlap: it starts at the latest of their starts. Most parts have
a start that is counted, not searched for:

- `absent_today` and the two streaks: the streak's length says where it, or its
  threshold, began;
- `absences_at_least` and `was_band_at_least` only ever become true: the day they did;
- `min_instructional_days`: that day of the student's series.

Only the band parts are searched, and only back to the latest start of the others:
`band_at_least` on the days before an absence (a day present only lowers the rate, so the
band can only have been below it on the eve of a day absent), `band_improved` a day at a
time, on whole numbers. `rules.walked_back` is the definition this must agree with (a test
compares them on random series).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from outreach_bot.attendance.metrics import RANK_FLOORS, AttendanceSeries, band_rank

if TYPE_CHECKING:
    from outreach_bot.attendance.rules import Condition


def run_start(condition: Condition, series: AttendanceSeries) -> int:
    """Index of the first day of the run on which the condition held up to the series' last
    day (the condition holds on that day)."""
    marks = series.marks
    last = series[-1]
    final = len(marks) - 1
    start = 0
    if condition.absent_today is not None:
        streak = last.consecutive_absences if last.absent_today else last.consecutive_present
        start = max(start, final + 1 - streak)
    if condition.consecutive_absences_at_least is not None:
        threshold = condition.consecutive_absences_at_least
        start = max(start, final - last.consecutive_absences + threshold)
    if condition.present_streak_at_least is not None:
        threshold = condition.present_streak_at_least
        start = max(start, final - last.consecutive_present + threshold)
    if condition.min_instructional_days is not None:
        start = max(start, condition.min_instructional_days - 1)
    if condition.absences_at_least is not None:
        start = max(start, _nth_absence(marks, condition.absences_at_least))
    if condition.was_band_at_least is not None:
        reached = series.peaks[band_rank(condition.was_band_at_least)]
        start = max(start, 0 if reached is None else reached)
    if condition.band_at_least is not None:
        start = _band_run_start(marks, last.absences, band_rank(condition.band_at_least), start)
    if condition.band_improved is not None:
        start = _improved_run_start(
            marks, last.absences, series.peaks, condition.band_improved, start
        )
    return start


def _nth_absence(marks: bytes, nth: int) -> int:
    """Index of the nth day absent (there are at least that many)."""
    index = -1
    for _ in range(nth):
        index = marks.find(1, index + 1)
    return index


def _band_run_start(marks: bytes, absences: int, rank: int, floor: int) -> int:
    """Where the run of days at or above the band of `rank` began, searched back to `floor`
    at most (whole numbers, as `metrics.band_for` compares)."""
    percent = RANK_FLOORS[rank]
    absent = marks.rfind(1)
    while absent > floor:
        # The eve of a day absent: `absences - 1` absences in `absent` days.
        if (absences - 1) * 100 < percent * absent:
            return absent
        absences -= 1
        absent = marks.rfind(1, 0, absent)
    return floor


def _improved_run_start(
    marks: bytes, absences: int, peaks: list[int | None], improved: bool, floor: int
) -> int:
    """Where the run of days with the band below its peak (improved), or not, began, searched
    back to `floor` at most."""
    day = len(marks) - 1
    peak = max(rank for rank, reached in enumerate(peaks) if reached is not None)
    while day > floor:
        absences -= marks[day]
        day -= 1
        while (peaks[peak] or 0) > day:  # a lower peak is reached no later than a higher one
            peak -= 1
        # Below the peak's band: fewer than its floor's share of the days missed.
        if (absences * 100 < RANK_FLOORS[peak] * (day + 1)) != improved:
            return day + 1
    return floor
