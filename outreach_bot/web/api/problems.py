"""API errors as JSON: `{"errors": [{"index", "field", "message"}]}`, whatever went wrong."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from outreach_bot.web.api.schemas import ApiError, ErrorList

PREFIX = "/api/"


class ApiProblem(Exception):
    """A request the API refuses: its status, its errors, and any headers to send."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.errors = [ApiError(field=field, message=message)]
        self.headers = dict(headers or {})


def error_response(
    status: int, errors: list[ApiError], headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON error response."""
    response = jsonify(ErrorList(errors=errors).model_dump(mode="json"))
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _problem(problem: ApiProblem) -> Response:
    return error_response(problem.status, problem.errors, problem.headers)


def _http_error(error: HTTPException) -> HTTPException | Response:
    """Under /api/, Flask's own errors (404, 405, 413, 500...) as JSON; elsewhere unchanged."""
    if not request.path.startswith(PREFIX):
        return error
    message = error.description or error.name
    headers = None
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers = {"Allow": ", ".join(error.valid_methods)}
    return error_response(error.code or 500, [ApiError(message=message)], headers)


def init_app(app: Flask) -> None:
    """Answer every error under /api/ in JSON."""
    app.register_error_handler(ApiProblem, _problem)
    app.register_error_handler(HTTPException, _http_error)
