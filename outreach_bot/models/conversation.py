"""Conversations with a family, and the barriers they told us about."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach_bot.db import Base, UTCDateTime

if TYPE_CHECKING:
    from outreach_bot.models.roster import Student


class Conversation(Base):
    """One run of a flow with one guardian's phone; `due_at` is its timeout timer."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardians.id"), index=True)
    student_id: Mapped[str | None] = mapped_column(ForeignKey("students.id"), index=True)
    trigger_firing_id: Mapped[int | None] = mapped_column(ForeignKey("trigger_firings.id"))
    flow: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(35))
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(64))

    student: Mapped[Student | None] = relationship()


class BarrierReport(Base):
    """A barrier a family named: what is keeping the child home."""

    __tablename__ = "barrier_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[str | None] = mapped_column(ForeignKey("students.id"), index=True)
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardians.id"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    barrier: Mapped[str] = mapped_column(String(32))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
