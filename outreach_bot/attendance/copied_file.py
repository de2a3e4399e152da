"""A good attendance file on PostgreSQL: its bytes COPY-ed as they are, read inside the database.

The row-by-row path (`importer._import_staged`) reads every cell in Python, which costs more
than PostgreSQL's own COPY of the file. A nightly file is nearly always good, and repeats a
few hundred dates, codes and minutes among its million rows, so here:

1. the file's bytes go unread to `COPY … (FORMAT csv, HEADER)` into a table of text cells,
   one column a header cell;
2. one scan groups the rows by each id column and by the other read columns together (a
   few hundred combinations of dates, codes and minutes). Ids are looked up in `students`
   inside the database, and every other distinct cell is read by its column's own reader
   (`RowReader.read_cell`, the one the row-by-row path uses), so a cell means exactly what
   it means there. The cells that read go back as small tables, joined into one that reads
   each combination;
3. `Staging.merge` merges the rows, each read through that one table, refusing the file if
   a key comes twice.

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
# Distinct cells a looked-up column may have: past this, reading them would cost memory that
# grows with the file, so the row-by-row path (which forgets cells as it goes) takes the file.
_MOST_CELLS = 50_000
_BLOCK = 1 << 20
# Told (lines read, lines in the file) as an import reads a file, and once when it is read.
Progress = Callable[[int, int], None]


def can_copy(table: CsvTable, spec: Kind) -> bool:
    """Whether the file may take this path: read from disk, without quotes, of a kind whose
    rows need nothing but their own cells (no check across columns, no blank that keeps)."""
    return (
        table.path is not None
        and not table.quoted
        and spec.check is None
        and not any(column.blank_keeps for column in spec.columns)
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
    lookups = {
        column.name: _read(reader, column, distinct, codes)
        for column, distinct in cells.distinct().items()
    }
    report = ImportReport(spec.name, table.source)
    staging = Staging(session, spec, cells.rows(lookups))
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
    """Each distinct cell of a column as (cell, value, a code's minutes)."""
    read = []
    for cell in distinct:
        value, problem = reader.read_cell(column, cell)
        if problem is not None:
            raise _NotPlain
        minutes = None
        if codes is not None and column.name == "status":
            minutes = codes.minutes_missed(cell.strip())
        read.append((cell, value, minutes))
    return read


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
        last = max(table.positions.values())
        self.past = [f"c{place}" for place in range(last + 1, self.width + 1)]
        # What `distinct` finds: the rows (the blank ones left out), the id columns that must
        # be stripped, and the table of distinct cells with how to tell its combinations.
        self.count, self.padded = 0, set[str]()
        self.found = self.combination = ""

    def _filled(self, alias: str = "") -> str:
        """Whether a row has a cell that is not blank: the row-by-row path skips the others.
        The first cell alone says so for nearly every row, and a printable ASCII character
        first (never a space) says it cheaper than stripping."""
        everything = " || ".join(f"{alias}{column}" for column in self.columns)
        return (
            f"(ascii({alias}c1) BETWEEN 33 AND 126 OR btrim({alias}c1, {_SPACES}) <> ''"
            f" OR btrim({everything}, {_SPACES}) <> '')"
        )

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

    def distinct(self) -> dict[Column, list[str]]:
        """Each looked-up column's distinct cells, after checking the rest inside the database:
        not plain when a student is unknown, a cell past the named columns is filled, or a
        column has too many distinct cells to read.

        One scan groups the rows by each id column, by the looked-up columns together (a few
        hundred combinations of dates, codes and minutes in a million rows: one hash, and
        later one join) and by the cells past the named columns."""
        ids = [(column, f"c{place}") for column, place in self.read if column.refers_to]
        looked = [(column, f"c{place}") for column, place in self.read if not column.refers_to]
        if not looked:  # no kind has only ids; the combinations below need a column
            raise _NotPlain
        sets = [f"({cell})" for _column, cell in ids]
        sets.append(f"({', '.join(cell for _column, cell in looked)})")
        # The cells past the named columns, run together: the row-by-row path's width error
        # unless blank.
        past = [f"{' || '.join(self.past)} AS past"] if self.past else []
        if past:
            sets.append("(past)")
        cells = [cell for _column, cell in ids + looked]
        self.session.execute(
            text(
                f"CREATE TEMPORARY TABLE {self.prefix}_cells ON COMMIT DROP AS"
                f" SELECT {', '.join([*cells, *past])}, count(*) AS found FROM {self.name}"
                f" WHERE {self._filled()} GROUP BY GROUPING SETS ({', '.join(sets)})"
            )
        )
        found, combination = self.found, self.combination = (
            f"pg_temp.{self.prefix}_cells",
            f"{looked[0][1]} IS NOT NULL",  # a row of the looked-up columns' grouping set
        )
        checks = {
            "rows": f"sum(found) FILTER (WHERE {combination})",
            "past": f"count(*) FILTER (WHERE btrim(past, {_SPACES}) <> '')" if past else "0",
        }
        for column, cell in ids:
            stripped = f"btrim({cell}, {_SPACES})"
            reference = REFERENCES[column.refers_to or ""].attribute
            known = f"SELECT FROM {reference.class_.__tablename__} AS k WHERE k.{reference.key}"
            # An id as identifier() reads it: no space inside, at most 64 characters.
            checks[f"unknown_{cell}"] = (
                f"count(*) FILTER (WHERE {cell} IS NOT NULL AND NOT ({stripped} <> ''"
                f" AND length({stripped}) <= 64 AND translate({stripped}, {_SPACES}, '')"
                f" = {stripped} AND EXISTS ({known} = {stripped})))"
            )
            # Whether the merge must strip the ids, or may take the cells as they are.
            checks[f"padded_{cell}"] = f"coalesce(bool_or({cell} <> {stripped}), false)"
        for _column, cell in looked:
            checks[f"size_{cell}"] = f"count(DISTINCT {cell})"
        listed = ", ".join(f"{check} AS {name}" for name, check in checks.items())
        counts = self.session.execute(text(f"SELECT {listed} FROM {found}")).mappings().one()
        unknown = any(counts[f"unknown_{cell}"] for _column, cell in ids)
        many = any(counts[f"size_{cell}"] > _MOST_CELLS for _column, cell in looked)
        if counts["past"] or unknown or many:
            raise _NotPlain
        self.count = int(counts["rows"] or 0)
        self.padded = {cell for _column, cell in ids if counts[f"padded_{cell}"]}
        return {
            column: list(
                self.session.scalars(
                    text(f"SELECT DISTINCT {cell} FROM {found} WHERE {combination}")
                )
            )
            for column, cell in looked
        }

    def rows(self, lookups: dict[str, list[tuple[str, Any, int | None]]]) -> View:
        """The file's rows as the staging table holds them: the ids as they are (stripped if
        need be), every other field from one small table that reads each combination of the
        looked-up columns' cells (made from a small table of each column's read cells)."""
        raw: Any = self.session.connection().connection.driver_connection
        dialect = self.session.get_bind().dialect
        model: Any = self.spec.model
        found, combination = self.found, self.combination
        joins, chosen, matched, values = [], [], [], {}
        for column, place in self.read:
            cell = f"c{place}"
            if column.refers_to:
                values[column.field] = (
                    f"btrim(f.{cell}, {_SPACES})" if cell in self.padded else f"f.{cell}"
                )
                continue
            lookup = f"{self.prefix}_{place}"
            kind = model.__table__.c[column.field].type.compile(dialect)
            self.session.execute(
                text(
                    f"CREATE TEMPORARY TABLE {lookup}"
                    f" (cell text PRIMARY KEY, value {kind}, minutes integer) ON COMMIT DROP"
                )
            )
            with raw.cursor() as cursor, cursor.copy(f"COPY pg_temp.{lookup} FROM STDIN") as copy:
                for row in lookups[column.name]:
                    copy.write_row(row)
            joins.append(f"JOIN pg_temp.{lookup} AS l{place} ON l{place}.cell = {cell}")
            chosen += [cell, f"l{place}.value AS {cell}_value"]
            matched.append(f"r.{cell} = f.{cell}")
            values[column.field] = f"r.{cell}_value"
        given = dict.fromkeys(values, "true")
        # A district code may stand for minutes (T30): they fill a row's blank minutes_missed.
        status = next((place for column, place in self.read if column.name == "status"), None)
        if status is not None and "minutes_missed" in {c.field for c in self.spec.columns}:
            chosen.append(f"l{status}.minutes AS code_minutes")
            values["minutes_missed"] = (
                f"coalesce({values.get('minutes_missed', 'NULL')}, r.code_minutes)"
            )
            given.setdefault("minutes_missed", "r.code_minutes IS NOT NULL")
        read = f"{self.prefix}_read"
        self.session.execute(
            text(
                f"CREATE TEMPORARY TABLE {read} ON COMMIT DROP AS SELECT {', '.join(chosen)}"
                f" FROM {found} {' '.join(joins)} WHERE {combination}"
            )
        )
        self.session.execute(text(f"ANALYZE pg_temp.{read}"))
        source = (
            f"{self.name} AS f JOIN pg_temp.{read} AS r ON {' AND '.join(matched)}"
            f" WHERE {self._filled('f.')}"
        )
        return View(values, given, source, self.name, self.count)
