"""Legally required notices: one row a stage a student reached in a school year."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from outreach_bot.db import Base, UTCDateTime


class Notice(Base):
    """A notice a student's truancy called for (first, second, conference), fired once a year.

    The letter is printed from this row; the family's short text, if one went out, is
    `text_message_id`; `mailed_at` records staff putting the letter in the post.
    """

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("student_id", "school_year_start", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.id"), index=True)
    school_year_start: Mapped[date]  # July 1
    stage: Mapped[str] = mapped_column(String(20))  # "first" | "second" | "conference"
    rules: Mapped[str] = mapped_column(String(10))  # the rules file, e.g. "CA"
    issued_on: Mapped[date]  # the school day it fired for
    language: Mapped[str] = mapped_column(String(20))  # the family's language code
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardians.id"))
    # The unexcused full days and the counted tardies or partial absences, ISO dates in order.
    absence_dates: Mapped[list[str]] = mapped_column(JSON)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)  # counter name -> value at firing
    text_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mailed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NoticePrint(Base):
    """A batch of letters a staff member asked to print as one PDF.

    A worker renders it (a day's batch takes longer than a web request may), and only the
    person who asked may download it; it is kept a day (`notices.prints.KEPT`), since it
    carries every family's name and address.
    """

    __tablename__ = "notice_prints"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    notice_ids: Mapped[list[int]] = mapped_column(JSON)  # in the order they are printed
    filename: Mapped[str] = mapped_column(String(80))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    problem: Mapped[str | None] = mapped_column(Text)  # why it could not be printed

    @property
    def status(self) -> str:
        """ "waiting" for a worker, "ready" to download, or "failed" (see `problem`)."""
        if self.problem is not None:
            return "failed"
        return "ready" if self.pdf is not None else "waiting"
