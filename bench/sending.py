"""Texts per second from the outbox to a local double of Twilio's API, beside the raw client.

Three figures, in one run, against one double of Twilio's Messages API (the tests' own
handler, in a process of its own, TCP_NODELAY, a thread a connection):
- the ceiling: the raw twilio client (`client.messages.create` in a loop), in as many
  processes as there are workers, to the same double;
- outreach-bot, the rate not binding: N pending outbox rows (synthetic 555-01xx numbers)
  relayed and sent by RQ worker processes (SimpleWorker, as worker.py runs it) through the
  real twilio library: send jobs of up to SEND_BATCH rows, each row claimed by itself,
  each text taking room in the sender's window in Redis, with SEND_SEGMENTS_PER_SECOND far
  above what the run reaches. Timed from the relay until every row has its Twilio SID;
- outreach-bot, the rate binding (`--limit`, a short code's 100 segments a second): the
  segments the double took in each second of the run, their mean beside the limit, and the
  busiest one-second window, wherever it starts (it must not pass the limit).

Every run is checked: each row sent once (one request a body at the double, one attempt a
row, a SID on every row), or the run stops. The database is PostgreSQL, in a schema of its
own (bench_<pid>), dropped at the end; Redis database 12 by default, flushed before and after.

Run: .venv/bin/python bench/sending.py [--texts 3000] [--repeats 3] [--limit 100]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# bench/ is on sys.path when this file runs as a script; the repo root too, for the double.
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from children import check_running, die_after, emptied_redis, machine, stop, title
from district import SCHOOL_AFTERNOON, own_schema, phone_for
from flask import Flask
from sqlalchemy import func, select

from outreach_bot import create_app
from outreach_bot.clock import FixedClock
from outreach_bot.messaging.outbox import SEND_BATCH, queue_text, relay
from outreach_bot.messaging.rate_limit import WINDOW_SECONDS
from outreach_bot.messaging.segments import measure
from outreach_bot.models import Message
from outreach_bot.queue import RedisQueue
from outreach_bot.runtime import Runtime

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"  # a database of the benchmark's own
TARGET = 200  # texts a second with 2 workers, from the issue
NOT_BINDING = 1_000_000  # segments a second: far above anything this machine sends
SENDER = "+15035550100"
ACCOUNT_SID = "AC" + "0" * 30 + "42"
AUTH_TOKEN = "test-auth-token-not-secret"
DRAIN_TIMEOUT = 300.0
POLL_SECONDS = 0.05
WORKER_DEADLINE = 1800.0  # no worker outlives this, whatever happens to the parent
# One text in three takes two segments, as a question with its choices does.
SHORT = "Hi, this is Maple Valley Schools. We missed {name} today. Reply STOP to opt out."
LONG = SHORT + " Every day counts. Reply 1 for a ride, 2 for a doctor, 3 for food, 4 for help."


def settings(database_url: str, redis_url: str, base_url: str, limit: int) -> dict[str, Any]:
    """The app's settings: the real twilio library to the double, the given rate."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ENVIRONMENT": "test",
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": SENDER,
        "TWILIO_API_BASE_URL": base_url,
        "SEND_SEGMENTS_PER_SECOND": limit,
        "DISTRICT_NAME": "Maple Valley Schools",
        "QUIET_HOURS": "20:00-08:00",
    }


def make_app(database_url: str, redis_url: str, base_url: str, limit: int) -> Flask:
    """The app on a fixed school-day afternoon, outside quiet hours."""
    config = settings(database_url, redis_url, base_url, limit)
    return create_app({**config, "CLOCK": FixedClock(SCHOOL_AFTERNOON)})


def runtime_of(app: Flask) -> Runtime:
    found: Runtime = app.extensions["outreach"]
    return found


# --- the double, the raw client and the workers: processes of their own ----------------------


def run_double() -> None:
    """(internal) The tests' double of Twilio's API; 'dump' on stdin prints what it took."""
    from tests.twilio_double import TwilioDouble

    with TwilioDouble(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as double:
        print(double.base_url, flush=True)
        for line in sys.stdin:
            if line.strip() != "dump":
                continue
            with double._lock:
                taken = [(r.received, r.status, r.form.get("Body", "")) for r in double.requests]
                double.requests.clear()
                double.messages.clear()
            print(json.dumps(taken), flush=True)


class Double:
    """The double in a process of its own, so that it never waits on this one's lock."""

    def __enter__(self) -> Double:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "double"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()
        if not self.base_url.startswith("http://"):
            raise SystemExit("the Twilio double did not start")
        return self

    def dump(self) -> list[tuple[float, int, str]]:
        """Every request since the last dump: (received, HTTP status, body)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("dump\n")
        self.process.stdin.flush()
        return [tuple(row) for row in json.loads(self.process.stdout.readline())]  # type: ignore[misc]

    def __exit__(self, *_: object) -> None:
        stop([self.process])


def run_raw(base_url: str, count: int, start_at: float, tag: str) -> None:
    """(internal) The raw twilio client sending `count` texts from `start_at` (monotonic)."""
    from twilio.rest import Client

    from outreach_bot.channels.twilio import GatewayHttpClient

    client = Client(
        ACCOUNT_SID,
        AUTH_TOKEN,
        http_client=GatewayHttpClient(timeout=10.0, base_url=base_url),
        environment={"BENCH": "raw"},
    )
    client.messages.create(to=phone_for(0), from_=SENDER, body=f"warm-up {tag}")
    time.sleep(max(0.0, start_at - time.monotonic()))
    for number in range(count):
        body = (LONG if number % 3 == 0 else SHORT).format(name=f"raw {tag}.{number}")
        client.messages.create(to=phone_for(number % 4000), from_=SENDER, body=body)
    print(time.monotonic(), flush=True)


def raw_rate(double: Double, processes: int, texts: int, tag: str) -> float:
    """Texts a second through the raw client, `processes` of them side by side."""
    start_at = time.monotonic() + 8.0  # room for the processes to start and warm up
    share = texts // processes
    children = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "raw",
                double.base_url,
                str(share),
                str(start_at),
                tag + str(n),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(processes)
    ]
    ends = []
    for child in children:
        out, _ = child.communicate(timeout=DRAIN_TIMEOUT)
        if child.returncode != 0 or time.monotonic() < start_at:
            raise SystemExit("a raw client process failed (or started too late)")
        ends.append(float(out.strip()))
    taken = [row for row in double.dump() if row[1] == 201 and not row[2].startswith("warm-up")]
    if len(taken) != share * processes or min(at for at, _, _ in taken) < start_at:
        raise SystemExit(f"the double took {len(taken)} texts of {share * processes}")
    return share * processes / (max(ends) - start_at)


def run_worker(database_url: str, redis_url: str, base_url: str, limit: int) -> None:
    """(internal) One RQ worker, as worker.py runs it, without the tick."""
    from rq import SimpleWorker

    from outreach_bot.jobs import warm_up

    app = make_app(database_url, redis_url, base_url, limit)
    queue = runtime_of(app).queue
    assert isinstance(queue, RedisQueue)
    die_after(WORKER_DEADLINE)
    with app.app_context():
        warm_up()
        print("ready", flush=True)
        SimpleWorker(queue.queues, connection=queue.connection).work(logging_level="WARNING")


class Workers:
    """RQ worker processes of our own, at one rate; started, waited for, always stopped."""

    def __init__(self, count: int, database_url: str, redis_url: str, base_url: str, limit: int):
        self.command = [sys.executable, __file__, "work", database_url, redis_url, base_url]
        self.command.append(str(limit))
        self.count = count

    def __enter__(self) -> Workers:
        self.processes = [
            subprocess.Popen(self.command, stdout=subprocess.PIPE, text=True)
            for _ in range(self.count)
        ]
        for process in self.processes:
            assert process.stdout is not None
            if process.stdout.readline().strip() != "ready":
                raise SystemExit("an RQ worker did not start")
        return self

    def check(self) -> None:
        check_running(self.processes, "an RQ worker")

    def __exit__(self, *_: object) -> None:
        stop(self.processes)


# --- outreach-bot's runs ----------------------------------------------------------------------


def seed(app: Flask, texts: int, tag: str) -> tuple[list[int], dict[str, int]]:
    """`texts` pending district texts; their ids, and each body's segments."""
    rt = runtime_of(app)
    bodies = {
        (LONG if n % 3 == 0 else SHORT).format(name=f"student {tag}.{n}"): n for n in range(texts)
    }
    with rt.db.transaction() as session:
        rows = [
            queue_text(
                session,
                phone=phone_for(n % 4000),
                body=body,
                language="en",
                origin="district",
                purpose=f"bench:{tag}",
                now=rt.clock(),
                quiet=rt.quiet_hours,
                flush=False,
            )
            for body, n in bodies.items()
        ]
    return [row.id for row in rows], {body: measure(body).count for body in bodies}


@dataclass
class Sent:
    """One run of outreach-bot's sending, checked."""

    texts: int
    segments: int
    seconds: float
    per_second: list[int]  # segments the double took in each whole second of the run
    busiest: int  # the most segments in any one-second window, wherever it starts

    @property
    def rate(self) -> float:
        return self.texts / self.seconds


def send_all(app: Flask, double: Double, pool: Workers, texts: int, tag: str) -> Sent:
    """Seed, relay, and wait until every row has its SID; then check the double's count."""
    rt = runtime_of(app)
    ids, segments = seed(app, texts, tag)
    queue = rt.queue
    assert isinstance(queue, RedisQueue)
    # By the run's purpose, not by a list of ids: the poll must cost the database little.
    unsent = select(func.count()).where(
        Message.purpose == f"bench:{tag}", Message.provider_sid.is_(None)
    )
    began = time.perf_counter()
    if relay(rt.db, queue, rt.clock()) != texts:
        raise SystemExit("the relay did not queue every text")
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while True:
        with rt.db.transaction() as session:
            if session.scalar(unsent) == 0:
                break
        if time.monotonic() > deadline:
            raise SystemExit("the workers did not send every text in time")
        pool.check()
        time.sleep(POLL_SECONDS)
    seconds = time.perf_counter() - began
    with rt.db.transaction() as session:
        attempts = session.scalars(select(Message.attempts).where(Message.id.in_(ids))).all()
    if set(attempts) != {1}:
        raise SystemExit(f"run {tag}: a text was attempted more than once: {set(attempts)}")
    taken = sorted((at, body) for at, status, body in double.dump() if status == 201)
    bodies = [body for _, body in taken]
    if len(bodies) != len(set(bodies)) or set(bodies) != set(segments):
        raise SystemExit(
            f"run {tag}: the double took {len(bodies)} texts, not each of {texts} once"
        )
    times = [(at, segments[body]) for at, body in taken]
    return Sent(texts, sum(segments.values()), seconds, per_second(times), busiest(times))


def per_second(times: Sequence[tuple[float, int]]) -> list[int]:
    """Segments in each whole second from the first request (the last, partial one left out)."""
    first, last = times[0][0], times[-1][0]
    counts = [0] * int(last - first)
    for at, segments in times:
        second = int(at - first)
        if second < len(counts):
            counts[second] += segments
    return counts


def busiest(times: Sequence[tuple[float, int]]) -> int:
    """The most segments in any one-second window [t, t + 1), t at any request."""
    most, total, back = 0, 0, 0
    for at, segments in times:
        total += segments
        while times[back][0] <= at - 1.0:
            total -= times[back][1]
            back += 1
        most = max(most, total)
    return most


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="flushed before and after")
    parser.add_argument("--texts", type=int, default=3000, help="texts a run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="RQ worker processes")
    parser.add_argument("--limit", type=int, default=100, help="segments/s for the binding run")
    parser.add_argument("--limit-seconds", type=float, default=12.0, help="length of that run")
    parser.add_argument("--keep-schema", action="store_true")
    if argv is None and len(sys.argv) > 1 and sys.argv[1] in ("double", "raw", "work"):
        command, *rest = sys.argv[1:]
        if command == "double":
            run_double()
        elif command == "raw":
            run_raw(rest[0], int(rest[1]), float(rest[2]), rest[3])
        else:
            run_worker(rest[0], rest[1], rest[2], int(rest[3]))
        return
    args = parser.parse_args(argv)
    redis = emptied_redis(args.redis_url)
    print(title("sending"))
    print(
        f"{machine()}; {args.texts} texts a run (one in three of two segments),"
        f" {args.workers} worker processes, send jobs of {SEND_BATCH} rows, median of"
        f" {args.repeats} runs."
    )
    raw: list[float] = []
    ours: list[Sent] = []
    try:
        with own_schema(args.database_url, args.keep_schema) as url, Double() as double:
            app = make_app(url, args.redis_url, double.base_url, NOT_BINDING)
            with Workers(args.workers, url, args.redis_url, double.base_url, NOT_BINDING) as pool:
                send_all(app, double, pool, 200, "warm")  # connections, caches, imports
                for repeat in range(args.repeats):
                    raw.append(raw_rate(double, args.workers, args.texts, f"r{repeat}"))
                    ours.append(send_all(app, double, pool, args.texts, f"o{repeat}"))
                    print(
                        f"  run {repeat + 1}: raw client {raw[-1]:,.0f} texts/s,"
                        f" outreach-bot {ours[-1].rate:,.0f} texts/s"
                    )
            texts = round(args.limit * args.limit_seconds / 1.33)  # 1.33 segments a text
            with Workers(args.workers, url, args.redis_url, double.base_url, args.limit) as pool:
                bound = send_all(app, double, pool, texts, "limit")
            runtime_of(app).db.dispose()
    finally:
        redis.flushdb()
    rate, ceiling = statistics.median(s.rate for s in ours), statistics.median(raw)
    verdict = "meets target" if rate >= TARGET else "BELOW TARGET"
    print()
    print(f"{'texts/s, median':52} {'ours':>8} {'ceiling':>8} {'of it':>7}")
    print(
        f"{'outreach-bot, rate not binding (ceiling: raw client)':52} {rate:>8,.0f}"
        f" {ceiling:>8,.0f} {rate / ceiling:>7.0%}  {verdict} ({TARGET}/s;"
        f" runs: {', '.join(f'{s.rate:,.0f}' for s in ours)})"
    )
    steady = statistics.mean(bound.per_second) if bound.per_second else float("nan")
    print(
        f"rate binding at {args.limit} segments/s: {bound.texts} texts, {bound.segments} segments"
        f" in {bound.seconds:.1f} s; at the double {steady:.1f} segments/s on average over"
        f" {len(bound.per_second)} whole seconds (the window's guard allows"
        f" {args.limit / WINDOW_SECONDS:.1f}), busiest one-second window {bound.busiest}"
        f" (limit {args.limit}: {'kept' if bound.busiest <= args.limit else 'PASSED'})"
    )
    if bound.busiest > args.limit:
        raise SystemExit("the sender's rate was passed")


if __name__ == "__main__":
    main()
