"""Retention: what `outreach-bot purge --before DATE` removes, and what it keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from outreach_bot.db import rows_changed
from outreach_bot.models import (
    BarrierReport,
    ContactAttempt,
    Conversation,
    Escalation,
    Message,
    Notice,
    StaffNotice,
    StatusCallback,
)

# Texts the outbox may still work on are never purged, however old (nor unprocessed inbound).
UNFINISHED = ("pending", "queued", "sending", "accepted", "held", "scheduled")


@dataclass(frozen=True)
class Purged:
    """How many rows of each kind went."""

    messages: int
    status_callbacks: int
    conversations: int
    barrier_reports: int
    cases: int
    contact_attempts: int

    def lines(self) -> list[str]:
        """One line per kind, for the command's report."""
        return [f"{count} {name.replace('_', ' ')}" for name, count in vars(self).items()]


def purge_before(session: Session, cutoff: datetime) -> Purged:
    """Remove texts, delivery reports, finished conversations, barriers and closed cases from
    before `cutoff`. Open cases, running conversations, unsent texts, opt-outs (a STOP is
    kept for ever), students, guardians, attendance, truancy notices (with the texts that told
    families of them) and the audit log stay."""
    cases = select(Escalation.id).where(
        Escalation.status == "closed", Escalation.closed_at < cutoff
    )
    session.execute(delete(StaffNotice).where(StaffNotice.escalation_id.in_(cases)))
    attempts = rows_changed(
        session, delete(ContactAttempt).where(ContactAttempt.escalation_id.in_(cases))
    )
    closed = rows_changed(session, delete(Escalation).where(Escalation.id.in_(cases)))
    old = select(Message.id).where(
        Message.created_at < cutoff,
        Message.status.not_in(UNFINISHED),
        (Message.direction == "outbound") | Message.processed_at.is_not(None),
        # A notice's text is part of the notice, which stays (the legal record).
        Message.id.not_in(
            select(Notice.text_message_id).where(Notice.text_message_id.is_not(None))
        ),
    )
    session.execute(update(Message).where(Message.retry_of_id.in_(old)).values(retry_of_id=None))
    messages = rows_changed(session, delete(Message).where(Message.id.in_(old)))
    callbacks = rows_changed(
        session,
        delete(StatusCallback).where(
            StatusCallback.received_at < cutoff, StatusCallback.processed_at.is_not(None)
        ),
    )
    barriers = rows_changed(
        session, delete(BarrierReport).where(BarrierReport.reported_at < cutoff)
    )
    still_used = (
        select(Message.conversation_id).where(Message.conversation_id.is_not(None))
    ).union(
        select(Escalation.conversation_id).where(Escalation.conversation_id.is_not(None)),
        select(BarrierReport.conversation_id).where(BarrierReport.conversation_id.is_not(None)),
    )
    conversations = rows_changed(
        session,
        delete(Conversation).where(
            Conversation.status.not_in(("active", "scheduled")),
            Conversation.ended_at < cutoff,
            Conversation.id.not_in(still_used),
        ),
    )
    return Purged(messages, callbacks, conversations, barriers, closed, attempts)
