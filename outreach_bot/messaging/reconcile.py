"""Reconciliation: a text left 'sending' (a timeout, a crashed worker) is looked up at the
provider before it is ever sent again."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from outreach_bot.channels import Channel, ChannelError, SendResult
from outreach_bot.db import Database
from outreach_bot.messaging.outbox import retry_delay
from outreach_bot.models import Message

log = logging.getLogger(__name__)

# A row is looked up once it has been 'sending' this long: far past the provider client's
# timeout, so the job that claimed it is done with it (or dead), and the provider has
# listed what it took.
RECONCILE_AFTER = timedelta(minutes=5)
# The provider's clock and ours may differ; a text it took this long before our attempt
# still counts as that attempt's.
CLOCK_SLACK = timedelta(minutes=2)
RECONCILE_BATCH = 100  # rows looked up in one tick at most (one API request each)


@dataclass
class Reconciled:
    """What one reconciliation found: rows the provider had, rows to send again, failures."""

    taken: list[int] = field(default_factory=list)
    resend: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)  # the provider could not be asked


def reconcile_sending(
    db: Database,
    channel: Channel,
    now: datetime,
    *,
    max_attempts: int,
    older_than: timedelta = RECONCILE_AFTER,
) -> Reconciled:
    """Look up every row left 'sending' without a provider SID for longer than `older_than`.

    Found at the provider (same phone, same body, taken since the attempt, a SID no other
    row has): the row gets its SID and the provider's status, and is never sent again.
    Not found: the attempt never reached the provider, so the row waits for its backoff
    and is sent again (or fails, past `max_attempts`). The provider unreachable: the row
    stays as it is until the next tick.
    """
    with db.transaction() as session:
        rows = session.execute(
            select(Message.id, Message.phone, Message.body, Message.updated_at, Message.attempts)
            .where(
                Message.direction == "outbound",
                Message.status == "sending",
                Message.provider_sid.is_(None),
                Message.updated_at <= now - older_than,
            )
            .order_by(Message.id)
            .limit(RECONCILE_BATCH)
        ).all()
    outcome = Reconciled()
    for number, row in enumerate(rows):
        attempted = row.updated_at or now
        try:
            found = channel.lookup(row.phone, row.body, attempted - CLOCK_SLACK)
        except ChannelError as error:
            # The provider is away or refusing: the rest wait with this one, rather than
            # each costing the tick a client timeout.
            log.warning("messages in doubt not looked up (%s); next tick", error.code)
            outcome.unknown.extend(later.id for later in rows[number:])
            break
        with db.transaction() as session:
            _settle(session, row, found, now, max_attempts, outcome)
    if rows:
        log.warning(
            "reconciled %d messages left sending: %d taken, %d to send again, %d failed",
            len(rows) - len(outcome.unknown),
            len(outcome.taken),
            len(outcome.resend),
            len(outcome.failed),
        )
    return outcome


def _settle(
    session: Session,
    row: Row[int, str, str, datetime | None, int],
    found: list[SendResult],
    now: datetime,
    max_attempts: int,
    outcome: Reconciled,
) -> None:
    """Record what the lookup found on the row, if it is still 'sending' without a SID."""
    message_id, attempts = row.id, row.attempts
    sids = [result.sid for result in found]
    known = set(session.scalars(select(Message.provider_sid).where(Message.provider_sid.in_(sids))))
    # Oldest first: of two rows in doubt with one body, the older took the older text.
    match = next((result for result in found if result.sid not in known), None)
    still_sending = (
        Message.id == message_id,
        Message.status == "sending",
        Message.provider_sid.is_(None),
    )
    if match is not None:
        values: dict[str, object] = {
            "status": match.status[:16],
            "provider_sid": match.sid,
            "sent_at": row.updated_at or now,  # handed over at the attempt, not now
            "error_code": None,
        }
        outcome.taken.append(message_id)
    elif attempts < max_attempts:
        values = {"status": "pending", "queued_at": None, "not_before": now + retry_delay(attempts)}
        outcome.resend.append(message_id)
    else:
        values = {"status": "failed"}
        outcome.failed.append(message_id)
    session.execute(update(Message).where(*still_sending).values(updated_at=now, **values))
