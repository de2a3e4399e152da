"""Every text in and out: the outbox, the inbox, and the provider's status callbacks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from outreach_bot.db import Base, UTCDateTime

# Outbound life: pending -> queued -> sending -> (provider) queued/sent -> delivered;
# or suppressed (opted out), undelivered, failed.  Inbound: received -> processed.
UNANSWERED = "direction = 'inbound' AND processed_at IS NULL"
# The purpose of a text to a staff member (a notice of new cases), not to a family.
STAFF_NOTIFICATION = "staff_notification"
FINAL_STATUSES = frozenset({"delivered", "undelivered", "failed", "suppressed", "canceled", "read"})


class Message(Base):
    """One text message, either direction; outbound rows are the outbox."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_status_not_before", "status", "not_before"),
        # The inbox: texts from families not yet answered, by phone (see inbox/claim.py).
        Index(
            "ix_messages_unanswered",
            "phone",
            "id",
            postgresql_where=text(UNANSWERED),
            sqlite_where=text(UNANSWERED),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))  # "outbound" | "inbound"
    phone: Mapped[str] = mapped_column(String(20), index=True)
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardians.id"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(35))
    segments: Mapped[int] = mapped_column(default=1)
    encoding: Mapped[str] = mapped_column(String(8), default="GSM-7")
    # "district": the district starts it and quiet hours apply; "reply": a direct answer.
    origin: Mapped[str | None] = mapped_column(String(16))
    purpose: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(16))
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A same-day text ("We missed Ana today!"): the district's date its words are true on, and
    # the day-neutral wording it goes out with after that date (see messaging/same_day.py).
    valid_on: Mapped[date | None] = mapped_column(Date)
    later_body: Mapped[str | None] = mapped_column(Text)
    retry_of_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class StatusCallback(Base):
    """A delivery status report from the provider, stored raw before it is applied."""

    __tablename__ = "status_callbacks"
    __table_args__ = (UniqueConstraint("message_sid", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
