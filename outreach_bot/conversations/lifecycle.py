"""A conversation's life on a phone: who can be reached, the one that runs, its end."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, inspect, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from outreach_bot.db import among
from outreach_bot.messaging.optout import is_opted_out, is_undeliverable
from outreach_bot.models import Conversation, Guardian, Message


def reachable(session: Session, guardian: Guardian) -> bool:
    """The guardian agreed to texts and the phone is neither opted out nor undeliverable."""
    return (
        guardian.sms_consent
        and not is_opted_out(session, guardian.phone)
        and not is_undeliverable(session, guardian.phone)
    )


def active_conversation(session: Session, phone: str) -> Conversation | None:
    """The conversation running on this phone, if any (there is at most one)."""
    return session.scalars(
        select(Conversation)
        .where(Conversation.phone == phone, Conversation.status == "active")
        .order_by(Conversation.id.desc())
    ).first()


@dataclass(frozen=True)
class Opened:
    """A conversation a batch wrote as a plain row: what `OnPhones` asks of it."""

    phone: str
    flow: str
    status: str
    started_at: datetime


@dataclass
class OnPhones:
    """The conversations on some family phones that decide whether a flow may start there:
    the one running, and those started since the district's midnight. Read for a batch of
    phones in one SELECT and kept up to date as the batch starts flows, so that each check
    answers as a query after every start would (its objects are the session's own: a
    conversation the batch ends is seen ended)."""

    midnight: datetime
    conversations: dict[str, list[Conversation | Opened]] = field(default_factory=dict)

    @classmethod
    def read(cls, session: Session, phones: Iterable[str], midnight: datetime) -> OnPhones:
        """The running and today's conversations of these phones."""
        found = cls(midnight)
        found.read_again(session, phones)
        return found

    def read_again(self, session: Session, phones: Iterable[str]) -> None:
        """Read these phones afresh (after a step began a conversation of its own there)."""
        wanted = sorted(set(phones))
        for phone in wanted:
            self.conversations[phone] = []
        rows = session.scalars(
            select(Conversation)
            .where(
                among(session, Conversation.phone, wanted),
                or_(
                    Conversation.status == "active",
                    and_(
                        Conversation.status != "scheduled",
                        Conversation.started_at >= self.midnight,
                    ),
                ),
            )
            .order_by(Conversation.id)
        )
        for conversation in rows:
            self.add(conversation)

    def add(self, conversation: Conversation | Opened) -> None:
        """A conversation begun on its phone."""
        self.conversations.setdefault(conversation.phone, []).append(conversation)

    def busy(self, phone: str) -> bool:
        """A conversation runs on the phone (as `active_conversation` would find)."""
        return any(c.status == "active" for c in self.conversations.get(phone, ()))

    def had_today(self, phone: str, flow: str) -> bool:
        """The phone had a conversation of this flow today (one that was not only scheduled)."""
        return any(
            c.flow == flow and c.status != "scheduled" and c.started_at >= self.midnight
            for c in self.conversations.get(phone, ())
        )


def end_conversation(conversation: Conversation, reason: str, now: datetime) -> None:
    """Close a conversation for good, keeping why."""
    conversation.status = "ended"
    conversation.end_reason = reason
    conversation.ended_at = now
    conversation.due_at = None


def conversation_of(session: Session, message_id: int) -> Conversation | None:
    """The conversation an outbound text belongs to, if any."""
    message = session.get(Message, message_id)
    if message is None or not message.conversation_id:
        return None
    return session.get(Conversation, message.conversation_id)


# What a step may change on a conversation.
_STEP_COLUMNS = ("status", "state", "due_at", "ended_at", "end_reason")


def write_whole(conversation: Conversation) -> None:
    """Have the flush write every column a step may change, changed or not.

    The ORM updates a batch's conversations with one executemany for each run of rows whose
    changed columns are alike; where a step ends one family's conversation and moves
    another's on, that is a statement a row. Written whole, they all share one statement.
    """
    state = inspect(conversation)
    if state.persistent:
        for column in _STEP_COLUMNS:
            if column in state.dict:  # loaded (a row just inserted may not be)
                flag_modified(conversation, column)
