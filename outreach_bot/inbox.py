"""Texts from families: stored first, exactly once, then answered.

STOP, START and HELP are handled before any flow and never reach one. Anything else goes to
the conversation waiting on that phone, or, when none waits, to a person.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import cast

from sqlalchemy import (
    Connection,
    Insert,
    Table,
    bindparam,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, joinedload

from outreach_bot.conversations import Conversations, active_conversation, end_conversation
from outreach_bot.db import UTCDateTime
from outreach_bot.engine.keywords import KeywordMatch
from outreach_bot.escalations import open_escalation
from outreach_bot.family import attendance_summary, family_context, students_on_phone
from outreach_bot.i18n.detection import detect_switch
from outreach_bot.i18n.languages import own_name
from outreach_bot.i18n.names import names_for
from outreach_bot.messaging.optout import (
    classify_keyword,
    is_opted_out,
    opt_in,
    opt_out,
    read_phones,
)
from outreach_bot.messaging.outbox import queue_text
from outreach_bot.messaging.segments import measure
from outreach_bot.models import Conversation, Escalation, Guardian, Message, StaffNotice, Student
from outreach_bot.models.message import UNANSWERED
from outreach_bot.phones import sender_phone
from outreach_bot.staff.takeover import held_by

log = logging.getLogger(__name__)
CLAIM_REACH = 3  # a claim looks at this many times its limit of texts, for rows held by others


def store_inbound(connection: Connection, form: Mapping[str, str], *, now: datetime) -> int | None:
    """Store a webhook's message raw; its id, or None when this MessageSid was stored before.

    One statement, built once: INSERT ... ON CONFLICT DO NOTHING, so the same message
    arriving twice, even at the same moment, is stored once; the guardian on file for the
    phone, if any, is looked up inside it.
    """
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    if not sid:
        raise ValueError("the webhook has no MessageSid; expected Twilio's form fields")
    body = form.get("Body", "")
    phone = sender_phone(form.get("From", ""))
    size = measure(body)
    statement = _STORE[connection.dialect.name == "postgresql"]
    values = {
        "phone": phone,
        "body": body,
        "provider_sid": sid,
        "segments": size.count,
        "encoding": size.encoding,
        "created_at": now,
        "raw": dict(form),
    }
    found: int | None = connection.execute(statement, values).scalar()
    return found


def _store_statement(postgresql: bool) -> Insert:
    """The webhook's one statement, for each dialect; its values come as bound parameters."""
    messages = cast(Table, Message.__table__)
    guardian_id = (
        select(Guardian.id)
        .where(Guardian.phone == bindparam("phone"))
        .order_by(Guardian.id)
        .limit(1)
        .scalar_subquery()
    )
    insert = postgresql_insert if postgresql else sqlite_insert
    return (
        insert(messages)
        .values(
            direction="inbound",
            phone=bindparam("phone"),
            guardian_id=guardian_id,
            body=bindparam("body"),
            status="received",
            provider_sid=bindparam("provider_sid"),
            segments=bindparam("segments"),
            encoding=bindparam("encoding"),
            attempts=0,
            created_at=bindparam("created_at", type_=UTCDateTime()),
            raw=bindparam("raw", type_=messages.c.raw.type),
        )
        .on_conflict_do_nothing()
        .returning(messages.c.id)
    )


_STORE = {postgresql: _store_statement(postgresql) for postgresql in (False, True)}


def _guardian_for(session: Session, phone: str) -> Guardian | None:
    return session.scalars(
        select(Guardian).where(Guardian.phone == phone).order_by(Guardian.id)
    ).first()


def claim(session: Session, limit: int) -> list[Message]:
    """Claim up to `limit` stored texts to answer in this transaction, oldest first.

    It takes each phone's oldest unanswered text only, and skips rows another transaction
    holds: two workers never answer one family at once, and a family's texts are answered
    in the order they came. `answer` marks each one answered, with the rest of the
    transaction's writes (one UPDATE a row), and the claim is undone if the transaction is.

    Two statements: the oldest unanswered text of each phone, from the small index of
    unanswered texts, then those rows, locked. Kept apart, the work stays linear in the pile
    when thousands wait; the planner's statistics always say that almost nothing waits, and
    it would join the pile against itself, which grows with the square of the pile.
    """
    reach = limit * CLAIM_REACH  # enough to pass over the rows other workers hold
    oldest = session.scalars(_OLDEST, {"limit": reach}).all()
    if not oldest:
        return []
    return list(session.scalars(_LOCK, {"ids": oldest, "limit": limit}))


# The partial index's own predicate, written into these statements rather than bound: a
# prepared statement's generic plan can then use the index instead of reading every text.
_UNANSWERED = text(UNANSWERED)
_OLDEST = (
    select(func.min(Message.id))
    .where(_UNANSWERED)
    .group_by(Message.phone)
    .order_by(func.min(Message.id))
    .limit(bindparam("limit"))
)
_LOCK = (
    select(Message)
    .where(Message.id.in_(bindparam("ids", expanding=True)), _UNANSWERED)
    .order_by(Message.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
_WAITING_BEHIND = (
    select(Message.id)
    .where(_UNANSWERED, Message.phone.in_(bindparam("phones", expanding=True)))
    .limit(1)
)


def waiting_behind(session: Session, claimed: Sequence[Message]) -> bool:
    """True when a family in a claimed batch has sent another text, which waited its turn."""
    phones = sorted({message.phone for message in claimed})
    return session.scalar(_WAITING_BEHIND, {"phones": phones}) is not None


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


def prepare(session: Session, messages: Sequence[Message]) -> dict[str, Conversation]:
    """Read what answering a batch needs in two SELECTs, instead of a few for each text.

    Returns the conversation running on each phone, with its student and school (for the
    resource sheets); the phones' rows (opted out? held by staff?) stay in the session.
    """
    phones = {message.phone for message in messages}
    running = {
        conversation.phone: conversation  # the newest, where (wrongly) there are two
        for conversation in session.scalars(
            select(Conversation)
            .options(joinedload(Conversation.student).joinedload(Student.school))
            .where(Conversation.phone.in_(phones), Conversation.status == "active")
            .order_by(Conversation.id)
        )
    }
    read_phones(session, phones)
    return running


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
    keyword = classify_keyword(message.body)
    if keyword is not None:
        return _opt_keyword(session, keyword, message, guardian_of(), language, conversations, now)
    if is_opted_out(session, message.phone):
        return "ignored_opted_out"
    if held_by(session, message.phone) is not None:
        # The person holding it answers, not the bot.
        _tell_staff(session, message, guardian_of(), now)
        return "held_by_staff"
    match = _keyword_trigger(conversations, message.body)
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
    """Load every catalog and build the keyword patterns now, not on a family's first text."""
    _keyword_trigger(conversations, "warm up")


def _keyword_trigger(conversations: Conversations, body: str) -> KeywordMatch | None:
    catalogs = conversations.catalogs
    return conversations.library.keywords.match(
        body, catalogs.every(), names_for(tuple(catalogs.languages()))
    )


def _opt_keyword(
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


def _open_conversations(session: Session, phone: str) -> list[Conversation]:
    """Running and scheduled conversations on a phone."""
    return list(
        session.scalars(
            select(Conversation).where(
                Conversation.phone == phone, Conversation.status.in_(("active", "scheduled"))
            )
        )
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
