"""Whether a school's data reaches the day scanned: late, absent and missing calendars."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from outreach_bot.attendance.coverage import (
    LATE_ATTENDANCE,
    NO_ATTENDANCE,
    NO_CALENDAR,
    MissingData,
    missing_data,
)

MONDAY = date(2026, 10, 5)
WEEK = [MONDAY + timedelta(days=n) for n in range(5)]


@pytest.mark.parametrize(
    ("last_attendance", "expected"),
    [
        (WEEK[4], None),  # arrived through the last school day
        (WEEK[4] + timedelta(days=3), None),  # and beyond: a later export covers it too
        (WEEK[3], MissingData(LATE_ATTENDANCE, WEEK[4], WEEK[3])),
        (None, MissingData(NO_ATTENDANCE, WEEK[4], None)),
    ],
    ids=["up to date", "later data", "a day late", "none this year"],
)
def test_attendance_must_reach_the_last_school_day_up_to_the_scan(
    last_attendance: date | None, expected: MissingData | None
) -> None:
    assert missing_data(WEEK, has_calendar=True, last_attendance=last_attendance) == expected


def test_a_school_with_no_calendar_is_reported_not_counted_as_never_absent() -> None:
    found = missing_data([], has_calendar=False, last_attendance=WEEK[4])
    assert found == MissingData(NO_CALENDAR, None, WEEK[4])
    assert found.explained() == "no calendar for this school year, so it has no school days"


def test_a_calendar_whose_first_school_day_is_still_ahead_needs_nothing() -> None:
    assert missing_data([], has_calendar=True, last_attendance=None) is None


def test_the_explanation_names_the_day_needed_and_the_last_day_with_data() -> None:
    late = missing_data(WEEK, has_calendar=True, last_attendance=WEEK[1])
    assert late is not None
    assert late.explained() == (
        "attendance for 2026-10-09 has not arrived (the last day with attendance is 2026-10-06)"
    )
    none = missing_data(WEEK, has_calendar=True, last_attendance=None)
    assert none is not None
    assert none.explained() == (
        "attendance for 2026-10-09 has not arrived (no attendance at all this school year)"
    )
