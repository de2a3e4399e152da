"""A worker killed (SIGKILL) in the middle of a send: the text is neither sent twice nor
forgotten. A real worker process, real Redis, the real twilio library and the double."""

from __future__ import annotations

import signal
import time

import pytest
from redis import Redis

from outreach_bot import jobs
from outreach_bot.clock import FixedClock
from outreach_bot.messaging.outbox import SEND_JOB, relay, send_job_id
from outreach_bot.queue import RedisQueue
from outreach_bot.runtime import Runtime
from tests.conftest import REDIS_URL
from tests.redis_server import run_burst
from tests.test_send import queue, row
from tests.twilio_double import TwilioDouble
from tests.worker_process import start

HANG = 60.0  # seconds the double keeps the killed worker waiting; it never gets that far


@pytest.fixture
def app_config(
    app_config: dict[str, object], twilio_settings: dict[str, object], redis_connection: Redis
) -> dict[str, object]:
    """Jobs on the test's Redis database; the client waits on Twilio longer than the test."""
    return {
        **app_config,
        **twilio_settings,
        "REDIS_URL": REDIS_URL,
        "TWILIO_TIMEOUT_SECONDS": HANG * 2,
    }


def wait_for(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the worker never reached Twilio"
        time.sleep(0.02)


@pytest.mark.parametrize("taken", [True, False], ids=["after-twilio-took-it", "before"])
def test_a_worker_killed_mid_send_leaves_a_text_that_is_reconciled_then_sent_once(
    runtime: Runtime,
    app_config: dict[str, object],
    twilio_double: TwilioDouble,
    clock: FixedClock,
    taken: bool,
) -> None:
    twilio_double.clock = clock
    if taken:
        twilio_double.take_slowly(HANG)
    else:
        twilio_double.respond(500, {"message": "never answered"}, delay=HANG)
    message_id = queue(runtime)
    assert isinstance(runtime.queue, RedisQueue)
    assert relay(runtime.db, runtime.queue, clock()) == 1

    worker = start(app_config, clock)
    try:
        wait_for(lambda: len(twilio_double.requests) == 1)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    assert worker.returncode == -signal.SIGKILL
    assert row(runtime, message_id).status == "sending"  # whether Twilio has it is unknown

    # The job queued again (a sweep, a duplicate enqueue) does not send it blindly.
    runtime.queue.enqueue(SEND_JOB, [message_id], job_id=send_job_id([message_id]) + "-again")
    run_burst(runtime.queue)
    assert len(twilio_double.requests) == 1

    clock.advance(minutes=6)
    jobs.tick()  # looks it up: found, or to be sent again after its backoff
    run_burst(runtime.queue)
    message = row(runtime, message_id)
    if not taken:
        assert (message.status, message.provider_sid) == ("pending", None)
        assert message.not_before is not None
        clock.set(message.not_before)
        jobs.tick()
        run_burst(runtime.queue)
        message = row(runtime, message_id)
    (only,) = twilio_double.messages
    assert (message.provider_sid, message.status) == (only["sid"], only["status"])
    clock.advance(hours=1)
    jobs.tick()
    run_burst(runtime.queue)
    assert len(twilio_double.messages) == 1
