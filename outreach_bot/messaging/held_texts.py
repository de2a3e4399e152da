"""Held texts: a same-day text whose day has passed, and the district's texts a family's own
text releases.

Quiet hours hold what the district starts until morning. Two things can then go wrong, and
this module is where the outbox prevents them: a text that says "today" going out on the
next day, and an answer to the family arriving before the opening it follows.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from outreach_bot.db import per_transaction, rows_changed
from outreach_bot.messaging.quiet_hours import QuietHours
from outreach_bot.messaging.same_day import DAY_PASSED, decide, local_day
from outreach_bot.messaging.segments import measure
from outreach_bot.models import Message
from outreach_bot.staff.district_settings import same_day_choice

log = logging.getLogger(__name__)
# session.info key: each phone's unsent district texts, read once a transaction (look_up).
_HELD = "outreach_bot.held_texts"


def _unsent(message_id: int) -> tuple[ColumnElement[bool], ...]:
    return (
        Message.id == message_id,
        Message.status.in_(("pending", "queued")),
        Message.provider_sid.is_(None),
    )


def still_true(session: Session, message: Message, now: datetime, quiet: QuietHours) -> bool:
    """Reword a same-day text whose day has passed, or drop it, as the district chose.

    False when this job dropped it. Each text of an opening decides alone, on the same inputs
    (its day, today, the district's choice), so the question that followed a dropped
    opening is dropped with it, never sent alone.
    """
    assert message.valid_on is not None
    decision = decide(
        message.valid_on,
        local_day(now, quiet.tz),
        same_day_choice(session),
        has_later=message.later_body is not None,
    )
    if decision == "drop":
        dropped = rows_changed(
            session,
            update(Message)
            .where(*_unsent(message.id))
            .values(status="suppressed", error_code=DAY_PASSED, updated_at=now),
        )
        if dropped != 1:
            return True  # another job took it meanwhile: its claim will find it gone
        log.info("message %s dropped: the day its words speak of has passed", message.id)
        return False
    body = message.body
    if decision == "reword":
        assert message.later_body is not None
        body = message.later_body
        log.info("message %s reworded: the day its words speak of has passed", message.id)
    cost = measure(body)
    # From now on its words are true whenever it goes: nothing is decided twice.
    session.execute(
        update(Message)
        .where(*_unsent(message.id))
        .values(
            body=body,
            segments=cost.count,
            encoding=cost.encoding,
            valid_on=None,
            later_body=None,
            updated_at=now,
        )
    )
    session.refresh(message)
    return True


def look_up(session: Session, phones: Collection[str]) -> None:
    """Read the district's unsent texts to these phones, in one SELECT, for `release`.

    The inbox calls it once for a batch of texts, rather than once for each answer.
    """
    held = per_transaction(session, _HELD, dict[str, list[Message]])
    wanted = sorted(set(phones) - held.keys())
    if not wanted:
        return
    for phone in wanted:
        held[phone] = []
    # No autoflush: the transaction's own new rows are not the held ones, and flushing them
    # here would undo their one insert at the commit.
    with session.no_autoflush:
        for message in session.scalars(
            select(Message)
            .where(
                Message.direction == "outbound",
                Message.phone.in_(wanted),
                Message.origin == "district",
                Message.status.in_(("pending", "queued")),
                Message.provider_sid.is_(None),
            )
            .order_by(Message.id)
        ):
            held[message.phone].append(message)


def release(session: Session, phone: str, now: datetime) -> list[Message]:
    """The family wrote to us: the district's unsent texts to them go now, oldest first.

    A direct answer goes out at once, whatever the hour; the texts the district had queued
    or held for quiet hours (the opening, its question) become part of the exchange the
    family started, and go just ahead of the answer, so it never arrives before them.
    Returns them (once a transaction), already marked queued, to be enqueued with the answer.
    """
    look_up(session, [phone])
    held = per_transaction(session, _HELD, dict[str, list[Message]])
    found, held[phone] = held[phone], []
    if not found:
        return []
    # Marked queued here, in one guarded statement: a send job may have claimed one since it
    # was read, and a row already with the provider must never be made sendable again.
    taken = set(
        session.scalars(
            update(Message)
            .where(
                Message.id.in_([message.id for message in found]),
                Message.status.in_(("pending", "queued")),
                Message.provider_sid.is_(None),
            )
            .values(origin="reply", status="queued", not_before=None, queued_at=now, updated_at=now)
            .returning(Message.id)
            .execution_options(synchronize_session="fetch")
        )
    )
    released = [message for message in found if message.id in taken]
    if released:
        log.info("released %d held texts ahead of an answer", len(released))
    return released
