"""The RQ worker, its scheduler, and the one-minute tick (`worker: python worker.py`)."""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker

import outreach_bot.jobs  # preloaded, and warmed up, so that each job starts warm
from outreach_bot import create_app
from outreach_bot.config import ConfigError
from outreach_bot.queue import QUEUE_NAME, RedisQueue

TICK_SECONDS = 60
log = logging.getLogger("worker")


def enqueue_ticks(connection: Redis, queue: Queue, stop: threading.Event) -> None:
    """Queue the tick once a minute; a Redis key makes it once per minute across all workers."""
    while True:
        minute = int(time.time() // TICK_SECONDS)
        try:
            if connection.set(f"outreach:tick:{minute}", 1, nx=True, ex=TICK_SECONDS * 2):
                queue.enqueue("outreach_bot.jobs.tick", job_id=f"tick-{minute}", result_ttl=0)
        except RedisError as error:
            # Redis is away: this minute's tick is skipped (its work waits in the database),
            # and the clock keeps going, so the ticks start again once Redis is back.
            log.warning("the tick was not queued: Redis is unreachable (%s)", type(error).__name__)
        if stop.wait(TICK_SECONDS - time.time() % TICK_SECONDS + 1):
            return


def main() -> None:
    """Run jobs until stopped: sends, inbound processing, scans and ticks."""
    try:
        app = create_app()
    except ConfigError as error:
        raise SystemExit(str(error)) from None
    run(app)


def run(app: Flask) -> None:
    """Run the app's jobs and its minute tick until stopped (tests pass an app on a fixed clock)."""
    # Production logs are set up by create_app (JSON); elsewhere, plain lines on stderr.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    queue = app.extensions["outreach"].queue
    if not isinstance(queue, RedisQueue):
        raise SystemExit(
            "REDIS_URL is not set: the worker needs Redis (without it jobs run inline)"
        )
    refuse_evicting_redis(queue)
    stop = threading.Event()
    # The tick clock gets a Redis client of its own: the worker tunes and blocks on its own one.
    ticker = Redis.from_url(app.extensions["outreach"].settings.redis_url)
    tick_queue = Queue(QUEUE_NAME, connection=ticker)
    threading.Thread(target=enqueue_ticks, args=(ticker, tick_queue, stop), daemon=True).start()
    with app.app_context():
        outreach_bot.jobs.warm_up()
        # SimpleWorker runs jobs in this process, inside the app context, reusing DB connections.
        # It reads the families' queue first: their answers never wait behind a scan.
        worker = SimpleWorker(queue.queues, connection=queue.connection)
        try:
            worker.work(with_scheduler=True)
        finally:
            stop.set()


def refuse_evicting_redis(queue: RedisQueue) -> None:
    """Stop, in one line, when Redis is away or may evict queued jobs; warn when it won't say."""
    try:
        policy = queue.eviction_policy()
    except RedisError as error:
        raise SystemExit(
            f"the worker cannot reach Redis (REDIS_URL): {type(error).__name__}"
        ) from None
    if not policy.safe:
        raise SystemExit(f"the worker will not start: Redis's {policy.explained()}")
    if policy.name is None:
        log.warning("Redis's %s", policy.explained())


if __name__ == "__main__":
    main()
