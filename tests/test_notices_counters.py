"""Truancy counters at their boundaries (Education Code 48260): pure, no database."""

from __future__ import annotations

from datetime import date

import pytest

from outreach_bot.notices.counters import (
    LONG_TARDIES,
    TRUANCIES,
    UNEXCUSED_DAYS,
    AttendanceRow,
    ChronicTruancy,
    count_truancy,
)

AS_OF = date(2026, 10, 30)


def rows(*specs: tuple[int, str, int | None]) -> list[AttendanceRow]:
    """Rows in October 2026: (day of month, status, minutes missed)."""
    return [AttendanceRow(date(2026, 10, day), status, minutes) for day, status, minutes in specs]


def test_three_unexcused_days_count_three():
    truancy = count_truancy(
        rows((5, "unexcused", None), (6, "unexcused", None), (9, "unexcused", None)), AS_OF
    )
    assert truancy.counts() == {UNEXCUSED_DAYS: 3, LONG_TARDIES: 0, TRUANCIES: 3}
    assert truancy.dates == (date(2026, 10, 5), date(2026, 10, 6), date(2026, 10, 9))


@pytest.mark.parametrize(
    ("minutes", "counted"), [(None, 0), (0, 0), (29, 0), (30, 0), (31, 1), (240, 1)]
)
def test_a_tardy_counts_only_beyond_thirty_minutes(minutes, counted):
    truancy = count_truancy(rows((5, "tardy", minutes)), AS_OF)
    assert truancy.count(LONG_TARDIES) == counted
    assert truancy.count(TRUANCIES) == counted


def test_a_partial_day_stored_as_present_counts_beyond_thirty_minutes():
    truancy = count_truancy(
        rows((5, "present", 31), (6, "present", 30), (7, "present", None)), AS_OF
    )
    assert truancy.long_tardies == (date(2026, 10, 5),)


def test_excused_never_counts_whatever_its_minutes():
    truancy = count_truancy(
        rows((5, "excused", None), (6, "excused", 45), (7, "excused", 400)), AS_OF
    )
    assert truancy.counts() == {UNEXCUSED_DAYS: 0, LONG_TARDIES: 0, TRUANCIES: 0}


def test_days_and_tardies_combine_in_date_order():
    truancy = count_truancy(
        rows((9, "unexcused", None), (5, "tardy", 31), (7, "present", 45), (8, "present", 0)),
        AS_OF,
    )
    assert truancy.counts() == {UNEXCUSED_DAYS: 1, LONG_TARDIES: 2, TRUANCIES: 3}
    assert truancy.dates == (date(2026, 10, 5), date(2026, 10, 7), date(2026, 10, 9))
    assert truancy.counted(UNEXCUSED_DAYS) == (date(2026, 10, 9),)


def test_absent_without_a_word_on_excuse_is_not_guessed_but_reported():
    truancy = count_truancy(
        rows((5, "absent", None), (6, "absent", None), (7, "unexcused", None)), AS_OF
    )
    assert truancy.count(TRUANCIES) == 1
    assert truancy.unclassified == 2


def test_a_new_school_year_starts_again_at_zero():
    june = [AttendanceRow(date(2026, 6, day), "unexcused", None) for day in (1, 2, 3)]
    july = [AttendanceRow(date(2026, 7, 1), "unexcused", None)]
    assert count_truancy(june, date(2026, 6, 30)).count(TRUANCIES) == 3
    assert count_truancy(june + july, date(2026, 9, 1)).count(TRUANCIES) == 1


def test_days_after_the_day_counted_are_left_out():
    truancy = count_truancy(rows((5, "unexcused", None), (31, "unexcused", None)), AS_OF)
    assert truancy.dates == (date(2026, 10, 5),)


def test_an_unknown_counter_is_an_error():
    with pytest.raises(ValueError, match="unknown counter 'days'"):
        count_truancy([], AS_OF).count("days")


@pytest.mark.parametrize(
    ("unexcused", "school_days", "chronic"),
    [(9, 100, False), (10, 100, True), (11, 100, True), (1, 9, True), (0, 0, False)],
)
def test_a_chronic_truant_is_unexcused_for_ten_percent_of_school_days_or_more(
    unexcused, school_days, chronic
):
    assert ChronicTruancy(unexcused, school_days).chronic is chronic
