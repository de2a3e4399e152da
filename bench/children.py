"""The benchmarks' child processes (servers, workers): waited for, and always stopped."""

from __future__ import annotations

import http.client
import os
import platform
import subprocess
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redis import Redis

STOP_SECONDS = 15.0  # a child asked to stop has this long before it is killed


def wait_until_healthy(
    process: subprocess.Popen[bytes], port: int, name: str, seconds: float
) -> None:
    """Wait until the server answers GET /healthz with 200; stop it and exit otherwise."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the {name} server exited")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            time.sleep(0.1)
    stop([process])
    raise SystemExit(f"the {name} server did not answer in time")


def stop(processes: Iterable[subprocess.Popen[bytes] | subprocess.Popen[str] | None]) -> None:
    """Ask each child still running to stop (SIGTERM: gunicorn and RQ finish what they are
    at), then kill whichever has not after STOP_SECONDS."""
    running = [process for process in processes if process is not None and process.poll() is None]
    for process in running:
        process.terminate()
    for process in running:
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def check_running(
    processes: Sequence[subprocess.Popen[bytes] | subprocess.Popen[str]], what: str
) -> None:
    """Fail loudly when one of the children has died (`what` names them, and where to look)."""
    for process in processes:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited ({process.returncode})")


def machine() -> str:
    """This machine as the figures need it said: Python, cores and how busy they are."""
    return (
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average"
        f" {os.getloadavg()[0]:.1f}"
    )


def die_after(seconds: float) -> None:
    """However the parent ends, this (child) process does not outlive the run."""
    timer = threading.Timer(seconds, lambda: os._exit(3))
    timer.daemon = True
    timer.start()


def title(name: str) -> str:
    """A benchmark's first line: what, and when."""
    return f"outreach-bot {name} benchmark, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"


def emptied_redis(url: str) -> Redis:
    """The benchmark's own Redis database, flushed (flush it again when done)."""
    from redis import Redis

    connection = Redis.from_url(url)
    connection.flushdb()
    return connection
