"""One decorator per API view: its token scope, query string and responses, in one place.

The decorator checks the token and parses the query string before the view runs, and keeps
the same facts on the view for the OpenAPI document, so the document describes exactly
what the code does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from outreach_bot.web.api.auth import authenticate
from outreach_bot.web.api.problems import error_response
from outreach_bot.web.api.schemas import ApiError

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says of one view."""

    summary: str
    scope: str | None  # None: no token needed
    ok: type[BaseModel] | None  # the 200 body; None for a free-form object
    query: type[BaseModel] | None = None
    records: str | None = None  # the kind of records the body carries, for a PUT
    path: Mapping[str, str] = field(default_factory=dict)  # path parameter -> description

    @property
    def statuses(self) -> list[int]:
        """Every status the view may answer, other than 200."""
        found = []
        if self.records:
            found += [400, 409, 413, 415]
        if self.scope:
            found.append(401)
        if self.scope == "write":
            found.append(403)  # a read token on a write endpoint
        if self.path:
            found.append(404)
        if self.query or self.records:
            found.append(422)
        return sorted(found)


def operation(
    *,
    scope: str | None,
    ok: type[BaseModel] | None,
    query: type[BaseModel] | None = None,
    records: str | None = None,
    path: Mapping[str, str] | None = None,
) -> Callable[[F], F]:
    """Declare an API view: the token it needs, its query model (passed as `query`), its 200."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if scope is not None:
                authenticate(scope)
            if query is not None:
                try:
                    kwargs["query"] = query.model_validate(request.args.to_dict())
                except ValidationError as error:
                    return error_response(422, _parameter_errors(query, error))
            return view(*args, **kwargs)

        summary = (view.__doc__ or view.__name__).strip().splitlines()[0]
        wrapper.api_operation = Operation(  # type: ignore[attr-defined]
            summary, scope, ok, query, records, dict(path or {})
        )
        return wrapper  # type: ignore[return-value]

    return decorate


def _parameter_errors(model: type[BaseModel], error: ValidationError) -> list[ApiError]:
    """Pydantic's complaints about a query string, one per parameter, as sentences."""
    errors = []
    for problem in error.errors(include_url=False):
        name = ".".join(str(part) for part in problem["loc"])
        found = problem.get("input")
        message = problem["msg"][0].lower() + problem["msg"][1:]
        if problem["type"] == "extra_forbidden":
            message = f"not a parameter here; expected {', '.join(model.model_fields)}"
        elif isinstance(found, str):
            message = f"{found[:40]!r}: {message}"
        errors.append(ApiError(field=name, message=message))
    return errors
