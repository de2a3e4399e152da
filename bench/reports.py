"""`report chronic` on a synthetic district of a million students, on PostgreSQL.

Builds the district inside PostgreSQL (set-based INSERT … SELECT from generate_series, seeded),
then times `outreach-bot report chronic --by school` and `--by group` through the real command
line, beside a plain `SELECT count(*) FROM attendance_records` measured in the same run: first
reading the counts the scan keeps (`chronic_counts.refresh`, timed too), then counted afresh
after an input changed; the two must print the same. Everyone here is invented.
Run: `.venv/bin/python bench/reports.py --students 1000000`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from outreach_bot.attendance.importer import import_file
from outreach_bot.db import make_engine
from outreach_bot.reports import chronic, chronic_counts
from outreach_bot.reports.population import last_school_day, population
from outreach_bot.schema import upgrade

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
YEAR_START = date(2026, 7, 1)
FIRST_DAY = date(2026, 8, 17)
SCHOOL_DAYS = 180
HOLIDAYS = {
    date(2026, 9, 7), date(2026, 10, 12), date(2026, 11, 11), date(2026, 11, 26),
    date(2026, 11, 27), date(2027, 1, 18), date(2027, 2, 15), date(2027, 5, 31),
    *(date(2026, 12, 21) + timedelta(days=n) for n in range(14)),
    *(date(2027, 3, 29) + timedelta(days=n) for n in range(5)),
}  # fmt: skip
GRADES = "'{K,1,2,3,4,5,6,7,8,9,10,11,12}'"
RACES = "'{Asian,Black,Hispanic or Latino,Native American,Pacific Islander,White,Two or more}'"


def school_days() -> list[date]:
    """The district calendar: 180 weekdays from August 17, less holidays and breaks."""
    days: list[date] = []
    day = FIRST_DAY
    while len(days) < SCHOOL_DAYS:
        if day.weekday() < 5 and day not in HOLIDAYS:
            days.append(day)
        day += timedelta(days=1)
    return days


def build(connection: Connection, students: int, schools: int, days: list[date]) -> None:
    """Schools, calendars, students with every optional column, and their attendance."""
    connection.execute(text("SELECT setseed(0.14)"))
    connection.execute(
        text(
            "INSERT INTO schools (id, name, zip) SELECT 'SCH' || lpad(n::text, 3, '0'),"
            " 'School ' || n, (90000 + n)::text FROM generate_series(1, :n) n"
        ),
        {"n": schools},
    )
    # Every date of the year is listed, instructional or not, as SIS calendars export it.
    instructional = "{" + ",".join(day.isoformat() for day in days) + "}"
    connection.execute(
        text(
            "INSERT INTO calendar_days (school_id, date, instructional)"
            " SELECT sc.id, d::date, d::date = ANY(CAST(:days AS date[])) FROM schools sc"
            " CROSS JOIN generate_series(CAST(:start AS date), CAST(:start AS date)"
            " + interval '1 year' - interval '1 day', interval '1 day') d"
        ),
        {"days": instructional, "start": YEAR_START},
    )
    # Most enter on the first day; one in twenty later; one in thirty leaves before the end.
    connection.execute(
        text(f"""
        INSERT INTO students (id, first_name, last_name, school_id, grade, zip, birth_date,
            english_learner, iep, low_income, race_ethnicity, gender, entry_date, exit_date)
        SELECT 'S' || lpad(n::text, 7, '0'), 'Kid' || (n % 997), 'Testperson' || (n % 499),
            'SCH' || lpad((1 + n % :schools)::text, 3, '0'),
            (CAST({GRADES} AS text[]))[1 + n % 13],
            CASE WHEN random() < 0.3 THEN (91000 + n % 50)::text END,
            DATE '2010-01-01' + (n % 4000),
            CASE WHEN r < 0.05 THEN NULL ELSE r < 0.25 END,
            random() < 0.13, CASE WHEN r2 < 0.02 THEN NULL ELSE r2 < 0.55 END,
            CASE WHEN r2 < 0.03 THEN NULL ELSE (CAST({RACES} AS text[]))[1 + n % 7] END,
            CASE WHEN r4 < 0.48 THEN 'F' WHEN r4 < 0.96 THEN 'M' WHEN r4 < 0.98 THEN 'X' END,
            CASE WHEN r3 < 0.95 THEN DATE '{days[0]}'
                 ELSE (CAST(:days AS date[]))[1 + floor(random() * 150)::int] END,
            CASE WHEN r3 > 0.967 THEN (CAST(:days AS date[]))[20 + floor(random() * 150)::int]
            END
        FROM (SELECT n, random() AS r, random() AS r2, random() AS r3, random() AS r4
              FROM generate_series(1, :students) n) g
        """),
        {"schools": schools, "students": students, "days": instructional},
    )
    # Most students miss a few days, some many: mean propensity about 6% of school days.
    # Real SIS feeds export exceptions, not every present day: absences and tardies only.
    connection.execute(text("CREATE TEMP TABLE propensity AS SELECT id, CASE"
                            " WHEN r < 0.65 THEN 0.025 WHEN r < 0.85 THEN 0.07"
                            " WHEN r < 0.95 THEN 0.14 ELSE 0.3 END AS p"
                            " FROM (SELECT id, random() AS r FROM students) s"))  # fmt: skip
    connection.execute(
        text("""
        INSERT INTO attendance_records (student_id, date, status, minutes_missed)
        SELECT DISTINCT ON (id, day) id, day, status, minutes FROM (
            SELECT p.id, (CAST(:days AS date[]))[1 + floor(random() * :count)::int] AS day,
                   CASE WHEN k.kind = 'tardy' THEN 'tardy'
                        ELSE (ARRAY['absent', 'excused', 'unexcused'])[1 + floor(random() * 3)::int]
                   END AS status,
                   CASE WHEN k.kind = 'tardy' THEN 10 + floor(random() * 30)::int END AS minutes
            FROM propensity p
            CROSS JOIN LATERAL (
                SELECT 'absence' AS kind
                FROM generate_series(1, floor(p.p * :count * 2 * random())::int)
                UNION ALL
                SELECT 'tardy' FROM generate_series(1, floor(random() * 6)::int)
            ) k
        ) drawn
        ORDER BY id, day, status <> 'tardy' DESC
        """),
        {"days": instructional, "count": len(days)},
    )


def import_day(engine: Engine, day: date, folder: Path) -> dict[str, float]:
    """Seconds to import one day's attendance file through the real importer, without and
    then with the attendance_years triggers: what keeping the pre-aggregate costs a night."""
    sheet = folder / f"attendance-{day.isoformat()}.csv"
    with engine.begin() as connection, sheet.open("w") as out:
        out.write("student_id,date,status,minutes_missed\n")
        for student, status, minutes in connection.execute(
            text("SELECT student_id, status, minutes_missed FROM attendance_records"
                 " WHERE date = :day ORDER BY student_id"), {"day": day}
        ):  # fmt: skip
            out.write(
                f"{student},{day.isoformat()},{status},{'' if minutes is None else minutes}\n"
            )
    seconds: dict[str, float] = {}
    for label, triggers in (("without triggers", "DISABLE"), ("with triggers", "ENABLE")):
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE attendance_records DISABLE TRIGGER USER"))
            connection.execute(
                text("DELETE FROM attendance_records WHERE date = :day"), {"day": day}
            )
            connection.execute(text(f"ALTER TABLE attendance_records {triggers} TRIGGER USER"))
        with Session(engine) as session:
            started = time.perf_counter()
            report = import_file(session, "attendance", sheet)
            session.commit()
            seconds[label] = time.perf_counter() - started
        if report.created == 0:
            raise SystemExit(f"the import of {sheet} created nothing: {report}")
    return seconds


def check_years(engine: Engine) -> None:
    """attendance_years agrees with the records: first, last, and absences, every student."""
    with engine.connect() as connection:
        wrong = connection.execute(text("""
            SELECT count(*) FROM (
                SELECT student_id, min(date) AS first, max(date) AS last,
                       count(*) FILTER (WHERE status IN ('absent', 'excused', 'unexcused')) AS n
                FROM attendance_records GROUP BY student_id
            ) r
            FULL JOIN attendance_years y USING (student_id)
            WHERE y.first_record IS DISTINCT FROM r.first OR y.last_record IS DISTINCT FROM r.last
               OR bit_count(y.absent_days) IS DISTINCT FROM r.n
        """)).scalar()  # fmt: skip
    if wrong:
        raise SystemExit(f"attendance_years disagrees with the records for {wrong} students")
    print("attendance_years agrees with the records for every student")


def timed(work: Callable[[], object], repeats: int) -> tuple[list[float], object]:
    """Wall seconds of each repeat, and what the last one returned."""
    times = []
    result: object = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return times, result


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def district_schema(database_url: str, schema: str, keep: bool) -> Iterator[tuple[Engine, bool]]:
    """A schema of its own for the district, made unless an earlier run kept it: its engine,
    and whether it was there. Dropped afterwards unless `keep`."""
    url = make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"})
    admin = make_engine(database_url)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with admin.begin() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}
            ).first()
            if not exists:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
        yield engine, exists is not None
    finally:
        engine.dispose()
        if not keep:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    """Build, time, print; drop the schema unless --keep-schema."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--schema", help="reuse this schema if built (default: a new one)")
    parser.add_argument("--keep-schema", action="store_true")
    parser.add_argument(
        "--no-import", action="store_true", help="skip timing a day's import with the triggers"
    )
    parser.add_argument(
        "--verify", action="store_true", help="also run the Python path and compare every row"
    )
    args = parser.parse_args(argv)
    schema = args.schema or f"bench_reports_{os.getpid()}"
    with district_schema(args.database_url, schema, args.keep_schema) as (engine, exists):
        if not exists:
            upgrade(engine)
            started = time.perf_counter()
            with engine.begin() as connection:
                build(connection, args.students, args.schools, school_days())
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
            print(f"built {schema} in {time.perf_counter() - started:.0f} s")
        run(engine, engine.url.render_as_string(hide_password=False), args)


def run(engine: Engine, url: str, args: argparse.Namespace) -> None:
    """Count the district, then time the ceiling and each report, interleaved."""
    with engine.connect() as connection:
        students, records, size = connection.execute(
            text(
                "SELECT (SELECT count(*) FROM students), (SELECT count(*) FROM attendance_records),"
                " pg_size_pretty(pg_total_relation_size('attendance_records'))"
            )
        ).one()
    print(f"{students:,} students, {records:,} attendance records ({size} with its index)")
    last_day = school_days()[-1]  # the whole year of 180 school days
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": ""}
    command = Path(sys.executable).parent / "outreach-bot"

    def count() -> object:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM attendance_records")).scalar()

    def report(by: str, kept: bool) -> Callable[[], object]:
        """The command as a district lead runs it: a fresh process, start-up included;
        reading the kept counts, or after a change to an input (counted afresh)."""
        argv = [str(command), "report", "chronic", "--as-of", last_day.isoformat(), "--by", by]

        def work() -> object:
            if not kept:
                with engine.begin() as connection:  # fires the input triggers, changes nothing
                    connection.execute(text("UPDATE schools SET zip = zip WHERE false"))
            done = subprocess.run([*argv, "--format", "csv"], env=env, capture_output=True)
            if done.returncode != 0:
                raise SystemExit(f"report chronic --by {by} failed:\n{done.stderr.decode()}")
            return done.stdout.decode()

        return work

    def refresh() -> object:
        """What the scan adds at its end: count the last school day and keep it."""
        with Session(engine) as session:
            found = chronic_counts.refresh(session, last_day, unlisted_weekdays=False)
            session.commit()
        if found != last_day:
            raise SystemExit(f"the counts were kept for {found}, not {last_day}")
        return found

    def default_date() -> object:
        """What a report without --as-of adds: the last school day the attendance reaches."""
        with Session(engine) as session:
            return last_school_day(session, last_day, unlisted_weekdays=False)

    def start_up() -> object:
        """The same fresh process doing nothing but start: Python, imports, click."""
        return subprocess.run([str(command), "report", "--help"], env=env, capture_output=True)

    rows = [
        ("SELECT count(*) (ceiling)", count, None),
        ("outreach-bot report --help", start_up, None),
        ("chronic_counts.refresh (the scan's end)", refresh, None),
        ("report chronic --by school", report("school", True), 2),
        ("report chronic --by group", report("group", True), 5),
        ("  counted afresh --by school", report("school", False), None),
        ("  counted afresh --by group", report("group", False), None),
        ("the default date (no --as-of)", default_date, None),
    ]
    figures: dict[str, list[float]] = {label: [] for label, _, _ in rows}
    outputs: dict[str, object] = {}
    for _ in range(args.repeats):  # interleaved, so the ceiling sees the same machine
        for label, work, _ in rows:
            seconds, outputs[label] = timed(work, 1)
            figures[label] += seconds
    ceiling = statistics.median(figures[rows[0][0]])
    print(f"\n{'':<40}{'median s':>9}  {'runs':<22}{'× count(*)':>10}  target")
    for label, _, target in rows:
        median = statistics.median(figures[label])
        print(
            f"{label:<40}{median:>9.2f}  {_runs(figures[label]):<22}"
            f"{median / ceiling:>10.1f}  {f'< {target} s' if target else ''}"
        )
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\npeak RSS: the report command {children:.0f} MB, this process {peak_rss_mb():.0f} MB")
    for by in ("school", "group"):
        if outputs[f"report chronic --by {by}"] != outputs[f"  counted afresh --by {by}"]:
            sys.exit(f"--by {by}: the kept counts differ from the counts made afresh")
        print(f"--by {by}: the kept counts print exactly what counting afresh prints")
    outputs = {by: outputs[f"report chronic --by {by}"] for by in ("school", "group")}
    print("".join(str(outputs["school"]).splitlines(keepends=True)[:2]), end="")
    if args.verify:
        verify(engine, outputs)
    if not args.no_import:
        with tempfile.TemporaryDirectory() as folder:
            costs = import_day(engine, school_days()[-1], Path(folder))
        print("one day's attendance file through the importer: " + ", ".join(
            f"{label} {value:.1f} s" for label, value in costs.items()))  # fmt: skip
    check_years(engine)


def _runs(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


def verify(engine: Engine, outputs: dict[str, object]) -> None:
    """The SQL census equals the Python path (`population` + `tally`) row for row."""
    with Session(engine) as session:
        day = school_days()[-1]
        started = time.perf_counter()
        found = population(session, day, unlisted_weekdays=False)
        print(f"Python path: population in {time.perf_counter() - started:.1f} s")
    for by in ("school", "group"):
        rows = [(*row.key, *row.values()) for row in chronic.tally(found.counted, by)]
        lines = [",".join("" if cell is None else str(cell) for cell in row) for row in rows]
        if str(outputs[by]).splitlines()[1:] != lines:
            sys.exit(f"--by {by}: the SQL census differs from the Python path")
        print(f"--by {by}: {len(lines)} rows equal to the Python path")


if __name__ == "__main__":
    main()
