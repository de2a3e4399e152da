"""A district's day at scale: one new day's attendance file imported, then the nightly scan.

Builds a synthetic district in PostgreSQL (bench/reports.py's builder, set-based and seeded,
plus a guardian a student), imports all but the last school day, records a baseline scan of
the day before, then times, each through the real command line in a fresh process:
`outreach-bot import attendance` of the last day's file, and `outreach-bot scan` of that
day, inline or fanned out to RQ workers (`--workers`). Beside them, the ceiling: a plain COPY
of the same file. Peak RSS is printed for every process. Everyone here is invented; every
phone is a 555-01xx number. Run: `.venv/bin/python bench/day.py --students 100000`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import psycopg
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reports import DEFAULT_URL, build, district_schema, school_days  # noqa: E402

from outreach_bot.schema import upgrade  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# +1 <area> 555-01xx: 100 fictional numbers an area code, 800 area codes; about twelve
# students share a number, as a family would, some across schools.
FICTIONAL_NUMBERS = 80_000
# What the scan leaves behind, emptied before each timed scan (the baseline keeps its firings).
SCAN_TABLES = (
    "messages, contact_attempts, escalations, barrier_reports, conversations, scan_batches,"
    " audit_events"
)

# The summaries as the baseline scan of the eve left them: each run starts from them, as a
# night starts from the night before's (the scan steps them on, see `summary_steps`).
EVE_SUMMARIES = "bench_eve_summaries"


def add_guardians(engine: Engine) -> None:
    """A guardian a student, on a fictional number shared by about twelve students."""
    with engine.begin() as connection:
        connection.execute(
            text(f"""
            INSERT INTO guardians (student_id, name, phone, language, sms_consent)
            SELECT id, 'Guardian ' || right(id, 4),
                   '+1' || (200 + (n / 100) % 800) || '55501' || lpad((n % 100)::text, 2, '0'),
                   CASE WHEN n % 3 = 0 THEN 'es' ELSE 'en' END, true
            FROM (SELECT id, substr(id, 2)::int % {FICTIONAL_NUMBERS} AS n FROM students) s
            """)
        )


def day_file(engine: Engine, day: date, folder: Path) -> tuple[Path, int]:
    """The day's records as the SIS exports them, written to a CSV file."""
    sheet = folder / f"attendance-{day.isoformat()}.csv"
    rows = 0
    with engine.connect() as connection, sheet.open("w") as out:
        out.write("student_id,date,status,minutes_missed\n")
        found = connection.execute(
            text("SELECT student_id, status, minutes_missed FROM attendance_records"
                 " WHERE date = :day ORDER BY student_id"), {"day": day}
        )  # fmt: skip
        for student, status, minutes in found:
            out.write(f"{student},{day},{status},{'' if minutes is None else minutes}\n")
            rows += 1
    return sheet, rows


def command(url: str, *argv: str, redis_url: str = "") -> tuple[float, float, float, str]:
    """Seconds, peak RSS (MB) and CPU seconds (user + system) of `outreach-bot ARGV` in a
    fresh process, and its output."""
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url}
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "outreach-bot"), *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode not in (0,):
        raise SystemExit(f"outreach-bot {' '.join(argv)} failed ({process.returncode}):\n{output}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, output


def copy_ceiling(url: str, sheet: Path) -> float:
    """Seconds to COPY the same file into a table shaped like attendance_records."""
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as connection:
        connection.execute(
            "CREATE TEMP TABLE copied (LIKE attendance_records INCLUDING ALL) ON COMMIT DROP"
        )
        started = time.perf_counter()
        with (
            connection.cursor().copy(
                "COPY copied (student_id, date, status, minutes_missed)"
                " FROM STDIN WITH (FORMAT csv, HEADER true)"
            ) as copy,
            sheet.open("rb") as data,
        ):
            while chunk := data.read(1 << 20):
                copy.write(chunk)
        return time.perf_counter() - started


def start_workers(url: str, redis_url: str, count: int) -> list[subprocess.Popen[bytes]]:
    """RQ workers as production runs them (`python worker.py`)."""
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url}
    return [
        subprocess.Popen(
            [sys.executable, str(ROOT / "worker.py")],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


@contextmanager
def running_workers(
    url: str, args: argparse.Namespace
) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """`--workers` RQ workers on a flushed `--redis-url` while the block runs, then stopped
    (none: no Redis, the scan does every part itself); yields the Redis URL and the workers."""
    if not args.workers:
        yield "", []
        return
    subprocess.run(["redis-cli", "-u", args.redis_url, "FLUSHDB"], check=True, capture_output=True)
    workers = start_workers(url, args.redis_url, args.workers)
    time.sleep(3)  # let them start and warm up
    try:
        yield args.redis_url, workers
    finally:
        for worker in workers:
            worker.terminate()  # a warm shutdown: it ends the job it is on (a send, the tick)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(timeout=30)
        subprocess.run(["redis-cli", "-u", args.redis_url, "FLUSHDB"], capture_output=True)


def peak_rss(pid: int) -> float:
    """A running process's peak resident memory (MB), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """A running process's CPU time so far (user + system seconds), from /proc: on a
    machine shared with other work, the part of the time that load does not stretch."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    """Build (unless --schema names a built one), time, print; drop unless --keep-schema."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--workers", type=int, default=0, help="RQ workers (0: inline)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--schema", help="reuse this schema if built (default: a new one)")
    parser.add_argument("--keep-schema", action="store_true")
    parser.add_argument(
        "--import-only", action="store_true", help="time the day's import, not the scan"
    )
    args = parser.parse_args()
    schema = args.schema or f"bench_day_{os.getpid()}"
    days = school_days()
    day = days[-1]
    with district_schema(args.database_url, schema, args.keep_schema) as (engine, exists):
        url_text = engine.url.render_as_string(hide_password=False)
        with tempfile.TemporaryDirectory() as folder:
            if not exists:
                started = time.perf_counter()
                upgrade(engine)
                with engine.begin() as connection:
                    build(connection, args.students, args.schools, days)
                add_guardians(engine)
                sheet, rows = day_file(engine, day, Path(folder))
                with engine.begin() as connection:
                    connection.execute(
                        text("DELETE FROM attendance_records WHERE date = :day"), {"day": day}
                    )
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.execute(text("VACUUM ANALYZE"))
                print(f"built {schema} in {time.perf_counter() - started:.0f} s")
                with running_workers(url_text, args) as (redis_url, _):
                    seconds, rss, cpu, _ = command(
                        url_text, "scan", "--baseline", "--date", f"{days[-2]}", redis_url=redis_url
                    )
                print(
                    f"baseline scan of {days[-2]}: {seconds:.1f} s, CPU {cpu:.1f} s,"
                    f" peak RSS {rss:.0f} MB"
                )
                keep_eve(engine)
                (Path(folder) / "keep").write_text(sheet.read_text())
            else:
                upgrade(engine)  # a kept schema, brought to this code's migrations
            run(engine, url_text, args, day, Path(folder), days[-2])


def keep_eve(engine: Engine) -> None:
    """Keep the summaries as the eve's scan left them (`EVE_SUMMARIES`), for every run."""
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {EVE_SUMMARIES}"))
        connection.execute(text(f"CREATE TABLE {EVE_SUMMARIES} AS TABLE attendance_summaries"))


def eve_kept(engine: Engine) -> bool:
    """True when the eve's summaries are kept with every column the scan now has."""
    with engine.connect() as connection:
        columns = connection.execute(
            text(
                "SELECT count(*) FILTER (WHERE table_name = :kept), count(*) FILTER"
                " (WHERE table_name = 'attendance_summaries') FROM information_schema.columns"
                " WHERE table_schema = current_schema()"
            ),
            {"kept": EVE_SUMMARIES},
        ).one()
    return columns[0] == columns[1]


def run(
    engine: Engine, url: str, args: argparse.Namespace, day: date, folder: Path, eve: date
) -> None:
    """Reset the day and the summaries to the eve's, then time COPY, the import and the scan."""
    with engine.begin() as connection:
        sheet = folder / "keep"
        if not sheet.exists():  # a kept schema: the day was imported by an earlier run
            sheet, _ = day_file(engine, day, folder)
            sheet = sheet.rename(folder / "keep")
        connection.execute(text("DELETE FROM attendance_records WHERE date = :day"), {"day": day})
        connection.execute(text(f"TRUNCATE {SCAN_TABLES} CASCADE"))
        connection.execute(text("DELETE FROM trigger_firings WHERE as_of = :day"), {"day": day})
        students, records = connection.execute(
            text(
                "SELECT (SELECT count(*) FROM students), (SELECT count(*) FROM attendance_records)"
            )
        ).one()
    if not eve_kept(engine):  # kept by an earlier bench, or before the scan's last migration
        seconds, _, cpu, _ = command(url, "scan", "--baseline", "--date", f"{eve}")
        print(f"baseline scan of {eve} again, for its summaries: {seconds:.1f} s, CPU {cpu:.1f} s")
        keep_eve(engine)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {SCAN_TABLES} CASCADE"))  # the baseline's parts
        connection.execute(text("TRUNCATE attendance_summaries"))
        connection.execute(text(f"INSERT INTO attendance_summaries TABLE {EVE_SUMMARIES}"))
    csv = folder / f"attendance-{day}.csv"
    csv.write_text(sheet.read_text())
    rows = csv.read_text().count("\n") - 1
    print(f"{students:,} students, {records:,} records before {day}; the day's file: {rows:,} rows")
    ceiling = copy_ceiling(url, csv)
    started = time.perf_counter()
    with engine.connect() as connection:
        # The scan's read ceiling: every student's year, once, with nothing done with it.
        connection.execute(
            text("SELECT count(*), sum(bit_count(absent_days)) FROM attendance_years")
        ).one()
    read_years = time.perf_counter() - started
    seconds, rss, cpu, output = command(url, "import", "attendance", str(csv))
    print(f"\n{'':<44}{'seconds':>9}{'peak RSS MB':>13}{'CPU s':>9}")
    print(f"{'COPY of the day file (ceiling)':<44}{ceiling:>9.2f}")
    print(
        f"{'outreach-bot import attendance':<44}{seconds:>9.2f}{rss:>13.0f}{cpu:>9.1f}"
        f"   {seconds / ceiling:.0f} times the COPY"
    )
    print(f"{'SELECT of every attendance_years row':<44}{read_years:>9.1f}")
    if args.import_only:
        return
    with running_workers(url, args) as (redis_url, workers):
        seconds, scan_rss, scan_cpu, output = command(
            url, "scan", "--date", f"{day}", redis_url=redis_url
        )
        worker_use = [(peak_rss(worker.pid), cpu_seconds(worker.pid)) for worker in workers]
    how = f"{args.workers} RQ workers" if args.workers else "inline"
    print(f"{f'outreach-bot scan ({how})':<44}{seconds:>9.1f}{scan_rss:>13.0f}{scan_cpu:>9.1f}")
    for number, (rss_mb, cpu) in enumerate(worker_use, start=1):
        print(f"{f'  worker {number}':<44}{'':>9}{rss_mb:>13.0f}{cpu:>9.1f}")
    print("\n" + output)
    summary = _counts(engine, day)
    print("stored: " + ", ".join(f"{name} {count:,}" for name, count in summary.items()))
    with engine.connect() as connection:
        phases = connection.execute(
            text(
                "SELECT kind, count(*), extract(epoch FROM max(done_at) - min(created_at))"
                " FROM scan_batches GROUP BY kind ORDER BY kind DESC"
            )
        ).all()
    print("load average (1, 5, 15 min): " + ", ".join(f"{n:.1f}" for n in os.getloadavg()))
    print("from the start of the run to the last part done: " + ", ".join(
        f"{count} {kind} parts {seconds:.1f} s" for kind, count, seconds in phases))  # fmt: skip


def _counts(engine: Engine, day: date) -> dict[str, int]:
    """What the scan stored."""
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT (SELECT count(*) FROM trigger_firings WHERE as_of = :day),"
                " (SELECT count(*) FROM conversations), (SELECT count(*) FROM messages),"
                " (SELECT count(*) FROM escalations)"
            ),
            {"day": day},
        ).one()
    return dict(zip(("firings", "conversations", "texts", "escalations"), row, strict=True))


if __name__ == "__main__":
    main()
