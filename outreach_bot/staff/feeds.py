"""Escalations and a student's outreach, a page at a time, for systems that read them back.

Pages are keyset pages: each starts after the last item of the one before, so a row added
while a client pages through never shifts the rest or appears twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from outreach_bot.models import (
    BarrierReport,
    ContactAttempt,
    Conversation,
    Escalation,
    Guardian,
    Message,
    Student,
)

T = TypeVar("T")
# An outreach event's place in a student's timeline: when, which table, which row.
TimelineKey = tuple[datetime, int, int]
_MESSAGES, _BARRIERS, _CONTACTS = 0, 1, 2


@dataclass(frozen=True)
class Page(Generic[T]):
    """Some items in order, and whether more follow the last of them."""

    items: list[T]
    more: bool


@dataclass(frozen=True)
class OutreachEvent:
    """One thing that happened in reaching a family: a text, a reply, a barrier, a contact."""

    kind: str  # "text", "reply", "barrier" or "contact"
    key: TimelineKey
    record: Message | BarrierReport | ContactAttempt

    @property
    def at(self) -> datetime:
        """When it happened."""
        return self.key[0]


def escalations_page(
    session: Session, *, status: str | None, after_id: int | None, limit: int
) -> Page[Escalation]:
    """Escalations by id, optionally of one status, after the escalation `after_id`."""
    query = select(Escalation).order_by(Escalation.id).limit(limit + 1)
    if status:
        query = query.where(Escalation.status == status)
    if after_id is not None:
        query = query.where(Escalation.id > after_id)
    found = list(session.scalars(query))
    return Page(found[:limit], len(found) > limit)


def student_exists(session: Session, student_id: str) -> bool:
    """True when the district has this student."""
    return session.get(Student, student_id) is not None


def outreach_page(
    session: Session, student_id: str, *, after: TimelineKey | None, limit: int
) -> Page[OutreachEvent]:
    """A student's texts, replies, barriers and contact attempts, oldest first, after `after`."""
    messages = (
        select(Message)
        .outerjoin(Conversation, Conversation.id == Message.conversation_id)
        .outerjoin(Guardian, Guardian.id == Message.guardian_id)
        .where(
            or_(
                Conversation.student_id == student_id,
                # A text outside any conversation is the student's through its guardian row.
                and_(Message.conversation_id.is_(None), Guardian.student_id == student_id),
            ),
            # Texts to staff about the case are not outreach to the family.
            Message.purpose.is_distinct_from("staff_notification"),
        )
    )
    barriers = select(BarrierReport).where(BarrierReport.student_id == student_id)
    contacts = (
        select(ContactAttempt)
        .join(Escalation, Escalation.id == ContactAttempt.escalation_id)
        .where(Escalation.student_id == student_id)
    )
    sources: list[tuple[int, Any, Any]] = [
        (_MESSAGES, messages, Message.created_at),
        (_BARRIERS, barriers, BarrierReport.reported_at),
        (_CONTACTS, contacts, ContactAttempt.attempted_at),
    ]
    events: list[OutreachEvent] = []
    for source, query, at in sources:
        entity = query.column_descriptions[0]["entity"]
        if after is not None:
            query = query.where(_after(after, source, at, entity.id))
        rows = session.scalars(query.order_by(at, entity.id).limit(limit + 1))
        events.extend(_event(source, row) for row in rows)
    events.sort(key=lambda event: event.key)
    return Page(events[:limit], len(events) > limit)


def _after(after: TimelineKey, source: int, at: Any, row_id: Any) -> Any:
    """Rows of `source` that come after the key `after` in the timeline's order."""
    moment, after_source, after_id = after
    if source > after_source:
        return at >= moment
    if source < after_source:
        return at > moment
    return or_(at > moment, and_(at == moment, row_id > after_id))


def _event(source: int, row: Any) -> OutreachEvent:
    if source == _MESSAGES:
        kind = "reply" if row.direction == "inbound" else "text"
        return OutreachEvent(kind, (row.created_at, source, row.id), row)
    if source == _BARRIERS:
        return OutreachEvent("barrier", (row.reported_at, source, row.id), row)
    return OutreachEvent("contact", (row.attempted_at, source, row.id), row)
