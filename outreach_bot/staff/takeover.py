"""A person takes over a family's phone from the bot, texts them, and hands it back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from outreach_bot.messaging.optout import phone_number, phone_row
from outreach_bot.messaging.outbox import queue_text
from outreach_bot.messaging.quiet_hours import QuietHours
from outreach_bot.models import Message

STAFF_REPLY = "staff_reply"


def held_by(session: Session, phone: str) -> int | None:
    """The staff member holding this phone's conversation; None while the bot has it."""
    number = phone_number(session, phone)
    return number.held_by_user_id if number is not None else None


def hold(session: Session, phone: str, user_id: int, now: datetime) -> None:
    """Take the conversation: the bot stays silent on this phone until it is released."""
    number = phone_row(session, phone)
    number.held_by_user_id, number.held_at = user_id, now
    session.flush()


def release(session: Session, phone: str, now: datetime) -> None:
    """Give the conversation back to the bot."""
    number = phone_number(session, phone)
    if number is not None and number.held_by_user_id is not None:
        number.held_by_user_id, number.held_at = None, None
        session.flush()


def text_family(
    session: Session,
    *,
    phone: str,
    body: str,
    language: str,
    user_id: int,
    now: datetime,
    quiet: QuietHours,
    guardian_id: int | None = None,
) -> Message:
    """A text from staff, through the outbox like any other; it also holds the conversation.

    It counts as district-started, so quiet hours apply: written at night, it waits.
    """
    hold(session, phone, user_id, now)
    return queue_text(
        session,
        phone=phone,
        body=body.strip(),
        language=language,
        origin="district",
        purpose=STAFF_REPLY,
        now=now,
        quiet=quiet,
        guardian_id=guardian_id,
    )
