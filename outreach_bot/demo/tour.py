"""`outreach-bot demo`: the whole loop on a synthetic district, in a fresh SQLite file.

Import -> scan -> texts in the family's language -> a family answers through the real
webhook -> resource sheet -> a person is asked to call -> STOP -> the no-reply timers.
"""

from __future__ import annotations

import itertools
import textwrap
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient
from sqlalchemy import func, select

from outreach_bot import create_app, jobs
from outreach_bot.attendance.importer import import_file
from outreach_bot.channels.console import mask_phone
from outreach_bot.clock import FixedClock
from outreach_bot.demo.district import build_district
from outreach_bot.escalations import list_open
from outreach_bot.models import Conversation, Guardian, Message
from outreach_bot.runtime import Runtime
from outreach_bot.schema import upgrade

TIMEZONE = "America/Los_Angeles"
IMPORT_ORDER = ("schools", "students", "guardians", "calendar", "attendance", "resources")
Echo = Callable[[str], None]


def _heading(echo: Echo, title: str) -> None:
    echo("")
    echo(f"━━ {title} " + "━" * max(3, 74 - len(title)))


def _transcript(runtime: Runtime, phone: str, echo: Echo, since_id: int = 0) -> int:
    """Print a phone's messages as a chat; returns the last message id shown."""
    last = since_id
    with runtime.db.transaction() as session:
        rows = session.scalars(
            select(Message)
            .where(Message.phone == phone, Message.id > since_id)
            .order_by(Message.id)
        ).all()
        for row in rows:
            who = "family ▸" if row.direction == "inbound" else "school ◂"
            note = (
                ""
                if row.direction == "inbound"
                else f"  [{row.segments} seg, {row.encoding}, {row.status}]"
            )
            lines = row.body.splitlines() or [""]
            wrapped = [part for line in lines for part in (textwrap.wrap(line, 68) or [""])]
            echo(f"  {who} {wrapped[0]}{note if len(wrapped) == 1 else ''}")
            for part in wrapped[1:]:
                echo(f"           {part}")
            if len(wrapped) > 1:
                echo(f"          {note.strip()}")
            last = row.id
    return last


_sids = itertools.count(1)


def _text_in(client: FlaskClient, phone: str, body: str) -> None:
    """A family's text, through the real webhook, as Twilio would post it."""
    response = client.post(
        "/twilio/inbound",
        data={
            "MessageSid": f"SMdemo{next(_sids):028d}",  # 34 characters, as Twilio's
            "From": phone,
            "To": "+15035550199",
            "Body": body,
        },
    )
    if response.status_code != 200:
        raise RuntimeError(f"the webhook answered {response.status_code}")


def _family(runtime: Runtime, language: str, skip: set[str]) -> str | None:
    """The phone of a family whose guardian speaks `language`, with a missed_you text waiting."""
    with runtime.db.transaction() as session:
        phones = session.scalars(
            select(Conversation.phone)
            .join(Guardian, Guardian.id == Conversation.guardian_id)
            .where(
                Conversation.status == "active",
                Conversation.flow == "missed_you",
                Guardian.language == language,
            )
            .order_by(Conversation.id)
        ).all()
    return next((phone for phone in phones if phone not in skip), None)


def run_demo(folder: Path, echo: Echo, today: date = date(2026, 10, 14)) -> dict[str, int]:
    """Run the whole loop once and print it; returns the summary numbers."""
    tz = ZoneInfo(TIMEZONE)
    clock = FixedClock(datetime.combine(today, time(15, 30), tz))
    district = build_district(folder / "sis-export", today)
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'demo.db'}",
            "REDIS_URL": None,
            "SMS_BACKEND": "console",
            "CLOCK": clock,
            "DISTRICT_NAME": "Maple Valley Schools",
            "DISTRICT_TIMEZONE": TIMEZONE,
            "TWILIO_AUTH_TOKEN": None,
        }
    )
    runtime: Runtime = app.extensions["outreach"]
    runtime.channel.echo = None  # type: ignore[attr-defined]  # the tour prints its own way
    client = app.test_client()
    with app.app_context():
        upgrade(runtime.db.engine)
        echo(f"outreach-bot demo: Maple Valley Schools (synthetic), {today:%A %B %-d, %Y}, 3:30 pm")
        echo(f"database: {folder / 'demo.db'}")

        _heading(echo, "1. Import the student information system's exports")
        for kind in IMPORT_ORDER:
            with runtime.db.transaction() as session:
                report = import_file(session, kind, district.files[kind])
            echo(f"  {report.summary()}")

        _heading(echo, "2. Nightly scan: absences, Attendance Works bands, triggers")
        # A first deployment mid-year starts from a baseline: what was already under way
        # yesterday is recorded as handled, so today's scan reaches only what is new.
        jobs.run_scan(today - timedelta(days=1), act=False)
        result = jobs.run_scan(today)
        echo(f"  {result.students_scanned} students scanned as of {today}")
        for band, count in result.bands.items():
            echo(f"    {band.replace('_', ' '):<18} {count:>4}")
        fired = Counter(f.trigger for f in result.fired)
        for trigger, count in sorted(fired.items()):
            echo(f"  trigger {trigger:<26} fired for {count} students")
        echo("  (a baseline scan of the day before went first, as `outreach-bot scan --baseline`;")
        echo("   run the scan again and nothing fires twice: each trigger fires once per episode)")

        _heading(echo, "3. What families received (console channel: nothing left this machine)")
        shown: set[str] = set()
        for language in ("es", "en", "so"):
            phone = _family(runtime, language, shown)
            if phone:
                shown.add(phone)
                with runtime.db.transaction() as session:
                    guardian = session.scalars(
                        select(Guardian).where(Guardian.phone == phone)
                    ).first()
                    label = guardian.language if guardian else language
                echo(f"  ┌ to {mask_phone(phone)} (guardian's language: {label})")
                _transcript(runtime, phone, echo)

        _heading(echo, "4. A family answers, through the real Twilio webhook")
        spanish = _family(runtime, "es", set())
        if spanish:
            last = _transcript(runtime, spanish, lambda _: None)
            _text_in(client, spanish, "el autobus no pasa por nuestra calle")
            _transcript(runtime, spanish, echo, last)
        english = _family(runtime, "en", set())
        if english:
            echo("")
            last = _transcript(runtime, english, lambda _: None)
            _text_in(client, english, "hmm not sure")
            _text_in(client, english, "5")
            _transcript(runtime, english, echo, last)
        stopper = _family(runtime, "en", {english} if english else set())
        if stopper:
            echo("")
            last = _transcript(runtime, stopper, lambda _: None)
            _text_in(client, stopper, "STOP")
            _transcript(runtime, stopper, echo, last)
            echo("  (that number now gets nothing more, for every student it is a guardian of)")

        _heading(echo, "5. Two days later: families who did not answer go to a person")
        clock.advance(days=2, hours=1)
        ticked = jobs.tick()
        echo(
            f"  tick: {ticked['timers']} conversations timed out, "
            f"{ticked['escalations_climbed']} late cases moved up"
        )

        _heading(echo, "6. Open escalations (what `outreach-bot escalations` lists)")
        with runtime.db.transaction() as session:
            cases = list_open(session)
            reasons = Counter((case.reason, case.priority) for case in cases)
            sent = session.scalar(
                select(func.count())
                .select_from(Message)
                .where(Message.direction == "outbound", Message.status == "sent")
            )
            segments = session.scalar(
                select(func.sum(Message.segments)).where(
                    Message.direction == "outbound", Message.status == "sent"
                )
            )
            languages = session.scalar(
                select(func.count(func.distinct(Message.language))).where(
                    Message.direction == "outbound"
                )
            )
        for (reason, priority), count in sorted(reasons.items(), key=lambda item: -item[1]):
            echo(f"    {count:>4}  {priority:<7} {reason}")

        _heading(echo, "Summary")
        summary = {
            "students": result.students_scanned,
            "triggers_fired": len(result.fired),
            "texts_sent": sent or 0,
            "segments": segments or 0,
            "languages": languages or 0,
            "open_escalations": len(cases),
        }
        for key, value in summary.items():
            echo(f"  {key.replace('_', ' '):<18} {value}")
        echo("")
        echo("Next: `outreach-bot serve` for the webhook, docs/production.md to wire Twilio.")
    runtime.db.dispose()
    return summary
