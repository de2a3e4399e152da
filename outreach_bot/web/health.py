"""Liveness and readiness probes."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from outreach_bot.config import Settings
from outreach_bot.database_errors import explain
from outreach_bot.queue import RedisQueue
from outreach_bot.schema import schema_state
from outreach_bot.web import runtime

log = logging.getLogger(__name__)
blueprint = Blueprint("health", __name__)


def init_app(app: Flask) -> None:
    """Pages answer 503 with what to do when the database is unreachable or not created."""
    app.register_error_handler(OperationalError, _database_down)
    app.register_error_handler(ProgrammingError, _database_down)


def _database_down(error: DBAPIError) -> tuple[str, int]:
    sentence = explain(error, runtime().db.engine.url)
    if sentence is None:
        raise error
    log.error("%s (%s)", sentence, type(error.orig).__name__)
    return sentence, 503


@blueprint.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@blueprint.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    """The database and Redis answer, and Redis will not evict queued work."""
    checks: dict[str, str] = {}
    try:
        with runtime().db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = schema_state(runtime().db.engine)
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        checks["database"] = f"unreachable: {type(error).__name__}"
    queue = runtime().queue
    if isinstance(queue, RedisQueue):
        try:
            policy = queue.connection.config_get("maxmemory-policy").get("maxmemory-policy")
            checks["redis"] = (
                "ok"
                if policy == "noeviction"
                else f"maxmemory-policy is {policy}; set it to noeviction or queued work can vanish"
            )
        except Exception as error:  # noqa: BLE001
            checks["redis"] = f"unreachable: {type(error).__name__}"
    else:
        checks["redis"] = "not configured (jobs run inline)"
    checks["twilio_webhooks"] = _webhook_check(runtime().settings)
    ready = all(v == "ok" or v.startswith("not configured") for v in checks.values())
    return {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503


def _webhook_check(settings: Settings) -> str:
    """Whether Twilio's webhooks are taken: signed always, unsigned in development only."""
    if settings.twilio_auth_token:
        return "ok"
    if settings.is_development:
        return "not configured (development: webhooks are taken unsigned)"
    return "refused: TWILIO_AUTH_TOKEN is not set, so webhooks cannot be checked; set it"
