"""The sender's rate: never more segments in any one second than SEND_SEGMENTS_PER_SECOND,
whichever worker sends, and every text sent once. Measured where it matters: at the double
of Twilio's API, which notes when each request came in."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest
from redis import Redis

from outreach_bot import jobs
from outreach_bot.clock import FixedClock
from outreach_bot.config import ConfigError, load_settings
from outreach_bot.messaging import outbox
from outreach_bot.messaging.outbox import relay
from outreach_bot.messaging.rate_limit import (
    WINDOW_SECONDS,
    LocalSendRate,
    RedisSendRate,
    default_rate,
    limit_of,
)
from outreach_bot.messaging.segments import measure
from outreach_bot.models import Message
from outreach_bot.queue import RedisQueue
from outreach_bot.runtime import Runtime
from tests.conftest import REDIS_URL
from tests.factories import queue_nudge
from tests.twilio_double import RecordedRequest, TwilioDouble
from tests.twilio_fixtures import MESSAGING_SERVICE_SID
from tests.worker_process import start

LIMIT = 6  # segments a second
SHORT = "Hi, this is Maple Valley Schools. We missed {n} today. Reply STOP to opt out."
# Over 160 GSM-7 characters: two segments.
LONG = SHORT + " Every day counts, and we are here to help with rides, meals or anything else."


def busiest_second(requests: Sequence[RecordedRequest]) -> int:
    """The most segments the double took in any one second, wherever the second starts."""
    taken = sorted((r.received, measure(r.form["Body"]).count) for r in requests if r.status == 201)
    return max(
        sum(segments for at, segments in taken[first:] if at < start + 1.0)
        for first, (start, _) in enumerate(taken)
    )


def texts(runtime: Runtime, count: int) -> tuple[list[int], int]:
    """`count` district texts to fictional numbers, every third of two segments; their ids
    and segments in all."""
    ids, segments = [], 0
    for n in range(count):
        body = (LONG if n % 3 == 0 else SHORT).format(n=f"student {n}")
        segments += measure(body).count
        ids.append(queue_nudge(runtime, f"+1503555{100 + n:04d}", body))
    return ids, segments


def assert_sent_once(runtime: Runtime, double: TwilioDouble, ids: list[int]) -> None:
    bodies = [request.form["Body"] for request in double.created]
    assert len(bodies) == len(set(bodies)) == len(ids)  # each text once, none lost
    with runtime.db.transaction() as session:
        for message_id in ids:
            message = session.get_one(Message, message_id)
            assert message.provider_sid is not None and message.attempts == 1


# --- the window itself ------------------------------------------------------------------


def test_the_redis_window_grants_the_limit_and_says_how_long_to_wait(
    redis_connection: Redis,
) -> None:
    rate = RedisSendRate(redis_connection, "+15035550100", limit=5)
    assert [rate.take(1) for _ in range(5)] == [0.0] * 5
    wait = rate.take(1)
    assert 0 < wait <= WINDOW_SECONDS
    assert rate.take(1) > 0  # nothing was taken by asking
    # Another sender has a window of its own.
    assert RedisSendRate(redis_connection, MESSAGING_SERVICE_SID, limit=5).take(5) == 0.0
    # A text bigger than the whole limit goes alone, and holds the window for longer.
    big = RedisSendRate(redis_connection, "+15035550101", limit=2)
    assert big.take(3) == 0.0
    assert 1.4 * WINDOW_SECONDS < big.take(1) <= 1.5 * WINDOW_SECONDS


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_local_window_never_grants_more_than_the_limit_in_any_second() -> None:
    clock, draw = Clock(), random.Random(15)
    rate = LocalSendRate(limit=LIMIT, clock=clock)
    granted: list[tuple[float, int]] = []
    while len(granted) < 400:
        segments = draw.choice([1, 1, 1, 2, 3])
        wait = rate.take(segments)
        if wait == 0:
            granted.append((clock.now, segments))
        clock.now += wait  # an eager sender: it asks again at once, or once told to
    most = max(
        sum(s for at, s in granted[first:] if at < start + WINDOW_SECONDS)
        for first, (start, _) in enumerate(granted)
    )
    assert most == LIMIT  # reached, never passed
    seconds = granted[-1][0] - granted[0][0]
    rate_achieved = sum(s for _, s in granted[:-1]) / seconds
    assert LIMIT / WINDOW_SECONDS * 0.9 < rate_achieved <= LIMIT / WINDOW_SECONDS


# --- settings ---------------------------------------------------------------------------


def test_the_default_follows_twilio_s_norms_for_the_sender() -> None:
    assert default_rate("+15035550100") == 1  # a long code
    assert default_rate("+18885550100") == 3  # toll-free
    assert default_rate("55501") == 100  # a short code
    assert default_rate(MESSAGING_SERVICE_SID) == 1
    twilio = {
        "sms_backend": "twilio",
        "twilio_account_sid": "AC" + "0" * 32,
        "twilio_auth_token": "not-secret",
        "twilio_from_number": "+18885550100",
    }
    assert limit_of(load_settings(twilio, environ={})) == 3
    assert limit_of(load_settings(twilio, environ={"SEND_SEGMENTS_PER_SECOND": "40"})) == 40
    assert limit_of(load_settings({}, environ={})) is None  # the console sends nothing
    with pytest.raises(ConfigError, match="SEND_SEGMENTS_PER_SECOND must be"):
        load_settings({}, environ={"SEND_SEGMENTS_PER_SECOND": "0"})


# --- sending through the real twilio library ----------------------------------------------


@pytest.fixture
def app_config(
    app_config: dict[str, object], twilio_settings: dict[str, object]
) -> dict[str, object]:
    return {**app_config, **twilio_settings, "SEND_SEGMENTS_PER_SECOND": LIMIT}


def test_inline_jobs_keep_the_rate_in_process(
    runtime: Runtime, twilio_double: TwilioDouble
) -> None:
    ids, segments = texts(runtime, 15)
    assert segments > 3 * LIMIT  # enough to bind for three seconds and more
    jobs.relay_outbox()  # inline: the jobs run here, waiting for room
    assert busiest_second(twilio_double.requests) == LIMIT
    assert_sent_once(runtime, twilio_double, ids)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_worker_processes_share_one_rate_in_redis(
    runtime: Runtime,
    app_config: dict[str, object],
    twilio_double: TwilioDouble,
    clock: FixedClock,
    redis_connection: Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = {**app_config, "REDIS_URL": REDIS_URL}
    redis_queue = RedisQueue(REDIS_URL)
    ids, segments = texts(runtime, 24)
    assert segments > 4 * LIMIT
    monkeypatch.setattr(outbox, "SEND_BATCH", 3)  # eight jobs, for the two workers to share
    assert relay(runtime.db, redis_queue, clock()) == len(ids)
    assert redis_queue.lanes["district"].count == 8
    workers = [start(settings, clock) for _ in range(2)]
    for worker in workers:
        assert worker.wait(timeout=120) == 0
    assert busiest_second(twilio_double.requests) <= LIMIT
    assert busiest_second(twilio_double.requests) >= LIMIT - 2  # the limit did bind
    assert_sent_once(runtime, twilio_double, ids)
