"""Answering a claimed text: a keyword, the waiting flow, or a person.

STOP, START and HELP are handled before any flow and never reach one (`opt_keywords`).
Anything else goes to the conversation waiting on that phone, or, when none waits, to a person.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from outreach_bot.conversations.family import attendance_summary, students_on_phone
from outreach_bot.conversations.lifecycle import active_conversation, end_conversation
from outreach_bot.conversations.service import Conversations
from outreach_bot.engine.keywords import KeywordMatch
from outreach_bot.escalations import open_escalation
from outreach_bot.i18n.catalogs import SOURCE_LANGUAGE
from outreach_bot.i18n.detection import detect_switch
from outreach_bot.i18n.languages import own_name
from outreach_bot.i18n.names import names_for
from outreach_bot.inbox.opt_keywords import answer_opt_keyword
from outreach_bot.messaging.keywords import classify_keyword
from outreach_bot.messaging.opt_words import POLITE
from outreach_bot.messaging.optout import is_opted_out
from outreach_bot.messaging.outbox import queue_text
from outreach_bot.models import Conversation, Escalation, Guardian, Message, StaffNotice
from outreach_bot.staff.takeover import held_by


def _guardian_for(session: Session, phone: str) -> Guardian | None:
    return session.scalars(
        select(Guardian).where(Guardian.phone == phone).order_by(Guardian.id)
    ).first()


def process_inbound(
    session: Session, message_id: int, conversations: Conversations, *, now: datetime
) -> str:
    """Answer one stored text, once, by id; returns what was done, for logs and tests."""
    # Claimed in one statement, which locks the row: a second run waits, then finds it
    # processed and skips it.
    message = session.scalars(
        update(Message)
        .where(
            Message.id == message_id,
            Message.direction == "inbound",
            Message.processed_at.is_(None),
        )
        .values(processed_at=now)
        .returning(Message)
        .execution_options(synchronize_session=False)
    ).first()
    if message is None:
        return "skipped"
    conversation = active_conversation(session, message.phone)
    return answer(session, message, conversation, conversations, now=now)


def answer(
    session: Session,
    message: Message,
    conversation: Conversation | None,
    conversations: Conversations,
    *,
    now: datetime,
) -> str:
    """Answer a claimed text: a keyword, the waiting flow, or a person; returns what was done.

    `conversation` is the one running on the phone, if any.
    """
    # The guardian on file is looked up when a step needs it, and once: an answer to the
    # waiting conversation needs none.
    guardian_of: Callable[[], Guardian | None] = cache(
        lambda: _guardian_for(session, message.phone)
    )
    message.processed_at = now
    message.conversation_id = conversation.id if conversation else None
    language = _language(conversations, guardian_of, conversation)
    message.language = language
    keyword = classify_keyword(message.body, language)
    if keyword is not None:
        return answer_opt_keyword(
            session, keyword, message, guardian_of(), language, conversations, now
        )
    if is_opted_out(session, message.phone):
        return "ignored_opted_out"
    if held_by(session, message.phone) is not None:
        # The person holding it answers, not the bot.
        _tell_staff(session, message, guardian_of(), now)
        return "held_by_staff"
    match = _keyword_trigger(conversations, message.body, language)
    flow = conversations.library.flows.get(conversation.flow) if conversation else None
    if match and (flow is None or match.trigger.name in flow.interruptions):
        if conversation is not None:
            end_conversation(conversation, f"interrupted:{match.trigger.name}", now)
        return _start_by_keyword(session, match, message, guardian_of(), conversations, now)
    offered = _offer_language(
        session, message, guardian_of, language, conversation, conversations, now
    )
    if offered:
        return offered
    if conversation is not None and conversations.reply(session, conversation, message.body, now):
        return "replied"
    return _catch_all(session, message, guardian_of(), conversations, now)


def set_aside(session: Session, message_id: int, now: datetime) -> bool:
    """A text the bot failed to answer goes to a person, so that it is still read.

    Marks it processed and opens a case for the phone; False when it was answered meanwhile.
    """
    message = session.get(Message, message_id, with_for_update=True)
    if message is None or message.processed_at is not None:
        return False
    message.processed_at = now
    _to_a_person(session, message, _guardian_for(session, message.phone), "normal", now)
    return True


def _offer_language(
    session: Session,
    message: Message,
    guardian_of: Callable[[], Guardian | None],
    language: str,
    conversation: Conversation | None,
    conversations: Conversations,
    now: datetime,
) -> str | None:
    """A reply clearly written in another language we have: ask, in it, whether to switch."""
    offer = "language_offer"
    if offer not in conversations.library.flows:
        return None
    if conversation is not None and (
        conversation.flow == offer or conversations.understands(conversation, message.body)
    ):
        return None  # an answer the flow understands is an answer, whatever language it is in
    suggested = detect_switch(message.body, language)
    if suggested is None or conversations.catalogs.choose(suggested) != suggested:
        return None
    guardian = guardian_of()
    if guardian is None:
        return None
    if conversation is not None:
        end_conversation(conversation, "language_offer", now)
    extra: dict[str, object] = {
        "suggested_language": suggested,
        "language_name": own_name(suggested),
    }
    started = conversations.start(
        session,
        flow_name=offer,
        guardian=guardian,
        now=now,
        extra=extra,
        origin="reply",
        language=suggested,
    )
    return f"language_offer:{suggested}" if started else None


def warm_up(conversations: Conversations) -> None:
    """Load every catalog and build the keyword sets now, not on a family's first text."""
    for language in conversations.catalogs.languages():
        _keyword_trigger(conversations, "warm up", language)


def _keyword_trigger(conversations: Conversations, body: str, language: str) -> KeywordMatch | None:
    # The family's language and English only: every language's words at once read a family's
    # own report of an absence ("absent", "请假") as a request for a lookup.
    catalogs = conversations.catalogs
    localizers = (catalogs.get(language), catalogs.get(SOURCE_LANGUAGE))
    return conversations.library.keywords.match(
        body, localizers, names_for(tuple(catalogs.languages())), POLITE
    )


def _start_by_keyword(
    session: Session,
    match: KeywordMatch,
    message: Message,
    guardian: Guardian | None,
    conversations: Conversations,
    now: datetime,
) -> str:
    """A keyword the family texted starts its flow, answered at once."""
    if guardian is None:
        if match.trigger.name == "attendance_lookup":
            queue_text(
                session,
                phone=message.phone,
                body=conversations.text("not_on_file", "en", {}),
                language="en",
                origin="reply",
                purpose="not_on_file",
                now=now,
                quiet=conversations.quiet,
            )
        return f"keyword_from_unknown_number:{match.trigger.name}"
    if match.language:
        for row in session.scalars(select(Guardian).where(Guardian.phone == message.phone)):
            row.language = match.language
        session.flush()
    students = students_on_phone(session, message.phone)
    language = conversations.catalogs.choose(guardian.language)
    extra: dict[str, object] = {}
    if match.trigger.flow == "attendance_lookup":
        library = conversations.library
        bands = {
            name[5:]: text for name, text in library.system.items() if name.startswith("band_")
        }
        extra["attendance_summary"] = attendance_summary(
            session, students, library.message("attendance_line"), bands,
            conversations.catalogs.get(language),
        )  # fmt: skip
    started = conversations.start(
        session,
        flow_name=match.trigger.flow,
        guardian=guardian,
        students=students,
        now=now,
        extra=extra,
        origin="reply",
    )
    return f"keyword:{match.trigger.name}" if started else f"keyword_refused:{match.trigger.name}"


def _catch_all(
    session: Session,
    message: Message,
    guardian: Guardian | None,
    conversations: Conversations,
    now: datetime,
) -> str:
    """Nobody's flow is waiting: a person reads it, and the family hears that one will."""
    flow = conversations.library.keywords.catch_all
    if guardian is not None and flow is not None:
        started = conversations.start(
            session, flow_name=flow, guardian=guardian, now=now, origin="reply"
        )
        if started is not None:
            return f"catch_all:{flow}"
    _to_a_person(session, message, guardian, "low", now)
    return "escalated"


def _tell_staff(
    session: Session, message: Message, guardian: Guardian | None, now: datetime
) -> None:
    """A family texted while staff hold their phone: notify whoever works their open case."""
    case = session.scalars(
        select(Escalation)
        .where(Escalation.status == "open", Escalation.phone == message.phone)
        .order_by(Escalation.id.desc())
    ).first()
    if case is not None:
        session.add(
            StaffNotice(escalation_id=case.id, kind="new", level=case.level, created_at=now)
        )
        return
    _to_a_person(session, message, guardian, "low", now, reason="family_texted")


def _to_a_person(
    session: Session,
    message: Message,
    guardian: Guardian | None,
    priority: str,
    now: datetime,
    *,
    reason: str | None = None,
) -> None:
    """A case for staff to read the family's text: from a known guardian or an unknown number."""
    open_escalation(
        session,
        reason=reason or ("family_texted" if guardian else "unknown_number"),
        priority=priority,
        now=now,
        student_id=guardian.student_id if guardian else None,
        guardian_id=guardian.id if guardian else None,
        phone=message.phone,
    )


def _language(
    conversations: Conversations,
    guardian_of: Callable[[], Guardian | None],
    conversation: Conversation | None,
) -> str:
    if conversation is not None:
        return conversation.language
    guardian = guardian_of()
    return conversations.catalogs.choose(guardian.language if guardian else None)
