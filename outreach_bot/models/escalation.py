"""Escalations: a family a person must reach, and every attempt to reach them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach_bot.db import Base, UTCDateTime

PRIORITIES = ("low", "normal", "high", "urgent")


class Escalation(Base):
    """A case that stays open, climbing school -> district on its deadline, until contact."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[str | None] = mapped_column(ForeignKey("students.id"), index=True)
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardians.id"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    school_id: Mapped[str | None] = mapped_column(ForeignKey("schools.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    status: Mapped[str] = mapped_column(String(8), default="open", index=True)
    level: Mapped[str] = mapped_column(String(16), default="school")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(64))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    attempts: Mapped[list[ContactAttempt]] = relationship(
        back_populates="escalation", order_by="ContactAttempt.attempted_at"
    )


class ContactAttempt(Base):
    """One try by staff to reach a family: a call, a text, a visit."""

    __tablename__ = "contact_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    staff: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())

    escalation: Mapped[Escalation] = relationship(back_populates="attempts")
