"""A request id on every request and response, and one access line per request (no query)."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

log = logging.getLogger("outreach_bot.access")
# A proxy's own request id is kept when it looks like one; anything else gets a fresh id.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def init_app(app: Flask) -> None:
    """Give each request an id and log it once answered."""
    app.before_request(start_request)
    app.after_request(log_request)


def start_request() -> None:
    """The request's id: the proxy's X-Request-ID, or a new one."""
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.started = time.perf_counter()


def log_request(response: Response) -> Response:
    """The access line: method, path (never the query, which may hold a number), status, time."""
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    log.info(
        "%s %s %s %.1fms",
        request.method,
        request.path,
        response.status_code,
        elapsed * 1000,
        extra={"request_id": request_id},
    )
    return response
