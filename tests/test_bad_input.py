"""Redirect tricks, control bytes, oversized and mistyped bodies: 302 home, 400, 413, 415."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach_bot.web.auth import _safe_next
from tests.factories import add_school
from tests.staff_helpers import PASSWORD, add_user, csrf, sign_in

# Known open-redirect tricks: each must land on the dashboard, never elsewhere.
REDIRECT_TRICKS = [
    "//evil.example/",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https://evil.example/",
    "HTTPS:evil.example",
    "javascript:alert(1)",
    "data:text/html,hi",
    "///evil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    " //evil.example",
    "/\u2028/evil.example",
    "/\u3000/evil.example",
    "evil.example",
    "@evil.example",
    "/\x00/evil.example",
]


TRICKY_CHARACTERS = "/\\\t\n\r :.@%2Fevil5Ccom?#\x00\u3000"


@pytest.fixture
def clerk(runtime) -> int:
    """A clerk at Lincoln."""
    with runtime.db.transaction() as session:
        add_school(session)
        return add_user(session, "clerk@example.org").id


def _sign_in_to(client, target: str):
    form = {"email": "clerk@example.org", "password": PASSWORD, "csrf_token": csrf(client)}
    return client.post("/staff/login", data={**form, "next": target})


@pytest.mark.parametrize("target", REDIRECT_TRICKS)
def test_sign_in_never_sends_anyone_to_another_site(client, clerk, target):
    response = _sign_in_to(client, target)
    if "\x00" in target:
        assert response.status_code == 400
    else:
        assert response.status_code == 302 and response.location == "/staff/"


def test_sign_in_keeps_a_path_on_this_site(client, clerk):
    response = _sign_in_to(client, "/staff/cases/3?to=x#reply")
    assert response.location == "/staff/cases/3?to=x#reply"


def _as_a_browser_reads(location: str) -> str:
    """What a browser makes of a Location header: tabs and newlines dropped, \\ read as /."""
    cleaned = "".join(c for c in location if c not in "\t\n\r").replace("\\", "/")
    return urljoin("https://district.example/staff/login", cleaned.strip())


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.text(alphabet=st.sampled_from(TRICKY_CHARACTERS), max_size=24))
def test_no_next_leaves_the_site_after_a_browsers_clean_up(app, target):
    with app.test_request_context("/staff/login"):
        location = _safe_next(target)
    assert urlsplit(_as_a_browser_reads(location)).netloc == "district.example"


@pytest.mark.parametrize(
    "url",
    [
        "/staff/students/S%00",
        "/staff/students/%00",
        "/staff/cases/1%00",
        "/staff/students/S1%0A",
        "/staff/?school=%00",
        "/staff/login?next=%00",
        "/api/v1/students/S%00/outreach",
        "/public/chronic-absence?school=%00",
        "/twilio/inbound%00",
    ],
)
def test_a_nul_or_control_byte_in_an_address_answers_400_or_404(client, clerk, url):
    sign_in(client, "clerk@example.org")
    assert client.get(url).status_code in (400, 404)


def test_a_nul_byte_in_a_staff_form_answers_400(client, clerk):
    form = {"email": "clerk\x00@example.org", "password": PASSWORD, "csrf_token": csrf(client)}
    assert client.post("/staff/login", data=form).status_code == 400


def test_a_staff_form_over_64_kb_answers_413(client, clerk):
    form = {"email": "clerk@example.org", "password": "x" * 70_000, "csrf_token": csrf(client)}
    assert client.post("/staff/login", data=form).status_code == 413


def test_a_staff_form_sent_as_json_answers_415(client, clerk):
    assert client.post("/staff/login", json={"email": "clerk@example.org"}).status_code == 415
