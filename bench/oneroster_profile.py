"""Where a OneRoster import by COPY spends its time: each statement's seconds and backend CPU.

A synthetic export of N students (`imports.write_oneroster`) is imported into a fresh
schema, then again (the nightly re-import), as `bench/imports.py` runs them. Every statement
SQLAlchemy sends is timed (`before/after_cursor_execute`), with the PostgreSQL backend's CPU
seconds from /proc/<pid>/stat around it; the COPY of each file and each lookup table, which
go through psycopg's own cursors, are timed as one piece each. The top statements are
printed with their share of the import's wall time; `--all` prints every statement in
the order run.

Run: .venv/bin/python bench/oneroster_profile.py [--students 100000] [--top 25] [--all]
(with PYTHONPATH=<another checkout> to profile that checkout's code).
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

# bench/ is on sys.path when this file is run as a script.
from district import own_schema
from imports import DEFAULT_URL, _cpu_of, write_oneroster
from sqlalchemy import event, text

from outreach_bot.db import Database
from outreach_bot.oneroster import copied
from outreach_bot.oneroster.directory import import_export

Timing = tuple[str, float, float]  # statement, seconds, backend CPU seconds


class Profile:
    """The statements of one import on one backend, timed."""

    def __init__(self) -> None:
        self.backend: int | None = None
        self.timings: list[Timing] = []

    def timed(self, label: str, started: float, cpu: float) -> None:
        assert self.backend is not None
        self.timings.append((label, time.perf_counter() - started, _cpu_of(self.backend) - cpu))

    def piece(self, name: str, label: Callable[[tuple[Any, ...]], str]) -> None:
        """Time each call of one of `_Copied`'s methods that work outside SQLAlchemy."""
        original = getattr(copied._Copied, name)
        profile = self

        def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
            if profile.backend is None:
                return original(self, *args, **kwargs)
            started, cpu = time.perf_counter(), _cpu_of(profile.backend)
            try:
                return original(self, *args, **kwargs)
            finally:
                profile.timed(f"[{name}] {label(args)}", started, cpu)

        setattr(copied._Copied, name, timed)


def run(profile: Profile, url: str, export: Path) -> tuple[float, float]:
    """One import of the export, its statements timed; its wall and backend CPU seconds."""
    database = Database(url)

    @event.listens_for(database.engine, "before_cursor_execute")
    def before(connection: Any, *_args: Any) -> None:
        if profile.backend is not None:
            connection.info["started"] = (time.perf_counter(), _cpu_of(profile.backend))

    @event.listens_for(database.engine, "after_cursor_execute")
    def after(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "started" in connection.info:
            label = re.sub(r"\s+", " ", statement).strip()
            profile.timed(label, *connection.info.pop("started"))

    with database.transaction() as session:
        profile.backend = session.scalar(text("SELECT pg_backend_pid()"))
        started, cpu = time.perf_counter(), _cpu_of(profile.backend)
        import_export(
            session, export, zone=ZoneInfo("America/Los_Angeles"), today=date(2026, 10, 21)
        )
        wall, cpu = time.perf_counter() - started, _cpu_of(profile.backend) - cpu
        profile.backend = None
    database.dispose()
    return wall, cpu


def report(title: str, profile: Profile, wall: float, cpu: float, top: int, every: bool) -> None:
    """The import's totals, then its top statements by wall time (or all, in order)."""
    timings, profile.timings = profile.timings, []
    spent = sum(seconds for _label, seconds, _cpu in timings)
    print(f"\n{title}: {wall:.2f} s, backend CPU {cpu:.2f} s, load {os.getloadavg()[0]:.1f};"
          f" {len(timings)} statements, {spent:.2f} s")  # fmt: skip
    print(f"{'s':>6} {'share':>6} {'CPU s':>6}  statement")
    chosen = timings if every else sorted(timings, key=lambda t: -t[1])[:top]
    for label, seconds, used in chosen:
        print(f"{seconds:6.2f} {seconds / wall:6.1%} {used:6.2f}  {label[:120]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--all", action="store_true", help="every statement, in order")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    profile = Profile()
    profile.piece("_copy", lambda args: str(args[-1]))
    profile.piece("_lookup", lambda args: str(args[1])[:60])
    with tempfile.TemporaryDirectory(prefix="oneroster_profile_") as folder:
        export = Path(folder) / "export"
        write_oneroster(export, args.students)
        with own_schema(args.database_url, False) as url:
            for title in ("first import", "re-import"):
                wall, cpu = run(profile, url, export)
                report(f"{title} of {args.students:,}", profile, wall, cpu, args.top, args.all)


if __name__ == "__main__":
    main()
