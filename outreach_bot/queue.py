"""Where jobs go: RQ on Redis when REDIS_URL is set, otherwise run inline, in-process.

Two RQ queues, read in order: `outreach-replies` for families' own texts and the answers to
them, then `outreach` for everything the district starts (scans, follow-ups, the tick). A
family waiting on an answer never queues behind a scan's thousands of texts.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any, Protocol

log = logging.getLogger(__name__)

QUEUE_NAME = "outreach"
REPLIES_QUEUE_NAME = "outreach-replies"
# A wake's mark outlives a lost job by this much at most; then the next wake queues again.
WAKE_SECONDS = 30


def resolve(path: str) -> Any:
    """The function named by a dotted path such as 'outreach_bot.jobs.send_message'."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


class JobQueue(Protocol):
    """Takes jobs by dotted function path, with ids and primitives as arguments."""

    def enqueue(
        self, function: str, *args: Any, job_id: str | None = None, reply: bool = False
    ) -> None:
        """Run or queue the job; `reply` puts it ahead, with the answers to families."""

    def wake(self, function: str, *, reply: bool = False) -> None:
        """Run a job that takes no arguments soon: any number of wakes before it starts make
        one run. The job calls `woken` first, so a wake after that queues it again."""

    def woken(self, function: str) -> None:
        """Called by a woken job as it starts."""


class InlineQueue:
    """Runs each job at once in this process; a failure is logged and left for the tick."""

    def __init__(self) -> None:
        self._depth = 0
        self._pending: list[tuple[str, tuple[Any, ...]]] = []

    def enqueue(
        self, function: str, *args: Any, job_id: str | None = None, reply: bool = False
    ) -> None:
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

    def wake(self, function: str, *, reply: bool = False) -> None:
        if (function, ()) not in self._pending:
            self.enqueue(function)

    def woken(self, function: str) -> None:
        """Nothing to clear: an inline wake runs at once."""


class RedisQueue:
    """Puts jobs on RQ queues; a job id makes a second enqueue of the same work harmless."""

    def __init__(self, redis_url: str) -> None:
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(redis_url)
        self.queue = Queue(QUEUE_NAME, connection=self.connection)
        self.replies = Queue(REPLIES_QUEUE_NAME, connection=self.connection)

    @property
    def queues(self) -> list[Any]:
        """The RQ queues in the order workers read them."""
        return [self.replies, self.queue]

    def enqueue(
        self, function: str, *args: Any, job_id: str | None = None, reply: bool = False
    ) -> None:
        queue = self.replies if reply else self.queue
        queue.enqueue(function, *args, job_id=job_id, result_ttl=0, failure_ttl=7 * 86400)

    def wake(self, function: str, *, reply: bool = False) -> None:
        # One round trip while a run is already queued: the mark says so.
        if self.connection.set(_wake_key(function), 1, nx=True, ex=WAKE_SECONDS):
            self.enqueue(function, reply=reply)

    def woken(self, function: str) -> None:
        self.connection.delete(_wake_key(function))


def _wake_key(function: str) -> str:
    return f"outreach:wake:{function}"


def make_queue(redis_url: str | None) -> JobQueue:
    """RQ when a Redis URL is configured, inline otherwise."""
    return RedisQueue(redis_url) if redis_url else InlineQueue()
