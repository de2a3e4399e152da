"""What outreach did in a period, read from the database: each text, reply, barrier, case,
firing and opt-out, tagged with the school and family language it belongs to.

A family is a phone number. A text belongs to its guardian's student's school and to the
language it was written in; a student's own events (firings, cases, barriers) to the
student's school and the language of the conversation, else of their first guardian.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from outreach_bot.models import (
    BarrierReport,
    ContactAttempt,
    Conversation,
    Escalation,
    Guardian,
    Message,
    PhoneNumber,
    Student,
    TriggerFiring,
)
from outreach_bot.models.message import STAFF_NOTIFICATION
from outreach_bot.reports.definitions import CONTACT_MADE
from outreach_bot.reports.population import in_batches

RESOURCE_SHEET = "resources:"


@dataclass(frozen=True)
class Period:
    """From `start` (inclusive) to `end` (exclusive), aware UTC datetimes."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Text:
    """One outbound text to a family that was handed to the provider (or failed trying)."""

    phone: str
    school_id: str | None
    language: str | None
    status: str
    error_code: str | None
    purpose: str | None
    created_at: datetime


@dataclass(frozen=True)
class Tagged:
    """Anything counted once: a firing, a barrier named, an opt-out (what is its `detail`)."""

    school_id: str | None
    language: str | None
    detail: str = ""


@dataclass(frozen=True)
class Case:
    """An escalation opened in the period, and when a person first reached the family."""

    school_id: str | None
    language: str | None
    opened_at: datetime
    contact_at: datetime | None


def texts(session: Session, period: Period) -> list[Text]:
    """Outbound texts to families written in the period that went to the provider."""
    sent = or_(Message.provider_sid.is_not(None), Message.status.in_(("failed", "undelivered")))
    query = (
        select(
            Message.phone,
            Student.school_id,
            func.coalesce(Message.language, Guardian.language),
            Message.status,
            Message.error_code,
            Message.purpose,
            Message.created_at,
        )
        .outerjoin(Guardian, Guardian.id == Message.guardian_id)
        .outerjoin(Student, Student.id == Guardian.student_id)
        .where(
            Message.direction == "outbound",
            Message.created_at >= period.start,
            Message.created_at < period.end,
            or_(Message.purpose.is_(None), Message.purpose != STAFF_NOTIFICATION),
            sent,
        )
    )
    return [Text(*row) for row in session.execute(query)]


def replies(session: Session, period: Period) -> dict[str, datetime]:
    """The latest text each phone sent us in the period."""
    rows = session.execute(
        select(Message.phone, func.max(Message.created_at))
        .where(
            Message.direction == "inbound",
            Message.created_at >= period.start,
            Message.created_at < period.end,
        )
        .group_by(Message.phone)
    )
    return {phone: latest for phone, latest in rows}


def firings(session: Session, period: Period) -> list[Tagged]:
    """Triggers fired in the period and acted on (a baseline scan's firings did nothing)."""
    rows = session.execute(
        select(TriggerFiring.student_id, Student.school_id, TriggerFiring.trigger)
        .join(Student, Student.id == TriggerFiring.student_id)
        .where(
            TriggerFiring.fired_at >= period.start,
            TriggerFiring.fired_at < period.end,
            or_(TriggerFiring.outcome.is_(None), TriggerFiring.outcome != "baseline"),
        )
    ).all()
    languages = _family_languages(session, {row[0] for row in rows})
    return [Tagged(school, languages.get(student), name) for student, school, name in rows]


def barriers(session: Session, period: Period) -> list[Tagged]:
    """Barriers families named in the period, by barrier."""
    guardian = aliased(Guardian)
    rows = session.execute(
        select(
            Student.school_id,
            func.coalesce(Conversation.language, guardian.language),
            BarrierReport.barrier,
        )
        .outerjoin(Student, Student.id == BarrierReport.student_id)
        .outerjoin(Conversation, Conversation.id == BarrierReport.conversation_id)
        .outerjoin(guardian, guardian.id == BarrierReport.guardian_id)
        .where(BarrierReport.reported_at >= period.start, BarrierReport.reported_at < period.end)
    )
    return [Tagged(*row) for row in rows]


def cases(session: Session, period: Period) -> list[Case]:
    """Escalations opened in the period, with the first contact made before the period ends."""
    contact = (
        select(ContactAttempt.escalation_id, func.min(ContactAttempt.attempted_at).label("at"))
        .where(ContactAttempt.outcome == CONTACT_MADE, ContactAttempt.attempted_at < period.end)
        .group_by(ContactAttempt.escalation_id)
        .subquery()
    )
    guardian = aliased(Guardian)
    rows = session.execute(
        select(
            Escalation.student_id,
            func.coalesce(Escalation.school_id, Student.school_id),
            func.coalesce(Conversation.language, guardian.language),
            Escalation.created_at,
            contact.c.at,
        )
        .outerjoin(Student, Student.id == Escalation.student_id)
        .outerjoin(Conversation, Conversation.id == Escalation.conversation_id)
        .outerjoin(guardian, guardian.id == Escalation.guardian_id)
        .outerjoin(contact, contact.c.escalation_id == Escalation.id)
        .where(Escalation.created_at >= period.start, Escalation.created_at < period.end)
    ).all()
    languages = _family_languages(session, {row[0] for row in rows if row[0] and not row[2]})
    return [
        Case(school, language or languages.get(student or ""), opened, reached)
        for student, school, language, opened, reached in rows
    ]


def opt_outs(session: Session, period: Period) -> list[tuple[str, list[Tagged]]]:
    """Numbers that opted out in the period (and are still out), with every family they are."""
    phones = list(
        session.scalars(
            select(PhoneNumber.phone).where(
                PhoneNumber.opted_out_at >= period.start, PhoneNumber.opted_out_at < period.end
            )
        )
    )
    owners: dict[str, list[Tagged]] = {phone: [] for phone in phones}
    for chunk in in_batches(phones):
        rows = session.execute(
            select(Guardian.phone, Student.school_id, Guardian.language)
            .join(Student, Student.id == Guardian.student_id)
            .where(Guardian.phone.in_(chunk))
        )
        for phone, school, language in rows:
            owners[phone].append(Tagged(school, language))
    return [(phone, owners[phone] or [Tagged(None, None)]) for phone in phones]


def _family_languages(session: Session, students: Iterable[str]) -> dict[str, str]:
    """Each student's family language: that of their first guardian on file."""
    found: dict[str, str] = {}
    for chunk in in_batches(sorted(students)):
        rows = session.execute(
            select(Guardian.student_id, Guardian.language)
            .where(Guardian.student_id.in_(chunk))
            .order_by(Guardian.id.desc())  # the first guardian is written last and wins
        )
        found.update({student: language for student, language in rows})
    return found
