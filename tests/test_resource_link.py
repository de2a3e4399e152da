"""A sheet sent through the real webhook ends with its page's link when PUBLIC_BASE_URL is set."""

from __future__ import annotations

import pytest

from outreach_bot.resources.links import sheet_code
from tests.factories import start_missed_you
from tests.test_conversation import FAMILY_PHONE, last_message_id, sent_texts, text_in


@pytest.fixture
def app_config(app_config):
    app_config["PUBLIC_BASE_URL"] = "https://outreach.example.org/"
    return app_config


def test_the_sheet_links_to_its_page_in_the_family_language(runtime, client):
    start_missed_you(runtime, FAMILY_PHONE, language="es")
    before = last_message_id(runtime)
    text_in(client, "el autobus")
    sheet, _ = sent_texts(runtime, before)
    link = f"https://outreach.example.org/r/{sheet_code('transportation', 'LIN')}/es"
    assert sheet.splitlines() == [
        "Aqui hay ayuda cerca de usted:",
        "- Lincoln bus pass desk, +15035550111",
        link,
    ]
    page = client.get(link.removeprefix("https://outreach.example.org")).get_data(as_text=True)
    assert "Lincoln bus pass desk" in page and "Teléfono" in page
    assert "Ana" not in page


def test_without_a_public_address_no_link_is_sent(runtime, client, app):
    runtime.conversations.public_base_url = None
    start_missed_you(runtime, FAMILY_PHONE, language="en")
    before = last_message_id(runtime)
    text_in(client, "the bus")
    sheet, _ = sent_texts(runtime, before)
    assert sheet.splitlines() == ["Here is help near you:", "- Lincoln bus pass desk, +15035550111"]
