"""Staff: accounts, sign-in throttling, the audit log, staff notices, and district settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach_bot.db import Base, UTCDateTime

ROLES = ("clerk", "school_lead", "district_admin")
NOTIFY_CHANNELS = ("email", "text", "none")


class User(Base):
    """A staff member who signs in to the dashboard."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(35), default="en")
    phone: Mapped[str | None] = mapped_column(String(20))
    notify_by: Mapped[str] = mapped_column(String(8), default="email")
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped at sign-out: every older session cookie for this user stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    schools: Mapped[list[UserSchool]] = relationship(
        cascade="all, delete-orphan", order_by="UserSchool.school_id"
    )

    @property
    def school_ids(self) -> list[str]:
        """The schools this user works for (a district admin sees all, listed or not)."""
        return [link.school_id for link in self.schools]


class UserSchool(Base):
    """One school a clerk or school lead works for."""

    __tablename__ = "user_schools"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    school_id: Mapped[str] = mapped_column(ForeignKey("schools.id"), primary_key=True)


class LoginThrottle(Base):
    """Failed sign-ins for one email and address, keyed by a hash so no email is stored."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    """Who did what to which record, and when; never message text or phone numbers."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(48))
    target_type: Mapped[str | None] = mapped_column(String(24))
    target_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(200))


class StaffNotice(Base):
    """A case staff must hear about (new, or overdue and climbed), until a batch carries it."""

    __tablename__ = "staff_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class DistrictSetting(Base):
    """One district setting a district admin changed on the dashboard; absent means the default.

    Read and checked by `outreach_bot.staff.district_settings`, which owns the names and rules.
    """

    __tablename__ = "district_settings"

    name: Mapped[str] = mapped_column(String(48), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
