"""Small-cell suppression, table-driven: primary (under 10 students) and complementary (a
hidden cell never recoverable by subtracting shown cells from a shown total)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from outreach_bot.reports.public import HIDDEN, public_rows
from outreach_bot.reports.standing import StudentStanding
from outreach_bot.reports.suppression import Sum, hidden_cells

# (name, sizes, sums as (total, parts), hidden)
CASES = [
    ("9 students: hidden, and the next smallest grade with it", {"T": 30, "a": 9, "b": 10, "c": 11},
     [("T", "abc")], "ab"),
    ("10 students: shown", {"T": 31, "a": 10, "b": 10, "c": 11}, [("T", "abc")], ""),
    ("11 students: shown", {"T": 11, "a": 11}, [("T", "a")], ""),
    ("a lone small grade hides its school too", {"T": 9, "a": 9}, [("T", "a")], "Ta"),
    ("two small grades cover each other", {"T": 40, "a": 5, "b": 5, "c": 30}, [("T", "abc")],
     "ab"),
    ("every grade small, the total still shown", {"T": 25, "a": 9, "b": 8, "c": 8},
     [("T", "abc")], "abc"),
    ("ties: the first listed is hidden", {"T": 29, "a": 9, "b": 10, "c": 10}, [("T", "abc")],
     "ab"),
    ("a small school: all of it hidden", {"T": 5, "a": 2, "b": 3},
     [("T", "ab")], "Tab"),
    # District D = schools A + B + C; A = a1 + a2 and so on. A is small, so B (the smallest
    # other school) is hidden at the district level, and then one of B's grades, or B's total
    # would be its grades' sum.
    (
        "complementary suppression cascades down to the grades",
        {"D": 59, "A": 9, "a": 4, "x": 5, "B": 20, "b": 10, "y": 10, "C": 30, "c": 15, "z": 15},
        [("A", "ax"), ("B", "by"), ("C", "cz"), ("D", "ABC")],
        "AaxBb",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "sizes", "sums", "expected"), CASES, ids=[c[0] for c in CASES])
def test_hidden_cells(name, sizes, sums, expected):
    rules = [Sum(total, tuple(parts)) for total, parts in sums]
    hidden = hidden_cells(sizes, rules)
    assert hidden == frozenset(expected), name
    for rule in rules:  # whatever is hidden, no sum has exactly one unknown left
        assert sum(member in hidden for member in (rule.total, *rule.parts)) != 1


def _standings(school: str, grade: str, students: int, chronic: int) -> list[StudentStanding]:
    """`students` counted students, the first `chronic` of them absent 3 days in 20."""
    return [
        StudentStanding(
            student_id=f"{school}-{grade}-{number}",
            first_name="Synthetic",
            last_name="Student",
            school_id=school,
            grade=grade,
            zip=None,
            groups=(None,) * 5,
            instructional_days=20,
            absences=3 if number < chronic else 0,
        )
        for number in range(students)
    ]


@pytest.mark.parametrize(
    ("size", "rate"), [(9, None), (10, Decimal("20.0")), (11, Decimal("18.2"))], ids=str
)
def test_a_grade_of_9_10_or_11_students(size, rate):
    standings = _standings("elm", "3", size, 2) + _standings("elm", "4", 12, 3)
    standings += _standings("ash", "3", 15, 0)
    rows = {
        (row.school, row.grade): row for row in public_rows(standings, {"elm": "Elm", "ash": "Ash"})
    }
    grade3 = rows[("Elm", "3")]
    if rate is not None:
        assert grade3.values() == ("Elm", "3", size, 2, rate)
        assert rows[("Elm", "4")].numbers() == (12, 3, Decimal("25.0"))
    else:
        assert grade3.numbers() == (HIDDEN, HIDDEN, HIDDEN)
        # Elm's total is shown, so grade 4 must go too, or 21 - 12 would give grade 3 away.
        assert rows[("Elm", "4")].numbers() == (HIDDEN, HIDDEN, HIDDEN)
    assert rows[("Elm", "")].numbers()[0] == size + 12
    assert rows[("", "")].numbers()[:2] == (size + 12 + 15, 5)
    assert [row.grade for row in rows.values()][:3] == ["3", "", "3"]  # Ash first, by name


def test_students_not_yet_counted_are_left_out():
    standings = _standings("elm", "3", 10, 0)
    early = [StudentStanding("new", "Synthetic", "Student", "elm", "3", None, (None,) * 5, 9, 0)]
    rows = public_rows([*standings, *early], {"elm": "Elm"})
    assert rows[0].numbers() == (10, 0, Decimal("0.0"))
