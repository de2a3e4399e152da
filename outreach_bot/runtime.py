"""The parts a running service is made of, built once from settings by create_app."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from outreach_bot.channels import Channel, make_channel
from outreach_bot.clock import Clock, utcnow
from outreach_bot.config import Settings
from outreach_bot.db import Database, default_sqlite_url
from outreach_bot.queue import JobQueue, make_queue


@dataclass
class Runtime:
    """Settings, database, job queue, SMS channel and clock, shared by web and jobs."""

    settings: Settings
    db: Database
    queue: JobQueue
    channel: Channel
    clock: Clock = field(default=utcnow)


def build_runtime(settings: Settings, instance_path: str | Path, clock: Clock | None = None) -> Runtime:
    """Connect nothing yet: engines and clients connect lazily on first use."""
    url = settings.database_url or default_sqlite_url(instance_path)
    return Runtime(
        settings=settings,
        db=Database(url),
        queue=make_queue(settings.redis_url),
        channel=make_channel(settings),
        clock=clock or utcnow,
    )
