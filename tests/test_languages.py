"""A roster's language, as a tag or a name in English or in the language itself, becomes a tag."""

from __future__ import annotations

import pytest

from outreach_bot.i18n.languages import language_name, normalize_language


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        # Tags, in any case, with - or _
        ("es", "es"),
        ("ES", "es"),
        ("es_MX", "es-MX"),
        ("es-mx", "es-MX"),
        ("es-419", "es-419"),
        ("vi", "vi"),
        ("so", "so"),
        ("ar", "ar"),
        ("zh-Hant", "zh-Hant"),
        ("zh_hans", "zh-Hans"),
        ("sr-latn", "sr-Latn"),
        ("hmn", "hmn"),
        # ISO 639-2 codes and retired codes, as some exports use them
        ("spa", "es"),
        ("vie", "vi"),
        ("iw", "he"),
        ("uri://ed-fi.org/LanguageDescriptor#spa", "es"),
        # English names
        ("Spanish", "es"),
        ("spanish", "es"),
        ("Vietnamese", "vi"),
        ("Somali", "so"),
        ("Arabic", "ar"),
        ("Hmong", "hmn"),
        ("Haitian Creole", "ht"),
        ("Mexican Spanish", "es-MX"),
        ("Chinese (Traditional)", "zh-Hant"),
        ("Traditional Chinese", "zh-Hant"),
        ("Chinese (Simplified)", "zh-Hans"),
        # Names in the language itself, with or without accents
        ("español", "es"),
        ("Español", "es"),
        ("Espanol", "es"),
        ("Tiếng Việt", "vi"),
        ("tieng viet", "vi"),
        ("繁體中文", "zh-Hant"),
        ("简体中文", "zh-Hans"),
        ("Soomaali", "so"),
        ("العربية", "ar"),
        ("Русский", "ru"),
        ("Kreyòl ayisyen", "ht"),
        ("Hmoob", "hmn"),
        ("Kajin M̧ajeļ", "mh"),
        # Names rosters use that CLDR spells differently
        ("Farsi", "fa"),
        ("Bengali", "bn"),
        ("Tagalog", "fil"),
    ],
)
def test_tags_and_names_become_canonical_tags(raw: str, tag: str) -> None:
    assert normalize_language(raw) == tag


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("zh", "zh-Hans"),
        ("Chinese", "zh-Hans"),
        ("中文", "zh-Hans"),
        ("Mandarin", "zh-Hans"),
        ("zh-TW", "zh-Hant-TW"),
        ("zh_hk", "zh-Hant-HK"),
        ("zh-CN", "zh-Hans-CN"),
    ],
)
def test_a_chinese_tag_always_says_which_script(raw: str, tag: str) -> None:
    assert normalize_language(raw) == tag


def test_a_title_case_name_is_read_as_a_name_before_a_code() -> None:
    assert normalize_language("Ga") == "gaa"  # the Ga language of Ghana
    assert normalize_language("ga") == "ga"  # the tag for Irish


@pytest.mark.parametrize("raw", ["Elvish", "xx", "es-XX", "en-US-posix", "es--MX", "123"])
def test_an_unknown_language_names_what_was_expected(raw: str) -> None:
    with pytest.raises(ValueError) as caught:
        normalize_language(raw)
    assert str(caught.value) == (
        f"{raw!r} is not a language we know; expected a language tag such as es, vi or zh-Hant,"
        " or a language name such as Spanish, español or Vietnamese"
    )


def test_an_empty_language_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^'' is empty; expected a language tag"):
        normalize_language("   ")


@pytest.mark.parametrize(
    ("tag", "name"),
    [
        ("es", "Spanish"),
        ("es-MX", "Spanish (Mexico)"),
        ("zh-Hant", "Chinese (Traditional)"),
        ("zh-Hant-TW", "Chinese (Traditional, Taiwan)"),
        ("hmn", "Hmong"),
        ("kar", "Karen"),
        ("qq", "qq"),
    ],
)
def test_language_name_gives_the_english_name(tag: str, name: str) -> None:
    assert language_name(tag) == name


def test_every_tag_it_returns_reads_back_unchanged() -> None:
    for raw in ("Spanish", "zh-TW", "Tiếng Việt", "Hmoob", "es_mx", "Dari"):
        tag = normalize_language(raw)
        assert normalize_language(tag) == tag
