"""A good large file on PostgreSQL (attendance, students, guardians): its bytes COPY-ed as
they are, read inside the database.

The row-by-row path (`importer._import_staged`) reads every cell in Python, which costs more
than PostgreSQL's own COPY of the file. A nightly file is nearly always good, so here:

1. the file's bytes go unread to `COPY … (FORMAT csv, HEADER)` into a table of text cells,
   one column a header cell;
2. one scan groups the rows by each id column, by the states of the cells the database reads
   (good as they are, bad, or good once stripped: a column none of whose cells needs
   stripping is then read as it is), and by the other columns: each of many distinct
   cells (ANALYZE's estimate; a guardians.csv's phones) alone, the others together, in
   their combinations. An id column of as many (a guardians.csv's student ids, nearly one
   a row) is not grouped: its cells are checked a row at a time. The database reads free
   text of a most length and ids (names, addresses, a student's own id: as many as the rows) as the
   row-by-row path reads them; ids of students and schools are looked up in one hash
   anti-join. Every other distinct cell is read by its column's own reader
   (`RowReader.read_cell`, the one the row-by-row path uses), so a cell means exactly what it
   means there; the cells go to Python and back into a lookup table a batch at a time, so
   memory stays flat however many there are (a guardians.csv's phones are nearly all
   distinct);
3. `Staging.merge` merges the rows, refusing the file if a key comes twice. An attendance
   file repeats a few hundred combinations of dates, codes and minutes among its million
   rows: a small table reads each combination once, and each row is read through it with
   one join, and through the lookup table of each column grouped alone. A file with many
   combinations (students: birth dates, ZIP codes, grades) joins each column's lookup table
   instead. (Not a combinations table of its few-valued columns beside the others: the
   planner, multiplying the selectivities of a join on six columns, expected a handful of
   rows and looked each stored student up by index, a third slower.) A kind whose rows are
   checked across columns (students: exit before entry) says the same check in SQL
   (`Kind.check_in_sql`), run over the rows first.

Only when the file is plainly good: a bad cell, an unknown student, a repeated key, a blank
line or a row of the wrong length, a row failing the kind's check, and anything PostgreSQL
and Python's csv module might read differently (a double quote anywhere), make `copy_file`
undo its work (a savepoint) and return None. The caller then reads the file row by row,
which places each problem by file, line and column, and counts and stores exactly what this
path would.
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
# Combinations of the looked-up columns' cells read once each in a table of their own (an
# attendance file has a few hundred); past this, each row joins each column's lookup table.
_MOST_COMBINATIONS = 50_000
# A column estimated to have more distinct cells than this (a guardians.csv's phones, its
# student ids) is grouped alone, or (an id) not grouped at all.
_MANY_CELLS = 50_000
# The bad bit of each cell's state in a row's number of states (`_Cells.check`).
_BAD_CELLS = int("01" * 32, 2)
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


def _stripped(cell: str) -> str:
    """A cell stripped as str.strip() strips it: a cell whose first and last characters are
    printable ASCII (nearly every one) is left as it is, at a quarter of btrim's cost."""
    return (
        f"CASE WHEN ascii({cell}) BETWEEN 33 AND 126 AND ascii(right({cell}, 1)) BETWEEN 33"
        f" AND 126 THEN {cell} ELSE btrim({cell}, {_SPACES}) END"
    )


def _not_blank(cell: str) -> str:
    """Whether a cell is not blank once stripped: a printable ASCII character first (never a
    space) says so for nearly every cell, cheaper than stripping it."""
    return f"(ascii({cell}) BETWEEN 33 AND 126 OR btrim({cell}, {_SPACES}) <> '')"


def _plain_id(cell: str) -> str:
    """Whether a cell is an id as `identifier` reads it, unpadded: nearly every id is printable
    ASCII throughout, which says so sooner than stripping it and looking for spaces inside
    (each about 1.5 s of CPU a million ids; a bounded pattern such as [!-~]{1,64} costs ten
    times that)."""
    return f"({cell} <> '' AND octet_length({cell}) <= 64 AND {cell} !~ '[^!-~]')"


def _bad_id(cell: str) -> str:
    """Whether an id cell is not an id as `identifier` reads it: after stripping, blank,
    longer than 64 characters, or with a space inside."""
    stripped = f"btrim({cell}, {_SPACES})"
    return (
        f"(NOT {_plain_id(cell)} AND NOT ({stripped} <> '' AND length({stripped}) <= 64"
        f" AND translate({stripped}, {_SPACES}, '') = {stripped}))"
    )


def _padded_id(cell: str) -> str:
    """Whether an id cell must be stripped: the merge takes the others as they are."""
    return f"(NOT {_plain_id(cell)} AND {cell} <> btrim({cell}, {_SPACES}))"


def _in_sql(column: Column, cell: str) -> tuple[str, str] | None:
    """How the database reads a cell of a column whose reader it can say in SQL, as the
    reader reads it: (the value, the cell's state: 0 when it is good as it is, 1 when it is
    bad, 2 when it is good once stripped); None for any other column.

    A cell is told plain by its first and last characters, and needs stripping only when it
    is not: once no cell of the column does (`_Cells.plain`), its rows are read as they are,
    not stripped again in each statement that reads them."""
    if column.refers_to:
        return None  # looked up among the distinct ids (`_Cells.check`)
    stripped = f"btrim({cell}, {_SPACES})"
    if isinstance(column.read, Text):
        most = column.read.max_length
        plain = f"ascii({cell}) BETWEEN 33 AND 126 AND ascii(right({cell}, 1)) BETWEEN 33 AND 126"
        bad_plain = f"octet_length({cell}) > {most} AND length({cell}) > {most}"
        bad = f"length({stripped}) > {most}"
    elif column.read is identifier:
        return f"NULLIF(({_stripped(cell)}), '')", _id_state(cell, column.required)
    else:
        return None
    if column.required:
        bad = f"{stripped} = '' OR {bad}"
    return f"NULLIF(({_stripped(cell)}), '')", _state(cell, plain, bad_plain, bad)


def _id_state(cell: str, required: bool) -> str:
    """An id cell's state (`_in_sql`): bad after stripping when longer than 64 characters,
    with a space inside, or (`required`) blank."""
    stripped = f"btrim({cell}, {_SPACES})"
    bad = f"length({stripped}) > 64 OR translate({stripped}, {_SPACES}, '') <> {stripped}"
    if required:
        bad = f"{stripped} = '' OR {bad}"
    return _state(cell, _plain_id(cell), "false", bad)


def _state(cell: str, plain: str, bad_plain: str, bad: str) -> str:
    """A cell's state: 0 good as it is, 1 bad, 2 good once stripped; `plain` says cheaply that
    it needs no stripping, and then `bad_plain` whether it is bad, else `bad` (stripped)."""
    return (
        f"CASE WHEN {plain} THEN CASE WHEN {bad_plain} THEN 1 ELSE 0 END"
        f" WHEN {bad} THEN 1 WHEN {cell} <> btrim({cell}, {_SPACES}) THEN 2 ELSE 0 END"
    )


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
        self.found = f"{self.name}_cells"  # the scan's groups (`check`)
        self.columns = [f"c{place}" for place in range(1, self.width + 1)]
        typed = ", ".join(f"{column} text" for column in self.columns)
        session.execute(text(f"CREATE TEMPORARY TABLE {self.prefix} ({typed}) ON COMMIT DROP"))
        # The columns the kind reads, by place: ids looked up in the database, columns read
        # inside it (as the file's `f` row's cells), and those read in Python a distinct cell
        # at a time. The row-by-row path ignores cells past the last named one only when
        # they are blank.
        self.read = [
            (column, table.positions[column.name])
            for column in spec.columns
            if column.name in table.positions
        ]
        self.ids = [(column, f"c{place}") for column, place in self.read if column.refers_to]
        self.in_sql = {
            column.name: reading
            for column, place in self.read
            if (reading := _in_sql(column, f"f.c{place}")) is not None
        }
        self.looked = [
            (column, place)
            for column, place in self.read
            if not column.refers_to and column.name not in self.in_sql
        ]
        if not self.looked:  # no kind has none; the rows are counted among their combinations
            raise _NotPlain
        # Set by `check` from the cells' estimated distinct counts: the looked-up columns
        # grouped alone (many distinct cells) and together (their combinations, few), and
        # the id columns checked row by row rather than grouped.
        self.alone: list[str] = []
        self.together = [f"c{place}" for _column, place in self.looked]
        self.ungrouped: set[str] = set()
        last = max(table.positions.values())
        self.past = [f"c{place}" for place in range(last + 1, self.width + 1)]
        # What `check` finds: the rows (the blank ones left out), their combinations, and the
        # id columns that must be stripped.
        self.count = self.combinations = 0
        self.padded = set[str]()
        self.stripped = set[str]()  # the columns read in SQL with a cell to strip

    def _filled(self, alias: str = "") -> str:
        """Whether a row has a cell that is not blank: the row-by-row path skips the others.
        The first cell alone says so for nearly every row, and a printable ASCII character
        first (never a space) says it cheaper than stripping."""
        everything = " || ".join(f"{alias}{column}" for column in self.columns)
        return f"({_not_blank(f'{alias}c1')} OR btrim({everything}, {_SPACES}) <> '')"

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
                # Each column's estimated distinct cells, from ANALYZE's sample: negative,
                # a share of the rows.
                cursor.execute(
                    "SELECT s.attname, CASE WHEN s.n_distinct >= 0 THEN s.n_distinct"
                    " ELSE -s.n_distinct * c.reltuples END FROM pg_stats AS s"
                    " JOIN pg_class AS c ON c.oid = to_regclass(%s)"
                    " WHERE s.schemaname = c.relnamespace::regnamespace::text"
                    " AND s.tablename = c.relname",
                    (self.name,),
                )
                self.distinct = {name: float(count) for name, count in cursor.fetchall()}
        except psycopg.DataError:
            return False
        expected = self.table.newlines - (1 if self.table.ends_in_newline else 0)
        return bool(copied == expected)

    def check(self) -> None:
        """Check the cells read inside the database: not plain when one is bad, a student
        is unknown, or a cell past the named columns is filled.

        One scan groups the rows by each id column, by each looked-up column with many
        distinct cells alone and the others together, by the cells past the named columns
        and by the states of the cells read in SQL (`_state`). An id column with many
        distinct cells (a guardians.csv's student ids, nearly one a row) is not grouped,
        which would only hash as many ids as rows: its cells are checked row by row (their
        states), and looked up in the scan of the rows."""

        def many(cell: str) -> bool:
            return self.distinct.get(cell, 0) > _MANY_CELLS

        looked = [f"c{place}" for _column, place in self.looked]
        self.alone = [cell for cell in looked if many(cell)]
        self.together = [cell for cell in looked if not many(cell)]
        self.ungrouped = {cell for _column, cell in self.ids if many(cell)}
        grouped = [cell for _column, cell in self.ids if cell not in self.ungrouped]
        sets = [f"({cell})" for cell in grouped + self.alone]
        if self.together:
            sets.append(f"({', '.join(self.together)})")
        # The cells past the named columns, run together: the row-by-row path's width error
        # unless blank; and whether any cell read in SQL is bad in the row.
        extra = {"past": " || ".join(self.past)} if self.past else {}
        # Each cell read in SQL, and each ungrouped id, has a state of two bits (`_state`):
        # one number a row, one grouping set.
        stated = [(name, state) for name, (_value, state) in self.in_sql.items()]
        stated += [(cell, _id_state(cell, True)) for cell in sorted(self.ungrouped)]
        if len(stated) > 31:  # more than a bigint holds (no kind has a third as many)
            raise _NotPlain
        if stated:
            extra["states"] = " + ".join(
                f"(({state})::bigint << {2 * place})" for place, (_name, state) in enumerate(stated)
            )
        sets += [f"({name})" for name in extra]
        chosen = grouped + looked
        chosen += [f"({expression}) AS {name}" for name, expression in extra.items()]
        self.session.execute(
            text(
                f"CREATE TEMPORARY TABLE {self.prefix}_cells ON COMMIT DROP AS"
                f" SELECT {', '.join(chosen)}, count(*) AS found FROM {self.name} AS f"
                f" WHERE {self._filled('f.')} GROUP BY GROUPING SETS ({', '.join(sets)})"
            )
        )
        found = self.found
        # Unanalyzed, the groups are planned as a handful of rows: the combinations' table
        # (`rows`) then joined each lookup table in a nested loop, 4 million comparisons for
        # a students.csv's 14,000 combinations and 300 ZIP codes.
        self.session.execute(text(f"ANALYZE {found}"))
        # The rows are counted in one looked-up grouping set, and the combinations in the
        # set of those grouped together.
        counted = self._set_of(looked[0])
        combination = self._set_of(self.together[0]) if self.together else "false"
        checks = {
            "rows": f"sum(found) FILTER (WHERE {counted})",
            "combinations": f"count(*) FILTER (WHERE {combination})",
            "past": f"count(*) FILTER (WHERE btrim(past, {_SPACES}) <> '')" if self.past else "0",
            "states": "coalesce(bit_or(states), 0)" if stated else "0",
        }
        for _column, cell in self.ids:
            if cell in self.ungrouped:
                continue
            checks[f"bad_{cell}"] = (
                f"count(*) FILTER (WHERE {cell} IS NOT NULL AND {_bad_id(cell)})"
            )
            # Whether the merge must strip the ids, or may take the cells as they are.
            checks[f"padded_{cell}"] = f"coalesce(bool_or({_padded_id(cell)}), false)"
        listed = ", ".join(f"{check} AS {name}" for name, check in checks.items())
        counts = self.session.execute(text(f"SELECT {listed} FROM {found}")).mappings().one()
        refused = ["past"]
        refused += [f"bad_{cell}" for _column, cell in self.ids if cell not in self.ungrouped]
        states = int(counts["states"])
        if any(counts[name] for name in refused) or states & _BAD_CELLS:
            raise _NotPlain
        stripped = {name for place, (name, _) in enumerate(stated) if states >> 2 * place & 2}
        self.stripped = stripped & set(self.in_sql)
        self.count = int(counts["rows"] or 0)
        self.combinations = int(counts["combinations"])
        self.padded = {cell for _column, cell in self.ids if cell in stripped}
        self.padded |= {cell for _column, cell in self.ids if counts.get(f"padded_{cell}")}
        for column, cell in self.ids:
            reference = REFERENCES[column.refers_to or ""].attribute
            known = f"SELECT FROM {reference.class_.__tablename__} AS k WHERE k.{reference.key}"
            read = f"btrim(f.{cell}, {_SPACES})" if cell in self.padded else f"f.{cell}"
            # Every distinct id at once (one hash anti-join): a guardians.csv has as many
            # distinct students as rows, too many to look up one by one; its rows are read
            # as they are, not grouped first.
            among = (
                f"{self.name} AS f WHERE {self._filled('f.')}"
                if cell in self.ungrouped
                else f"{found} AS f WHERE f.{cell} IS NOT NULL"
            )
            unknown = self.session.scalar(
                text(f"SELECT count(*) FROM {among} AND NOT EXISTS ({known} = {read})")
            )
            if unknown:
                raise _NotPlain

    def _set_of(self, cell: str) -> str:
        """Whether a row of `found` is of the grouping set that has this looked-up cell (each
        cell is in one set, and no cell is NULL in the file's table)."""
        first = cell if cell in self.alone else self.together[0]
        return f"{first} IS NOT NULL"

    def rows(self, reader: RowReader, codes: AttendanceCodes | None) -> View:
        """The file's rows (`f`) as the staging table holds them: an id as it is (stripped if
        need be), a cell read inside the database by its SQL, a looked-up cell through a
        table of its column's distinct cells, each read by `reader`. When the combinations
        are few, a table (`r`) reads each once and each row joins its own; else each row
        joins each column's table, as it does a column grouped alone."""
        few = bool(self.together) and self.combinations <= _MOST_COMBINATIONS
        dialect = self.session.get_bind().dialect
        mapped: Any = self.spec.model.__mapper__.columns
        joins: dict[str, str] = {}  # cell -> its lookup table's join
        picked, values, given = dict[str, str](), {}, {}

        def pick(cell: str, name: str, expression: str) -> str:
            """A looked-up value, from the combinations' table when there is one."""
            if not few or cell in self.alone:
                return expression
            picked[name] = expression
            return f"r.{name}"

        for column, place in self.read:
            cell = f"c{place}"
            if column.refers_to:
                values[column.field] = (
                    f"btrim(f.{cell}, {_SPACES})" if cell in self.padded else f"f.{cell}"
                )
            elif column.name in self.stripped:
                values[column.field] = self.in_sql[column.name][0]
            elif column.name in self.in_sql:  # no cell of the column needs stripping
                values[column.field] = f"f.{cell}" if column.required else f"NULLIF(f.{cell}, '')"
            else:
                lookup = f"pg_temp.{self.prefix}_{place}"
                kind = mapped[column.field].type.compile(dialect)
                self.session.execute(
                    text(
                        f"CREATE TEMPORARY TABLE {lookup.removeprefix('pg_temp.')}"
                        f" (cell text, value {kind}, minutes integer) ON COMMIT DROP"
                    )
                )
                self._look_up(lookup, column, cell, reader, codes)
                self.session.execute(text(f"ANALYZE {lookup}"))
                joins[cell] = f"JOIN {lookup} AS l{place} ON l{place}.cell = {cell}"
                values[column.field] = pick(cell, f"{cell}_value", f"l{place}.value")
            # A blank that keeps (sms_consent) sets nothing: new rows get the kind's default.
            keeps = column.blank_keeps
            given[column.field] = _not_blank(f"f.{cell}") if keeps else "true"
        # A district code may stand for minutes (T30): they fill a row's blank minutes_missed.
        status = next((place for column, place in self.read if column.name == "status"), None)
        if status is not None and "minutes_missed" in {c.field for c in self.spec.columns}:
            minutes = pick(f"c{status}", "code_minutes", f"l{status}.minutes")
            values["minutes_missed"] = (
                f"coalesce({values.get('minutes_missed', 'NULL')}, {minutes})"
            )
            given.setdefault("minutes_missed", f"{minutes} IS NOT NULL")
        # The lookup tables' `cell = cN` name the cells of `found`, or else of the file's rows.
        alone = " ".join(joins[cell] for cell in self.alone)
        if few:
            read = f"{self.prefix}_read"
            cells = self.together
            chosen = cells + [f"{value} AS {name}" for name, value in picked.items()]
            together = " ".join(joins[cell] for cell in cells)
            self.session.execute(
                text(
                    f"CREATE TEMPORARY TABLE {read} ON COMMIT DROP AS SELECT {', '.join(chosen)}"
                    f" FROM {self.found} {together} WHERE {self._set_of(cells[0])}"
                )
            )
            self.session.execute(text(f"ANALYZE pg_temp.{read}"))
            # Each row has its combination in `r` (the same rows were grouped), so an outer
            # join reads the same rows as an inner one; but the planner then expects each row
            # of `f` back, where it multiplied the equalities' selectivities, expected a
            # handful of rows and looked each stored row up by index in a re-import's pass.
            matched = " AND ".join(f"r.{cell} = f.{cell}" for cell in cells)
            source = f"{self.name} AS f LEFT JOIN pg_temp.{read} AS r ON {matched} {alone}"
        else:
            source = f"{self.name} AS f {' '.join(joins.values())}"
        source += f" WHERE {self._filled('f.')}"
        return View(values, given, source, self.name, self.count)

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
        # A column grouped alone has each cell once in its set already; one grouped with
        # others, once in each combination.
        once = "" if cell in self.alone else "DISTINCT "
        select = f"SELECT {once}{cell} FROM {self.found} WHERE {self._set_of(cell)}"
        with raw.cursor(name=f"{self.prefix}_distinct") as distinct:
            distinct.execute(select)
            while batch := distinct.fetchmany(_BATCH):
                read = _read(reader, column, [found for (found,) in batch], codes)
                with raw.cursor() as cursor, cursor.copy(f"COPY {lookup} FROM STDIN") as copy:
                    for row in read:
                        copy.write_row(row)
