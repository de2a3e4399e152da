"""A synthetic district for the full-path benchmark: families, their webhooks, the apps.

Everyone here is invented; every phone number is a 555-01xx number, reserved for fiction.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Flask, Response
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from twilio.request_validator import RequestValidator

from outreach_bot import create_app
from outreach_bot.channels.console import ConsoleChannel
from outreach_bot.clock import FixedClock
from outreach_bot.db import make_engine
from outreach_bot.jobs import relay_outbox
from outreach_bot.models import (
    AttendanceSummary,
    Conversation,
    Guardian,
    Message,
    Resource,
    School,
    Student,
)
from outreach_bot.runtime import Runtime
from outreach_bot.schema import upgrade

TOKEN = "bench-auth-token-not-secret"
PUBLIC_BASE_URL = "https://outreach.example.org"
INBOUND = "/twilio/inbound"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
DISTRICT_TZ = "America/Los_Angeles"
# A Wednesday afternoon in the district: outside quiet hours.
SCHOOL_AFTERNOON = datetime(2026, 10, 14, 15, 30, tzinfo=ZoneInfo(DISTRICT_TZ))
# Fictional numbers only: 555-0100..0199 in each area code, 100 families per area code.
AREA_CODES = (
    503, 206, 360, 971, 425, 541, 458, 253, 509, 564, 208, 986, 406, 307, 775, 702,
    612, 617, 720, 805, 907, 808, 515, 601, 202, 212, 213, 305, 312, 404, 415, 510,
    512, 602, 614, 713, 801, 919, 310, 480, 816,
)  # fmt: skip
SCHOOL = "BENCH"
FIRST_NAMES = ("Ana", "Sofia", "Mateo", "Liam", "Noor", "Kai", "Lucia", "Owen", "Ines", "Theo")


# --- the families and what they text back ---------------------------------------------------


@dataclass(frozen=True)
class Family:
    """One synthetic guardian with a conversation waiting on 'What would help?'."""

    index: int
    phone: str
    language: str
    replies: tuple[str, ...]
    # The outbound texts the replies must produce, by purpose, in order.
    expect: tuple[str, ...]


def phone_for(index: int) -> str:
    """A fictional number: +1 <area> 555-01xx, a hundred per area code."""
    area, line = divmod(index, 100)
    if area >= len(AREA_CODES):
        raise SystemExit(
            f"only {len(AREA_CODES) * 100} fictional numbers are available; ask for fewer"
            " families (--families) or repeats (--repeats)"
        )
    return f"+1{AREA_CODES[area]}55501{line:02d}"


def family(index: int) -> Family:
    """Every third family answers by number, by keyword, or unclearly and then by number."""
    language = "es" if index % 2 else "en"
    flow = "flow:missed_you"
    kind = index % 3
    if kind == 0:
        return Family(index, phone_for(index), language, ("1",), ("resources:transportation", flow))
    if kind == 1:
        said = "No tenemos raite para la escuela" if language == "es" else "The bus is late again"
        return Family(
            index, phone_for(index), language, (said,), ("resources:transportation", flow)
        )
    unclear = "no se" if language == "es" else "not sure"
    return Family(
        index, phone_for(index), language, (unclear, "2"), (flow, "resources:health", flow)
    )


@dataclass(frozen=True)
class Request:
    """One signed webhook, encoded once, before any timing."""

    sid: str
    form: dict[str, str]
    body: bytes
    headers: dict[str, str]


def make_request(fam: Family, number: int, tag: str) -> Request:
    """The webhook Twilio would send for one reply, signed with the bench's token."""
    sid = f"SM{tag}{fam.index:06d}{number:02d}".ljust(34, "0")
    form = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": fam.phone,
        "To": "+15035550100",
        "Body": fam.replies[number],
        "NumMedia": "0",
    }
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC_BASE_URL + INBOUND, form)
    headers = {
        "X-Twilio-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return Request(sid, form, urlencode(form).encode(), headers)


@dataclass
class Batch:
    """The families one timed run uses, and their webhooks in rounds (reply 1, then 2)."""

    families: list[Family]
    tag: str
    rounds: list[list[Request]] = field(default_factory=list)

    def __post_init__(self) -> None:
        deepest = max(len(f.replies) for f in self.families)
        self.rounds = [
            [make_request(f, n, self.tag) for f in self.families if n < len(f.replies)]
            for n in range(deepest)
        ]

    @property
    def replies(self) -> int:
        """How many webhooks the batch posts."""
        return sum(len(r) for r in self.rounds)


# --- apps and database ----------------------------------------------------------------------


def schema_url(base_url: str, schema: str) -> str:
    """The database URL with every connection's search_path set to our schema."""
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def outreach_app(database_url: str, redis_url: str = "") -> Flask:
    """The real app: console channel without echo, signed webhooks, fixed clock.

    Jobs run inline, in the request, unless `redis_url` is given: then they go to RQ.
    """
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "CLOCK": FixedClock(SCHOOL_AFTERNOON),
            "ENVIRONMENT": "test",
            "SMS_BACKEND": "console",
            "REDIS_URL": redis_url,  # empty: jobs run inline, in the request
            "TWILIO_AUTH_TOKEN": TOKEN,
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "DISTRICT_NAME": "Maple Valley Schools",
            "DISTRICT_TIMEZONE": DISTRICT_TZ,
            "QUIET_HOURS": "20:00-08:00",
        }
    )
    channel = runtime_of(app).channel
    if not isinstance(channel, ConsoleChannel):
        raise SystemExit("expected the console SMS channel; unset SMS_BACKEND")
    channel.echo = None
    return app


def bare_app() -> Flask:
    """The ceiling: Flask answering the same POST with the same TwiML, doing nothing else."""
    app = Flask("bare")

    @app.post(INBOUND)
    def inbound() -> Response:
        return Response(EMPTY_TWIML, mimetype="text/xml")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def runtime_of(app: Flask) -> Runtime:
    """The outreach runtime an app was built with."""
    found: Runtime = app.extensions["outreach"]
    return found


@contextmanager
def own_schema(base_url: str, keep: bool) -> Iterator[str]:
    """A migrated schema of our own (bench_<pid>), dropped afterwards unless kept."""
    schema = f"bench_{os.getpid()}"
    admin = make_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = schema_url(base_url, schema)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        if keep:
            print(f"kept schema {schema}")
        else:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def seed_district(app: Flask) -> None:
    """A school and its resource sheets (bus passes, a clinic, a food pantry)."""
    with runtime_of(app).db.transaction() as session:
        session.add(School(id=SCHOOL, name="Lincoln Elementary", zip="97201", phone="+15035550100"))
        session.add_all(
            [
                Resource(
                    id="B1",
                    barrier="transportation",
                    name="Lincoln bus pass desk",
                    phone="+15035550111",
                    school_id=SCHOOL,
                    languages="en,es",
                ),
                Resource(
                    id="B2",
                    barrier="health",
                    name="Valley Family Clinic",
                    phone="+15035550112",
                    url="https://clinic.example.org",
                    languages="en,es",
                ),
                Resource(
                    id="B3",
                    barrier="food",
                    name="Eastside Food Pantry",
                    phone="+15035550113",
                    zip="97201",
                    languages="en",
                ),
            ]
        )


def seed_families(app: Flask, families: Sequence[Family]) -> None:
    """Each family with a missed_you conversation started, its first texts already sent."""
    rt = runtime_of(app)
    now = rt.clock()
    with rt.db.transaction() as session:
        session.add_all(
            Student(
                id=f"B{fam.index:05d}",
                first_name=FIRST_NAMES[fam.index % 10],
                last_name="Benchperson",
                school_id=SCHOOL,
                grade="3",
                zip="97201",
            )
            for fam in families
        )
        session.flush()
        session.add_all(
            AttendanceSummary(
                student_id=f"B{fam.index:05d}",
                as_of=date(2026, 10, 14),
                instructional_days=30,
                absences=3 + fam.index % 5,
                consecutive_absences=1,
                absent_today=True,
                band="at_risk",
                scanned_at=now,
            )
            for fam in families
        )
        session.flush()
        guardians = [
            Guardian(
                student_id=f"B{fam.index:05d}",
                name="Pat Benchperson",
                phone=fam.phone,
                language=fam.language,
                sms_consent=True,
            )
            for fam in families
        ]
        session.add_all(guardians)
        session.flush()
        for guardian in guardians:
            started = rt.conversations.start(
                session, flow_name="missed_you", guardian=guardian, now=now
            )
            if started is None:
                raise SystemExit(f"could not start missed_you with {guardian.phone}")
    with app.app_context():
        relay_outbox()  # the first texts go out before the families answer
    with rt.db.transaction() as session:
        unsent = session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.direction == "outbound", Message.status != "sent")
        )
    if unsent:
        raise SystemExit(f"{unsent} of the first texts were not sent while seeding")


def verify(app: Flask, batch: Batch, label: str) -> None:
    """Every webhook stored and processed; exactly the expected texts queued and sent."""
    rt = runtime_of(app)
    phones = [f.phone for f in batch.families]
    sids = [r.sid for rnd in batch.rounds for r in rnd]
    with rt.db.transaction() as session:
        inbound = session.execute(
            select(Message.processed_at, Message.conversation_id).where(
                Message.direction == "inbound", Message.provider_sid.in_(sids)
            )
        ).all()
        sent = session.execute(
            select(Message.phone, Message.purpose, Message.status, Message.provider_sid)
            .where(
                Message.direction == "outbound",
                Message.origin == "reply",
                Message.phone.in_(phones),
            )
            .order_by(Message.id)
        ).all()
        still_active = session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.phone.in_(phones), Conversation.status == "active")
        )
    problems = []
    if len(inbound) != len(sids):
        problems.append(f"{len(sids) - len(inbound)} of {len(sids)} webhooks were not stored")
    unprocessed = sum(1 for row in inbound if row.processed_at is None)
    if unprocessed:
        problems.append(f"{unprocessed} stored replies were not processed")
    if any(row.conversation_id is None for row in inbound):
        problems.append("some replies reached no conversation")
    by_phone: dict[str, list[str]] = {}
    for row in sent:
        by_phone.setdefault(row.phone, []).append(row.purpose)
        if row.status != "sent" or not (row.provider_sid or "").startswith("CO"):
            problems.append(f"an outbound text is {row.status!r}, not sent by the console")
            break
    wrong = [f for f in batch.families if tuple(by_phone.get(f.phone, ())) != f.expect]
    if wrong:
        first = wrong[0]
        problems.append(
            f"{len(wrong)} families got the wrong texts; e.g. {first.replies} gave"
            f" {by_phone.get(first.phone)}, expected {list(first.expect)}"
        )
    if still_active:
        problems.append(f"{still_active} conversations are still waiting")
    if problems:
        raise SystemExit(
            f"{label}: the full path failed, so its figure means nothing:\n  "
            + "\n  ".join(problems)
        )
    expected = sum(len(f.expect) for f in batch.families)
    print(f"  checked {label}: {len(sids)} replies stored and processed, {expected} texts sent")
