"""STOP, START and HELP in every supported language, as the texts tell families to write them."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach_bot.i18n.catalogs import Catalogs
from outreach_bot.i18n.languages import SUPPORTED_LANGUAGES
from outreach_bot.messaging.keywords import classify_keyword
from outreach_bot.messaging.opt_words import KEYWORDS

LOCALES = Path(__file__).resolve().parent.parent / "locales"
OPTED_IN = (
    "{district_name}: you will get texts from us again. Reply STOP to end texts, HELP for help."
)
OPTED_OUT = "{district_name}: you will not get more texts from us. Reply START to get them again."
# The words each language's texts tell a family to send: (STOP, HELP).
TOLD = {
    "en": ("STOP", "HELP"), "es": ("ALTO", "AYUDA"), "vi": ("DỪNG", "GIÚP"),
    "zh-Hans": ("停止", "帮助"), "zh-Hant": ("停止", "幫助"), "ar": ("توقف", "مساعدة"),
    "tl": ("STOP", "HELP"), "ko": ("중지", "도움"), "ru": ("СТОП", "ПОМОЩЬ"),
    "uk": ("СТОП", "ДОПОМОГА"), "fa": ("لغو", "راهنما"), "ps": ("بند", "مرسته"),
    "pa": ("ਬੰਦ", "ਮਦਦ"), "ht": ("STOP", "ED"), "so": ("JOOJI", "CAAWI"),
    "pt": ("PARAR", "AJUDA"), "hmn": ("NRES", "PAB"),
}  # fmt: skip
# Plain-language revocations a family might send, per language.
REVOCATIONS = {
    "en": "Please stop texting me", "es": "No más mensajes", "vi": "Đừng nhắn tin nữa",
    "zh-Hans": "不要再发了", "zh-Hant": "不要再發了", "ar": "لا ترسلوا رسائل",
    "tl": "Ayoko na", "ko": "그만 보내세요", "ru": "Больше не пишите!", "uk": "Не пишіть мені",
    "fa": "دیگر پیام نفرستید", "ps": "نور پیغام مه لېږئ", "pa": "band karo",
    "ht": "Mwen pa vle mesaj ankò", "so": "Ha ii soo dirin", "pt": "Não quero mais mensagens",
    "hmn": "Txhob xa tuaj",
}  # fmt: skip


def _table_language(tag: str) -> str:
    return "zh" if tag.startswith("zh") else tag


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_language_has_stop_start_and_help(language):
    found = {entry.keyword for entry in KEYWORDS if entry.language == _table_language(language)}
    assert found == {"stop", "start", "help"}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_words_the_texts_name_are_recognised(language):
    stop, help_word = TOLD[language]
    localizer = Catalogs(LOCALES).get(language)
    opted_in = localizer.gettext(OPTED_IN)
    assert stop in opted_in and help_word in opted_in, opted_in
    assert "START" in localizer.gettext(OPTED_OUT)
    assert classify_keyword(stop) == "stop"
    assert classify_keyword(f" {stop.lower()}. ") == "stop"
    assert classify_keyword(help_word) == "help"
    assert classify_keyword("START") == "start"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_a_plain_revocation_opts_out(language):
    assert classify_keyword(REVOCATIONS[language]) == "stop"


@pytest.mark.parametrize(
    "text",
    ["dung", "Đúng rồi", "bus", "1", "１", "1️⃣", "sí", "gracias", "ok", "好", "نعم", "да", "haa"],
)
def test_ordinary_replies_are_not_keywords(text):
    assert classify_keyword(text) is None


def test_keyword_round_trip_for_every_phrase_in_every_language():
    for entry in KEYWORDS:
        for phrase in entry.phrases:
            assert classify_keyword(phrase, entry.language) == entry.keyword, (
                entry.language,
                phrase,
            )
            assert classify_keyword(f"{phrase.upper()}!!", entry.language) == entry.keyword, (
                entry.language,
                phrase,
            )
