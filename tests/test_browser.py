"""The dashboard in real headless Chromium (Debian's, driven by playwright): a clerk's day.

Never skipped: without playwright or /usr/bin/chromium these tests fail. Screenshots are kept
under tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from outreach_bot.models import Escalation, Message
from tests.staff_helpers import PASSWORD, two_schools

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture
def base_url(app) -> Iterator[str]:
    """The app served on a free local port by werkzeug, in a thread."""
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _shot(page: Page, request: pytest.FixtureRequest, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    database = request.node.callspec.params.get("database_url", "db")
    page.screenshot(path=str(ARTIFACTS / f"{database}-{name}.png"), full_page=True)


def _sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/staff/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_clerk_works_a_case_until_contact_is_made(runtime, clock, base_url, browser, request):
    with runtime.db.transaction() as session:
        cases = two_schools(session, clock())
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{base_url}/staff/login")
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    _shot(page, request, "1-sign-in")

    _sign_in(page, base_url, "clerk@example.org")
    expect(page.get_by_role("heading", name="Escalation queue")).to_be_visible()
    expect(page.get_by_role("link", name="Mateo Testperson")).to_have_count(0)
    _shot(page, request, "2-queue")

    page.get_by_role("link", name="Ana Testperson").click()
    expect(page.get_by_role("heading", name=f"Case {cases['LIN']}: Ana Testperson")).to_be_visible()
    _shot(page, request, "3-case")

    page.get_by_label("How").first.select_option("call")
    page.get_by_label("What happened").select_option("no_answer")
    page.get_by_label("Note (optional)").first.fill("Rang twice, no voicemail.")
    page.get_by_role("button", name="Save attempt").click()
    expect(page.get_by_role("status")).to_have_text("Attempt saved.")
    expect(page.locator(".attempts")).to_contain_text("No answer")
    _shot(page, request, "4-no-answer")

    page.get_by_label("Or write your own text (in the family's language)").fill(
        "Hola, soy de la escuela. ¿Podemos llamarle hoy?"
    )
    page.get_by_role("button", name="Send text").click()
    expect(page.get_by_role("status")).to_contain_text("Text queued")
    sent = page.locator('.message.outbound .body[lang="es"]').last
    expect(sent).to_have_text("Hola, soy de la escuela. ¿Podemos llamarle hoy?")
    expect(page.get_by_role("button", name="Give the conversation back to the bot")).to_be_visible()
    _shot(page, request, "5-spanish-reply")
    with runtime.db.transaction() as session:
        outbox = session.scalars(select(Message).where(Message.purpose == "staff_reply")).one()
        assert (outbox.phone, outbox.language, outbox.status) == ("+15035550142", "es", "sent")
        assert outbox.body == "Hola, soy de la escuela. ¿Podemos llamarle hoy?"

    page.get_by_label("Outcome").select_option("returning")
    page.get_by_role("button", name="Contact made: close the case").click()
    expect(page.get_by_role("status")).to_have_text("Contact made: the case is closed.")
    expect(page.locator("#case-status")).to_have_text("Closed: Student is coming back")
    _shot(page, request, "6-contact-made")
    with runtime.db.transaction() as session:
        case = session.get_one(Escalation, cases["LIN"])
        assert (case.status, case.outcome, len(case.attempts)) == ("closed", "returning", 2)
    page.close()


def test_the_queue_and_a_case_fit_a_phone_in_spanish(runtime, clock, base_url, browser, request):
    with runtime.db.transaction() as session:
        cases = two_schools(session, clock())
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="es-ES", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(f"{base_url}/staff/login")
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    page.get_by_label("Correo electrónico").fill("lead@example.org")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    # Signed in, the account's own preference (English) wins over the browser's.
    page.get_by_role("link", name="Preferences").click()
    page.get_by_label("Dashboard language").select_option("es")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Casos").first.click()
    expect(page.get_by_role("heading", name="Lista de casos")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the queue scrolls sideways on a phone"
    _shot(page, request, "7-phone-queue-es")
    page.goto(f"{base_url}/staff/cases/{cases['LIN']}")
    expect(page.get_by_role("heading", name="Intentos de contacto")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, request, "8-phone-case-es")
    context.close()


def test_an_admin_corrects_and_saves_a_district_setting(runtime, clock, base_url, browser, request):
    with runtime.db.transaction() as session:
        two_schools(session, clock())
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    _sign_in(page, base_url, "admin@example.org")
    page.get_by_role("link", name="District settings").click()
    urgent = page.get_by_label("Urgent")
    expect(urgent).to_have_value("4")
    urgent.fill("soon")
    page.get_by_role("button", name="Save district settings").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved.")
    expect(urgent).to_have_attribute("aria-invalid", "true")
    expect(urgent).to_have_accessible_description(
        "A whole number from 1 to 720. Default: 4 hours. "
        "Enter a whole number of hours from 1 to 720."
    )
    _shot(page, request, "9-district-settings-error")
    page.get_by_role("link", name="Urgent: Enter a whole number of hours from 1 to 720.").click()
    expect(urgent).to_be_focused()
    urgent.fill("2")
    page.get_by_role("button", name="Save district settings").click()
    expect(page.get_by_role("status")).to_have_text("District settings saved.")
    expect(urgent).to_have_value("2")
    page.close()
