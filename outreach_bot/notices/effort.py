"""The conscientious-effort record (Education Code 48262): every try staff made to reach a
student's family, on every case, with the notices sent, in time order.

A review board asks what the school did before a student was called a habitual truant; this
is the answer, read from what staff already log on cases (calls, texts, visits, meetings),
the texts they wrote from the case page, and the notices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.models import ContactAttempt, Escalation, Guardian, Message, Notice, User
from outreach_bot.staff.takeover import STAFF_REPLY


@dataclass(frozen=True)
class Effort:
    """One entry: a contact attempt, a text staff wrote, or a notice sent."""

    at: datetime
    kind: str  # "attempt", "staff_text" or "notice"
    case_id: int | None = None
    method: str | None = None  # an attempt's call, text, home_visit or meeting
    outcome: str | None = None  # an attempt's reached, no_answer...; a notice's stage
    staff: str | None = None  # who, by email, when known
    note: str | None = None


def contact_attempts(session: Session, student_id: str) -> list[Effort]:
    """Every contact attempt logged on any case of the student."""
    rows = session.execute(
        select(ContactAttempt, User.email)
        .join(Escalation, Escalation.id == ContactAttempt.escalation_id)
        .outerjoin(User, User.id == ContactAttempt.user_id)
        .where(Escalation.student_id == student_id)
    )
    return [
        Effort(
            at=attempt.attempted_at,
            kind="attempt",
            case_id=attempt.escalation_id,
            method=attempt.method,
            outcome=attempt.outcome,
            staff=email or attempt.staff,
            note=attempt.note,
        )
        for attempt, email in rows
    ]


def staff_texts(session: Session, student_id: str) -> list[Effort]:
    """The texts staff wrote to the student's guardians from a case page (not their words)."""
    guardians = select(Guardian.id).where(Guardian.student_id == student_id)
    rows = session.scalars(
        select(Message.created_at).where(
            Message.purpose == STAFF_REPLY, Message.guardian_id.in_(guardians)
        )
    )
    return [Effort(at=at, kind="staff_text", method="text") for at in rows]


def notices_sent(session: Session, student_id: str) -> list[Effort]:
    """The notices recorded for the student, each by its stage."""
    rows = session.scalars(select(Notice).where(Notice.student_id == student_id))
    return [Effort(at=n.created_at, kind="notice", outcome=n.stage) for n in rows]


def effort_record(session: Session, student_id: str) -> list[Effort]:
    """Everything staff did to reach the family, oldest first."""
    entries = [
        *contact_attempts(session, student_id),
        *staff_texts(session, student_id),
        *notices_sent(session, student_id),
    ]
    return sorted(entries, key=lambda entry: (entry.at, entry.kind))
