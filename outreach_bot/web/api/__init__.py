"""The JSON API under /api/v1/: bearer tokens, no cookies; its OpenAPI document describes it."""

from __future__ import annotations

from flask import Blueprint, Flask, Response

PREFIX = "/api/v1"
blueprint = Blueprint("api", __name__)


@blueprint.after_request
def _not_cached(response: Response) -> Response:
    """Answers carry student records: no proxy or browser cache may keep them."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def init_app(app: Flask) -> None:
    """Attach the API's views and its JSON errors; imported here so nothing runs at import."""
    from outreach_bot.web.api import document, problems, reads, records  # noqa: F401 - routes

    problems.init_app(app)
    app.register_blueprint(blueprint, url_prefix=PREFIX)
