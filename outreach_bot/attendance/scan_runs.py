"""A scan fanned out: its parts, each claimed by whichever worker locks it first.

A run writes a row a part (`scan_batches`): first a school each, then, once every school is
scanned, groups of the families its firings text, no phone in two groups, so that siblings
in two schools still get one text. A worker claims a part by locking its row, SKIP LOCKED,
does it in the same transaction and marks the row done as it commits; a worker that dies
leaves the row unlocked and undone, for another to take. The coordinator claims parts too,
then waits for the ones others hold, so a run finishes with any number of workers, none
included. What a school's scan found is kept with its row, for the run's summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from outreach_bot.attendance.coverage import MissingData
from outreach_bot.attendance.scan import NewFiring, ScanResult, SkippedSchool
from outreach_bot.models import Guardian, ScanBatch, Student, TriggerFiring
from outreach_bot.models.scan import FAMILIES, SCHOOL

# Firings a part of families starts flows for, about: some seconds of one worker's time.
FAMILY_PART_FIRINGS = 500
KEEP_RUNS = timedelta(days=30)  # a month of runs' parts, to read how the nights went


@dataclass(frozen=True)
class ScanRun:
    """One run of the scan: its id, the day it scans, and its time (the firings' time)."""

    run_id: str
    as_of: date
    now: datetime


def plan(session: Session, run_id: str, *, as_of: date, act: bool, now: datetime) -> list[str]:
    """A part for each school with students; returns the parts, in school order. The parts
    of runs older than KEEP_RUNS go (a run's parts matter until it has finished)."""
    session.execute(delete(ScanBatch).where(ScanBatch.created_at < now - KEEP_RUNS))
    schools = list(
        session.scalars(select(Student.school_id).distinct().order_by(Student.school_id))
    )
    parts = [
        ScanBatch(
            run_id=run_id,
            part=f"{SCHOOL} {school}",
            kind=SCHOOL,
            school_id=school,
            as_of=as_of,
            act=act,
            created_at=now,
        )
        for school in schools
    ]
    session.add_all(parts)
    return [part.part for part in parts]


def plan_families(session: Session, run: ScanRun) -> list[str]:
    """Parts for the families that the day's waiting firings text; returns the parts.

    Firings whose students share a guardian's phone, however indirectly, go in one part,
    in order of their first student, about FAMILY_PART_FIRINGS a part.
    """
    rows = session.execute(
        select(TriggerFiring.id, TriggerFiring.student_id, Guardian.phone)
        .outerjoin(Guardian, Guardian.student_id == TriggerFiring.student_id)
        .where(TriggerFiring.as_of == run.as_of, TriggerFiring.acted_at.is_(None))
        .order_by(TriggerFiring.student_id, TriggerFiring.id)
    ).all()
    groups = _sharing_a_phone([(firing_id, phone) for firing_id, _, phone in rows])
    parts: list[ScanBatch] = []
    chunk: list[int] = []
    for group in groups:
        chunk += group
        if len(chunk) >= FAMILY_PART_FIRINGS or group is groups[-1]:
            parts.append(
                ScanBatch(
                    run_id=run.run_id,
                    part=f"{FAMILIES} {len(parts):05d}",
                    kind=FAMILIES,
                    firing_ids=sorted(chunk),
                    as_of=run.as_of,
                    act=True,
                    created_at=run.now,
                )
            )
            chunk = []
    session.add_all(parts)
    return [part.part for part in parts]


def _sharing_a_phone(firings: list[tuple[int, str | None]]) -> list[list[int]]:
    """Firing ids grouped so that no phone is in two groups, in order of first appearance."""
    parent: dict[object, object] = {}

    def root(node: object) -> object:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]  # halve the path as we go
            node = parent[node]
        return node

    for firing_id, phone in firings:
        if phone is not None:
            parent[root(("firing", firing_id))] = root(("phone", phone))
        else:
            root(("firing", firing_id))
    groups: dict[object, list[int]] = {}
    for firing_id, _ in firings:
        group = groups.setdefault(root(("firing", firing_id)), [])
        if not group or group[-1] != firing_id:
            group.append(firing_id)
    return list(groups.values())


def claim(session: Session, run_id: str, kind: str, part: str | None = None) -> ScanBatch | None:
    """Lock an undone part of a kind (that part, or any) that nobody holds (None: none)."""
    query = select(ScanBatch).where(
        ScanBatch.run_id == run_id, ScanBatch.kind == kind, ScanBatch.done_at.is_(None)
    )
    if part is not None:
        query = query.where(ScanBatch.part == part)
    query = query.order_by(ScanBatch.part).limit(1).with_for_update(skip_locked=True)
    return session.scalars(query).first()


def undone_after_waiting(session: Session, run_id: str, kind: str) -> list[str]:
    """Wait until no worker holds a part of the kind; the parts still undone (their worker
    died, or failed) are returned, for the caller to do itself."""
    query = select(ScanBatch.part).where(
        ScanBatch.run_id == run_id, ScanBatch.kind == kind, ScanBatch.done_at.is_(None)
    )
    return list(session.scalars(query.with_for_update()))


def finish(batch: ScanBatch, result: ScanResult, now: datetime) -> None:
    """Mark the batch done with what its scan found (in the scan's transaction)."""
    batch.done_at = now
    batch.result = {
        "students_scanned": result.students_scanned,
        "withdrawn": result.withdrawn,
        "rules_run_for": result.rules_run_for,
        "bands": result.bands,
        "skipped": [
            [
                school.school_id,
                school.name,
                school.students,
                school.missing.reason,
                _day(school.missing.needed),
                _day(school.missing.last_attendance),
            ]
            for school in result.skipped
        ],
        "fired": [
            [f.firing_id, f.student_id, f.trigger, f.action, f.flow, f.escalation_id]
            for f in result.fired
        ],
    }


def collected(session: Session, run_id: str, as_of: date) -> ScanResult:
    """The run's summary: every batch's findings added up, in school order."""
    result = ScanResult(as_of=as_of)
    batches = session.scalars(
        select(ScanBatch)
        .where(ScanBatch.run_id == run_id, ScanBatch.kind == SCHOOL)
        .order_by(ScanBatch.part)
    )
    for batch in batches:
        found: dict[str, Any] = batch.result or {}
        result.students_scanned += found.get("students_scanned", 0)
        result.withdrawn += found.get("withdrawn", 0)
        result.rules_run_for += found.get("rules_run_for", 0)
        for band, count in found.get("bands", {}).items():
            result.bands[band] = result.bands.get(band, 0) + count
        for school_id, name, students, reason, needed, last in found.get("skipped", []):
            missing = MissingData(reason, _date(needed), _date(last))
            result.skipped.append(SkippedSchool(school_id, name, students, missing))
        result.fired += [NewFiring(*fired) for fired in found.get("fired", [])]
    return result


def _day(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text is not None else None
