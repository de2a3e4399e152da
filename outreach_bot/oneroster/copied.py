"""A plainly good bulk export on PostgreSQL: its files COPY-ed as they are, the rules run in SQL.

The row-by-row path (`directory.import_export`) reads every cell in Python and holds every
record of the export and of the store in memory: a few kB a student. A nightly bulk export is
nearly always good, so here, as `attendance/copied_file` does for an attendance file:

1. each of the five files' bytes go unread to `COPY … (FORMAT csv, HEADER)` into a table of
   text cells, one column a header cell;
2. each cell whose meaning a Python reader decides (a date, a grade, a phone, a language, a
   yes or no, a dateLastModified) is read once per distinct value, by the reader the
   row-by-row path uses (`layouts`), into a small lookup table; names, ids, roles and
   sourcedId lists are read in SQL as those readers read them;
3. the records are built in SQL, checked (no bad cell, no sourcedId twice, every link held,
   one id per student and school, one phone per student) and merged with the stored ones
   (`dateLastModified` never goes backwards; a record a bulk file leaves out is deleted), then
   the schools, students and guardians are derived from the merged records in SQL and written
   through `Staging`, counted as the row-by-row path counts them.

Python holds no record: its memory does not grow with the export. Only when the export is
plainly good: a delta file, a quote anywhere in a file, roles.csv (OneRoster 1.2's roles), a
bad cell, a broken link, a record whose row the row-by-row path would order by chance, make
`copy_export` undo its work (a savepoint) and return None. The caller then reads the export
row by row, which places each problem by file, line and column, and stores exactly what this
path would (tests/test_oneroster_copied.py imports the same exports both ways).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from outreach_bot.attendance import csv_fields
from outreach_bot.attendance.copied_file import WHITESPACE
from outreach_bot.attendance.csv_kinds import KINDS
from outreach_bot.attendance.csv_reader import CsvTable, UnreadableFile
from outreach_bot.attendance.import_report import ImportReport
from outreach_bot.attendance.staging import Staging, View, room_to_work
from outreach_bot.models import OneRosterRecord
from outreach_bot.oneroster import layouts
from outreach_bot.oneroster.guardians import remove_guardians
from outreach_bot.oneroster.layouts import FAMILY, RACES, SCHOOL, SCHOOL_YEAR, STUDENT
from outreach_bot.oneroster.manifest import BULK, Export, Manifest
from outreach_bot.oneroster.records import DELETED, Field, folded, modified_at, sourced_ids
from outreach_bot.oneroster.report import ExportReport
from outreach_bot.oneroster.writes import on_postgresql

# The files this path reads; all must be in the export, in bulk.
_FILES = ("orgs", "academicSessions", "users", "enrollments", "demographics")
_SPACES = "'" + WHITESPACE + "'"  # as an SQL literal (it has no quote)
# A regular expression matching any of them (translate() is several times slower).
_SPACE_CLASS = "'[" + "".join(f"\\u{ord(char):04x}" for char in WHITESPACE) + "]'"
# Whether a file may have a cell to strip (one that begins or ends with whitespace), at the
# speed of bytes.translate: each ASCII space made a space and each line break a comma, a
# cell to strip is a space beside a comma. (No cell is quoted, so no line break is a cell's.)
# The few spaces outside ASCII (a no-break space…) are rarer: any of them anywhere counts.
_ASCII_SPACES = bytes(ord(char) for char in WHITESPACE if ord(char) < 128 and char not in "\r\n")
_AS_COMMAS = bytes.maketrans(_ASCII_SPACES + b"\r\n", b" " * len(_ASCII_SPACES) + b",,")
_WIDE_SPACES = [char.encode() for char in WHITESPACE if ord(char) >= 128]


# The bytes JSON must escape in a string (a line break ends a row: it is in no cell); a
# block holds one when deleting them shortens it (7 times as fast as a regular expression).
_ESCAPED = bytes(byte for byte in range(0x20) if byte not in b"\r\n") + b'"\\'


@dataclass
class _Bytes:
    """What a file's bytes say of all its cells, found while they go to COPY."""

    padded: bool = False  # a cell may begin or end with whitespace: cells are stripped
    escaped: bool = False  # a cell may hold a character JSON escapes: to_json() writes them
    wide: bool = False  # a byte outside ASCII: casefold() may not be lower()

    def read(self, block: bytes, tail: bytes) -> None:
        self.padded = self.padded or _may_be_padded(tail + block)
        self.escaped = self.escaped or len(block.translate(None, _ESCAPED)) != len(block)
        self.wide = self.wide or not block.isascii()


def _may_be_padded(block: bytes) -> bool:
    """Whether a block of a file without quotes may hold a cell to strip (never a false no)."""
    commas = block.translate(_AS_COMMAS)
    if b", " in commas or b" ," in commas:
        return True
    return not block.isascii() and any(space in block for space in _WIDE_SPACES)


_BATCH = 10_000  # distinct cells read in Python at a time
_RECORDS = OneRosterRecord.__tablename__
_KEPT = sorted(FAMILY | {STUDENT})
# Rows of more than one sourcedId in a group (of `sid`s listed with repeats): what a count of
# the distinct ones above one says, without a sort of each group to count them.
_TWO_SIDS = 'min(sid COLLATE "C") <> max(sid COLLATE "C")'


def _quoted(values: list[str]) -> str:
    """Plain words (roles, types) as an SQL list."""
    return ", ".join(f"'{value}'" for value in values)


def copy_export(
    session: Session,
    export: Export,
    manifest: Manifest,
    report: ExportReport,
    *,
    zone: ZoneInfo,
    today: date,
    default_language: str,
    language_column: str,
) -> bool:
    """Import a plainly good bulk export by COPY, counting in `report` the roster's rows,
    withdrawals, removals and older records; False (nothing written, nothing counted) when
    it is not one."""
    if not _may_copy(session, export, manifest):
        return False
    savepoint = session.begin_nested()
    copied = _Copied(session, export, zone, today, default_language)
    try:
        with room_to_work(session), _whole_file_plans(session):
            found = copied.run(language_column)
    except _NotPlain:
        savepoint.rollback()
        return False
    savepoint.commit()
    report.roster, report.withdrawn, report.older = found.roster, found.withdrawn, found.older
    report.guardians_removed, report.guardians_kept = found.guardians_removed, found.guardians_kept
    return True


@contextmanager
def _whole_file_plans(session: Session) -> Iterator[None]:
    """Joins by hash or merge, and no JIT, until the block ends. Every statement here joins
    whole files, and PostgreSQL cannot estimate how many rows a condition on a JSON field
    keeps: a guess of a few rows makes a nested loop, which costs the square of the export.
    (A nested loop's cost once forbidden would also make every statement worth compiling.)"""
    settings = ("enable_nestloop", "jit")
    were = {name: session.scalar(text(f"SELECT current_setting('{name}')")) for name in settings}
    for name in settings:
        session.execute(text(f"SET LOCAL {name} = off"))
    yield
    for name, was in were.items():
        session.execute(text("SELECT set_config(:name, :was, true)"), {"name": name, "was": was})


class _NotPlain(Exception):
    """The export is not plainly good: the row-by-row reading must take it."""


def _may_copy(session: Session, export: Export, manifest: Manifest) -> bool:
    """PostgreSQL, the five files in bulk, and no roles.csv now or stored (OneRoster 1.2's
    roles decide a user's role across files: the row-by-row path reads them)."""
    if not on_postgresql(session) or export.has("roles.csv"):
        return False
    if not all(export.has(f"{name}.csv") and manifest.mode(name, True) == BULK for name in _FILES):
        return False
    roles = select(OneRosterRecord.sourced_id).where(OneRosterRecord.file == "roles").limit(1)
    return session.scalar(roles) is None


@dataclass(frozen=True)
class _Reading:
    """How one field's cells are read: an SQL value and check, or a Python reader per cell."""

    value: str  # SQL over the stripped cell, written CELL: the value as JSON text
    valid: str  # SQL over CELL: true when the cell reads
    reader: Callable[[str], Any] | None = None  # read in Python, once per distinct cell


def _keyed(key: str, value: str) -> str:
    """SQL of a record's `"key":value` text; the key joined to a quoted string the value
    begins with, if it does (each || of a field costs: a fifth of building a record)."""
    if value.startswith("'"):
        return f'\'"{key}":{value[1:]}'
    return f"'\"{key}\":' || {value}"


def _reading(field: Field, found: _Bytes) -> _Reading:
    """How the row-by-row path's reader for a field is done here, in a file whose bytes are
    as `found` says: a string is quoted as it is when no cell has a character to escape."""

    def string(cell: str, opening: str = "", closing: str = "") -> str:
        if not found.escaped:
            return f"'{opening}\"' || {cell} || '\"{closing}'"
        quoted = f"to_json({cell})::text"
        return f"'{opening}' || {quoted} || '{closing}'" if opening else quoted

    if field.read is csv_fields.identifier:
        # Without a byte outside ASCII or a control character, the only space is ' '.
        spaceless = (
            f"CELL !~ {_SPACE_CLASS}" if found.wide or found.escaped else "strpos(CELL, ' ') = 0"
        )
        return _Reading(string("CELL"), f"length(CELL) <= 64 AND {spaceless}")
    if field.read is folded:
        # casefold() is lower() on ASCII; a cell of other letters is read in Python.
        ascii_only = "CELL ~ '^[\\x01-\\x7f]*$'" if found.wide else "true"
        return _Reading(string('lower(CELL COLLATE "C")'), ascii_only)
    if field.read is sourced_ids:
        # [part.strip() for part in x.split(",") if part.strip()]
        listed = (
            f"(SELECT coalesce(json_agg(btrim(p, {_SPACES}) ORDER BY o)::text, '[]')"
            f" FROM unnest(string_to_array(CELL, ',')) WITH ORDINALITY AS u(p, o)"
            f" WHERE btrim(p, {_SPACES}) <> '')"
        )
        return _Reading(
            f"CASE WHEN strpos(CELL, ',') = 0 THEN {string('CELL', '[', ']')} ELSE {listed} END",
            "true",
        )
    if isinstance(field.read, csv_fields.Text):
        return _Reading(string("CELL"), f"length(CELL) <= {field.read.max_length}")
    return _Reading("l.value", "l.ok", field.read)


class _Copied:
    """One export's files in temporary tables, read, checked, merged and applied."""

    # A file with no stored record is merged as a first import (`_first`); a test turns this
    # off to check that the general merge stores the same.
    first_imports = True

    def __init__(
        self, session: Session, export: Export, zone: ZoneInfo, today: date, default_language: str
    ) -> None:
        self.session, self.export, self.zone = session, export, zone
        self.yesterday = (today - timedelta(days=1)).isoformat()
        self.default_language = default_language
        self.raw: Any = session.connection().connection.driver_connection
        self.lookups = 0

    def run(self, language_column: str) -> ExportReport:
        fields = {
            "orgs": layouts.ORGS,
            "academicSessions": layouts.ACADEMIC_SESSIONS,
            "users": layouts.users(language_column),
            "enrollments": layouts.ENROLLMENTS,
            "demographics": layouts.DEMOGRAPHICS,
        }
        for name in _FILES:
            self._records(name, fields[name])
        self._check_links()
        report = ExportReport(self.export.name)
        for name in _FILES:
            report.older += self._merge(name)
        self._apply(report)
        return report

    # --- the files --------------------------------------------------------------------------

    def _execute(self, statement: str, **values: Any) -> Any:
        return self.session.execute(text(statement), values)

    def _records(self, name: str, fields: tuple[Field, ...]) -> None:
        """The file's wanted rows as records in or_<name>: (sid, status, modified, data)."""
        try:
            table = self.export.table(f"{name}.csv")
        except UnreadableFile:
            raise _NotPlain from None
        positions = table.positions
        if (
            table.path is None
            or table.quoted
            or table.duplicates
            or "sourcedid" not in positions
            or any(f.required and f.column(positions) is None for f in fields)
            or (name == "users" and "role" not in positions)
        ):
            raise _NotPlain
        cells = f"or_{name}_cells"
        held = self._copy(table, cells)

        def stripped(header: str) -> str:
            # Stripping every cell costs a fifth of reading the file: only when one needs it.
            column = f"c{positions[header]}"
            return f"btrim({column}, {_SPACES})" if held.padded else column

        def cell(header: str) -> str:
            # Each cell stripped once (the subquery below), however often it is read.
            return f"t.k{positions[header]}" if header in positions else "''"

        joins: list[str] = []
        values: list[str] = []
        problems: list[str] = []
        for field in fields:
            found = field.column(positions)
            if found is None:
                continue
            reading = _reading(field, held)
            x = cell(found[0])
            if reading.reader is not None:
                lookup = self._lookup(cells, stripped(found[0]), reading.reader, field.key)
                alias = f"l{len(joins)}"
                joins.append(f"LEFT JOIN {lookup} AS {alias} ON {alias}.cell = {x}")
                value, valid = f"{alias}.value", f"{alias}.ok"  # "key":value already
            else:
                value = _keyed(field.key, reading.value.replace("CELL", x))
                valid = reading.valid.replace("CELL", x)
            # A blank cell, or a reader's None, leaves the key out (as jsonb_strip_nulls).
            values.append(f"CASE WHEN {x} <> '' THEN {value} END")
            if field.required:
                problems.append(f"{x} = ''")
            problems.append(f"({x} <> '' AND NOT coalesce({valid}, false))")
        status, modified = cell("status"), cell("datelastmodified")
        stamp = self._lookup(
            cells,
            stripped("datelastmodified") if "datelastmodified" in positions else "''",
            modified_at,
        )
        joins.append(f"LEFT JOIN {stamp} AS m ON m.cell = {modified}")
        wanted = {
            "users": f'lower({cell("role")} COLLATE "C") IN ({_quoted(_KEPT)})'
            f" OR ({cell('role')} = '' AND lower({status} COLLATE \"C\") = '{DELETED}')",
            "enrollments": f"lower({cell('role')} COLLATE \"C\") = '{STUDENT}'",
        }.get(name, "true")
        # A role or status of other than ASCII letters: casefold() is not lower() there.
        plain = (
            " AND ".join(f"{c} ~ '^[A-Za-z]*$'" for c in (status, cell("role")))
            if held.wide
            else "true"
        )
        # The users' role beside their records, as the record has it: the checks read it on
        # every scan of the users, where the record's would be looked up in each one.
        role = (
            f", nullif(lower({cell('role')} COLLATE \"C\"), '') AS role" if name == "users" else ""
        )
        self._execute(
            f"CREATE TEMPORARY TABLE or_{name} ON COMMIT DROP AS"
            f" SELECT {cell('sourcedid')} AS sid{role},"
            f" CASE WHEN lower({status} COLLATE \"C\") = '{DELETED}' THEN '{DELETED}'"
            " ELSE 'active' END AS status,"
            " m.value AS modified,"
            # The record as JSON text, parsed once: less than half the cost of building it
            # by jsonb_build_object and jsonb_strip_nulls.
            f" ('{{' || concat_ws(',', {', '.join(values)}) || '}}')::jsonb AS data,"
            f" {cell('sourcedid')} = ''"
            f" OR NOT ({plain})"
            f" OR lower({status} COLLATE \"C\") NOT IN ('', 'active', '{DELETED}')"
            f" OR ({modified} <> '' AND NOT coalesce(m.ok, false))"
            f" OR (lower({status} COLLATE \"C\") <> '{DELETED}'"
            f" AND ({' OR '.join(problems) or 'false'})) AS bad"
            f" FROM (SELECT {', '.join(f'{stripped(h)} AS k{p}' for h, p in positions.items())}"
            f" FROM pg_temp.{cells} OFFSET 0) AS t {' '.join(joins)} WHERE {wanted}"
        )
        if self._execute(f"SELECT EXISTS (SELECT FROM or_{name} WHERE bad)").scalar():
            raise _NotPlain
        # A sourcedId twice fails the key (the savepoint undoes the rest): no count of them.
        try:
            with self.session.begin_nested():
                self._execute(f"ALTER TABLE or_{name} ADD PRIMARY KEY (sid)")
        except IntegrityError:
            raise _NotPlain from None
        self._execute(f"ANALYZE or_{name} (sid)")

    def _copy(self, table: CsvTable, name: str) -> _Bytes:
        """COPY the file's bytes into a table of text cells, and say what they hold (a cell
        to strip, a character to escape, a byte outside ASCII); not plain if PostgreSQL
        refuses them or reads other than the file's lines."""
        assert table.path is not None
        found = _Bytes()
        with table.path.open("rb") as file:
            width = file.readline().count(b",") + 1  # no quotes: a comma parts two cells
        columns = [f"c{place}" for place in range(1, width + 1)]
        typed = ", ".join(f"{column} text" for column in columns)
        self._execute(f"CREATE TEMPORARY TABLE {name} ({typed}) ON COMMIT DROP")
        names = ", ".join(columns)
        options = f"FORMAT csv, HEADER true, ENCODING 'UTF8', FORCE_NOT_NULL ({names})"
        try:
            with self.raw.cursor() as cursor, table.path.open("rb") as file:
                with cursor.copy(f"COPY pg_temp.{name} ({names}) FROM STDIN ({options})") as copy:
                    tail = b"\n"  # the bytes before the block: a space or its comma, a
                    while block := file.read(1 << 20):  # wide space cut in two
                        copy.write(block)
                        found.read(block, tail)
                        tail = block[-3:]
                    # The last cell ends the file, as if a line break followed.
                    found.padded = found.padded or _may_be_padded(tail + b"\n")
                copied = cursor.rowcount
        except psycopg.DataError:
            raise _NotPlain from None
        if copied != table.newlines - (1 if table.ends_in_newline else 0):
            raise _NotPlain
        return found

    def _lookup(
        self, cells: str, cell: str, reader: Callable[[str], Any], key: str | None = None
    ) -> str:
        """A table of each distinct non-blank cell, read by `reader` once: (cell, ok, value),
        the value a record's `"key":value` JSON text, or with no key a timestamptz."""
        self.lookups += 1
        name = f"or_lookup_{self.lookups}"
        self._execute(
            f"CREATE TEMPORARY TABLE {name} (cell text PRIMARY KEY, ok boolean,"
            f" value {'text' if key else 'timestamptz'})"
            " ON COMMIT DROP"
        )
        with (
            self.raw.cursor(name=f"{name}_cells") as distinct,
            self.raw.cursor() as out,
        ):
            distinct.execute(f"SELECT DISTINCT {cell} FROM pg_temp.{cells} WHERE {cell} <> ''")
            while batch := distinct.fetchmany(_BATCH):
                with out.copy(f"COPY pg_temp.{name} FROM STDIN") as copy:
                    for (found,) in batch:
                        copy.write_row(_read(reader, found, key))
        self._execute(f"ANALYZE {name}")
        return name

    # --- the links --------------------------------------------------------------------------

    def _check_links(self) -> None:
        """The row-by-row path's link checks, on the export's active records alone (stricter
        than its view of stored and new records together: a link to a record the file left
        out goes to the row-by-row path, which decides it)."""
        self._execute(
            "CREATE TEMPORARY TABLE or_schools ON COMMIT DROP AS SELECT sid FROM or_orgs"
            f" WHERE status = 'active' AND data->>'type' = '{SCHOOL}'"
        )
        self._execute(
            "CREATE TEMPORARY TABLE or_students ON COMMIT DROP AS"
            " SELECT sid, coalesce(data->>'identifier', sid) AS id FROM or_users"
            f" WHERE status = 'active' AND role = '{STUDENT}' AND data ? 'given'"
        )
        # (No key on them: each sid is one of a keyed file's, and they are only hashed.)
        # The latest school year, the stored ones included: a later year counts fewer
        # enrollments as current, so this is never looser than the row-by-row path.
        year = self._execute(
            "SELECT max(start COLLATE \"C\") FROM (SELECT data->>'start' AS start"
            f" FROM or_academicSessions WHERE status = 'active' AND data->>'type' = '{SCHOOL_YEAR}'"
            f" UNION ALL SELECT data->>'start' FROM {_RECORDS}"
            " WHERE file = 'academicSessions' AND status = 'active'"
            f" AND data->>'type' = '{SCHOOL_YEAR}') AS years"
        ).scalar()
        # The students with a school: a current enrollment at one, or one among their orgs.
        # (Each list read as a hashed subquery beside one scan of the students: a table of
        # the students placed, then joined, cost three times as much.)
        students = f"status = 'active' AND role = '{STUDENT}'"
        placed = (
            "coalesce(u.data->>'primary_org' IN (SELECT sid FROM or_schools), false)"
            " OR u.sid IN (SELECT e.data->>'user' FROM or_enrollments AS e"
            " JOIN or_schools AS o ON o.sid = e.data->>'school' WHERE e.status = 'active'"
            " AND e.data ? 'user' AND (CAST(:year AS text) IS NULL"
            " OR coalesce(e.data->>'end', '9999') COLLATE \"C\" >= :year))"
            " OR EXISTS (SELECT FROM jsonb_array_elements_text(coalesce(u.data->'orgs', '[]'))"
            " AS a(sid) JOIN or_schools AS o ON o.sid = a.sid)"
        )
        family = _quoted(sorted(FAMILY))
        checks = [
            # An enrollment of a student, at a school, both in the export.
            "SELECT count(*) FROM or_enrollments AS e WHERE e.status = 'active' AND"
            " (NOT EXISTS (SELECT FROM or_students AS s WHERE s.sid = e.data->>'user')"
            " OR NOT EXISTS (SELECT FROM or_schools AS o WHERE o.sid = e.data->>'school'))",
            # A student with a grade, and a school.
            f"SELECT count(*) FROM or_users AS u WHERE u.{students}"
            f" AND (NOT u.data ? 'grade' OR NOT ({placed}))",
            # A family member with a phone, linked to students all in the export.
            f"SELECT count(*) FROM or_users AS u WHERE u.status = 'active'"
            f" AND u.role IN ({family}) AND (NOT (u.data ? 'sms' OR u.data ? 'phone')"
            " OR jsonb_array_length(coalesce(u.data->'agents', '[]')) = 0)",
            # (Their agents listed first, then one anti-join with the students as a whole.)
            "SELECT count(*) FROM (SELECT a.agent FROM or_users AS u,"
            " jsonb_array_elements_text(u.data->'agents') AS a(agent)"
            f" WHERE u.status = 'active' AND u.role IN ({family}) OFFSET 0) AS f"
            " LEFT JOIN or_students AS s ON s.sid = f.agent WHERE s.sid IS NULL",
            # One id per student, and per school, among new and stored ones alike. (Two
            # sourcedIds of one id are a least and a greatest that differ: one hashed pass,
            # with no list of distinct pairs to make first.)
            f"SELECT count(*) FROM (SELECT id FROM (SELECT sid, coalesce(data->>'identifier',"
            f" sid) AS id FROM or_users WHERE role = '{STUDENT}' AND data ? 'given'"
            f" UNION ALL SELECT sourced_id, coalesce(data->>'identifier', sourced_id)"
            f" FROM {_RECORDS} WHERE file = 'users' AND data->>'role' = '{STUDENT}'"
            f" AND data ? 'given') AS claims GROUP BY id HAVING {_TWO_SIDS}) AS twice",
            f"SELECT count(*) FROM (SELECT id FROM (SELECT sid, coalesce(data->>'identifier',"
            f" sid) AS id FROM or_orgs WHERE data->>'type' = '{SCHOOL}'"
            f" UNION ALL SELECT sourced_id, coalesce(data->>'identifier', sourced_id)"
            f" FROM {_RECORDS} WHERE file = 'orgs' AND data->>'type' = '{SCHOOL}')"
            f" AS claims GROUP BY id HAVING {_TWO_SIDS}) AS twice",
            # One phone per student: the family members in the export and the stored ones it
            # leaves out, each student by every id it has had. (Every student's ids listed
            # once and joined as a whole: a lookup an agent would hash a union for each.)
            "SELECT count(*) FROM (SELECT f.sid, i.id, f.phone FROM"
            " (SELECT sid, data, coalesce(data->>'sms', data->>'phone') AS phone FROM"
            f" (SELECT sid, data FROM or_users WHERE status = 'active' AND role IN ({family})"
            f" UNION ALL SELECT sourced_id, data FROM {_RECORDS} AS r"
            f" WHERE file = 'users' AND status = 'active' AND data->>'role' IN ({family})"
            " AND NOT EXISTS (SELECT FROM or_users AS n WHERE n.sid = r.sourced_id)) AS m"
            " OFFSET 0) AS f,"
            " jsonb_array_elements_text(coalesce(f.data->'agents', '[]')) AS a(sid)"
            " JOIN (SELECT sid, coalesce(data->>'identifier', sid) AS id FROM or_users"
            f" WHERE role = '{STUDENT}'"
            " UNION ALL SELECT sourced_id, coalesce(data->>'identifier', sourced_id) FROM"
            f" {_RECORDS} WHERE file = 'users') AS i ON i.sid = a.sid"
            f" WHERE f.phone IS NOT NULL) AS pairs GROUP BY id, phone HAVING {_TWO_SIDS}",
        ]
        for check in checks:
            found = self._execute(check, year=year).all()
            if any(row[0] for row in found):
                raise _NotPlain

    # --- the records ------------------------------------------------------------------------

    def _merge(self, name: str) -> int:
        """Merge the file's records with the stored ones into or_<name>_merged, write the
        changed ones, and return how many were older than the stored version."""
        deleted_on = f"to_char(((%s AT TIME ZONE '{self.zone.key}')::date - 1), 'YYYY-MM-DD')"
        on = deleted_on.replace("%s", "i.modified")
        stored = self._execute(
            f"SELECT EXISTS (SELECT FROM {_RECORDS} WHERE file = :file)", file=name
        ).scalar()
        if not stored and self.first_imports:
            self._first(name, on)
            return 0
        self._execute(
            f"CREATE TEMPORARY TABLE or_{name}_merged ON COMMIT DROP AS"
            " SELECT sid, seen, stored, older, old_status, old_data, status, modified, data,"
            " stored AND NOT (old_status = status AND old_modified IS NOT DISTINCT FROM modified"
            " AND old_data = data) OR NOT stored AS changed,"
            f" status = '{DELETED}' AND (NOT stored OR old_status = 'active')"
            " AND NOT (stored AND old_status = status AND old_data = data"
            " AND old_modified IS NOT DISTINCT FROM modified) AS deleted"
            " FROM (SELECT coalesce(i.sid, s.sourced_id) AS sid, i.sid IS NOT NULL AS seen,"
            " s.sourced_id IS NOT NULL AS stored, s.status AS old_status,"
            " s.date_last_modified AS old_modified, s.data AS old_data,"
            " coalesce(i.modified < s.date_last_modified, false) AS older,"
            # The record as it is after this file: the file's, unless older than the stored
            # one; a deletion keeps the stored fields, and says from which day.
            " CASE WHEN i.sid IS NULL AND s.status = 'active' OR i.status = 'tobedeleted'"
            " AND NOT coalesce(i.modified < s.date_last_modified, false)"
            f" THEN '{DELETED}' WHEN i.sid IS NULL OR i.modified < s.date_last_modified"
            " THEN s.status ELSE i.status END AS status,"
            " CASE WHEN i.sid IS NULL OR i.modified < s.date_last_modified"
            " THEN s.date_last_modified WHEN i.status = 'tobedeleted'"
            " THEN coalesce(i.modified, s.date_last_modified) ELSE i.modified END AS modified,"
            " CASE WHEN i.sid IS NULL AND s.status = 'active'"
            f" THEN s.data || jsonb_build_object('deleted_on', '{self.yesterday}'::text)"
            " WHEN i.sid IS NULL OR i.modified < s.date_last_modified THEN s.data"
            " WHEN i.status = 'tobedeleted' THEN coalesce(s.data, '{}')"
            f" || CASE WHEN s.status = '{DELETED}' THEN '{{}}'::jsonb"
            f" ELSE jsonb_build_object('deleted_on', coalesce({on}, '{self.yesterday}')) END"
            " ELSE i.data END AS data"
            f" FROM or_{name} AS i FULL JOIN (SELECT * FROM {_RECORDS} WHERE file = :file)"
            " AS s ON s.sourced_id = i.sid) AS merged",
            file=name,
        )
        self._execute(f"ANALYZE or_{name}_merged (sid)")
        self._execute(
            f"INSERT INTO {_RECORDS} (file, sourced_id, status, date_last_modified, data)"
            f" SELECT :file, sid, status, modified, data FROM or_{name}_merged"
            " WHERE changed ORDER BY sid"
            " ON CONFLICT (file, sourced_id) DO UPDATE SET status = excluded.status,"
            " date_last_modified = excluded.date_last_modified, data = excluded.data",
            file=name,
        )
        return int(self._execute(f"SELECT count(*) FROM or_{name}_merged WHERE older").scalar())

    def _first(self, name: str, on: str) -> None:
        """`_merge` of a file none of whose records is stored (a district's first import):
        every record is new, so or_<name>_merged is a view of the file's records, not a copy,
        and they are inserted as they are, in key order, with no conflict to look for."""
        self._execute(
            f"CREATE TEMPORARY VIEW or_{name}_merged AS"
            " SELECT sid, true AS seen, false AS stored, false AS older,"
            " CAST(NULL AS text) AS old_status, CAST(NULL AS jsonb) AS old_data,"
            " status, modified, CASE WHEN status = 'tobedeleted'"
            f" THEN jsonb_build_object('deleted_on', coalesce({on}, '{self.yesterday}'))"
            f" ELSE data END AS data, true AS changed, status = '{DELETED}' AS deleted"
            f" FROM or_{name} AS i"
        )
        self._execute(
            f"INSERT INTO {_RECORDS} (file, sourced_id, status, date_last_modified, data)"
            f" SELECT :file, sid, status, modified, data FROM or_{name}_merged ORDER BY sid",
            file=name,
        )

    # --- the roster -------------------------------------------------------------------------

    def _apply(self, report: ExportReport) -> None:
        """The schools, students and guardians of the records the export holds or changed,
        from the merged records, as `directory._apply` derives them."""
        self._execute(
            "CREATE TEMPORARY TABLE or_school_rows ON COMMIT DROP AS"
            " SELECT coalesce(data->>'identifier', sid) AS id, data->>'name' AS name"
            " FROM or_orgs_merged WHERE (seen OR changed) AND status = 'active'"
            f" AND data->>'type' = '{SCHOOL}'"
        )
        report.roster["schools"] = self._write(
            "schools", "or_school_rows", {"id": "id", "name": "name"}
        )
        self._students(report)
        self._guardians(report)

    def _students(self, report: ExportReport) -> None:
        # A school year the export holds or changed may change which enrollments count: then
        # every student's row is derived again, as the row-by-row path does.
        sessions_changed = self._execute(
            "SELECT EXISTS (SELECT FROM or_academicSessions_merged WHERE seen OR changed)"
        ).scalar()
        touched = (
            "or_users_merged AS u"
            if sessions_changed
            else "(SELECT sid FROM or_users_merged WHERE seen OR changed"
            " UNION SELECT sid FROM or_demographics_merged WHERE seen OR changed"
            " UNION SELECT old_data->>'user' FROM or_enrollments_merged"
            " WHERE (seen OR changed) AND old_data ? 'user'"
            " UNION SELECT data->>'user' FROM or_enrollments_merged"
            " WHERE (seen OR changed) AND data ? 'user') AS t"
            " JOIN or_users_merged AS u ON u.sid = t.sid"
        )
        # Enrollments that ended before the latest school year began are last year's.
        year = self._execute(
            "SELECT max(data->>'start' COLLATE \"C\") FROM or_academicSessions_merged"
            f" WHERE status = 'active' AND data->>'type' = '{SCHOOL_YEAR}'"
        ).scalar()
        # Every school the merged records know, whatever its status, as RosterView.school.
        self._execute(
            "CREATE TEMPORARY TABLE or_known_schools ON COMMIT DROP AS"
            " SELECT sid, coalesce(data->>'identifier', sid) AS id FROM or_orgs_merged"
            f" WHERE data->>'type' = '{SCHOOL}'"
        )
        # The latest enrollment is the student's school: two latest at different schools
        # would make the row-by-row path's choice one of order, so those go to it. (The
        # current enrollments sorted once, by student and latest first: each student's latest
        # ones are rank 1, their least and greatest school the same unless tied.)
        latest = (
            "coalesce(begin, '') COLLATE \"C\" DESC, finish IS NULL DESC,"
            " coalesce(finish, '') COLLATE \"C\" DESC"
        )
        self._execute(
            "CREATE TEMPORARY TABLE or_enrolled ON COMMIT DROP AS"
            ' SELECT student, min(school COLLATE "C") AS school,'
            ' min(school COLLATE "C") <> max(school COLLATE "C") AS tied,'
            " min(entry) AS entry, min(exit) AS exit FROM (SELECT student, school,"
            ' rank() OVER latest AS place, min(begin COLLATE "C") OVER whole AS entry,'
            " CASE WHEN bool_and(finish IS NOT NULL) OVER whole"
            ' THEN max(finish COLLATE "C") OVER whole END AS exit'
            " FROM (SELECT e.data->>'user' AS student, k.id AS school,"
            " e.data->>'begin' AS begin, e.data->>'end' AS finish"
            " FROM or_enrollments_merged AS e"
            " JOIN or_known_schools AS k ON k.sid = e.data->>'school'"
            " WHERE e.status = 'active' AND (CAST(:year AS text) IS NULL"
            " OR coalesce(e.data->>'end', '9999') COLLATE \"C\" >= :year)) AS current"
            f" WINDOW latest AS (PARTITION BY student ORDER BY {latest}),"
            " whole AS (latest ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))"
            " AS ranked WHERE place = 1 GROUP BY student",
            year=year,
        )
        if self._execute("SELECT EXISTS (SELECT FROM or_enrolled WHERE tied)").scalar():
            raise _NotPlain
        told = [*RACES, "two_or_more", "hispanic"]
        races = " + ".join(f"(d.data @> '{{\"{key}\": true}}')::int" for key in RACES)
        single = " ".join(
            f"WHEN d.data @> '{{\"{key}\": true}}' THEN '{label}'" for key, label in RACES.items()
        )
        self._execute(
            "CREATE TEMPORARY TABLE or_student_rows ON COMMIT DROP AS"
            " SELECT id, first_name, last_name, school_id, grade, entry_date,"
            " CASE WHEN entry_date > exit_date THEN entry_date ELSE exit_date END AS exit_date,"
            " birth_date, has_birth, gender, has_gender, race_ethnicity, has_race"
            " FROM (SELECT coalesce(u.data->>'identifier', u.sid) AS id,"
            " coalesce(u.data->>'preferred_given', u.data->>'given') AS first_name,"
            " coalesce(u.data->>'preferred_family', u.data->>'family') AS last_name,"
            " coalesce(e.school, h.id) AS school_id, u.data->>'grade' AS grade,"
            " e.entry::date AS entry_date,"
            f" CASE WHEN u.status = '{DELETED}' THEN least(coalesce(e.exit,"
            " u.data->>'deleted_on'), u.data->>'deleted_on')::date ELSE e.exit::date END"
            " AS exit_date,"
            " (d.data->>'birth_date')::date AS birth_date,"
            " coalesce(d.data ? 'birth_date', false) AS has_birth,"
            " d.data->>'sex' AS gender, coalesce(d.data ? 'sex', false) AS has_gender,"
            " CASE WHEN d.data @> '{\"hispanic\": true}' THEN 'Hispanic or Latino'"
            " WHEN d.data @> '{\"two_or_more\": true}'"
            f" OR {races} > 1 THEN 'Two or more races' {single} END AS race_ethnicity,"
            f" coalesce(d.data ?| array[{_quoted(told)}], false) AS has_race"
            f" FROM {touched}"
            " LEFT JOIN or_enrolled AS e ON e.student = u.sid"
            " LEFT JOIN LATERAL (SELECT k.id FROM jsonb_array_elements_text("
            " jsonb_build_array(u.data->'primary_org') || coalesce(u.data->'orgs', '[]'))"
            " WITH ORDINALITY AS o(sid, place) JOIN or_known_schools AS k ON k.sid = o.sid"
            " WHERE e.student IS NULL ORDER BY o.place LIMIT 1) AS h ON true"
            " LEFT JOIN or_demographics_merged AS d ON d.sid = u.sid AND d.status = 'active'"
            f" WHERE u.data->>'role' = '{STUDENT}' AND u.data ? 'given') AS students"
            " WHERE school_id IS NOT NULL"
        )
        report.roster["students"] = self._write(
            "students",
            "or_student_rows",
            {
                "id": "id",
                "first_name": "first_name",
                "last_name": "last_name",
                "school_id": "school_id",
                "grade": "grade",
                "entry_date": "entry_date",
                "exit_date": "exit_date",
                "birth_date": "birth_date",
                "gender": "gender",
                "race_ethnicity": "race_ethnicity",
            },
            {"birth_date": "has_birth", "gender": "has_gender", "race_ethnicity": "has_race"},
        )
        report.withdrawn = int(
            self._execute(
                "SELECT count(*) FROM or_users_merged WHERE deleted"
                f" AND data->>'role' = '{STUDENT}' AND data ? 'given'"
            ).scalar()
        )

    def _guardians(self, report: ExportReport) -> None:
        family = _quoted(sorted(FAMILY))
        # A user's guardian rows in a set of records: one per student among their agents.
        # (The agents are listed first, then joined with the students as a whole: a join
        # beside the list, row by row, would hash every student for every family member.)
        rows = (
            "SELECT DISTINCT ON (coalesce(s.{data}->>'identifier', s.sid), u.phone)"
            " u.sid AS user_sid, coalesce(s.{data}->>'identifier', s.sid) AS student_id,"
            " u.phone, coalesce(u.data->>'preferred_given', u.data->>'given') || ' ' ||"
            " coalesce(u.data->>'preferred_family', u.data->>'family') AS name,"
            " coalesce(u.data->>'language', :language) AS language,"
            " u.data->>'role' AS relationship, u.old_status = '{deleted}' AS back"
            " FROM (SELECT u.sid, u.{data} AS data, u.old_status, a.sid AS agent,"
            " coalesce(u.{data}->>'sms', u.{data}->>'phone') AS phone FROM or_users_merged AS u,"
            " jsonb_array_elements_text(coalesce(u.{data}->'agents', '[]')) AS a(sid)"
            " WHERE (u.seen OR u.changed) AND u.{status} = 'active'"
            " AND u.{data}->>'role' IN ({family})"
            " AND (u.{data} ? 'sms' OR u.{data} ? 'phone') OFFSET 0) AS u"
            " JOIN or_users_merged AS s ON s.sid = u.agent"
            " AND s.{data}->>'role' = '{student}' AND s.{data} ? 'given'"
        )
        now = rows.format(
            data="data", status="status", deleted=DELETED, student=STUDENT, family=family
        )
        before = rows.format(
            data="old_data", status="old_status", deleted=DELETED, student=STUDENT, family=family
        )
        self._execute(
            f"CREATE TEMPORARY TABLE or_guardian_rows ON COMMIT DROP AS {now}",
            language=self.default_language,
        )
        report.roster["guardians"] = self._write(
            "guardians",
            "or_guardian_rows",
            {
                "student_id": "student_id",
                "phone": "phone",
                "name": "name",
                "language": "language",
                "relationship_to_student": "relationship",
                "sms_consent": "true",
            },
            {"sms_consent": "back"},
        )
        gone = self._execute(
            f"SELECT student_id, phone FROM ({before}) AS was EXCEPT"
            " SELECT student_id, phone FROM or_guardian_rows",
            language=self.default_language,
        ).all()
        report.guardians_removed, report.guardians_kept = remove_guardians(
            self.session, [(student, phone) for student, phone in gone]
        )

    def _write(
        self, kind: str, table: str, values: dict[str, str], given: dict[str, str] | None = None
    ) -> ImportReport:
        """Merge the rows of `table` into the roster's table through `Staging`, counted;
        `given` names the columns that say whether a row sets a field (else every field)."""
        spec = KINDS[kind]
        # The merge joins the rows with the stored ones by key: the key's columns are the
        # statistics it reads (all of them cost twice as much).
        self._execute(f"ANALYZE {table} ({', '.join(values[field] for field in spec.key)})")
        columns = inspect(spec.model).column_attrs
        dialect = self.session.get_bind().dialect
        chosen = {
            field: f"{table}.{column}" if column != "true" else column
            for field, column in values.items()
        }
        # The fields the rows leave out, typed, as the merge compares them with stored ones.
        for field in [*spec.key, *(column.field for column in spec.columns)]:
            kind_of = columns[field].columns[0].type.compile(dialect)
            chosen.setdefault(field, f"CAST(NULL AS {kind_of})")
        bits = dict.fromkeys(values, "true") | {
            field: f"coalesce({table}.{column}, false)" for field, column in (given or {}).items()
        }
        report = ImportReport(kind, kind)
        rows = self.session.scalar(text(f"SELECT count(*) FROM pg_temp.{table}"))
        view = View(chosen, bits, f"pg_temp.{table}", f"pg_temp.{table}", int(rows or 0))
        Staging(self.session, spec, view).merge([], report)
        return report


def _read(reader: Callable[[str], Any], cell: str, key: str | None) -> tuple[str, bool, Any]:
    try:
        value = reader(cell)
    except ValueError:
        return cell, False, None
    # None as no value: the key is left out of the record.
    if key is None or value is None:
        return cell, True, value
    return cell, True, f"{json.dumps(key)}:{json.dumps(value)}"
