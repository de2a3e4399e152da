"""Bearer tokens on API requests: 401 without a valid one, 403 when its scope falls short."""

from __future__ import annotations

from flask import g, request

from outreach_bot.staff.api_tokens import Caller, find_caller
from outreach_bot.web import runtime
from outreach_bot.web.api.problems import ApiProblem

_CHALLENGE = 'Bearer realm="outreach-bot"'


def authenticate(needed: str) -> Caller:
    """The calling token, which must cover the scope `needed`; raises ApiProblem otherwise."""
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    presented = presented.strip()
    if scheme.casefold() != "bearer" or not presented:
        raise ApiProblem(
            401,
            "this request has no API token; send the header Authorization: Bearer TOKEN,"
            " with a token from `outreach-bot tokens create NAME --scope read|write`",
            headers={"WWW-Authenticate": _CHALLENGE},
        )
    rt = runtime()
    with rt.db.transaction() as session:
        caller = find_caller(session, presented, rt.clock())
    if caller is None:
        raise ApiProblem(
            401,
            "the API token is not valid: it is mistyped, or it was revoked; ask a district"
            " admin for a new one",
            headers={"WWW-Authenticate": f'{_CHALLENGE}, error="invalid_token"'},
        )
    if not caller.may(needed):
        raise ApiProblem(
            403,
            f"the token {caller.name} may only {caller.scope}; this needs a {needed} token"
            f" (`outreach-bot tokens create NAME --scope {needed}`)",
            headers={"WWW-Authenticate": f'{_CHALLENGE}, error="insufficient_scope"'},
        )
    g.api_caller = caller
    return caller


def current_caller() -> Caller:
    """The token this request was authenticated with (inside views that need one)."""
    found: Caller = g.api_caller
    return found
