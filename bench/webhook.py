"""The inbound webhook under gunicorn, beside a bare Flask endpoint doing one INSERT and commit.

Both run under gunicorn with 2 sync workers (the Procfile's `gunicorn wsgi:app`, each
worker answering one request at a time and closing the connection), on PostgreSQL:
- the webhook: the real app (`create_app`), signed webhooks checked, each text stored
  (INSERT ... ON CONFLICT DO NOTHING on MessageSid) and the inbox job woken in Redis. No RQ
  worker runs: this measures the webhook, not the answering;
- the ceiling: a bare Flask endpoint that reads the same form and INSERTs its MessageSid and
  Body into a table of its own, then commits, on one psycopg connection a worker.

Two loads, through the same client (http.client, a connection a request, as sync workers
close theirs):
- a fixed 100 requests/s, open loop: request i is due at start + i/100 whatever happened to
  the others, and its latency is counted from when it was due, so a stall shows in the
  latency of every request it delayed (no coordinated omission);
- full speed: `--clients` threads post back to back; requests/s and latency.

Every run is checked: every request answered 200, and every webhook stored once (the bare
table's rows counted too). The schema is bench_<pid> (dropped at the end), Redis database 12
(flushed before and after).

Run: .venv/bin/python bench/webhook.py [--rate 100] [--seconds 15] [--requests 2000]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import queue
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from children import emptied_redis, machine, stop, title, wait_until_healthy
from district import EMPTY_TWIML, INBOUND, Request, family, make_request, outreach_app, own_schema
from flask import Flask, Response, request
from sqlalchemy import func, select, text

from outreach_bot.db import make_engine
from outreach_bot.models import Message

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
TARGET_SHARE = 0.70  # of the bare endpoint's requests/s, from the issue
TARGET_P99_MS = 50.0  # at 100 requests/s
REQUEST_TIMEOUT = 30.0
SERVER_START_TIMEOUT = 60.0
BARE_TABLE = "bare_inbound"


# --- the two apps under gunicorn ------------------------------------------------------------


def bare_insert_app(database_url: str) -> Flask:
    """The ceiling: read the form, INSERT one row, commit, answer the same TwiML."""
    import psycopg

    dsn = make_engine(database_url).url.set(drivername="postgresql")
    connection = psycopg.connect(dsn.render_as_string(hide_password=False))
    app = Flask("bare")

    @app.post(INBOUND)
    def inbound() -> Response:
        connection.execute(
            f"INSERT INTO {BARE_TABLE} (sid, body) VALUES (%s, %s)",  # noqa: S608 - a constant
            (request.form["MessageSid"], request.form.get("Body", "")),
        )
        connection.commit()
        return Response(EMPTY_TWIML, mimetype="text/xml")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def serve(which: str, port: int, workers: int, database_url: str, redis_url: str) -> None:
    """(internal) gunicorn with sync workers, each building its app after the fork."""
    from gunicorn.app.base import BaseApplication

    factory: Callable[[], Flask] = (
        (lambda: bare_insert_app(database_url))
        if which == "bare"
        else (lambda: outreach_app(database_url, redis_url))
    )

    class Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name, value in {
                "bind": f"127.0.0.1:{port}",
                "workers": workers,
                "worker_class": "sync",
                "accesslog": None,
                "loglevel": "warning",
            }.items():
                self.cfg.set(name, value)

        def load(self) -> Flask:
            return factory()

    Gunicorn().run()


@dataclass
class Server:
    """One gunicorn of ours, started and always stopped."""

    which: str
    database_url: str
    redis_url: str
    workers: int
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        command = [sys.executable, __file__, "serve", self.which, str(self.port)]
        command += [str(self.workers), self.database_url, self.redis_url]
        self.process = subprocess.Popen(command)
        wait_until_healthy(self.process, self.port, self.which, SERVER_START_TIMEOUT)
        return self

    def __exit__(self, *_: object) -> None:
        stop([self.process])


# --- the client -----------------------------------------------------------------------------


@dataclass
class Load:
    """What one load did: seconds, and each request's latency (ms)."""

    label: str
    seconds: float
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def post(port: int, one: Request) -> int:
    """One request on a connection of its own; its status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("POST", INBOUND, body=one.body, headers=one.headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def fixed_rate(port: int, requests: Sequence[Request], rate: float, label: str) -> Load:
    """Open loop: request i is due at start + i/rate; latency counted from when it was due."""
    due: queue.Queue[tuple[float, Request] | None] = queue.Queue()
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    clients = 32  # enough that a request never waits for a free client at this rate

    def client() -> None:
        while (item := due.get()) is not None:
            at, one = item
            status = post(port, one)
            done = time.perf_counter()
            with lock:
                latencies.append((done - at) * 1000)
                if status != 200:
                    failures.append(status)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start = time.perf_counter() + 0.1
    for number, one in enumerate(requests):
        at = start + number / rate
        time.sleep(max(0.0, at - time.perf_counter()))
        due.put((at, one))
    for _ in threads:
        due.put(None)
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"{label}: {len(failures)} requests failed ({sorted(set(failures))})")
    return Load(label, time.perf_counter() - start, latencies)


def full_speed(port: int, requests: Sequence[Request], clients: int, label: str) -> Load:
    """Closed loop: `clients` threads post back to back until every request is sent."""
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    counter = itertools.count()

    def client() -> None:
        while (number := next(counter)) < len(requests):
            began = time.perf_counter()
            status = post(port, requests[number])
            with lock:
                latencies.append((time.perf_counter() - began) * 1000)
                if status != 200:
                    failures.append(status)

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for done in [pool.submit(client) for _ in range(clients)]:
            done.result()
    if failures:
        raise SystemExit(f"{label}: {len(failures)} requests failed ({sorted(set(failures))})")
    return Load(label, time.perf_counter() - start, latencies)


def webhooks(count: int, tag: str) -> list[Request]:
    """Signed webhooks from fictional 555-01xx numbers, each with a MessageSid of its own."""
    return [make_request(family(n % 4000), 0, f"{tag}{n // 4000}") for n in range(count)]


def main(argv: Sequence[str] | None = None) -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "serve" and argv is None:
        which, port, workers, database_url, redis_url = sys.argv[2:7]
        serve(which, int(port), int(workers), database_url, redis_url)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="flushed before and after")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--rate", type=float, default=100.0, help="requests/s, open loop")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of a fixed-rate run")
    parser.add_argument("--requests", type=int, default=2000, help="requests a full-speed run")
    parser.add_argument("--clients", type=int, default=8, help="threads at full speed")
    parser.add_argument("--repeats", type=int, default=3, help="full-speed runs of each")
    parser.add_argument("--keep-schema", action="store_true")
    args = parser.parse_args(argv)
    redis = emptied_redis(args.redis_url)
    print(title("webhook"))
    print(
        f"{machine()}; gunicorn {args.workers} sync workers each; PostgreSQL;"
        f" Redis {args.redis_url.rsplit('/', 1)[-1]}"
    )
    tags = (f"{letter}{digit}" for letter in "abcdefgh" for digit in range(10))
    results: list[tuple[Load, Load]] = []
    posted = {"bare": 0, "full": 0}
    try:
        with own_schema(args.database_url, args.keep_schema) as url:
            engine = make_engine(url)
            with engine.begin() as connection:
                connection.execute(
                    text(
                        f"CREATE TABLE {BARE_TABLE} (id bigserial PRIMARY KEY, sid text UNIQUE"
                        " NOT NULL, body text NOT NULL, created_at timestamptz DEFAULT now())"
                    )
                )
            with (
                Server("bare", url, args.redis_url, args.workers) as bare,
                Server("full", url, args.redis_url, args.workers) as full,
            ):

                def run(kind: str, port: int, load: Callable[[list[Request]], Load], n: int):
                    posted[kind] += n
                    return load(webhooks(n, next(tags)))

                for kind, server in (("bare", bare), ("full", full)):  # warm both up
                    warm = server.port
                    run(kind, warm, lambda r, p=warm: full_speed(p, r, 4, "warm"), 200)
                count = round(args.rate * args.seconds)
                at_rate = [
                    run(
                        kind,
                        server.port,
                        lambda r, p=server.port, k=kind: fixed_rate(p, r, args.rate, k),
                        count,
                    )
                    for kind, server in (("bare", bare), ("full", full))
                ]
                results.append((at_rate[0], at_rate[1]))
                for _ in range(args.repeats):
                    pair = [
                        run(
                            kind,
                            server.port,
                            lambda r, p=server.port, k=kind: full_speed(p, r, args.clients, k),
                            args.requests,
                        )
                        for kind, server in (("bare", bare), ("full", full))
                    ]
                    results.append((pair[0], pair[1]))
            with engine.begin() as connection:
                bare_rows = connection.scalar(text(f"SELECT count(*) FROM {BARE_TABLE}"))
                stored = connection.scalar(
                    select(func.count()).where(Message.direction == "inbound")
                )
            engine.dispose()
            if (bare_rows, stored) != (posted["bare"], posted["full"]):
                raise SystemExit(
                    f"stored {stored} webhooks of {posted['full']} and {bare_rows} bare rows of"
                    f" {posted['bare']}"
                )
    finally:
        redis.flushdb()
    fixed, speed = results[0], results[1:]
    print()
    print(f"{'':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for load in fixed:
        print(
            f"{f'{load.label}, {args.rate:.0f}/s open loop':34} {load.rate:>8,.0f}"
            f" {load.percentile(0.5):>8.1f} {load.percentile(0.99):>8.1f}"
        )
    for bare_load, full_load in speed:
        for load in (bare_load, full_load):
            print(
                f"{f'{load.label}, full speed':34} {load.rate:>8,.0f}"
                f" {load.percentile(0.5):>8.1f} {load.percentile(0.99):>8.1f}"
            )
    share = statistics.median(f.rate / b.rate for b, f in speed)
    p99 = fixed[1].percentile(0.99)
    met = "met" if share >= TARGET_SHARE else "NOT MET"
    print(
        f"webhook at full speed: {share:.0%} of the bare endpoint's requests/s (median of"
        f" {len(speed)}; target {TARGET_SHARE:.0%}: {met});"
        f" p99 at {args.rate:.0f}/s: {p99:.1f} ms (target under {TARGET_P99_MS:.0f} ms:"
        f" {'met' if p99 < TARGET_P99_MS else 'NOT MET'}). All {sum(posted.values())} requests"
        " answered 200 and stored once."
    )


if __name__ == "__main__":
    main()
