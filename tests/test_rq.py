"""The outbox on real Redis: one RQ job per message id, a second enqueue harmless, one send."""

from __future__ import annotations

from datetime import timedelta

import pytest
from redis import Redis
from rq import SimpleWorker
from rq.job import Job

from outreach_bot.clock import FixedClock
from outreach_bot.messaging.outbox import SEND_JOB, relay, send_job_id, sweep_stuck
from outreach_bot.models import Message
from outreach_bot.queue import RedisQueue
from outreach_bot.runtime import Runtime
from tests.factories import queue_nudge
from tests.twilio_double import TwilioDouble

PHONE = "+15035550142"
BODY = "Hi, this is Maple Valley Schools."


@pytest.fixture
def app_config(
    app_config: dict[str, object], twilio_settings: dict[str, object]
) -> dict[str, object]:
    """The test app sends through the real twilio library to the double."""
    return {**app_config, **twilio_settings}


@pytest.fixture
def redis_queue(redis_connection: Redis) -> RedisQueue:
    """Our RQ queue on the test's Redis database."""
    options = redis_connection.connection_pool.connection_kwargs
    return RedisQueue(f"redis://{options['host']}:{options['port']}/{options['db']}")


def work(redis_queue: RedisQueue) -> None:
    """Run every queued job in this process, as a worker would (inside the app context)."""
    SimpleWorker(redis_queue.queues, connection=redis_queue.connection).work(burst=True)


def test_relay_enqueues_one_job_named_after_the_row(
    runtime: Runtime, redis_queue: RedisQueue, clock: FixedClock
) -> None:
    message_id = queue_nudge(runtime, PHONE, BODY)
    assert relay(runtime.db, redis_queue, clock()) == 1
    assert redis_queue.lanes["district"].job_ids == [send_job_id([message_id])]
    job = Job.fetch(send_job_id([message_id]), connection=redis_queue.connection)
    assert (job.func_name, job.args) == (SEND_JOB, ([message_id],))
    with runtime.db.transaction() as session:
        message = session.get_one(Message, message_id)
        assert (message.status, message.queued_at) == ("queued", clock())
    assert relay(runtime.db, redis_queue, clock()) == 0  # already queued: nothing new
    assert redis_queue.lanes["district"].job_ids == [send_job_id([message_id])]


def test_a_second_enqueue_is_harmless_and_the_worker_sends_once(
    runtime: Runtime, redis_queue: RedisQueue, twilio_double: TwilioDouble, clock: FixedClock
) -> None:
    message_id = queue_nudge(runtime, PHONE, BODY)
    assert relay(runtime.db, redis_queue, clock()) == 1
    # A relay that crashed after enqueueing but before marking the row enqueues it again.
    redis_queue.enqueue(SEND_JOB, [message_id], job_id=send_job_id([message_id]))
    work(redis_queue)
    assert len(twilio_double.requests) == 1
    with runtime.db.transaction() as session:
        message = session.get_one(Message, message_id)
        assert message.provider_sid is not None
        assert (message.status, message.attempts) == ("queued", 1)  # Twilio's 'queued'
    work(redis_queue)
    assert len(twilio_double.requests) == 1


def test_a_job_lost_with_redis_is_swept_back(
    runtime: Runtime, redis_queue: RedisQueue, twilio_double: TwilioDouble, clock: FixedClock
) -> None:
    message_id = queue_nudge(runtime, PHONE, BODY)
    assert relay(runtime.db, redis_queue, clock()) == 1
    redis_queue.connection.flushdb()  # Redis restarted empty: the job is gone, the row is not
    clock.advance(minutes=5)
    assert sweep_stuck(runtime.db, redis_queue, clock()) == 0  # not stuck for long enough yet
    clock.advance(minutes=6)
    assert sweep_stuck(runtime.db, redis_queue, clock()) == 1
    work(redis_queue)
    assert len(twilio_double.created) == 1
    with runtime.db.transaction() as session:
        assert session.get_one(Message, message_id).provider_sid is not None
    assert sweep_stuck(runtime.db, redis_queue, clock() + timedelta(hours=1)) == 0
