"""Helpers for the JSON API's tests: issuing a token and sending it."""

from __future__ import annotations

from outreach_bot.runtime import Runtime
from outreach_bot.staff.api_tokens import create_token


def issue_token(runtime: Runtime, scope: str, name: str | None = None) -> str:
    """A fresh token of `scope`, named after it unless told otherwise."""
    with runtime.db.transaction() as session:
        _, token = create_token(
            session, name=name or f"test-{scope}", scope=scope, now=runtime.clock()
        )
    return token


def bearer(token: str) -> dict[str, str]:
    """The Authorization header carrying `token`."""
    return {"Authorization": f"Bearer {token}"}
