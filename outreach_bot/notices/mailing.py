"""The staff task each notice carries: put the letter in the post, and say so."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.models import Notice
from outreach_bot.staff import audit


class MailingError(ValueError):
    """A notice that cannot be marked mailed as asked; the message says why."""


def mark_mailed(session: Session, notice: Notice, *, user_id: int, now: datetime) -> None:
    """Record that staff mailed the notice's letter (once; the audit log keeps who and when)."""
    if notice.mailed_at is not None:
        raise MailingError(f"Notice {notice.id}'s letter was already marked mailed.")
    notice.mailed_at, notice.mailed_by = now, user_id
    audit.record(
        session,
        user_id=user_id,
        action="mailed_notice",
        now=now,
        target_type="notice",
        target_id=notice.id,
        detail=f"{notice.rules} {notice.stage} notice letter mailed",
    )
    session.flush()


def student_notices(session: Session, student_id: str) -> list[Notice]:
    """A student's notices, newest school day first."""
    return list(
        session.scalars(
            select(Notice)
            .where(Notice.student_id == student_id)
            .order_by(Notice.issued_on.desc(), Notice.id.desc())
        )
    )
