"""SIS attendance exports: the district's codes, period roll-up, absence-only feeds, bad rows."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from outreach_bot import jobs
from outreach_bot.attendance.codes import AttendanceCodes, Code, CodesFileError, read_codes
from outreach_bot.attendance.importer import import_file, import_rows
from outreach_bot.attendance.periods import DayAttendance, PeriodMark, PeriodRule, roll_up
from outreach_bot.cli import main
from outreach_bot.cli.progress import terminal_progress
from outreach_bot.models import AttendanceRecord, AttendanceSummary
from outreach_bot.runtime import Runtime
from outreach_bot.staff import district_settings
from tests.test_import import load, load_district, write

SIS = Path(__file__).parent / "data" / "sis"
CODES = read_codes((SIS / "codes.csv").read_bytes(), "codes.csv")


def stored(runtime: Runtime) -> dict[tuple[str, str], tuple[str, int | None]]:
    """Every attendance record: (student, ISO date) -> (status, minutes missed)."""
    with runtime.db.transaction() as session:
        rows = session.execute(
            select(
                AttendanceRecord.student_id,
                AttendanceRecord.date,
                AttendanceRecord.status,
                AttendanceRecord.minutes_missed,
            )
        )
        return {
            (student, day.isoformat()): (status, minutes) for student, day, status, minutes in rows
        }


# --- Period roll-up: a day's periods -> the day's status, by the district's rule -----------

A, P, T, EX, UX = "absent", "present", "tardy", "excused", "unexcused"


@pytest.mark.parametrize(
    ("marks", "percent", "expected"),
    [
        ([A, A, A, A], 100, DayAttendance(A, None, 4, 4)),
        ([A, A, A, P], 100, DayAttendance(P, None, 3, 4)),
        ([A, A, A, P], 75, DayAttendance(A, None, 3, 4)),
        ([A, A, P, P], 50, DayAttendance(A, None, 2, 4)),
        ([A, P, P, P], 50, DayAttendance(P, None, 1, 4)),
        ([A, P, P, P], 1, DayAttendance(A, None, 1, 4)),
        ([EX, EX, EX], 100, DayAttendance(EX, None, 3, 3)),
        ([UX, UX], 100, DayAttendance(UX, None, 2, 2)),
        ([EX, UX, A], 100, DayAttendance(A, None, 3, 3)),
        ([P, T, P], 100, DayAttendance(T, None, 0, 3)),
        ([P, P], 1, DayAttendance(P, None, 0, 2)),
        ([T, A], 100, DayAttendance(P, None, 1, 2)),
        ([A], 100, DayAttendance(A, None, 1, 1)),
    ],
)
def test_a_days_periods_roll_up_by_the_districts_rule(
    marks: list[str], percent: int, expected: DayAttendance
) -> None:
    assert roll_up([PeriodMark(mark) for mark in marks], PeriodRule(percent)) == expected


def test_a_partial_day_adds_up_the_minutes_its_periods_give() -> None:
    marks = [PeriodMark(T, 10), PeriodMark(P), PeriodMark(UX, 50), PeriodMark(P)]
    assert roll_up(marks, PeriodRule()) == DayAttendance(P, 60, 1, 4)


@pytest.mark.parametrize("percent", [0, 101, -5])
def test_a_rule_outside_one_to_a_hundred_percent_is_refused(percent: int) -> None:
    with pytest.raises(ValueError, match="expected a whole number from 1 to 100"):
        PeriodRule(percent)


# --- The codes table ------------------------------------------------------------------------


def test_the_codes_file_maps_each_code_to_a_status_and_its_minutes() -> None:
    assert CODES.codes == {
        "P": Code(P),
        "A": Code(A),
        "EX": Code(EX),
        "UX": Code(UX),
        "T": Code(T),
        "T30": Code(T, 30),
        "ISS": Code(P),
    }


@pytest.mark.parametrize(
    ("cell", "status", "minutes"),
    [
        ("UX", UX, None),
        ("t30", T, 30),  # a code differing only in case
        ("Excused Absence", EX, None),  # an Ed-Fi category, as it is
        ("absent", A, None),
    ],
)
def test_a_cell_is_read_as_a_code_else_as_a_standard_status(
    cell: str, status: str, minutes: int | None
) -> None:
    assert (CODES.status(cell), CODES.minutes_missed(cell)) == (status, minutes)


def test_a_code_differing_only_in_case_from_two_codes_is_not_guessed() -> None:
    codes = AttendanceCodes("codes.csv", {"x": Code(P), "X": Code(A)})
    with pytest.raises(ValueError, match="'x1' is not a code in codes.csv"):
        codes.status("x1")
    assert codes.status("x") == P
    with pytest.raises(ValueError):
        AttendanceCodes("codes.csv", {"ab": Code(P), "AB": Code(A)}).status("Ab")


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        (
            "code,minutes_missed\nA,\n",
            [
                "codes.csv, line 1, column status: the header has no status column; expected a"
                " codes file whose header has code, status (and optionally minutes_missed)"
            ],
        ),
        (
            "code,status\nA,absent\nZ,gone fishing\n,present\nA,present\n",
            [
                "codes.csv, line 3, column status (2): 'gone fishing' is not an attendance status;"
                " expected present, absent, tardy, excused or unexcused (or an Ed-Fi category"
                " such as Excused Absence)",
                "codes.csv, line 4, column code (1): '' is empty; expected a code",
                "codes.csv, line 5, column code (1): line 2 has the same code 'A'; each code may"
                " appear once",
            ],
        ),
        (
            "code,status,minutes_missed\nT,tardy,lots\n",
            [
                "codes.csv, line 2, column minutes_missed (3): 'lots' is not a number of minutes;"
                " expected a whole number such as 45"
            ],
        ),
        ("code;status\nA;absent\n", None),
    ],
)
def test_a_bad_codes_file_names_every_bad_line(text: str, errors: list[str] | None) -> None:
    with pytest.raises(CodesFileError) as refused:
        read_codes(text.encode(), "codes.csv")
    found = [str(error) for error in refused.value.errors]
    if errors is None:
        assert found == [
            "codes.csv, line 1: the columns are separated by semicolons, not commas; save it"
            " from the spreadsheet as CSV UTF-8 (Save As > CSV UTF-8) and import that"
        ]
    else:
        assert found == errors


# --- Importing with codes -------------------------------------------------------------------


def test_an_export_with_the_districts_codes_is_stored_as_statuses(runtime: Runtime) -> None:
    load_district(runtime, "schools", "students")
    report = load(runtime, "attendance", SIS / "daily_codes.csv", codes=CODES)
    assert report.errors == [] and report.created == 8
    assert stored(runtime) == {
        ("S001", "2025-09-02"): (P, None),
        ("S001", "2025-09-03"): (UX, None),
        ("S002", "2025-09-02"): (T, 30),  # the code's minutes
        ("S002", "2025-09-03"): (EX, None),
        ("S003", "2025-09-02"): (T, 10),  # the row's own minutes
        ("S003", "2025-09-03"): (EX, None),
        ("S004", "2025-09-02"): (P, None),
        ("S004", "2025-09-03"): (A, None),
    }
    again = load(runtime, "attendance", SIS / "daily_codes.csv", codes=CODES)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)


def test_an_unknown_code_stops_the_import_with_its_file_line_and_code(
    runtime: Runtime, tmp_path: Path
) -> None:
    load_district(runtime, "schools", "students")
    path = write(
        tmp_path,
        "attendance.csv",
        "student_id,date,status\nS001,2025-09-02,P\nS001,2025-09-03,ZZ\nS002,2025-09-03,A\n",
    )
    report = load(runtime, "attendance", path, codes=CODES)
    assert report.rejected
    assert [str(error) for error in report.errors] == [
        "attendance.csv, line 3, column status (3): 'ZZ' is not a code in codes.csv; add it there"
        " with its status (present, absent, tardy, excused or unexcused), or correct the code"
    ]
    assert stored(runtime) == {}

    skipped = load(runtime, "attendance", path, codes=CODES, skip_bad_rows=True)
    assert (skipped.created, skipped.bad_rows, skipped.rejected) == (2, 1, False)
    assert set(stored(runtime)) == {("S001", "2025-09-02"), ("S002", "2025-09-03")}


def test_codes_apply_to_attendance_files_only(runtime: Runtime) -> None:
    with pytest.raises(ValueError, match="attendance files only"):
        load(
            runtime,
            "schools",
            Path(__file__).parent / "data" / "import" / "schools.csv",
            codes=CODES,
        )


# --- Period attendance ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "s003_sept_3"),
    [(100, (P, None)), (50, (A, None))],
)
def test_period_rows_roll_up_to_days_by_the_districts_rule(
    runtime: Runtime, percent: int, s003_sept_3: tuple[str, int | None]
) -> None:
    load_district(runtime, "schools", "students")
    report = load(
        runtime, "attendance", SIS / "periods.csv", codes=CODES, periods=PeriodRule(percent)
    )
    assert report.errors == [] and report.created == 4
    assert stored(runtime) == {
        ("S003", "2025-09-02"): (A, None),
        ("S003", "2025-09-03"): s003_sept_3,
        ("S004", "2025-09-02"): (EX, None),
        ("S004", "2025-09-03"): (P, 80),  # partial: 30 late (T30) + 50 missed
    }


def test_a_period_given_twice_is_a_bad_row(runtime: Runtime, tmp_path: Path) -> None:
    load_district(runtime, "schools", "students")
    path = write(
        tmp_path,
        "periods.csv",
        "student_id,date,period,status\nS003,2025-09-02,1,A\nS003,2025-09-02,1,P\n",
    )
    report = load(runtime, "attendance", path, codes=CODES)
    assert [str(error) for error in report.errors] == [
        "periods.csv, line 3, column period (3): line 2 has the same student_id and date and"
        " period; a student may have one row per date and period"
    ]


def test_a_day_with_a_bad_period_row_is_left_out_whole_when_skipping(
    runtime: Runtime, tmp_path: Path
) -> None:
    load_district(runtime, "schools", "students")
    path = write(
        tmp_path,
        "periods.csv",
        (
            "student_id,date,period,status\n"
            "S003,2025-09-02,1,A\n"
            "S003,2025-09-02,2,??\n"  # the day would be absent or partial: not guessed
            "S004,2025-09-02,1,A\n"
            "S004,2025-09-02,2,A\n"
        ),
    )
    report = load(runtime, "attendance", path, codes=CODES, skip_bad_rows=True)
    assert (report.created, report.bad_rows) == (1, 1)
    assert stored(runtime) == {("S004", "2025-09-02"): (A, None)}


def test_period_records_from_the_api_roll_up_too(runtime: Runtime) -> None:
    load_district(runtime, "schools", "students")
    records: list[dict[str, Any]] = [
        {"student_id": "S003", "date": date(2025, 9, 2), "period": period, "status": status}
        for period, status in ((1, "absent"), (2, "absent"), (3, "present"))
    ]
    with runtime.db.transaction() as session:
        report = import_rows(session, "attendance", records, "request", periods=PeriodRule(60))
    assert report.errors == [] and report.created == 1
    assert stored(runtime) == {("S003", "2025-09-02"): (A, None)}


# --- Absence-only feeds ---------------------------------------------------------------------


def test_an_absence_only_feed_counts_every_calendar_day_as_attended_but_its_absences(
    runtime: Runtime,
) -> None:
    load_district(runtime, "schools", "students")
    assert load(runtime, "calendar", SIS / "calendar.csv").errors == []
    assert load(runtime, "attendance", SIS / "absences_only.csv", codes=CODES).errors == []
    jobs.run_scan(date(2025, 9, 9))
    with runtime.db.transaction() as session:
        summaries = {
            row.student_id: (row.instructional_days, row.absences, row.consecutive_absences)
            for row in session.scalars(select(AttendanceSummary))
        }
    # LIN has five school days to Sept 9 (Sept 5 is a day off). Each student counts from the
    # first of them, not from their first absence.
    assert summaries["S001"] == (5, 2, 1)
    assert summaries["S002"] == (5, 2, 2)


# --- The command ----------------------------------------------------------------------------


@pytest.fixture
def runner(app: Any, database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner for `outreach-bot` on the test database (the `app` fixture emptied it)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    return CliRunner()


def test_the_command_imports_with_codes_and_stays_quiet_off_a_terminal(
    runner: CliRunner, runtime: Runtime
) -> None:
    load_district(runtime, "schools", "students")
    result = runner.invoke(
        main,
        ["import", "attendance", str(SIS / "daily_codes.csv"), "--codes", str(SIS / "codes.csv")],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "daily_codes.csv: 8 created, 0 updated, 0 unchanged, 0 bad rows\n"
    assert result.stderr == ""  # no progress bar: stderr is not a terminal


def test_the_command_rolls_periods_up_by_the_district_setting(
    runner: CliRunner, runtime: Runtime, clock: Any
) -> None:
    load_district(runtime, "schools", "students")
    with runtime.db.transaction() as session:
        district_settings.update(
            session,
            {"period_absent_percent": "50"},
            user_id=None,
            now=clock(),
            settings=runtime.settings,
        )
    result = runner.invoke(
        main, ["import", "attendance", str(SIS / "periods.csv"), "--codes", str(SIS / "codes.csv")]
    )
    assert result.exit_code == 0, result.output
    assert stored(runtime)[("S003", "2025-09-03")] == (A, None)


def test_the_command_refuses_a_bad_codes_file_and_imports_nothing(
    runner: CliRunner, runtime: Runtime, tmp_path: Path
) -> None:
    load_district(runtime, "schools", "students")
    codes = write(tmp_path, "codes.csv", "code,status\nA,absent\nB,away\n")
    result = runner.invoke(
        main, ["import", "attendance", str(SIS / "daily_codes.csv"), "--codes", str(codes)]
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "codes.csv, line 3, column status (2): 'away' is not an attendance status; expected"
        " present, absent, tardy, excused or unexcused (or an Ed-Fi category such as Excused"
        " Absence)",
        "Error: codes.csv cannot be used, so nothing was imported: fix the lines above and"
        " import again",
    ]
    assert stored(runtime) == {}


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as a user's shell is."""

    def isatty(self) -> bool:
        return True


def test_progress_shows_rows_a_second_on_a_terminal_and_nothing_elsewhere(
    runtime: Runtime, tmp_path: Path
) -> None:
    load_district(runtime, "schools", "students", "calendar")
    first = date(2025, 9, 1).toordinal()
    lines = ["student_id,date,status"] + [
        f"S00{1 + n % 4},{date.fromordinal(first + n).isoformat()},present" for n in range(5000)
    ]
    path = write(tmp_path, "attendance.csv", "\n".join(lines) + "\n")
    for stream, shown in ((Terminal(), True), (io.StringIO(), False)):
        with runtime.db.transaction() as session, terminal_progress(path.name, stream) as told:
            import_file(session, "attendance", path, progress=told)
        output = stream.getvalue()
        assert ("rows/s" in output and "attendance.csv" in output) is shown, output
        assert (output == "") is not shown
