"""Replies per second through the whole path on PostgreSQL, beside a bare Flask endpoint.

Each reply goes webhook (signed) -> stored inbound row -> engine -> outbox rows -> console
send. The bare endpoint is a tiny Flask app that answers '<Response/>' to the same requests,
through the same client, in the same run: the ceiling of the framework and the client on this
machine now.

Two configurations:
- inline (REDIS_URL unset): jobs run in the request, exactly as a single web process without
  Redis runs them; through Flask's test client in this process, and over real HTTP
  (http.client with keep-alive from a thread pool) against gunicorn with two workers.
- production (DESIGN.md): gunicorn stores each webhook and queues its processing on RQ
  (Redis); RQ workers of this benchmark's own run the engine and write the outbox, and each
  send is a job of its own. A run is timed from the first webhook until every reply is
  processed and every text sent; a family's second reply is posted once its first is
  processed, as a family would answer.

The run works in a schema of its own, bench_<pid>, which it drops at the end, and a Redis
database of its own (flushed before and after), and it checks every row it expects, so a
failing path cannot pass for a fast one.

Run: .venv/bin/python bench/full_path.py [--database-url URL]
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import itertools
import os
import platform
import pstats
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

# bench/ is on sys.path when this file is run as a script (and in its gunicorn workers).
from children import check_running, die_after, stop, wait_until_healthy
from district import (
    INBOUND,
    Batch,
    Request,
    bare_app,
    family,
    outreach_app,
    own_schema,
    runtime_of,
    seed_district,
    seed_families,
    verify,
)
from flask import Flask
from sqlalchemy import event, text

TARGET = 300  # replies/s through the full path, from the issue
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REQUEST_TIMEOUT = 30.0  # seconds, for any one HTTP request
SERVER_START_TIMEOUT = 30.0
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of the benchmark's own
DRAIN_TIMEOUT = 120.0  # seconds for the RQ workers to finish one round
POLL_SECONDS = 0.01
RQ_CEILING_JOBS = 600
WORKER_MAX_IDLE = 120  # an RQ worker with nothing to do this long stops
WORKER_DEADLINE = 1800.0  # and none lives longer than this, whatever happens
ALL_LANES = ("inbox", "replies", "district")  # worker.py reads every lane, in this order
# Each run's MessageSids begin with its tag: in process, HTTP, all at once, sends held.
TAGS = {"in-process": "i", "http": "h", "all": "a", "held": "d"}
WORKER_CLASSES = ("sync", "gthread")  # sync: the Procfile's `gunicorn wsgi:app`


# --- clients ----------------------------------------------------------------------------------


def post_in_process(app: Flask, batch: Batch) -> float:
    """Post the batch through Flask's test client, round by round; returns seconds taken."""
    client = app.test_client()
    statuses: Counter[int] = Counter()
    began = time.perf_counter()
    for rnd in batch.rounds:
        for request in rnd:
            statuses[
                client.post(INBOUND, data=request.form, headers=request.headers).status_code
            ] += 1
    elapsed = time.perf_counter() - began
    check_statuses(statuses, batch)
    return elapsed


def post_over_http(
    port: int, batch: Batch, clients: int, between_rounds: Callable[[int], None] | None = None
) -> float:
    """Post the batch over keep-alive HTTP from `clients` threads; returns seconds taken.

    `between_rounds(n)`, when given, runs (and is timed) after round n, before the next.
    """
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def drive(requests: list[Request], counter: Iterator[int]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        seen: Counter[int] = Counter()
        try:
            for index in counter:
                if index >= len(requests):
                    break
                request = requests[index]
                connection.request("POST", INBOUND, body=request.body, headers=request.headers)
                response = connection.getresponse()
                response.read()
                seen[response.status] += 1
        finally:
            connection.close()
            with lock:
                statuses.update(seen)

    elapsed = 0.0
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for number, rnd in enumerate(batch.rounds):  # a second reply once the first is answered
            counter = itertools.count()  # next() on it is atomic under the GIL
            began = time.perf_counter()
            for future in [pool.submit(drive, rnd, counter) for _ in range(clients)]:
                future.result()
            if between_rounds is not None:
                between_rounds(number)
            elapsed += time.perf_counter() - began
    check_statuses(statuses, batch)
    return elapsed


def check_statuses(statuses: Counter[int], batch: Batch) -> None:
    """Every webhook must have been answered 200."""
    if statuses[200] != batch.replies:
        raise SystemExit(f"expected {batch.replies} answers of 200, got {dict(statuses)}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """gunicorn serving one of the two apps, in a child process we start and stop."""

    which: str
    database_url: str
    workers: int
    log: Path
    redis_url: str = ""
    worker_class: str = "sync"
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self.port = free_port()
        command = [
            sys.executable,
            __file__,
            "serve",
            "--which",
            self.which,
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--database-url",
            self.database_url,
            "--redis-url",
            self.redis_url,
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_healthy(self.process, self.port, self.which, SERVER_START_TIMEOUT)
        except SystemExit as error:
            raise SystemExit(f"{error}; see {self.log}") from None
        return self

    def __exit__(self, *_: object) -> None:
        stop([self.process])  # gunicorn stops its workers on SIGTERM


def serve(
    which: str, port: int, workers: int, worker_class: str, database_url: str, redis_url: str
) -> None:
    """Run gunicorn with the chosen app: `sync` workers, as the Procfile's `gunicorn wsgi:app`
    runs them (each answers one request at a time and closes the connection), or `gthread`
    (one thread a worker, keep-alive)."""
    from gunicorn.app.base import BaseApplication

    factory: Callable[[], Flask] = (
        bare_app if which == "bare" else (lambda: outreach_app(database_url, redis_url))
    )

    class Gunicorn(BaseApplication):
        def load_config(self) -> None:
            for name, value in {
                "bind": f"127.0.0.1:{port}",
                "workers": workers,
                "worker_class": worker_class,
                "threads": 1,  # the inline job queue is per process and not thread-safe
                "keepalive": 30,
                "accesslog": None,
                "loglevel": "warning",
            }.items():
                self.cfg.set(name, value)

        def load(self) -> Flask:
            return factory()  # in each worker, after the fork: its own database pool

    Gunicorn().run()


# --- production configuration: RQ workers ----------------------------------------------------


def work(
    database_url: str, redis_url: str, lanes: Sequence[str], max_idle: int, deadline: float
) -> None:
    """One RQ worker (SimpleWorker, as worker.py runs it) on the benchmark's app, bounded.

    It reads the given lanes, in the order worker.py reads them.
    """
    from rq import SimpleWorker

    from outreach_bot.jobs import warm_up
    from outreach_bot.queue import RedisQueue

    app = outreach_app(database_url, redis_url)
    queue = runtime_of(app).queue
    assert isinstance(queue, RedisQueue)
    die_after(deadline)
    with app.app_context():
        warm_up()  # as worker.py does
        queues = [rq for lane, rq in queue.lanes.items() if lane in lanes]
        SimpleWorker(queues, connection=queue.connection).work(
            logging_level="WARNING", max_idle_time=max_idle
        )


@dataclass
class Workers:
    """RQ worker processes of our own, started and always stopped by us."""

    count: int
    database_url: str
    redis_url: str
    log: Path
    lanes: Sequence[str] = ALL_LANES
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def __enter__(self) -> Workers:
        command = [
            sys.executable,
            __file__,
            "work",
            "--database-url",
            self.database_url,
            "--redis-url",
            self.redis_url,
            "--max-idle",
            str(WORKER_MAX_IDLE),
            "--deadline",
            str(WORKER_DEADLINE),
            "--lanes",
            ",".join(self.lanes),
        ]
        with self.log.open("ab") as log:
            for _ in range(self.count):
                self.processes.append(
                    subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
                )
        return self

    def check(self) -> None:
        """Fail loudly when a worker has died."""
        check_running(self.processes, f"an RQ worker (see {self.log})")

    def __exit__(self, *_: object) -> None:
        stop(self.processes)  # RQ stops after the job at hand on SIGTERM


def flush_redis(redis_url: str) -> None:
    """Empty the benchmark's own Redis database."""
    from redis import Redis

    connection = Redis.from_url(redis_url)
    try:
        connection.flushdb()
    finally:
        connection.close()


# What the production rows poll for, every POLL_SECONDS: each reads a small index (the
# unanswered texts; the outbox by status), so that polling costs the database little.
UNANSWERED = text(
    "SELECT count(*) FROM messages WHERE direction = 'inbound' AND processed_at IS NULL"
)
UNSENT = text(
    "SELECT count(*) FROM messages WHERE status IN ('pending', 'queued', 'sending')"
    " AND direction = 'outbound'"
)


def wait_for(app: Flask, batch: Batch, number: int, workers: Workers, *, sent: bool) -> None:
    """Until round `number` is answered (its outbox rows written) or, with `sent`, until every
    text is sent. Every webhook of the round was stored before it was answered 200, so
    nothing unanswered (or unsent) left means the round is done."""
    rt = runtime_of(app)
    deadline = time.monotonic() + DRAIN_TIMEOUT
    left = 0
    while time.monotonic() < deadline:
        with rt.db.connection() as connection:
            left = connection.execute(UNSENT if sent else UNANSWERED).scalar_one()
        if left == 0:
            return
        workers.check()
        time.sleep(POLL_SECONDS)
    raise SystemExit(
        f"run {batch.tag}, round {number + 1}: after {DRAIN_TIMEOUT:.0f}s, {left}"
        f" {'texts unsent' if sent else 'replies unanswered'}"
    )


def rq_ceiling(redis_url: str, pool: Workers, jobs: int = RQ_CEILING_JOBS) -> float:
    """No-op jobs a second through the same RQ workers: the most RQ alone allows them."""
    from redis import Redis
    from rq import Queue
    from rq.registry import StartedJobRegistry

    from outreach_bot.queue import QUEUE_NAME

    connection = Redis.from_url(redis_url)
    try:
        queue = Queue(QUEUE_NAME, connection=connection)
        started = StartedJobRegistry(queue=queue)
        began = time.perf_counter()
        for number in range(jobs):
            queue.enqueue("os.getpid", job_id=f"noop-{number}", result_ttl=0)
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while queue.count or started.count:
            if time.monotonic() > deadline:
                raise SystemExit("the RQ workers did not drain the no-op jobs in time")
            pool.check()
            time.sleep(POLL_SECONDS)
        return jobs / (time.perf_counter() - began)
    finally:
        connection.close()


def measure_production(
    app: Flask,
    url: str,
    redis_url: str,
    runs: dict[str, list[Batch]],
    warm: dict[str, Batch],
    workers: int,
    worker_class: str,
    clients: int,
    rq_workers: int,
) -> list[Figures]:
    """gunicorn storing and waking RQ; RQ workers answering, then sending. Two ways:

    - all at once, as worker.py runs: every worker reads every lane. Timed until every reply
      is answered into the outbox, and until every text is sent by the console channel.
    - sends held: the workers read only the inbox lane, so the texts wait in Redis, as they
      would behind a provider's rate limit. Timed until every reply is in the outbox, which
      is the issue's path (webhook, database, engine, outbox); workers reading the replies
      lane then send them, untimed, so that every run is checked whole.
    """
    log = Path(tempfile.gettempdir()) / f"bench_full_path_rq_{os.getpid()}.log"
    name = f"production, {workers} web + {rq_workers} RQ workers"
    outbox = Figures(f"{name}: to the outbox")
    sent = Figures(f"{name}: every text sent")
    held = Figures(f"{name}, sends held: to the outbox")
    flush_redis(redis_url)

    def processed(batch: Batch, pool: Workers) -> Callable[[int], None]:
        return lambda number: wait_for(app, batch, number, pool, sent=False)

    def all_sent(batch: Batch, pool: Workers) -> float:
        began = time.perf_counter()
        wait_for(app, batch, 0, pool, sent=True)
        return time.perf_counter() - began

    try:
        with (
            Server("bare", url, workers, log, worker_class=worker_class) as bare_server,
            Server(
                "full", url, workers, log, redis_url=redis_url, worker_class=worker_class
            ) as full_server,
        ):

            def bare(batch: Batch) -> float:
                return batch.replies / post_over_http(bare_server.port, batch, clients)

            with Workers(rq_workers, url, redis_url, log) as pool:
                post_over_http(bare_server.port, warm["all"], clients)
                post_over_http(full_server.port, warm["all"], clients, processed(warm["all"], pool))
                all_sent(warm["all"], pool)
                verify(app, warm["all"], "production warm-up")
                noop = rq_ceiling(redis_url, pool)
                # Each text is a send job of its own; an inbox job answers many replies.
                per_reply = sum(len(f.expect) for f in warm["all"].families) / warm["all"].replies
                print(
                    f"  RQ alone: {noop:,.0f} no-op jobs/s through the {rq_workers} workers;"
                    f" at {per_reply:.2f} send jobs a reply, RQ alone sends the texts of about"
                    f" {noop / per_reply:,.0f} replies/s"
                )
                for batch in runs["all"]:
                    ceiling = bare(batch)
                    to_outbox = post_over_http(
                        full_server.port, batch, clients, processed(batch, pool)
                    )
                    to_sent = to_outbox + all_sent(batch, pool)
                    verify(app, batch, f"production run {batch.tag}")
                    for figures, elapsed in ((outbox, to_outbox), (sent, to_sent)):
                        figures.bare.append(ceiling)
                        figures.full.append(batch.replies / elapsed)
            with Workers(rq_workers, url, redis_url, log, lanes=("inbox",)) as drainers:
                for batch in [warm["held"], *runs["held"]]:
                    ceiling = bare(batch)
                    to_outbox = post_over_http(
                        full_server.port, batch, clients, processed(batch, drainers)
                    )
                    with Workers(rq_workers, url, redis_url, log, lanes=("replies",)) as senders:
                        all_sent(batch, senders)
                    verify(app, batch, f"production run {batch.tag}, sends held")
                    if batch is not warm["held"]:
                        held.bare.append(ceiling)
                        held.full.append(batch.replies / to_outbox)
    finally:
        flush_redis(redis_url)
    summarize_log(log)
    return [held, outbox, sent]


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Figures:
    """Median rates of the outreach app and the bare endpoint through one client."""

    client: str
    full: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)

    def line(self) -> str:
        """One row of the results table."""
        full, bare = statistics.median(self.full), statistics.median(self.bare)
        verdict = "meets target" if full >= TARGET else "BELOW TARGET"
        runs = ", ".join(f"{rate:,.0f}" for rate in self.full)
        return (
            f"{self.client:58} {full:>9,.0f} {bare:>9,.0f} {full / bare:>8.1%}"
            f" {full / TARGET:>8.2f}  {verdict} (runs: {runs})"
        )


def count_statements(app: Flask, batch: Batch, detail: bool) -> None:
    """Post a batch in process while counting SQL statements and commits, untimed."""
    engines = runtime_of(app).db.engines
    statements: Counter[str] = Counter()
    commits = 0

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements[" ".join(statement.split())[:90]] += 1

    def on_commit(_conn: Any) -> None:
        nonlocal commits
        commits += 1

    for engine in engines:
        event.listen(engine, "before_cursor_execute", on_execute)
        event.listen(engine, "commit", on_commit)
    try:
        post_in_process(app, batch)
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", on_execute)
            event.remove(engine, "commit", on_commit)
    verify(app, batch, "statement count")
    n = batch.replies
    print(
        f"  per reply: {sum(statements.values()) / n:.1f} SQL statements,"
        f" {commits / n:.1f} transactions"
    )
    if detail:
        for statement, times in statements.most_common(25):
            print(f"    {times / n:5.2f}  {statement}")


def measure_in_process(
    app: Flask, bare: Flask, batches: list[Batch], profiler: cProfile.Profile | None
) -> Figures:
    """Each batch through the bare endpoint, then through the full path, then checked."""
    figures = Figures("inline jobs: Flask test client, in process")
    for batch in batches:
        figures.bare.append(batch.replies / post_in_process(bare, batch))
        if profiler:
            profiler.enable()
        figures.full.append(batch.replies / post_in_process(app, batch))
        if profiler:
            profiler.disable()
        verify(app, batch, f"in-process run {batch.tag}")
    return figures


def measure_over_http(
    app: Flask,
    url: str,
    batches: list[Batch],
    warm: Batch,
    workers: int,
    worker_class: str,
    clients: int,
) -> Figures:
    """The same, over HTTP to two gunicorn servers (bare and full) running side by side."""
    log = Path(tempfile.gettempdir()) / f"bench_full_path_{os.getpid()}.log"
    figures = Figures(f"inline jobs: HTTP, gunicorn {workers} {worker_class} workers")
    with (
        Server("bare", url, workers, log, worker_class=worker_class) as bare_server,
        Server("full", url, workers, log, worker_class=worker_class) as full_server,
    ):
        post_over_http(bare_server.port, warm, clients)
        post_over_http(full_server.port, warm, clients)
        for batch in batches:
            figures.bare.append(batch.replies / post_over_http(bare_server.port, batch, clients))
            figures.full.append(batch.replies / post_over_http(full_server.port, batch, clients))
            verify(app, batch, f"HTTP run {batch.tag}")
    summarize_log(log)
    return figures


def summarize_log(log: Path) -> None:
    """The servers' (and workers') log by kind of line; removed once read."""
    logged = log.read_text(errors="replace").splitlines() if log.exists() else []
    if not logged:
        log.unlink(missing_ok=True)
        print("  server log: empty")
        return
    print(f"  server log: {len(logged)} lines; by kind:")
    kinds = Counter(re.sub(r"\d+", "N", line) for line in logged)
    for line, times in kinds.most_common(5):
        print(f"    {times:5}  {line}")
    log.unlink()  # a server that failed raised above and left its log for reading


def main(argv: Sequence[str] | None = None) -> None:
    """Seed, measure both clients against both apps, check, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--families", type=int, default=200, help="families per timed run")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per client")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=4, help="HTTP client threads")
    parser.add_argument(
        "--worker-class",
        choices=WORKER_CLASSES,
        default="sync",
        help="gunicorn's workers: sync, as the Procfile runs them, or gthread (keep-alive)",
    )
    parser.add_argument("--no-http", action="store_true", help="only the in-process client")
    parser.add_argument(
        "--no-rq", action="store_true", help="skip the production configuration (RQ workers)"
    )
    parser.add_argument(
        "--no-inline", action="store_true", help="only the production configuration"
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="flushed before and after")
    parser.add_argument("--rq-workers", type=int, default=2, help="RQ worker processes")
    parser.add_argument("--explain", action="store_true", help="list the SQL per reply")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the in-process runs")
    parser.add_argument("--keep-schema", action="store_true", help="do not drop the schema")
    sub = parser.add_subparsers(dest="command")
    serve_args = sub.add_parser("serve", help="(internal) run gunicorn for one app")
    serve_args.add_argument("--which", choices=("full", "bare"), required=True)
    serve_args.add_argument("--port", type=int, required=True)
    serve_args.add_argument("--workers", type=int, default=2)
    serve_args.add_argument("--worker-class", choices=WORKER_CLASSES, default="sync")
    serve_args.add_argument("--database-url", required=True)
    serve_args.add_argument("--redis-url", default="")
    work_args = sub.add_parser("work", help="(internal) run one RQ worker")
    work_args.add_argument("--database-url", required=True)
    work_args.add_argument("--redis-url", required=True)
    work_args.add_argument("--max-idle", type=int, default=WORKER_MAX_IDLE)
    work_args.add_argument("--deadline", type=float, default=WORKER_DEADLINE)
    work_args.add_argument("--lanes", default=",".join(ALL_LANES))
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(
            args.which,
            args.port,
            args.workers,
            args.worker_class,
            args.database_url,
            args.redis_url,
        )
        return
    if args.command == "work":
        work(args.database_url, args.redis_url, args.lanes.split(","), args.max_idle, args.deadline)
        return

    clients = [] if args.no_inline else ["in-process"] + ([] if args.no_http else ["http"])
    if not args.no_http and not args.no_rq:
        clients += ["all", "held"]
    explain_size = 30
    indexes = itertools.count()
    batches = {
        client: [
            Batch([family(next(indexes)) for _ in range(args.families)], f"{TAGS[client]}{r}")
            for r in range(args.repeats)
        ]
        for client in clients
    }
    explain = Batch([family(next(indexes)) for _ in range(explain_size)], "x")
    # Warm-ups (imports, catalogs, pools, caches) use families of their own, untimed.
    warm_in_process = Batch([family(next(indexes)) for _ in range(6)], "w")
    warm_http = Batch([family(next(indexes)) for _ in range(6)], "v")
    warm_rq = {
        mode: Batch([family(next(indexes)) for _ in range(6)], tag)
        for mode, tag in (("all", "u"), ("held", "t"))
    }
    everyone = [f for runs in batches.values() for b in runs for f in b.families]
    everyone += explain.families + warm_in_process.families + warm_http.families
    everyone += [f for batch in warm_rq.values() for f in batch.families]

    print(f"outreach-bot full-path benchmark, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs;"
        f" {args.families} families a run ({batches[clients[0]][0].replies} replies),"
        f" median of {args.repeats} runs per client."
    )
    with own_schema(args.database_url, args.keep_schema) as url:
        app, bare = outreach_app(url), bare_app()
        began = time.perf_counter()
        seed_district(app)
        seed_families(app, everyone)
        print(
            f"  seeded {len(everyone)} families with missed_you waiting"
            f" in {time.perf_counter() - began:.1f}s, in schema bench_{os.getpid()}"
        )
        post_in_process(bare, warm_in_process)
        post_in_process(app, warm_in_process)
        profiler = cProfile.Profile() if args.profile else None
        results = []
        if "in-process" in clients:
            results.append(measure_in_process(app, bare, batches["in-process"], profiler))
        if "http" in clients:
            results.append(
                measure_over_http(
                    app,
                    url,
                    batches["http"],
                    warm_http,
                    args.workers,
                    args.worker_class,
                    args.clients,
                )
            )
        if "all" in clients:
            results.extend(
                measure_production(
                    app,
                    url,
                    args.redis_url,
                    {mode: batches[mode] for mode in ("all", "held")},
                    warm_rq,
                    args.workers,
                    args.worker_class,
                    args.clients,
                    args.rq_workers,
                )
            )
        count_statements(app, explain, args.explain)
        runtime_of(app).db.dispose()

    print()
    print(f"{'replies/s, median':58} {'full path':>9} {'bare':>9} {'of bare':>8} {'x target':>8}")
    for figures in results:
        print(figures.line())
    print(f"{'target (issue): webhook to outbox':58} {TARGET:>9,}")
    closes = " (each closes the connection after its answer)" if args.worker_class == "sync" else ""
    print(
        f"HTTP: {args.clients} client threads with keep-alive; gunicorn {args.workers}"
        f" {args.worker_class} workers{closes}."
    )
    if profiler is not None:
        profiler.dump_stats(args.profile)
        print(f"\nprofile of the in-process full path written to {args.profile}; top 30:")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
