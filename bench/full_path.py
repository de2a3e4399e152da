"""Replies per second through the whole path on PostgreSQL, beside a bare Flask endpoint.

Each reply goes webhook (signed) -> stored inbound row -> engine -> outbox rows -> console
send, with jobs inline, exactly as a single web process without Redis runs it. The bare
endpoint is a tiny Flask app that answers '<Response/>' to the same requests, through the same
client, in the same run: the ceiling of the framework and the client on this machine now.

Two clients: Flask's test client in this process, and real HTTP (http.client with keep-alive
from a thread pool) against gunicorn with two workers on 127.0.0.1. The run works in a schema
of its own, bench_<pid>, which it drops at the end, and it checks every row it expects, so a
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
from sqlalchemy import event

TARGET = 300  # replies/s through the full path, from the issue
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REQUEST_TIMEOUT = 30.0  # seconds, for any one HTTP request
SERVER_START_TIMEOUT = 30.0


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


def post_over_http(port: int, batch: Batch, clients: int) -> float:
    """Post the batch over keep-alive HTTP from `clients` threads; returns seconds taken."""
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
        for rnd in batch.rounds:  # a second reply is only sent once the first is answered
            counter = itertools.count()  # next() on it is atomic under the GIL
            began = time.perf_counter()
            for future in [pool.submit(drive, rnd, counter) for _ in range(clients)]:
                future.result()
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
            "--database-url",
            self.database_url,
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the {self.which} server exited; see {self.log}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    connection.close()
                    return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise SystemExit(f"the {self.which} server did not answer in time; see {self.log}")

    def __exit__(self, *_: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # gunicorn stops its workers on SIGTERM
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def serve(which: str, port: int, workers: int, database_url: str) -> None:
    """Run gunicorn (gthread, one thread a worker, keep-alive) with the chosen app."""
    from gunicorn.app.base import BaseApplication

    factory: Callable[[], Flask] = (
        bare_app if which == "bare" else (lambda: outreach_app(database_url))
    )

    class Gunicorn(BaseApplication):
        def load_config(self) -> None:
            for name, value in {
                "bind": f"127.0.0.1:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": 1,  # the inline job queue is per process and not thread-safe
                "keepalive": 30,
                "accesslog": None,
                "loglevel": "warning",
            }.items():
                self.cfg.set(name, value)

        def load(self) -> Flask:
            return factory()  # in each worker, after the fork: its own database pool

    Gunicorn().run()


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
        return (
            f"{self.client:34} {full:>9,.0f} {bare:>9,.0f} {full / bare:>8.1%}"
            f" {full / TARGET:>8.2f}  {verdict}"
        )


def count_statements(app: Flask, batch: Batch, detail: bool) -> None:
    """Post a batch in process while counting SQL statements and commits, untimed."""
    engine = runtime_of(app).db.engine
    statements: Counter[str] = Counter()
    commits = 0

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements[" ".join(statement.split())[:90]] += 1

    def on_commit(_conn: Any) -> None:
        nonlocal commits
        commits += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_commit)
    try:
        post_in_process(app, batch)
    finally:
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
    figures = Figures("Flask test client, in process")
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
    app: Flask, url: str, batches: list[Batch], warm: Batch, workers: int, clients: int
) -> Figures:
    """The same, over HTTP to two gunicorn servers (bare and full) running side by side."""
    log = Path(tempfile.gettempdir()) / f"bench_full_path_{os.getpid()}.log"
    figures = Figures(f"HTTP, gunicorn {workers} workers, {clients} clients")
    with (
        Server("bare", url, workers, log) as bare_server,
        Server("full", url, workers, log) as full_server,
    ):
        post_over_http(bare_server.port, warm, clients)
        post_over_http(full_server.port, warm, clients)
        for batch in batches:
            figures.bare.append(batch.replies / post_over_http(bare_server.port, batch, clients))
            figures.full.append(batch.replies / post_over_http(full_server.port, batch, clients))
            verify(app, batch, f"HTTP run {batch.tag}")
    logged = log.read_text(errors="replace").splitlines() if log.exists() else []
    if not logged:
        log.unlink(missing_ok=True)
        print("  server log: empty")
        return figures
    print(f"  server log: {len(logged)} lines; by kind:")
    kinds = Counter(re.sub(r"\d+", "N", line) for line in logged)
    for line, times in kinds.most_common(5):
        print(f"    {times:5}  {line}")
    log.unlink()  # a server that failed raised above and left its log for reading
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    """Seed, measure both clients against both apps, check, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--families", type=int, default=200, help="families per timed run")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per client")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=4, help="HTTP client threads")
    parser.add_argument("--no-http", action="store_true", help="only the in-process client")
    parser.add_argument("--explain", action="store_true", help="list the SQL per reply")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the in-process runs")
    parser.add_argument("--keep-schema", action="store_true", help="do not drop the schema")
    sub = parser.add_subparsers(dest="command")
    serve_args = sub.add_parser("serve", help="(internal) run gunicorn for one app")
    serve_args.add_argument("--which", choices=("full", "bare"), required=True)
    serve_args.add_argument("--port", type=int, required=True)
    serve_args.add_argument("--workers", type=int, default=2)
    serve_args.add_argument("--database-url", required=True)
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.which, args.port, args.workers, args.database_url)
        return

    clients = ["in-process"] + ([] if args.no_http else ["http"])
    explain_size = 30
    indexes = itertools.count()
    batches = {
        client: [
            Batch([family(next(indexes)) for _ in range(args.families)], f"{client[0]}{r}")
            for r in range(args.repeats)
        ]
        for client in clients
    }
    explain = Batch([family(next(indexes)) for _ in range(explain_size)], "x")
    # Warm-ups (imports, catalogs, pools, caches) use families of their own, untimed.
    warm_in_process = Batch([family(next(indexes)) for _ in range(6)], "w")
    warm_http = Batch([family(next(indexes)) for _ in range(6)], "v")
    everyone = [f for runs in batches.values() for b in runs for f in b.families]
    everyone += explain.families + warm_in_process.families + warm_http.families

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
        results = [measure_in_process(app, bare, batches["in-process"], profiler)]
        if not args.no_http:
            results.append(
                measure_over_http(app, url, batches["http"], warm_http, args.workers, args.clients)
            )
        count_statements(app, explain, args.explain)
        runtime_of(app).db.dispose()

    print()
    print(f"{'replies/s, median':34} {'full path':>9} {'bare':>9} {'of bare':>8} {'x target':>8}")
    for figures in results:
        print(figures.line())
    print(f"{'target (issue): full path':34} {TARGET:>9,}")
    if profiler is not None:
        profiler.dump_stats(args.profile)
        print(f"\nprofile of the in-process full path written to {args.profile}; top 30:")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
