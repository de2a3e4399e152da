"""Redis down: webhooks and the scan store their work and answer; nothing is lost, and the
work is done once Redis is back and a worker runs."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from redis import Redis
from rq import Queue
from sqlalchemy import select

from outreach_bot.cli import main
from outreach_bot.cli.scan import QUEUE_UNREACHABLE
from outreach_bot.models import Message, StatusCallback
from outreach_bot.queue import RedisQueue
from outreach_bot.runtime import Runtime
from tests.factories import add_family, add_school
from tests.redis_server import RedisServer, own_redis, run_burst
from tests.test_messaging_rules import PHONE, TODAY, absent_today_district
from worker import enqueue_ticks

__all__ = ["own_redis"]  # a fixture, used by name


@pytest.fixture
def app_config(app_config: dict[str, object], own_redis: RedisServer) -> dict[str, object]:
    """Jobs go to a redis-server of the test's own, which the test stops and starts."""
    return {**app_config, "REDIS_URL": own_redis.url}


@pytest.fixture
def redis_down(own_redis: RedisServer) -> Iterator[RedisServer]:
    """Redis stopped for the test's first part; the test starts it again."""
    own_redis.stop()
    yield own_redis


def catch_up(runtime: Runtime) -> None:
    """Redis is back: the worker's clock queues the tick, and a worker runs what is queued."""
    queue = runtime.queue
    assert isinstance(queue, RedisQueue)
    queue.enqueue("outreach_bot.jobs.tick")
    run_burst(queue)


def outbound(runtime: Runtime) -> list[Message]:
    with runtime.db.transaction() as session:
        return list(session.scalars(select(Message).where(Message.direction == "outbound")))


def test_a_text_arriving_while_redis_is_down_is_stored_answered_200_then_processed(
    app: Flask, runtime: Runtime, redis_down: RedisServer
) -> None:
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session, phone=PHONE)
    client = app.test_client()
    form = {"MessageSid": "SM" + "d" * 32, "From": PHONE, "Body": "HELP"}
    response = client.post("/twilio/inbound", data=form)
    assert response.status_code == 200
    assert response.data.endswith(b"<Response/>")
    status = {"MessageSid": "SM" + "e" * 32, "MessageStatus": "delivered"}
    assert client.post("/twilio/status", data=status).status_code == 200
    with runtime.db.transaction() as session:
        (stored,) = session.scalars(select(Message).where(Message.direction == "inbound"))
        assert (stored.body, stored.processed_at) == ("HELP", None)
        assert session.scalars(select(StatusCallback.status)).all() == ["delivered"]
    assert outbound(runtime) == []

    redis_down.start()
    catch_up(runtime)
    with runtime.db.transaction() as session:
        (stored,) = session.scalars(select(Message).where(Message.direction == "inbound"))
        assert stored.processed_at is not None
    (answer,) = outbound(runtime)
    assert (answer.purpose, answer.provider_sid is not None) == ("help", True)


def test_a_scan_while_redis_is_down_is_stored_and_says_the_queue_is_unreachable(
    app: Flask, runtime: Runtime, cli, redis_down: RedisServer
) -> None:
    absent_today_district(runtime)
    outcome = cli.invoke(main, ["scan", "--date", TODAY.isoformat()])
    assert outcome.exit_code == QUEUE_UNREACHABLE, outcome.output
    assert "absent_today" in outcome.stdout
    assert outcome.stderr.startswith("Error: the scan is stored, but its texts are not queued")
    assert "unreachable" in outcome.stderr and "Traceback" not in outcome.output
    waiting = outbound(runtime)
    assert waiting and {(row.status, row.provider_sid) for row in waiting} == {("pending", None)}

    redis_down.start()
    catch_up(runtime)
    sent = outbound(runtime)
    assert [row.id for row in sent] == [row.id for row in waiting]
    assert all(row.provider_sid is not None for row in sent)
    again = cli.invoke(main, ["scan", "--date", TODAY.isoformat()])
    assert again.exit_code == 0 and "no triggers fired" in again.stdout
    assert len(outbound(runtime)) == len(waiting)


def test_the_worker_clock_keeps_ticking_through_a_redis_outage(own_redis: RedisServer) -> None:
    # Its thread used to die of the first ConnectionError, and no tick came again.
    connection = Redis.from_url(own_redis.url)
    queue = Queue("outreach-test", connection=connection)
    one_pass = threading.Event()
    one_pass.set()
    own_redis.stop()
    enqueue_ticks(connection, queue, one_pass)  # no tick, and no exception
    own_redis.start()
    enqueue_ticks(connection, queue, one_pass)
    assert [job_id.startswith("tick-") for job_id in queue.job_ids] == [True]
    connection.close()


def test_a_text_arriving_while_redis_is_full_is_stored_answered_200_then_processed(
    app: Flask, runtime: Runtime, own_redis: RedisServer
) -> None:
    """noeviction: a full Redis refuses the job rather than dropping queued ones, and the
    webhook keeps the text, as when Redis is down."""
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session, phone=PHONE)
    redis = Redis(port=own_redis.port)
    redis.set("ballast", b"x" * 2_000_000)
    redis.config_set("maxmemory", "1mb")  # below what it holds: every write is refused
    form = {"MessageSid": "SM" + "f" * 32, "From": PHONE, "Body": "HELP"}
    response = app.test_client().post("/twilio/inbound", data=form)
    assert response.status_code == 200
    with runtime.db.transaction() as session:
        (stored,) = session.scalars(select(Message).where(Message.direction == "inbound"))
        assert (stored.body, stored.processed_at) == ("HELP", None)

    redis.delete("ballast")
    redis.config_set("maxmemory", "0")
    catch_up(runtime)
    (answer,) = outbound(runtime)
    assert answer.purpose == "help"
