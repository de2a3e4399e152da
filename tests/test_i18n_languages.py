"""Every supported language: complete catalogs, right plurals, cheap texts, sound fallbacks."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po
from click.testing import CliRunner

from outreach_bot.cli import main
from outreach_bot.engine.library import load_library
from outreach_bot.engine.matching import fold
from outreach_bot.i18n.catalog_files import update_catalogs
from outreach_bot.i18n.catalogs import Catalogs, catalog_path, read_catalog
from outreach_bot.i18n.formatting import format_date, format_number
from outreach_bot.i18n.languages import (
    SUPPORTED_LANGUAGES,
    language_name,
    own_name,
    plural_forms,
    text_direction,
)
from outreach_bot.i18n.lists import format_list
from outreach_bot.i18n.review import load_reviews, mark_reviewed, review_state
from outreach_bot.i18n.status import catalog_status, is_sent, read_template
from outreach_bot.messaging.segments import MAX_SEGMENTS, is_gsm7

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
FLOWS = ROOT / "flows"
LIBRARY = load_library(FLOWS)
# A district's name as long as many are: it heads the HELP answer and the attendance summary.
DISTRICT = "Maple Valley School District"
TRANSLATED = [lang for lang in SUPPORTED_LANGUAGES if lang != "en"]
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# Latin-script languages whose texts stay in the GSM-7 alphabet (160 characters a segment).
GSM7_LANGUAGES = ("es", "pt", "tl", "ht", "so", "hmn")
LANGUAGE_INVITE = "To get texts in another language, reply with its name, like Español or Tagalog."
HELLO = (
    "Hi, this is {school_name}. We missed {first_name} today! {first_name} has missed"
    " {days_missed} day of school this year. Every day counts, and we are here to help."
    " Reply STOP to end texts."
)
HELLO_PLURAL = HELLO.replace("day of school", "days of school")
SAMPLE = {"school_name": "Lincoln", "first_name": "Ana", "district_name": "Riverside"}


def _strings(message) -> list[str]:
    found = message.string
    return list(found) if isinstance(found, tuple | list) else [found]


def test_every_supported_language_has_a_catalog():
    assert Catalogs(LOCALES).languages() == ["en", *sorted(TRANSLATED)]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_template_text_is_translated_with_the_same_placeholders(language):
    catalog = read_catalog(catalog_path(LOCALES, language), language)
    problems = []
    for source in read_template(LOCALES):
        if not source.id:
            continue
        message = catalog.get(source.id)
        if message is None or message.fuzzy or not all(_strings(message)):
            problems.append(f"untranslated or fuzzy: {source.id!r}")
            continue
        sources = source.id if isinstance(source.id, tuple) else (source.id,)
        expected = sorted(set(PLACEHOLDER.findall(" ".join(sources))))
        for target in _strings(message):
            if sorted(set(PLACEHOLDER.findall(target))) != expected:
                problems.append(f"placeholders differ: {target!r}")
    assert problems == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_language_invitation_is_translated(language):
    # Kept (obsolete, revived by `i18n update`) until system.yaml has `language_invite`.
    catalog = read_catalog(catalog_path(LOCALES, language), language)
    message = catalog.get(LANGUAGE_INVITE) or catalog.obsolete.get(LANGUAGE_INVITE)
    assert message is not None and "English" in message.string


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalog_declares_its_languages_plural_rule(language):
    catalog = read_catalog(catalog_path(LOCALES, language), language)
    count, expression = plural_forms(language)
    assert catalog.num_plurals == count
    with catalog_path(LOCALES, language).open("rb") as handle:
        header = read_po(handle).plural_forms  # as any gettext tool reads the file
    assert header == f"nplurals={count}; plural={expression};"
    for message in catalog:
        if message.id and isinstance(message.id, tuple):
            assert len(_strings(message)) == count, message.id


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("es", {1: " 1 dia ", 2: " 2 dias ", 5: " 5 dias "}),
        ("pt", {1: " 1 dia ", 2: " 2 dias ", 5: " 5 dias "}),
        ("ru", {1: " 1 день", 2: " 2 дня", 5: " 5 дней", 21: " 21 день", 12: " 12 дней"}),
        ("uk", {1: " 1 день", 2: " 2 дні", 5: " 5 днів", 22: " 22 дні", 11: " 11 днів"}),
        ("ar", {1: " 1 يوم غياب", 2: " 2 يوم غياب", 5: " 5 أيام غياب", 11: " 11 يوم غياب"}),
        ("vi", {1: " 1 ngày", 2: " 2 ngày", 5: " 5 ngày"}),
        ("zh-Hans", {1: "1天", 5: "5天"}),
        ("ko", {1: " 1일", 5: " 5일"}),
        ("hmn", {1: " 1 hnub", 2: " 2 hnub", 5: " 5 hnub"}),
    ],
)
def test_the_count_picks_the_right_plural_form(language, forms):
    localizer = Catalogs(LOCALES).get(language)
    for count, expected in forms.items():
        text = localizer.ngettext(HELLO, HELLO_PLURAL, count).format(days_missed=count, **SAMPLE)
        assert expected in text, (count, text)


def test_arabic_has_six_plural_forms_chosen_by_cldr_rules():
    plural = Catalogs(LOCALES).get("ar").plural
    assert [plural(n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 102, 103)] == [
        0, 1, 2, 3, 3, 5, 5, 4, 4, 3,
    ]  # fmt: skip


def test_russian_and_ukrainian_have_three_forms():
    for language in ("ru", "uk"):
        plural = Catalogs(LOCALES).get(language).plural
        assert [plural(n) for n in (1, 2, 5, 11, 21, 22, 25)] == [0, 1, 2, 2, 0, 1, 2]


def test_hmong_loads_though_cldr_lacks_it():
    with pytest.raises(UnknownLocaleError):
        Locale.parse("hmn")
    hmong = Catalogs(LOCALES).get("hmn")
    assert hmong.plural(1) == hmong.plural(5) == 0
    assert "5 hnub" in hmong.ngettext(HELLO, HELLO_PLURAL, 5).format(days_missed=5, **SAMPLE)
    assert (language_name("hmn"), own_name("hmn"), text_direction("hmn")) == (
        "Hmong",
        "Hmoob",
        "ltr",
    )
    assert Catalogs(LOCALES).choose("Hmong") == "hmn"


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("es-MX", "es"), ("zh-TW", "zh-Hant"), ("zh_TW", "zh-Hant"), ("zh-Hant-TW", "zh-Hant"),
        ("zh-HK", "zh-Hant"), ("zh", "zh-Hans"), ("zh-CN", "zh-Hans"), ("yue", "zh-Hant"),
        ("pt-BR", "pt"), ("fil", "tl"), ("Tagalog", "tl"), ("Spanish", "es"), ("hnj", "hmn"),
        ("mww", "hmn"), ("fa-AF", "fa"), ("Dari", "fa"), ("en-US", "en"), ("xx", "en"),
        ("am", "en"), ("", "en"), (None, "en"),
    ],
)  # fmt: skip
def test_fallback_to_the_nearest_catalog(tag, expected):
    assert Catalogs(LOCALES).choose(tag) == expected


@pytest.mark.parametrize(
    ("tag", "invite"),
    [("am", True), ("xx", True), ("fr", True), ("en-GB", False), ("es-MX", False), (None, False)],
)
def test_an_unknown_language_gets_english_and_an_invitation(tag, invite):
    assert Catalogs(LOCALES).needs_invitation(tag) is invite


@pytest.mark.parametrize("language", GSM7_LANGUAGES)
def test_latin_script_texts_stay_in_gsm7(language):
    # The translations themselves: a name outside GSM-7 may still make a text UCS-2.
    catalog = read_catalog(catalog_path(LOCALES, language), language)
    costly = [text for m in catalog if m.id and is_sent(m) for text in _strings(m)]
    assert [text for text in costly if not is_gsm7(text)] == []


def test_vietnamese_needs_ucs2_and_says_so():
    status = {row.language: row for row in catalog_status(LOCALES, LIBRARY, DISTRICT)}["vi"]
    assert status.encoding == "UCS-2"


def test_segments_per_language(capsys):
    rows = catalog_status(LOCALES, LIBRARY, DISTRICT)
    with capsys.disabled():
        print("\nsegments per language (worst text, at its longest):")
        for row in rows:
            print(f"  {row.language:8} {row.max_segments} ({row.encoding})")
    over = [
        (cost.language, cost.where, cost.segments)
        for row in rows
        for cost in row.costs
        if cost.segments > MAX_SEGMENTS or cost.shortfall
    ]
    assert over == []


@pytest.mark.parametrize("language", GSM7_LANGUAGES)
def test_no_curly_quotes_in_latin_texts(language):
    catalog = read_catalog(catalog_path(LOCALES, language), language)
    for message in catalog:
        for text in _strings(message) if message.id else []:
            assert not set(text) & set("‘’“”"), text


@pytest.mark.parametrize("language", TRANSLATED)
def test_numbered_answers_keep_their_digits(language):
    localizer = Catalogs(LOCALES).get(language)
    for source in read_template(LOCALES):
        if not isinstance(source.id, str) or not is_sent(source):
            continue
        digits = re.findall(r"^(\d) ", source.id, flags=re.MULTILINE)
        if digits:
            translated = localizer.gettext(source.id)
            assert re.findall(r"^(\d) ", translated, flags=re.MULTILINE) == digits, translated


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_keyword_belongs_to_two_answers_of_one_question(language):
    localizer = Catalogs(LOCALES).get(language)
    for flow in load_library(FLOWS).flows.values():
        for step in flow.steps.values():
            seen: dict[str, int] = {}
            for index, choice in enumerate(step.choices):
                if not choice.keywords:
                    continue
                for word in localizer.gettext(choice.keywords).split(","):
                    key = fold(word)
                    assert seen.setdefault(key, index) == index, (flow.name, step.name, word)


def test_dates_numbers_and_lists_in_the_familys_language():
    tuesday = date(2026, 11, 24)
    assert format_date(tuesday, "es") == "martes, 24 de noviembre"
    assert format_date(tuesday, "en") == "Tuesday, November 24"
    assert format_date(tuesday, "ru") == "вторник, 24 ноября"
    assert format_date(tuesday, "hmn") == "Hnub Ob, 24 Lub Kaum Ib Hlis"
    assert format_date(tuesday, "ht") == "madi, 24 novanm"
    assert format_number(1234.5, "es") == "1234,5" or format_number(1234.5, "es") == "1.234,5"
    assert format_list(["Ana", "Luis", "Eva"], "es") == "Ana, Luis y Eva"
    assert format_list(["Ana", "Luis"], "hmn") == "Ana thiab Luis"
    assert [text_direction(tag) for tag in ("ar", "fa", "ps", "es")] == ["rtl"] * 3 + ["ltr"]


def _copy_locales(tmp_path: Path) -> Path:
    target = tmp_path / "locales"
    shutil.copytree(LOCALES, target)
    return target


def test_a_review_goes_stale_when_a_translation_changes(tmp_path):
    locales = _copy_locales(tmp_path)
    (locales / "reviews.yaml").unlink(missing_ok=True)
    review = mark_reviewed(locales, "es", "Ana Ruiz", date(2026, 11, 20))
    status = {row.language: row for row in catalog_status(locales, LIBRARY, DISTRICT)}
    assert status["es"].review_state == "reviewed" and status["vi"].review_state == "unreviewed"
    assert load_reviews(locales)["es"] == review
    path = catalog_path(locales, "es")
    path.write_text(
        path.read_text(encoding="utf-8").replace("Gracias.", "Muchas gracias."), encoding="utf-8"
    )
    status = {row.language: row for row in catalog_status(locales, LIBRARY, DISTRICT)}
    assert status["es"].review_state == "stale"
    assert review_state(None, "x") == "unreviewed"


def test_update_merges_new_texts_and_revives_old_translations(tmp_path):
    locales = _copy_locales(tmp_path)
    template = (locales / "messages.pot").read_text(encoding="utf-8")
    removed = 'msgid "Here is help near you:"\nmsgstr ""\n'
    assert removed in template
    (locales / "messages.pot").write_text(
        template.replace(removed, "") + '\nmsgid "A brand new text."\nmsgstr ""\n',
        encoding="utf-8",
    )
    [result] = update_catalogs(locales, ["es"])
    assert result.added == ("A brand new text.",)
    status = {row.language: row for row in catalog_status(locales, LIBRARY, DISTRICT)}["es"]
    assert status.missing == 1
    (locales / "messages.pot").write_text(template, encoding="utf-8")
    update_catalogs(locales, ["es"])
    assert Catalogs(locales).get("es").gettext("Here is help near you:").startswith("Aqui")


def test_the_i18n_commands(tmp_path, monkeypatch):
    locales = _copy_locales(tmp_path)
    monkeypatch.setenv("LOCALES_DIR", str(locales))
    monkeypatch.setenv("FLOWS_DIR", str(FLOWS))
    runner = CliRunner()
    status = runner.invoke(main, ["i18n", "status"])
    assert status.exit_code == 0, status.output
    assert "NOT REVIEWED" in status.output and "hmn" in status.output
    assert "fa-AF, prs (Dari) -> fa" in status.output
    assert "pa-Arab, pa-PK, pnb, lah (Punjabi in Shahmukhi) -> en, with an invitation" in (
        status.output
    )
    assert runner.invoke(main, ["i18n", "extract"]).exit_code == 0
    assert runner.invoke(main, ["i18n", "update", "es"]).exit_code == 0
    reviewed = runner.invoke(main, ["i18n", "review", "so", "--by", "Hodan Ali"])
    assert reviewed.exit_code == 0 and "reviewed by Hodan Ali" in reviewed.output
    built = runner.invoke(main, ["i18n", "compile", "hmn", "--dir", str(tmp_path / "build")])
    assert built.exit_code == 0, built.output
    assert (tmp_path / "build" / "hmn" / "LC_MESSAGES" / "messages.mo").exists()
    assert runner.invoke(main, ["i18n", "update", "xx"]).exit_code != 0
