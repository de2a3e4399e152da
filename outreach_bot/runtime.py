"""The parts a running service is made of, built once from settings by create_app."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from outreach_bot.channels import Channel, make_channel
from outreach_bot.clock import Clock, utcnow
from outreach_bot.config import Settings
from outreach_bot.db import Database, default_sqlite_url
from outreach_bot.messaging.rate_limit import SendRate, make_send_rate
from outreach_bot.queue import JobQueue, RedisQueue, make_queue

# The conversation side is imported when first used, so that a command that only reads the
# database (a report) does not load flows, catalogs and the resource pages to start.
if TYPE_CHECKING:
    from outreach_bot.conversations.service import Conversations
    from outreach_bot.engine.library import FlowLibrary
    from outreach_bot.i18n.catalogs import Catalogs
    from outreach_bot.messaging.quiet_hours import QuietHours


@dataclass
class Runtime:
    """Settings, database, job queue, SMS channel and clock, shared by web and jobs."""

    settings: Settings
    db: Database
    queue: JobQueue
    channel: Channel
    clock: Clock = field(default=utcnow)

    @cached_property
    def library(self) -> FlowLibrary:
        """The flows folder, parsed and checked once."""
        from outreach_bot.engine.library import load_library

        return load_library(self.settings.flows_dir)

    @cached_property
    def catalogs(self) -> Catalogs:
        """Family-language catalogs."""
        from outreach_bot.i18n.catalogs import Catalogs

        return Catalogs(self.settings.locales_dir)

    @cached_property
    def quiet_hours(self) -> QuietHours:
        """When the district must not start a text."""
        from outreach_bot.messaging.quiet_hours import QuietHours

        return QuietHours.parse(self.settings.quiet_hours, self.settings.district_timezone)

    @cached_property
    def conversations(self) -> Conversations:
        """The conversation service, wired to this district's flows, catalogs and quiet hours."""
        from outreach_bot.conversations.service import Conversations

        return Conversations(
            library=self.library,
            catalogs=self.catalogs,
            quiet=self.quiet_hours,
            district_name=self.settings.district_name,
            public_base_url=self.settings.public_base_url,
        )

    @cached_property
    def send_rate(self) -> SendRate:
        """The sender's segments a second, shared through Redis by every worker (or kept
        in this process when jobs run inline)."""
        connection = self.queue.connection if isinstance(self.queue, RedisQueue) else None
        return make_send_rate(self.settings, connection)

    @property
    def status_callback_url(self) -> str | None:
        """Where the provider reports delivery, when the service has a public URL."""
        base = self.settings.public_base_url
        return f"{base.rstrip('/')}/twilio/status" if base else None


def district_today(runtime: Runtime) -> date:
    """Today's date in the district's timezone, by the runtime's clock."""
    return runtime.clock().astimezone(ZoneInfo(runtime.settings.district_timezone)).date()


def build_runtime(
    settings: Settings, instance_path: str | Path, clock: Clock | None = None
) -> Runtime:
    """Connect nothing yet: engines and clients connect lazily on first use."""
    url = settings.database_url or default_sqlite_url(instance_path)
    return Runtime(
        settings=settings,
        db=Database(url),
        queue=make_queue(settings.redis_url),
        channel=make_channel(settings),
        clock=clock or utcnow,
    )
