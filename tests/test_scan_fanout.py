"""The scan fanned out to RQ workers, on real PostgreSQL, Redis and worker processes: any
number of workers, two scans at once, or a worker killed mid-scan and the scan run again,
each store exactly what one scan in one process stores."""

from __future__ import annotations

import signal
import threading
import time

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy import Connection, select, text

from outreach_bot import jobs, scan_jobs
from outreach_bot.clock import FixedClock
from outreach_bot.models import (
    AttendanceSummary,
    Conversation,
    Escalation,
    Message,
    ScanBatch,
    TriggerFiring,
)
from outreach_bot.runtime import Runtime
from tests.conftest import REDIS_URL
from tests.factories import add_attendance, add_family, add_school, add_school_days
from tests.test_messaging_rules import SCHOOL_DAYS, TODAY
from tests.test_pool import admin
from tests.worker_process import start

__all__ = ["admin"]  # a fixture, used by name
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
SCHOOLS = ("SCHA", "SCHB", "SCHC", "SCHD")
# Who misses which of the school days (index into SCHOOL_DAYS, 7 is today).
PATTERNS = (
    (7,),  # absent today: the same-day text
    (5, 6, 7),  # three in a row: an escalation, and the text
    (0, 1, 2, 3),  # chronic, then back a few days
    (),
    (2, 7),
)
SCAN_OUTPUT = (
    "messages, contact_attempts, escalations, barrier_reports, conversations, trigger_firings,"
    " scan_batches, audit_events"
)


@pytest.fixture
def app_config(app_config: dict[str, object], redis_connection: Redis) -> dict[str, object]:
    """Jobs go to the test's Redis database."""
    return {**app_config, "REDIS_URL": REDIS_URL}


def district(runtime: Runtime) -> None:
    """Four schools of five students; the first student of each school shares a phone with
    the first of the next school, as siblings in two schools do."""
    with runtime.db.transaction() as session:
        for school in SCHOOLS:
            add_school(session, school_id=school, name=f"School {school}")
            add_school_days(session, SCHOOL_DAYS, school_id=school)
        for s, school in enumerate(SCHOOLS):
            for n, pattern in enumerate(PATTERNS):
                student_id = f"S{s + 1}{n:03d}"
                shared = n == 0 and s % 2 == 1
                line = (s - 1 if shared else s) * 10 + n
                add_family(
                    session,
                    student_id=student_id,
                    first_name=f"Kid{s}{n}",
                    school_id=school,
                    phone=f"+150355501{line:02d}",
                    absences=0,
                )
                statuses = {day: "present" for day in SCHOOL_DAYS}
                statuses |= {SCHOOL_DAYS[i]: "unexcused" for i in pattern}
                add_attendance(session, student_id, statuses)


def stored(runtime: Runtime) -> dict[str, list[tuple[object, ...]]]:
    """Everything a scan writes, without ids and times that differ between equal runs."""
    with runtime.db.transaction() as session:
        return {
            "firings": sorted(
                (f.student_id, f.trigger, f.episode, f.as_of, (f.outcome or "").split(" ")[0],
                 f.arm, f.acted_at is not None)
                for f in session.scalars(select(TriggerFiring))
            ),
            "summaries": sorted(
                (s.student_id, s.as_of, s.instructional_days, s.absences,
                 s.consecutive_absences, s.absent_today, s.band)
                for s in session.scalars(select(AttendanceSummary))
            ),
            "conversations": sorted(
                (c.phone, c.student_id, c.flow, c.status, tuple(c.context["student_ids"]))
                for c in session.scalars(select(Conversation))
            ),
            "texts": sorted((m.phone, m.body) for m in session.scalars(select(Message))),
            "escalations": sorted(
                (e.student_id, e.reason, e.priority) for e in session.scalars(select(Escalation))
            ),
        }  # fmt: skip


def forget_scans(runtime: Runtime, redis_connection: Redis) -> None:
    """Empty what scans wrote, and the queue, for the same district to be scanned again."""
    with runtime.db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {SCAN_OUTPUT} CASCADE"))
        connection.execute(text("DELETE FROM attendance_summaries"))
    redis_connection.flushdb()


@pytest.fixture
def reference(runtime: Runtime, redis_connection: Redis) -> dict[str, list[tuple[object, ...]]]:
    """What one scan in this process stores (the jobs it queued are dropped unread)."""
    district(runtime)
    result = jobs.run_scan(TODAY)
    assert {f.trigger for f in result.fired} >= {"absent_today", "three_absences_in_a_row"}
    found = stored(runtime)
    # Siblings in two schools are named in one text.
    assert any(len(names) == 2 for *_, names in found["conversations"])
    forget_scans(runtime, redis_connection)
    return found


def batches_done(runtime: Runtime) -> int:
    with runtime.db.transaction() as session:
        return len(list(session.scalars(select(ScanBatch).where(ScanBatch.done_at.is_not(None)))))


@pytest.mark.parametrize("workers", [1, 2])
def test_workers_store_what_one_process_stores(
    runtime: Runtime,
    app_config: dict[str, object],
    clock: FixedClock,
    reference: dict[str, list[tuple[object, ...]]],
    workers: int,
) -> None:
    run = scan_jobs.queue_scan(TODAY)
    processes = [start(app_config, clock) for _ in range(workers)]
    for process in processes:
        assert process.wait(timeout=120) == 0
    assert batches_done(runtime) == len(SCHOOLS)  # the workers scanned every school
    result = scan_jobs.finish_scan(run)
    assert result.students_scanned == len(SCHOOLS) * len(PATTERNS)
    assert stored(runtime) == reference


def test_two_scans_at_once_fire_each_trigger_once(
    app: Flask, runtime: Runtime, reference: dict[str, list[tuple[object, ...]]]
) -> None:
    together = threading.Barrier(2)
    fired: list[int] = []

    def scan() -> None:
        with app.app_context():
            together.wait()
            fired.append(len(jobs.run_scan(TODAY).fired))

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(fired) == len(reference["firings"])  # each firing reported by one scan
    assert stored(runtime) == reference


def test_a_worker_killed_mid_scan_then_the_scan_run_again_stores_the_same(
    runtime: Runtime,
    app_config: dict[str, object],
    clock: FixedClock,
    reference: dict[str, list[tuple[object, ...]]],
) -> None:
    with runtime.db.engine.connect() as holder:
        # The second school's first student, held: the worker's batch for that school waits
        # on its summary's foreign key, after the first school's batch is committed.
        holder.execute(text("SELECT 1 FROM students WHERE id = 'S2000' FOR UPDATE"))
        run = scan_jobs.queue_scan(TODAY)
        worker = start(app_config, clock)
        try:
            deadline = time.monotonic() + 60
            while not waiting_on_a_lock(holder):
                assert time.monotonic() < deadline, "the worker never reached the second school"
                time.sleep(0.05)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        assert worker.returncode == -signal.SIGKILL
        assert batches_done(runtime) == 1
        holder.rollback()
    result = scan_jobs.finish_scan(run)  # takes the killed worker's school and the rest
    assert result.students_scanned == len(SCHOOLS) * len(PATTERNS)
    assert stored(runtime) == reference


def waiting_on_a_lock(connection: Connection) -> bool:
    """True when another server process waits on a lock this connection's transaction holds."""
    pid = connection.scalar(text("SELECT pg_backend_pid()"))
    connection.execute(text("SELECT pg_stat_clear_snapshot()"))  # read it afresh each time
    blocked = connection.scalar(
        text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"),
        {"pid": pid},
    )
    return bool(blocked)
