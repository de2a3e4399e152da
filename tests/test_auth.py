"""Sign-in: Argon2id passwords, rotated sessions, idle timeout, CSRF, throttling, the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from outreach_bot import create_app
from outreach_bot.cli import main
from outreach_bot.models import AuditEvent, User
from outreach_bot.staff.users import authenticate
from tests.factories import add_school
from tests.staff_helpers import PASSWORD, add_user, csrf, post, sign_in

GENERIC = "That email and password do not match an account"


@pytest.fixture
def clerk(runtime) -> int:
    """A clerk at Lincoln."""
    with runtime.db.transaction() as session:
        add_school(session)
        return add_user(session, "clerk@example.org").id


def _login(client, email: str, password: str):
    return client.post(
        "/staff/login", data={"email": email, "password": password, "csrf_token": csrf(client)}
    )


def test_staff_pages_need_sign_in(client, clerk):
    for url in ("/staff/", "/staff/cases/1", "/staff/students/S1", "/staff/admin/audit"):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login" in response.location


def test_signing_in_rotates_the_session_and_sets_safe_cookies(client, clerk):
    before = csrf(client)
    response = _login(client, "Clerk@Example.org ", PASSWORD)
    assert response.status_code == 302 and response.location == "/staff/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with client.session_transaction() as session:
        assert session["user_id"] == clerk and session["csrf"] != before
    assert client.get("/staff/").status_code == 200


def test_cookies_are_secure_outside_development(app_config, runtime):
    production = create_app(
        {
            **app_config,
            "ENVIRONMENT": "production",
            "SECRET_KEY": "x" * 40,
            "ALLOW_CONSOLE_SMS": "on",
        }
    )
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert runtime is not None


def test_the_password_is_hashed_with_argon2id(runtime, clerk):
    with runtime.db.transaction() as session:
        assert session.get_one(User, clerk).password_hash.startswith("$argon2id$")


def test_unknown_email_and_wrong_password_get_the_same_answer(client, clerk):
    wrong = _login(client, "clerk@example.org", "not the password")
    unknown = _login(client, "nobody@example.org", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert GENERIC in wrong.get_data(as_text=True) and GENERIC in unknown.get_data(as_text=True)


def test_too_many_failures_lock_the_email_for_a_while(runtime, client, clock, clerk):
    for _ in range(5):
        assert _login(client, "clerk@example.org", "guess guess guess").status_code == 401
    locked = _login(client, "clerk@example.org", PASSWORD)
    assert locked.status_code == 401 and GENERIC in locked.get_data(as_text=True)
    clock.advance(minutes=16)
    assert _login(client, "clerk@example.org", PASSWORD).status_code == 302


def test_the_throttle_is_per_email_and_address(runtime, clock, clerk):
    with runtime.db.transaction() as session:
        for _ in range(5):
            authenticate(session, "clerk@example.org", "nope", address="10.0.0.1", now=clock())
        assert (
            authenticate(session, "clerk@example.org", PASSWORD, address="10.0.0.1", now=clock())
            is None
        )
        assert (
            authenticate(session, "clerk@example.org", PASSWORD, address="10.0.0.2", now=clock())
            is not None
        )


def test_a_turned_off_account_cannot_sign_in(runtime, client, clerk):
    with runtime.db.transaction() as session:
        session.get_one(User, clerk).active = False
    assert _login(client, "clerk@example.org", PASSWORD).status_code == 401


def test_every_form_needs_the_csrf_token(client, clerk):
    assert (
        client.post(
            "/staff/login", data={"email": "clerk@example.org", "password": PASSWORD}
        ).status_code
        == 400
    )
    sign_in(client, "clerk@example.org")
    assert client.post("/staff/preferences", data={"language": "es"}).status_code == 400
    assert client.post("/staff/logout", data={"csrf_token": "forged"}).status_code == 400


def test_an_idle_session_ends(client, clock, clerk):
    sign_in(client, "clerk@example.org")
    clock.advance(minutes=29)
    assert client.get("/staff/").status_code == 200
    clock.advance(minutes=29)  # activity refreshed the session
    assert client.get("/staff/").status_code == 200
    clock.advance(minutes=31)
    response = client.get("/staff/")
    assert response.status_code == 302 and "expired=1" in response.location
    assert "without activity" in client.get(response.location).get_data(as_text=True)


def test_signing_out_ends_every_copy_of_the_session(app, client, clerk):
    sign_in(client, "clerk@example.org")
    with client.session_transaction() as session:
        stolen = dict(session)
    assert post(client, "/staff/logout").status_code == 302
    other = app.test_client()
    with other.session_transaction() as session:
        session.update(stolen)
    assert other.get("/staff/").status_code == 302


def test_next_only_goes_to_this_site(client, clerk):
    token = csrf(client)
    response = client.post(
        "/staff/login",
        data={
            "email": "clerk@example.org",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
    )
    assert response.location == "/staff/"


def test_sign_ins_are_audited(runtime, client, clerk):
    _login(client, "clerk@example.org", "wrong wrong wrong")
    sign_in(client, "clerk@example.org")
    with runtime.db.transaction() as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[:2] == ["sign_in_refused", "signed_in"]


def test_pages_are_not_cached_or_framed(client, clerk):
    response = client.get("/staff/login")
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_users_create_makes_an_account(runtime, cli):
    with runtime.db.transaction() as session:
        add_school(session)
    outcome = cli.invoke(
        main,
        ["users", "create", "Lead@Example.org", "--role", "school_lead", "--school", "LIN"],
        input="a long pass phrase\na long pass phrase\n",
    )
    assert outcome.exit_code == 0, outcome.output
    assert "created lead@example.org (school_lead; schools LIN)" in outcome.output
    with runtime.db.transaction() as session:
        user = session.scalars(select(User)).one()
        assert user.school_ids == ["LIN"] and user.password_hash.startswith("$argon2id$")
    assert "lead@example.org" in cli.invoke(main, ["users", "list"]).output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["a@example.org", "--role", "clerk"], "needs at least one school"),
        (["a@example.org", "--role", "clerk", "--school", "NOPE"], "Unknown school id(s): NOPE"),
        (["a@example.org", "--role", "district_admin", "--password", "short"], "at least 12"),
        (["not-an-email", "--role", "district_admin"], "is not an email address"),
    ],
)
def test_users_create_explains_what_is_wrong(runtime, cli, arguments, message):
    with runtime.db.transaction() as session:
        add_school(session)
    outcome = cli.invoke(
        main, ["users", "create", *arguments], input="a long pass phrase\na long pass phrase\n"
    )
    assert outcome.exit_code != 0 and message in outcome.output
