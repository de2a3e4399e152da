"""`report effect`: known answers worked out by hand, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from click.testing import CliRunner

from outreach_bot.attendance.rules import parse_triggers
from outreach_bot.attendance.scan import scan
from outreach_bot.cli import main
from outreach_bot.models import Student
from outreach_bot.reports.effect_estimate import estimate
from outreach_bot.runtime import Runtime
from tests.factories import add_attendance, add_school, add_school_days
from tests.staff_helpers import add_user, sign_in

# Welch's degrees of freedom for two arms of n alike in spread are 2(n - 1). From a printed
# t table: the 97.5th percentile is 2.776445 at 4 degrees of freedom, 2.001717 at 58.
T_4, T_58 = 2.776445, 2.001717


def tenths(*counts: int) -> list[Fraction]:
    """Absence rates over 10 school days."""
    return [Fraction(count, 10) for count in counts]


def test_a_small_holdout_known_answer() -> None:
    found = estimate(tenths(1, 2, 3), tenths(2, 3, 4), min_per_arm=3)
    # Means: (0.1 + 0.2 + 0.3) / 3 = 0.2 and (0.2 + 0.3 + 0.4) / 3 = 0.3; difference -0.1.
    assert (found.texted, found.holdout) == (3, 3)
    assert (found.texted_rate, found.holdout_rate) == (Decimal("20.0"), Decimal("30.0"))
    assert found.difference == Decimal("-10.0")
    # Each arm's variance: (0.1² + 0² + 0.1²) / 2 = 0.01; the difference's standard error
    # sqrt(0.01/3 + 0.01/3) = 0.0816497; 4 degrees of freedom; half-width 2.776445 × 0.0816497
    # = 0.2266960; so -0.1 ± 0.2267: -0.3267 to 0.1267, or -32.7 to 12.7 points.
    half = T_4 * (0.02 / 3) ** 0.5
    assert round(half, 6) == 0.226696
    assert (found.low, found.high) == (Decimal("-32.7"), Decimal("12.7"))
    assert found.verdict == (
        "No clear difference yet: texted students missed 10.0 percentage points less than"
        " held-out students (95% confidence interval -32.7 to 12.7 points), a range that"
        " includes no difference at all."
    )


def test_thirty_a_side_known_answer() -> None:
    texted = tenths(*[0] * 15, *[1] * 15)  # mean 0.05
    holdout = tenths(*[1] * 15, *[2] * 15)  # mean 0.15
    found = estimate(texted, holdout)
    # Each rate is 0.05 from its arm's mean: variance 30 × 0.05² / 29 = 0.00258621; standard
    # error sqrt(2 × 0.00258621 / 30) = 0.0131306; 58 degrees of freedom; half-width
    # 2.001717 × 0.0131306 = 0.0262838; -0.1 ± 0.0263 is -0.1263 to -0.0737.
    assert round(T_58 * (2 * 30 * 0.05**2 / 29 / 30) ** 0.5, 6) == 0.026284
    assert (found.difference, found.low, found.high) == (
        Decimal("-10.0"),
        Decimal("-12.6"),
        Decimal("-7.4"),
    )
    assert found.verdict == (
        "Texted students missed fewer school days: 10.0 percentage points less than held-out"
        " students (95% confidence interval -12.6 to -7.4 points); the texts appear to help."
    )
    reverse = estimate(holdout, texted)
    assert (reverse.difference, reverse.low, reverse.high) == (
        Decimal("10.0"),
        Decimal("7.4"),
        Decimal("12.6"),
    )
    assert reverse.verdict.startswith("Texted students missed more school days: 10.0 percentage")


def test_too_few_students_to_tell() -> None:
    found = estimate(tenths(1, 2, 3), tenths(2, 3, 4))
    assert found.verdict == (
        "Too few students yet to tell: 3 texted and 3 held out so far; at least 30 in each"
        " are needed."
    )
    empty = estimate([], tenths(1))
    assert (empty.texted_rate, empty.holdout_rate, empty.difference) == (
        None,
        Decimal("10.0"),
        None,
    )


def test_arms_without_any_spread_have_no_interval() -> None:
    found = estimate(tenths(0, 0), tenths(0, 0), min_per_arm=2)
    assert (found.difference, found.low, found.high) == (Decimal("0.0"), None, None)
    assert found.verdict.startswith("No difference to measure")


# The district: one school, every weekday from Monday 2026-09-28 to Wednesday 2026-10-14.
# absent_today (holdout 50%) fires on 09-28 for s1..s6 and s8, and on 10-13 for s7. The draws
# put s1-s3 and s7 in the texted arm, s4-s6 and s8 in the holdout. The next 10 school days
# after 09-28 are 09-29, 09-30, 10-01, 10-02, 10-05 .. 10-09 and 10-12.
FIRST = date(2026, 9, 28)
SCHOOL_DAYS = [FIRST + timedelta(days=n) for n in range(17) if (FIRST + timedelta(n)).weekday() < 5]
ABSENCES = {
    "s1": ["09-28", "09-29", "10-14"],  # 1 in the window (10-14 is after it): 1/10
    "s2": ["09-28", "09-29", "09-30"],  # 2/10
    "s3": ["09-28", "09-29", "09-30", "10-01"],  # 3/10
    "s4": ["09-28", "10-05", "10-06"],  # 2/10
    "s5": ["09-28", "10-05", "10-06", "10-07"],  # 3/10
    "s6": ["09-28", "10-05", "10-06", "10-07", "10-08"],  # 4/10
    "s7": ["10-13"],  # fired 10-13: one school day since by 10-14, so waiting
    "s8": ["09-28"],  # left on 09-28: enrolled on none of the window, not measured
}
HOLDOUT_HALF = parse_triggers(
    {
        "spec_version": 1,
        "triggers": [
            {
                "name": "absent_today",
                "when": {"absent_today": True},
                "flow": "missed_you",
                "holdout": "50%",
            }
        ],
    },
    "test",
)


@pytest.fixture
def measured(runtime: Runtime, clock) -> None:
    """The district above, scanned on 09-28 and 10-13 with the draws it describes."""
    with runtime.db.transaction() as session:
        add_school(session)
        add_school_days(session, SCHOOL_DAYS)
        for student_id, days in ABSENCES.items():
            exit_date = FIRST if student_id == "s8" else None
            session.add(
                Student(
                    id=student_id,
                    first_name="Test",
                    last_name="Student",
                    school_id="LIN",
                    grade="3",
                    exit_date=exit_date,
                )
            )
            session.flush()
            add_attendance(
                session, student_id, {date.fromisoformat(f"2026-{d}"): "absent" for d in days}
            )
    draws = iter([0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.9])  # by student id, then s7 on 10-13
    for day in (FIRST, date(2026, 10, 13)):
        with runtime.db.transaction() as session:
            scan(session, as_of=day, now=clock(), triggers=HOLDOUT_HALF, draw=draws.__next__)
    assert next(draws, None) is None  # one draw per student, no more


def test_report_effect_known_answer_as_csv(measured: None, cli: CliRunner) -> None:
    outcome = cli.invoke(main, ["report", "effect", "--days", "10", "--format", "csv"])
    assert outcome.exit_code == 0, outcome.output
    header, row = outcome.output.splitlines()
    assert header == (
        "trigger,days,texted,holdout,waiting,texted_absence_rate,holdout_absence_rate,"
        "difference,ci_low,ci_high,verdict"
    )
    # The arms' rates are those of test_a_small_holdout_known_answer: 1, 2, 3 and 2, 3, 4 in 10.
    assert row == (
        "absent_today,10,3,3,1,20.0,30.0,-10.0,-32.7,12.7,"
        "Too few students yet to tell: 3 texted and 3 held out so far; at least 30 in each are"
        " needed."
    )


def test_report_effect_as_json_and_table(measured: None, cli: CliRunner) -> None:
    args = ["report", "effect", "--days", "10", "--min-per-arm", "3", "--trigger", "absent_today"]
    document = json.loads(cli.invoke(main, [*args, "--format", "json"]).output)
    assert document["as_of"] == "2026-10-14"
    (row,) = document["rows"]
    assert (row["texted"], row["holdout"], row["waiting"]) == (3, 3, 1)
    assert (row["difference"], row["ci_low"], row["ci_high"]) == (-10.0, -32.7, 12.7)
    assert row["verdict"].startswith("No clear difference yet")
    table = cli.invoke(main, args).output
    assert "\ntexted_absence_rate           20.0\n" in table
    assert "\nci_low                       -32.7\n" in table
    assert table.endswith(
        "absent_today: No clear difference yet: texted students missed 10.0 percentage points"
        " less than held-out students (95% confidence interval -32.7 to 12.7 points), a range"
        " that includes no difference at all.\n"
    )


def test_a_longer_window_waits_for_everyone(measured: None, cli: CliRunner) -> None:
    # 12 school days after 09-28 end on 10-14; 13 would reach past the data, so all wait.
    row = cli.invoke(main, ["report", "effect", "--days", "13", "--format", "csv"])
    assert row.output.splitlines()[1].startswith("absent_today,13,0,0,7,,,,,,Too few")


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--days", "0"], "'--days'"),
        (["--min-per-arm", "1"], "'--min-per-arm'"),
        (["--format", "pdf"], "'--format'"),
        (["--trigger", "nope"], "'--trigger'"),
    ],
)
def test_bad_options_name_the_option(measured: None, cli: CliRunner, args, names) -> None:
    outcome = cli.invoke(main, ["report", "effect", *args])
    assert outcome.exit_code == 2
    assert names in outcome.output
    if args[0] == "--trigger":
        assert "'nope' is not a trigger with a holdout; expected absent_today" in outcome.output


def test_no_data_is_said_plainly(runtime: Runtime, cli: CliRunner) -> None:
    assert cli.invoke(main, ["report", "effect"]).output == "No attendance has been imported yet.\n"
    with runtime.db.transaction() as session:
        add_school(session)
        add_school_days(session, SCHOOL_DAYS)
        session.add(Student(id="s1", first_name="T", last_name="S", school_id="LIN", grade="3"))
        session.flush()
        add_attendance(session, "s1", {FIRST: "present"})
    outcome = cli.invoke(main, ["report", "effect"])
    assert outcome.exit_code == 0
    assert outcome.output.startswith("No trigger has a holdout yet")


def test_the_reports_page_shows_the_same_effect_as_the_command(
    measured: None, runtime: Runtime, client, cli: CliRunner
) -> None:
    with runtime.db.transaction() as session:
        add_user(session, "admin@example.org", role="district_admin", schools=())
    sign_in(client, "admin@example.org")
    page = client.get("/staff/reports/").get_data(as_text=True)
    assert "No holdout measured yet" not in page
    assert "absent_today" in page and "Too few students yet to tell" in page
    expected = cli.invoke(main, ["report", "effect", "--format", "csv"])
    assert expected.exit_code == 0, expected.output
    download = client.get("/staff/reports/effect.csv")
    assert download.status_code == 200
    assert download.get_data(as_text=True) == expected.output
