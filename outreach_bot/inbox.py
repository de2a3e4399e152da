"""Texts from families: stored first, exactly once, then answered.

STOP, START and HELP are handled before any flow and never reach one. Anything else goes to
the conversation waiting on that phone, or, when none waits, to a person.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from outreach_bot.conversations import (
    Conversations,
    active_conversation,
    end_conversation,
    family_context,
)
from outreach_bot.escalations import open_escalation
from outreach_bot.messaging.optout import classify_keyword, is_opted_out, opt_in, opt_out
from outreach_bot.messaging.outbox import queue_text
from outreach_bot.messaging.segments import measure
from outreach_bot.models import Conversation, Guardian, Message
from outreach_bot.phones import normalize_phone

log = logging.getLogger(__name__)


def store_inbound(session: Session, form: Mapping[str, str], *, now: datetime) -> Message | None:
    """Store a webhook's message raw; None when this MessageSid was stored before."""
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    if not sid:
        raise ValueError("the webhook has no MessageSid; expected Twilio's form fields")
    if session.scalar(select(Message.id).where(Message.provider_sid == sid)) is not None:
        return None
    body = form.get("Body", "")
    try:
        phone = normalize_phone(form.get("From", ""))
    except ValueError:
        phone = form.get("From", "")[:20]  # kept as given: a short code or an odd sender
    size = measure(body)
    message = Message(
        direction="inbound",
        phone=phone,
        body=body,
        status="received",
        provider_sid=sid,
        segments=size.count,
        encoding=size.encoding,
        created_at=now,
        raw=dict(form),
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        return None  # the same message arrived twice at once; the first one is stored
    guardian = _guardian_for(session, phone)
    message.guardian_id = guardian.id if guardian else None
    return message


def _guardian_for(session: Session, phone: str) -> Guardian | None:
    return session.scalars(
        select(Guardian).where(Guardian.phone == phone).order_by(Guardian.id)
    ).first()


def process_inbound(
    session: Session, message_id: int, conversations: Conversations, *, now: datetime
) -> str:
    """Answer one stored message, once; returns what was done, for logs and tests."""
    message = session.get(Message, message_id, with_for_update=True)
    if message is None or message.direction != "inbound" or message.processed_at is not None:
        return "skipped"
    message.processed_at = now
    guardian = _guardian_for(session, message.phone)
    conversation = active_conversation(session, message.phone)
    message.conversation_id = conversation.id if conversation else None
    language = _language(conversations, guardian, conversation)
    message.language = language
    keyword = classify_keyword(message.body)
    context = _context(session, conversations, guardian)

    def answer(name: str, purpose: str, bypass_opt_out: bool = False) -> None:
        queue_text(
            session,
            phone=message.phone,
            body=conversations.text(name, language, context),
            language=language,
            origin="reply",
            purpose=purpose,
            now=now,
            quiet=conversations.quiet,
            guardian_id=guardian.id if guardian else None,
            bypass_opt_out=bypass_opt_out,
        )

    if keyword == "stop":
        opt_out(session, message.phone, source="keyword", now=now)
        for waiting in _active(session, message.phone):
            end_conversation(waiting, "opted_out", now)
        # The one confirmation carriers require; nothing is sent after it.
        answer("opted_out", "opt_out_confirmation", bypass_opt_out=True)
        return "opted_out"
    if keyword == "start":
        opt_in(session, message.phone, now=now)
        answer("opted_in", "opt_in_confirmation")
        return "opted_in"
    if keyword == "help":
        answer("help_with_phone" if context.get("school_phone") else "help", "help")
        return "help"
    if is_opted_out(session, message.phone):
        return "ignored_opted_out"
    if conversation is not None:
        conversations.reply(session, conversation, message.body, now)
        return "replied"
    # Nobody's flow is waiting: a person reads it, and the family hears that one will.
    open_escalation(
        session,
        reason="family_texted" if guardian else "unknown_number",
        priority="low",
        now=now,
        student_id=guardian.student_id if guardian else None,
        guardian_id=guardian.id if guardian else None,
        phone=message.phone,
    )
    if guardian is not None:
        answer("received", "acknowledgement")
    return "escalated"


def _active(session: Session, phone: str) -> list[Conversation]:
    return list(
        session.scalars(
            select(Conversation).where(Conversation.phone == phone, Conversation.status == "active")
        )
    )


def _language(
    conversations: Conversations, guardian: Guardian | None, conversation: Conversation | None
) -> str:
    if conversation is not None:
        return conversation.language
    return conversations.catalogs.choose(guardian.language if guardian else None)


def _context(
    session: Session, conversations: Conversations, guardian: Guardian | None
) -> dict[str, object]:
    if guardian is None:
        return {"district_name": conversations.district_name}
    return family_context(session, guardian.student, conversations.district_name)


def unprocessed(session: Session, older_than: datetime) -> list[int]:
    """Inbound messages stored but never answered (a crash between store and process)."""
    return list(
        session.scalars(
            select(Message.id)
            .where(
                Message.direction == "inbound",
                Message.processed_at.is_(None),
                Message.created_at <= older_than,
            )
            .order_by(Message.id)
        )
    )
