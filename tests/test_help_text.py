"""HELP answers with what carriers (CTIA) expect, in every language, within 3 SMS segments.

Who is texting, how to reach the school, how often we text, that rates may apply, how to stop.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach_bot.engine.library import load_library
from outreach_bot.engine.runner import render
from outreach_bot.i18n.catalogs import Catalogs
from outreach_bot.i18n.languages import SUPPORTED_LANGUAGES
from outreach_bot.messaging.keywords import classify_keyword
from outreach_bot.messaging.segments import measure
from tests.factories import add_family, add_school
from tests.test_conversation import sent_texts, text_in
from tests.test_keywords_languages import TOLD

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = Catalogs(ROOT / "locales")
SYSTEM = load_library(ROOT / "flows").system
# Realistic and long: a 36-character district name and a formatted school phone.
CONTEXT = {
    "district_name": "Northwest Riverside Unified District",
    "school_phone": "(503) 555-0142",
}
# Per language: (how often we text, that rates may apply).
FREQUENCY_AND_RATES = {
    "en": ("a few a month", "Msg & data rates may apply"), "es": ("al mes", "tarifas"),
    "pt": ("por mes", "tarifas"), "vi": ("mỗi tháng", "phí"), "zh-Hans": ("每月", "费用"),
    "zh-Hant": ("每月", "費用"), "ar": ("في الشهر", "رسوم"), "tl": ("bawat buwan", "bayad"),
    "ko": ("한 달에", "요금"), "ru": ("в месяц", "плата"), "uk": ("на місяць", "плата"),
    "fa": ("در ماه", "هزینه"), "ps": ("میاشت", "فیس"), "pa": ("ਮਹੀਨੇ", "ਖ਼ਰਚੇ"),
    "ht": ("pa mwa", "Frè"), "so": ("bishii", "Kharash"), "hmn": ("ib hlis", "nqi"),
}  # fmt: skip


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("name", ["help", "help_with_phone"])
def test_help_names_every_element_carriers_expect(language: str, name: str) -> None:
    text = render(SYSTEM[name], CONTEXT, CATALOGS.get(language))
    frequency, rates = FREQUENCY_AND_RATES[language]
    stop_word = TOLD[language][0]
    assert CONTEXT["district_name"] in text  # who is texting
    assert frequency in text and rates in text, text
    assert stop_word in text and classify_keyword(stop_word, language) == "stop", text
    if name == "help_with_phone":
        assert CONTEXT["school_phone"] in text
    assert measure(text).count <= 3, (language, name, measure(text), len(text))


def test_help_is_answered_with_the_school_phone_when_the_family_is_known(runtime, client):
    with runtime.db.transaction() as session:
        add_school(session, phone="+15035550100")
        add_family(session, language="es")
    text_in(client, "ayuda por favor")
    (answer,) = sent_texts(runtime)
    assert "+15035550100" in answer
    assert "tarifas" in answer and "ALTO" in answer
