"""Where jobs go: RQ on Redis when REDIS_URL is set, otherwise run inline, in-process.

Jobs go in one of three lanes, RQ queues that workers read in this order:
- `inbox` (`outreach-inbox`): answering the texts families send;
- `replies` (`outreach-replies`): sending those answers;
- `district` (`outreach`): everything the district starts (scans, follow-ups, the tick).
A family waiting on an answer never queues behind a scan's thousands of texts.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, Protocol

log = logging.getLogger(__name__)

Lane = Literal["inbox", "replies", "district"]
QUEUE_NAMES: dict[Lane, str] = {
    "inbox": "outreach-inbox",
    "replies": "outreach-replies",
    "district": "outreach",
}
QUEUE_NAME = QUEUE_NAMES["district"]
# A wake's mark outlives a lost job by this much at most; then the next wake queues again.
WAKE_SECONDS = 30
# A burst's wakes (the webhook's) within this many seconds of this process's last ring are
# skipped: a woken job's last look for work begins at least this long after it stops
# listening, so the texts they stored are seen all the same (see `RedisQueue.wake`).
WAKE_QUIET = 0.05
# A finished job's record stays this long (RQ's default). Deleting it at once (0) costs a
# worker about a third more Redis work per job.
RESULT_SECONDS = 500
FAILURE_SECONDS = 7 * 86400  # a failed job's record stays a week, for reading


@dataclass(frozen=True)
class EvictionPolicy:
    """Redis's `maxmemory-policy`, as far as its provider lets it be read.

    Any policy but `noeviction` lets a full Redis delete keys, queued jobs among them: the
    work stays in the database, but nothing runs it until the tick finds it.
    """

    name: str | None  # None: the provider refuses CONFIG GET (some managed Redis do)

    @property
    def safe(self) -> bool:
        """Queued jobs are never evicted, or the provider does not say (and is trusted)."""
        return self.name in (None, "noeviction")

    def explained(self) -> str:
        """'ok', or one sentence saying what to set."""
        if self.name == "noeviction":
            return "ok"
        if self.name is None:
            return (
                "maxmemory-policy unknown (the provider refuses CONFIG GET);"
                " make sure it is noeviction"
            )
        return (
            f"maxmemory-policy is {self.name}: a full Redis may evict queued jobs;"
            " set it to noeviction"
        )


class QueueUnreachable(Exception):
    """Redis could not be reached, or is full: the work is stored in the database, its job is
    not queued.

    Nothing is lost: the tick relays unsent outbox rows and answers stored texts once Redis
    is back and a worker runs.
    """


@contextmanager
def _reaching_redis() -> Iterator[None]:
    """Turn Redis's connection errors, and a full Redis's refusals, into QueueUnreachable,
    naming no URL (it may hold a password)."""
    from redis import exceptions as redis_errors

    try:
        yield
    except (redis_errors.ConnectionError, redis_errors.TimeoutError) as error:
        raise QueueUnreachable(
            f"the job queue (Redis, REDIS_URL) is unreachable: {type(error).__name__}"
        ) from error
    except redis_errors.OutOfMemoryError as error:
        # noeviction at work: a full Redis refuses new jobs rather than drop queued ones.
        raise QueueUnreachable(
            "the job queue (Redis, REDIS_URL) is full (maxmemory): OutOfMemoryError"
        ) from error


def resolve(path: str) -> Any:
    """The function named by a dotted path such as 'outreach_bot.jobs.send_message'."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Job:
    """One job to queue: a dotted function path, its arguments, its id and its lane."""

    function: str
    args: tuple[Any, ...] = ()
    job_id: str | None = None
    lane: Lane = "district"
    timeout: int | None = None  # seconds before RQ stops the job (None: RQ's default, 180)


class JobQueue(Protocol):
    """Takes jobs by dotted function path, with ids and primitives as arguments."""

    def enqueue(
        self,
        function: str,
        *args: Any,
        job_id: str | None = None,
        lane: Lane = "district",
        timeout: int | None = None,
    ) -> None:
        """Run or queue the job in a lane; `timeout` for a job that may run long."""

    def enqueue_many(self, jobs: Sequence[Job]) -> None:
        """Run or queue several jobs, in order (on Redis, in one round trip)."""

    def wake(self, function: str, *, lane: Lane = "district", burst: bool = False) -> None:
        """Run a job that takes no arguments soon. While it is queued or awake, wakes queue
        no other run: the job hears them in `doze`. `burst`: a caller that wakes the job
        many times a second, whose work is stored before it wakes (the webhook), may be
        spared the wake when it rang moments ago."""

    def doze(self, function: str, seconds: float) -> bool:
        """Called by a woken job with nothing left to do: wait up to `seconds` for a wake.

        True: woken again, so look for work and doze again. False: the job is no longer
        awake, and the next wake queues a new run; look for work once more, then end.
        """


class InlineQueue:
    """Runs each job at once in this process; a failure is logged and left for the tick."""

    def __init__(self) -> None:
        self._depth = 0
        self._pending: list[tuple[str, tuple[Any, ...]]] = []

    def enqueue(
        self,
        function: str,
        *args: Any,
        job_id: str | None = None,
        lane: Lane = "district",
        timeout: int | None = None,
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

    def enqueue_many(self, jobs: Sequence[Job]) -> None:
        for job in jobs:
            self.enqueue(job.function, *job.args, job_id=job.job_id, lane=job.lane)

    def wake(self, function: str, *, lane: Lane = "district", burst: bool = False) -> None:
        if (function, ()) not in self._pending:
            self.enqueue(function)

    def doze(self, function: str, seconds: float) -> bool:
        return False  # an inline job never waits: each wake runs it again


class RedisQueue:
    """Puts jobs on RQ queues; a job id makes a second enqueue of the same work harmless."""

    def __init__(self, redis_url: str, *, quiet: float = WAKE_QUIET) -> None:
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(redis_url)
        self.quiet = quiet
        self._rung: dict[str, float] = {}  # when this process last rang each job's bell
        self.lanes = {
            lane: Queue(name, connection=self.connection) for lane, name in QUEUE_NAMES.items()
        }

    @property
    def queues(self) -> list[Any]:
        """The RQ queues in the order workers read them."""
        return list(self.lanes.values())

    def enqueue(
        self,
        function: str,
        *args: Any,
        job_id: str | None = None,
        lane: Lane = "district",
        timeout: int | None = None,
    ) -> None:
        self.enqueue_many([Job(function, args, job_id, lane, timeout)])

    def enqueue_many(self, jobs: Sequence[Job]) -> None:
        from rq import Queue

        with _reaching_redis(), self.connection.pipeline() as pipe:
            for lane, queue in self.lanes.items():
                data = [
                    Queue.prepare_data(
                        job.function,
                        args=job.args,
                        job_id=job.job_id,
                        timeout=job.timeout,
                        result_ttl=RESULT_SECONDS,
                        failure_ttl=FAILURE_SECONDS,
                    )
                    for job in jobs
                    if job.lane == lane
                ]
                if data:
                    queue.enqueue_many(data, pipeline=pipe)
            pipe.execute()

    def eviction_policy(self) -> EvictionPolicy:
        """Redis's maxmemory-policy; raises redis's ConnectionError when it is unreachable."""
        from redis.exceptions import ResponseError

        try:
            found = self.connection.config_get("maxmemory-policy")
        except ResponseError:  # CONFIG disabled, renamed or denied by the provider
            return EvictionPolicy(None)
        return EvictionPolicy(found.get("maxmemory-policy"))

    def wake(self, function: str, *, lane: Lane = "district", burst: bool = False) -> None:
        # In a burst, a ring of ours less than `quiet` ago stands for this one. That ring
        # reached a job that was queued or awake: it looks for work after the ring, and its
        # last look waits `quiet` after it stops listening (`doze`), so that look begins
        # after whatever was stored before this call.
        began = time.monotonic()
        rung = self._rung.get(function)
        if burst and rung is not None and began - rung < self.quiet:
            return
        # One round trip: mark the job awake (or find it so) and ring its bell.
        mark, bell = _wake_keys(function)
        pipe = self.connection.pipeline(transaction=False)
        pipe.set(mark, 1, nx=True, ex=WAKE_SECONDS)
        pipe.rpush(bell, 1)
        pipe.expire(bell, WAKE_SECONDS)
        with _reaching_redis():
            marked, _, _ = pipe.execute()
        if marked:
            self.enqueue(function, lane=lane)
        self._rung[function] = began  # counted from before the ring, and only once it rang

    def doze(self, function: str, seconds: float) -> bool:
        mark, bell = _wake_keys(function)
        if seconds > 0 and self.connection.blpop([bell], timeout=seconds) is not None:
            pipe = self.connection.pipeline(transaction=False)
            pipe.delete(bell)  # one look for work answers every ring so far
            pipe.expire(mark, WAKE_SECONDS)
            pipe.execute()
            return True
        self.connection.delete(mark)
        # Wakes skipped in a burst trusted a ring of `quiet` ago: wait, so that the caller's
        # last look for work begins after what they stored.
        time.sleep(self.quiet)
        return False


def _wake_keys(function: str) -> tuple[str, str]:
    """The mark that a job is queued or awake, and the bell wakes ring."""
    return f"outreach:wake:{function}", f"outreach:wake:{function}:bell"


def make_queue(redis_url: str | None) -> JobQueue:
    """RQ when a Redis URL is configured, inline otherwise."""
    return RedisQueue(redis_url) if redis_url else InlineQueue()
