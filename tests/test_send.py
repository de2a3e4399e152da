"""Sending: the real twilio library against the local double, retries, quiet hours, idempotence."""

from __future__ import annotations

import base64
import socket
import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from outreach_bot.channels import ChannelError
from outreach_bot.channels.twilio import GatewayHttpClient, TwilioChannel
from outreach_bot.clock import FixedClock
from outreach_bot.messaging.optout import is_opted_out
from outreach_bot.messaging.outbox import (
    RETRY_CAP,
    Origin,
    deliver,
    relay,
    retry_delay,
    sweep_stuck,
)
from outreach_bot.models import Message, PhoneNumber
from outreach_bot.queue import InlineQueue, Job
from outreach_bot.runtime import Runtime
from tests.factories import queue_nudge
from tests.twilio_double import (
    OPTED_OUT_21610,
    SERVER_ERROR,
    TOO_MANY_REQUESTS,
    TwilioDouble,
)
from tests.twilio_fixtures import MESSAGING_SERVICE_SID, SENDER

DISTRICT_TZ = ZoneInfo("America/Los_Angeles")
PHONE = "+15035550142"
BODY = "Hi, this is Maple Valley Schools. We missed Ana today. Reply STOP to opt out."


@pytest.fixture
def app_config(
    app_config: dict[str, object], twilio_settings: dict[str, object]
) -> dict[str, object]:
    """The test app sends through the real twilio library to the double."""
    return {**app_config, **twilio_settings}


def queue(runtime: Runtime, origin: Origin = "district", body: str = BODY) -> int:
    return queue_nudge(runtime, PHONE, body, origin=origin)


def send(
    runtime: Runtime, message_id: int, channel: TwilioChannel | None = None, max_attempts: int = 5
) -> str:
    return deliver(
        runtime.db,
        channel or runtime.channel,
        message_id,
        now=runtime.clock(),
        quiet=runtime.quiet_hours,
        status_callback_url=runtime.status_callback_url,
        max_attempts=max_attempts,
    )


def row(runtime: Runtime, message_id: int) -> Message:
    with runtime.db.transaction() as session:
        return session.get_one(Message, message_id)


def test_the_real_client_sends_the_right_request(
    runtime: Runtime, twilio_double: TwilioDouble
) -> None:
    assert isinstance(runtime.channel, TwilioChannel)
    message_id = queue(runtime)
    assert send(runtime, message_id) == "sent"

    (request,) = twilio_double.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{twilio_double.account_sid}/Messages.json"
    assert request.form == {
        "To": PHONE,
        "From": SENDER,
        "Body": BODY,
        "StatusCallback": "https://outreach.example.org/twilio/status",
    }
    token = f"{twilio_double.account_sid}:{twilio_double.auth_token}".encode()
    assert request.headers["authorization"] == "Basic " + base64.b64encode(token).decode()
    assert request.headers["user-agent"].startswith("twilio-python/")

    message = row(runtime, message_id)
    assert message.provider_sid is not None and message.provider_sid.startswith("SM")
    assert len(message.provider_sid) == 34
    assert (message.status, message.attempts, message.sent_at) == ("queued", 1, runtime.clock())
    assert (message.segments, message.encoding) == (1, "GSM-7")


def test_a_messaging_service_replaces_the_from_number(
    runtime: Runtime, twilio_double: TwilioDouble
) -> None:
    settings = replace(
        runtime.settings,
        twilio_messaging_service_sid=MESSAGING_SERVICE_SID,
        twilio_from_number=None,
    )
    message_id = queue(runtime, body="Hola 👋")
    assert send(runtime, message_id, TwilioChannel.from_settings(settings)) == "sent"
    (request,) = twilio_double.requests
    assert request.form["MessagingServiceSid"] == MESSAGING_SERVICE_SID
    assert "From" not in request.form
    message = row(runtime, message_id)
    assert (message.status, message.encoding) == ("accepted", "UCS-2")


@pytest.mark.parametrize(
    ("failure", "code"), [(TOO_MANY_REQUESTS, "20429"), (SERVER_ERROR, "20500")]
)
def test_a_retryable_error_waits_for_its_backoff_then_sends(
    runtime: Runtime,
    twilio_double: TwilioDouble,
    clock: FixedClock,
    failure: tuple[int, dict[str, object]],
    code: str,
) -> None:
    twilio_double.fail_next(failure)
    message_id = queue(runtime)
    assert relay(runtime.db, runtime.queue, clock()) == 1  # inline queue: the job runs now

    message = row(runtime, message_id)
    assert (message.status, message.attempts, message.error_code) == ("pending", 1, code)
    assert message.not_before is not None
    assert clock() + timedelta(seconds=15) <= message.not_before <= clock() + timedelta(seconds=30)

    assert relay(runtime.db, runtime.queue, clock()) == 0  # not due yet
    clock.advance(seconds=31)
    assert relay(runtime.db, runtime.queue, clock()) == 1
    assert len(twilio_double.requests) == 2
    assert len(twilio_double.created) == 1
    message = row(runtime, message_id)
    assert (message.status, message.attempts, message.error_code) == ("queued", 2, None)


def test_retries_stop_after_max_attempts(
    runtime: Runtime, twilio_double: TwilioDouble, clock: FixedClock
) -> None:
    twilio_double.fail_next(SERVER_ERROR, times=3)
    message_id = queue(runtime)
    assert send(runtime, message_id, max_attempts=3) == "retry"
    clock.advance(minutes=5)
    assert send(runtime, message_id, max_attempts=3) == "retry"
    clock.advance(minutes=5)
    assert send(runtime, message_id, max_attempts=3) == "failed"
    message = row(runtime, message_id)
    assert (message.status, message.attempts, message.error_code) == ("failed", 3, "20500")
    clock.advance(hours=1)
    assert relay(runtime.db, runtime.queue, clock()) == 0


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    assert retry_delay(1, jitter=lambda: 0.0) == timedelta(seconds=15)
    assert retry_delay(1, jitter=lambda: 1.0) == timedelta(seconds=30)
    assert retry_delay(3, jitter=lambda: 1.0) == timedelta(minutes=2)
    assert retry_delay(40, jitter=lambda: 1.0) == RETRY_CAP
    assert retry_delay(40, jitter=lambda: 0.0) == RETRY_CAP / 2


def test_21610_opts_the_phone_out(runtime: Runtime, twilio_double: TwilioDouble) -> None:
    twilio_double.fail_next(OPTED_OUT_21610)
    message_id = queue(runtime)
    assert send(runtime, message_id) == "opted_out"
    message = row(runtime, message_id)
    assert (message.status, message.error_code) == ("failed", "21610")
    with runtime.db.transaction() as session:
        assert is_opted_out(session, PHONE)
        assert session.get_one(PhoneNumber, PHONE).opt_out_source == "provider_21610"
    later = queue(runtime)
    assert row(runtime, later).status == "suppressed"
    assert len(twilio_double.requests) == 1


def test_another_refusal_fails_without_retry(runtime: Runtime, twilio_double: TwilioDouble) -> None:
    twilio_double.respond(
        400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}
    )
    message_id = queue(runtime)
    assert send(runtime, message_id) == "failed"
    message = row(runtime, message_id)
    assert (message.status, message.error_code, message.not_before) == ("failed", "21211", None)


def test_running_the_job_twice_sends_once(runtime: Runtime, twilio_double: TwilioDouble) -> None:
    message_id = queue(runtime)
    assert send(runtime, message_id) == "sent"
    assert send(runtime, message_id) == "done"
    assert len(twilio_double.requests) == 1


def test_concurrent_jobs_for_one_message_send_it_once(
    runtime: Runtime, twilio_double: TwilioDouble
) -> None:
    message_id = queue(runtime)
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def job() -> None:
        start.wait()
        outcomes.append(send(runtime, message_id))

    threads = [threading.Thread(target=job) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("sent") == 1
    assert len(twilio_double.requests) == 1


class HeldQueue(InlineQueue):
    """Keeps the jobs it is given and runs none, as Redis holds them for a worker."""

    def __init__(self) -> None:
        super().__init__()
        self.jobs: list[Job] = []

    def enqueue_many(self, jobs: Sequence[Job]) -> None:
        self.jobs.extend(jobs)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_relay_never_waits_for_a_row_another_holds(runtime: Runtime) -> None:
    """Two relays (the scan's and a worker's tick) once deadlocked marking the same rows in
    different orders. A relay now skips a row that another transaction holds, leaving it to
    that one, and marks the rest."""
    first, held, last = (queue(runtime) for _ in range(3))
    queued = HeldQueue()
    relayed: list[int] = []
    with runtime.db.engine.connect() as other:
        other.execute(text("SELECT id FROM messages WHERE id = :id FOR UPDATE"), {"id": held})
        relaying = threading.Thread(
            target=lambda: relayed.append(relay(runtime.db, queued, runtime.clock()))
        )
        relaying.start()
        relaying.join(timeout=30)
        waited = relaying.is_alive()
        other.rollback()  # lets a relay that waited go on, so that the test can end
    relaying.join()
    assert not waited, "the relay waited for a row another transaction held"
    assert relayed == [3]  # every due row enqueued (a second enqueue of a row is harmless)
    assert [row(runtime, i).status for i in (first, held, last)] == ["queued", "pending", "queued"]


def test_a_row_already_with_the_provider_is_left_for_reconciliation(
    runtime: Runtime, twilio_double: TwilioDouble
) -> None:
    message_id = queue(runtime)
    with runtime.db.transaction() as session:
        session.get_one(Message, message_id).status = "sending"  # a job crashed mid-send
    assert send(runtime, message_id) == "in_flight"
    assert twilio_double.requests == []


def test_a_district_text_in_quiet_hours_waits_then_goes(
    runtime: Runtime, twilio_double: TwilioDouble, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 10, 14, 21, 15, tzinfo=DISTRICT_TZ))
    message_id = queue(runtime)
    morning = datetime(2026, 10, 15, 8, 0, tzinfo=DISTRICT_TZ)
    assert row(runtime, message_id).not_before == morning
    assert relay(runtime.db, runtime.queue, clock()) == 0
    assert send(runtime, message_id) == "not_due"  # a stray job does not send it early
    clock.set(datetime(2026, 10, 15, 7, 59, tzinfo=DISTRICT_TZ))
    assert relay(runtime.db, runtime.queue, clock()) == 0
    assert twilio_double.requests == []
    clock.set(morning)
    assert relay(runtime.db, runtime.queue, clock()) == 1
    assert len(twilio_double.created) == 1
    assert row(runtime, message_id).sent_at == morning


def test_a_text_queued_before_quiet_hours_is_held_by_the_job(
    runtime: Runtime, twilio_double: TwilioDouble, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 10, 14, 19, 59, tzinfo=DISTRICT_TZ))
    message_id = queue(runtime)
    clock.set(datetime(2026, 10, 14, 20, 30, tzinfo=DISTRICT_TZ))  # the worker was slow
    assert send(runtime, message_id) == "held"
    message = row(runtime, message_id)
    assert (message.status, message.attempts) == ("pending", 0)
    assert message.not_before == datetime(2026, 10, 15, 8, 0, tzinfo=DISTRICT_TZ)
    assert twilio_double.requests == []


def test_a_reply_at_night_goes_at_once(
    runtime: Runtime, twilio_double: TwilioDouble, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 10, 14, 23, 40, tzinfo=DISTRICT_TZ))
    message_id = queue(runtime, origin="reply")
    assert row(runtime, message_id).not_before is None
    assert relay(runtime.db, runtime.queue, clock()) == 1
    assert len(twilio_double.created) == 1
    assert row(runtime, message_id).status == "queued"


def test_the_sweeper_requeues_only_rows_whose_job_was_lost(
    runtime: Runtime, twilio_double: TwilioDouble, clock: FixedClock
) -> None:
    lost, recent, taken = queue(runtime), queue(runtime), queue(runtime)
    with runtime.db.transaction() as session:
        for message_id, age in ((lost, 11), (recent, 2), (taken, 30)):
            message = session.get_one(Message, message_id)
            message.status, message.queued_at = "queued", clock() - timedelta(minutes=age)
        # 'queued' at the provider, with its SID: already handed over, never swept.
        session.get_one(Message, taken).provider_sid = "SM" + "f" * 32
    assert sweep_stuck(runtime.db, runtime.queue, clock()) == 1
    assert [r.form["To"] for r in twilio_double.created] == [PHONE]
    assert row(runtime, lost).provider_sid is not None
    assert row(runtime, recent).status == "queued"


def test_a_timeout_is_not_retried_blindly(runtime: Runtime, twilio_double: TwilioDouble) -> None:
    # Twilio may have taken it: the row stays 'sending' to be looked up (test_reconcile.py).
    channel = TwilioChannel.from_settings(replace(runtime.settings, twilio_timeout_seconds=0.2))
    twilio_double.respond(201, {"sid": "SM" + "0" * 32, "status": "queued"}, delay=1.0)
    message_id = queue(runtime)
    assert send(runtime, message_id, channel) == "in_flight"
    message = row(runtime, message_id)
    assert (message.status, message.error_code, message.attempts) == ("sending", "timeout", 1)
    assert send(runtime, message_id, channel) == "in_flight"
    assert len(twilio_double.requests) == 1


def test_an_unreachable_provider_is_retried(runtime: Runtime) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = replace(runtime.settings, twilio_api_base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(ChannelError) as raised:
        TwilioChannel.from_settings(settings).send(PHONE, BODY, None)
    assert (raised.value.code, raised.value.retryable) == ("connection", True)
    assert PHONE not in str(raised.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json",
            "http://gw.test:8080/twilio/2010-04-01/Accounts/AC1/Messages.json",
        ),
        (
            "https://messaging.twilio.com/v1/Services?PageSize=5",
            "http://gw.test:8080/twilio/v1/Services?PageSize=5",
        ),
        (
            "https://api.us1.twilio.com/2010-04-01/Accounts.json",
            "http://gw.test:8080/twilio/2010-04-01/Accounts.json",
        ),
        ("https://example.org/media/1.png", "https://example.org/media/1.png"),
        ("https://nottwilio.com/x", "https://nottwilio.com/x"),
    ],
)
def test_the_gateway_rewrites_only_twilio_hosts(url: str, expected: str) -> None:
    gateway = GatewayHttpClient(timeout=5, base_url="http://gw.test:8080/twilio/")
    assert gateway.rewrite(url) == expected


def test_without_a_gateway_urls_are_untouched_and_a_timeout_is_required() -> None:
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json"
    assert GatewayHttpClient(timeout=5).rewrite(url) == url
    with pytest.raises(ValueError, match="TWILIO_TIMEOUT_SECONDS"):
        GatewayHttpClient(timeout=0)
    with pytest.raises(ValueError, match="TWILIO_API_BASE_URL must be an http"):
        GatewayHttpClient(timeout=5, base_url="localhost:8080")
