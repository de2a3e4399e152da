"""The chronic report's counts on the last school day, written by the scan (PostgreSQL only).

A district of a million students takes seconds to count; the report a district lead runs
most (the last school day) should not. The scan writes that day's counts, school by school
(`ChronicCount`), and when it read its inputs (`ChronicCountsTaken.snapshot`). Statement
triggers on every input (migration 0011) note each transaction that changes one
(`ChronicCountChange`): a report uses the counts only when no change it can see is missing
from that snapshot, and otherwise counts afresh. See `outreach_bot.reports.chronic_counts`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from outreach_bot.db import Base, UTCDateTime


class ChronicCountsTaken(Base):
    """The date the stored counts are as of, the rules they were counted with, and when."""

    __tablename__ = "chronic_counts_taken"

    as_of: Mapped[date] = mapped_column(primary_key=True)
    unlisted_weekdays: Mapped[bool]
    rules: Mapped[str] = mapped_column(String(64))  # chronic_counts.RULES when counted
    snapshot: Mapped[str] = mapped_column(Text)  # pg_current_snapshot(), as text
    xid: Mapped[int] = mapped_column(BigInteger)  # the counting transaction's own
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChronicCount(Base):
    """One school's row of the census: its roster and why it is left out (grouping ""), or
    how many of its counted students are in one band with one value of one grouping."""

    __tablename__ = "chronic_counts"

    school_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    grouping: Mapped[str] = mapped_column(String(32), primary_key=True)  # census_sql key
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    band: Mapped[str] = mapped_column(String(32), primary_key=True)
    roster: Mapped[int]
    standings: Mapped[int]
    with_days: Mapped[int]
    counted: Mapped[int]
    missing: Mapped[str | None] = mapped_column(String(32))
    needed: Mapped[date | None]
    last_attendance: Mapped[date | None]


class ChronicCountChange(Base):
    """A transaction that changed a report input (students, schools, calendars, attendance)."""

    __tablename__ = "chronic_count_changes"

    xid: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
