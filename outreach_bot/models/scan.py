"""A scan fanned out: its parts (a school to scan, a group of families to text), each claimed
by whichever worker takes it first."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from outreach_bot.db import Base, UTCDateTime

SCHOOL, FAMILIES = "school", "families"  # the two kinds of part


class ScanBatch(Base):
    """One part of one scan run; `done_at` is set in the transaction that did it.

    A worker claims a part by locking its row (SKIP LOCKED) for the whole of its work, so a
    worker that dies leaves the part unlocked and undone, for another to take.
    """

    __tablename__ = "scan_batches"

    run_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    part: Mapped[str] = mapped_column(String(80), primary_key=True)  # "school SCH001"
    kind: Mapped[str] = mapped_column(String(16))  # SCHOOL or FAMILIES
    school_id: Mapped[str | None] = mapped_column(String(64))  # the school to scan
    # The firings whose flows the part starts: families that share no phone with another part.
    firing_ids: Mapped[list[int] | None] = mapped_column(JSON)
    as_of: Mapped[date]
    act: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What a school's scan found (bands, withdrawn, skipped, new firings), for the summary.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
