"""Held texts, through the whole path: scan -> flow -> outbox -> the real twilio library -> the
Twilio double, on SQLite and PostgreSQL with a fixed clock.

A same-day text held overnight is reworded or dropped, never sent as if it were still its day;
a family's own text releases what the district holds for them, so the answer comes after it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from outreach_bot import jobs
from outreach_bot.clock import FixedClock
from outreach_bot.messaging import held_texts
from outreach_bot.messaging.outbox import queue_text, queued_in
from outreach_bot.messaging.status import store_status_callback
from outreach_bot.models import Conversation, DistrictSetting, Message
from outreach_bot.runtime import Runtime
from tests.factories import add_attendance, add_family, add_resources, add_school, add_school_days
from tests.twilio_double import TwilioDouble

TZ = ZoneInfo("America/Los_Angeles")
PHONE = "+15035550142"
WEDNESDAY = date(2026, 10, 14)
SCHOOL_DAYS = [WEDNESDAY - timedelta(days=n) for n in (9, 8, 7, 6, 5, 2, 1, 0)]  # weekdays
NIGHTLY_SCAN = datetime(2026, 10, 14, 21, 30, tzinfo=TZ)
MORNING = datetime(2026, 10, 15, 8, 0, 30, tzinfo=TZ)
TODAY_EN = "Hi, this is Lincoln Elementary. We missed Ana today!"
LATER_EN = "Hi, this is Lincoln Elementary. We missed Ana on Wednesday, October 14."
QUESTION_EN = "What would help Ana get to school?"


@pytest.fixture
def app_config(
    app_config: dict[str, object], twilio_settings: dict[str, object]
) -> dict[str, object]:
    """The test app sends through the real twilio library to the double."""
    return {**app_config, **twilio_settings}


def absent_on_wednesday(runtime: Runtime, language: str = "en") -> None:
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session, absences=0, language=language)
        add_resources(session)
        add_school_days(session, SCHOOL_DAYS)
        statuses = {day: "present" for day in SCHOOL_DAYS}
        statuses[WEDNESDAY] = "unexcused"
        add_attendance(session, "S1001", statuses)


def nightly_scan(runtime: Runtime, clock: FixedClock) -> None:
    """The scheduler's evening scan: it writes the same-day text inside quiet hours."""
    clock.set(NIGHTLY_SCAN)
    result = jobs.run_scan()
    assert [f.trigger for f in result.fired] == ["absent_today"]


def received(twilio_double: TwilioDouble) -> list[str]:
    """The bodies the double took, in the order it took them."""
    return [request.form["Body"] for request in twilio_double.created]


def outbound(runtime: Runtime) -> list[Message]:
    with runtime.db.transaction() as session:
        return list(
            session.scalars(
                select(Message).where(Message.direction == "outbound").order_by(Message.id)
            )
        )


def conversation(runtime: Runtime) -> Conversation:
    with runtime.db.transaction() as session:
        return session.scalars(select(Conversation)).one()


def text_in(runtime: Runtime, client, body: str, sid: str) -> None:
    """The family's text, on the webhook, signed as Twilio signs it."""
    form = {"MessageSid": sid, "From": PHONE, "Body": body}
    url = f"{runtime.settings.public_base_url}/twilio/inbound"
    signature = RequestValidator(runtime.settings.twilio_auth_token).compute_signature(url, form)
    response = client.post("/twilio/inbound", data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200


def choose(runtime: Runtime, clock: FixedClock, choice: str) -> None:
    with runtime.db.transaction() as session:
        session.add(DistrictSetting(name="same_day_texts", value=choice, updated_at=clock()))


def test_the_evening_scans_text_goes_out_next_morning_naming_the_day(runtime, clock, twilio_double):
    absent_on_wednesday(runtime)
    nightly_scan(runtime, clock)
    held = outbound(runtime)
    assert [(m.status, m.valid_on) for m in held] == [("pending", WEDNESDAY)] * 2
    assert held[0].body.startswith(TODAY_EN)  # written as the scan's day saw it
    clock.set(datetime(2026, 10, 15, 7, 59, tzinfo=TZ))
    jobs.tick()
    assert received(twilio_double) == []
    clock.set(MORNING)
    jobs.tick()
    opening, question = received(twilio_double)
    assert opening.startswith(LATER_EN)
    assert "today" not in opening.lower()
    assert "Ana has missed 1 day of school this year" in opening
    assert question.startswith(QUESTION_EN)
    sent = outbound(runtime)
    assert [(m.status, m.body, m.valid_on, m.later_body) for m in sent] == [
        ("queued", opening, None, None),
        ("queued", question, None, None),
    ]
    assert sent[0].segments == 2 and sent[0].encoding == "GSM-7"
    # The family can still answer the question it got.
    assert conversation(runtime).status == "active"


def test_a_spanish_family_gets_the_day_named_in_spanish(runtime, clock, twilio_double):
    absent_on_wednesday(runtime, language="es")
    nightly_scan(runtime, clock)
    clock.set(MORNING)
    jobs.tick()
    opening = received(twilio_double)[0]
    assert opening.startswith(
        "Hola, le escribe Lincoln Elementary. ¡Extrañamos a Ana el miércoles, 14 de octubre!"
    )
    assert "hoy" not in opening


def test_a_district_that_drops_late_same_day_texts_sends_nothing_and_ends_the_conversation(
    runtime, clock, twilio_double, client
):
    absent_on_wednesday(runtime)
    choose(runtime, clock, "drop")
    nightly_scan(runtime, clock)
    clock.set(MORNING)
    jobs.tick()
    assert received(twilio_double) == []
    # The question went with the opening it depended on: never alone.
    assert [(m.status, m.error_code) for m in outbound(runtime)] == [
        ("suppressed", "day_passed")
    ] * 2
    ended = conversation(runtime)
    assert (ended.status, ended.end_reason) == ("ended", "day_passed")
    # Nothing waits for an answer the family was never asked for: no no-reply case later.
    clock.advance(days=3)
    jobs.tick()
    assert received(twilio_double) == []


def test_a_same_day_text_the_family_releases_that_evening_is_still_true(
    runtime, clock, twilio_double, client
):
    absent_on_wednesday(runtime)
    nightly_scan(runtime, clock)
    clock.set(datetime(2026, 10, 14, 22, 5, tzinfo=TZ))
    text_in(runtime, client, "1", "SM" + "1" * 32)
    bodies = received(twilio_double)
    # The opening and the question first, then the answer to the family's text, at once.
    assert bodies[0].startswith(TODAY_EN)
    assert bodies[1].startswith(QUESTION_EN)
    assert len(bodies) == 4  # the bus resource sheet and the thanks
    rows = outbound(runtime)
    assert [m.body for m in rows] == bodies  # the outbox's order is the order sent
    assert [m.origin for m in rows] == ["reply"] * 4
    assert all(m.sent_at == clock() for m in rows)


def test_a_family_writing_before_the_morning_gets_the_reworded_opening_before_the_answer(
    runtime, clock, twilio_double, client
):
    absent_on_wednesday(runtime)
    nightly_scan(runtime, clock)
    clock.set(datetime(2026, 10, 15, 6, 40, tzinfo=TZ))  # still quiet hours, the next day
    text_in(runtime, client, "HELP", "SM" + "2" * 32)
    opening, question, help_text = received(twilio_double)
    assert opening.startswith(LATER_EN)
    assert question.startswith(QUESTION_EN)
    assert help_text.startswith("Maple Valley Schools: texts about school attendance")
    clock.set(MORNING)
    jobs.tick()
    assert len(received(twilio_double)) == 3  # nothing went twice


def test_stop_at_night_releases_nothing(runtime, clock, twilio_double, client):
    absent_on_wednesday(runtime)
    nightly_scan(runtime, clock)
    clock.set(datetime(2026, 10, 14, 22, 5, tzinfo=TZ))
    text_in(runtime, client, "STOP", "SM" + "3" * 32)
    clock.set(MORNING)
    jobs.tick()
    (confirmation,) = received(twilio_double)
    assert confirmation.startswith("Maple Valley Schools: you will not get more texts from us.")
    assert [m.status for m in outbound(runtime)] == ["suppressed", "suppressed", "queued"]


def test_the_send_job_rewords_a_text_that_missed_its_day_for_any_reason(
    runtime, clock, twilio_double
):
    # Written at 19:59, outside quiet hours, but no worker ran it before quiet hours began.
    clock.set(datetime(2026, 10, 14, 19, 59, tzinfo=TZ))
    with runtime.db.transaction() as session:
        message = queue_text(
            session, phone=PHONE, body="See you today!", language="en", origin="district",
            purpose="flow:t", now=clock(), quiet=runtime.quiet_hours, valid_on=WEDNESDAY,
            later_body="See you soon!",
        )  # fmt: skip
        message.status = "queued"
    clock.set(datetime(2026, 10, 14, 20, 30, tzinfo=TZ))
    assert jobs.send_message(message.id) == "held"
    clock.set(MORNING)
    jobs.tick()
    assert received(twilio_double) == ["See you soon!"]


def test_a_scan_run_late_for_an_earlier_day_names_that_day_at_once(runtime, clock, twilio_double):
    absent_on_wednesday(runtime)
    clock.set(datetime(2026, 10, 16, 10, 0, tzinfo=TZ))  # Friday morning, scanning Wednesday
    jobs.run_scan(WEDNESDAY)
    opening, question = received(twilio_double)
    assert opening.startswith(LATER_EN)
    assert question.startswith(QUESTION_EN)


def test_a_same_day_text_retried_after_its_day_is_reworded(runtime, clock, twilio_double):
    absent_on_wednesday(runtime)
    clock.set(datetime(2026, 10, 14, 19, 30, tzinfo=TZ))  # an early-evening scan
    jobs.run_scan()
    opening = outbound(runtime)[0]
    assert opening.body.startswith(TODAY_EN) and opening.provider_sid is not None
    # The phone was off (30003): one retry an hour later, inside quiet hours, so next morning.
    with runtime.db.transaction() as session:
        form = {"MessageSid": opening.provider_sid, "MessageStatus": "undelivered"}
        store_status_callback(session, {**form, "ErrorCode": "30003"}, now=clock())
    jobs.tick()
    retry = outbound(runtime)[-1]
    assert (retry.retry_of_id, retry.valid_on) == (opening.id, WEDNESDAY)
    clock.set(MORNING)
    jobs.tick()
    assert received(twilio_double)[-1].startswith(LATER_EN)


# PostgreSQL only: SQLite runs one writing transaction at a time (BEGIN IMMEDIATE), so the
# race cannot happen there.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_text_a_send_job_claimed_meanwhile_is_never_released_again(runtime, clock):
    absent_on_wednesday(runtime)
    nightly_scan(runtime, clock)
    opening, question = outbound(runtime)
    clock.set(datetime(2026, 10, 14, 22, 5, tzinfo=TZ))
    with runtime.db.transaction() as session:
        held_texts.look_up(session, [PHONE])  # the inbox reads the batch's held texts
        # Meanwhile a send job claims the opening (another transaction), mid-provider-call.
        with runtime.db.transaction() as other:
            other.get_one(Message, opening.id).status = "sending"
        answer = queue_text(
            session, phone=PHONE, body="Thank you.", language="en", origin="reply",
            purpose="flow:t", now=clock(), quiet=runtime.quiet_hours,
        )  # fmt: skip
        assert [row.id for row in queued_in(session, clock())] == [question.id, answer.id]
    assert [(m.id, m.status, m.origin) for m in outbound(runtime)] == [
        (opening.id, "sending", "district"),
        (question.id, "queued", "reply"),
        (answer.id, "queued", "reply"),
    ]


def test_the_reworded_opening_keeps_the_invitation_to_choose_a_language(
    runtime, clock, twilio_double
):
    absent_on_wednesday(runtime, language="am")  # Amharic: a language we have no catalog for
    nightly_scan(runtime, clock)
    clock.set(MORNING)
    jobs.tick()
    opening, invitation, question = received(twilio_double)
    assert opening.startswith(LATER_EN)
    # The invitation is a text of its own, right after the opening, and shares its fate.
    assert invitation == (
        "To get texts in another language, reply with its name, like Español or Tagalog."
    )
    assert question.startswith(QUESTION_EN)
