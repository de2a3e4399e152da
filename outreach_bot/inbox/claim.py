"""Claiming stored texts to answer: each phone's oldest first, never two workers on one family."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session, joinedload

from outreach_bot.messaging.optout import read_phones
from outreach_bot.models import Conversation, Message, Student
from outreach_bot.models.message import UNANSWERED

CLAIM_REACH = 3  # a claim looks at this many times its limit of texts, for rows held by others


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
