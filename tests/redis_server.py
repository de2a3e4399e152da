"""A throwaway redis-server of a test's own, to stop and start (never the shared one)."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from rq import SimpleWorker

from outreach_bot.queue import RedisQueue


def free_port() -> int:
    """A TCP port nobody listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """A redis-server on a port of its own, with nothing saved to disk."""

    def __init__(self, folder: Path, *options: str) -> None:
        self.port = free_port()
        self.folder = folder
        self.options = list(options)  # more redis-server options, such as --rename-command
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Its URL, for REDIS_URL."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start it and wait until it answers."""
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.folder)]
            + ["--maxmemory-policy", "noeviction", "--logfile", str(self.folder / "redis.log")]
            + self.options,
        )
        probe = Redis(port=self.port)
        for _ in range(200):
            try:
                probe.ping()
                probe.close()
                return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.02)
        raise AssertionError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        """Kill it (as a crash would) and wait until it is gone."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A running redis-server of this test's own; killed at the end."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


class BurstWorker(SimpleWorker):
    """RQ's SimpleWorker for a burst in a test, without its command channel (pubsub).

    With rq 3.0 and redis-py 8, a burst that ends before the channel's subscription is
    confirmed waits a minute for the listening thread to stop, on a busy machine; tests do
    not send workers commands.
    """

    def subscribe(self) -> None:
        """Listen for no commands."""


def run_burst(queue: RedisQueue) -> None:
    """Run every queued job in this process, in the lanes' order, until none is left."""
    BurstWorker(queue.queues, connection=queue.connection).work(burst=True)
