"""A scan fanned out: one batch a school, each claimed by whichever worker locks it first.

A run writes a row a school (`scan_batches`). A worker claims a batch by locking its row,
SKIP LOCKED, scans the school in the same transaction and marks the row done as it commits;
a worker that dies leaves the row unlocked and undone, for another to take. The coordinator
claims batches too, then waits for the ones others hold, so a run finishes with any number
of workers, none included. What a batch found is kept with its row, for the run's summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.attendance.coverage import MissingData
from outreach_bot.attendance.scan import NewFiring, ScanResult, SkippedSchool
from outreach_bot.models import ScanBatch, Student


@dataclass(frozen=True)
class ScanRun:
    """One run of the scan: its id, the day it scans, and its time (the firings' time)."""

    run_id: str
    as_of: date
    now: datetime


def plan(session: Session, run_id: str, *, as_of: date, act: bool, now: datetime) -> list[str]:
    """A batch for each school with students; returns their school ids, sorted."""
    schools = list(
        session.scalars(select(Student.school_id).distinct().order_by(Student.school_id))
    )
    session.add_all(
        ScanBatch(run_id=run_id, school_id=school, as_of=as_of, act=act, created_at=now)
        for school in schools
    )
    return schools


def claim(session: Session, run_id: str, school_id: str | None = None) -> ScanBatch | None:
    """Lock an undone batch of the run (that school's, or any) that nobody holds (None: none)."""
    query = select(ScanBatch).where(ScanBatch.run_id == run_id, ScanBatch.done_at.is_(None))
    if school_id is not None:
        query = query.where(ScanBatch.school_id == school_id)
    query = query.order_by(ScanBatch.school_id).limit(1).with_for_update(skip_locked=True)
    return session.scalars(query).first()


def undone_after_waiting(session: Session, run_id: str) -> list[str]:
    """Wait until no worker holds a batch of the run; the schools still undone (their worker
    died, or failed) are returned, for the caller to scan itself."""
    query = select(ScanBatch.school_id).where(
        ScanBatch.run_id == run_id, ScanBatch.done_at.is_(None)
    )
    return list(session.scalars(query.with_for_update()))


def finish(batch: ScanBatch, result: ScanResult, now: datetime) -> None:
    """Mark the batch done with what its scan found (in the scan's transaction)."""
    batch.done_at = now
    batch.result = {
        "students_scanned": result.students_scanned,
        "withdrawn": result.withdrawn,
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
        select(ScanBatch).where(ScanBatch.run_id == run_id).order_by(ScanBatch.school_id)
    )
    for batch in batches:
        found: dict[str, Any] = batch.result or {}
        result.students_scanned += found.get("students_scanned", 0)
        result.withdrawn += found.get("withdrawn", 0)
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
