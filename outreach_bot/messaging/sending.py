"""Sending a batch of outbox rows, in order, within the sender's rate.

One send job sends up to SEND_BATCH rows (outbox.send_jobs): a job costs a worker more than
a text, so a job a text could not keep up with a carrier's hundreds of segments a second.
Each row is still claimed by itself, with the claim statement, just before its provider
call (outbox.deliver): a crash mid-batch leaves the rows it had not reached queued (the
sweeper queues them again) and the one it was sending in 'sending' (reconciliation looks it
up), so nothing is lost and nothing is sent twice.

Before each row, the job takes room for its segments in the sender's window
(messaging/rate_limit.py). With no room, it waits, but only until its shift ends: then it
hands the rows it has not reached back, to a new job at the back of the lane, so that a
worker pacing a long send still answers the families' texts in between.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update

from outreach_bot.channels import Channel
from outreach_bot.db import Database
from outreach_bot.messaging.outbox import UNSENT, deliver
from outreach_bot.messaging.quiet_hours import QuietHours
from outreach_bot.messaging.rate_limit import SendRate
from outreach_bot.models import Message

# Seconds one send job spends at most waiting for the sender's rate; then it hands on.
SEND_SHIFT = 2.0


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
    ends = time.monotonic() + shift
    with db.transaction() as session:
        rows = {
            row.id: row
            for row in session.execute(
                select(
                    Message.id,
                    Message.direction,
                    Message.status,
                    Message.provider_sid,
                    Message.segments,
                    Message.origin,
                ).where(Message.id.in_(message_ids))
            )
        }
    batch = BatchSent()
    for index, message_id in enumerate(message_ids):
        row = rows.get(message_id)
        if row is None or row.direction != "outbound":
            batch.outcomes[message_id] = "missing"
            continue
        if row.status == "sending":
            batch.outcomes[message_id] = "in_flight"  # left for reconciliation
            continue
        if row.status not in UNSENT or row.provider_sid is not None:
            batch.outcomes[message_id] = "done"
            continue
        # Room is taken before the claim, so a row waits for it unclaimed; a row its claim
        # then turns away (opted out meanwhile, held) only leaves a moment of room unused.
        while (wait := rate.take(row.segments or 1)) > 0:
            left = ends - time.monotonic()
            if left <= 0:
                rest = [rows[later] for later in message_ids[index:] if later in rows]
                batch.left = [(later.id, later.origin) for later in rest]
                _still_alive(db, [later.id for later in rest], clock())
                return batch
            sleep(min(wait, left))
        batch.outcomes[message_id] = deliver(
            db,
            channel,
            message_id,
            now=clock(),
            quiet=quiet,
            status_callback_url=status_callback_url,
            max_attempts=max_attempts,
        )
    return batch


def _still_alive(db: Database, message_ids: list[int], now: datetime) -> None:
    """Mark rows handed on as freshly queued, so that the sweeper does not queue them again."""
    with db.transaction() as session:
        session.execute(
            update(Message)
            .where(Message.id.in_(message_ids), Message.status == "queued")
            .values(queued_at=now)
            .execution_options(synchronize_session=False)
        )
