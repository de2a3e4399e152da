"""The nightly sync's record: one row per night, claimed before the drop folder is read."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Mapped, mapped_column

from outreach_bot.db import Base, UTCDateTime


class NightlySync(Base):
    """One night's sync of IMPORT_DIR: when it started and ended, and how its files fared.

    The row is the tick's answer to "has tonight's sync run?", so a Redis restart or a second
    worker never runs a night twice.
    """

    __tablename__ = "nightly_syncs"

    night: Mapped[date] = mapped_column(primary_key=True)  # the evening's date, district time
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    files_imported: Mapped[int] = mapped_column(default=0)
    files_failed: Mapped[int] = mapped_column(default=0)
