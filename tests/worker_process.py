"""A real RQ worker in a process of its own, on the test's settings and fixed clock, for tests
that kill it: `python -m tests.worker_process '<settings as JSON>'` runs a burst of jobs, and
`python -m tests.worker_process --main '<settings as JSON>'` runs worker.py's own loop (its
minute tick and scheduler) until stopped."""

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


def start(
    settings: dict[str, Any], clock: FixedClock, *, whole: bool = False
) -> subprocess.Popen[bytes]:
    """Start a worker at the clock's time: a burst that runs what is queued and ends, or
    (`whole`) worker.py's own loop, ticking every minute until it is sent SIGTERM."""
    config = {key: value for key, value in settings.items() if key != "CLOCK"}
    config["CLOCK"] = clock().isoformat()
    mode = ["--main"] if whole else []
    return subprocess.Popen(
        [sys.executable, "-m", "tests.worker_process", *mode, json.dumps(config)], cwd=ROOT
    )


def main() -> None:
    """Build the app as worker.py does, with the fixed clock, and run its jobs."""
    *mode, settings = sys.argv[1:]
    config = json.loads(settings)
    clock = FixedClock(datetime.fromisoformat(config.pop("CLOCK")))
    app = create_app({**config, "CLOCK": clock})
    if mode == ["--main"]:
        import worker

        worker.run(app)
        return
    queue = app.extensions["outreach"].queue
    assert isinstance(queue, RedisQueue)
    with app.app_context():
        run_burst(queue)


if __name__ == "__main__":
    main()
