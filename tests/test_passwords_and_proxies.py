"""Guessable passwords refused; lockouts key on the real client behind the configured proxy;
security headers on every answer and HSTS over HTTPS."""

from __future__ import annotations

import pytest

from outreach_bot import create_app
from outreach_bot.staff.users import AccountError, check_password
from tests.factories import add_school
from tests.staff_helpers import PASSWORD, add_user, csrf


@pytest.mark.parametrize(
    "password",
    ["Password123!", "qwertyuiopasdf", "iloveyou2026!", "clerk@example.org1", "aaaaaaaaaaaaaa"],
)
def test_common_and_trivial_passwords_are_refused(password):
    with pytest.raises(AccountError, match="too easy to guess"):
        check_password(password, ["clerk@example.org"])


@pytest.mark.parametrize("password", [PASSWORD, "tulip orbit canoe ladder", "Gr8-ferns*Mop-Lake"])
def test_passphrases_are_taken(password):
    check_password(password, ["clerk@example.org"])


def test_a_very_long_password_is_scored_quickly():
    check_password("tulip orbit canoe " * 2000)


def test_users_create_refuses_a_guessable_password(cli):
    from outreach_bot.cli import main

    arguments = ["users", "create", "x@example.org", "--role", "district_admin"]
    outcome = cli.invoke(main, [*arguments, "--password", "Password1234"])
    assert outcome.exit_code != 0 and "too easy to guess" in outcome.output


@pytest.fixture
def app_config(app_config):
    return {**app_config, "TRUSTED_PROXY_COUNT": 1}


@pytest.fixture
def clerk(runtime) -> None:
    with runtime.db.transaction() as session:
        add_school(session)
        add_user(session, "clerk@example.org")


def _login(client, password: str, forwarded_for: str):
    form = {"email": "clerk@example.org", "password": password, "csrf_token": csrf(client)}
    return client.post("/staff/login", data=form, headers={"X-Forwarded-For": forwarded_for})


def test_the_lockout_keys_on_the_client_behind_the_proxy(client, clerk):
    for _ in range(5):
        assert _login(client, "guess guess guess", "203.0.113.5").status_code == 401
    assert _login(client, PASSWORD, "203.0.113.5").status_code == 401  # locked
    assert _login(client, PASSWORD, "198.51.100.7").status_code == 302  # another client


def test_a_client_cannot_escape_the_lockout_by_forging_forwarded_for(client, clerk):
    # The proxy appends the address it saw: a forged first entry is not believed.
    for n in range(5):
        _login(client, "guess guess guess", f"10.9.9.{n}, 203.0.113.5")
    assert _login(client, PASSWORD, "10.9.9.77, 203.0.113.5").status_code == 401


def test_without_a_proxy_forwarded_for_is_ignored(app_config, clerk):
    app = create_app({**app_config, "TRUSTED_PROXY_COUNT": 0})
    client = app.test_client()
    try:
        for n in range(5):
            _login(client, "guess guess guess", f"203.0.113.{n}")
        assert _login(client, PASSWORD, "203.0.113.99").status_code == 401
    finally:
        app.extensions["outreach"].db.dispose()


@pytest.mark.parametrize("path", ["/staff/login", "/staff/assets/style.css", "/healthz"])
def test_every_answer_carries_security_headers_and_hsts_over_https(client, path):
    plain = client.get(path)
    plain.close()  # a static file is streamed
    assert plain.status_code == 200, path
    assert plain.headers["X-Content-Type-Options"] == "nosniff"
    assert plain.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in plain.headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in plain.headers
    secure = client.get(path, headers={"X-Forwarded-Proto": "https"})
    secure.close()
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
