"""The scan's jobs: a run fanned out as a job a school, then a job a group of families.

Thin, like the other jobs. `scan_and_store` plans the run, queues a `scan_school` job for
each school and scans schools itself until every one is done (so that it finishes with any
number of workers, none included: inline, every job runs here). Then, the same way, it
starts the flows the day's firings wait for, in groups of families that share no phone
(`start_families`), so that siblings in two schools are named in one text. Every step is
idempotent: the database keeps each firing unique, and a flow is started once, by
whichever run locks its firing first (see `attendance.scan_runs`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
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
from outreach_bot.models.scan import FAMILIES, SCHOOL
from outreach_bot.queue import Job, QueueUnreachable
from outreach_bot.reports import chronic_counts
from outreach_bot.runtime import Runtime
from outreach_bot.staff import audit, district_settings

log = logging.getLogger(__name__)
SCAN_SCHOOL = "outreach_bot.scan_jobs.scan_school"
START_FAMILIES = "outreach_bot.scan_jobs.start_families"
# A part is a few minutes of work; RQ's default of 180 s is too little margin on a busy night.
PART_SECONDS = 1800


def _runtime() -> Runtime:
    found: Runtime = current_app.extensions["outreach"]
    return found


def scan_school(run_id: str, part: str) -> str:
    """Scan one school's part of a run, unless another worker has it or has done it."""
    return "scanned" if _scan_part(_runtime(), run_id, part) else "taken"


def start_families(run_id: str, part: str) -> str:
    """Start the flows of one group of families of a run, unless another worker has."""
    return "started" if _start_families(_runtime(), run_id, part) else "taken"


def scan_and_store(as_of: date | None = None, *, act: bool = True) -> ScanResult:
    """Scan, store what it fired, and start the flows it fired; queue no text.

    `act=False` records a baseline: what fires now is marked handled and nobody is texted.
    Each school skipped for missing data leaves a warning in the log and an audit event a
    district admin can read (`scan_skipped_school`), naming no student. Each part is one
    transaction: should one fail (PostgreSQL restarted mid-scan), what was committed stays,
    and running the scan again gives the result of a scan that never failed.
    """
    return finish_scan(queue_scan(as_of, act=act))


def queue_scan(as_of: date | None = None, *, act: bool = True) -> ScanRun:
    """Plan a scan run, a part a school, and queue a `scan_school` job for each; returns the
    run. Without Redis the jobs run here and now; with Redis down, none is queued and
    `finish_scan` does every part itself."""
    rt = _runtime()
    now = rt.clock()
    day = as_of or now.astimezone(ZoneInfo(rt.settings.district_timezone)).date()
    load_triggers(rt.settings.flows_dir / "triggers.yaml")  # a broken file stops it here
    run = ScanRun(str(uuid4()), day, now)
    with rt.db.transaction() as session:
        parts = scan_runs.plan(session, run.run_id, as_of=day, act=act, now=now)
    _queue(rt, SCAN_SCHOOL, run, parts)
    return run


def finish_scan(run: ScanRun) -> ScanResult:
    """Do the parts of the run no worker has taken, wait for the ones workers hold (and do
    any whose worker died): first the schools, then the families their firings text. Then
    note the schools skipped for missing data."""
    rt = _runtime()
    _every_part(rt, run.run_id, SCHOOL, _scan_part)
    with rt.db.transaction() as session:
        # Every school is scanned: count the chronic report for the last school day once,
        # for the district, so that `report chronic` reads it back (PostgreSQL only).
        weekdays = district_settings.effective(session, rt.settings).unlisted_weekdays
        chronic_counts.refresh(session, run.as_of, unlisted_weekdays=weekdays)
    with rt.db.transaction() as session:
        result = scan_runs.collected(session, run.run_id, run.as_of)
        parts = scan_runs.plan_families(session, run)
    _queue(rt, START_FAMILIES, run, parts)
    _every_part(rt, run.run_id, FAMILIES, _start_families)
    with rt.db.transaction() as session:
        for school in result.skipped:
            note = school.missing.explained()
            log.warning("scan as of %s skipped school %s: %s", run.as_of, school.school_id, note)
            audit.record(
                session,
                user_id=None,
                action="scan_skipped_school",
                now=run.now,
                target_type="school",
                target_id=school.school_id,
                detail=f"scan as of {run.as_of.isoformat()}: {note}",
            )
    return result


def _queue(rt: Runtime, function: str, run: ScanRun, parts: list[str]) -> None:
    """A job a part, named after the run and the part, so that a second queueing is harmless."""
    kind = function.rpartition(".")[2]
    jobs = [
        Job(function, (run.run_id, part), f"{kind}-{run.run_id}-{n}", timeout=PART_SECONDS)
        for n, part in enumerate(parts)
    ]
    try:
        rt.queue.enqueue_many(jobs)
    except QueueUnreachable as error:
        log.warning("the scan's jobs were not queued (%s); this process does them", error)


def _every_part(rt: Runtime, run_id: str, kind: str, do: Callable[[Runtime, str], bool]) -> None:
    """Do the parts of a kind that nobody holds, then wait for the others, until all are done."""
    while True:
        while do(rt, run_id):
            pass
        with rt.db.transaction() as session:
            if not scan_runs.undone_after_waiting(session, run_id, kind):
                return


def _scan_part(rt: Runtime, run_id: str, part: str | None = None) -> bool:
    """Claim a school of the run (that one, or any), scan it and mark it done, in one
    transaction; False when there was none to claim."""
    triggers = load_triggers(rt.settings.flows_dir / "triggers.yaml")
    with rt.db.transaction() as session:
        batch = scan_runs.claim(session, run_id, SCHOOL, part)
        if batch is None or batch.school_id is None:
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


def _start_families(rt: Runtime, run_id: str, part: str | None = None) -> bool:
    """Claim a group of families of the run (that one, or any) and start the flows its
    firings wait for, one conversation per family phone, in the order the firings fired.

    The firings are locked and read again, so that two scans at once start each flow once.
    """
    triggers = load_triggers(rt.settings.flows_dir / "triggers.yaml")
    with rt.db.transaction() as session:
        batch = scan_runs.claim(session, run_id, FAMILIES, part)
        if batch is None:
            return False
        waiting = session.execute(
            select(TriggerFiring.id, TriggerFiring.student_id, TriggerFiring.trigger)
            .where(TriggerFiring.id.in_(batch.firing_ids or []), TriggerFiring.acted_at.is_(None))
            .order_by(TriggerFiring.id)
            .with_for_update()
        ).all()
        now = rt.clock()
        if waiting:
            # The part's families are read, their flows run and their writes made a few
            # statements for the part (Conversations.start_for_families).
            firings = _in_firing_order(waiting, triggers)
            rt.conversations.start_for_families(session, firings, now, school_day=batch.as_of)
            ids = [firing_id for firing_id, _, _ in waiting]
            session.execute(
                update(TriggerFiring).where(TriggerFiring.id.in_(ids)).values(acted_at=now)
            )
        batch.done_at = now
    return True


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
