"""The Reports page and the public page in real headless Chromium (Debian's, via playwright).

Screenshots are kept under tests/artifacts/ for people to look at.
"""

from __future__ import annotations

from playwright.sync_api import expect

from outreach_bot.staff import district_settings
from tests import test_browser
from tests.reports_helpers import AFTER_LAST_DAY, reports_district, sized_school
from tests.test_browser import _shot, _sign_in

# The dashboard's browser fixtures: the app served on a local port, and Debian's Chromium.
base_url = test_browser.base_url
browser = test_browser.browser


def test_the_reports_page_charts_filters_and_downloads(
    runtime,
    clock,
    base_url,
    browser,
    request,
    tmp_path,
):
    with runtime.db.transaction() as session:
        reports_district(session)
    clock.current = AFTER_LAST_DAY
    page = browser.new_page(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    _sign_in(page, base_url, "admin@example.org")
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    charts = page.locator("figure.chart img")
    expect(charts).to_have_count(2)
    for index in range(2):  # the SVG images loaded and fill the card
        chart = charts.nth(index)
        assert chart.evaluate("image => image.complete && image.naturalWidth > 0")
        assert chart.bounding_box()["width"] > 600
    bands = page.locator("#bands table")
    expect(bands.locator("tbody tr")).to_have_count(2)
    expect(bands.locator("tbody tr").first).to_contain_text("57.1")
    _shot(page, request, "reports-1-district")

    page.get_by_label("Grade").select_option("3")
    page.get_by_role("button", name="Show").click()
    expect(bands.locator("tbody tr").first).to_contain_text("80.0")
    assert "grade=3" in page.url
    with page.expect_download() as download_info:
        page.locator("#bands").get_by_role("link", name="Download CSV").click()
    saved = tmp_path / "bands.csv"
    download_info.value.save_as(saved)
    assert download_info.value.suggested_filename == "bands-2026-11-06.csv"
    assert saved.read_text(encoding="utf-8").splitlines()[1:] == [
        "maple,5,0,1,4,0,4,80.0",
        "oak,1,1,0,0,0,0,0.0",
    ]
    page.emulate_media(media="print")
    expect(page.locator(".filters")).to_be_hidden()
    _shot(page, request, "reports-2-grade-3-print")
    page.close()


def test_the_public_page_hides_small_groups(runtime, clock, base_url, browser, request):
    with runtime.db.transaction() as session:
        sized_school(session, "elm", "Elm School", {"3": 9, "4": 12})
        sized_school(session, "ash", "Ash School", {"3": 10, "4": 11})
        district_settings.update(
            session,
            {"publish_public_aggregates": "1"},
            user_id=None,
            now=clock(),
            settings=runtime.settings,
        )
    clock.current = AFTER_LAST_DAY
    page = browser.new_page(viewport={"width": 900, "height": 900})
    page.goto(f"{base_url}/public/chronic-absence")
    expect(
        page.get_by_role("heading", name="Students missing too many school days")
    ).to_be_visible()

    def cells(key: str) -> list[str]:
        return page.locator(f'tr[data-key="{key}"] td.n').all_inner_texts()

    assert cells("grade/ash/3") == ["10", "2", "20.0%"]
    assert cells("grade/ash/4") == ["11", "2", "18.2%"]
    assert cells("grade/elm/3") == ["*", "*", "*"]
    assert cells("grade/elm/4") == ["*", "*", "*"]
    assert cells("school/elm") == ["21", "4", "19.0%"]
    assert cells("district") == ["42", "8", "19.0%"]
    expect(page.locator("#suppression-note")).to_contain_text("fewer than 10 students")
    _shot(page, request, "public-chronic-absence")
    page.close()
