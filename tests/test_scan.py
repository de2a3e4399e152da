"""The scan on real databases: summaries, bands, firings once per episode, escalations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from outreach_bot.attendance.metrics import instructional_days
from outreach_bot.attendance.rules import PRIORITIES, TriggerFileError, parse_triggers
from outreach_bot.attendance.scan import ScanResult, load_triggers, scan
from outreach_bot.cli import main
from outreach_bot.clock import FixedClock
from outreach_bot.models import (
    AttendanceRecord,
    AttendanceSummary,
    CalendarDay,
    Escalation,
    School,
    Student,
    TriggerFiring,
)
from outreach_bot.models.escalation import PRIORITIES as MODEL_PRIORITIES
from outreach_bot.runtime import Runtime

MONDAY = date(2026, 9, 28)
SCHOOL_DAYS = instructional_days({}, MONDAY, MONDAY + timedelta(days=40), unlisted_weekdays=True)
STATUS = {"A": "absent", "E": "excused", "U": "unexcused", "P": "present", "T": "tardy"}
TRIGGERS = parse_triggers(
    {
        "spec_version": 1,
        "triggers": [
            {"name": "absent_today", "when": {"absent_today": True}, "flow": "missed_you"},
            {
                "name": "three_in_a_row",
                "when": {"consecutive_absences_at_least": 3},
                "escalate": {"reason": "consecutive_absences", "priority": "normal"},
            },
            {
                "name": "entering_chronic",
                "when": {"band_at_least": "moderate_chronic", "min_instructional_days": 10},
                "flow": "barriers",
            },
        ],
    },
    "test triggers",
)


def enroll(
    session: Session, patterns: dict[str, str], school_id: str = "maple", calendar: bool = True
) -> None:
    """A school with its calendar (every weekday from MONDAY a school day), and synthetic
    students, each with a day's mark ("-": no record) per school day."""
    if session.get(School, school_id) is None:
        session.add(School(id=school_id, name=f"{school_id.title()} Elementary", zip="90000"))
        session.flush()
        if calendar:
            session.add_all(
                CalendarDay(school_id=school_id, date=day, instructional=True)
                for day in SCHOOL_DAYS
            )
    for number, (student_id, pattern) in enumerate(patterns.items()):
        session.add(
            Student(
                id=student_id,
                first_name=f"Test{number}",
                last_name="Student",
                school_id=school_id,
                grade="3",
            )
        )
        session.flush()
        for day, mark in zip(SCHOOL_DAYS, pattern, strict=False):
            if mark != "-":
                session.add(AttendanceRecord(student_id=student_id, date=day, status=STATUS[mark]))
    session.flush()


def run(runtime: Runtime, clock: FixedClock, as_of: date) -> ScanResult:
    """One scan in its own transaction, like the nightly job."""
    with runtime.db.transaction() as session:
        return scan(session, as_of=as_of, now=clock(), triggers=TRIGGERS)


def fired(result: ScanResult) -> list[tuple[str, str]]:
    """(student, trigger) for each new firing, sorted."""
    return sorted((firing.student_id, firing.trigger) for firing in result.fired)


def test_scan_saves_each_students_numbers_and_counts_bands(
    runtime: Runtime, clock: FixedClock
) -> None:
    day_20 = SCHOOL_DAYS[19]
    with runtime.db.transaction() as session:
        enroll(
            session,
            {
                "s-ok": "P" * 20,
                "s-4.8": "P" * 20 + "A",  # evaluated on day 20: no absence yet
                "s-5": "PPPPPPPPPPPPPPPPPPPA",  # 1 of 20: exactly 5%
                "s-10": "PPPPPPPPPPPPPPPPPPEA",  # 2 of 20: exactly 10%
                "s-20": "TPPPPPPPPPPPPPPAPUAE",  # 4 of 20: exactly 20%
                "s-none": "",  # on the roster, no records yet
            },
        )
    result = run(runtime, clock, day_20)
    assert result.as_of == day_20
    assert result.students_scanned == 6
    assert result.bands == {
        "satisfactory": 3,
        "at_risk": 1,
        "moderate_chronic": 1,
        "severe_chronic": 1,
    }
    with runtime.db.transaction() as session:
        summaries = {s.student_id: s for s in session.scalars(select(AttendanceSummary))}
    assert set(summaries) == {"s-ok", "s-4.8", "s-5", "s-10", "s-20", "s-none"}
    severe = summaries["s-20"]
    assert (severe.as_of, severe.instructional_days, severe.absences) == (day_20, 20, 4)
    assert (severe.consecutive_absences, severe.absent_today, severe.band) == (
        3,
        True,
        "severe_chronic",
    )
    assert severe.scanned_at == clock()
    assert (summaries["s-none"].instructional_days, summaries["s-none"].band) == (0, "satisfactory")


def test_a_second_scan_updates_the_summaries(runtime: Runtime, clock: FixedClock) -> None:
    with runtime.db.transaction() as session:
        enroll(session, {"s-1": "PPPPA"})
    run(runtime, clock, SCHOOL_DAYS[3])
    clock.advance(days=1)
    run(runtime, clock, SCHOOL_DAYS[4])
    with runtime.db.transaction() as session:
        [summary] = session.scalars(select(AttendanceSummary)).all()
    assert (summary.as_of, summary.absences, summary.absent_today) == (SCHOOL_DAYS[4], 1, True)
    assert summary.scanned_at == clock()


def test_non_instructional_days_are_ignored(runtime: Runtime, clock: FixedClock) -> None:
    wednesday, saturday = MONDAY + timedelta(days=2), MONDAY + timedelta(days=5)
    with runtime.db.transaction() as session:
        enroll(session, {"s-1": "PPAPP"})
        session.get_one(CalendarDay, ("maple", wednesday)).instructional = False
        session.add(AttendanceRecord(student_id="s-1", date=saturday, status="absent"))
    result = run(runtime, clock, saturday)
    with runtime.db.transaction() as session:
        summary = session.get_one(AttendanceSummary, "s-1")
    assert (summary.instructional_days, summary.absences) == (4, 0)
    assert result.fired == []  # nothing fires on a Saturday


def test_last_school_year_does_not_count(runtime: Runtime, clock: FixedClock) -> None:
    with runtime.db.transaction() as session:
        enroll(session, {"s-1": "PPPPP"})
        session.add(AttendanceRecord(student_id="s-1", date=date(2026, 6, 1), status="absent"))
    run(runtime, clock, SCHOOL_DAYS[4])
    with runtime.db.transaction() as session:
        summary = session.get(AttendanceSummary, "s-1")
    assert summary is not None
    assert (summary.instructional_days, summary.absences) == (5, 0)


def test_a_trigger_fires_once_per_episode_across_repeated_scans(
    runtime: Runtime, clock: FixedClock
) -> None:
    # Absent four days, back on Friday, then absent three days again.
    with runtime.db.transaction() as session:
        enroll(session, {"s-1": "AAAAPAAAP", "s-2": "PPPPPPPPP"})
    scans = [
        (0, [("s-1", "absent_today")]),
        (0, []),  # the same day again: quiet
        (1, []),
        (2, [("s-1", "three_in_a_row")]),
        (2, []),
        (3, []),  # still the same streak
        (4, []),  # back at school
        (5, [("s-1", "absent_today")]),  # a new run of absences
        (6, []),
        (7, [("s-1", "three_in_a_row")]),  # a new streak
        (7, []),
    ]
    for index, expected in scans:
        assert fired(run(runtime, clock, SCHOOL_DAYS[index])) == expected, SCHOOL_DAYS[index]
    with runtime.db.transaction() as session:
        firings = session.execute(
            select(TriggerFiring.trigger, TriggerFiring.episode, TriggerFiring.as_of).order_by(
                TriggerFiring.id
            )
        ).all()
    assert [tuple(row) for row in firings] == [
        ("absent_today", SCHOOL_DAYS[0].isoformat(), SCHOOL_DAYS[0]),
        ("three_in_a_row", SCHOOL_DAYS[2].isoformat(), SCHOOL_DAYS[2]),
        ("absent_today", SCHOOL_DAYS[5].isoformat(), SCHOOL_DAYS[5]),
        ("three_in_a_row", SCHOOL_DAYS[7].isoformat(), SCHOOL_DAYS[7]),
    ]


def test_entering_chronic_fires_again_only_after_leaving(
    runtime: Runtime, clock: FixedClock
) -> None:
    # 1 of 10 days is 10% on day 10; 1 of 11 is below; 2 of 12 is back in.
    with runtime.db.transaction() as session:
        enroll(session, {"s-1": "EPPPPPPPPPPU"})
    fired_on = [
        index
        for index in range(12)
        if ("s-1", "entering_chronic") in fired(run(runtime, clock, SCHOOL_DAYS[index]))
    ]
    assert fired_on == [9, 11]


def test_flow_firings_name_their_flow(runtime: Runtime, clock: FixedClock) -> None:
    with runtime.db.transaction() as session:
        enroll(session, {"s-1": "A", "s-2": "P"})
    result = run(runtime, clock, SCHOOL_DAYS[0])
    [firing] = result.flow_firings
    assert (firing.student_id, firing.trigger, firing.action, firing.flow) == (
        "s-1",
        "absent_today",
        "flow",
        "missed_you",
    )
    assert firing.escalation_id is None
    with runtime.db.transaction() as session:
        row = session.get(TriggerFiring, firing.firing_id)
    assert row is not None and row.student_id == "s-1" and row.fired_at == clock()
    assert result.fired_by_trigger() == {"absent_today": 1}


def test_an_escalate_action_opens_one_escalation(runtime: Runtime, clock: FixedClock) -> None:
    with runtime.db.transaction() as session:
        enroll(session, {"s-1": "AAAA"})
    run(runtime, clock, SCHOOL_DAYS[0])
    result = run(runtime, clock, SCHOOL_DAYS[2])
    [firing] = result.fired
    assert (firing.trigger, firing.action, firing.flow) == ("three_in_a_row", "escalate", None)
    assert result.flow_firings == []
    run(runtime, clock, SCHOOL_DAYS[2])
    run(runtime, clock, SCHOOL_DAYS[3])
    with runtime.db.transaction() as session:
        [escalation] = session.scalars(select(Escalation)).all()
        row = session.get(TriggerFiring, firing.firing_id)
    assert firing.escalation_id == escalation.id
    assert (escalation.student_id, escalation.school_id) == ("s-1", "maple")
    assert (escalation.reason, escalation.priority, escalation.status) == (
        "consecutive_absences",
        "normal",
        "open",
    )
    assert escalation.created_at == clock()
    assert row is not None and row.outcome == f"escalation {escalation.id}"


def test_the_scan_reads_in_bulk_not_per_student(runtime: Runtime, clock: FixedClock) -> None:
    with runtime.db.transaction() as session:
        enroll(session, {f"s-{n:02}": "PPPPPP" + "AAP"[n % 3] for n in range(60)})
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(runtime.db.engine, "before_cursor_execute", count)
    try:
        result = run(runtime, clock, SCHOOL_DAYS[6])
    finally:
        event.remove(runtime.db.engine, "before_cursor_execute", count)
    assert result.students_scanned == 60
    assert len(result.fired) == 40  # absent today: two students in three
    # On PostgreSQL the scan then counts the chronic report for the day (chronic_counts):
    # a fixed few statements more, however many students.
    lock = "LOCK TABLE chronic_counts_taken"
    refresh = next((n for n, s in enumerate(statements) if s.startswith(lock)), len(statements))
    assert refresh <= 10, "\n".join(s[:60].replace("\n", " ") for s in statements)
    assert len(statements) - refresh <= 8, "\n".join(s[:60] for s in statements[refresh:])


def test_the_shipped_triggers_file_loads_and_its_flows_exist(runtime: Runtime) -> None:
    flows_dir = runtime.settings.flows_dir
    triggers = load_triggers(flows_dir / "triggers.yaml")
    assert {t.name for t in triggers} >= {"absent_today"}
    for trigger in triggers:
        flow = getattr(trigger.action, "flow", None)
        if flow is not None:
            assert (flows_dir / f"{flow}.yaml").is_file(), flow


def test_priorities_match_the_escalation_model() -> None:
    assert PRIORITIES == MODEL_PRIORITIES


def test_load_triggers_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "triggers.yaml"
    with pytest.raises(TriggerFileError, match="the triggers file is missing"):
        load_triggers(missing)
    missing.write_text("spec_version: 1\ntriggers:\n  - name: [unclosed\n", encoding="utf-8")
    with pytest.raises(TriggerFileError) as caught:
        load_triggers(missing)
    assert str(caught.value).startswith(f"{missing}, line 4: the file is not valid YAML")
    missing.write_text("spec_version: 1\ntriggers:\n  - name: x\n", encoding="utf-8")
    with pytest.raises(TriggerFileError, match=r"trigger 'x': expected 'when'"):
        load_triggers(missing)


def test_an_empty_roster_scans_nothing(runtime: Runtime, clock: FixedClock) -> None:
    result = run(runtime, clock, SCHOOL_DAYS[0])
    assert (result.students_scanned, result.fired) == (0, [])
    with runtime.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(AttendanceSummary)) == 0


def test_the_scan_command_prints_counts_only(runtime: Runtime, cli: CliRunner) -> None:
    with runtime.db.transaction() as session:
        enroll(session, {"s-1": "PPAAA", "s-2": "PPPPA", "s-3": "PPPPP"})
    outcome = cli.invoke(main, ["scan", "--date", SCHOOL_DAYS[4].isoformat()])
    assert outcome.exit_code == 0, outcome.output
    assert outcome.output.splitlines() == [
        f"scan as of {SCHOOL_DAYS[4].isoformat()}: 3 students",
        "  satisfactory           1",
        "  at_risk                0",
        "  moderate_chronic       0",
        "  severe_chronic         2",
        "triggers fired:",
        "  absent_today                  2",
        "  three_absences_in_a_row       1",
    ]
    assert "Test" not in outcome.output
    again = cli.invoke(main, ["scan", "--date", SCHOOL_DAYS[4].isoformat()])
    assert again.output.splitlines()[-1] == "no triggers fired"


def test_the_scan_command_defaults_to_today_in_the_district(
    cli: CliRunner, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 10, 15, 2, 0, tzinfo=UTC))  # still the 14th in Los Angeles
    outcome = cli.invoke(main, ["scan"])
    assert outcome.exit_code == 0, outcome.output
    assert outcome.output.splitlines()[0] == "scan as of 2026-10-14: 0 students"


def test_the_scan_command_rejects_a_bad_date(cli: CliRunner) -> None:
    outcome = cli.invoke(main, ["scan", "--date", "14/10/2026"])
    assert outcome.exit_code == 2
    assert "'14/10/2026' does not match the format '%Y-%m-%d'" in outcome.output


def test_the_scan_command_explains_a_bad_triggers_file(
    app_config: dict[str, object], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    (tmp_path / "triggers.yaml").write_text(
        "spec_version: 1\ntriggers:\n  - name: absent\n    when: {absent_today: maybe}\n"
        "    flow: missed_you\n",
        encoding="utf-8",
    )
    app_config["FLOWS_DIR"] = tmp_path
    cli: CliRunner = request.getfixturevalue("cli")
    outcome = cli.invoke(main, ["scan", "--date", "2026-10-14"])
    assert outcome.exit_code == 1
    assert outcome.output == (
        f"Error: {tmp_path / 'triggers.yaml'}: trigger 'absent': expected 'absent_today' to be "
        "true or false, got 'maybe'.\n"
    )
