"""Where jobs go: RQ on Redis when REDIS_URL is set, otherwise run inline, in-process."""

from __future__ import annotations

import importlib
import logging
from typing import Any, Protocol

log = logging.getLogger(__name__)

QUEUE_NAME = "outreach"


def resolve(path: str) -> Any:
    """The function named by a dotted path such as 'outreach_bot.jobs.send_message'."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


class JobQueue(Protocol):
    """Takes jobs by dotted function path, with ids and primitives as arguments."""

    def enqueue(self, function: str, *args: Any, job_id: str | None = None) -> None:
        """Run or queue the job."""


class InlineQueue:
    """Runs each job at once in this process; a failure is logged and left for the tick."""

    def __init__(self) -> None:
        self._depth = 0
        self._pending: list[tuple[str, tuple[Any, ...]]] = []

    def enqueue(self, function: str, *args: Any, job_id: str | None = None) -> None:
        # Jobs queued by a running job run after it, in order, as a worker would run them.
        self._pending.append((function, args))
        if self._depth:
            return
        self._depth += 1
        try:
            while self._pending:
                name, job_args = self._pending.pop(0)
                try:
                    resolve(name)(*job_args)
                except Exception:
                    log.exception(
                        "inline job %s failed; the tick will pick its work up again", name
                    )
        finally:
            self._depth -= 1


class RedisQueue:
    """Puts jobs on an RQ queue; a job id makes a second enqueue of the same work harmless."""

    def __init__(self, redis_url: str) -> None:
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(redis_url)
        self.queue = Queue(QUEUE_NAME, connection=self.connection)

    def enqueue(self, function: str, *args: Any, job_id: str | None = None) -> None:
        self.queue.enqueue(function, *args, job_id=job_id, result_ttl=0, failure_ttl=7 * 86400)


def make_queue(redis_url: str | None) -> JobQueue:
    """RQ when a Redis URL is configured, inline otherwise."""
    return RedisQueue(redis_url) if redis_url else InlineQueue()
