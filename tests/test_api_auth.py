"""API tokens: made and revoked on the command line, stored hashed, checked on every request."""

from __future__ import annotations

import hashlib

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach_bot.cli import main
from outreach_bot.clock import FixedClock
from outreach_bot.models import ApiToken, AuditEvent, School, Student
from tests.api_support import bearer, issue_token
from tests.factories import add_school

STUDENT = {
    "student_id": "S9001",
    "first_name": "Ivy",
    "last_name": "Example",
    "school_id": "LIN",
    "grade": "3",
}


def test_tokens_create_prints_the_token_once_and_stores_only_its_hash(runtime, cli, client):
    outcome = cli.invoke(main, ["tokens", "create", "sis-nightly", "--scope", "read"])
    assert outcome.exit_code == 0, outcome.output
    token = outcome.stdout.strip()
    assert token.startswith("obt_") and len(token) > 40
    assert "shown this once" in outcome.stderr
    with runtime.db.transaction() as session:
        row = session.scalars(select(ApiToken)).one()
        stored = [getattr(row, column.key) for column in ApiToken.__table__.columns]
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(value) for value in stored)
    assert (row.name, row.scope, row.revoked_at) == ("sis-nightly", "read", None)
    assert client.get("/api/v1/escalations", headers=bearer(token)).status_code == 200
    listing = cli.invoke(main, ["tokens", "list"]).output
    assert "sis-nightly" in listing and token not in listing


def test_two_tokens_are_never_alike(runtime):
    assert issue_token(runtime, "read", "one") != issue_token(runtime, "read", "two")


def test_a_revoked_token_gets_401_from_then_on(runtime, cli, client):
    token = issue_token(runtime, "read", "old-sync")
    assert client.get("/api/v1/escalations", headers=bearer(token)).status_code == 200
    outcome = cli.invoke(main, ["tokens", "revoke", "old-sync"])
    assert outcome.exit_code == 0 and "revoked token old-sync" in outcome.output
    refused = client.get("/api/v1/escalations", headers=bearer(token))
    assert refused.status_code == 401
    assert "revoked" in refused.get_json()["errors"][0]["message"]
    assert "was revoked already" in cli.invoke(main, ["tokens", "revoke", "old-sync"]).output
    with runtime.db.transaction() as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["revoked_api_token"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["create", "sync", "--scope", "admin"], "Invalid value for '--scope'"),
        (["create", "two words", "--scope", "read"], "is not a token name"),
        (["create", "taken", "--scope", "write"], "a token named taken exists already"),
        (["revoke", "nobody"], "no token is named nobody"),
    ],
)
def test_tokens_commands_explain_what_is_wrong(runtime, cli, arguments, message):
    issue_token(runtime, "read", "taken")
    outcome = cli.invoke(main, ["tokens", *arguments])
    assert outcome.exit_code != 0 and message in outcome.output


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer obt_not-a-real-token"},
    ],
    ids=["no header", "no token", "another scheme", "wrong token"],
)
def test_a_missing_or_wrong_token_gets_401(runtime, client: FlaskClient, headers):
    issue_token(runtime, "write")
    for response in (
        client.get("/api/v1/escalations", headers=headers),
        client.put("/api/v1/students", json={"records": [STUDENT]}, headers=headers),
    ):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.get_json()["errors"][0]["message"]


def test_a_read_token_on_a_write_endpoint_gets_403_and_writes_nothing(runtime, client):
    with runtime.db.transaction() as session:
        add_school(session)
    token = issue_token(runtime, "read")
    response = client.put("/api/v1/students", json={"records": [STUDENT]}, headers=bearer(token))
    assert response.status_code == 403
    assert "needs a write token" in response.get_json()["errors"][0]["message"]
    with runtime.db.transaction() as session:
        assert session.scalars(select(Student)).all() == []


def test_a_write_token_may_also_read(runtime, client):
    token = issue_token(runtime, "write")
    assert client.get("/api/v1/escalations", headers=bearer(token)).status_code == 200


def test_the_openapi_document_needs_no_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.get_json()["openapi"] == "3.1.0"


def test_a_write_is_audited_by_token_and_its_use_noted(runtime, client, clock: FixedClock):
    with runtime.db.transaction() as session:
        add_school(session)
    token = issue_token(runtime, "write", "sis-push")
    response = client.put("/api/v1/students", json={"records": [STUDENT]}, headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    with runtime.db.transaction() as session:
        row = session.scalars(select(ApiToken)).one()
        event = session.scalars(select(AuditEvent)).one()
        assert session.get(School, "LIN") is not None
    assert row.last_used_at == clock()
    assert (event.action, event.target_type, event.target_id) == (
        "api_import",
        "api_token",
        str(row.id),
    )
    assert (
        event.detail
        == "students by token sis-push: 1 created, 0 updated, 0 unchanged, 0 bad records"
    )


def test_api_responses_carry_no_session_cookie_and_are_not_cached(runtime, client):
    token = issue_token(runtime, "read")
    response = client.get("/api/v1/escalations", headers=bearer(token))
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_a_method_or_url_the_api_lacks_is_answered_in_json(client):
    # A POST here takes no form, so the staff pages' CSRF check stays out of the way.
    wrong_method = client.post("/api/v1/escalations", data={"x": "1"})
    assert wrong_method.status_code == 405
    assert "GET" in wrong_method.headers["Allow"]
    assert wrong_method.get_json()["errors"][0]["message"]
    nowhere = client.get("/api/v1/nowhere")
    assert nowhere.status_code == 404 and nowhere.get_json()["errors"][0]["message"]
    assert client.get("/staff/nowhere").mimetype == "text/html"
