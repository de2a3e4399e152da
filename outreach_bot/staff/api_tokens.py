"""API tokens: issue one (shown once), revoke it, and find the token a request presents.

A token is 32 random bytes, URL-safe, behind a recognisable prefix so secret scanners can
spot a leaked one. Only its SHA-256 is stored: the token has far too much entropy for a slow
password hash to add anything, and a fast hash lets each request look it up by index.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.models.api_token import SCOPES, ApiToken

PREFIX = "obt_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# last_used_at is a hint for whoever reviews tokens; writing it on every read would turn
# each GET into a write, so it moves at most once a minute.
_USE_GRANULARITY = timedelta(minutes=1)


class TokenError(ValueError):
    """A token cannot be created or revoked; the message says why and what to do."""


@dataclass(frozen=True)
class Caller:
    """Who is calling the API: a token's id, name and scope, as found at the request's start."""

    token_id: int
    name: str
    scope: str

    def may(self, needed: str) -> bool:
        """True when this token's scope covers `needed` ("write" covers "read")."""
        return self.scope == "write" or needed == "read"


def digest(token: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, *, name: str, scope: str, now: datetime) -> tuple[ApiToken, str]:
    """Store a new token under `name`; returns its row and the token, which is never stored."""
    if not _NAME.match(name):
        raise TokenError(
            f"{name!r} is not a token name; use up to 64 letters, digits, dots, dashes or"
            " underscores, such as sis-nightly"
        )
    if scope not in SCOPES:
        raise TokenError(f"{scope!r} is not a scope; expected one of {', '.join(SCOPES)}")
    if session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise TokenError(
            f"a token named {name} exists already (names are never reused, even once revoked);"
            f" choose another name, such as {name}-2"
        )
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, scope=scope, token_hash=digest(token), created_at=now)
    session.add(row)
    session.flush()
    return row, token


def revoke_token(session: Session, *, name: str, now: datetime) -> tuple[ApiToken, bool]:
    """Revoke the token named `name` at once; returns it, and False if it was revoked already."""
    row = session.scalar(select(ApiToken).where(ApiToken.name == name))
    if row is None:
        raise TokenError(f"no token is named {name}; `outreach-bot tokens list` shows them")
    if row.revoked_at is not None:
        return row, False
    row.revoked_at = now
    return row, True


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, active or revoked, by name."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.name)))


def find_caller(session: Session, presented: str, now: datetime) -> Caller | None:
    """The active token matching `presented`, noting its use; None when there is none."""
    wanted = digest(presented)
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == wanted))
    # The index found the row by hash; comparing in constant time anyway costs nothing.
    if row is None or not hmac.compare_digest(row.token_hash, wanted) or not row.active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= _USE_GRANULARITY:
        row.last_used_at = now
    return Caller(row.id, row.name, row.scope)
