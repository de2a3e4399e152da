"""Every family text exists in every catalog language, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from outreach_bot.i18n.catalogs import Catalogs

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
CATALOGS = sorted(LOCALES.glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def flow_msgids() -> set[str | tuple[str, str]]:
    """What the extractor pulls out of flows/ right now."""
    found = extract_from_dir(ROOT / "flows", method_map=[("**.yaml", "outreach_flows")])
    return {message for _, _, message, _, _ in found}


def test_the_template_is_up_to_date_with_the_flows():
    with (LOCALES / "messages.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    assert flow_msgids() == template, "run: pybabel extract -F babel.cfg -o locales/messages.pot ."


def test_there_is_a_spanish_catalog():
    assert "es" in Catalogs(LOCALES).languages()


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_every_msgid_is_translated_with_the_same_placeholders(path):
    with path.open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id: m for m in catalog if m.id}
    problems = []
    for msgid in flow_msgids():
        message = translated.get(msgid)
        strings = message.string if message else None
        if (
            message is None
            or message.fuzzy
            or not all(strings if isinstance(strings, tuple) else [strings])
        ):
            problems.append(f"untranslated: {msgid!r}")
            continue
        sources = msgid if isinstance(msgid, tuple) else (msgid,)
        targets = strings if isinstance(strings, tuple) else (strings,)
        expected = set(PLACEHOLDER.findall(" ".join(sources)))
        for target in targets:
            if set(PLACEHOLDER.findall(target)) != expected:
                problems.append(f"placeholders differ: {target!r}")
    assert problems == []


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("es", "es"), ("es-MX", "es"), ("en-US", "en"), ("vi", "vi"), (None, "en"), ("xx", "en")],
)
def test_language_fallback(tag, expected):
    assert Catalogs(LOCALES).choose(tag) == expected


def test_plural_forms_follow_the_count():
    spanish = Catalogs(LOCALES).get("es")
    one = "Hi, this is {school_name}. We missed {first_name} today! {first_name} has missed {days_missed} day of school this year. Every day counts, and we are here to help. Reply STOP to end texts."  # noqa: E501
    other = one.replace("day of school", "days of school")
    assert " 1 dia " in spanish.ngettext(one, other, 1).format(
        school_name="X", first_name="Ana", days_missed=1
    )
    assert " 4 dias " in spanish.ngettext(one, other, 4).format(
        school_name="X", first_name="Ana", days_missed=4
    )
