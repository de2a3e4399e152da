"""The scan never guesses where data is missing: late exports, missing calendars, enrolment.

One test per class of gap, each on SQLite and PostgreSQL through the real scan.
"""

from __future__ import annotations

import logging
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select

from outreach_bot import jobs
from outreach_bot.attendance.coverage import LATE_ATTENDANCE, NO_ATTENDANCE, NO_CALENDAR
from outreach_bot.attendance.scan import ScanResult, scan
from outreach_bot.cli import main
from outreach_bot.clock import FixedClock
from outreach_bot.models import AttendanceSummary, AuditEvent, CalendarDay, Student
from outreach_bot.runtime import Runtime
from outreach_bot.staff.case_file import attendance_strip
from tests.test_scan import SCHOOL_DAYS, TRIGGERS, enroll, fired, run


def summaries(runtime: Runtime) -> dict[str, tuple[date, int, int]]:
    """(as_of, instructional days, absences) of each saved summary, by student."""
    with runtime.db.transaction() as session:
        rows = session.scalars(select(AttendanceSummary))
        return {s.student_id: (s.as_of, s.instructional_days, s.absences) for s in rows}


def enrol_dates(runtime: Runtime, student_id: str, entry: date | None, exit: date | None) -> None:
    """Set a student's entry and exit dates, as students.csv would."""
    with runtime.db.transaction() as session:
        student = session.get_one(Student, student_id)
        student.entry_date, student.exit_date = entry, exit


def test_a_scan_after_the_last_export_skips_that_school_and_keeps_its_numbers(
    runtime: Runtime, clock: FixedClock
) -> None:
    # Maple's export stops after day 4; Oak's has arrived through day 6.
    with runtime.db.transaction() as session:
        enroll(session, {"m-1": "AAPPP", "m-2": "PPPPP"})
        enroll(session, {"o-1": "PPPPPPA"}, school_id="oak")
    run(runtime, clock, SCHOOL_DAYS[4])
    before = summaries(runtime)
    result = run(runtime, clock, SCHOOL_DAYS[6])
    [skipped] = result.skipped
    assert (skipped.school_id, skipped.name, skipped.students) == ("maple", "Maple Elementary", 2)
    assert (skipped.missing.reason, skipped.missing.needed, skipped.missing.last_attendance) == (
        LATE_ATTENDANCE,
        SCHOOL_DAYS[6],
        SCHOOL_DAYS[4],
    )
    # Maple's students are not counted as present on days nobody reported: no new numbers.
    after = summaries(runtime)
    assert after["m-1"] == before["m-1"] == (SCHOOL_DAYS[4], 5, 2)
    assert after["o-1"] == (SCHOOL_DAYS[6], 7, 1)
    assert fired(result) == [("o-1", "absent_today")]
    assert (result.students_scanned, sum(result.bands.values())) == (1, 1)


def test_an_absence_only_export_counts_days_without_a_record_as_present_up_to_its_last_day(
    runtime: Runtime, clock: FixedClock
) -> None:
    # Only absences are exported; m-1's absence on day 5 shows the export reached day 5.
    with runtime.db.transaction() as session:
        enroll(session, {"m-1": "-----A", "m-2": "------"})
    enrol_dates(runtime, "m-1", SCHOOL_DAYS[0], None)
    enrol_dates(runtime, "m-2", SCHOOL_DAYS[0], None)
    result = run(runtime, clock, SCHOOL_DAYS[5])
    assert result.skipped == []
    assert summaries(runtime) == {
        "m-1": (SCHOOL_DAYS[5], 6, 1),
        "m-2": (SCHOOL_DAYS[5], 6, 0),
    }
    # The next day, nobody's record yet: the school is skipped, not reported as all present.
    assert [s.missing.reason for s in run(runtime, clock, SCHOOL_DAYS[6]).skipped] == [
        LATE_ATTENDANCE
    ]


def test_a_school_with_no_attendance_this_year_is_skipped_and_said_so(
    runtime: Runtime, clock: FixedClock
) -> None:
    with runtime.db.transaction() as session:
        enroll(session, {"m-1": "", "m-2": ""})
    result = run(runtime, clock, SCHOOL_DAYS[2])
    [skipped] = result.skipped
    assert (skipped.missing.reason, skipped.missing.last_attendance) == (NO_ATTENDANCE, None)
    assert summaries(runtime) == {}


def test_a_school_without_a_calendar_has_no_school_days_unless_weekdays_count(
    runtime: Runtime, clock: FixedClock
) -> None:
    with runtime.db.transaction() as session:
        enroll(session, {"o-1": "PPAPP"}, school_id="oak", calendar=False)
    result = run(runtime, clock, SCHOOL_DAYS[4])
    assert [(s.school_id, s.missing.reason) for s in result.skipped] == [("oak", NO_CALENDAR)]
    assert summaries(runtime) == {}
    # The district says weekdays count when the calendar is silent.
    with runtime.db.transaction() as session:
        counted = scan(
            session, as_of=SCHOOL_DAYS[4], now=clock(), triggers=TRIGGERS, unlisted_weekdays=True
        )
    assert counted.skipped == []
    assert summaries(runtime) == {"o-1": (SCHOOL_DAYS[4], 5, 1)}


def test_a_date_outside_the_imported_calendar_is_no_school_day(
    runtime: Runtime, clock: FixedClock
) -> None:
    # Maple's calendar lists only the first five school days; records go on after it ends.
    with runtime.db.transaction() as session:
        enroll(session, {"m-1": "PPPPPAA"})
        session.execute(delete(CalendarDay).where(CalendarDay.date > SCHOOL_DAYS[4]))
    result = run(runtime, clock, SCHOOL_DAYS[6])
    assert result.skipped == [] and result.fired == []
    assert summaries(runtime) == {"m-1": (SCHOOL_DAYS[6], 5, 0)}


def test_a_withdrawn_students_family_is_not_texted_and_their_days_stop_at_exit(
    runtime: Runtime, clock: FixedClock
) -> None:
    with runtime.db.transaction() as session:
        enroll(session, {"left": "PPAAAAA", "stays": "PPPPPPA", "leaves_today": "PPPPPPA"})
    enrol_dates(runtime, "left", None, SCHOOL_DAYS[3])
    enrol_dates(runtime, "leaves_today", None, SCHOOL_DAYS[6])
    result = run(runtime, clock, SCHOOL_DAYS[6])
    assert fired(result) == [("leaves_today", "absent_today"), ("stays", "absent_today")]
    assert (result.withdrawn, result.students_scanned) == (1, 2)
    assert summaries(runtime)["left"] == (SCHOOL_DAYS[6], 4, 2)


def test_days_before_the_entry_date_are_not_the_students_to_miss(
    runtime: Runtime, clock: FixedClock
) -> None:
    with runtime.db.transaction() as session:
        enroll(session, {"new": "AAAPPP"})  # records from another school before entry
    enrol_dates(runtime, "new", SCHOOL_DAYS[3], None)
    result = run(runtime, clock, SCHOOL_DAYS[5])
    assert summaries(runtime)["new"] == (SCHOOL_DAYS[5], 3, 0)
    assert result.fired == []


def test_the_nightly_scan_leaves_a_log_line_and_an_audit_event_naming_no_student(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    with runtime.db.transaction() as session:
        enroll(session, {"m-1": "AAAA"})
    with caplog.at_level(logging.WARNING, logger="outreach_bot.jobs"):
        result: ScanResult = jobs.run_scan(SCHOOL_DAYS[6])
    assert result.fired == [] and len(result.skipped) == 1
    assert caplog.messages == [
        f"scan as of {SCHOOL_DAYS[6]} skipped school maple: attendance for {SCHOOL_DAYS[6]} has"
        f" not arrived (the last day with attendance is {SCHOOL_DAYS[3]})"
    ]
    with runtime.db.transaction() as session:
        [event] = session.scalars(select(AuditEvent)).all()
        assert (event.action, event.target_type, event.target_id, event.user_id) == (
            "scan_skipped_school",
            "school",
            "maple",
            None,
        )
        assert event.detail is not None and event.detail.startswith(f"scan as of {SCHOOL_DAYS[6]}")
    assert "m-1" not in caplog.text and "Test" not in caplog.text


def test_the_scan_command_names_skipped_schools_and_exits_3(
    runtime: Runtime, cli: CliRunner
) -> None:
    with runtime.db.transaction() as session:
        enroll(session, {"m-1": "PPPP"})
        enroll(session, {"o-1": "PPPPP"}, school_id="oak")
        enroll(session, {"p-1": "PPPPP"}, school_id="pine", calendar=False)
    day = SCHOOL_DAYS[4].isoformat()
    outcome = cli.invoke(main, ["scan", "--date", day])
    assert outcome.exit_code == 3, outcome.output
    lines = outcome.output.splitlines()
    assert lines[0] == f"scan as of {day}: 1 students"  # Oak's; the bands follow
    assert lines[5:] == [
        "no triggers fired",
        "schools not scanned (nothing fired there; their numbers stay as they were):",
        f"  maple  Maple Elementary, 1 students: attendance for {day} has not arrived"
        f" (the last day with attendance is {SCHOOL_DAYS[3]})",
        "  pine  Pine Elementary, 1 students: no calendar for this school year, so it has no"
        " school days",
        f"Error: 2 schools were not scanned as of {day} because data is missing: import the"
        " attendance export (outreach-bot import attendance FILE.csv); import the school"
        " calendar (outreach-bot import calendar FILE.csv), or, if your calendars list only the"
        " days off, let weekdays count on the District settings page; then run the scan again.",
    ]


def test_the_case_files_attendance_strip_shows_only_the_days_enrolled(
    runtime: Runtime, clock: FixedClock
) -> None:
    with runtime.db.transaction() as session:
        enroll(session, {"m-1": "PPAPPPPP"})
    enrol_dates(runtime, "m-1", SCHOOL_DAYS[1], SCHOOL_DAYS[4])
    with runtime.db.transaction() as session:
        strip = attendance_strip(session, session.get_one(Student, "m-1"), SCHOOL_DAYS[7])
    assert [(day.day, day.status) for day in strip] == [
        (SCHOOL_DAYS[1], "present"),
        (SCHOOL_DAYS[2], "absent"),
        (SCHOOL_DAYS[3], "present"),
        (SCHOOL_DAYS[4], "present"),
    ]
