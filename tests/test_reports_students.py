"""`report students`: the list a school team works from, on the hand-worked district."""

from __future__ import annotations

from datetime import UTC, datetime

from outreach_bot.cli import main
from outreach_bot.escalations import open_escalation
from outreach_bot.models import ContactAttempt
from tests.report_district import build_district

HEADER = (
    "student_id,name,grade,school_id,absences,instructional_days,rate,band,"
    "last_contact_made,open_escalation,exit_date"
)


def casework(runtime) -> int:
    """m5's family reached (case closed); m4's case open after an unanswered call; its id."""
    opened = datetime(2026, 10, 16, 16, 0, tzinfo=UTC)
    # 02:00 UTC on 10-20 is still 10-19 in the district (Pacific daylight time, UTC-7).
    attempts = {
        "m5": ("reached", datetime(2026, 10, 20, 2, 0, tzinfo=UTC)),
        "m4": ("no_answer", datetime(2026, 10, 21, 17, 0, tzinfo=UTC)),
    }
    with runtime.db.transaction() as session:
        cases = {}
        for student_id, (outcome, attempted_at) in attempts.items():
            case = open_escalation(session, reason="no_reply", now=opened, student_id=student_id)
            session.add(
                ContactAttempt(
                    escalation_id=case.id,
                    method="call",
                    outcome=outcome,
                    staff="clerk@example.org",
                    attempted_at=attempted_at,
                )
            )
            cases[student_id] = case
        cases["m5"].status = "closed"
        session.flush()
        return cases["m4"].id


def test_the_list_holds_students_at_or_above_ten_percent_worst_first_per_school(runtime, cli):
    with runtime.db.transaction() as session:
        build_district(session)
    case = casework(runtime)
    outcome = cli.invoke(main, ["report", "students", "--as-of", "2026-10-30", "--format", "csv"])
    assert outcome.exit_code == 0, outcome.output
    # By 10-30: m5 5/24 = 20.83 -> 20.8, m4 3/24 = 12.5, m7 1/10 = 10.0 (left 10-09), o2
    # 6/24 = 25.0. m3 (2/24 = 8.3) is below 10; m6 (1/5 = 20%) has too few days to count.
    assert outcome.output == (
        f"{HEADER}\n"
        "m5,Kid4 Testperson,3,maple,5,24,20.8,severe_chronic,2026-10-19,,\n"
        f"m4,Kid3 Testperson,3,maple,3,24,12.5,moderate_chronic,,{case},\n"
        "m7,Kid6 Testperson,3,maple,1,10,10.0,moderate_chronic,,,2026-10-09\n"
        "o2,Kid8 Testperson,5,oak,6,24,25.0,severe_chronic,,,\n"
    )


def test_school_grade_and_rate_filters(runtime, cli):
    with runtime.db.transaction() as session:
        build_district(session)
    args = ["report", "students", "--as-of", "2026-10-30", "--school", "maple", "--grade", "3"]
    outcome = cli.invoke(main, [*args, "--min-rate", "7.5", "--format", "csv"])
    assert outcome.exit_code == 0, outcome.output
    # m3's 2/24 = 8.33% clears 7.5%; grade K and Oak are left out.
    assert [line.split(",")[0] for line in outcome.output.splitlines()[1:]] == [
        "m5",
        "m4",
        "m7",
        "m3",
    ]
    # Exactly 12.5% is "at least 12.5": m4 stays in.
    exact = cli.invoke(main, [*args, "--min-rate", "12.5", "--format", "csv"])
    assert [line.split(",")[0] for line in exact.output.splitlines()[1:]] == ["m5", "m4"]
    table = cli.invoke(main, [*args]).output.splitlines()
    assert table[0] == ("report students, as_of 2026-10-30, school maple, grade 3, min_rate 10")
    assert table[3].split()[:3] == ["m5", "Kid4", "Testperson"]


def test_a_bad_min_rate_or_grade_names_the_option(runtime, cli):
    with runtime.db.transaction() as session:
        build_district(session)
    grade = cli.invoke(main, ["report", "students", "--grade", "03"])
    assert grade.exit_code == 2
    assert "'--grade'" in grade.output and "(K, 3, 5)" in grade.output
    for bad in ("ten", "120", "-1"):
        outcome = cli.invoke(main, ["report", "students", "--min-rate", bad])
        assert outcome.exit_code == 2
        assert "'--min-rate'" in outcome.output and "from 0 to 100" in outcome.output
