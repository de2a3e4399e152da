"""The pure parts of the reports: definitions, grouping, month ends and output formats."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from outreach_bot.reports.chronic import tally
from outreach_bot.reports.definitions import (
    counts_in_report,
    grade_order,
    is_chronic,
    percent,
    rate_at_least,
)
from outreach_bot.reports.formats import render
from outreach_bot.reports.standing import StudentStanding, keys_for
from outreach_bot.reports.trend import month_ends


def standing(student_id: str, absences: int, days: int, grade: str = "3") -> StudentStanding:
    return StudentStanding(
        student_id=student_id,
        first_name="Kid",
        last_name="Testperson",
        school_id="maple",
        grade=grade,
        zip=None,
        groups=(True, False, None, "Hispanic or Latino", ""),
        instructional_days=days,
        absences=absences,
    )


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [
        (1, 3, "33.3"),  # 33.33…
        (2, 3, "66.7"),  # 66.66…
        (1, 16, "6.3"),  # 6.25 exactly: half up, not to even
        (1, 8, "12.5"),
        (0, 7, "0.0"),
        (7, 7, "100.0"),
        (1, 1600, "0.1"),  # 0.0625 -> 0.1
    ],
)
def test_percent_has_one_decimal_rounded_half_up(part, whole, shown):
    assert percent(part, whole) == Decimal(shown)
    assert str(percent(part, whole)) == shown


def test_no_students_is_no_rate():
    assert percent(0, 0) is None


def test_who_counts_and_what_is_chronic():
    assert not counts_in_report(9) and counts_in_report(10)
    assert [is_chronic(b) for b in ("satisfactory", "at_risk", "moderate_chronic")] == [
        False,
        False,
        True,
    ]
    # Exactly at the floor is in: 3/30 is 10%.
    assert rate_at_least(3, 30, Fraction(10)) and not rate_at_least(2, 30, Fraction(10))
    assert not rate_at_least(0, 0, Fraction(0))


def test_grades_sort_in_school_order():
    grades = ["10", "K", "2", "PK", "Ungraded", "1", "TK"]
    assert sorted(grades, key=grade_order) == ["PK", "TK", "K", "1", "2", "10", "Ungraded"]


def test_a_student_counts_once_in_each_student_group():
    assert keys_for(standing("a", 0, 10), "group") == [
        ("english_learner", "yes"),
        ("iep", "no"),
        ("low_income", "not recorded"),
        ("race_ethnicity", "Hispanic or Latino"),
        ("gender", "not recorded"),
    ]
    with pytest.raises(ValueError, match="expected one of district, school, grade, group, zip"):
        keys_for(standing("a", 0, 10), "county")


def test_tally_counts_only_students_enrolled_long_enough():
    # a: 1/9 days, too few to count. b: 0/10 satisfactory. c: 1/10 moderate (10% exactly).
    # d: 2/10 severe (20% exactly). 2 chronic of 3 counted = 66.7%.
    [row] = tally([standing("a", 1, 9), standing("b", 0, 10), standing("c", 1, 10),
                   standing("d", 2, 10)], "district")  # fmt: skip
    assert row.values() == (3, 1, 0, 1, 1, 2, Decimal("66.7"))
    # Nobody counted: still one district row, with no rate.
    [empty] = tally([standing("a", 1, 9)], "district")
    assert empty.values() == (0, 0, 0, 0, 0, 0, None)
    assert tally([standing("a", 1, 9)], "school") == []


def test_month_ends_run_from_july_to_the_report_date():
    assert month_ends(date(2026, 10, 14)) == [
        date(2026, 7, 31),
        date(2026, 8, 31),
        date(2026, 9, 30),
        date(2026, 10, 14),
    ]
    # December rolls into January; a report on a month's last day ends that month once.
    assert month_ends(date(2027, 1, 31))[-3:] == [
        date(2026, 11, 30),
        date(2026, 12, 31),
        date(2027, 1, 31),
    ]


def test_formats():
    columns = ("school_id", "students", "chronic_rate", "as_of")
    rows = [("maple", 6, Decimal("50.0"), date(2026, 10, 30)), ("oak", 0, None, None)]
    assert render(columns, rows, "csv") == (
        "school_id,students,chronic_rate,as_of\nmaple,6,50.0,2026-10-30\noak,0,,\n"
    )
    document = json.loads(render(columns, rows, "json", about={"report": "chronic"}))
    assert document["rows"] == [
        {"school_id": "maple", "students": 6, "chronic_rate": 50.0, "as_of": "2026-10-30"},
        {"school_id": "oak", "students": 0, "chronic_rate": None, "as_of": None},
    ]
    assert render(columns, rows, "table").splitlines() == [
        "school_id  students  chronic_rate  as_of",
        "---------  --------  ------------  ----------",
        "maple             6          50.0  2026-10-30",
        "oak               0             -  -",
    ]
    with pytest.raises(ValueError, match="expected one of table, csv, json"):
        render(columns, rows, "pdf")
