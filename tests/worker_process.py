"""A real RQ worker in a process of its own, on the test's settings and fixed clock, for tests
that kill it: `python -m tests.worker_process '<settings as JSON>'`."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from outreach_bot import create_app
from outreach_bot.clock import FixedClock
from outreach_bot.queue import RedisQueue
from tests.redis_server import run_burst

ROOT = Path(__file__).resolve().parent.parent


def start(settings: dict[str, Any], clock: FixedClock) -> subprocess.Popen[bytes]:
    """Start a worker that runs what is queued, at the clock's time, and then ends."""
    config = {key: value for key, value in settings.items() if key != "CLOCK"}
    config["CLOCK"] = clock().isoformat()
    return subprocess.Popen(
        [sys.executable, "-m", "tests.worker_process", json.dumps(config)], cwd=ROOT
    )


def main() -> None:
    """Build the app as worker.py does, with the fixed clock, and run a burst of jobs."""
    config = json.loads(sys.argv[1])
    clock = FixedClock(datetime.fromisoformat(config.pop("CLOCK")))
    app = create_app({**config, "CLOCK": clock})
    queue = app.extensions["outreach"].queue
    assert isinstance(queue, RedisQueue)
    with app.app_context():
        run_burst(queue)


if __name__ == "__main__":
    main()
