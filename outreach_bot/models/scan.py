"""A scan fanned out: one batch a school, claimed by whichever worker takes it first."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from outreach_bot.db import Base, UTCDateTime


class ScanBatch(Base):
    """One school's share of one scan run; `done_at` is set in the transaction that scanned it.

    A worker claims a batch by locking its row (SKIP LOCKED) for the whole of its scan, so a
    worker that dies leaves the batch unlocked and undone, for another to take.
    """

    __tablename__ = "scan_batches"

    run_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    school_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    as_of: Mapped[date]
    act: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What the batch found (bands, withdrawn, skipped, new firings), for the run's summary.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
