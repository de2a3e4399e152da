"""The outbox: every outbound text is a row first, then a job, then a call to the provider."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Table,
    Update,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from outreach_bot.channels import Channel, ChannelError
from outreach_bot.db import Database, UTCDateTime, per_transaction, rows_changed
from outreach_bot.i18n.direction import for_reading
from outreach_bot.messaging import held_texts
from outreach_bot.messaging.optout import opt_out, phone_number
from outreach_bot.messaging.quiet_hours import QuietHours
from outreach_bot.messaging.same_day import DAY_PASSED, local_day
from outreach_bot.messaging.segments import measure
from outreach_bot.models import Message, PhoneNumber
from outreach_bot.queue import Job, JobQueue, Lane

log = logging.getLogger(__name__)

Origin = Literal["district", "reply"]
SEND_JOB = "outreach_bot.jobs.send_messages"
# Rows one send job sends, in order (messaging/sending.py): a job costs a worker more than
# a text does, so texts go in batches, each row still claimed by itself.
SEND_BATCH = 50
# The one purpose that may reach an opted-out phone: the confirmation that STOP worked.
OPT_OUT_CONFIRMATION = "opt_out_confirmation"
# Statuses a row has while it is still ours to send (never handed to the provider).
UNSENT = ("pending", "queued")
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(minutes=30)
# Texts one send job hands to the provider at once (to different families): each waits
# mostly on the provider's answer.
SEND_THREADS = 4
# Rows relay() enqueues before marking them queued in one statement (a bounded IN list).
RELAY_CHUNK = 500
# session.info key: the outbox rows queue_text wrote in the current transaction.
_WRITTEN = "outreach_bot.outbox_written"
# session.info key: the ids of held texts released in the current transaction (held_texts).
_RELEASED = "outreach_bot.outbox_released"


def send_job_id(message_ids: Sequence[int]) -> str:
    """The RQ job id for sending some rows, named after the first and how many: a second
    enqueue of it is harmless (each row is claimed before it is sent)."""
    first, count = message_ids[0], len(message_ids)
    return f"send-message-{first}" if count == 1 else f"send-messages-{first}-{count}"


def queue_text(
    session: Session,
    *,
    phone: str,
    body: str,
    language: str | None,
    origin: Origin,
    purpose: str,
    now: datetime,
    quiet: QuietHours,
    guardian_id: int | None = None,
    conversation_id: int | None = None,
    bypass_opt_out: bool = False,
    flush: bool = True,
    valid_on: date | None = None,
    later_body: str | None = None,
) -> Message:
    """Write an outbound text to the outbox (the row is the queue intent; nothing is enqueued).

    With `flush=False` the row is inserted with the rest of the transaction's writes (its id
    is known after the commit), for callers that do not need the id at once. Every text
    passes here with its language, so this is where a right-to-left text gets the marks
    that make it read right to left (and they are counted in its segments). A same-day text
    gives `valid_on`, the district's date its words are true on, and `later_body`, its words
    for a later day (None: it has none, and is dropped after its day).
    """
    if origin not in ("district", "reply"):
        raise ValueError(f"origin must be 'district' or 'reply', not {origin!r}.")
    if not body.strip():
        raise ValueError("A text needs a body; this one is empty.")
    if bypass_opt_out and purpose != OPT_OUT_CONFIRMATION:
        raise ValueError(
            f"Only the STOP confirmation may bypass an opt-out; use purpose="
            f"{OPT_OUT_CONFIRMATION!r} for it, not {purpose!r}."
        )
    body = for_reading(body, language)
    cost = measure(body)
    message = Message(
        direction="outbound",
        phone=phone,
        body=body,
        language=language,
        origin=origin,
        purpose=purpose,
        guardian_id=guardian_id,
        conversation_id=conversation_id,
        segments=cost.count,
        encoding=cost.encoding,
        status="pending",
        attempts=0,
        created_at=now,
        updated_at=now,
        valid_on=valid_on,
        later_body=for_reading(later_body, language) if later_body is not None else None,
    )
    suppression = _suppression(session, phone, purpose)
    if suppression is not None:
        message.status, message.error_code = "suppressed", suppression
    elif origin == "district" and quiet.contains(now):
        message.not_before = quiet.next_send_time(now)
    elif origin == "reply" and purpose != OPT_OUT_CONFIRMATION:
        # The family wrote: the district's held texts to them go first (see held_texts).
        released = held_texts.release(session, phone, now)
        _written(session).extend(released)
        per_transaction(session, _RELEASED, set[int]).update(row.id for row in released)
    session.add(message)
    _written(session).append(message)
    if flush:
        session.flush()
    return message


def district_text_row(
    *,
    phone: str,
    body: str,
    language: str | None,
    purpose: str,
    now: datetime,
    not_before: datetime | None,
    guardian_id: int | None,
    conversation_id: int | None,
    valid_on: date | None = None,
    later_body: str | None = None,
) -> dict[str, Any]:
    """`queue_text`'s row for a district text to a phone known to take texts, as plain
    values for `db.insert_rows` (a batch of many texts, no ORM object each).

    The caller has checked the phone (neither opted out nor undeliverable) and gives
    `not_before`: quiet hours' end when they hold the district's texts now, else None.
    """
    if not body.strip():
        raise ValueError("A text needs a body; this one is empty.")
    body = for_reading(body, language)
    cost = measure(body)
    return {
        "direction": "outbound",
        "phone": phone,
        "body": body,
        "language": language,
        "origin": "district",
        "purpose": purpose,
        "guardian_id": guardian_id,
        "conversation_id": conversation_id,
        "segments": cost.count,
        "encoding": cost.encoding,
        "status": "pending",
        "attempts": 0,
        "not_before": not_before,
        "created_at": now,
        "updated_at": now,
        "valid_on": valid_on,
        "later_body": for_reading(later_body, language) if later_body is not None else None,
    }


def _written(session: Session) -> list[Message]:
    return per_transaction(session, _WRITTEN, list[Message])


def queued_in(session: Session, now: datetime) -> list[Message]:
    """Mark the due rows queue_text wrote in this transaction queued, and return them.

    Call it before the commit, and `enqueue_queued` right after: the rows are written queued,
    so no second transaction marks them once their jobs are enqueued. A crash in between
    leaves them queued without a job, and `sweep_stuck` enqueues them again. A row not due
    (quiet hours) stays pending for the tick's `relay`.
    """
    released = per_transaction(session, _RELEASED, set[int])
    due = [
        row
        for row in _written(session)
        if row.status == "pending" and (row.not_before is None or row.not_before <= now)
    ]
    for row in due:
        row.status, row.queued_at, row.updated_at = "queued", now, now
    # Held texts released for an answer were marked queued as they were released; they go in
    # the order written, each just ahead of its answer.
    marked = {id(row) for row in due}
    return [row for row in _written(session) if id(row) in marked or row.id in released]


def enqueue_queued(queue: JobQueue, rows: Sequence[Message]) -> int:
    """Enqueue send jobs for the rows `queued_in` returned, once its transaction committed."""
    found = [(row.id, row.origin) for row in rows if row.id is not None]
    for start in range(0, len(found), RELAY_CHUNK):
        queue.enqueue_many(send_jobs(found[start : start + RELAY_CHUNK]))
    return len(found)


def _suppression(session: Session, phone: str, purpose: str | None) -> str | None:
    number = phone_number(session, phone)
    if number is None:
        return None
    if number.undeliverable_at is not None:
        return "undeliverable"
    if purpose != OPT_OUT_CONFIRMATION and number.opted_out_at is not None:
        return "opted_out"
    return None


def _is_due(now: datetime) -> ColumnElement[bool]:
    return or_(Message.not_before.is_(None), Message.not_before <= now)


def relay(db: Database, queue: JobQueue, now: datetime) -> int:
    """Enqueue a send job for every due pending row; return how many were enqueued."""
    with db.transaction() as session:
        rows = session.execute(
            select(Message.id, Message.origin)
            .where(Message.direction == "outbound", Message.status == "pending", _is_due(now))
            .order_by(Message.id)
        ).all()
    _enqueue_and_mark(db, queue, [(row.id, row.origin) for row in rows], now)
    return len(rows)


def send_jobs(rows: Sequence[tuple[int, str | None]]) -> list[Job]:
    """The jobs that send these (id, origin) rows, in order, up to SEND_BATCH a job; answers
    to a family's own texts go in the replies lane, ahead of what the district starts."""
    lanes: dict[Lane, list[int]] = {"replies": [], "district": []}
    for message_id, origin in rows:
        lanes["replies" if origin == "reply" else "district"].append(message_id)
    return [
        Job(SEND_JOB, (batch,), send_job_id(batch), lane)
        for lane, ids in lanes.items()
        for batch in (ids[start : start + SEND_BATCH] for start in range(0, len(ids), SEND_BATCH))
    ]


def _enqueue_and_mark(
    db: Database, queue: JobQueue, rows: Sequence[tuple[int, str | None]], now: datetime
) -> None:
    """Enqueue a send job for each (id, origin), then mark the rows queued."""
    for start in range(0, len(rows), RELAY_CHUNK):
        chunk = rows[start : start + RELAY_CHUNK]
        # Enqueue first, then mark: a crash in between only means a second, harmless enqueue.
        queue.enqueue_many(send_jobs(chunk))
        # One transaction marks the chunk (not one per row); still pending and due only,
        # since an inline job may already have sent a row or held it. The rows are locked
        # in id order, skipping any another relay or a send job holds: that one settles
        # them, and this relay never waits on it (two relays marking the same rows in
        # different orders deadlocked: the scan's own and a worker's tick).
        marked = (
            select(Message.id)
            .where(
                Message.id.in_([message_id for message_id, _ in chunk]),
                Message.status == "pending",
                _is_due(now),
            )
            .order_by(Message.id)
            .with_for_update(skip_locked=True)
        )
        with db.transaction() as session:
            session.execute(
                update(Message)
                .where(Message.id.in_(marked.scalar_subquery()))
                .values(status="queued", queued_at=now, updated_at=now)
                .execution_options(synchronize_session=False)
            )


def sweep_stuck(
    db: Database, queue: JobQueue, now: datetime, older_than: timedelta = timedelta(minutes=10)
) -> int:
    """Enqueue again every row left in 'queued' for too long (its job was lost)."""
    with db.transaction() as session:
        rows = session.execute(
            select(Message.id, Message.origin)
            .where(
                Message.direction == "outbound",
                Message.status == "queued",
                Message.provider_sid.is_(None),
                Message.queued_at <= now - older_than,
            )
            .order_by(Message.id)
        ).all()
    for start in range(0, len(rows), RELAY_CHUNK):
        chunk = [(row.id, row.origin) for row in rows[start : start + RELAY_CHUNK]]
        queue.enqueue_many(send_jobs(chunk))
        with db.transaction() as session:
            session.execute(
                update(Message)
                .where(Message.id.in_([message_id for message_id, _ in chunk]))
                .where(Message.status == "queued")
                .values(queued_at=now, updated_at=now)
                .execution_options(synchronize_session=False)
            )
    if rows:
        log.warning("re-enqueued %d outbound messages stuck in 'queued'", len(rows))
    return len(rows)


def retry_delay(attempts: int, jitter: Callable[[], float] = random.random) -> timedelta:
    """Exponential backoff after `attempts` tries, capped, with half of it random."""
    ceiling = min(RETRY_BASE * (1 << min(max(attempts - 1, 0), 20)), RETRY_CAP)
    return ceiling / 2 + ceiling / 2 * jitter()


def deliver(
    db: Database,
    channel: Channel,
    message_id: int,
    *,
    now: datetime,
    quiet: QuietHours,
    status_callback_url: str | None,
    max_attempts: int,
) -> str:
    """Send one row (a batch of one); return what happened (see `deliver_batch`)."""
    outcomes = deliver_batch(
        db,
        channel,
        [message_id],
        now=now,
        quiet=quiet,
        status_callback_url=status_callback_url,
        max_attempts=max_attempts,
    )
    return outcomes[message_id]


def deliver_batch(
    db: Database,
    channel: Channel,
    message_ids: Sequence[int],
    *,
    now: datetime,
    quiet: QuietHours,
    status_callback_url: str | None,
    max_attempts: int,
    room: Callable[[int], bool] = lambda segments: True,
) -> dict[int, str]:
    """The send job: check, claim, hand to the provider, record; each row's outcome.

    Each row is claimed by the claim statement, all of them in one transaction, committed
    before any provider call: a second run of the job finds them in 'sending' and leaves
    them alone, so no family gets a text twice. Should the process die, the rows it had
    claimed wait in 'sending' for reconciliation (messaging/reconcile.py), which looks each
    up at the provider before it is ever sent again. What the provider took is recorded
    for all the rows in one transaction too.

    `room(segments)` is asked between a row's claim and its provider call, so that the
    sender's rate counts the text the moment before it goes (messaging/sending.py): False
    gives back the claims of the rows not yet handed over, untouched, and they get no
    outcome (they are left for another job). Up to SEND_THREADS texts, to different
    phones, are with the provider at once; one phone's texts go in order.
    """
    # Outcomes: sent, retry, failed, opted_out (21610), suppressed, held (quiet hours),
    # not_due, in_flight (maybe with the provider: messaging/reconcile.py looks it up),
    # done (already sent or final), missing,
    # day_passed (a same-day text dropped after its day, by the district's choice).
    outcomes: dict[int, str] = {}
    claimed = _claim_all(db, message_ids, now=now, quiet=quiet)
    for message_id in message_ids:
        if message_id in claimed:
            continue
        # Not sendable now: read the row to say why, and act on it (or claim it after all,
        # when it changed in between).
        with db.transaction() as session:
            outcome = _check_and_claim(session, message_id, now=now, quiet=quiet)
            if outcome != "claimed":
                outcomes[message_id] = outcome
                continue
            message = session.get_one(Message, message_id)
            claimed[message_id] = message.phone, message.body, message.attempts, message.segments
    sent: list[dict[str, object]] = []
    attempted: set[int] = set()
    lock, no_room = threading.Lock(), threading.Event()

    def send_in_turn(turn: list[int]) -> None:
        """Send one phone's rows, in order, each once there is room for it."""
        for message_id in turn:
            phone, body, attempts, segments = claimed[message_id]
            if no_room.is_set() or not room(segments or 1):
                no_room.set()
                return
            with lock:
                attempted.add(message_id)
            # Any exception but ChannelError leaves this row in 'sending': whether the
            # provider took the text is unknown, so it waits for reconciliation.
            try:
                result = channel.send(phone, body, status_callback_url)
            except ChannelError as error:
                with db.transaction() as session:
                    outcome = _record_failure(
                        session,
                        message_id,
                        error,
                        now=now,
                        attempts=attempts,
                        max_attempts=max_attempts,
                    )
                with lock:
                    outcomes[message_id] = outcome
                continue
            with lock:
                sent.append(
                    {
                        "message_id": message_id,
                        "status": result.status[:16],
                        "provider_sid": result.sid,
                        "now": now,
                    }
                )
                outcomes[message_id] = "sent"
            log.info("message %s handed to %s (attempt %s)", message_id, channel.name, attempts)

    # A family's texts go one after another, in order; different families' side by side,
    # since most of a text's time is spent waiting for the provider's answer.
    turns: dict[str, list[int]] = {}
    for message_id in message_ids:
        if message_id in claimed:
            turns.setdefault(claimed[message_id][0], []).append(message_id)
    try:
        if len(turns) < 2 or SEND_THREADS < 2:
            for turn in turns.values():
                send_in_turn(turn)
        else:
            with ThreadPoolExecutor(min(SEND_THREADS, len(turns))) as pool:
                for done in [pool.submit(send_in_turn, turn) for turn in turns.values()]:
                    done.result()
    finally:
        unsent = [message_id for message_id in claimed if message_id not in attempted]
        with db.engine.begin() as connection:
            if sent:
                connection.execute(_RECORD_SENT, sent)
            if unsent:  # never handed to the provider: queued again, as they were
                connection.execute(_UNCLAIM, [{"message_id": message_id} for message_id in unsent])
    return outcomes


def _claim_all(
    db: Database, message_ids: Sequence[int], *, now: datetime, quiet: QuietHours
) -> dict[int, tuple[str, str, int, int | None]]:
    """Claim each row that may be sent now, in one transaction; by id, what `_claim` read."""
    claimed = {}
    with db.engine.begin() as connection:
        for message_id in message_ids:
            found = _claim(connection, message_id, now=now, quiet=quiet)
            if found is not None:
                claimed[message_id] = found
    return claimed


# The send job's two statements run as plain Core, built once (they run for every text).
_MESSAGES = cast(Table, Message.__table__)


def _claim_statement(in_quiet_hours: bool) -> Update:
    """The claim, built once for each case: its values come as :message_id and :now."""
    messages, numbers = _MESSAGES.c, PhoneNumber.__table__.c
    now = bindparam("now", type_=UTCDateTime())
    today = bindparam("today", type_=Date())
    blocked = exists().where(
        numbers.phone == messages.phone,
        or_(
            numbers.undeliverable_at.is_not(None),
            and_(
                numbers.opted_out_at.is_not(None),
                func.coalesce(messages.purpose, "") != OPT_OUT_CONFIRMATION,
            ),
        ),
    )
    conditions = [
        messages.id == bindparam("message_id"),
        messages.direction == "outbound",
        messages.status.in_(UNSENT),
        messages.provider_sid.is_(None),
        or_(messages.not_before.is_(None), messages.not_before <= now),
        # A same-day text past its day is reworded or dropped first (_check_and_claim).
        or_(messages.valid_on.is_(None), messages.valid_on >= today),
        ~blocked,
    ]
    if in_quiet_hours:  # a district text waits; a direct answer to the family goes out
        conditions.append(or_(messages.origin.is_(None), messages.origin != "district"))
    return (
        update(_MESSAGES)
        .where(*conditions)
        .values(status="sending", attempts=messages.attempts + 1, updated_at=now)
        .returning(messages.phone, messages.body, messages.attempts, messages.segments)
    )


_CLAIM = {quiet: _claim_statement(quiet) for quiet in (False, True)}
# A claim given back before the provider was called: queued again, as it was.
_UNCLAIM = (
    update(_MESSAGES)
    .where(
        _MESSAGES.c.id == bindparam("message_id"),
        _MESSAGES.c.status == "sending",
        _MESSAGES.c.provider_sid.is_(None),
    )
    .values(status="queued", attempts=_MESSAGES.c.attempts - 1)
)
_RECORD_SENT = (
    update(_MESSAGES)
    .where(_MESSAGES.c.id == bindparam("message_id"))
    .values(
        status=bindparam("status"),
        provider_sid=bindparam("provider_sid"),
        sent_at=bindparam("now", type_=UTCDateTime()),
        updated_at=bindparam("now", type_=UTCDateTime()),
        error_code=None,
    )
)


def _claim(
    connection: Connection, message_id: int, *, now: datetime, quiet: QuietHours
) -> tuple[str, str, int, int | None] | None:
    """Claim a row that may be sent now, in one statement; (phone, body, attempts,
    segments) or None.

    The statement holds every check the send job makes before the provider call: an unsent
    outbound row, due, not a district text inside quiet hours, not a same-day text past its
    day, and a phone neither undeliverable nor opted out (but for the STOP confirmation).
    None means "look closer".
    """
    statement = _CLAIM[quiet.contains(now)]
    values = {"message_id": message_id, "now": now, "today": local_day(now, quiet.tz)}
    row = connection.execute(statement, values).first()
    return None if row is None else (row.phone, row.body, row.attempts, row.segments)


def _check_and_claim(session: Session, message_id: int, *, now: datetime, quiet: QuietHours) -> str:
    message = session.get(Message, message_id)
    if message is None or message.direction != "outbound":
        log.warning("send job for message %s found no outbound message", message_id)
        return "missing"
    if message.status == "sending":
        # A job that crashed after claiming may have reached the provider; sending again could
        # text the family twice, so the row waits for reconciliation with the provider instead.
        log.warning("message %s is already with the provider; left for reconciliation", message_id)
        return "in_flight"
    if message.status not in UNSENT or message.provider_sid is not None:
        return "done"
    unsent = (Message.id == message_id, Message.status.in_(UNSENT), Message.provider_sid.is_(None))
    suppression = _suppression(session, message.phone, message.purpose)
    if suppression is not None:
        session.execute(
            update(Message)
            .where(*unsent)
            .values(status="suppressed", error_code=suppression, updated_at=now)
        )
        return "suppressed"
    if message.not_before is not None and message.not_before > now:
        # An early or duplicate job: the row waits for its time (a backoff or quiet hours).
        session.execute(update(Message).where(*unsent).values(status="pending", updated_at=now))
        return "not_due"
    if message.origin == "district" and quiet.contains(now):
        session.execute(
            update(Message)
            .where(*unsent)
            .values(
                status="pending",
                not_before=quiet.next_send_time(now),
                queued_at=None,
                updated_at=now,
            )
        )
        return "held"
    if message.valid_on is not None and not held_texts.still_true(session, message, now, quiet):
        return DAY_PASSED
    claimed = rows_changed(
        session,
        update(Message)
        .where(*unsent)
        .values(status="sending", attempts=Message.attempts + 1, updated_at=now),
    )
    if claimed != 1:
        return "done"
    session.refresh(message)
    return "claimed"


def _record_failure(
    session: Session,
    message_id: int,
    error: ChannelError,
    *,
    now: datetime,
    attempts: int,
    max_attempts: int,
) -> str:
    message = session.get_one(Message, message_id)
    code = error.code or (str(error.http_status) if error.http_status else "unknown")
    if error.maybe_taken:
        # The provider may have the text: sending it again could text the family twice.
        # The row stays 'sending', its updated_at the time of the attempt, for
        # reconciliation to look it up (messaging/reconcile.py).
        message.error_code = code
        log.warning("message %s may be with the provider (%s); to be looked up", message_id, code)
        return "in_flight"
    message.error_code, message.updated_at = code, now
    if code == "21610":
        # The carrier says the family replied STOP to this number: honour it everywhere.
        opt_out(session, message.phone, source="provider_21610", now=now)
        message.status = "failed"
        log.warning("message %s refused: the recipient has opted out (21610)", message_id)
        return "opted_out"
    if error.retryable and attempts < max_attempts:
        message.status, message.queued_at = "pending", None
        message.not_before = now + retry_delay(attempts)
        log.warning(
            "message %s not taken (error %s); retry %s of %s after backoff",
            message_id,
            code,
            attempts + 1,
            max_attempts,
        )
        return "retry"
    message.status = "failed"
    log.warning(
        "message %s failed for good (error %s) after %s attempts", message_id, code, attempts
    )
    return "failed"
