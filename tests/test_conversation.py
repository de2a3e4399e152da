"""The first flow end to end: start, replies through the real webhook, resources, escalations.

English and Spanish; the texts are read back from the outbox as the family would see them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from outreach_bot import jobs
from outreach_bot.models import BarrierReport, Conversation, Escalation, Message
from tests.factories import add_family, add_school, start_missed_you

FAMILY_PHONE = "+15035550142"


def sent_texts(runtime, since_id: int = 0) -> list[str]:
    with runtime.db.transaction() as session:
        rows = session.scalars(
            select(Message)
            .where(Message.direction == "outbound", Message.id > since_id)
            .order_by(Message.id)
        ).all()
        return [row.body for row in rows]


def last_message_id(runtime) -> int:
    with runtime.db.transaction() as session:
        return session.scalar(select(Message.id).order_by(Message.id.desc()).limit(1)) or 0


_sids = iter(range(1, 10_000))


def text_in(client, body: str, phone: str = FAMILY_PHONE):
    response = client.post(
        "/twilio/inbound",
        data={
            "MessageSid": f"SM{next(_sids):032d}",
            "From": phone,
            "To": "+15035550199",
            "Body": body,
        },
    )
    assert response.status_code == 200
    assert b"<Response/>" in response.data
    return response


def statuses(runtime) -> list[str]:
    with runtime.db.transaction() as session:
        return list(session.scalars(select(Message.status).where(Message.direction == "outbound")))


def open_escalations(runtime) -> list[tuple[str, str]]:
    with runtime.db.transaction() as session:
        return [
            (e.reason, e.priority)
            for e in session.scalars(select(Escalation).where(Escalation.status == "open"))
        ]


GREETING = {
    "en": "Hi, this is Lincoln Elementary. We missed Ana today! Ana has missed 3 days of school "
    "this year. Every day counts, and we are here to help. Reply STOP to end texts.",
    "es": "Hola, le escribe Lincoln Elementary. ¡Extrañamos a Ana hoy! Ana ha faltado 3 dias "
    "este año. Cada dia cuenta y estamos aqui para ayudar. Responda ALTO para no recibir "
    "mensajes.",
}
QUESTION_START = {"en": "What would help Ana get to school?", "es": "¿Que ayudaria a Ana a llegar"}
SHEET_INTRO = {"en": "Here is help near you:", "es": "Aqui hay ayuda cerca de usted:"}
PERSON = {
    "en": "Someone from Lincoln Elementary will call you soon.",
    "es": "Alguien de Lincoln Elementary le va a llamar pronto.",
}
TRANSPORT_WORD = {"en": "the bus", "es": "el autobus"}


@pytest.mark.parametrize("language", ["en", "es"])
def test_barrier_answer_gets_the_school_resource_sheet(runtime, client, language):
    start_missed_you(runtime, FAMILY_PHONE, language=language)
    greeting, question = sent_texts(runtime)
    assert greeting == GREETING[language]
    assert question.startswith(QUESTION_START[language])
    assert statuses(runtime) == ["sent", "sent"]

    before = last_message_id(runtime)
    text_in(client, TRANSPORT_WORD[language])
    sheet, thanks = sent_texts(runtime, before)
    assert sheet.splitlines()[0] == SHEET_INTRO[language]
    assert "Lincoln bus pass desk, +15035550111" in sheet
    assert "Other school's van" not in sheet
    assert "Ana" in thanks
    with runtime.db.transaction() as session:
        assert session.scalars(select(BarrierReport.barrier)).all() == ["transportation"]
        conversation = session.scalars(
            select(Conversation).where(Conversation.flow == "missed_you")
        ).one()
        assert (conversation.status, conversation.end_reason) == ("ended", "completed")
        followup = session.scalars(
            select(Conversation).where(Conversation.flow == "followup")
        ).one()
        assert followup.status == "scheduled"
        # Four days after a Wednesday is a Sunday: follow-ups wait for Monday morning.
        assert followup.due_at == datetime(
            2026, 10, 19, 9, 0, tzinfo=ZoneInfo("America/Los_Angeles")
        )
    assert open_escalations(runtime) == []


@pytest.mark.parametrize("language", ["en", "es"])
def test_talk_to_a_person_escalates(runtime, client, language):
    start_missed_you(runtime, FAMILY_PHONE, language=language)
    before = last_message_id(runtime)
    text_in(client, "5")
    assert sent_texts(runtime, before)[-1].endswith(PERSON[language])
    assert open_escalations(runtime) == [("asked_for_a_person", "high")]


@pytest.mark.parametrize("language", ["en", "es"])
def test_two_unrecognized_answers_escalate(runtime, client, language):
    start_missed_you(runtime, FAMILY_PHONE, language=language)
    text_in(client, "ok")
    assert open_escalations(runtime) == []
    text_in(client, "ok!!")
    assert open_escalations(runtime) == [("reply_not_understood", "normal")]


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_reply_by_the_timeout_escalates(runtime, clock, language):
    start_missed_you(runtime, FAMILY_PHONE, language=language)
    clock.advance(days=1)
    jobs.tick()
    assert open_escalations(runtime) == []
    clock.advance(days=1, minutes=1)
    jobs.tick()
    assert open_escalations(runtime) == [("no_reply", "normal")]
    with runtime.db.transaction() as session:
        assert session.scalars(select(Conversation.end_reason)).all() == ["no_reply"]


def test_housing_gets_resources_and_a_call(runtime, client):
    start_missed_you(runtime, FAMILY_PHONE, language="en")
    text_in(client, "3")
    text_in(client, "1")
    assert open_escalations(runtime) == [("housing", "high")]
    assert "Someone from {school_name}" not in " ".join(sent_texts(runtime))


def test_a_text_when_no_flow_waits_reaches_a_person(runtime, client):
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session)
    text_in(client, "Ana will be back Monday")
    assert open_escalations(runtime) == [("family_texted", "low")]
    assert sent_texts(runtime)[-1].startswith("Thank you for your message.")


def test_time_between_texts(runtime, clock):
    """The timer is a column: it survives restarts because the tick reads it from the database."""
    start_missed_you(runtime, FAMILY_PHONE, language="en")
    with runtime.db.transaction() as session:
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.due_at == runtime.clock() + timedelta(days=2)
