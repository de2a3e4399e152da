"""Notice rows for tests of the letters, the packet and the Notices page (fictional families)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from outreach_bot.models import Guardian, Notice

YEAR = date(2026, 7, 1)


def add_notice(
    session: Session,
    student_id: str,
    stage: str = "first",
    issued_on: date = date(2026, 11, 18),
    *,
    language: str = "es",
    mailed_at: datetime | None = None,
) -> Notice:
    """A notice for a student's first guardian, for three unexcused days in November."""
    guardian = session.query(Guardian).filter_by(student_id=student_id).first()
    notice = Notice(
        student_id=student_id,
        school_year_start=YEAR,
        stage=stage,
        rules="CA",
        issued_on=issued_on,
        language=language,
        guardian_id=guardian.id if guardian else None,
        absence_dates=["2026-11-03", "2026-11-10", "2026-11-17"],
        counts={"truancies": 3},
        mailed_at=mailed_at,
        created_at=datetime(2026, 11, 18, 15, 0, tzinfo=UTC),
    )
    session.add(notice)
    session.flush()
    return notice
