"""The nightly scan's families part: conversations started a part at a time, on PostgreSQL.

Seeds synthetic families (two schools; one family in ten has children in both, named in one
text; English, Spanish and Vietnamese) and their fired flows, cut into parts of about 500
firings as the scan cuts them, then times, a transaction a part as the scan's jobs run:
- **one at a time**: `start_for_families(each_alone=True)`, `start` a family after another
  (the scan's path before the batch; staff- and keyword-started flows take `start`);
- **a part at a time**: `Conversations.start_for_families` (the scan's path);
- **the ceiling**: `INSERT … SELECT` of the very rows the batch wrote (conversations and
  their texts) into bare tables shaped like them, in one transaction.
Both paths must store the same conversations and texts, or the run fails. The statements
each runs are counted (SQLAlchemy's `before_cursor_execute`; an executemany is one, and a
`COPY` run by the driver itself is not seen), and the CPU seconds this process spent on
each (the database server's aside). `--reference-runs 1` runs the slow one-at-a-time path
in the first repeat only, its rows the check for every repeat of the batch; `0` never
(every repeat of the batch is then checked against the first only, and the run says so).
Everyone here is invented; every phone is a 555-01xx number.
Run: `.venv/bin/python bench/conversations.py --families 1000`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from flask import Flask
from sqlalchemy import event, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from district import SCHOOL_AFTERNOON, outreach_app, own_schema, runtime_of  # noqa: E402
from reports import DEFAULT_URL  # noqa: E402

from outreach_bot.models import AttendanceSummary, Guardian, School, Student  # noqa: E402

PART_FIRINGS = 500  # as attendance/scan_runs.py's FAMILY_PART_FIRINGS
SCHOOLS = ("BENA", "BENB")
LANGUAGES = ("en", "es", "en", "vi", "en", "es")
FIRST_NAMES = ("Ana", "Sofia", "Mateo", "Liam", "Noor", "Kai", "Lucia", "Owen", "Ines", "Theo")
Firing = tuple[int | None, str, str]


def phone(n: int) -> str:
    """A fictional number: +1 <area> 555-01xx, a hundred an area code, as bench/day.py."""
    return f"+1{200 + (n // 100) % 800}55501{n % 100:02d}"


def seed(app: Flask, families: int) -> list[list[Firing]]:
    """The families and their firings, in parts of about PART_FIRINGS (a family whole)."""
    students, guardians, summaries = [], [], []
    parts: list[list[Firing]] = [[]]
    scanned = SCHOOL_AFTERNOON.date()
    for n in range(families):
        children = 2 if n % 10 == 0 else 1
        if len(parts[-1]) + children > PART_FIRINGS:
            parts.append([])
        for child in range(children):
            student_id = f"B{n:06d}{child}"
            students.append(
                {
                    "id": student_id,
                    "first_name": FIRST_NAMES[(n + child) % len(FIRST_NAMES)],
                    "last_name": "Benchperson",
                    "school_id": SCHOOLS[child],
                    "grade": "4",
                }
            )
            guardians.append(
                {
                    "student_id": student_id,
                    "name": "Guardian",
                    "phone": phone(n),
                    "language": LANGUAGES[n % len(LANGUAGES)],
                    "sms_consent": n % 50 != 7,  # a few families never agreed to texts
                }
            )
            summaries.append(
                {
                    "student_id": student_id,
                    "as_of": scanned,
                    "instructional_days": 40,
                    "absences": 3 + n % 9,
                    "consecutive_absences": 1,
                    "absent_today": True,
                    "band": "at_risk",
                    "scanned_at": SCHOOL_AFTERNOON,
                }
            )
            flow = "chronic_outreach" if n % 25 == 3 else "missed_you"
            parts[-1].append((None, student_id, flow))
    with runtime_of(app).db.transaction() as session:
        for school in SCHOOLS:
            session.add(School(id=school, name=f"School {school}", zip="97201", phone=phone(0)))
        session.flush()
        session.execute(insert(Student), students)
        session.execute(insert(AttendanceSummary), summaries)
        session.execute(insert(Guardian), guardians)
    return parts


def one_at_a_time(app: Flask, part: Sequence[Firing]) -> None:
    """A part started a family after another, as the scan started them before the batch."""
    runtime = runtime_of(app)
    with runtime.db.transaction() as session:
        runtime.conversations.start_for_families(
            session, part, SCHOOL_AFTERNOON, school_day=SCHOOL_AFTERNOON.date(), each_alone=True
        )


def a_part_at_a_time(app: Flask, part: Sequence[Firing]) -> None:
    """A part started as the scan's families job starts it."""
    runtime = runtime_of(app)
    with runtime.db.transaction() as session:
        runtime.conversations.start_for_families(
            session, part, SCHOOL_AFTERNOON, school_day=SCHOOL_AFTERNOON.date()
        )


def timed(
    app: Flask, parts: list[list[Firing]], start: Callable[[Flask, Sequence[Firing]], None]
) -> tuple[float, float, int, list[tuple[object, ...]]]:
    """Seconds to start every part, CPU seconds, statements run, and what was stored (ids
    aside)."""
    engine = runtime_of(app).db.engine
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE messages, conversations CASCADE"))
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    started, cpu = time.perf_counter(), time.process_time()
    try:
        for part in parts:
            start(app, part)
    finally:
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        event.remove(engine, "before_cursor_execute", count)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.phone, c.flow, c.status, c.language, c.context::text, c.state::text,"
                " m.body, m.status, m.segments FROM conversations c"
                " LEFT JOIN messages m ON m.conversation_id = c.id ORDER BY c.id, m.id"
            )
        ).all()
    return seconds, cpu, statements, [tuple(row) for row in rows]


def ceiling(app: Flask) -> float:
    """Seconds to INSERT … SELECT the rows the batch wrote into bare tables like them."""
    engine = runtime_of(app).db.engine
    with engine.begin() as connection:
        for table in ("conversations", "messages"):
            connection.execute(text(f"CREATE TEMP TABLE bare_{table} (LIKE {table})"))
    started = time.perf_counter()
    with engine.begin() as connection:
        for table in ("conversations", "messages"):
            connection.execute(text(f"INSERT INTO bare_{table} SELECT * FROM {table}"))
    seconds = time.perf_counter() - started
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE bare_conversations, bare_messages"))
    return seconds


def main() -> None:
    """Seed, then time both paths and the ceiling `--repeats` times; print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep-schema", action="store_true")
    parser.add_argument(
        "--reference-runs", type=int, help="repeats that run one at a time too (default: all)"
    )
    args = parser.parse_args()
    reference_runs = args.repeats if args.reference_runs is None else args.reference_runs
    with own_schema(args.database_url, args.keep_schema) as url:
        app = outreach_app(url)
        parts = seed(app, args.families)
        firings = sum(len(part) for part in parts)
        print(f"{args.families:,} families, {firings:,} firings in {len(parts)} parts")
        print(f"load average at the start: {os.getloadavg()[0]:.1f}")
        runs: dict[str, list[float]] = {"one at a time": [], "a part at a time": [], "ceiling": []}
        cpus: dict[str, list[float]] = {"one at a time": [], "a part at a time": []}
        counts: dict[str, int] = {}
        reference: list[tuple[object, ...]] = []
        for repeat in range(args.repeats):
            if repeat < reference_runs:
                single, single_cpu, single_statements, reference = timed(app, parts, one_at_a_time)
                runs["one at a time"].append(single)
                cpus["one at a time"].append(single_cpu)
                counts["one at a time"] = single_statements
            batch, batch_cpu, batch_statements, batch_rows = timed(app, parts, a_part_at_a_time)
            if not reference_runs and not reference:
                print("not checked against one at a time (--reference-runs 0)")
                reference = batch_rows
            if batch_rows != reference:
                raise SystemExit("the two paths stored different conversations or texts")
            runs["a part at a time"].append(batch)
            cpus["a part at a time"].append(batch_cpu)
            runs["ceiling"].append(ceiling(app))
            conversations = len({row[0] + row[1] + row[4] for row in batch_rows})
            counts["a part at a time"] = batch_statements
            print(
                f"repeat {repeat + 1}: "
                + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in runs.items() if v)
            )
        texts = sum(row[6] is not None for row in batch_rows)
        print(f"\nstored each time: {conversations:,} conversations, {texts:,} texts")
        print(
            f"\n{'':<36}{'median s':>9}{'conv/s':>9}{'× ceiling':>10}{'CPU s':>7}"
            f"{'statements/conv':>17}"
        )
        floor = statistics.median(runs["ceiling"])
        for name, seconds in runs.items():
            if not seconds:
                continue
            median = statistics.median(seconds)
            cpu = f"{statistics.median(cpus[name]):>7.2f}" if name in cpus else " " * 7
            per = f"{counts[name] / conversations:>17.2f}" if name in counts else ""
            rate = conversations / median
            print(f"{name:<36}{median:>9.2f}{rate:>9.0f}{median / floor:>10.1f}{cpu}{per}")
        print("every run: " + "; ".join(
            f"{name} " + ", ".join(f"{s:.2f}" for s in seconds)
            for name, seconds in runs.items() if seconds
        ))  # fmt: skip
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
