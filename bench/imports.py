"""Rows per second and peak memory of the two big imports on PostgreSQL, beside a plain COPY.

- attendance: an attendance.csv of N rows (a fixed 10,000 students, so that only the file
  grows) through `import_file`, as `outreach-bot import attendance` runs it, and again
  (a re-import: every row unchanged), then the next school day's 10,000 new rows on top
  (whose time should not grow with N);
- oneroster: a OneRoster 1.1 export of N students, each with a guardian, an enrollment and
  demographics, through `import_export`, as `outreach-bot import oneroster` runs it, and
  again (the nightly bulk export unchanged: every student and guardian unchanged);
- guardians: a guardians.csv of N rows (one guardian for each of N students, seeded
  untimed; phones written as SIS exports write them, distinct as far as fictional numbers
  go: the count is printed) through `import_file`, as `outreach-bot import guardians` runs
  it, and again;
- students: a students.csv of N rows (the schools seeded untimed) through `import_file`,
  as `outreach-bot import students` runs it, and again.

Beside each, in the same run and the same schema, a plain `COPY … FROM STDIN (FORMAT csv)`
of the same files into bare tables with the same primary keys: the ceiling; for guardians and
students also into a copy of the real table (its indexes, its foreign keys if it has any, its
column types):
the most any import into that table can do. Every timed run
is a child process of its own, so that its peak RSS (ru_maxrss) is its own; the child's
RSS before the work is printed too. Each size gets a fresh schema of its own (bench_<pid>),
dropped afterwards. The rows are checked after each run, so a broken path cannot pass for a
fast one.

Run: .venv/bin/python bench/imports.py [--attendance 100000,300000,1000000,4000000]
     [--oneroster 10000,30000,100000] [--guardians 100000,1000000]
     [--students 100000,1000000] [--runs 1] [--database-url URL]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

# bench/ is on sys.path when this file is run as a script.
from district import AREA_CODES, own_schema
from phones import fictional_phones
from sqlalchemy import text

from outreach_bot.db import Database, make_engine

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
STUDENTS = 10_000  # the attendance file's students: the file grows in days, not in students
SCHOOLS = 20
FIRST_DAY = date(2025, 8, 25)
TARGET = 0.5  # the issue: at least half of COPY's speed
STATUSES = ("present",) * 16 + ("absent", "tardy", "excused", "unexcused")
MB = 1024 * 1024


# --- synthetic files ------------------------------------------------------------------------


def school_days(count: int) -> list[date]:
    """The first `count` weekdays from the first day of the year."""
    days, day = [], FIRST_DAY
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def write_attendance(path: Path, rows: int) -> None:
    """rows // STUDENTS school days of every student, one row each, mostly present."""
    days = school_days(-(-rows // STUDENTS))
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file, lineterminator="\n")
        out.writerow(["student_id", "date", "status", "minutes_missed", "reason"])
        for index in range(rows):
            day, student = divmod(index, STUDENTS)
            status = STATUSES[(index * 7 + day) % len(STATUSES)]
            minutes = "20" if status == "tardy" else ""
            reason = "bus" if status == "excused" else ""
            out.writerow([f"S{student:07d}", days[day].isoformat(), status, minutes, reason])


def write_next_day(path: Path, rows: int) -> None:
    """The school day after a `rows`-row file's last: one row a student, as a nightly file
    of new records only."""
    day = school_days(-(-rows // STUDENTS) + 1)[-1]
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file, lineterminator="\n")
        out.writerow(["student_id", "date", "status", "minutes_missed", "reason"])
        for student in range(STUDENTS):
            status = STATUSES[(student * 7) % len(STATUSES)]
            out.writerow([f"S{student:07d}", day.isoformat(), status, "", ""])


def phone(index: int) -> str:
    """A fictional number, +1 <area> 555-01xx (synthetic families only)."""
    area, line = divmod(index % (len(AREA_CODES) * 100), 100)
    return f"+1{AREA_CODES[area]}55501{line:02d}"


def write_oneroster(folder: Path, students: int) -> None:
    """A OneRoster 1.1 bulk export: schools, a school year, students and one guardian each."""
    folder.mkdir()
    stamp = "2026-08-15T09:00:00.000Z"

    def table(name: str, header: list[str], rows: Iterator[list[str]]) -> None:
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as file:
            out = csv.writer(file, lineterminator="\n")
            out.writerow(header)
            out.writerows(rows)

    table("manifest", ["propertyName", "value"], iter([["oneroster.version", "1.1"]]))
    table(
        "orgs",
        ["sourcedId", "status", "dateLastModified", "name", "type", "identifier"],
        iter(
            [["org-district", "active", stamp, "Maple Valley Schools", "district", "MV"]]
            + [
                [f"org-{n}", "active", stamp, f"School {n}", "school", f"SCH{n:02d}"]
                for n in range(SCHOOLS)
            ]
        ),
    )
    table(
        "academicSessions",
        ["sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate"],
        iter(
            [["year-2027", "active", stamp, "2026-2027", "schoolYear", "2026-08-24", "2027-06-11"]]
        ),
    )
    users = [
        "sourcedId", "status", "dateLastModified", "orgSourcedIds", "role", "givenName",
        "familyName", "identifier", "sms", "agentSourcedIds", "grades", "metadata.language",
    ]  # fmt: skip

    def user_rows() -> Iterator[list[str]]:
        for n in range(students):
            org = f"org-{n % SCHOOLS}"
            grade = ("KG", "01", "02", "03", "04", "05")[n % 6]
            yield [f"u{n}", "active", stamp, org, "student", f"Kid{n}", "Doe", f"S{n:07d}",
                   "", f"g{n}", grade, ""]  # fmt: skip
            language = ("es", "en", "vi")[n % 3]
            yield [f"g{n}", "active", stamp, org, "parent", f"Pat{n}", "Doe", "",
                   phone(n), f"u{n}", "", language]  # fmt: skip

    table("users", users, user_rows())
    table(
        "enrollments",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "classSourcedId",
            "schoolSourcedId",
            "userSourcedId",
            "role",
            "beginDate",
            "endDate",
        ],  # fmt: skip
        (
            [
                f"e{n}",
                "active",
                stamp,
                f"c{n % 300}",
                f"org-{n % SCHOOLS}",
                f"u{n}",
                "student",
                "2026-08-24",
                "",
            ]
            for n in range(students)
        ),  # fmt: skip
    )
    table(
        "demographics",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "birthDate",
            "sex",
            "white",
            "hispanicOrLatinoEthnicity",
        ],  # fmt: skip
        (
            [
                f"u{n}",
                "active",
                stamp,
                f"{2012 + n % 8}-0{1 + n % 9}-1{n % 10}",
                ("female", "male")[n % 2],
                ("true", "false")[n % 2],
                ("false", "true")[n % 2],
            ]
            for n in range(students)
        ),  # fmt: skip
    )


def write_guardians(path: Path, rows: int) -> None:
    """One guardian for each of `rows` students, as a district's guardians.csv holds them."""
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file, lineterminator="\n")
        out.writerow(["student_id", "name", "phone", "language", "relationship", "sms_consent"])
        for n, number in enumerate(fictional_phones(rows)):
            language = ("es", "en", "vi")[n % 3]
            out.writerow([f"S{n:07d}", f"Pat{n} Doe", number, language, "mother", "Y"])


def write_students(path: Path, rows: int) -> None:
    """`rows` students in SCHOOLS schools, as a district's students.csv holds them."""
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file, lineterminator="\n")
        out.writerow(["student_id", "first_name", "last_name", "school_id", "grade", "zip",
                      "birth_date", "english_learner", "iep", "low_income",
                      "entry_date"])  # fmt: skip
        for n in range(rows):
            born = date(2008, 9, 1) + timedelta(days=n % 4700)
            out.writerow([f"S{n:07d}", f"Kid{n}", f"Doe{n % 5000}", f"SCH{n % SCHOOLS:02d}",
                          ("KG", "1", "2", "3", "4", "5")[n % 6], f"97{n % 300:03d}",
                          born.isoformat(), "YN"[n % 2], "N", "YN"[n % 3 == 0],
                          "2026-08-24"])  # fmt: skip


# --- the schema -----------------------------------------------------------------------------


def seed_students(url: str, students: int = STUDENTS) -> None:
    """The schools and students the attendance or guardians file names (untimed)."""
    engine = make_engine(url)
    with engine.begin() as connection:
        raw: Any = connection.connection.driver_connection
        with raw.cursor().copy("COPY schools (id, name, zip) FROM STDIN") as copy:
            for n in range(SCHOOLS):
                copy.write_row((f"SCH{n:02d}", f"School {n}", "97201"))
        columns = "id, first_name, last_name, school_id, grade, english_learner, iep, low_income"
        with raw.cursor().copy(f"COPY students ({columns}) FROM STDIN") as copy:
            for n in range(students):
                row = (f"S{n:07d}", f"Kid{n}", "Doe", f"SCH{n % SCHOOLS:02d}", n % 6)
                copy.write_row((*row, False, False, False))
    engine.dispose()


# --- the timed children ---------------------------------------------------------------------

_BARE = {
    "attendance": "student_id text, date date, status text, minutes_missed int, reason text,"
    " PRIMARY KEY (student_id, date)",
    # The same, and the foreign key the real table has: PostgreSQL checks it row by row.
    "attendance-fk": "student_id text REFERENCES students (id), date date, status text,"
    " minutes_missed int, reason text, PRIMARY KEY (student_id, date)",
    "guardians": "student_id text, name text, phone text, language text, relationship text,"
    " sms_consent text, PRIMARY KEY (student_id, phone)",
    "guardians-fk": "student_id text REFERENCES students (id), name text, phone text,"
    " language text, relationship text, sms_consent text, PRIMARY KEY (student_id, phone)",
    "students": "id text PRIMARY KEY, first_name text, last_name text, school_id text,"
    " grade text, zip text, birth_date text, english_learner text, iep text, low_income text,"
    " entry_date text",
    "students-fk": "id text PRIMARY KEY, first_name text, last_name text,"
    " school_id text REFERENCES schools (id), grade text, zip text, birth_date text,"
    " english_learner text, iep text, low_income text, entry_date text",
}
_TABLES = {"attendance": "attendance_records", "guardians": "guardians", "students": "students"}
# COPY into a table made like the real one (`-table`): its indexes and defaults, and the
# foreign keys it has, if any, which LIKE leaves out (none since 0019; main's code before it
# had one each), read from the catalog so the ceiling follows the code being measured.
_LIKE = frozenset({"guardians", "students"})
_FOREIGN_KEYS = (
    "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE conrelid = to_regclass(%s) AND contype = 'f' ORDER BY conname"
)
_WRITERS = {
    "attendance": write_attendance,
    "guardians": write_guardians,
    "students": write_students,
}
_ONEROSTER_FILES = ("orgs", "academicSessions", "users", "enrollments", "demographics")


def child(kind: str, url: str, source: str) -> dict[str, Any]:
    """Run one timed piece of work in this process; its seconds, counts and memory."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = start.ru_utime + start.ru_stime
    database = Database(url)
    started = time.perf_counter()
    result: dict[str, Any] = {}
    backend: list[int] = []  # the PostgreSQL backend that did the work, for its CPU seconds
    if kind.startswith("copy-"):
        result["rows"] = _copy(database, kind.removeprefix("copy-"), Path(source), backend)
    elif kind in _TABLES:
        from outreach_bot.attendance.importer import import_file

        with database.transaction() as session:
            backend.append(session.scalar(text("SELECT pg_backend_pid()")))
            backend_before = _cpu_of(backend[0])
            report = import_file(session, kind, source)
        result = {"errors": [str(e) for e in report.errors[:5]], "created": report.created}
        result |= {"updated": report.updated, "unchanged": report.unchanged}
    elif kind == "oneroster":
        from outreach_bot.oneroster.directory import import_export

        with database.transaction() as session:
            exported = import_export(
                session, source, zone=ZoneInfo("America/Los_Angeles"), today=date(2026, 10, 21)
            )
        result = {"errors": [str(e) for e in exported.errors[:5]]}
        for name, counts in exported.roster.items():
            result[name] = [counts.created, counts.updated, counts.unchanged]
    result["seconds"] = time.perf_counter() - started
    used = resource.getrusage(resource.RUSAGE_SELF)
    # The child's own CPU (PostgreSQL's is not in it): steadier than seconds on a busy machine.
    result["cpu_seconds"] = used.ru_utime + used.ru_stime - cpu_before
    if backend and kind in _TABLES:
        result["db_cpu_seconds"] = _cpu_of(backend[0]) - backend_before
    elif backend:
        result["db_cpu_seconds"] = _cpu_of(backend[0]) - backend[1] / 100
    database.dispose()
    result["rss_before_mb"] = before / 1024
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _cpu_of(pid: int) -> float:
    """A process's CPU seconds so far (user and system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _copy(database: Database, kind: str, source: Path, backend: list[int]) -> int:
    """COPY the same files into bare tables of the same keys, or (`-table`) into a table like
    the real one; the rows copied. `backend` gets the backend's pid and CPU ticks before."""
    files = [source] if kind in _BARE else [source / f"{n}.csv" for n in _ONEROSTER_FILES]
    if kind.endswith("-table"):
        files = [source]
    rows = 0
    with database.engine.begin() as connection:
        raw: Any = connection.connection.driver_connection
        backend += [raw.info.backend_pid, round(_cpu_of(raw.info.backend_pid) * 100)]
        for path in files:
            table = f"bare_{kind.replace('-', '_')}_{path.stem.lower()}"
            with path.open("rb") as file:
                header = file.readline().decode().strip().replace(".", "_")
                named = ""
                if kind.endswith("-table"):
                    real = kind.removesuffix("-table")
                    keys = raw.execute(_FOREIGN_KEYS, (_TABLES[real],)).fetchall()
                    columns = ", ".join(
                        [f"LIKE {_TABLES[real]} INCLUDING ALL", *(key for (key,) in keys)]
                    )
                    # students.csv's student_id is the students table's id.
                    names = header.split(",")
                    if real == "students":
                        names = ["id" if name == "student_id" else name for name in names]
                    named = f" ({', '.join(names)})"
                else:
                    columns = _BARE.get(kind) or ", ".join(
                        f'"{name}" text' + (" PRIMARY KEY" if name == "sourcedId" else "")
                        for name in header.split(",")
                    )
                cursor = raw.cursor()
                cursor.execute(f"CREATE TABLE {table} ({columns})")
                with cursor.copy(f"COPY {table}{named} FROM STDIN (FORMAT csv)") as copy:
                    while block := file.read(1 << 20):
                        copy.write(block)
                rows += cursor.rowcount
    return rows


def run_child(kind: str, url: str, source: Path, limit_gb: float) -> dict[str, Any]:
    """`child` in a fresh process, its address space capped so a runaway cannot swamp the host."""
    command = [sys.executable, __file__, "--child", kind, url, str(source), str(limit_gb)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"failed": done.stderr.strip().splitlines()[-1:] or ["no output"]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# --- the runs -------------------------------------------------------------------------------


def file_runs(args: argparse.Namespace, folder: Path, kind: str) -> None:
    """COPY, COPY+FK, import and re-import of each size of one kind of file, in that order,
    in a fresh schema each, `--runs` times: attendance.csv (STUDENTS students), guardians.csv
    (one guardian for each of as many students as rows) or students.csv. With several runs,
    a last line gives each column's median."""
    title = {
        "attendance": f"attendance.csv, {STUDENTS:,} students",
        "guardians": "guardians.csv, one guardian a student",
        "students": f"students.csv, {SCHOOLS} schools",
    }[kind]
    print(f"\n{title}; rows/s (import / COPY, target {TARGET:.0%})")
    print(f"{'rows':>10} {'COPY rows/s':>12} {'COPY+FK':>8} {'import rows/s':>14} {'of COPY':>8}"
          f" {'re-import rows/s':>17} {'of COPY':>8} {'peak RSS MB: COPY':>18}"
          f" {'import':>7} {'re-import':>10} {'(before)':>9} {'next day s':>11}")  # fmt: skip
    for size in getattr(args, kind):
        path = folder / f"{kind}_{size}.csv"
        _WRITERS[kind](path, size)
        if kind == "guardians":
            with path.open(encoding="utf-8") as file:
                phones = len({line.split(",")[2] for line in file}) - 1
            print(f"{'':>10} ({phones:,} distinct phone cells)")
        figures = [_file_run(args, folder, kind, path, size) for _run in range(args.runs)]
        if len(figures) > 1:
            middle = [statistics.median(column) for column in zip(*figures, strict=True)]
            _print_figures("median", middle)
        path.unlink()


def _file_run(
    args: argparse.Namespace, folder: Path, kind: str, path: Path, size: int
) -> list[float]:
    """One run of `file_runs` in a fresh schema, printed; its figures."""
    daily = None
    with own_schema(args.database_url, args.keep_schema) as url:
        seed_students(url, {"attendance": STUDENTS, "guardians": size, "students": 0}[kind])
        ceiling = run_child(f"copy-{kind}", url, path, args.memory_limit_gb)
        keyed = run_child(f"copy-{kind}-fk", url, path, args.memory_limit_gb)
        real = (
            run_child(f"copy-{kind}-table", url, path, args.memory_limit_gb)
            if (kind in _LIKE)
            else None
        )
        first = run_child(kind, url, path, args.memory_limit_gb)
        again = run_child(kind, url, path, args.memory_limit_gb)
        stored = _count(url, _TABLES[kind])
        if kind == "attendance":
            # The next night: a day of new records on top of the file's history.
            next_day = folder / "next_day.csv"
            write_next_day(next_day, size)
            daily = run_child("attendance", url, next_day, args.memory_limit_gb)
    _check(first, {"created": size}, stored == size, f"{stored:,} rows stored")
    _check(again, {"unchanged": size}, True, "")
    if daily is not None:
        _check(daily, {"created": STUDENTS}, True, "")
    copy_rate = size / ceiling["seconds"]
    rate, rerate = size / first["seconds"], size / again["seconds"]
    figures = [size, copy_rate, size / keyed["seconds"], rate, rate / copy_rate, rerate,
               rerate / copy_rate, ceiling["peak_rss_mb"], first["peak_rss_mb"],
               again["peak_rss_mb"], first["rss_before_mb"],
               daily["seconds"] if daily else float("nan")]  # fmt: skip
    # Beside them: COPY into a table like the real one, and each run's CPU seconds, the
    # database backend's and the Python process's.
    nan = float("nan")
    figures += [size / real["seconds"] if real else nan, rate * real["seconds"] / size if real
                else nan]  # fmt: skip
    for run in (ceiling, keyed, real, first, again):
        figures += [run["db_cpu_seconds"], run["cpu_seconds"]] if run else [nan, nan]
    _print_figures(f"{size:,}", figures)
    return figures


def _print_figures(label: str, figures: list[float]) -> None:
    _size, copy_rate, keyed, rate, share, rerate, reshare, *memory, daily = figures[:12]
    real, real_share, *cpu = figures[12:]
    print(f"{label:>10} {copy_rate:>12,.0f} {keyed:>8,.0f} {rate:>14,.0f} {share:>8.0%}"
          f" {rerate:>17,.0f} {reshare:>8.0%} {memory[0]:>18,.0f} {memory[1]:>7,.0f}"
          f" {memory[2]:>10,.0f} {memory[3]:>9,.0f} {daily:>11.2f}", flush=True)  # fmt: skip
    if real == real:  # not NaN: a table like the real one was COPY-ed into
        print(f"{'':>10} COPY into a table like the real one: {real:,.0f} rows/s;"
              f" the import {real_share:.0%} of it, {rate / keyed:.0%} of COPY+FK")  # fmt: skip
    spent = ", ".join(
        f"{name} {cpu[2 * n]:.1f}+{cpu[2 * n + 1]:.1f}"
        for n, name in enumerate(("COPY", "COPY+FK", "like-real", "import", "re-import"))
        if cpu[2 * n] == cpu[2 * n]
    )
    print(f"{'':>10} CPU s (database+python): {spent}", flush=True)


def oneroster_runs(args: argparse.Namespace, folder: Path) -> None:
    """COPY, import and re-import of each export size, in a fresh schema each."""
    print(f"\nOneRoster 1.1 bulk export; students/s (import / COPY of its five files,"
          f" target {TARGET:.0%})")  # fmt: skip
    print(f"{'students':>10} {'COPY st/s':>10} {'import st/s':>12} {'of COPY':>8}"
          f" {'re-import st/s':>15} {'of COPY':>8} {'peak RSS MB: COPY':>18} {'import':>7}"
          f" {'re-import':>10} {'(before)':>9} {'CPU s: import':>14}"
          f" {'re-import':>10}")  # fmt: skip
    for size in args.oneroster:
        export = folder / f"oneroster_{size}"
        write_oneroster(export, size)
        with own_schema(args.database_url, args.keep_schema) as url:
            ceiling = run_child("copy-oneroster", url, export, args.memory_limit_gb)
            first = run_child("oneroster", url, export, args.memory_limit_gb)
            stored = _count(url, "guardians")
            again = run_child("oneroster", url, export, args.memory_limit_gb)
        _check(first, {"students": [size, 0, 0]}, stored == size, f"{stored:,} guardians stored")
        _check(again, {"students": [0, 0, size], "guardians": [0, 0, size]}, True, "")
        copy_rate, rate = size / ceiling["seconds"], size / first["seconds"]
        rerate = size / again["seconds"]
        print(f"{size:>10,} {copy_rate:>10,.0f} {rate:>12,.0f} {rate / copy_rate:>8.0%}"
              f" {rerate:>15,.0f} {rerate / copy_rate:>8.0%}"
              f" {ceiling['peak_rss_mb']:>18,.0f} {first['peak_rss_mb']:>7,.0f}"
              f" {again['peak_rss_mb']:>10,.0f} {first['rss_before_mb']:>9,.0f}"
              f" {first['cpu_seconds']:>14,.1f} {again['cpu_seconds']:>10,.1f}",
              flush=True)  # fmt: skip
        for file in export.iterdir():
            file.unlink()
        export.rmdir()


def _count(url: str, table: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count = int(connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
    engine.dispose()
    return count


def _check(result: dict[str, Any], expected: dict[str, Any], stored: bool, said: str) -> None:
    """Stop loudly when a run failed or wrote other than expected."""
    wrong = [k for k, v in expected.items() if result.get(k) != v]
    if "failed" in result or result.get("errors") or wrong or not stored:
        raise SystemExit(f"the import went wrong: {result} {said}")


def main() -> None:
    """Parse the options, or run one child's work when called as a child."""
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, url, source, limit_gb = sys.argv[2:6]
        limit = int(float(limit_gb) * 1024 * MB)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        print(json.dumps(child(kind, url, source)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sizes = lambda text: [int(n) for n in text.split(",") if n]  # noqa: E731
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--attendance", type=sizes, default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--oneroster", type=sizes, default=[10_000, 30_000, 100_000])
    parser.add_argument("--guardians", type=sizes, default=[100_000, 1_000_000])
    parser.add_argument("--students", type=sizes, default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=1, help="of each file size")
    parser.add_argument("--memory-limit-gb", type=float, default=6.0, help="per child")
    parser.add_argument("--keep-schema", action="store_true")
    args = parser.parse_args()
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs,"
        f" load {os.getloadavg()[0]:.1f}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )  # noqa: E501
    with tempfile.TemporaryDirectory(prefix="bench_imports_") as folder:
        if args.attendance:
            file_runs(args, Path(folder), "attendance")
        if args.oneroster:
            oneroster_runs(args, Path(folder))
        if args.guardians:
            file_runs(args, Path(folder), "guardians")
        if args.students:
            file_runs(args, Path(folder), "students")


if __name__ == "__main__":
    main()
