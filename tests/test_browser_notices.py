"""The Notices page in real headless Chromium (Debian's, via playwright): filter, mark mailed,
download a day's batch. Screenshots are kept under tests/artifacts/ for people to look at.
"""

from __future__ import annotations

from datetime import date

from playwright.sync_api import expect

from tests import test_browser
from tests.notice_rows import add_notice
from tests.staff_helpers import two_schools
from tests.test_browser import _shot, _sign_in

# The dashboard's browser fixtures: the app served on a local port, and Debian's Chromium.
base_url = test_browser.base_url
browser = test_browser.browser


def test_a_clerk_filters_the_notices_marks_one_mailed_and_prints_the_day(
    runtime, clock, base_url, browser, request, tmp_path
):
    with runtime.db.transaction() as session:
        two_schools(session, clock())
        add_notice(session, "S1001", "first", date(2026, 10, 20), mailed_at=clock())
        second = add_notice(session, "S1001", "second", date(2026, 11, 18)).id
        add_notice(session, "S2001", "first", date(2026, 11, 18), language="en")
    page = browser.new_page(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    _sign_in(page, base_url, "clerk@example.org")
    page.get_by_role("link", name="Notices").click()
    expect(page.get_by_role("heading", name="Notices", exact=True)).to_be_visible()
    rows = page.locator("table.notices tbody tr")
    expect(rows).to_have_count(2)  # Lincoln's two; Oak's is another school's
    expect(page.get_by_text("Mateo Testperson")).to_have_count(0)

    page.get_by_label("Letter").select_option("no")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Second notice")
    assert "mailed=no" in page.url
    _shot(page, request, "notices-1-not-mailed")

    page.get_by_role("button", name="Mark as mailed").click()
    expect(page.get_by_role("status")).to_have_text("Letter marked as mailed.")
    expect(page.get_by_text("No notices match.")).to_be_visible()  # the filter is kept

    page.get_by_label("Letter").select_option("")
    page.get_by_label("Issued on").fill("2026-11-18")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(page.locator(f"#notice-{second}")).to_contain_text("Mailed")
    _shot(page, request, "notices-2-day")
    page.get_by_role("button", name="Print these letters as one PDF").click()
    expect(page.get_by_role("status")).to_have_text("1 letter is ready to print.")
    _shot(page, request, "notices-3-printed")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the letters (PDF)").click()
    assert download.value.suggested_filename == "notices-2026-11-18.pdf"
    saved = tmp_path / "batch.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
