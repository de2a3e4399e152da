"""The attendance lookup starts on its keyword as the whole text, in the family's language.

A family telling us of an absence ("absent today, sick", "请假", "faltó hoy") is answered by
the flow that waits or by a person, never by a lookup that ends the conversation.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from outreach_bot.engine.library import load_library
from outreach_bot.i18n.catalogs import Catalogs
from outreach_bot.i18n.names import names_for
from outreach_bot.messaging.opt_words import POLITE
from outreach_bot.models import Conversation
from tests.factories import add_family, add_school, start_missed_you
from tests.test_conversation import open_escalations, sent_texts, text_in

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = Catalogs(ROOT / "locales")
RULES = load_library(ROOT / "flows").keywords
NAMES = names_for(tuple(CATALOGS.languages()))
PHONE = "+15035550142"


def lookup(text: str, language: str) -> str | None:
    localizers = (CATALOGS.get(language), CATALOGS.get("en"))
    match = RULES.match(text, localizers, NAMES, POLITE)
    return match.trigger.name if match else None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("attendance", "en"),
        ("ATTENDANCE?", "en"),
        ("attendance please", "en"),
        ("Days missed", "en"),
        ("asistencia", "es"),
        ("Faltas, por favor", "es"),
        ("出勤", "zh-Hans"),
        ("посещаемость?", "ru"),
        ("attendance", "vi"),  # English works for every family
    ],
)
def test_the_keyword_as_the_whole_text_starts_a_lookup(text: str, language: str) -> None:
    assert lookup(text, language) == "attendance_lookup"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("absent today, sick", "tl"),
        ("absent po siya", "tl"),
        ("attendance is hard for us this month", "en"),
        ("faltó hoy", "es"),
        ("faltas de hoy, está enfermo", "es"),
        ("请假", "zh-Hans"),
        ("请假，孩子生病了", "zh-Hans"),
        ("غياب اليوم، مريض", "ar"),
        ("vắng mặt hôm nay", "vi"),
        ("asistencia", "ru"),  # another language's word is not a Russian family's keyword
    ],
)
def test_a_family_reporting_an_absence_does_not_start_a_lookup(text: str, language: str) -> None:
    assert lookup(text, language) is None


def _conversations(runtime) -> list[tuple[str, str, str | None]]:
    with runtime.db.transaction() as session:
        rows = session.scalars(select(Conversation).order_by(Conversation.id))
        return [(row.flow, row.status, row.end_reason) for row in rows]


@pytest.mark.parametrize(
    ("language", "report"),
    [("tl", "absent today, sick"), ("zh-Hans", "请假，孩子生病了"), ("es", "faltas de hoy")],
)
def test_a_report_while_a_flow_waits_goes_to_the_flow_not_a_lookup(
    runtime, client, language, report
):
    start_missed_you(runtime, PHONE, language=language)
    text_in(client, report)
    conversations = _conversations(runtime)
    assert conversations[0][0] == "missed_you"  # then a follow-up, where it understood
    assert all(reason is None or "interrupted" not in reason for _, _, reason in conversations)
    assert not any("attendance_lookup" in flow for flow, _, _ in conversations)


def family_texts(runtime, client, language: str, text: str) -> None:
    """A family on file, with no flow waiting, texts us."""
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session, language=language)
    text_in(client, text)


def test_a_report_when_no_flow_waits_reaches_a_person(runtime, client):
    family_texts(runtime, client, "tl", "absent today, sick")
    assert [flow for flow, _, _ in _conversations(runtime)] == ["received"]
    assert open_escalations(runtime) == [("family_texted", "low")]
    assert len(sent_texts(runtime)) == 1


def test_the_keyword_still_starts_a_lookup_from_the_inbox(runtime, client):
    family_texts(runtime, client, "es", "Asistencia, por favor")
    assert [flow for flow, _, _ in _conversations(runtime)] == ["attendance_lookup"]
