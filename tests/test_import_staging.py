"""Large attendance files: streamed from disk, and on PostgreSQL merged through a staging table.

The staging path (attendance.staging) must count, store and report exactly what the in-memory
path (`upsert`) does; the comparisons run both on the same database, one after the other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from outreach_bot.attendance import importer
from outreach_bot.attendance.codes import read_codes
from outreach_bot.attendance.importer import ImportReport, import_file
from outreach_bot.models import AttendanceRecord
from outreach_bot.runtime import Runtime

DATA = Path(__file__).parent / "data" / "import"
STUDENTS = ("S001", "S002", "S003", "S004")
FIRST = date(2025, 9, 1)


def load(runtime: Runtime, path: Path, **options: Any) -> ImportReport:
    """Import an attendance file in its own transaction, as the CLI does."""
    with runtime.db.transaction() as session:
        return import_file(session, "attendance", path, **options)


@pytest.fixture
def students(runtime: Runtime) -> None:
    """The fixture district's schools and its four students."""
    for kind in ("schools", "students"):
        with runtime.db.transaction() as session:
            assert import_file(session, kind, DATA / f"{kind}.csv").errors == []


def stored(runtime: Runtime) -> list[tuple[Any, ...]]:
    columns = [getattr(AttendanceRecord, name) for name in ("student_id", "date", "status")]
    columns += [AttendanceRecord.minutes_missed, AttendanceRecord.reason]
    with runtime.db.transaction() as session:
        return sorted(tuple(row) for row in session.execute(select(*columns)))


def write(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def every_path(
    monkeypatch: pytest.MonkeyPatch, run: Callable[[], Any], reset: Callable[[], None]
) -> Any:
    """What `run` gives through each of the three paths (the file COPY-ed as it is, its rows
    staged one by one, and `upsert` in memory), `reset` after each; all three must agree."""
    results = []
    for path_taken in ("copied", "staged", "upsert"):
        with monkeypatch.context() as patch:
            if path_taken != "copied":
                patch.setattr(importer, "can_copy", lambda _table, _spec: False)
            if path_taken == "upsert":
                patch.setattr(importer, "can_stage", lambda _session, _spec: False)
            results.append(run())
        reset()
    assert results[0] == results[1] == results[2]
    return results[0]


def every_way(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, steps: list[tuple[Path, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Run the steps through the three paths; the reports, which all three must agree on
    (and the rows they store)."""

    def run() -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
        reports = [load(runtime, path, **options).as_dict() for path, options in steps]
        return reports, stored(runtime)

    def reset() -> None:
        with runtime.db.transaction() as session:
            session.execute(delete(AttendanceRecord))

    reports: list[dict[str, Any]] = every_path(monkeypatch, run, reset)[0]
    return reports


@pytest.mark.usefixtures("students")
def test_staging_counts_created_updated_and_unchanged_as_upsert_does(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write(
        tmp_path,
        "first.csv",
        [
            "student_id,date,status,minutes_missed,reason",
            "S001,2025-09-01,present,,",
            "S001,2025-09-02,tardy,20,bus",
            "S002,2025-09-01,absent,,sick",
            "S003,2025-09-01,excused,,",
        ],
    )
    second = write(
        tmp_path,
        "second.csv",
        [
            "student_id,date,status,minutes_missed,reason",
            "S001,2025-09-01,present,,",  # unchanged
            "S001,2025-09-02,tardy,,bus",  # minutes cleared
            "S002,2025-09-01,Excused Absence,,sick",  # an Ed-Fi name: status changed
            "S004,2025-09-01,absent,,",  # new
            "S004,2025-09-01,present,,",  # the same key again: skipped
            "S009,2025-09-01,absent,,",  # an unknown student: skipped
        ],
    )
    no_reasons = write(  # no reason column: stored reasons stay
        tmp_path, "no_reasons.csv", ["student_id,date,status", "S002,2025-09-01,absent"]
    )
    every_way(
        runtime,
        monkeypatch,
        [
            (first, {}),
            (first, {}),
            (second, {}),  # rejected: nothing written
            (second, {"skip_bad_rows": True}),
            (no_reasons, {}),
        ],
    )


@pytest.mark.usefixtures("students")
def test_a_code_s_minutes_are_set_row_by_row_as_upsert_sets_them(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a minutes_missed column, a code with minutes sets them and one without keeps
    the stored minutes: the rows of one file set different columns."""
    codes = read_codes(b"code,status,minutes_missed\nP,present,\nT30,tardy,30\nA,absent,\n", "c")
    minutes = write(
        tmp_path,
        "minutes.csv",
        ["student_id,date,status,minutes_missed", "S001,2025-09-01,tardy,15", "S002,2025-09-01,A,"],
    )
    coded = write(
        tmp_path,
        "coded.csv",
        ["student_id,date,status", "S001,2025-09-01,P", "S002,2025-09-01,T30", "S003,2025-09-01,A"],
    )
    every_way(runtime, monkeypatch, [(minutes, {"codes": codes}), (coded, {"codes": codes})])


def _long_file(folder: Path, name: str, days: int, broken: dict[int, str]) -> Path:
    """Four students a day for `days` days; `broken` replaces whole lines by their number."""
    lines = ["student_id,date,status,minutes_missed,reason"]
    for day in range(days):
        for student in STUDENTS:
            lines.append(f"{student},{FIRST + timedelta(days=day)},present,,a reason or two")
    for line, text in broken.items():
        lines[line - 1] = text
    return write(folder, name, lines)


@pytest.mark.usefixtures("students")
def test_a_file_longer_than_a_block_places_its_bad_rows_by_line(
    runtime: Runtime, tmp_path: Path
) -> None:
    """Past the first megabyte the file is read a block at a time; lines stay exact."""
    days = 9_000  # 36,001 lines, about 1.6 MB
    broken = {
        30_001: "S001,2025-13-45,present,,",
        35_000: f"S002,{FIRST + timedelta(days=1)},present,,",  # line 7's key again
        36_001: "S003,2030-01-01,sometimes,,",
    }
    path = _long_file(tmp_path, "long.csv", days, broken)
    assert path.stat().st_size > 1 << 20
    report = load(runtime, path)
    assert report.rejected and report.bad_rows == 3
    assert [(e.line, e.column) for e in report.errors] == [
        (30_001, "date"),
        (35_000, "date"),
        (36_001, "status"),
    ]
    assert report.errors[1].message.startswith("line 7 has the same student_id and date")
    assert stored(runtime) == []

    report = load(runtime, path, skip_bad_rows=True)
    assert (report.created, report.bad_rows) == (4 * days - 3, 3)
    with runtime.db.transaction() as session:
        count = session.scalar(select(func.count()).select_from(AttendanceRecord))
    assert count == 4 * days - 3


def test_a_bad_byte_past_the_first_block_is_placed_by_line(
    tmp_path: Path, runtime: Runtime
) -> None:
    path = _long_file(tmp_path, "latin1.csv", 9_000, {})
    data = path.read_bytes().split(b"\n")
    data[33_332] = "S004,2050-01-01,present,,ni\u00f1o".encode("latin-1")
    path.write_bytes(b"\n".join(data))
    report = load(runtime, path)
    assert report.rejected
    assert [str(error) for error in report.errors] == [
        "latin1.csv, line 33333: the file is not UTF-8 text (byte 0xF1); save it from the"
        " spreadsheet as CSV UTF-8 (Save As > CSV UTF-8) and import that"
    ]


@pytest.mark.usefixtures("students")
def test_two_files_in_one_transaction_each_get_their_own_staging(
    runtime: Runtime, tmp_path: Path
) -> None:
    one = write(tmp_path, "one.csv", ["student_id,date,status", "S001,2025-09-01,absent"])
    two = write(tmp_path, "two.csv", ["student_id,date,status", "S002,2025-09-01,absent"])
    with runtime.db.transaction() as session:
        reports = [import_file(session, "attendance", path) for path in (one, two)]
    assert [report.created for report in reports] == [1, 1]
    assert len(stored(runtime)) == 2


@pytest.mark.usefixtures("students")
def test_broken_quoting_late_in_a_file_leaves_the_transaction_usable(
    runtime: Runtime, tmp_path: Path
) -> None:
    """The file is rejected whole, and the caller's transaction can go on to the next file."""
    broken = _long_file(tmp_path, "broken.csv", 300, {1_000: 'S001,2026-01-01,"present,,'})
    good = write(tmp_path, "good.csv", ["student_id,date,status", "S002,2025-09-01,absent"])
    with runtime.db.transaction() as session:
        first = import_file(session, "attendance", broken)
        second = import_file(session, "attendance", good)
    assert first.rejected and [error.line for error in first.errors] == [1_000]
    assert second.created == 1
    assert stored(runtime) == [("S002", date(2025, 9, 1), "absent", None, None)]
