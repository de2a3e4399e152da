"""STOP, START and HELP: answered before any flow, and never passed to one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.conversations.family import family_context, students_on_phone
from outreach_bot.conversations.lifecycle import end_conversation
from outreach_bot.conversations.service import Conversations
from outreach_bot.messaging.optout import opt_in, opt_out
from outreach_bot.messaging.outbox import queue_text
from outreach_bot.models import Conversation, Guardian, Message


def answer_opt_keyword(
    session: Session,
    keyword: str,
    message: Message,
    guardian: Guardian | None,
    language: str,
    conversations: Conversations,
    now: datetime,
) -> str:
    """STOP, START and HELP: handled before any flow, and never passed to one."""
    students = students_on_phone(session, message.phone)
    context: dict[str, object] = {"district_name": conversations.district_name}
    if students:
        context = family_context(session, students[:1], conversations.district_name, language)

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
        for waiting in _open_conversations(session, message.phone):
            end_conversation(waiting, "opted_out", now)
        # The one confirmation carriers require; nothing is sent after it.
        answer("opted_out", "opt_out_confirmation", bypass_opt_out=True)
        return "opted_out"
    if keyword == "start":
        opt_in(session, message.phone, now=now)
        answer("opted_in", "opt_in_confirmation")
        return "opted_in"
    answer("help_with_phone" if context.get("school_phone") else "help", "help")
    return "help"


def _open_conversations(session: Session, phone: str) -> list[Conversation]:
    """Running and scheduled conversations on a phone."""
    return list(
        session.scalars(
            select(Conversation).where(
                Conversation.phone == phone, Conversation.status.in_(("active", "scheduled"))
            )
        )
    )
