"""Attendance files COPY-ed as they are and read inside PostgreSQL (attendance.copied_file).

The copied path must store, count and report exactly what the row-by-row paths do, take the
files it can, hand every other file to the row-by-row reading, and leave attendance_years
exactly what the records say.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, event, select

from outreach_bot.attendance import copied_file, importer
from outreach_bot.attendance.codes import read_codes
from outreach_bot.attendance.importer import ImportReport
from outreach_bot.models import AttendanceRecord, AttendanceYear
from outreach_bot.models.attendance import ABSENCE_STATUSES
from outreach_bot.runtime import Runtime
from tests.test_import_staging import (  # noqa: F401 (students: a fixture)
    _long_file,
    every_path,
    every_way,
    load,
    stored,
    students,
)

HEADER = "student_id,date,status,minutes_missed,reason"

# The copied path is PostgreSQL's; SQLite reads every file row by row.
POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def paths_taken(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which path each import took: "copied", or "rows" when the file was read row by row."""
    taken: list[str] = []
    copy_file, staged = importer.copy_file, importer._import_staged

    def copying(*args: Any, **kwargs: Any) -> ImportReport | None:
        report = copy_file(*args, **kwargs)
        if report is not None:
            taken.append("copied")
        return report

    def reading(*args: Any, **kwargs: Any) -> ImportReport:
        taken.append("rows")
        return staged(*args, **kwargs)

    monkeypatch.setattr(importer, "copy_file", copying)
    monkeypatch.setattr(importer, "_import_staged", reading)
    return taken


def write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# How the copied rows are read: each combination of the looked-up cells once (a table of
# them), or, as when the combinations are many, each column's table; with the columns of
# many distinct cells (guardians' phones) each grouped alone and joined through its table
# ("some alone": here those of more than 5.5), and ids of as many (guardians' students) not
# grouped at all, but checked a row at a time ("all alone").
JOINED = pytest.mark.parametrize("joined", ["combinations", "columns", "some alone", "all alone"])


def join(monkeypatch: pytest.MonkeyPatch, joined: str) -> None:
    if joined == "columns":
        monkeypatch.setattr(copied_file, "_MOST_COMBINATIONS", 0)
    elif joined == "some alone":
        monkeypatch.setattr(copied_file, "_MANY_CELLS", 5.5)
    elif joined == "all alone":
        monkeypatch.setattr(copied_file, "_MANY_CELLS", 0)


def test_the_whitespace_stripped_is_what_str_strip_strips() -> None:
    spaces = "".join(character for character in map(chr, range(0x110000)) if character.isspace())
    assert copied_file.WHITESPACE == spaces


@POSTGRESQL
@pytest.mark.usefixtures("students")
@JOINED
def test_a_plain_file_is_copied_and_stored_as_read_row_by_row(
    runtime: Runtime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    paths_taken: list[str],
    joined: str,
) -> None:
    join(monkeypatch, joined)
    lines = [
        "\ufeffStudent ID,Date,Status,Minutes Missed,Reason,,notes",  # a BOM, two other columns
        "S001,2025-09-01,present,,,,",
        " S002 ,9/2/2025, Excused Absence ,,  dentist  ,,seen",  # padded; a US date; Ed-Fi
        "\u00a0S003\u3000,2025-09-03,tardy,20,bus,,",  # other keyboards' spaces
        ",,,,,,",  # a spreadsheet's row of empty cells: skipped
        "S004,2025-09-04,unexcused,,,,",
    ]
    crlf = write(tmp_path, "crlf.csv", "\r\n".join(lines) + "\r\n")
    unended = write(tmp_path, "unended.csv", "\n".join(lines))  # no line break at the end
    changed = write(
        tmp_path,
        "changed.csv",
        f"{HEADER}\nS001,2025-09-01,absent,,\nS003,2025-09-03,tardy,,bus\nS004,2025-09-05,absent,,\n",
    )
    reports = every_way(
        runtime, monkeypatch, [(crlf, {}), (unended, {}), (changed, {}), (changed, {})]
    )
    assert paths_taken == ["copied"] * 4 + ["rows"] * 4
    counts = [(r["created"], r["updated"], r["unchanged"], r["bad_rows"]) for r in reports]
    assert counts == [(4, 0, 0, 0), (0, 0, 4, 0), (1, 2, 0, 0), (0, 0, 3, 0)]
    load(runtime, crlf)
    assert stored(runtime) == [
        ("S001", date(2025, 9, 1), "present", None, None),
        ("S002", date(2025, 9, 2), "excused", None, "dentist"),
        ("S003", date(2025, 9, 3), "tardy", 20, "bus"),
        ("S004", date(2025, 9, 4), "unexcused", None, None),
    ]


@POSTGRESQL
@pytest.mark.usefixtures("students")
@JOINED
def test_a_district_s_codes_and_their_minutes_are_read_as_row_by_row(
    runtime: Runtime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    paths_taken: list[str],
    joined: str,
) -> None:
    join(monkeypatch, joined)
    codes = read_codes(b"code,status,minutes_missed\nP,present,\nT30,tardy,30\nA,absent,\n", "c")
    with_minutes = write(
        tmp_path,
        "minutes.csv",
        "student_id,date,status,minutes_missed\nS001,2025-09-01,T30,\nS002,2025-09-01,t30,15\n"
        "S003,2025-09-01,A,\n",
    )
    without = write(
        tmp_path, "without.csv", "student_id,date,status\nS001,2025-09-01,P\nS004,2025-09-01,T30\n"
    )
    reports = every_way(
        runtime, monkeypatch, [(with_minutes, {"codes": codes}), (without, {"codes": codes})]
    )
    assert paths_taken == ["copied"] * 2 + ["rows"] * 2
    assert [report["created"] for report in reports] == [3, 1]


@POSTGRESQL
@pytest.mark.usefixtures("students")
@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("unknown_student", "S001,2025-09-01,absent,,\nS999,2025-09-01,absent,,\n"),
        ("bad_date", "S001,2025-02-30,absent,,\n"),
        ("bad_status", "S001,2025-09-01,sometimes,,\n"),
        ("blank_status", "S001,2025-09-01,,,\n"),
        ("new_key_twice", "S001,2025-09-01,absent,,\nS001,9/1/2025,present,,\n"),
        ("id_with_a_space", "S0 01,2025-09-01,absent,,\n"),
        ("quoted", 'S001,2025-09-01,absent,,"bus, then walked"\n'),
        ("short_row", "S001,2025-09-01,absent\n"),
        ("long_row", "S001,2025-09-01,absent,,,late\n"),
        ("blank_line", "S001,2025-09-01,absent,,\n\nS002,2025-09-01,absent,,\n"),
        ("end_of_copy_marker", "S001,2025-09-01,absent,,\n\\.\nS002,2025-09-01,absent,,\n"),
    ],
)
def test_any_other_file_is_read_row_by_row_with_the_same_outcome(
    runtime: Runtime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    paths_taken: list[str],
    name: str,
    body: str,
) -> None:
    path = write(tmp_path, f"{name}.csv", f"{HEADER}\n{body}")
    reports = every_way(runtime, monkeypatch, [(path, {}), (path, {"skip_bad_rows": True})])
    assert "copied" not in paths_taken
    if name not in ("quoted", "blank_line"):  # good files, read row by row all the same
        assert reports[0]["rejected"], reports[0]


@POSTGRESQL
@pytest.mark.usefixtures("students")
def test_a_stored_key_given_twice_is_refused_and_placed_by_line(
    runtime: Runtime, tmp_path: Path, paths_taken: list[str]
) -> None:
    load(runtime, write(tmp_path, "first.csv", f"{HEADER}\nS001,2025-09-01,absent,,\n"))
    twice = write(
        tmp_path, "twice.csv", f"{HEADER}\nS001,2025-09-01,present,,\nS001,9/1/2025,tardy,,\n"
    )
    report = load(runtime, twice)
    assert paths_taken == ["copied", "rows"]
    assert report.rejected
    assert [str(error) for error in report.errors] == [
        "twice.csv, line 3, column date (2): line 2 has the same student_id and date; a student"
        " may have one row per date"
    ]
    assert stored(runtime) == [("S001", date(2025, 9, 1), "absent", None, None)]


# --- attendance_years, kept by the triggers as the copied merge writes ----------------------


def years_from_records(runtime: Runtime) -> dict[tuple[str, date], tuple[Any, ...]]:
    """Each student-year summed up from the records, as attendance_years should hold it."""
    found: dict[tuple[str, date], list[tuple[date, str]]] = defaultdict(list)
    for student_id, day, status, _minutes, _reason in stored(runtime):
        start = date(day.year if day.month >= 7 else day.year - 1, 7, 1)
        found[(student_id, start)].append((day, status))
    years = {}
    for (student_id, start), records in found.items():
        bits = ["0"] * 366
        for day, status in records:
            if status in ABSENCE_STATUSES:
                bits[(day - start).days] = "1"
        days = [day for day, _status in records]
        full = any(status not in ABSENCE_STATUSES for _day, status in records)
        years[(student_id, start)] = (min(days), max(days), full, "".join(bits))
    return years


def stored_years(runtime: Runtime) -> dict[tuple[str, date], tuple[Any, ...]]:
    with runtime.db.transaction() as session:
        return {
            (year.student_id, year.year_start): (
                year.first_record,
                year.last_record,
                year.full_feed,
                year.absent_days,
            )
            for year in session.scalars(select(AttendanceYear))
        }


@POSTGRESQL
@pytest.mark.usefixtures("students")
def test_attendance_years_follow_copied_imports(
    runtime: Runtime, tmp_path: Path, paths_taken: list[str]
) -> None:
    steps = {
        "new rows": "S001,2025-09-01,absent,,\nS001,2025-09-02,present,,\n"
        "S002,2025-09-01,unexcused,,\nS003,2025-09-01,tardy,10,\n",
        "a correction, absent to present, and a new day": "S001,2025-09-01,present,,\n"
        "S002,2025-09-03,excused,,\n",
        "unchanged": "S001,2025-09-01,present,,\nS002,2025-09-03,excused,,\n",
        "a second year": "S001,2026-09-08,absent,,\nS002,2026-06-30,absent,,\n"
        "S004,2026-07-01,absent,,\n",
        "present to absent": "S003,2025-09-01,absent,,\n",
    }
    for step, body in steps.items():
        report = load(runtime, write(tmp_path, "attendance.csv", f"{HEADER}\n{body}"))
        assert report.errors == [], step
        assert stored_years(runtime) == years_from_records(runtime), step
    assert paths_taken == ["copied"] * len(steps)
    years = stored_years(runtime)
    assert sorted(years) == [
        ("S001", date(2025, 7, 1)),
        ("S001", date(2026, 7, 1)),
        ("S002", date(2025, 7, 1)),
        ("S003", date(2025, 7, 1)),
        ("S004", date(2026, 7, 1)),
    ]
    assert years[("S003", date(2025, 7, 1))][2] is False  # now absent only: not a full feed


@pytest.fixture
def stored_key_passes(runtime: Runtime) -> Iterator[list[str]]:
    """The merges' passes over the stored keys, as the test sends them."""
    passes: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("SELECT count(*), count(*) FILTER"):
            passes.append(statement)

    event.listen(runtime.db.engine, "before_cursor_execute", record)
    yield passes
    event.remove(runtime.db.engine, "before_cursor_execute", record)


@POSTGRESQL
@pytest.mark.usefixtures("students")
def test_a_night_s_file_over_a_long_history_looks_its_keys_up(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stored_key_passes: list[str]
) -> None:
    """A file far smaller than what is stored is merged by primary-key lookups (a LATERAL
    join), so that the night costs its own rows; it stores and counts as the others do."""
    history = _long_file(tmp_path, "history.csv", 2_000, {})  # 8,000 records
    night = write(
        tmp_path,
        "night.csv",
        f"{HEADER}\nS001,2025-09-01,absent,,\nS002,2025-09-02,present,,a reason or two\n"
        "S003,2032-01-01,tardy,5,\n",
    )
    reports = every_way(runtime, monkeypatch, [(history, {}), (night, {})])
    assert [(r["created"], r["updated"], r["unchanged"]) for r in reports] == [
        (8_000, 0, 0),
        (1, 1, 1),
    ]
    # The history by one hash join, the night by lookups; both staged paths alike.
    assert ["JOIN LATERAL" in merge for merge in stored_key_passes] == [False, True, False, True]


@POSTGRESQL
@pytest.mark.usefixtures("students")
def test_a_new_night_over_a_long_history_goes_straight_in(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stored_key_passes: list[str]
) -> None:
    """A night of new records over a long history is inserted with no pass over the stored
    keys (the primary key finds none); the same night sent again finds them all, is undone
    and merged as before; every path stores, counts and sums the years alike."""
    history = _long_file(tmp_path, "history.csv", 2_000, {})  # 8,000 records
    night = write(
        tmp_path,
        "night.csv",
        f"{HEADER}\nS001,2031-03-03,absent,,\nS002,2031-03-03,present,,a reason or two\n"
        "S003,2031-03-03,tardy,5,\nS004,2031-03-03,unexcused,,\n",
    )

    def run() -> tuple[list[tuple[int, int, int]], list[tuple[Any, ...]]]:
        counts = []
        for path in (history, night, night):
            report = load(runtime, path)
            counts.append((report.created, report.updated, report.unchanged))
            assert stored_years(runtime) == years_from_records(runtime)
        return counts, stored(runtime)

    def reset() -> None:
        with runtime.db.transaction() as session:
            session.execute(delete(AttendanceRecord))

    counts, rows = every_path(monkeypatch, run, reset)
    assert counts == [(8_000, 0, 0), (4, 0, 0), (0, 0, 4)]
    assert ("S004", date(2031, 3, 3), "unexcused", None, None) in rows
    # Copied and staged alike: the history's pass (nothing stored: a hash join), none for the
    # new night, and lookups for the night sent again.
    assert ["JOIN LATERAL" in merge for merge in stored_key_passes] == [False, True, False, True]


@POSTGRESQL
@pytest.mark.usefixtures("students")
def test_a_new_key_given_twice_in_a_night_is_refused_and_placed_by_line(
    runtime: Runtime, tmp_path: Path, paths_taken: list[str]
) -> None:
    """The night's insert, undone when a new key comes twice, leaves nothing behind: the file
    is read row by row, which places the repeat."""
    load(runtime, _long_file(tmp_path, "history.csv", 2_000, {}))
    twice = write(
        tmp_path,
        "twice.csv",
        f"{HEADER}\nS001,2031-03-03,absent,,\nS002,2031-03-03,absent,,\nS001,3/3/2031,tardy,,\n",
    )
    before = stored(runtime)
    report = load(runtime, twice)
    assert paths_taken == ["copied", "rows"]
    assert report.rejected
    assert [str(error) for error in report.errors] == [
        "twice.csv, line 4, column date (2): line 2 has the same student_id and date; a student"
        " may have one row per date"
    ]
    assert stored(runtime) == before
    assert stored_years(runtime) == years_from_records(runtime)
