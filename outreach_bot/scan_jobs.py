"""The scan's jobs: a run fanned out as one job a school, then the day's flows started.

Thin, like the other jobs. `scan_and_store` plans the run, queues a `scan_school` job for
each school and scans schools itself until every batch is done (so that it finishes with any
number of workers, none included: inline, every job runs here). Then it starts the flows
that the run's firings wait for, grouped by family across schools, so that siblings in two
schools are named in one text. Every step is idempotent: the database keeps each firing
unique, and a flow is started once, by whichever run locks its firing first.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update

from outreach_bot.attendance import scan_runs
from outreach_bot.attendance.rules import StartFlow, Trigger
from outreach_bot.attendance.scan import ScanResult, load_triggers, scan
from outreach_bot.attendance.scan_runs import ScanRun
from outreach_bot.models import TriggerFiring
from outreach_bot.queue import Job, QueueUnreachable
from outreach_bot.runtime import Runtime
from outreach_bot.staff import audit, district_settings

log = logging.getLogger(__name__)
SCAN_SCHOOL = "outreach_bot.scan_jobs.scan_school"
# A school of thousands of students scans in seconds; RQ's default of 180 s is a busy night's
# margin too few.
SCAN_TIMEOUT_SECONDS = 1800


def _runtime() -> Runtime:
    found: Runtime = current_app.extensions["outreach"]
    return found


def scan_school(run_id: str, school_id: str) -> str:
    """Scan one school's batch of a run, unless another worker has it or has done it."""
    return "scanned" if _scan_batch(_runtime(), run_id, school_id) else "taken"


def scan_and_store(as_of: date | None = None, *, act: bool = True) -> ScanResult:
    """Scan, store what it fired, and start the flows it fired; queue no text.

    `act=False` records a baseline: what fires now is marked handled and nobody is texted.
    Each school skipped for missing data leaves a warning in the log and an audit event a
    district admin can read (`scan_skipped_school`), naming no student. Each school is one
    transaction and the flows one more: should one fail (PostgreSQL restarted mid-scan),
    what was committed stays, and running the scan again gives the result of a scan that
    never failed.
    """
    return finish_scan(queue_scan(as_of, act=act))


def queue_scan(as_of: date | None = None, *, act: bool = True) -> ScanRun:
    """Plan a scan run, a batch a school, and queue a `scan_school` job for each; returns
    the run's id. Without Redis the jobs run here and now; with Redis down, none is queued
    and `finish_scan` scans every school itself."""
    rt = _runtime()
    now = rt.clock()
    day = as_of or now.astimezone(ZoneInfo(rt.settings.district_timezone)).date()
    load_triggers(rt.settings.flows_dir / "triggers.yaml")  # a broken file stops it here
    run_id = str(uuid4())
    with rt.db.transaction() as session:
        schools = scan_runs.plan(session, run_id, as_of=day, act=act, now=now)
    jobs = [
        Job(SCAN_SCHOOL, (run_id, school), f"scan-{run_id}-{school}", timeout=SCAN_TIMEOUT_SECONDS)
        for school in schools
    ]
    try:
        rt.queue.enqueue_many(jobs)
    except QueueUnreachable as error:
        log.warning("the scan's jobs were not queued (%s); this process scans every school", error)
    return ScanRun(run_id, day, now)


def finish_scan(run: ScanRun) -> ScanResult:
    """Scan the run's schools no worker has taken, wait for the ones workers hold (and scan
    any whose worker died), start the flows its firings wait for, and note skipped schools."""
    rt = _runtime()
    day, now = run.as_of, run.now
    while True:
        while _scan_batch(rt, run.run_id):
            pass
        with rt.db.transaction() as session:
            if not scan_runs.undone_after_waiting(session, run.run_id):
                result = scan_runs.collected(session, run.run_id, day)
                break
    start_waiting_flows(rt, day)
    with rt.db.transaction() as session:
        for school in result.skipped:
            note = school.missing.explained()
            log.warning("scan as of %s skipped school %s: %s", day, school.school_id, note)
            audit.record(
                session,
                user_id=None,
                action="scan_skipped_school",
                now=now,
                target_type="school",
                target_id=school.school_id,
                detail=f"scan as of {day.isoformat()}: {note}",
            )
    return result


def _scan_batch(rt: Runtime, run_id: str, school_id: str | None = None) -> bool:
    """Claim a batch of the run (that school's, or any), scan it and mark it done, in one
    transaction; False when there was none to claim."""
    triggers = load_triggers(rt.settings.flows_dir / "triggers.yaml")
    with rt.db.transaction() as session:
        batch = scan_runs.claim(session, run_id, school_id)
        if batch is None:
            return False
        weekdays = district_settings.effective(session, rt.settings).unlisted_weekdays
        result = scan(
            session,
            as_of=batch.as_of,
            now=batch.created_at,
            triggers=triggers,
            act=batch.act,
            unlisted_weekdays=weekdays,
            schools=[batch.school_id],
        )
        scan_runs.finish(batch, result, rt.clock())
    return True


def start_waiting_flows(rt: Runtime, day: date) -> int:
    """Start the flows that the day's firings wait for, one conversation per family phone, in
    the order the firings fired; returns how many conversations started.

    The firings are locked first, so that two scans at once start each flow once.
    """
    triggers = load_triggers(rt.settings.flows_dir / "triggers.yaml")
    with rt.db.transaction() as session:
        waiting = session.execute(
            select(TriggerFiring.id, TriggerFiring.student_id, TriggerFiring.trigger)
            .where(TriggerFiring.as_of == day, TriggerFiring.acted_at.is_(None))
            .order_by(TriggerFiring.id)
            .with_for_update()
        ).all()
        if not waiting:
            return 0
        firings = _in_firing_order(waiting, triggers)
        now = rt.clock()
        started = rt.conversations.start_for_families(session, firings, now, school_day=day)
        ids = [firing_id for firing_id, _, _ in waiting]
        session.execute(update(TriggerFiring).where(TriggerFiring.id.in_(ids)).values(acted_at=now))
    return started


def _in_firing_order(
    waiting: Sequence[Any], triggers: list[Trigger]
) -> list[tuple[int | None, str, str]]:
    """(firing id, student, flow) by student, then by the triggers' order in the file, as one
    scan of the whole district fires them; a trigger since removed starts nothing."""
    flows = {t.name: t.action.flow for t in triggers if isinstance(t.action, StartFlow)}
    order = {t.name: position for position, t in enumerate(triggers)}
    ordered = sorted(waiting, key=lambda row: (row[1], order.get(row[2], len(order))))
    return [
        (firing_id, student, flows[name]) for firing_id, student, name in ordered if name in flows
    ]
