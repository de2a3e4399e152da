"""students.csv and guardians.csv COPY-ed as they are and read inside PostgreSQL (copied_file).

The same file read by every path (COPY-ed, its rows staged one by one, `upsert` in memory;
SQLite only has the last) must store the same rows and give the same reports; a file that
is not plainly good is read row by row, which places each problem by line and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text

from outreach_bot.attendance import copied_file
from outreach_bot.attendance.importer import ImportReport, import_file
from outreach_bot.cli.progress import terminal_progress
from outreach_bot.models import Guardian, Student
from outreach_bot.runtime import Runtime
from tests.test_import_copied import (  # noqa: F401 (paths_taken: a fixture)
    JOINED,
    join,
    paths_taken,
    write,
)
from tests.test_import_staging import every_path
from tests.test_sis_attendance import Terminal

DATA = Path(__file__).parent / "data" / "import"
STUDENTS = "student_id,first_name,last_name,school_id,grade,zip,birth_date,entry_date,exit_date"
GUARDIANS = "student_id,name,phone,language,relationship,sms_consent,address_line1,city,state,zip"


@pytest.fixture
def taken(request: pytest.FixtureRequest) -> list[str]:
    """Which path each import took: "copied", or "rows" (test_import_copied's fixture)."""
    found: list[str] = request.getfixturevalue("paths_taken")
    return found


def load(runtime: Runtime, kind: str, path: Path) -> ImportReport:
    with runtime.db.transaction() as session:
        return import_file(session, kind, path)


@pytest.fixture
def schools(runtime: Runtime) -> None:
    assert load(runtime, "schools", DATA / "schools.csv").errors == []


@pytest.fixture
def students(runtime: Runtime, schools: None) -> None:
    assert load(runtime, "students", DATA / "students.csv").errors == []


def stored(runtime: Runtime, model: Any) -> list[tuple[Any, ...]]:
    columns = [c for c in model.__table__.columns if c.name != "id" or model is Student]
    with runtime.db.transaction() as session:
        return sorted(tuple(row) for row in session.execute(select(*columns)))


def every_way(
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    taken: list[str],
    kind: str,
    paths: list[Path],
    counts: list[tuple[int, int, int]],
) -> None:
    """Import the files in turn by each path, from the same start: all paths must agree,
    find no error, and count (created, updated, unchanged) as `counts` says."""
    model = {"students": Student, "guardians": Guardian}[kind]

    def run() -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
        return [load(runtime, kind, path).as_dict() for path in paths], stored(runtime, model)

    def reset() -> None:
        with runtime.db.transaction() as session:
            session.execute(delete(Guardian))
            if model is Student:
                session.execute(delete(Student))

    reports = every_path(monkeypatch, run, reset)[0]
    assert [r["errors"] for r in reports] == [[]] * len(paths)
    assert [(r["created"], r["updated"], r["unchanged"]) for r in reports] == counts
    if runtime.db.engine.dialect.name == "postgresql":
        assert taken == ["copied"] * len(paths) + ["rows"] * len(paths)


@pytest.mark.usefixtures("schools")
@JOINED
def test_a_plain_students_file_is_stored_as_read_row_by_row(
    runtime: Runtime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    taken: list[str],
    joined: str,
) -> None:
    join(monkeypatch, joined)
    lines = [
        f"\ufeff{STUDENTS},notes",
        "S001,Ana,Example,LIN,KG,97201,2020-03-14,2025-08-20,,",
        " S002 ,\u00a0Bao ,Sample,RSV,03,97202-1234,7/4/2017,8/20/2025,2026-01-16,",
        "S003,Cai,Test,LIN,Kindergarten,,,,,seen",
        ",,,,,,,,,",
        "S004,Dee,Demo,RSV,8,97202,2012-11-30,2025-08-20,2025-08-20,",
        # Not printable ASCII at either end: read by stripping, as the row path reads them.
        "Ś005,Zoë,\tÑandú\u3000,LIN,3,,,,,",
    ]
    first = write(tmp_path, "students.csv", "\n".join(lines) + "\n")
    again = write(
        tmp_path,
        "again.csv",
        f"{STUDENTS}\nS001,Ana,Example,LIN,K,97201,2020-03-14,2025-08-20,\n"
        "S002,Bao,Sample,RSV,4,97202,2017-07-04,2025-08-20,2026-01-16\n",
    )
    every_way(runtime, monkeypatch, taken, "students", [first, again], [(5, 0, 0), (0, 1, 1)])


@pytest.mark.usefixtures("students")
@JOINED
def test_a_plain_guardians_file_is_stored_as_read_row_by_row(
    runtime: Runtime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    taken: list[str],
    joined: str,
) -> None:
    join(monkeypatch, joined)
    lines = [
        GUARDIANS,
        "S001,Maria Example,(503) 555-0142,Spanish,mother,Y,12 Oak St,Portland,OR,97201",
        "S001, Jose Example ,503.555.0143,es_mx,,,,,,",
        "S002,Lan Sample,+1 604 555 0144,Tiếng Việt,grandmother,N,,,,",
        "S003,Wei Test,1 (876) 555-0145,繁體中文,father,yes,,,,97202-0001",
        "S004,Pat Demo,+52 55 1234 5678,en,aunt,0,,,,",  # abroad: the library reads it
        "S002,Maria Example,503-555-0142,es,mother,,,,,",  # one phone, two students
    ]
    first = write(tmp_path, "guardians.csv", "\n".join(lines) + "\n")
    # A night later: consent withdrawn in the SIS, a blank that keeps it, a new phone.
    again = write(
        tmp_path,
        "again.csv",
        f"{GUARDIANS}\nS001,Maria Example,5035550142,es,mother,N,12 Oak St,Portland,OR,97201\n"
        "S002,Lan Sample,+16045550144,vi,grandmother,,,,,\n"
        "S004,Pat Demo,(503) 555-0199,en,aunt,,,,,\n",
    )
    every_way(runtime, monkeypatch, taken, "guardians", [first, again], [(6, 0, 0), (1, 1, 1)])


@pytest.mark.usefixtures("students")
@JOINED
def test_cells_told_plain_by_their_ends_are_read_as_row_by_row(
    runtime: Runtime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    taken: list[str],
    joined: str,
) -> None:
    """A cell with printable ASCII at both ends is taken as it is, its length counted in
    characters, not bytes (200 of them, 398 bytes, fit a name of 200); a cell padded only
    with another keyboard's space, and an id padded in a column of many, are stripped: the
    COPY-ed file stores what the row-by-row reading does (`every_way`)."""
    join(monkeypatch, joined)
    long = "A" + "é" * 198 + "Z"
    lines = [
        GUARDIANS,
        f"S001,{long},(503) 555-0142,es,mother,Y,,,,",
        "\u00a0S002,Lan\u3000,503.555.0143,vi,,,,,,",
        f"S003 ,{long[:60]}\u2003,5035550144,en,,,,,,",
    ]
    first = write(tmp_path, "guardians.csv", "\n".join(lines) + "\n")
    every_way(runtime, monkeypatch, taken, "guardians", [first, first], [(3, 0, 0), (0, 0, 3)])


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.usefixtures("students")
@pytest.mark.parametrize(
    ("kind", "row", "column", "expected"),
    [
        ("guardians", "S999,Ann,(503) 555-0142,es,,", "student_id", "is not a known student"),
        ("guardians", "S001,Ann,(555) 555-0142,es,,", "phone", "is not in use anywhere"),
        ("guardians", "S001,Ann,503-555-0142 x2,es,,", "phone", "has an extension"),
        ("guardians", "S001,  ,(503) 555-0142,es,,", "name", "'' is empty"),
        ("guardians", f"S001,{'A' * 201},(503) 555-0142,es,,", "name", "201 characters"),
        ("guardians", "S001,Ann,(503) 555-0142,xx-nope,,", "language", "language"),
        ("guardians", "S001,Ann,(503) 555-0142,es,,maybe", "sms_consent", "not yes or no"),
        ("guardians", "S001,Ann,5035550143,es,,\nS001,Bo,(503) 555-0143,en,,", "phone", "line 2"),
        ("students", "S0 9,Ann,Ex,LIN,3,,,,", "student_id", "is not an id"),
        ("students", "S0\u30009,Ann,Ex,LIN,3,,,,", "student_id", "is not an id"),
        ("students", f"{'S' * 65},Ann,Ex,LIN,3,,,,", "student_id", "is not an id"),
        ("students", f"{'Ś' * 64},Ann,Ex,NOPE,3,,,,", "school_id", "is not a known school"),
        ("students", "S009,Ann,Ex,LIN,3,,,2025-09-01,2025-08-01", "exit_date", "is before"),
        ("students", "S009,Ann,Ex,NOPE,3,,,,", "school_id", "is not a known school"),
        ("students", "S009,Ann,,LIN,3,,,,", "last_name", "'' is empty"),
    ],
)
@JOINED
def test_a_file_not_plainly_good_is_placed_by_line_and_column(
    runtime: Runtime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    taken: list[str],
    kind: str,
    row: str,
    column: str,
    expected: str,
    joined: str,
) -> None:
    join(monkeypatch, joined)
    header = GUARDIANS.rsplit(",address_line1", 1)[0] if kind == "guardians" else STUDENTS
    path = write(tmp_path, f"{kind}.csv", f"{header}\n{row}\n")
    report = load(runtime, kind, path)
    assert report.rejected and taken == ["rows"]
    error = report.errors[-1]
    assert (error.column, error.line) == (column, row.count("\n") + 2)
    assert expected in error.message


@pytest.mark.usefixtures("students")
def test_a_copied_guardians_file_shows_its_progress_on_a_terminal(
    runtime: Runtime, tmp_path: Path, taken: list[str]
) -> None:
    areas = [503, 206, 360, 971, 425, 541, 458, 253, 509, 208, 406, 307, 775]
    lines = [GUARDIANS] + [
        f"S00{1 + n % 4},Pat,({areas[n // 4 % 13]}) 555-01{n // 52 % 100:02d},es,,,,,,"
        for n in range(5000)
    ]
    path = write(tmp_path, "guardians.csv", "\n".join(lines) + "\n")
    stream = Terminal()
    with runtime.db.transaction() as session, terminal_progress(path.name, stream) as told:
        assert import_file(session, "guardians", path, progress=told).created == 5000
    assert "rows/s" in stream.getvalue() and "guardians.csv" in stream.getvalue()
    assert taken == (["copied"] if runtime.db.engine.dialect.name == "postgresql" else [])


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.usefixtures("students")
def test_a_merge_that_writes_much_of_a_table_analyzes_it(
    runtime: Runtime, tmp_path: Path, taken: list[str]
) -> None:
    """The planner then knows the rows are there (a re-import's pass, the nightly scan);
    a file that changes little of the table leaves that to autovacuum."""
    areas = [503, 206, 360, 971, 425, 541, 458, 253, 509, 208, 406, 307, 775]

    def guardians(count: int, name: str) -> Path:
        lines = [GUARDIANS] + [
            f"S00{1 + n % 4},{name},({areas[n // 4 % 13]}) 555-01{n // 52 % 100:02d},es,,,,,,"
            for n in range(count)
        ]
        return write(tmp_path, f"{name}.csv", "\n".join(lines) + "\n")

    def counted() -> float:
        with runtime.db.transaction() as session:
            return float(
                session.scalar(
                    text("SELECT reltuples FROM pg_class WHERE oid = 'guardians'::regclass")
                )
            )

    assert load(runtime, "guardians", guardians(400, "Pat")).created == 400
    assert counted() == 400
    # 40 of 400 changed: under autovacuum's 50 and a tenth, so not analyzed again.
    with runtime.db.transaction() as session:
        session.execute(
            text("UPDATE pg_class SET reltuples = 1000 WHERE oid = 'guardians'::regclass")
        )
    assert load(runtime, "guardians", guardians(40, "Bo")).updated == 40
    assert counted() == 1000
    assert taken == ["copied", "copied"]


@pytest.mark.usefixtures("schools")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_rows_of_many_combinations_are_expected_as_many_as_they_are(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, taken: list[str]
) -> None:
    """A students.csv's rows join the table of their 300 combinations of five columns (blank
    cells among them, which must match their own). The planner must expect them all, not a
    handful (each column's selectivity multiplied), for which it would look each stored
    student up by index in a re-import's pass."""
    expected: list[float] = []

    class Estimated(copied_file.Staging):
        def merge(self, *args: Any, **kwargs: Any) -> bool:
            plan = self.session.scalar(text(f"EXPLAIN (FORMAT JSON) SELECT * FROM {self.name}"))
            expected.append(plan[0]["Plan"]["Plan Rows"])
            return super().merge(*args, **kwargs)

    monkeypatch.setattr(copied_file, "Staging", Estimated)
    grades, zips = ("KG", "1", "2", "3", "4", "5"), ("97201", "97202", "", "97203")
    lines = [STUDENTS] + [
        f"S{n:05d},Kid{n},Doe,{('LIN', 'RSV')[n % 2]},{grades[n % 6]},{zips[n % 4]},"
        f"2015-{1 + n % 12:02d}-{1 + n % 25:02d},2025-08-{20 + n % 5},"
        for n in range(6_000)
    ]
    path = write(tmp_path, "students.csv", "\n".join(lines) + "\n")
    first, again = load(runtime, "students", path), load(runtime, "students", path)
    assert (first.created, again.unchanged, first.errors, again.errors) == (6_000, 6_000, [], [])
    assert taken == ["copied", "copied"]
    assert all(rows >= 3_000 for rows in expected), expected
    with runtime.db.transaction() as session:
        blank = session.scalar(select(func.count()).where(Student.zip.is_(None)))
    assert blank == 1_500
