"""Truancy notice letters: the required content in every language, rendered by WeasyPrint and
read back out of the PDF by pypdf."""

from __future__ import annotations

import io
import re
import shutil
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from pypdf import PdfReader

from outreach_bot.checks.notices import review_notice_rules
from outreach_bot.i18n.catalogs import catalog_path
from outreach_bot.i18n.formatting import format_date
from outreach_bot.i18n.languages import SUPPORTED_LANGUAGES
from outreach_bot.notices.content import (
    LOCALES,
    NoticeContent,
    content_text,
    missing_content,
    notice_content,
)
from outreach_bot.notices.letter import Letter, letter_html, letter_pdf
from outreach_bot.notices.rules import load_rules

# California's stages as shipped (tests/test_notices_rules.py checks they list (a) to (g)).
CALIFORNIA = load_rules(Path(__file__).resolve().parent.parent / "flows", "CA")
FIRST = tuple(CALIFORNIA.stage("first").content)
CONFERENCE = tuple(CALIFORNIA.stage("conference").content)
FRAME = ("letter.dear", "letter.opening", "letter.dates_heading", "letter.call_school")
DAYS = (date(2026, 11, 3), date(2026, 11, 10), date(2026, 11, 17))
# What California's notices said before SB 691 (2025) and must never say again.
REMOVED = ("infraction", "prosecut", "driving", "attend classes with", "attend class with")


def _letter(language: str, student: str = "Ana Lopez", **changes: object) -> Letter:
    fields: dict[str, object] = dict(
        language=language,
        district_name="Riverside Unified School District",
        district_address_lines=("100 Main Street", "Riverside, CA 92501"),
        school_name="Lincoln Elementary",
        school_phone="(503) 555-0142",
        guardian_name="Maria Lopez",
        address_lines=("12 Oak Avenue", "Riverside, CA 92503"),
        student_name=student,
        stage="first",
        content_keys=FIRST,
        absence_dates=DAYS,
        issued_on=date(2026, 11, 18),
    )
    fields.update(changes)
    return Letter(**fields)  # type: ignore[arg-type]


def _filled(key: str, language: str) -> str:
    text = content_text(key, language)
    assert text is not None, (key, language)
    return text.format(
        student="Ana Lopez",
        guardian="Maria Lopez",
        school="Lincoln Elementary",
        phone="(503) 555-0142",
    )


def _letters(text: str) -> str:
    """The letters of a text, in order, without spaces, line breaks or combining marks."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(char for char in text if unicodedata.category(char).startswith("L"))


def _script_words(text: str) -> Counter[str]:
    """The non-Latin words of a right-to-left text, counted (diacritics left out)."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(char for char in text if unicodedata.category(char) not in ("Mn", "Cf"))
    return Counter(re.findall(r"[^\W\d_A-Za-z]+", text))


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_every_family_language_has_every_notice_text():
    content = notice_content()
    assert set(content.languages()) == set(SUPPORTED_LANGUAGES)
    assert missing_content(content.keys(), content.languages()) == []
    assert {*FIRST, *CONFERENCE, *FRAME, "truant_again"} <= set(content.keys())


def test_no_notice_text_threatens_what_the_law_no_longer_allows():
    content = notice_content()
    for key in content.keys():
        removed = ("infraction", "prosecut", "driving", "attend_class", "attend_with")
        assert not any(word in key for word in removed), key
        english = content.text(key, "en")
        assert english is not None
        assert not any(word in english.lower() for word in REMOVED), key


def test_notice_catalogs_claim_no_review_and_keep_each_placeholder():
    content = notice_content()
    for language in content.languages()[1:]:
        path = catalog_path(LOCALES, language, "notices")
        assert "# Changed without a fluent speaker's review" in path.read_text(encoding="utf-8")
        for key in content.keys():
            english, text = content.text(key, "en"), content.text(key, language)
            assert english is not None and text is not None
            assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", english))


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("es-MX", "es"), ("zh-TW", "zh-Hant"), ("prs", "fa"), ("en-US", "en")],
)
def test_a_language_tag_finds_its_catalog_along_the_fallback_chain(tag, expected):
    assert content_text("truant", tag) == content_text("truant", expected)


def test_a_language_without_a_catalog_has_no_text_and_shahmukhi_never_gets_gurmukhi():
    assert content_text("truant", "fr") is None
    assert content_text("truant", "pa-PK") is None
    assert content_text("truant", "pa") is not None
    assert content_text("no_such_key", "es") is None
    assert missing_content(["truant", "no_such_key"], ["es", "fr"]) == [
        ("no_such_key", "es"),
        ("truant", "fr"),
        ("no_such_key", "fr"),
    ]


def _locales_without(tmp_path: Path, language: str, key: str, how: str) -> Path:
    """A copy of locales/ whose catalog for `language` lacks, fuzzes or outdates `key`."""
    locales = tmp_path / "locales"
    locales.mkdir()
    shutil.copy(LOCALES / "notices.pot", locales / "notices.pot")
    path = catalog_path(locales, language, "notices")
    path.parent.mkdir(parents=True)
    with catalog_path(LOCALES, language, "notices").open("rb") as handle:
        catalog = read_po(handle)
    english = notice_content().text(key, "en")
    message = catalog.get(english, context=key)
    if how == "missing":
        catalog.delete(english, context=key)
    elif how == "fuzzy":
        message.flags.add("fuzzy")
    else:  # the English changed since it was translated
        catalog.delete(english, context=key)
        catalog.add("An older English text.", message.string, context=key)
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    path.write_bytes(buffer.getvalue())
    return locales


@pytest.mark.parametrize("how", ["missing", "fuzzy", "outdated"])
def test_missing_content_finds_a_key_a_language_lacks(tmp_path, how):
    locales = _locales_without(tmp_path, "es", "meet_staff", how)
    assert missing_content(FIRST, ["es", "en"], locales) == [("meet_staff", "es")]
    assert NoticeContent(locales).text("truant", "es") == content_text("truant", "es")


def test_a_paragraph_a_catalog_lacks_is_printed_in_english_not_left_out(tmp_path):
    locales = _locales_without(tmp_path, "es", "meet_staff", "missing")
    html = letter_html(_letter("es"), locales)
    english = _filled("meet_staff", "en")
    assert f'<p lang="en" dir="ltr">{english}</p>' in html.replace("&#39;", "'")
    assert f'<p lang="es" dir="ltr">{_filled("truant", "es")}</p>' in html


@pytest.mark.parametrize("language", ["en", "es", "vi", "zh-Hans"])
def test_the_letter_says_each_required_item_in_the_familys_language(language):
    pages = _pages(letter_pdf([_letter(language)]))
    letter = _letters(pages[0])
    for key in (*FIRST, *FRAME):
        assert _letters(_filled(key, language)) in letter, key
    for day in DAYS:
        assert _letters(format_date(day, language)) in letter
    assert "(503) 555-0142" in pages[0] and "Lincoln Elementary" in pages[0]
    assert "Maria Lopez" in pages[0] and "12 Oak Avenue" in pages[0]
    # The English version follows on a page of its own (none after an English letter).
    assert len(pages) == (1 if language == "en" else 2)
    english = pages[-1].lower()
    assert _letters(_filled("truant", "en")) in _letters(pages[-1])
    assert not any(word in re.sub(r"\s+", " ", english) for word in REMOVED)


def test_the_arabic_letter_has_every_word_of_each_required_item():
    # Reading a right-to-left page back, a PDF reader moves the Latin names and numbers within
    # each line, so the Arabic is checked word by word: every word each item needs is there.
    pages = _pages(letter_pdf([_letter("ar")]))
    words = _script_words(pages[0])
    needed: Counter[str] = Counter()
    for key in (*FIRST, *FRAME):
        item = _script_words(_filled(key, "ar"))
        assert item <= words, (key, item - words)
        needed += item
    assert needed <= words
    assert _script_words(format_date(DAYS[0], "ar")) <= words
    assert "(503) 555-0142" in pages[0]
    assert not any(word in pages[1].lower() for word in REMOVED)


@pytest.mark.parametrize("language", ["ar", "fa", "ps"])
def test_a_right_to_left_letter_reads_right_to_left_but_keeps_the_envelope_layout(language):
    html = letter_html(_letter(language))
    assert f'<html lang="{language}" dir="rtl">' in html
    assert f'<section class="version" lang="{language}" dir="rtl">' in html
    assert '<div class="envelope" dir="ltr">' in html
    assert f'<p lang="{language}" dir="rtl">{_filled("truant", language)}</p>' in html
    assert '<section class="version copy" lang="en" dir="ltr">' in html


def test_the_letter_embeds_a_noto_font_for_each_script():
    def fonts(language: str) -> set[str]:
        reader = PdfReader(io.BytesIO(letter_pdf([_letter(language)])))
        found = reader.pages[0]["/Resources"]["/Font"]
        return {str(font.get_object()["/BaseFont"]).split("+")[-1] for font in found.values()}

    assert "Noto-Naskh-Arabic" in fonts("ar")
    assert "Noto-Sans-CJK-SC" in fonts("zh-Hans")
    assert "Noto-Sans-CJK-TC" in fonts("zh-Hant")
    assert "Noto-Sans-Gurmukhi" in fonts("pa")


def test_a_days_batch_prints_as_one_pdf_each_letter_on_its_own_page():
    students = ("Ana Lopez", "Ben Okafor", "Chloe Nguyen")
    pages = _pages(letter_pdf([_letter("en", student) for student in students]))
    assert len(pages) == 3
    for page, student in zip(pages, students, strict=True):
        assert f"Notice about {student}'s attendance" in page.replace("’", "'")
        assert [name for name in students if name in page] == [student]
    mixed = _pages(letter_pdf([_letter("es"), _letter("en"), _letter("vi")]))
    assert len(mixed) == 5  # Spanish and Vietnamese each with their English version
    assert "Aviso sobre la asistencia de Ana Lopez" in mixed[0]
    assert "Notice about Ana Lopez" in mixed[1] and "Notice about Ana Lopez" in mixed[2]
    assert "Thông báo về việc đi học của Ana Lopez" in mixed[3]


def test_the_conference_letter_invites_a_meeting():
    letter = _letter("es", stage="conference", content_keys=CONFERENCE)
    text = _letters(_pages(letter_pdf([letter]))[0])
    assert _letters("Invitación a una reunión sobre la asistencia de Ana Lopez") in text
    for key in CONFERENCE:
        assert _letters(_filled(key, "es")) in text


def test_an_empty_batch_is_an_error_not_an_empty_pdf():
    with pytest.raises(ValueError, match="no letters"):
        letter_pdf([])


def test_the_schools_phone_is_written_as_people_dial_it():
    pages = _pages(letter_pdf([_letter("en", school_phone="+15035550100")]))
    assert "Please call Lincoln Elementary at (503) 555-0100." in pages[0]
    assert "+15035550100" not in pages[0]


def test_flows_check_names_a_stage_whose_letter_has_no_title(tmp_path):
    flows = tmp_path / "flows"
    (flows / "notices").mkdir(parents=True)
    shipped = (Path(__file__).resolve().parent.parent / "flows" / "notices" / "CA.yaml").read_text(
        encoding="utf-8"
    )
    renamed = shipped.replace("  - name: conference\n", "  - name: hearing\n")
    assert renamed != shipped
    (flows / "notices" / "CA.yaml").write_text(renamed, encoding="utf-8")
    _, problems, _ = review_notice_rules(flows, LOCALES, ["en", "es"])
    assert problems == [
        f"{language}: notices/CA.yaml: the letter's 'title.hearing' has no text"
        " in this language's letter catalog"
        for language in ("en", "es")
    ]


def test_flows_check_names_a_letter_text_translated_without_the_childs_name(tmp_path):
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales)
    path = catalog_path(locales, "vi", "notices")
    with path.open("rb") as handle:
        catalog = read_po(handle)
    english = notice_content().text("support_services", "en")
    message = catalog.get(english, context="support_services")
    message.string = message.string.replace("{student}", "con của quý vị")
    message.string += " {school}"
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    path.write_bytes(buffer.getvalue())
    flows = Path(__file__).resolve().parent.parent / "flows"
    _, problems, _ = review_notice_rules(flows, locales, ["en", "es", "vi"])
    assert problems == [
        "vi: letter text 'support_services' is translated without {student} and with"
        " {school}, which the English does not have"
    ]
    assert review_notice_rules(flows, LOCALES, ["en", "es", "vi", "ru", "uk"])[1] == []


def test_with_no_parents_name_the_letter_greets_the_family():
    html = letter_html(_letter("es", guardian_name=""))
    assert '<p lang="es" dir="ltr">Estimada familia de Ana Lopez:</p>' in html
    assert "Estimado/a" not in html and "Dear family of Ana Lopez," in html
