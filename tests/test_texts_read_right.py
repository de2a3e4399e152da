"""Texts that read right: direction, lists of children, varieties, and a translator's fixes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from outreach_bot.conversations.family import family_context
from outreach_bot.conversations.lifecycle import active_conversation
from outreach_bot.i18n.catalogs import Catalogs, catalog_path, read_catalog
from outreach_bot.i18n.direction import RIGHT_TO_LEFT_MARK, first_strong, for_reading
from outreach_bot.i18n.languages import SUPPORTED_LANGUAGES
from outreach_bot.i18n.lists import COMMAS_ONLY, LIST_PATTERNS, format_list, list_pattern
from outreach_bot.i18n.review import load_reviews
from outreach_bot.i18n.status import variety_fallbacks
from outreach_bot.messaging.segments import measure
from outreach_bot.models import Message, Student
from outreach_bot.staff.case_file import text_direction as case_text_direction
from tests.factories import add_family, add_school, start_missed_you

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
CATALOGS = Catalogs(LOCALES)
RLM = RIGHT_TO_LEFT_MARK


def _sent(language: str) -> list[str]:
    """Every translated form of a catalog, as written."""
    catalog = read_catalog(catalog_path(LOCALES, language), language)
    found = []
    for message in catalog:
        if message.id:
            strings = message.string
            found += list(strings) if isinstance(strings, tuple | list) else [strings]
    return found


def unicode_direction(text: str) -> str | None:
    """The paragraph direction a phone picks for each line, all lines agreeing (else None)."""
    found = {
        "R" if line.startswith(RLM) or first_strong(line) == "AL" else first_strong(line)
        for line in text.split("\n")
    }
    return found.pop() if len(found) == 1 else None


# Right to left
@pytest.mark.parametrize(
    ("language", "msgid"),
    [
        (
            "ar",
            "{district_name}: you will not get more texts from us. Reply START to get them again.",
        ),
        (
            "fa",
            "{district_name}: you will not get more texts from us. Reply START to get them again.",
        ),
        (
            "ps",
            "{district_name}: you will not get more texts from us. Reply START to get them again.",
        ),
    ],
)
def test_a_right_to_left_text_that_starts_with_a_latin_name_starts_right_to_left(language, msgid):
    text = CATALOGS.get(language).gettext(msgid).format(district_name="Riverside Unified")
    assert first_strong(text) == "L"  # as the catalog writes it, a phone lays it out LTR
    sent = for_reading(text, language)
    assert sent == RLM + text and first_strong(sent[1:]) == "L"
    assert unicode_direction(sent) == "R"


@pytest.mark.parametrize("language", ["ar", "fa", "ps"])
def test_every_line_of_a_right_to_left_sheet_reads_right_to_left(language):
    intro = CATALOGS.get(language).gettext("Here is help near you:")
    sheet = f"{intro}\n- Valley Family Clinic, (503) 555-0112\n- 211info, 211"
    sent = for_reading(sheet, language)
    assert unicode_direction(sent) == "R"
    assert sent.count(RLM) == 2  # the intro starts right to left already
    assert measure(sent).count == measure(sheet).count  # UCS-2 already: one unit a mark


def test_the_dashboard_lays_out_every_right_to_left_language_right_to_left():
    assert [case_text_direction(tag) for tag in ("ar", "fa-AF", "ps", "pa-Arab", "ur")] == [
        "rtl"
    ] * 5
    assert [case_text_direction(tag) for tag in ("pa", "es", "hmn", None)] == ["ltr"] * 4


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Ana: 4 days missed.", "ar"),  # no right-to-left letter: English to an Arabic reader
        ("Ana: 4 días", "es"),
        ("Ana: 4 天", "zh-Hans"),
        ("سلام، دا Lincoln دی.", "ps"),  # starts right to left already
        ("", "fa"),
    ],
)
def test_left_to_right_texts_and_rtl_texts_that_start_rtl_are_left_alone(text, language):
    assert for_reading(text, language) == text


# Lists of children
@pytest.mark.parametrize("language", CATALOGS.languages())
def test_every_catalog_language_has_its_own_list_pattern(language):
    assert language in LIST_PATTERNS


@pytest.mark.parametrize(
    ("language", "two", "three"),
    [
        ("ht", "Ana ak Luis", "Ana, Luis ak Eva"),
        ("hmn", "Ana thiab Luis", "Ana, Luis thiab Eva"),
        ("so", "Ana iyo Luis", "Ana, Luis iyo Eva"),
        ("es", "Ana y Luis", "Ana, Luis y Eva"),
        ("en", "Ana and Luis", "Ana, Luis, and Eva"),
        ("tl", "Ana at Luis", "Ana, Luis, at Eva"),
        ("ar", "Ana وLuis", "Ana وLuis وEva"),
        ("ps", "Ana او Luis", "Ana، Luis، او Eva"),
        ("zh-Hant", "Ana和Luis", "Ana、Luis和Eva"),
    ],
)
def test_children_are_joined_as_each_language_joins_them(language, two, three):
    assert format_list(["Ana", "Luis"], language) == two
    assert format_list(["Ana", "Luis", "Eva"], language) == three
    assert format_list(["Ana", "Ana"], language) == "Ana"


def test_no_language_borrows_another_languages_and():
    # Haitian Creole is not French, and Hmong is not English.
    assert " et " not in format_list(["A", "B"], "ht")
    assert " and " not in format_list(["A", "B"], "hmn")
    # A catalog the table lacks gets commas, never another language's word.
    assert list_pattern("am") is None
    assert format_list(["A", "B", "C"], "am") == COMMAS_ONLY.join(["A", "B", "C"]) == "A, B, C"
    assert format_list(["A", "B", "C", "D"], "es") == "A, B, C y D"


# Varieties
@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("fa-AF", "fa"), ("prs", "fa"), ("Dari", "fa"), ("fa-Arab-AF", "fa"),
        ("pa-PK", "en"), ("pa-Arab", "en"), ("pa-Arab-PK", "en"), ("pnb", "en"),
        ("pa", "pa"), ("pa-IN", "pa"), ("pa-Guru", "pa"),
        ("sr-Latn", "en"), ("zh-TW", "zh-Hant"), ("zh-SG", "zh-Hans"),
    ],
)  # fmt: skip
def test_a_variety_gets_a_catalog_its_readers_can_read(tag, expected):
    assert CATALOGS.choose(tag) == expected
    assert CATALOGS.needs_invitation(tag) is (expected == "en")


def test_shahmukhi_readers_get_an_urdu_catalog_when_there_is_one(tmp_path):
    locales = tmp_path / "locales"
    (locales / "ur" / "LC_MESSAGES").mkdir(parents=True)
    (locales / "pa" / "LC_MESSAGES").mkdir(parents=True)
    for folder in ("ur", "pa"):
        (locales / folder / "LC_MESSAGES" / "messages.po").write_text("", encoding="utf-8")
    catalogs = Catalogs(locales)
    assert [catalogs.choose(tag) for tag in ("pa-PK", "pnb", "pa-Arab", "pa")] == [
        "ur", "ur", "ur", "pa",
    ]  # fmt: skip


def test_dari_never_gets_pashto_even_without_persian(tmp_path):
    locales = tmp_path / "locales"
    (locales / "ps" / "LC_MESSAGES").mkdir(parents=True)
    (locales / "ps" / "LC_MESSAGES" / "messages.po").write_text("", encoding="utf-8")
    assert Catalogs(locales).choose("fa-AF") == Catalogs(locales).choose("prs") == "en"


def test_status_says_where_each_variety_falls_and_why():
    found = {v.variety.name: v for v in variety_fallbacks(LOCALES)}
    assert found["Dari"].catalog == "fa" and not found["Dari"].invited
    assert found["Punjabi in Shahmukhi"].invited
    assert "Gurmukhi" in found["Punjabi in Shahmukhi"].variety.why


# A translator's read
def test_the_pashto_typo_is_gone_from_every_text():
    texts = _sent("ps")
    assert not [text for text in texts if "ووویل" in text]
    assert sum("مو وویل" in text for text in texts) == 6


@pytest.mark.parametrize(
    ("language", "boy_only"),
    [
        # Somali: "yahay" (he is) after the child, "yimaado" (he comes), "ka maqnaa" (he was away)
        ("so", r"\{first_name\} (aad u jiran yahay|[^.!?]* u yimaado|ka maqnaa)"),
        # Pashto: "راغلی" (he came), "ناروغ وي" (he is sick)
        ("ps", r"\{first_name\}[^.!؟]*(راغلی|ناروغ وي)"),
    ],
)
def test_texts_about_a_child_do_not_agree_only_with_a_boy(language, boy_only):
    assert [text for text in _sent(language) if re.search(boy_only, text)] == []


def test_vietnamese_says_the_school_noticed_the_child_was_away():
    texts = [text for text in _sent("vi") if text.startswith("Xin chào") and "vắng mặt" in text]
    assert len(texts) == 4  # one child, several children; today, and a later day
    assert not [text for text in _sent("vi") if "nhớ {first_name}" in text]


def test_no_catalog_claims_a_review_nobody_gave():
    assert load_reviews(LOCALES) == {}
    assert {row for row in CATALOGS.languages() if row != "en"} == set(SUPPORTED_LANGUAGES[1:])
    for language in ("ps", "so", "vi"):
        text = catalog_path(LOCALES, language).read_text(encoding="utf-8")
        assert "# Changed without a fluent speaker's review" in text, language


@pytest.mark.parametrize("language", ["ar", "fa", "ps"])
def test_a_sheet_sent_to_a_right_to_left_family_reads_right_to_left_on_the_phone(runtime, language):
    phone = "+15035550177"
    start_missed_you(runtime, phone, language=language)
    with runtime.db.transaction() as session:
        conversation = active_conversation(session, phone)
        assert conversation is not None
        runtime.conversations.reply(session, conversation, "2", runtime.clock())
    with runtime.db.transaction() as session:
        sheet = session.scalars(select(Message).where(Message.purpose == "resources:health")).one()
        assert sheet.language == language
        assert "\n" + RLM + "- Valley Family Clinic" in sheet.body
        assert unicode_direction(sheet.body) == "R"
        assert (sheet.segments, sheet.encoding) == (measure(sheet.body).count, "UCS-2")


@pytest.mark.parametrize(
    ("language", "names", "days"),
    [
        ("ht", "Ana ak Mateo", "Ana 3 ak Mateo 5"),
        ("hmn", "Ana thiab Mateo", "Ana 3 thiab Mateo 5"),
        ("so", "Ana iyo Mateo", "Ana 3 iyo Mateo 5"),
        ("ar", "Ana وMateo", "Ana 3 وMateo 5"),
    ],
)
def test_a_familys_children_are_named_in_the_familys_language(runtime, language, names, days):
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session, absences=3, language=language)
        add_family(session, student_id="S1002", first_name="Mateo", absences=5, language=language)
        students = [session.get_one(Student, "S1001"), session.get_one(Student, "S1002")]
        context = family_context(session, students, "Maple Valley Schools", language)
    assert (context["first_name"], context["children_days"]) == (names, days)
