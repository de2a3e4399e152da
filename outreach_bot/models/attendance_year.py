"""Each student's school year of attendance in one row, kept by PostgreSQL as records change.

What the chronic report needs from a year of records, so that it reads a million rows
instead of every record: the first and last record, whether the export carries present or
tardy rows, and a bit for each date the student was marked absent (excused, unexcused or
absent; bit 0 is July 1). Triggers on `attendance_records` (migration 0008) keep it in the
statement that changes the records, so it is never stale: new records are added in, a
correction rebuilds the student's year. On SQLite the table stays empty and reports count
from the records themselves.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from outreach_bot.db import Base

DAYS_IN_YEAR_BITS = 366
ABSENT_DAYS_TYPE = String(DAYS_IN_YEAR_BITS).with_variant(
    postgresql.BIT(DAYS_IN_YEAR_BITS), "postgresql"
)


class AttendanceYear(Base):
    """One student's attendance records of one school year, summed up (PostgreSQL only)."""

    __tablename__ = "attendance_years"

    student_id: Mapped[str] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), primary_key=True
    )
    year_start: Mapped[date] = mapped_column(primary_key=True)  # July 1
    first_record: Mapped[date]
    last_record: Mapped[date]
    full_feed: Mapped[bool]  # any present or tardy row this year
    absent_days: Mapped[str] = mapped_column(ABSENT_DAYS_TYPE)
