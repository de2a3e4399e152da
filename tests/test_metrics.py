"""Attendance numbers: bands at their exact edges, calendars, enrollment, streaks."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from outreach_bot.attendance.metrics import (
    AT_RISK,
    BANDS,
    MODERATE_CHRONIC,
    PEAK_AFTER_DAYS,
    SATISFACTORY,
    SEVERE_CHRONIC,
    AttendanceMetrics,
    AttendanceSeries,
    band_for,
    band_rank,
    compute_metrics,
    daily_series,
    instructional_days,
    school_year_end,
    school_year_start,
)

MONDAY = date(2026, 10, 5)


def day(offset: int) -> date:
    """A date counted from Monday 5 October 2026."""
    return MONDAY + timedelta(days=offset)


WEEKDAYS = instructional_days({}, day(0), day(27), unlisted_weekdays=True)  # 4 weeks, 20 days


@pytest.mark.parametrize(
    ("absences", "days", "band"),
    [
        (0, 0, SATISFACTORY),
        (0, 20, SATISFACTORY),
        (4, 100, SATISFACTORY),
        (1, 21, SATISFACTORY),  # 4.76%
        (49, 1000, SATISFACTORY),  # 4.9%
        (1, 20, AT_RISK),  # exactly 5%
        (5, 100, AT_RISK),
        (3, 60, AT_RISK),
        (99, 1000, AT_RISK),  # 9.9%
        (1, 11, AT_RISK),  # 9.09%
        (1, 10, MODERATE_CHRONIC),  # exactly 10%
        (10, 100, MODERATE_CHRONIC),
        (7, 70, MODERATE_CHRONIC),
        (199, 1000, MODERATE_CHRONIC),  # 19.9%
        (1, 5, SEVERE_CHRONIC),  # exactly 20%
        (20, 100, SEVERE_CHRONIC),
        (9, 45, SEVERE_CHRONIC),
        (10, 10, SEVERE_CHRONIC),
    ],
)
def test_band_edges_land_in_the_higher_band(absences: int, days: int, band: str) -> None:
    assert band_for(absences, days) == band


def test_bands_are_ranked_from_satisfactory_to_severe() -> None:
    assert [band_rank(band) for band in BANDS] == [0, 1, 2, 3]
    assert BANDS[0] == SATISFACTORY and BANDS[-1] == SEVERE_CHRONIC


@pytest.mark.parametrize(
    ("as_of", "start"),
    [
        (date(2026, 10, 14), date(2026, 7, 1)),
        (date(2027, 3, 1), date(2026, 7, 1)),
        (date(2026, 7, 1), date(2026, 7, 1)),
        (date(2026, 6, 30), date(2025, 7, 1)),
    ],
)
def test_school_year_starts_on_july_first(as_of: date, start: date) -> None:
    assert school_year_start(as_of) == start
    assert school_year_end(as_of) == date(start.year + 1, 6, 30)


@pytest.mark.parametrize(
    ("calendar", "expected"),
    [
        ({}, [day(0), day(1), day(2), day(3), day(4), day(7)]),
        ({day(0): False}, [day(1), day(2), day(3), day(4), day(7)]),
        ({day(5): True}, [day(0), day(1), day(2), day(3), day(4), day(5), day(7)]),
        ({day(0): True, day(2): False, day(7): False}, [day(0), day(1), day(3), day(4)]),
    ],
    ids=["no calendar: weekdays", "holiday", "saturday school", "partial calendar"],
)
def test_when_the_district_lets_weekdays_count_unlisted_weekdays_are_school_days(
    calendar: dict[date, bool], expected: list[date]
) -> None:
    assert instructional_days(calendar, day(0), day(7), unlisted_weekdays=True) == expected


@pytest.mark.parametrize(
    ("calendar", "expected"),
    [
        ({}, []),
        ({day(0): False}, []),
        ({day(5): True}, [day(5)]),
        ({day(0): True, day(1): True, day(2): False, day(7): False}, [day(0), day(1)]),
    ],
    ids=["no calendar: no school days", "holiday only", "saturday school", "partial calendar"],
)
def test_by_default_a_date_the_calendar_does_not_list_is_no_school_day(
    calendar: dict[date, bool], expected: list[date]
) -> None:
    assert instructional_days(calendar, day(0), day(7), unlisted_weekdays=False) == expected


@pytest.mark.parametrize(
    ("absent", "as_of", "expected"),
    [
        # (instructional days, absences, consecutive, absent today)
        ([], day(4), (5, 0, 0, False)),
        ([day(4)], day(4), (5, 1, 1, True)),
        ([day(3), day(4)], day(4), (5, 2, 2, True)),
        ([day(2), day(4)], day(4), (5, 2, 1, True)),
        ([day(3)], day(4), (5, 1, 0, False)),
        # A streak runs across the weekend: Friday and Monday are consecutive school days.
        ([day(4), day(7)], day(7), (6, 2, 2, True)),
        # Scanned on Saturday: Friday's streak carries, but nobody is absent "today".
        ([day(3), day(4)], day(5), (5, 2, 2, False)),
        # Absences after as_of do not count yet.
        ([day(1), day(8)], day(4), (5, 1, 0, False)),
    ],
)
def test_metrics_on_weekdays(
    absent: list[date], as_of: date, expected: tuple[int, int, int, bool]
) -> None:
    metrics = compute_metrics(WEEKDAYS, enrolled_from=day(0), absent_days=set(absent), as_of=as_of)
    assert metrics.as_of == as_of
    found = (
        metrics.instructional_days,
        metrics.absences,
        metrics.consecutive_absences,
        metrics.absent_today,
    )
    assert found == expected


def test_attendance_on_non_instructional_days_is_ignored() -> None:
    school_days = instructional_days({day(2): False}, day(0), day(11), unlisted_weekdays=True)
    # Absent Tuesday, on the Wednesday holiday, Thursday, and on Saturday; present Friday.
    absent = {day(1), day(2), day(3), day(5)}
    thursday = compute_metrics(school_days, enrolled_from=day(0), absent_days=absent, as_of=day(3))
    assert (thursday.instructional_days, thursday.absences) == (3, 2)
    # The holiday does not break the streak: Tuesday and Thursday are consecutive school days.
    assert (thursday.consecutive_absences, thursday.absent_today) == (2, True)
    saturday = compute_metrics(school_days, enrolled_from=day(0), absent_days=absent, as_of=day(5))
    assert (saturday.instructional_days, saturday.absences) == (4, 2)
    assert (saturday.consecutive_absences, saturday.absent_today) == (0, False)


def test_enrollment_starts_at_the_first_attendance_record() -> None:
    metrics = compute_metrics(WEEKDAYS, enrolled_from=day(7), absent_days={day(8)}, as_of=day(11))
    assert (metrics.instructional_days, metrics.absences) == (5, 1)
    assert metrics.rate == Fraction(1, 5)
    assert metrics.band == SEVERE_CHRONIC


def test_enrollment_on_a_weekend_starts_on_the_next_school_day() -> None:
    metrics = compute_metrics(WEEKDAYS, enrolled_from=day(5), absent_days=set(), as_of=day(11))
    assert metrics.instructional_days == 5


def test_a_withdrawn_students_days_stop_at_the_exit_date() -> None:
    # Exit date Wednesday of the second week: the days after it are not theirs to miss.
    absent = {day(1), day(2)}
    series = daily_series(
        WEEKDAYS, enrolled_from=day(0), absent_days=absent, as_of=day(18), enrolled_until=day(9)
    )
    assert series[-1].as_of == day(9)
    metrics = compute_metrics(
        WEEKDAYS, enrolled_from=day(0), absent_days=absent, as_of=day(18), enrolled_until=day(9)
    )
    assert (metrics.instructional_days, metrics.absences, metrics.absent_today) == (8, 2, False)
    # Still enrolled on the day scanned: the exit date changes nothing yet.
    before = compute_metrics(
        WEEKDAYS, enrolled_from=day(0), absent_days=absent, as_of=day(4), enrolled_until=day(9)
    )
    assert before.instructional_days == 5


def test_a_student_with_no_records_has_nothing_counted() -> None:
    metrics = compute_metrics(WEEKDAYS, enrolled_from=None, absent_days={day(1)}, as_of=day(11))
    assert metrics == AttendanceMetrics(day(11), 0, 0, 0, False)
    assert metrics.rate == 0
    assert metrics.band == SATISFACTORY


def test_series_is_cumulative_for_each_instructional_day() -> None:
    absent = {day(1), day(2), day(7)}
    series = daily_series(WEEKDAYS, enrolled_from=day(0), absent_days=absent, as_of=day(8))
    assert [m.as_of for m in series] == WEEKDAYS[:7]
    assert [m.instructional_days for m in series] == [1, 2, 3, 4, 5, 6, 7]
    assert [m.absences for m in series] == [0, 1, 2, 2, 2, 3, 3]
    assert [m.consecutive_absences for m in series] == [0, 1, 2, 0, 0, 1, 0]
    assert [m.absent_today for m in series] == [False, True, True, False, False, True, False]
    assert [m.band for m in series][-1] == SEVERE_CHRONIC  # 3 of 7
    assert series[-1] == series[6]
    assert len(series) == 7


def test_series_index_out_of_range() -> None:
    series = AttendanceSeries([day(0)], [True])
    with pytest.raises(IndexError):
        series[1]
    with pytest.raises(ValueError):
        AttendanceSeries([day(0)], [])


@given(st.lists(st.integers(0, 9).map(lambda n: n < 2), max_size=120))
@example([True] + [False] * 40)  # at risk on the first day counted, never absent again
def test_the_peak_band_is_the_worst_band_of_any_day_counted(absent: list[bool]) -> None:
    days = [date(2026, 8, 17) + timedelta(days=n) for n in range(len(absent))]
    series = AttendanceSeries(days, absent)
    for index, day in enumerate(series):
        counted = range(PEAK_AFTER_DAYS - 1, index + 1)
        expected = max(
            (band_rank(band_for(sum(absent[: n + 1]), n + 1)) for n in counted), default=0
        )
        assert day.peak_band_rank == expected


@given(st.lists(st.integers(0, 9).map(lambda n: n < 3), min_size=1, max_size=120))
@example([True] + [False] * 40)  # the peak is the first day counted
@example([False] * 25 + [True] * 3)
def test_the_last_day_counted_alone_equals_the_running_totals(absent: list[bool]) -> None:
    days = [date(2026, 8, 17) + timedelta(days=n) for n in range(len(absent))]
    for end in range(1, len(absent) + 1):
        alone = AttendanceSeries(days[:end], absent[:end])[-1]
        walked = AttendanceSeries(days[:end], absent[:end])
        assert walked[0].as_of == days[0]  # builds every day's running totals
        assert alone == walked[-1]
