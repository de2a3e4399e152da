"""The database errors a person can meet at start-up, as one sentence that says what to do."""

from __future__ import annotations

from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

MISSING_TABLE_WORDS = ("no such table", "does not exist", "undefinedtable")
# A locked SQLite file or a deadlock is an OperationalError too, but not an unreachable server.
UNREACHABLE_WORDS = ("connect", "unable to open database", "could not translate host", "refused")


def explain(error: BaseException, url: URL | None = None) -> str | None:
    """What to do about a database error, or None when it is not one of these."""
    if not isinstance(error, DBAPIError):
        return None
    where = f" at {url.render_as_string(hide_password=True)}" if url is not None else ""
    words = f"{type(error.orig).__name__} {error.orig}".lower()
    if isinstance(error, OperationalError | ProgrammingError) and any(
        word in words for word in MISSING_TABLE_WORDS
    ):
        return (
            f"The database{where} has no outreach-bot tables yet, or an older schema: "
            "run `outreach-bot db upgrade`."
        )
    if isinstance(error, OperationalError) and any(word in words for word in UNREACHABLE_WORDS):
        return (
            f"Cannot reach the database{where}: check DATABASE_URL and that the server is "
            "running, then run `outreach-bot db upgrade`."
        )
    return None
