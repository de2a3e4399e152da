"""Jobs: thin wrappers that open a transaction and call the domain. They take ids, never rows.

Run by RQ workers (see worker.py) or inline when REDIS_URL is unset; either way inside an
app context, so `current_app` holds the runtime.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import date

from flask import current_app
from sqlalchemy.exc import OperationalError

from outreach_bot.attendance.scan import ScanResult
from outreach_bot.escalations import climb_overdue
from outreach_bot.inbox import answer, claim
from outreach_bot.messaging import held_texts
from outreach_bot.messaging.outbox import (
    enqueue_queued,
    queued_in,
    relay,
    send_jobs,
    sweep_stuck,
)
from outreach_bot.messaging.reconcile import reconcile_sending
from outreach_bot.messaging.same_day import DAY_PASSED
from outreach_bot.messaging.sending import send_batch
from outreach_bot.messaging.status import apply_status_callbacks
from outreach_bot.notices import prints
from outreach_bot.runtime import Runtime
from outreach_bot.scan_jobs import scan_and_store
from outreach_bot.staff import district_settings
from outreach_bot.staff.catalog import StaffCatalog
from outreach_bot.staff.notifications import send_notices
from outreach_bot.sync.nights import NIGHTLY_SYNC, SYNC_TIMEOUT_SECONDS, due_night

log = logging.getLogger(__name__)
PROCESS_INBOX = "outreach_bot.jobs.process_inbox"
HELP_INBOX = "outreach_bot.jobs.help_inbox"
# Texts answered in one transaction. Only a full batch (a pile) wakes a second worker to help:
# a stream that one job keeps up with is cheaper answered by it alone, since two jobs split it
# into twice the batches, and each batch costs a claim, a commit and an enqueue whatever its size.
INBOX_BATCH = 100
# The inbox job waits this long for the next text before it ends: enough to take a stream
# of texts in one job, short enough that a lone worker soon turns to sending the answers.
INBOX_DOZE = 0.5
# Seconds one inbox job answers texts at most; then it hands on to a fresh job queued behind
# the answers it wrote, so that even a lone worker sends them during a long stream.
INBOX_SHIFT = 10.0
TICK_INBOX_SECONDS = 20.0  # the tick answers what a lost job left for this long, then wakes one


def _runtime() -> Runtime:
    found: Runtime = current_app.extensions["outreach"]
    return found


def send_messages(message_ids: list[int]) -> dict[str, int]:
    """Hand a batch of outbox rows to the SMS provider, in order, within the sender's rate;
    safe to run twice. Returns how many rows came to each outcome."""
    rt = _runtime()
    batch = send_batch(
        rt.db,
        rt.channel,
        rt.send_rate,
        message_ids,
        clock=rt.clock,
        quiet=rt.quiet_hours,
        status_callback_url=rt.status_callback_url,
        max_attempts=rt.settings.send_max_attempts,
    )
    for message_id, outcome in batch.outcomes.items():
        if outcome == DAY_PASSED:
            with rt.db.transaction() as session:
                rt.conversations.day_passed(session, message_id, rt.clock())
        if outcome in ("failed", "opted_out"):
            with rt.db.transaction() as session:
                rt.conversations.delivery_failed(session, message_id, rt.clock())
                queued = queued_in(session, rt.clock())
            enqueue_queued(rt.queue, queued)
    if batch.left:
        # The shift ended waiting for the sender's rate: the rest go to the back of the lane.
        rt.queue.enqueue_many(send_jobs(batch.left))
    counts = Counter(batch.outcomes.values())
    log.info("send batch of %d: %s", len(message_ids), dict(counts, left=len(batch.left)))
    return dict(counts)


def send_message(message_id: int) -> str:
    """Hand one outbox row to the SMS provider (a batch of one); returns its outcome, or
    'left' when the sender's rate had no room before the shift ended (it is queued again)."""
    outcomes = send_messages([message_id])
    return next(iter(outcomes), "left")


def warm_up() -> None:
    """Load what answering a family needs (flows, catalogs, keyword patterns) before the
    first job, so that no family's text waits for it; worker.py calls it as it starts."""
    answer.warm_up(_runtime().conversations)
    _runtime().channel.warm_up()


def relay_outbox() -> int:
    """Queue every outbox row that is due and not yet queued."""
    rt = _runtime()
    return relay(rt.db, rt.queue, rt.clock())


def process_inbox() -> int:
    """Answer the texts families send, as they come; returns how many were answered.

    Woken by the webhook after each store. It answers everything stored, then dozes for a
    moment, so that a stream of texts is answered by one job, batch by batch, without a job
    for each. The tick answers whatever a lost job left (see `answer_inbox`).
    """
    rt = _runtime()
    shift_ends = time.monotonic() + INBOX_SHIFT
    answered = answer_inbox(rt, until=shift_ends)
    while rt.queue.doze(PROCESS_INBOX, min(INBOX_DOZE, shift_ends - time.monotonic())):
        answered += answer_inbox(rt, until=shift_ends)
    # A text stored just as the job stopped listening.
    return answered + answer_inbox(rt, until=shift_ends)


def answer_inbox(rt: Runtime, *, until: float, helped: bool = True) -> int:
    """Answer every stored text, batch by batch, until none waits or time is up.

    It stops after a batch that was not full and left none of its families' texts waiting
    (a family's second text waits for its first). A text stored meanwhile rings the job's
    bell, and one another worker holds is that worker's to answer. When texts pile up (a
    full batch), another worker is woken to help. Past `until` (a `time.monotonic()`
    reading), the rest is left to a fresh inbox job, queued in the replies lane behind the
    answers written so far.
    """
    answered = 0
    while True:
        claimed, more = _answer_batch(rt)
        answered += claimed
        if helped and claimed >= INBOX_BATCH:
            rt.queue.wake(HELP_INBOX, lane="inbox")
        if not more:
            return answered
        if time.monotonic() > until:
            rt.queue.wake(PROCESS_INBOX, lane="replies")
            return answered


def help_inbox() -> int:
    """A second worker on a pile of texts, beside process_inbox; it ends when none waits."""
    rt = _runtime()
    answered = answer_inbox(rt, until=time.monotonic() + INBOX_SHIFT, helped=False)
    rt.queue.doze(HELP_INBOX, 0)  # done: the next pile may wake a helper again
    return answered


def _answer_batch(rt: Runtime) -> tuple[int, bool]:
    """One transaction answers a batch; if it fails, each text gets a transaction of its own.

    Returns how many texts it claimed, and whether more may wait.
    """
    ids: list[int] = []
    try:
        with rt.db.transaction() as session:
            now = rt.clock()
            batch = claim.claim(session, INBOX_BATCH)
            if not batch:
                return 0, False
            ids = [message.id for message in batch]
            running = claim.prepare(session, batch)
            held_texts.look_up(session, {message.phone for message in batch})
            for message in batch:
                conversation = running.get(message.phone)
                outcome = answer.answer(session, message, conversation, rt.conversations, now=now)
                log.info("inbound message %s: %s", message.id, outcome)
            more = len(batch) == INBOX_BATCH or claim.waiting_behind(session, batch)
            queued = queued_in(session, now)
    except OperationalError:
        raise  # the database is away: the job fails, and the tick tries again
    except Exception:
        if not ids:
            raise
        log.exception("a batch of %d inbound messages failed; answering one by one", len(ids))
        for message_id in ids:
            _answer_alone(rt, message_id)
        return len(ids), True
    enqueue_queued(rt.queue, queued)
    return len(ids), more


def _answer_alone(rt: Runtime, message_id: int) -> None:
    """Answer one text; one the bot cannot answer is set aside for a person to read."""
    try:
        with rt.db.transaction() as session:
            now = rt.clock()
            outcome = answer.process_inbound(session, message_id, rt.conversations, now=now)
            queued = queued_in(session, now)
    except OperationalError:
        raise
    except Exception:
        log.exception("inbound message %s could not be answered; set aside for staff", message_id)
        with rt.db.transaction() as session:
            answer.set_aside(session, message_id, rt.clock())
        return
    log.info("inbound message %s: %s", message_id, outcome)
    enqueue_queued(rt.queue, queued)


def apply_statuses() -> int:
    """Apply the stored delivery status callbacks that can be matched to a message."""
    rt = _runtime()
    with rt.db.transaction() as session:
        effects = apply_status_callbacks(session, now=rt.clock())
        for effect in effects:
            if effect.kind in ("failed", "undeliverable", "opted_out"):
                rt.conversations.delivery_failed(session, effect.message_id, rt.clock())
    relay_outbox()
    return len(effects)


def run_scan(as_of: date | None = None, *, act: bool = True) -> ScanResult:
    """Scan attendance as of a day (default: today in the district) and start fired flows,
    then queue their texts (see `scan_and_store`)."""
    result = scan_and_store(as_of, act=act)
    relay_outbox()
    return result


def tick() -> dict[str, int]:
    """Every minute: timers, late cases, unanswered inbound, statuses, the outbox (texts left
    'sending' looked up at the provider), printed letters past their day, and the nightly sync
    once its hour has come."""
    rt = _runtime()
    now = rt.clock()
    with rt.db.transaction() as session:
        timers = rt.conversations.run_timers(session, now)
        climb_after = district_settings.effective(session, rt.settings).climb_after
        climbed = len(climb_overdue(session, now, climb_after))
        night = due_night(session, rt.settings, now)
        forgotten = prints.forget_old(session, now)
    if night is not None:
        rt.queue.enqueue(
            NIGHTLY_SYNC,
            night.isoformat(),
            job_id=f"nightly-sync-{night.isoformat()}",
            timeout=SYNC_TIMEOUT_SECONDS,
        )
    answered = answer_inbox(rt, until=time.monotonic() + TICK_INBOX_SECONDS)
    statuses = apply_statuses()
    swept = sweep_stuck(rt.db, rt.queue, now)
    reconciled = reconcile_sending(
        rt.db, rt.channel, now, max_attempts=rt.settings.send_max_attempts
    )
    with rt.db.transaction() as session:
        notified = send_notices(
            session, rt.settings, rt.quiet_hours, StaffCatalog(rt.settings.locales_dir), now
        )
    relayed = relay_outbox()
    return {
        "timers": timers,
        "escalations_climbed": climbed,
        "inbound_answered": answered,
        "statuses": statuses,
        "swept": swept,
        "reconciled": len(reconciled.taken) + len(reconciled.resend) + len(reconciled.failed),
        "relayed": relayed,
        "staff_notified": notified,
        "nightly_sync_queued": int(night is not None),
        "notice_prints_deleted": forgotten,
    }
