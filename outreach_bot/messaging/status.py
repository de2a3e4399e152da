"""Delivery reports: store each status callback raw, then apply it to its message."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from outreach_bot.escalations import open_escalation
from outreach_bot.messaging.optout import mark_undeliverable, opt_out
from outreach_bot.models import Guardian, Message, StatusCallback
from outreach_bot.models.message import FINAL_STATUSES

log = logging.getLogger(__name__)

# How far along the provider's pipeline a status is; a message never moves to a lower rank.
STATUS_RANK = {
    "pending": 0,
    "queued": 1,
    "accepted": 1,
    "scheduled": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "read": 5,
    "undelivered": 4,
    "failed": 4,
    "canceled": 4,
}
FAILURE_STATUSES = frozenset({"undelivered", "failed"})
UNREACHABLE_RETRY_AFTER = timedelta(hours=1)  # 30003: the phone is off or out of coverage
ORPHAN_AFTER = timedelta(days=2)  # a callback whose SID never matched a message

EffectKind = Literal["opted_out", "retry", "undeliverable", "alert", "failed"]


@dataclass(frozen=True)
class StatusEffect:
    """Something a delivery report caused beyond a status change (ids only, no phone numbers)."""

    kind: EffectKind
    message_id: int
    code: str
    retry_message_id: int | None = None
    escalation_id: int | None = None


def store_status_callback(
    session: Session, form: Mapping[str, str], *, now: datetime
) -> StatusCallback | None:
    """Store a callback raw; None when this (MessageSid, MessageStatus) pair was already stored."""
    sid = form.get("MessageSid") or form.get("SmsSid")
    status = form.get("MessageStatus") or form.get("SmsStatus")
    if not sid or not status:
        raise ValueError("A status callback needs MessageSid and MessageStatus form fields.")
    # The columns are short; the payload keeps the provider's words whole.
    values = {
        "message_sid": sid[:64],
        "status": status.lower()[:16],
        "error_code": (form.get("ErrorCode") or "")[:16] or None,
        "payload": dict(form),
        "received_at": now,
    }
    # INSERT ... ON CONFLICT DO NOTHING is atomic on both databases, so two deliveries of the
    # same callback racing each other store one row and neither fails.
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    new_id = session.scalar(
        insert(StatusCallback)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["message_sid", "status"])
        .returning(StatusCallback.id)
    )
    return None if new_id is None else session.get(StatusCallback, new_id)


def apply_status_callbacks(session: Session, *, now: datetime) -> list[StatusEffect]:
    """Apply every stored callback whose message is known; return what they caused.

    Two workers may apply callbacks at once, each its own (the callbacks are claimed with
    SKIP LOCKED). Each message is locked before it is read, so a worker applying `sent`
    waits for one applying `delivered` to commit and then sees `delivered`: without the
    lock both read `queued`, and the later commit won (a delivered text ended `sent`, or a
    delivered text's late `failed/30005` marked a family's phone undeliverable).
    """
    claimed = session.execute(
        select(StatusCallback, Message.id)
        .join(Message, Message.provider_sid == StatusCallback.message_sid)
        .where(StatusCallback.processed_at.is_(None), Message.direction == "outbound")
        .order_by(StatusCallback.id)
        .with_for_update(of=StatusCallback, skip_locked=True)
    ).all()
    messages = _lock_messages(session, {message_id for _, message_id in claimed})
    effects: list[StatusEffect] = []
    for callback, message_id in claimed:
        effects.extend(_apply(session, callback, messages[message_id], now=now))
        callback.processed_at = now
    _expire_orphans(session, now)
    return effects


def _lock_messages(session: Session, ids: set[int]) -> dict[int, Message]:
    """The messages, locked and read afresh (their committed state, not the session's copy).

    Locked in id order, so two workers that share several messages never deadlock.
    """
    if not ids:
        return {}
    locked = session.scalars(
        select(Message)
        .where(Message.id.in_(sorted(ids)))
        .order_by(Message.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {message.id: message for message in locked}


def _apply(
    session: Session, callback: StatusCallback, message: Message, *, now: datetime
) -> list[StatusEffect]:
    if message.status in FINAL_STATUSES:
        return []  # a final state is never left, whatever arrives late
    new, old = callback.status, message.status
    if STATUS_RANK.get(new, -1) <= STATUS_RANK.get(old, -1) and new not in FINAL_STATUSES:
        return []  # out of order: never move backwards
    message.status, message.updated_at = new, now
    if new not in FAILURE_STATUSES:
        return []
    code = callback.error_code or ""
    message.error_code = code or None
    # Effects run only on the transition into a failure, so each happens once per message.
    return _failure_effects(session, message, code, now=now)


def _failure_effects(
    session: Session, message: Message, code: str, *, now: datetime
) -> list[StatusEffect]:
    if code == "21610":
        opt_out(session, message.phone, source="provider_21610", now=now)
        return [StatusEffect("opted_out", message.id, code)]
    if code == "30003":
        retry = _retry_once(session, message, now=now)
        return [] if retry is None else [StatusEffect("retry", message.id, code, retry.id)]
    if code in ("30005", "30006"):
        mark_undeliverable(session, message.phone, code=code, now=now)
        escalation_id = _escalate_for_call(session, message, now=now)
        return [StatusEffect("undeliverable", message.id, code, escalation_id=escalation_id)]
    if code == "30007":
        log.warning("ALERT: carrier filtered message %s as spam (error %s)", message.id, code)
        return [StatusEffect("alert", message.id, code), StatusEffect("failed", message.id, code)]
    return [StatusEffect("failed", message.id, code)]


def _retry_once(session: Session, message: Message, *, now: datetime) -> Message | None:
    if message.retry_of_id is not None:
        return None  # a retry is never retried again
    existing = session.scalar(select(Message.id).where(Message.retry_of_id == message.id))
    if existing is not None:
        return None
    # The send job re-checks opt-out and quiet hours when the retry's time comes.
    retry = Message(
        direction="outbound",
        phone=message.phone,
        body=message.body,
        language=message.language,
        origin=message.origin,
        purpose=message.purpose,
        guardian_id=message.guardian_id,
        conversation_id=message.conversation_id,
        segments=message.segments,
        encoding=message.encoding,
        status="pending",
        attempts=0,
        retry_of_id=message.id,
        not_before=now + UNREACHABLE_RETRY_AFTER,
        # A same-day text stays one: retried after its day, it is reworded or dropped.
        valid_on=message.valid_on,
        later_body=message.later_body,
        created_at=now,
        updated_at=now,
    )
    session.add(retry)
    session.flush()
    return retry


def _escalate_for_call(session: Session, message: Message, *, now: datetime) -> int:
    guardian = session.get(Guardian, message.guardian_id) if message.guardian_id else None
    escalation = open_escalation(
        session,
        reason="undeliverable",
        priority="high",
        now=now,
        student_id=guardian.student_id if guardian else None,
        guardian_id=message.guardian_id,
        conversation_id=message.conversation_id,
        phone=message.phone,
    )
    return escalation.id


def _expire_orphans(session: Session, now: datetime) -> None:
    orphans = session.scalars(
        select(StatusCallback).where(
            StatusCallback.processed_at.is_(None), StatusCallback.received_at <= now - ORPHAN_AFTER
        )
    ).all()
    for callback in orphans:
        callback.processed_at = now
    if orphans:
        log.warning("set aside %d status callbacks that matched no message", len(orphans))
