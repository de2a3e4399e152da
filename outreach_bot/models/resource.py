"""Resource sheets: local help for each barrier."""

from __future__ import annotations

from sqlalchemy import String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from outreach_bot.db import Base


class Resource(Base):
    """One place that helps with one barrier, for a school, a zip, or the whole district."""

    __tablename__ = "resources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    barrier: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(20))
    url: Mapped[str | None] = mapped_column(String(500))
    address: Mapped[str | None] = mapped_column(String(300))
    zip: Mapped[str | None] = mapped_column(String(10))
    school_id: Mapped[str | None] = mapped_column(String(64))
    languages: Mapped[str | None] = mapped_column(String(200))
    # When a family can go or call, and who may use it, as the district writes them.
    hours: Mapped[str | None] = mapped_column(String(300))
    eligibility: Mapped[str | None] = mapped_column(String(500))
    # A retired place is never sent again, but the texts that named it stay in history.
    retired: Mapped[bool] = mapped_column(default=False, server_default=false())
