"""Signing in where the session cookie is HTTPS-only: a plain-HTTP address says what is wrong.

In real headless Chromium, which keeps a Secure cookie only from a secure origin. Loopback
addresses count as secure, so the app is reached under a made-up host name mapped to loopback.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests import test_browser
from tests.staff_helpers import PASSWORD, csrf, two_schools
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

HOST = "outreach-dashboard.test"
base_url = test_browser.base_url  # the app served on a free local port


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, resolving HOST to this machine."""
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y chromium"
    rules = f"--host-resolver-rules=MAP {HOST} 127.0.0.1"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, rules]
        )
        yield launched
        launched.close()


@pytest.fixture
def app_config(app_config, request):
    return {**app_config, "SESSION_COOKIE_SECURE": request.param}


def _sign_in_over_plain_http(browser: Browser, base_url: str, runtime, clock) -> Page:
    with runtime.db.transaction() as session:
        two_schools(session, clock())
    page = browser.new_page()
    page.goto(base_url.replace("127.0.0.1", HOST) + "/staff/login")
    page.get_by_label("Email").fill("clerk@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


@pytest.mark.parametrize("app_config", ["on"], indirect=True)
def test_https_only_cookies_over_plain_http_say_https_is_needed(runtime, clock, base_url, browser):
    page = _sign_in_over_plain_http(browser, base_url, runtime, clock)
    expect(page.locator("body")).to_contain_text("Signing in needs HTTPS")
    expect(page.locator("body")).to_contain_text("SESSION_COOKIE_SECURE")
    expect(page.locator("body")).not_to_contain_text("This form has expired")
    page.close()


@pytest.mark.parametrize("app_config", ["off"], indirect=True)
def test_with_the_setting_off_plain_http_signs_in(runtime, clock, base_url, browser):
    page = _sign_in_over_plain_http(browser, base_url, runtime, clock)
    expect(page.get_by_role("heading", name="Escalation queue")).to_be_visible()
    page.close()


@pytest.mark.parametrize("app_config", ["on"], indirect=True)
def test_each_failed_form_says_its_own_reason(runtime, client, clock):
    with runtime.db.transaction() as session:
        two_schools(session, clock())
    form = {"email": "clerk@example.org", "password": PASSWORD, "csrf_token": "x"}
    behind_a_proxy = {"X-Forwarded-Proto": "https"}
    blocked = client.post("/staff/login", data=form, headers=behind_a_proxy)
    assert blocked.status_code == 400
    assert "did not send this site's cookie" in html.unescape(blocked.text)

    plain = client.post("/staff/login", data=form)
    assert "Signing in needs HTTPS" in plain.text

    csrf(client)  # the browser kept the cookie; the page was simply left open too long
    stale = client.post("/staff/login", data=form, headers=behind_a_proxy)
    assert "This form has expired" in stale.text

    spanish = client.post(
        "/staff/login", data=form, headers={**behind_a_proxy, "Accept-Language": "es"}
    )
    assert "Este formulario venció" in spanish.text
