"""Follow-ups: conversations that wait, as rows with a `due_at`, until it is time to start them.

A follow-up never lands on a weekend, waits its turn while another conversation runs on
the phone, and is dropped rather than sent days late.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.models import Conversation

BUSY_RETRY = timedelta(hours=1)  # a follow-up due while another conversation runs waits this
FOLLOWUP_HOUR = time(9, 0)  # a follow-up falling on a weekend goes out Monday morning
TOO_LATE = timedelta(days=3)  # a follow-up this late is dropped, not sent stale


def successor(
    conversation: Conversation, flow: str, *, status: str, started_at: datetime,
    due_at: datetime | None = None,
) -> Conversation:  # fmt: skip
    """A new conversation with the same family, language and facts, in another flow."""
    return Conversation(
        phone=conversation.phone,
        guardian_id=conversation.guardian_id,
        student_id=conversation.student_id,
        flow=flow,
        language=conversation.language,
        status=status,
        state={},
        context=dict(conversation.context),
        due_at=due_at,
        started_at=started_at,
    )


def on_a_school_day(moment: datetime, timezone: ZoneInfo) -> datetime:
    """The moment itself on a weekday; Monday morning for a Saturday or Sunday."""
    local = moment.astimezone(timezone)
    if local.weekday() < 5:
        return moment
    monday = local.date() + timedelta(days=7 - local.weekday())
    return datetime.combine(monday, FOLLOWUP_HOUR, timezone)


def schedule(
    session: Session, conversation: Conversation, flow: str, at: datetime, timezone: ZoneInfo
) -> Conversation:
    """Store a follow-up of this conversation, to start at `at` (moved off weekends)."""
    later = successor(
        conversation,
        flow,
        status="scheduled",
        started_at=conversation.started_at,
        due_at=on_a_school_day(at, timezone),
    )
    session.add(later)
    return later


def due(session: Session, now: datetime) -> list[Conversation]:
    """Scheduled conversations whose time has come, oldest first."""
    return list(
        session.scalars(
            select(Conversation)
            .where(Conversation.status == "scheduled", Conversation.due_at <= now)
            .order_by(Conversation.due_at)
        )
    )
