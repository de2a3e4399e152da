"""A large insert builds its table's indexes after it (attendance.built_after), on PostgreSQL.

An import into an empty table drops the table's indexes but its primary key, inserts, and
creates each again from the catalog; the table must end with exactly the indexes and
constraints it had, whether the import commits or is refused, and an import into a table that
holds rows, however large, must keep them as they are (their DROPs would lock it against
families' replies until the import commits). A rebuild gives an index a new file
(pg_class.relfilenode), which is how the tests tell one happened.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, text

from outreach_bot.models import Guardian
from outreach_bot.runtime import Runtime
from tests.test_import_copied import paths_taken, write  # noqa: F401 (paths_taken: a fixture)
from tests.test_import_roster_copied import GUARDIANS, load, stored
from tests.test_import_staging import every_path

POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
STUDENTS = "student_id,first_name,last_name,school_id,grade"
AREAS = [503, 206, 360, 971, 425, 541, 458, 253, 509, 208, 406, 307, 775]


def students_file(folder: Path, name: str, numbers: range) -> Path:
    rows = [f"S{n:05d},Ann,Example,LIN,3" for n in numbers]
    return write(folder, name, "\n".join([STUDENTS, *rows]) + "\n")


def guardians_file(folder: Path, name: str, numbers: range) -> Path:
    """A guardian for each number, on 50 students, each with a fictional 555-01xx phone."""
    rows = [
        f"S{n % 50:05d},Pat Example,({AREAS[n // 50 % 13]}) 555-01{n // 650 % 100:02d},es,,,,,,"
        for n in numbers
    ]
    return write(folder, name, "\n".join([GUARDIANS, *rows]) + "\n")


def definitions(runtime: Runtime, table: str) -> set[tuple[str, str]]:
    """Each index's and each constraint's name and definition, as the catalog gives them."""
    with runtime.db.transaction() as session:
        indexes = session.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes"
                " WHERE schemaname = current_schema() AND tablename = :table"
            ),
            {"table": table},
        )
        constraints = session.execute(
            text(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = to_regclass(:table)"
            ),
            {"table": table},
        )
        return {(name, made) for name, made in [*indexes, *constraints]}


def files_of(runtime: Runtime, table: str) -> dict[str, int]:
    """Each index of the table and its file: a rebuild gives it a new one."""
    with runtime.db.transaction() as session:
        rows = session.execute(
            text(
                "SELECT c.relname, c.relfilenode FROM pg_index AS i"
                " JOIN pg_class AS c ON c.oid = i.indexrelid"
                " WHERE i.indrelid = to_regclass(:table)"
            ),
            {"table": table},
        )
        return {name: file for name, file in rows}


@pytest.fixture
def students(runtime: Runtime, tmp_path: Path) -> None:
    """The fixture district's schools and 50 students, S00000 to S00049."""
    assert load(runtime, "schools", Path(__file__).parent / "data/import/schools.csv").errors == []
    assert load(runtime, "students", students_file(tmp_path, "st.csv", range(50))).errors == []


@pytest.fixture
def own_indexes(runtime: Runtime) -> Iterator[None]:
    """Indexes of kinds the real tables do not have, whose definitions hold what a bound
    statement would read as a parameter: the helper must take any index as it is. (The
    tests' schema outlives a test: they go after it.)"""
    made = [
        (
            "CREATE INDEX ix_guardians_colon ON guardians (lower(name))"
            " WHERE name <> ':name' AND name NOT LIKE '%%x'",
            "DROP INDEX ix_guardians_colon",
        ),
        (
            "ALTER TABLE guardians ADD CONSTRAINT uq_guardians_name_phone"
            " UNIQUE (name, phone, student_id) DEFERRABLE INITIALLY DEFERRED",
            "ALTER TABLE guardians DROP CONSTRAINT uq_guardians_name_phone",
        ),
    ]
    with runtime.db.transaction() as session:
        for create, _drop in made:
            session.connection().exec_driver_sql(create)
    yield
    with runtime.db.transaction() as session:
        for _create, drop in made:
            session.connection().exec_driver_sql(drop)


@POSTGRESQL
@pytest.mark.usefixtures("students", "own_indexes")
def test_a_first_import_builds_the_indexes_after_as_they_were(
    runtime: Runtime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    paths_taken: list[str],  # noqa: F811 (the fixture imported above)
) -> None:
    """Every index but the primary key is built again, under its own name and definition,
    and the rows are those every other path stores."""
    before, files = definitions(runtime, "guardians"), files_of(runtime, "guardians")
    first = guardians_file(tmp_path, "guardians.csv", range(400))

    def run() -> tuple[int, list[tuple[Any, ...]]]:
        created = load(runtime, "guardians", first).created
        assert definitions(runtime, "guardians") == before
        return created, stored(runtime, Guardian)

    def reset() -> None:
        with runtime.db.transaction() as session:
            session.execute(delete(Guardian))

    # The copied path, the staged rows, then `upsert` (no rebuild): the same rows.
    assert every_path(monkeypatch, run, reset)[0] == 400
    load(runtime, "guardians", first)
    assert definitions(runtime, "guardians") == before
    after = files_of(runtime, "guardians")
    assert after.keys() == files.keys()
    assert {name for name in files if after[name] != files[name]} == {
        "ix_guardians_phone",
        "uq_guardians_student_id_phone",
        "ix_guardians_colon",
        "uq_guardians_name_phone",
    }
    assert paths_taken[:2] == ["copied", "rows"]


@POSTGRESQL
@pytest.mark.usefixtures("students", "own_indexes")
def test_a_file_refused_at_the_rebuild_leaves_the_indexes_and_no_row(
    runtime: Runtime,
    tmp_path: Path,
    paths_taken: list[str],  # noqa: F811
) -> None:
    """A new key given twice passes the insert (its unique index is gone) and fails when
    the index is built: the copied path is undone, and the row-by-row reading refuses the
    file as it always did, placing the repeat."""
    before, files = definitions(runtime, "guardians"), files_of(runtime, "guardians")
    twice = guardians_file(tmp_path, "twice.csv", range(400))
    twice.write_text(
        twice.read_text() + "S00000,Bo Example,503-555-0100,en,,,,,,\n", encoding="utf-8"
    )
    report = load(runtime, "guardians", twice)
    assert report.rejected
    assert [str(error) for error in report.errors] == [
        "twice.csv, line 402, column phone (3): line 2 has the same student_id and phone;"
        " a phone may be given once per student (one guardian row per phone)"
    ]
    assert paths_taken == ["rows"]
    assert stored(runtime, Guardian) == []
    assert definitions(runtime, "guardians") == before
    assert files_of(runtime, "guardians") == files


@POSTGRESQL
@pytest.mark.usefixtures("students")
def test_an_import_into_a_table_that_holds_rows_keeps_its_indexes(
    runtime: Runtime,
    tmp_path: Path,
    paths_taken: list[str],  # noqa: F811
) -> None:
    """A night's few rows over a large table (the savepoint's path), a file of new rows
    fewer than those stored (the merge's), and one of more new rows than stored, insert into
    the indexes as they are: only an empty table is locked to build them after."""
    first = guardians_file(tmp_path, "first.csv", range(3000))
    assert load(runtime, "guardians", first).created == 3000
    files = files_of(runtime, "guardians")
    with runtime.db.transaction() as session:
        # Past 20 pages a staged page: a file of 10 rows takes the savepoint's path.
        assert session.scalar(text("SELECT pg_relation_size('guardians')")) > 20 * 8192
    night = guardians_file(tmp_path, "night.csv", range(3000, 3010))
    assert load(runtime, "guardians", night).created == 10
    assert files_of(runtime, "guardians") == files
    # 2,000 new rows and 1,000 stored ones, over 3,010: the merge's path.
    fewer = guardians_file(tmp_path, "fewer.csv", range(2010, 5010))
    report = load(runtime, "guardians", fewer)
    assert (report.created, report.unchanged) == (2000, 1000)
    assert files_of(runtime, "guardians") == files
    # 5,100 new rows over 5,010, and 1,000 stored ones: the table is read by replies.
    more = guardians_file(tmp_path, "more.csv", range(4010, 10110))
    report = load(runtime, "guardians", more)
    assert (report.created, report.unchanged) == (5100, 1000)
    assert files_of(runtime, "guardians") == files
    assert paths_taken == ["copied"] * 4
