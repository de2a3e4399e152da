"""The public resource page in real Chromium: right to left in Arabic, and print without chrome."""

from __future__ import annotations

from playwright.sync_api import expect

from outreach_bot.models import Resource
from outreach_bot.resources.links import sheet_code
from tests.factories import add_school
from tests.test_browser import _shot, base_url, browser  # noqa: F401  (fixtures)


def test_the_sheet_page_reads_right_to_left_and_prints_without_buttons(
    runtime,
    base_url,  # noqa: F811  (the fixture imported above)
    browser,  # noqa: F811
    request,
):
    with runtime.db.transaction() as session:
        add_school(session)
        session.add(
            Resource(
                id="R-BUS",
                barrier="transportation",
                name="Lincoln bus pass desk",
                phone="+15035550111",
                address="100 Example St",
                hours="Mon-Fri 8am-4pm",
                school_id="LIN",
                languages="ar,en",
            )
        )
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{base_url}/r/{sheet_code('transportation', 'LIN')}/ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("مساعدة قريبة منك")
    # Right to left: the heading's text starts at the right edge of the page.
    box = heading.bounding_box()
    assert box is not None and box["x"] + box["width"] > 390 - 40
    expect(page.get_by_role("link", name="(503) 555-0111")).to_be_visible()
    print_button = page.get_by_role("button", name="اطبع هذه الصفحة")
    expect(print_button).to_be_visible()
    _shot(page, request, "resource-page-ar")
    page.emulate_media(media="print")
    expect(print_button).to_be_hidden()
    expect(page.get_by_role("heading", level=2, name="Lincoln bus pass desk")).to_be_visible()
    page.close()
