"""A trigger's holdout: parsed strictly, drawn at random, recorded, kept, and never texted."""

from __future__ import annotations

import math
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import insert, select

from outreach_bot import jobs
from outreach_bot.attendance.rules import HOLDOUT, TEXTED, TriggerFileError, parse_triggers
from outreach_bot.attendance.scan import scan
from outreach_bot.cli import main
from outreach_bot.escalations import open_escalation
from outreach_bot.models import AttendanceRecord, Guardian, Student, TriggerFiring
from outreach_bot.runtime import Runtime
from tests.factories import add_attendance, add_family, add_school, add_school_days
from tests.staff_helpers import sign_in, two_schools

FLOWS = Path(__file__).resolve().parent.parent / "flows"
# Three school days: absent, present, absent, so absent_today has two episodes a student.
DAYS = [date(2026, 10, 12), date(2026, 10, 13), date(2026, 10, 14)]


def triggers_with(holdout: object, action: dict[str, object] | None = None) -> dict[str, object]:
    """A triggers file with one absent_today trigger carrying this holdout."""
    trigger = {"name": "absent_today", "when": {"absent_today": True}, "holdout": holdout}
    return {"spec_version": 1, "triggers": [{**trigger, **(action or {"flow": "missed_you"})}]}


@pytest.mark.parametrize(
    ("written", "share"),
    [("10%", Fraction(1, 10)), (" 2.5% ", Fraction(1, 40)), ("50%", Fraction(1, 2))],
)
def test_a_holdout_is_a_percentage_read_exactly(written: str, share: Fraction) -> None:
    (trigger,) = parse_triggers(triggers_with(written), "triggers.yaml")
    assert trigger.holdout == share


def test_a_trigger_without_a_holdout_puts_nobody_in_an_arm() -> None:
    data = triggers_with(None)
    del data["triggers"][0]["holdout"]  # type: ignore[index]
    (trigger,) = parse_triggers(data, "triggers.yaml")
    assert trigger.holdout == 0
    assert trigger.arm(0.0) is None


def test_the_draw_decides_the_arm_at_the_exact_share() -> None:
    (trigger,) = parse_triggers(triggers_with("10%"), "triggers.yaml")
    assert trigger.arm(0.0) == HOLDOUT
    assert trigger.arm(0.0999999) == HOLDOUT
    assert trigger.arm(0.1) == TEXTED  # [0, 0.1) is the holdout: exactly 10% of [0, 1)
    assert trigger.arm(0.99) == TEXTED


@pytest.mark.parametrize("written", ["10", 10, "0%", "50.1%", "ten%", "-5%", "Infinity%", "NaN%"])
def test_a_bad_holdout_names_the_file_the_trigger_and_what_is_expected(written: object) -> None:
    with pytest.raises(TriggerFileError) as error:
        parse_triggers(triggers_with(written), "flows/triggers.yaml")
    assert str(error.value) == (
        "flows/triggers.yaml: trigger 'absent_today': expected 'holdout' to be a percentage"
        f" above 0% and at most 50%, such as '10%', got {written!r}."
    )


def test_an_escalation_is_never_held_out() -> None:
    escalate = {"escalate": {"reason": "consecutive_absences"}}
    with pytest.raises(TriggerFileError, match="trigger 'absent_today': 'holdout' holds back"):
        parse_triggers(triggers_with("10%", escalate), "flows/triggers.yaml")


def absent_students(runtime: Runtime, count: int) -> None:
    """`count` synthetic students, absent on the first and last of DAYS, present between."""
    with runtime.db.transaction() as session:
        add_school(session)
        add_school_days(session, DAYS)
        session.execute(
            insert(Student),
            [
                {"id": f"S{n:04d}", "first_name": "Test", "last_name": "Student"}
                | {"school_id": "LIN", "grade": "3"}
                for n in range(count)
            ],
        )
        marks = {DAYS[0]: "absent", DAYS[1]: "present", DAYS[2]: "absent"}
        session.execute(
            insert(AttendanceRecord),
            [
                {"student_id": f"S{n:04d}", "date": day, "status": status}
                for n in range(count)
                for day, status in marks.items()
            ],
        )


def arms(runtime: Runtime) -> dict[tuple[str, str], str | None]:
    """Every firing's arm by (student, episode)."""
    with runtime.db.transaction() as session:
        rows = session.execute(
            select(TriggerFiring.student_id, TriggerFiring.episode, TriggerFiring.arm)
        )
        return {(student, episode): arm for student, episode, arm in rows}


def test_the_holdout_share_is_in_its_expected_range_and_stable_across_rescans(
    runtime: Runtime, clock
) -> None:
    students = 1000
    absent_students(runtime, students)
    triggers = parse_triggers(triggers_with("10%"), "test")
    with runtime.db.transaction() as session:
        first = scan(session, as_of=DAYS[0], now=clock(), triggers=triggers)
    held = sum(firing.action == "holdout" for firing in first.fired)
    # The draws are the operating system's, so the count is binomial(1000, 0.1): mean
    # 1000 * 0.1 = 100, standard deviation sqrt(1000 * 0.1 * 0.9) = sqrt(90) = 9.49. Four and a
    # half of those either side, 100 +/- 42.7, is 58..142: outside it about 7 runs in a million.
    spread = 4.5 * math.sqrt(students * 0.1 * 0.9)
    assert 100 - spread <= held <= 100 + spread
    assert {firing.action for firing in first.fired} == {"flow", "holdout"}
    drawn = arms(runtime)
    assert sum(arm == HOLDOUT for arm in drawn.values()) == held
    assert sum(arm == TEXTED for arm in drawn.values()) == students - held

    with runtime.db.transaction() as session:  # the same night again: nothing new, nothing redrawn
        assert scan(session, as_of=DAYS[0], now=clock(), triggers=triggers).fired == []
    assert arms(runtime) == drawn

    with runtime.db.transaction() as session:  # a new episode keeps each student's arm
        again = scan(session, as_of=DAYS[2], now=clock(), triggers=triggers)
    assert len(again.fired) == students
    later = arms(runtime)
    for (student, episode), arm in drawn.items():
        assert later[student, DAYS[2].isoformat()] == arm, (student, episode)


def test_a_baseline_scan_draws_no_arm(runtime: Runtime, clock) -> None:
    absent_students(runtime, 3)
    triggers = parse_triggers(triggers_with("50%"), "test")
    with runtime.db.transaction() as session:
        scan(session, as_of=DAYS[0], now=clock(), triggers=triggers, act=False)
    assert set(arms(runtime).values()) == {None}


def test_held_out_students_are_never_texted_by_that_trigger(
    app_config: dict[str, object], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    families = 40
    for source in FLOWS.glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    data = yaml.safe_load((FLOWS / "triggers.yaml").read_text(encoding="utf-8"))
    for trigger in data["triggers"]:
        if trigger["name"] == "absent_today":
            trigger["holdout"] = "50%"
    (tmp_path / "triggers.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    app_config["FLOWS_DIR"] = tmp_path
    runtime: Runtime = request.getfixturevalue("runtime")
    with runtime.db.transaction() as session:
        add_school(session)
        add_school_days(session, DAYS)
        for n in range(families):
            student_id = f"S{n:04d}"
            # Fictional numbers: +1 503 555 01xx.
            add_family(session, student_id=student_id, phone=f"+150355501{n:02d}", absences=0)
            add_attendance(session, student_id, {DAYS[0]: "absent"})
    cli: CliRunner = request.getfixturevalue("cli")
    outcome = cli.invoke(main, ["scan", "--date", DAYS[0].isoformat()])
    assert outcome.exit_code == 0, outcome.output
    assert jobs.run_scan(DAYS[0]).fired == []  # a rescan texts nobody new
    with runtime.db.transaction() as session:
        rows = session.execute(select(TriggerFiring.student_id, TriggerFiring.arm)).all()
    held = {student for student, arm in rows if arm == HOLDOUT}
    texted = {student for student, arm in rows if arm == TEXTED}
    assert f"absent_today      {families}  ({len(held)} held out, not texted)" in outcome.output
    # Each family is held out with probability 1/2: both arms are empty once in 2**39 runs.
    assert held and texted and len(held | texted) == families
    with runtime.db.transaction() as session:
        phones = dict(session.execute(select(Guardian.student_id, Guardian.phone)).all())
    reached = [phone for phone, _body in runtime.channel.sent]
    assert not {phones[student] for student in held} & set(reached)
    assert {phones[student] for student in texted} == set(reached)
    assert len(reached) == 2 * len(texted)  # missed_you's opening and its question, once each


def test_the_case_page_says_the_student_is_in_the_holdout(runtime: Runtime, client, clock) -> None:
    with runtime.db.transaction() as session:
        cases = two_schools(session, clock())
        session.add(
            TriggerFiring(
                student_id="S1001",
                trigger="absent_today",
                episode="2026-10-13",
                as_of=date(2026, 10, 13),
                fired_at=clock(),
                arm=HOLDOUT,
            )
        )
        open_escalation(session, reason="no_reply", now=clock(), student_id="S2001")
    sign_in(client, "admin@example.org")
    page = client.get(f"/staff/cases/{cases['LIN']}").get_data(as_text=True)
    assert "In the holdout of trigger absent_today since 2026-10-13" in page
    other = client.get(f"/staff/cases/{cases['OAK']}").get_data(as_text=True)
    assert "holdout" not in other
