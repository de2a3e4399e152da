"""API tokens: what lets another system read from or push to the JSON API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from outreach_bot.db import Base, UTCDateTime

# "write" may also read: a sync that pushes rosters usually reads the queue back.
SCOPES = ("read", "write")


class ApiToken(Base):
    """A named bearer token; only a hash of it is stored, never the token itself."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique forever, revoked or not, so that the audit log's names stay unambiguous.
    name: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(8))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256, hex
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def active(self) -> bool:
        """True until the token is revoked."""
        return self.revoked_at is None
