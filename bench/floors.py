"""The least any import must do, timed beside the plain COPY that is issues 13 and 15's ceiling.

The same synthetic files as bench/imports.py, in a migrated schema of their own, and the same
ceiling (`imports._copy`: COPY into bare tables of the same keys). Each step is the least an
import of the file does, with no check, lookup, merge or derivation at all, one statement a
step, so its wall time is the database's:

- OneRoster (`--oneroster N` students, a guardian, an enrollment and demographics each):
  - the five files COPY-ed into temporary tables (no key, no WAL): how an import reads them;
  - their records built as typed rows (timestamps and dates cast, blanks as NULL, lists as
    arrays), and as today's `jsonb`;
  - the records stored in keyed tables: typed, a table a file; and as `oneroster_records`
    holds them, a `jsonb` a record;
  - the students and guardians written into tables like the real ones, their indexes kept
    up a row at a time, and built after the insert as a first import does
    (`attendance.built_after`).
- guardians.csv and students.csv (`--guardians N`, `--students N`): the file COPY-ed into a
  temporary table, then its rows, cast and nothing else read (phones as written), inserted
  in key order into a table like the real one with its indexes built after.

The sum of the cheapest steps, over the ceiling, bounds what share of COPY's speed an import
that keeps what these keep can reach on this machine.

Run: .venv/bin/python bench/floors.py [--oneroster 1000000] [--guardians 1000000]
     [--students 1000000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

# bench/ is on sys.path when this file is run as a script.
from district import own_schema
from imports import DEFAULT_URL, _copy, write_guardians, write_oneroster, write_students
from sqlalchemy import text

from outreach_bot.attendance.built_after import indexes_built_after
from outreach_bot.db import Database

_FILES = ("users", "enrollments", "demographics", "orgs", "academicSessions")
# guardians.csv and students.csv as bench/imports.py writes them, cast into the real columns.
_CSV = {
    "guardians": (
        "student_id, name, phone, language, relationship, sms_consent",
        "student_id, name, phone, language, relationship, sms_consent = 'Y'",
        'student_id COLLATE "C", phone COLLATE "C"',
    ),
    "students": (
        "id, first_name, last_name, school_id, grade, zip, birth_date, english_learner, iep,"
        " low_income, entry_date",
        "id, first_name, last_name, school_id, grade, zip, birth_date::date,"
        " english_learner = 'Y', iep = 'Y', low_income = 'Y', entry_date::date",
        'id COLLATE "C"',
    ),
}

_MODIFIED = "sid, status, modified_at::timestamptz AS modified"
_TYPED = {
    "users": f"SELECT {_MODIFIED}, role, given, family, nullif(identifier, '') AS identifier,"
    " nullif(sms, '') AS sms, string_to_array(nullif(agents, ''), ',') AS agents,"
    " nullif(grades, '') AS grade, nullif(language, '') AS language,"
    " string_to_array(orgs, ',') AS orgs FROM read_users",
    "enrollments": f"SELECT {_MODIFIED}, usr, school, role, begin_date::date AS begin,"
    " nullif(end_date, '')::date AS finish FROM read_enrollments",
    "demographics": f"SELECT {_MODIFIED}, birth::date AS birth, sex, white::boolean AS white,"
    " hispanic::boolean AS hispanic FROM read_demographics",
}
_JSONB = (
    "SELECT 'users' AS file, sid, status, modified, jsonb_strip_nulls(jsonb_build_object("
    "'role', role, 'given', given, 'family', family, 'identifier', identifier, 'sms', sms,"
    " 'agents', to_jsonb(agents), 'grade', grade, 'language', language, 'orgs', to_jsonb(orgs)))"
    " AS data FROM typed_users UNION ALL SELECT 'enrollments', sid, status, modified,"
    " jsonb_strip_nulls(jsonb_build_object('user', usr, 'school', school, 'role', role,"
    " 'begin', begin, 'end', finish)) FROM typed_enrollments UNION ALL SELECT 'demographics',"
    " sid, status, modified, jsonb_build_object('birth_date', birth, 'sex', sex, 'white',"
    " white, 'hispanic', hispanic) FROM typed_demographics"
)
# The file's columns, as bench/imports.py writes them, named for SQL.
_COLUMNS = {
    "users": "sid, status, modified_at, orgs, role, given, family, identifier, sms, agents,"
    " grades, language",
    "enrollments": "sid, status, modified_at, class, school, usr, role, begin_date, end_date",
    "demographics": "sid, status, modified_at, birth, sex, white, hispanic",
    "orgs": "sid, status, modified_at, name, type, identifier",
    "academicSessions": "sid, status, modified_at, title, type, start_date, end_date",
}
_STUDENTS = (
    "INSERT INTO {table} (id, first_name, last_name, school_id, grade)"
    " SELECT identifier, given, family, orgs[1], grade FROM typed_users"
    " WHERE role = 'student' ORDER BY identifier COLLATE \"C\""
)
_GUARDIANS = (
    "INSERT INTO {table} (student_id, name, phone, language, relationship, sms_consent)"
    " SELECT s.identifier, g.given || ' ' || g.family, g.sms, coalesce(g.language, 'en'),"
    " g.role, true FROM typed_users AS g JOIN typed_users AS s ON s.sid = g.agents[1]"
    " WHERE g.role = 'parent' ORDER BY s.identifier COLLATE \"C\", g.sms"
)


class _Steps:
    """One connection's steps, each timed and printed, as a share of the ceiling, as it ends."""

    def __init__(self, connection: Any, ceiling: float) -> None:
        self.connection, self.ceiling, self.times = connection, ceiling, dict[str, float]()
        self.raw = connection.connection.driver_connection

    def run(self, label: str, *statements: str) -> float:
        start = time.perf_counter()
        for statement in statements:
            self.connection.execute(text(statement))
        return self.note(label, time.perf_counter() - start)

    def copy(self, label: str, files: dict[str, Path], columns: dict[str, str]) -> float:
        """COPY each file into a temporary table of text, read_<name>, as an import reads it."""
        start = time.perf_counter()
        for name, path in files.items():
            listed = ", ".join(f"{column.strip()} text" for column in columns[name].split(","))
            self.raw.execute(f"CREATE TEMPORARY TABLE read_{name} ({listed})")
            with (
                path.open("rb") as file,
                self.raw.cursor().copy(f"COPY read_{name} FROM STDIN (FORMAT csv, HEADER)") as copy,
            ):
                while block := file.read(1 << 20):
                    copy.write(block)
        return self.note(label, time.perf_counter() - start)

    def built_after(self, label: str, inserts: dict[str, str], prefix: str) -> float:
        """Each insert into a table like the real one, <prefix>_<real> (`real`: statement
        over `{table}`), its indexes built after it, as a first import builds them."""
        start = time.perf_counter()
        for real, insert in inserts.items():
            table = f"{prefix}_{real}"
            self.connection.execute(text(f"CREATE TABLE {table} (LIKE {real} INCLUDING ALL)"))
            # (It takes a Session; a Connection executes the same statements.)
            with indexes_built_after(self.connection, table):
                self.connection.execute(text(insert.format(table=table)))
        return self.note(label, time.perf_counter() - start)

    def note(self, label: str, seconds: float) -> float:
        self.times[label] = seconds
        print(f"  {label:<58} {seconds:7.2f} s {seconds / self.ceiling:6.2f} × ceiling")
        return seconds


def _ceiling(database: Database, kind: str, source: Path) -> float:
    start = time.perf_counter()
    _copy(database, kind, source, [])
    seconds = time.perf_counter() - start
    print(f"  {'ceiling: COPY into bare keyed tables (bench/imports.py)':<58} {seconds:7.2f} s")
    return seconds


def _bound(what: str, seconds: float, ceiling: float) -> None:
    print(f"  the least {what}: {seconds:.2f} s, at most {ceiling / seconds:.0%} of COPY's speed")


def oneroster(database: Database, folder: Path, students: int) -> None:
    source = folder / "oneroster"
    write_oneroster(source, students)
    print(f"OneRoster export of {students:,} students; each step's wall time")
    ceiling = _ceiling(database, "oneroster", source)
    with database.engine.begin() as connection:
        steps = _Steps(connection, ceiling)
        steps.copy(
            "the files COPY-ed into temporary tables",
            {name: source / f"{name}.csv" for name in _FILES},
            _COLUMNS,
        )
        steps.run(
            "records built as typed rows",
            *(f"CREATE TEMPORARY TABLE typed_{name} AS {query}" for name, query in _TYPED.items()),
        )
        steps.run(
            "records stored, typed, a keyed table a file",
            *(
                f"CREATE TABLE stored_{name} (LIKE typed_{name}, PRIMARY KEY (sid));"
                f" INSERT INTO stored_{name} SELECT * FROM typed_{name}"
                ' ORDER BY sid COLLATE "C"'
                for name in _TYPED
            ),
        )
        steps.run("records built as jsonb", f"CREATE TEMPORARY TABLE records AS {_JSONB}")
        steps.run(
            "records stored as oneroster_records holds them",
            "CREATE TABLE stored_records (LIKE oneroster_records INCLUDING ALL)",
            "INSERT INTO stored_records SELECT * FROM records"
            ' ORDER BY file COLLATE "C", sid COLLATE "C"',
        )
        roster = {"students": _STUDENTS, "guardians": _GUARDIANS}
        for real, insert in roster.items():
            steps.run(
                f"{real} written, indexes kept up a row at a time",
                f"CREATE TABLE kept_{real} (LIKE {real} INCLUDING ALL)",
                insert.format(table=f"kept_{real}"),
            )
        steps.built_after("students and guardians written, indexes built after", roster, "after")
    times = steps.times
    roster_least = min(
        times["students and guardians written, indexes built after"],
        times["students written, indexes kept up a row at a time"]
        + times["guardians written, indexes kept up a row at a time"],
    )
    read = times["the files COPY-ed into temporary tables"]
    typed = (
        times["records built as typed rows"] + times["records stored, typed, a keyed table a file"]
    )
    jsonb = (
        times["records built as jsonb"] + times["records stored as oneroster_records holds them"]
    )
    _bound("an import does, typed records", read + typed + roster_least, ceiling)
    _bound("an import does, jsonb records", read + jsonb + roster_least, ceiling)


def roster_file(database: Database, folder: Path, kind: str, rows: int) -> None:
    path = folder / f"{kind}.csv"
    (write_guardians if kind == "guardians" else write_students)(path, rows)
    print(f"\n{kind}.csv of {rows:,} rows; each step's wall time")
    ceiling = _ceiling(database, kind, path)
    columns, cast, key = _CSV[kind]
    with database.engine.begin() as connection:
        steps = _Steps(connection, ceiling)
        steps.copy("the file COPY-ed into a temporary table", {kind: path}, {kind: columns})
        insert = f"INSERT INTO {{table}} ({columns}) SELECT {cast} FROM read_{kind} ORDER BY {key}"
        steps.built_after(f"{kind} inserted, cast, indexes built after", {kind: insert}, "file")
    _bound("an import does", sum(steps.times.values()), ceiling)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--oneroster", type=int, default=1_000_000, help="students (0: none)")
    parser.add_argument("--guardians", type=int, default=1_000_000, help="rows (0: none)")
    parser.add_argument("--students", type=int, default=1_000_000, help="rows (0: none)")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary, own_schema(args.database_url, False) as url:
        database = Database(url)
        if args.oneroster:
            oneroster(database, Path(temporary), args.oneroster)
        for kind in ("guardians", "students"):
            if getattr(args, kind):
                roster_file(database, Path(temporary), kind, getattr(args, kind))


if __name__ == "__main__":
    main()
