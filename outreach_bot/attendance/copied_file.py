"""A good large file on PostgreSQL (attendance, students, guardians): its bytes COPY-ed as
they are, read inside the database.

The row-by-row path (`importer._import_staged`) reads every cell in Python, which costs more
than PostgreSQL's own COPY of the file. A nightly file is nearly always good, and repeats a
few hundred dates, codes and minutes among its million rows, so here:

1. the file's bytes go unread to `COPY … (FORMAT csv, HEADER)` into a table of text cells,
   one column a header cell;
2. one scan finds each column's distinct cells, and checks the cells the database can read
   as the row-by-row path reads them (free text of a most length, an id: names, addresses,
   a student's own id, which are as many as the rows); ids of students and schools are
   looked up inside the database, and every other distinct cell is read by its column's own
   reader (`RowReader.read_cell`, the one the row-by-row path uses), so a cell means exactly
   what it means there. The cells that read go back as lookup tables, a batch at a time
   (a guardians.csv's phones are nearly all distinct: memory stays flat all the same);
3. one statement merges the rows, read through the lookup tables, as `Staging.merge` does,
   refusing the file if a key comes twice. A kind whose rows are checked across columns
   (students: exit before entry) says the same check in SQL (`Kind.check_in_sql`).

Only when the file is plainly good: a bad cell, an unknown student, a repeated key, a blank
line or a row of the wrong length, and anything PostgreSQL and Python's csv module might read
differently (a double quote anywhere), make `copy_file` undo its work (a savepoint) and
return None. The caller then reads the file row by row, which places each problem by file,
line and column, and counts and stores exactly what this path would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from outreach_bot.attendance.codes import AttendanceCodes
from outreach_bot.attendance.csv_fields import Text, identifier
from outreach_bot.attendance.csv_kinds import REFERENCES, Column, Kind
from outreach_bot.attendance.csv_reader import CsvTable
from outreach_bot.attendance.import_report import ImportReport
from outreach_bot.attendance.row_reader import RowReader
from outreach_bot.attendance.staging import Staging, View, room_to_work

# What str.strip() strips (every character whose isspace() is true): btrim with these is the
# row-by-row path's strip(). tests/test_import_copied.py checks the list against Python's.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SPACES = "'" + WHITESPACE + "'"  # as an SQL literal (it has no quote)
_BLOCK = 1 << 20
# Distinct cells read in Python at a time, on their way to a lookup table: memory stays flat
# however many distinct cells a column has.
_BATCH = 20_000
# Told (lines read, lines in the file) as an import reads a file, and once when it is read.
Progress = Callable[[int, int], None]


def can_copy(table: CsvTable, spec: Kind) -> bool:
    """Whether the file may take this path: read from disk, without quotes, of a kind whose
    check across columns, if it has one, can be said in SQL."""
    return (
        table.path is not None
        and not table.quoted
        and (spec.check is None or spec.check_in_sql is not None)
    )


def copy_file(
    session: Session,
    spec: Kind,
    table: CsvTable,
    reader: RowReader,
    codes: AttendanceCodes | None,
    progress: Progress | None = None,
) -> ImportReport | None:
    """Import a plainly good file by COPY; None (and nothing written) when it is not one."""
    savepoint = session.begin_nested()
    try:
        with room_to_work(session):
            report = _copied(session, spec, table, reader, codes, progress)
    except _NotPlain:
        savepoint.rollback()
        return None
    savepoint.commit()
    return report


class _NotPlain(Exception):
    """The file is not plainly good: the row-by-row reading must take it."""


def _copied(
    session: Session,
    spec: Kind,
    table: CsvTable,
    reader: RowReader,
    codes: AttendanceCodes | None,
    progress: Progress | None,
) -> ImportReport:
    cells = _Cells(session, spec, table)
    if not cells.copy(progress):
        raise _NotPlain
    cells.check()
    report = ImportReport(spec.name, table.source)
    staging = Staging(session, spec, cells.rows(reader, codes))
    if spec.check_in_sql is not None:
        refused = f"SELECT EXISTS (SELECT FROM {staging.name} WHERE {spec.check_in_sql})"
        if session.scalar(text(refused)):
            raise _NotPlain
    try:
        merged = staging.merge([], report, refuse_repeats=True)
    except IntegrityError:  # a new key given twice
        raise _NotPlain from None
    if not merged:  # a stored key given twice
        raise _NotPlain
    return report


def _read(
    reader: RowReader, column: Column, distinct: list[str], codes: AttendanceCodes | None
) -> list[tuple[str, Any, int | None]]:
    """Each distinct cell of a column as (cell, value, a code's minutes); a blank that keeps
    the stored value reads as NULL (`_Cells.rows` says it is not given)."""
    read = []
    for cell in distinct:
        value, problem = reader.read_cell(column, cell)
        if problem is not None:
            raise _NotPlain
        if column.blank_keeps and not cell.strip():
            value = None
        minutes = None
        if codes is not None and column.name == "status":
            minutes = codes.minutes_missed(cell.strip())
        read.append((cell, value, minutes))
    return read


def _in_sql(column: Column, cell: str) -> tuple[str, str] | None:
    """How the database reads a cell of a column whose reader it can say in SQL, as the
    reader reads it: (the value, when the cell is bad); None for any other column."""
    stripped = f"btrim({cell}, {_SPACES})"
    if column.refers_to:
        return None  # looked up among the distinct cells (`_Cells.check`)
    if isinstance(column.read, Text):
        bad = f"length({stripped}) > {column.read.max_length}"
    elif column.read is identifier:
        bad = f"length({stripped}) > 64 OR translate({stripped}, {_SPACES}, '') <> {stripped}"
    else:
        return None
    if column.required:
        bad = f"{stripped} = '' OR {bad}"
    return f"NULLIF({stripped}, '')", bad


class _Cells:
    """The file's cells in a temporary table of text columns, c1 … cN as in the header."""

    def __init__(self, session: Session, spec: Kind, table: CsvTable) -> None:
        assert table.path is not None
        self.session, self.spec, self.table, self.path = session, spec, table, table.path
        with self.path.open("rb") as file:
            self.width = file.readline().count(b",") + 1  # no quotes: a comma parts two cells
        # Names of their own in the transaction, which may import several files.
        number = session.info["import_copies"] = session.info.get("import_copies", 0) + 1
        self.prefix = f"import_file_{number}"
        self.name = f"pg_temp.{self.prefix}"
        self.found = f"{self.name}_cells"  # each read column's distinct cells (`check`)
        self.columns = [f"c{place}" for place in range(1, self.width + 1)]
        typed = ", ".join(f"{column} text" for column in self.columns)
        session.execute(text(f"CREATE TEMPORARY TABLE {self.prefix} ({typed}) ON COMMIT DROP"))
        # The columns the kind reads, by place; the row-by-row path ignores cells past the last
        # named one only when they are blank.
        self.read = [
            (column, table.positions[column.name])
            for column in spec.columns
            if column.name in table.positions
        ]
        # The columns read inside the database, and those read in Python a distinct cell at
        # a time.
        self.in_sql = {
            column.name: reading
            for column, place in self.read
            if (reading := _in_sql(column, f"c{place}")) is not None
        }
        last = max(table.positions.values())
        self.past = [f"c{place}" for place in range(last + 1, self.width + 1)]
        # A row whose cells are all blank is skipped, as the row-by-row path skips it (the
        # first cell alone says so for nearly every row, and is cheaper to look at).
        everything = " || ".join(self.columns)
        self.filled = f"(btrim(c1, {_SPACES}) <> '' OR btrim({everything}, {_SPACES}) <> '')"

    def copy(self, progress: Progress | None) -> bool:
        """COPY the file's bytes; False if PostgreSQL refused them or read other than the
        file's lines (a line of its own `\\.` ends COPY's data early)."""
        raw: Any = self.session.connection().connection.driver_connection
        names = ", ".join(self.columns)
        options = f"FORMAT csv, HEADER true, ENCODING 'UTF8', FORCE_NOT_NULL ({names})"
        total, lines = self.table.newlines + 1, 0
        try:
            with raw.cursor() as cursor, self.path.open("rb") as file:
                with cursor.copy(f"COPY {self.name} ({names}) FROM STDIN ({options})") as copy:
                    while block := file.read(_BLOCK):
                        copy.write(block)
                        lines += block.count(b"\n")
                        if progress is not None:
                            progress(min(lines + 1, total), total)
                copied = cursor.rowcount
                cursor.execute(f"ANALYZE {self.name}")  # for the plans that read it
        except psycopg.DataError:
            return False
        expected = self.table.newlines - (1 if self.table.ends_in_newline else 0)
        return bool(copied == expected)

    def check(self) -> None:
        """Check the cells read inside the database, and find each looked-up column's
        distinct cells: not plain when a cell read in SQL is bad, a student is unknown, or a
        cell past the named columns is filled."""
        ids = [(column, f"c{place}") for column, place in self.read if column.refers_to]
        looked = [
            (column, f"c{place}")
            for column, place in self.read
            if not column.refers_to and column.name not in self.in_sql
        ]
        sets = [cell for _column, cell in ids + looked]
        # The cells past the named columns, run together: the row-by-row path's width error
        # unless blank; and whether any cell read in SQL is bad in the row.
        extra = {"past": " || ".join(self.past)} if self.past else {}
        if wrong := [f"({bad})" for _value, bad in self.in_sql.values()]:
            extra["wrong"] = " OR ".join(wrong)
        grouped = ", ".join(f"({cell})" for cell in [*sets, *extra])
        found = self.found
        self.session.execute(
            text(
                f"CREATE TEMPORARY TABLE {self.prefix}_cells ON COMMIT DROP AS"
                f" SELECT {', '.join([*sets, *(f'({e}) AS {n}' for n, e in extra.items())])}"
                f" FROM {self.name} WHERE {self.filled}"
                f" GROUP BY GROUPING SETS ({grouped})"
            )
        )
        checks = ["0"]
        if self.past:
            checks.append(f"count(*) FILTER (WHERE btrim(past, {_SPACES}) <> '')")
        if wrong:
            checks.append("count(*) FILTER (WHERE wrong)")
        for column, cell in ids:
            stripped = f"btrim({cell}, {_SPACES})"
            reference = REFERENCES[column.refers_to or ""].attribute
            known = f"SELECT FROM {reference.class_.__tablename__} AS k WHERE k.{reference.key}"
            # An id as identifier() reads it: no space inside, at most 64 characters.
            checks.append(
                f"count(*) FILTER (WHERE {cell} IS NOT NULL AND NOT ({stripped} <> ''"
                f" AND length({stripped}) <= 64 AND translate({stripped}, {_SPACES}, '')"
                f" = {stripped}))"
            )
            # Every distinct id at once (one hash anti-join): a guardians.csv has as many
            # distinct students as rows, too many to look up one by one.
            checks.append(
                f"(SELECT count(*) FROM {found} WHERE {cell} IS NOT NULL"
                f" AND NOT EXISTS ({known} = {stripped}))"
            )
        if any(self.session.execute(text(f"SELECT {', '.join(checks)} FROM {found}")).one()):
            raise _NotPlain

    def rows(self, reader: RowReader, codes: AttendanceCodes | None) -> View:
        """The file's rows as the staging table holds them: a cell read inside the database
        by its SQL, a looked-up cell through a table of its column's distinct cells, each
        read by `reader`."""
        dialect = self.session.get_bind().dialect
        mapped: Any = self.spec.model.__mapper__.columns
        joins, values, given = [], {}, {}
        for column, place in self.read:
            if column.refers_to:
                values[column.field] = f"btrim(c{place}, {_SPACES})"
            elif column.name in self.in_sql:
                values[column.field] = self.in_sql[column.name][0]
            else:
                lookup = f"pg_temp.{self.prefix}_{place}"
                kind = mapped[column.field].type.compile(dialect)
                self.session.execute(
                    text(
                        f"CREATE TEMPORARY TABLE {lookup.removeprefix('pg_temp.')}"
                        f" (cell text, value {kind}, minutes integer) ON COMMIT DROP"
                    )
                )
                self._look_up(lookup, column, f"c{place}", reader, codes)
                self.session.execute(text(f"ANALYZE {lookup}"))
                joins.append(f"JOIN {lookup} AS l{place} ON l{place}.cell = c{place}")
                values[column.field] = f"l{place}.value"
            # A blank that keeps (sms_consent) sets nothing: new rows get the kind's default.
            keeps = column.blank_keeps
            given[column.field] = f"btrim(c{place}, {_SPACES}) <> ''" if keeps else "true"
        # A district code may stand for minutes (T30): they fill a row's blank minutes_missed.
        status = next((place for column, place in self.read if column.name == "status"), None)
        if status is not None and "minutes_missed" in {c.field for c in self.spec.columns}:
            values["minutes_missed"] = (
                f"coalesce({values.get('minutes_missed', 'NULL')}, l{status}.minutes)"
            )
            given.setdefault("minutes_missed", f"l{status}.minutes IS NOT NULL")
        return View(values, given, f"{self.name} {' '.join(joins)} WHERE {self.filled}", self.name)

    def _look_up(
        self,
        lookup: str,
        column: Column,
        cell: str,
        reader: RowReader,
        codes: AttendanceCodes | None,
    ) -> None:
        """Fill a column's lookup table with its distinct cells as `reader` reads them, a
        batch at a time (a server-side cursor over them, a COPY of each batch read)."""
        raw: Any = self.session.connection().connection.driver_connection
        select = f"SELECT {cell} FROM {self.found} WHERE {cell} IS NOT NULL"
        with raw.cursor(name=f"{self.prefix}_distinct") as distinct:
            distinct.execute(select)
            while batch := distinct.fetchmany(_BATCH):
                read = _read(reader, column, [found for (found,) in batch], codes)
                with raw.cursor() as cursor, cursor.copy(f"COPY {lookup} FROM STDIN") as copy:
                    for row in read:
                        copy.write_row(row)
