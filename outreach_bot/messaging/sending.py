"""Sending a batch of outbox rows, in order, within the sender's rate.

One send job sends up to SEND_BATCH rows (outbox.send_jobs): a job costs a worker more than
a text, so a job a text could not keep up with a carrier's hundreds of segments a second.
The job goes CLAIM_CHUNK rows at a time (outbox.deliver_batch): each row is claimed by the
claim statement, the chunk's claims committed together before any provider call, and what
the provider took recorded together after. A crash mid-batch leaves the rows it had not
reached queued (the sweeper queues them again) and its claimed rows in 'sending'
(reconciliation looks each up before it is ever sent again), so nothing is lost and nothing
is sent twice.

Between a row's claim and its provider call, the job takes room for the row's segments in
the sender's window (messaging/rate_limit.py). With no room, it waits, but only until its
shift ends: then it gives the claim back and hands the rows it has not sent on, to a new
job at the back of the lane, so that a worker pacing a long send still answers the
families' texts in between.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update

from outreach_bot.channels import Channel
from outreach_bot.db import Database
from outreach_bot.messaging.outbox import deliver_batch
from outreach_bot.messaging.quiet_hours import QuietHours
from outreach_bot.messaging.rate_limit import SendRate
from outreach_bot.models import Message

# Seconds one send job spends at most waiting for the sender's rate; then it hands on.
SEND_SHIFT = 2.0
# Rows claimed in one transaction, and recorded in one once sent: a commit is a disk flush,
# which costs more than the rest of a text's work; a crash leaves at most this many rows
# 'sending' for reconciliation to look up.
CLAIM_CHUNK = 20


@dataclass
class BatchSent:
    """What a batch came to: each row's outcome (as `deliver` names them), and the rows
    left for another job, as (id, origin)."""

    outcomes: dict[int, str] = field(default_factory=dict)
    left: list[tuple[int, str | None]] = field(default_factory=list)


def send_batch(
    db: Database,
    channel: Channel,
    rate: SendRate,
    message_ids: Sequence[int],
    *,
    clock: Callable[[], datetime],
    quiet: QuietHours,
    status_callback_url: str | None,
    max_attempts: int,
    shift: float = SEND_SHIFT,
    sleep: Callable[[float], None] = time.sleep,
) -> BatchSent:
    """Send the rows in order, each within the rate; hand back what the shift did not reach."""
    channel.warm_up()
    ends = time.monotonic() + shift

    def room(segments: int) -> bool:
        # Asked between the claim and the provider call: the grant is the moment before
        # the request, so that the provider sees the texts spaced as they were granted.
        while (wait := rate.take(segments)) > 0:
            left = ends - time.monotonic()
            if left <= 0:
                return False
            sleep(min(wait, left))
        return True

    batch = BatchSent()
    for start in range(0, len(message_ids), CLAIM_CHUNK):
        chunk = message_ids[start : start + CLAIM_CHUNK]
        outcomes = deliver_batch(
            db,
            channel,
            chunk,
            now=clock(),
            quiet=quiet,
            status_callback_url=status_callback_url,
            max_attempts=max_attempts,
            room=room,
        )
        batch.outcomes.update(outcomes)
        if len(outcomes) < len(chunk):  # the shift ended waiting for room
            left = [message_id for message_id in message_ids[start:] if message_id not in outcomes]
            batch.left = _hand_on(db, left, clock())
            return batch
    return batch


def _hand_on(
    db: Database, message_ids: Sequence[int], now: datetime
) -> list[tuple[int, str | None]]:
    """The rows a job hands on, as (id, origin), marked freshly queued so that the sweeper
    does not queue them a second time."""
    with db.transaction() as session:
        session.execute(
            update(Message)
            .where(Message.id.in_(message_ids), Message.status == "queued")
            .values(queued_at=now)
            .execution_options(synchronize_session=False)
        )
        found = session.execute(
            select(Message.id, Message.origin).where(Message.id.in_(message_ids))
        )
        origins = {message_id: origin for message_id, origin in found}
    return [
        (message_id, origins[message_id]) for message_id in message_ids if message_id in origins
    ]
