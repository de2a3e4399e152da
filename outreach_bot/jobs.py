"""Jobs: thin wrappers that open a transaction and call the domain. They take ids, never rows.

Run by RQ workers (see worker.py) or inline when REDIS_URL is unset; either way inside an
app context, so `current_app` holds the runtime.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from outreach_bot import inbox
from outreach_bot.attendance.scan import ScanResult, load_triggers, scan
from outreach_bot.escalations import climb_overdue
from outreach_bot.messaging.outbox import deliver, relay, relay_rows, sweep_stuck, written_in
from outreach_bot.messaging.status import apply_status_callbacks
from outreach_bot.runtime import Runtime
from outreach_bot.staff import district_settings
from outreach_bot.staff.catalog import StaffCatalog
from outreach_bot.staff.notifications import send_notices

log = logging.getLogger(__name__)
INBOUND_GRACE = timedelta(minutes=2)


def _runtime() -> Runtime:
    found: Runtime = current_app.extensions["outreach"]
    return found


def send_message(message_id: int) -> str:
    """Hand one outbox row to the SMS provider; safe to run twice."""
    rt = _runtime()
    outcome = deliver(
        rt.db,
        rt.channel,
        message_id,
        now=rt.clock(),
        quiet=rt.quiet_hours,
        status_callback_url=rt.status_callback_url,
        max_attempts=rt.settings.send_max_attempts,
    )
    log.info("message %s: %s", message_id, outcome)
    if outcome in ("failed", "opted_out"):
        with rt.db.transaction() as session:
            rt.conversations.delivery_failed(session, message_id, rt.clock())
            written = written_in(session)
        relay_rows(rt.db, rt.queue, written, rt.clock())
    return outcome


def relay_outbox() -> int:
    """Queue every outbox row that is due and not yet queued."""
    rt = _runtime()
    return relay(rt.db, rt.queue, rt.clock())


def process_inbound(message_id: int) -> str:
    """Answer one stored inbound message, then queue what it produced (and only that)."""
    rt = _runtime()
    with rt.db.transaction() as session:
        outcome = inbox.process_inbound(session, message_id, rt.conversations, now=rt.clock())
        written = written_in(session)
    log.info("inbound message %s: %s", message_id, outcome)
    relay_rows(rt.db, rt.queue, written, rt.clock())
    return outcome


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
    """Scan attendance as of a day (default: today in the district) and start fired flows.

    `act=False` records a baseline: what fires now is marked handled and nobody is texted.
    """
    rt = _runtime()
    now = rt.clock()
    day = as_of or now.astimezone(ZoneInfo(rt.settings.district_timezone)).date()
    triggers = load_triggers(rt.settings.flows_dir / "triggers.yaml")
    with rt.db.transaction() as session:
        result = scan(session, as_of=day, now=now, triggers=triggers, act=act)
        firings = [(f.firing_id, f.student_id, f.flow) for f in result.fired if f.flow]
        rt.conversations.start_for_families(session, firings, now)
    relay_outbox()
    return result


def tick() -> dict[str, int]:
    """Every minute: timers, late cases, unanswered inbound, statuses, and the outbox."""
    rt = _runtime()
    now = rt.clock()
    with rt.db.transaction() as session:
        timers = rt.conversations.run_timers(session, now)
        climb_after = district_settings.effective(session, rt.settings).climb_after
        climbed = len(climb_overdue(session, now, climb_after))
        stranded = inbox.unprocessed(session, now - INBOUND_GRACE)
    for message_id in stranded:
        process_inbound(message_id)
    statuses = apply_statuses()
    swept = sweep_stuck(rt.db, rt.queue, now)
    with rt.db.transaction() as session:
        notified = send_notices(
            session, rt.settings, rt.quiet_hours, StaffCatalog(rt.settings.locales_dir), now
        )
    relayed = relay_outbox()
    return {
        "timers": timers,
        "escalations_climbed": climbed,
        "inbound_recovered": len(stranded),
        "statuses": statuses,
        "swept": swept,
        "relayed": relayed,
        "staff_notified": notified,
    }
