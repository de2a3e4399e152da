"""What a OneRoster export last said about each record, so deltas and dates apply in order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from outreach_bot.db import Base, UTCDateTime


class OneRosterRecord(Base):
    """The latest accepted version of one OneRoster record (an org, user, enrollment...)."""

    __tablename__ = "oneroster_records"

    # The file the record comes from without ".csv" ("users"), and its id in that file.
    file: Mapped[str] = mapped_column(String(32), primary_key=True)
    sourced_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # "active" or "tobedeleted"
    # Kept so that an older export never overwrites a newer one.
    date_last_modified: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The fields outreach-bot uses, as read and checked (dates as YYYY-MM-DD); jsonb on
    # PostgreSQL, which a bulk import compares with the export's records without a parse.
    data: Mapped[dict[str, Any]] = mapped_column(
        JSON().with_variant(postgresql.JSONB(), "postgresql")
    )
