"""School calendars, daily attendance, what each scan found, and the triggers it fired."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from outreach_bot.db import Base, UTCDateTime

ABSENCE_STATUSES = frozenset({"absent", "excused", "unexcused"})
ATTENDANCE_STATUSES = frozenset({"present", "tardy"}) | ABSENCE_STATUSES


class CalendarDay(Base):
    """One date on a school's calendar, instructional or not."""

    __tablename__ = "calendar_days"

    school_id: Mapped[str] = mapped_column(ForeignKey("schools.id"), primary_key=True)
    date: Mapped[date] = mapped_column(primary_key=True)
    instructional: Mapped[bool]


class AttendanceRecord(Base):
    """One student's attendance on one date.

    No foreign key to students: PostgreSQL would check it a row at a time, the cost of a
    large import. Every writer checks its students first (attendance.importer, for files and
    the API alike), and nothing deletes a student; see docs/architecture.md.
    """

    __tablename__ = "attendance_records"

    student_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    date: Mapped[date] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    minutes_missed: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(String(200))


class AttendanceSummary(Base):
    """A student's numbers as of the latest scan."""

    __tablename__ = "attendance_summaries"

    student_id: Mapped[str] = mapped_column(ForeignKey("students.id"), primary_key=True)
    as_of: Mapped[date]
    instructional_days: Mapped[int]
    absences: Mapped[int]
    consecutive_absences: Mapped[int]
    absent_today: Mapped[bool]
    band: Mapped[str] = mapped_column(String(32), index=True)
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # What the next night's scan carries forward (see `attendance.summary_steps`): the
    # present streak and peak band the rules need, and the last school day the rules were
    # run for the student, with a digest of what their series was made from up to that day.
    consecutive_present: Mapped[int] = mapped_column(server_default="0")
    peak_band_rank: Mapped[int] = mapped_column(server_default="0")
    evaluated_on: Mapped[date | None]
    series_digest: Mapped[str | None] = mapped_column(String(32))


class TriggerFiring(Base):
    """A trigger that fired for a student, once per episode, and the holdout arm it put them in."""

    __tablename__ = "trigger_firings"
    __table_args__ = (
        UniqueConstraint("student_id", "trigger", "episode"),
        Index(
            "ix_trigger_firings_waiting",
            "as_of",
            postgresql_where=text("acted_at IS NULL"),
            sqlite_where=text("acted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.id"), index=True)
    trigger: Mapped[str] = mapped_column(String(64))
    episode: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[date]
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(200))
    # "texted" or "holdout" for a trigger with a holdout (None: no holdout, or a baseline).
    # Drawn at the student's first such firing of the trigger in a school year, then kept.
    arm: Mapped[str | None] = mapped_column(String(16))
    # When the firing's action was carried out: its flow started with the family (the scan's
    # last step, so that siblings in different schools share one text), or at once for an
    # escalation, a holdout or a baseline. None: the flow waits for the scan's last step.
    acted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
