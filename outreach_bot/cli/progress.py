"""Import progress on a terminal: lines read, rows a second and the time left, on stderr.

Silent when stderr is not a terminal (cron, a pipe, a log file), so scheduled runs log only
their summaries.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from tqdm import tqdm

from outreach_bot.attendance.importer import Progress


@contextmanager
def terminal_progress(name: str, stream: TextIO | None = None) -> Iterator[Progress]:
    """A progress callback for one file's import, drawing a bar only on a terminal."""
    # disable=None: tqdm draws only when the stream is a TTY.
    bar = tqdm(
        desc=name,
        file=stream or sys.stderr,
        disable=None,
        unit=" rows",
        unit_scale=True,
        leave=False,
        mininterval=0.5,
    )

    def told(lines: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.update(lines - bar.n)

    try:
        yield told
    finally:
        bar.close()
