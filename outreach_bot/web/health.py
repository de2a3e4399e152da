"""Liveness and readiness probes."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from outreach_bot.config import Settings
from outreach_bot.database_errors import explain
from outreach_bot.queue import JobQueue, RedisQueue
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
    database = _database_check()
    redis, redis_ready = _redis_check(runtime().queue)
    webhooks = _webhook_check(runtime().settings)
    checks = {"database": database, "redis": redis, "twilio_webhooks": webhooks}
    ready = database == "ok" and redis_ready and webhooks.startswith(("ok", "not configured"))
    return {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503


def _database_check() -> str:
    """'ok', or why the database cannot serve (unreachable, or its schema not up to date)."""
    try:
        with runtime().db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return schema_state(runtime().db.engine)
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        return f"unreachable: {type(error).__name__}"


def _redis_check(queue: JobQueue) -> tuple[str, bool]:
    """What Redis says, and whether it is reachable and will not evict queued jobs."""
    if not isinstance(queue, RedisQueue):
        return "not configured (jobs run inline)", True
    try:
        policy = queue.eviction_policy()
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        return f"unreachable: {type(error).__name__}", False
    return policy.explained(), policy.safe


def _webhook_check(settings: Settings) -> str:
    """Whether Twilio's webhooks are taken: signed always, unsigned in development only."""
    if settings.twilio_auth_token:
        return "ok"
    if settings.is_development:
        return "not configured (development: webhooks are taken unsigned)"
    return "refused: TWILIO_AUTH_TOKEN is not set, so webhooks cannot be checked; set it"
