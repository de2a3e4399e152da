"""Issue 3's service behaviour on both databases: keywords, siblings, follow-ups, hand-overs."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from sqlalchemy import select

from outreach_bot import jobs
from outreach_bot.models import (
    BarrierReport,
    Conversation,
    Escalation,
    Guardian,
    Message,
    StaffNotice,
)
from tests.factories import add_attendance, add_family, add_school, add_school_days

TZ = ZoneInfo("America/Los_Angeles")
PHONE = "+15035550142"
_sids = count(1)


def text_in(client, body: str, phone: str = PHONE) -> None:
    sid = f"SM{next(_sids):032d}"
    response = client.post("/twilio/inbound", data={"MessageSid": sid, "From": phone, "Body": body})
    assert response.status_code == 200


def sent(runtime) -> list[str]:
    return [body for _, body in runtime.channel.sent]


def open_cases(runtime) -> list[tuple[str, str]]:
    with runtime.db.transaction() as session:
        rows = session.scalars(select(Escalation).where(Escalation.status == "open"))
        return [(case.reason, case.priority) for case in rows]


def family_of_two(runtime, language: str = "en") -> None:
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session, absences=3, language=language)
        add_family(session, student_id="S1002", first_name="Mateo", absences=5, language=language)


def start(runtime, flow: str, student_ids=("S1001",)) -> None:
    with runtime.db.transaction() as session:
        firings = [(None, student_id, flow) for student_id in student_ids]
        assert runtime.conversations.start_for_families(session, firings, runtime.clock()) == 1
    jobs.relay_outbox()


def test_two_children_of_one_family_get_one_text_naming_both(runtime):
    family_of_two(runtime)
    start(runtime, "missed_you", ("S1001", "S1002"))
    greeting = sent(runtime)[0]
    assert "We missed Ana and Mateo today!" in greeting
    assert "Days missed this year: Ana 3 and Mateo 5." in greeting
    assert sent(runtime)[1].startswith("What would help Ana and Mateo get to school?")


def test_siblings_in_spanish_are_joined_the_spanish_way(runtime):
    family_of_two(runtime, language="es")
    start(runtime, "missed_you", ("S1001", "S1002"))
    assert "Ana y Mateo" in sent(runtime)[1]


def test_missed_you_goes_to_a_family_at_most_once_a_day(runtime, client, clock):
    family_of_two(runtime)
    start(runtime, "missed_you", ("S1001",))
    text_in(client, "5")  # the conversation ends: a person will call
    with runtime.db.transaction() as session:
        again = runtime.conversations.start_for_families(
            session, [(None, "S1002", "missed_you")], clock()
        )
    assert again == 0
    clock.advance(days=1)
    with runtime.db.transaction() as session:
        tomorrow = runtime.conversations.start_for_families(
            session, [(None, "S1002", "missed_you")], clock()
        )
    assert tomorrow == 1


def test_attendance_keyword_answers_each_child_only_to_a_phone_on_file(runtime, client):
    family_of_two(runtime)
    text_in(client, "Attendance please")
    summary = sent(runtime)[-1]
    assert summary.startswith("Maple Valley Schools:\n")
    assert "Ana: 3 days missed this year. Missing some days." in summary
    assert "Mateo: 5 days missed this year. Missing some days." in summary
    text_in(client, "ATTENDANCE", phone="+15035550177")  # not on file
    assert sent(runtime)[-1].startswith("We could not find your phone number")
    assert "Ana" not in sent(runtime)[-1]


def test_a_keyword_interrupts_only_flows_that_allow_it(runtime, client):
    family_of_two(runtime)
    start(runtime, "missed_you")
    text_in(client, "attendance")  # missed_you lists attendance_lookup as an interruption
    assert sent(runtime)[-1].startswith("Maple Valley Schools:\nAna: 3 days")
    with runtime.db.transaction() as session:
        ended = session.scalars(select(Conversation).where(Conversation.flow == "missed_you")).one()
        assert ended.end_reason == "interrupted:attendance_lookup"


def test_texting_a_language_name_switches_the_family_and_confirms_in_it(runtime, client):
    family_of_two(runtime, language="es")
    text_in(client, "English")
    assert (
        sent(runtime)[-1] == "OK! We will text you in English from now on. Reply STOP to end texts."
    )
    with runtime.db.transaction() as session:
        assert set(session.scalars(select(Guardian.language))) == {"en"}


def test_a_one_word_tag_never_switches_language(runtime, client):
    family_of_two(runtime, language="en")
    text_in(client, "es")
    with runtime.db.transaction() as session:
        assert set(session.scalars(select(Guardian.language))) == {"en"}


def test_followup_asks_if_help_worked_and_escalates_when_not(runtime, client, clock):
    family_of_two(runtime)
    start(runtime, "missed_you")
    text_in(client, "1")
    clock.set(datetime(2026, 10, 19, 8, 59, tzinfo=TZ))
    jobs.tick()
    assert not sent(runtime)[-1].startswith("Hi, this is Lincoln Elementary. We sent you some help")
    clock.set(datetime(2026, 10, 19, 9, 1, tzinfo=TZ))
    jobs.tick()
    assert sent(runtime)[-1].startswith("Hi, this is Lincoln Elementary. We sent you some help")
    text_in(client, "2")
    assert ("help_did_not_work", "normal") in open_cases(runtime)


def test_a_followup_waits_while_another_conversation_runs(runtime, client, clock):
    family_of_two(runtime)
    start(runtime, "missed_you")
    text_in(client, "1")
    clock.set(datetime(2026, 10, 19, 8, 0, tzinfo=TZ))
    start(runtime, "missed_you", ("S1002",))
    clock.set(datetime(2026, 10, 19, 9, 30, tzinfo=TZ))
    jobs.tick()
    with runtime.db.transaction() as session:
        followup = session.scalars(
            select(Conversation).where(Conversation.flow == "followup")
        ).one()
        assert followup.status == "scheduled"
        assert followup.due_at == clock() + timedelta(hours=1)


def test_chronic_outreach_hands_over_to_barriers_and_safety_is_urgent(runtime, client):
    family_of_two(runtime)
    start(runtime, "chronic_outreach")
    assert sent(runtime)[0].startswith("Hi, this is Lincoln Elementary. Ana has missed 3 days")
    text_in(client, "2")
    assert sent(runtime)[-1].startswith("What makes it hard for Ana to get to school?")
    text_in(client, "5")
    text_in(client, "1")
    assert open_cases(runtime) == [("safety", "urgent")]
    with runtime.db.transaction() as session:
        flows = session.execute(select(Conversation.flow, Conversation.end_reason)).all()
    assert sorted(flows) == [("barriers", "completed"), ("chronic_outreach", "handed_over")]


def test_chronic_outreach_without_an_answer_goes_to_a_person(runtime, clock):
    family_of_two(runtime)
    start(runtime, "chronic_outreach")
    clock.advance(days=3, minutes=1)
    jobs.tick()
    assert open_cases(runtime) == [("no_reply", "normal")]


def test_recognition_after_a_full_week_at_school(runtime):
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session, absences=0)
        days = [date(2026, 9, 1) + timedelta(days=n) for n in range(45)]
        school_days = [day for day in days if day.weekday() < 5]
        add_school_days(session, school_days)
        # Missing a lot in September, then every day for the last week.
        statuses = {
            day: ("unexcused" if i % 3 == 0 else "present") for i, day in enumerate(school_days)
        }
        for day in school_days[-5:]:
            statuses[day] = "present"
        add_attendance(session, "S1001", statuses)
    jobs.run_scan(school_days[-2], act=False)  # what was already under way is known
    result = jobs.run_scan(school_days[-1])
    assert "recognition_full_week" in {firing.trigger for firing in result.fired}
    assert sent(runtime)[-1].startswith("Great news from Lincoln Elementary: Ana has been coming")


def test_a_reply_while_a_flow_asks_nothing_goes_to_the_catch_all(runtime, client):
    family_of_two(runtime)
    start(runtime, "attendance_lookup")
    text_in(client, "thanks so much")
    assert ("family_texted", "low") in open_cases(runtime)
    with runtime.db.transaction() as session:
        inbound = session.scalars(select(Message).where(Message.direction == "inbound")).one()
        assert inbound.processed_at is not None


def test_while_staff_hold_the_conversation_the_bot_stays_silent(runtime, client, clock):
    from outreach_bot.staff.takeover import hold, release
    from outreach_bot.staff.users import create_user

    family_of_two(runtime)
    start(runtime, "missed_you")
    with runtime.db.transaction() as session:
        clerk = create_user(
            session,
            email="clerk@example.org",
            password="a long passphrase for tests",
            role="clerk",
            now=clock(),
            school_ids=["LIN"],
        )
        hold(session, PHONE, clerk.id, clock())
    before = len(sent(runtime))
    text_in(client, "1")
    with runtime.db.transaction() as session:
        notices = session.scalars(select(StaffNotice.kind)).all()
    assert "new" in notices  # whoever works the family's case hears they texted
    clock.advance(days=3)
    jobs.tick()
    assert len(sent(runtime)) == before  # no answer, no timeout escalation
    with runtime.db.transaction() as session:
        release(session, PHONE, clock())
    text_in(client, "1")
    assert sent(runtime)[-1].startswith("Thank you for telling us.")


def test_a_question_that_never_arrives_takes_the_no_answer_path(runtime, client):
    family_of_two(runtime)
    start(runtime, "missed_you")
    with runtime.db.transaction() as session:
        question = session.scalars(
            select(Message).where(Message.direction == "outbound").order_by(Message.id.desc())
        ).first()
        question.provider_sid = "SM" + "f" * 32
    form = {"MessageSid": "SM" + "f" * 32, "MessageStatus": "undelivered", "ErrorCode": "30008"}
    assert client.post("/twilio/status", data=form).status_code == 200
    assert open_cases(runtime) == [("no_reply", "normal")]


def test_a_language_without_a_catalog_gets_english_and_an_invitation(runtime):
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session, language="am")  # Amharic: a real language we have no catalog for
    start(runtime, "missed_you")
    first, invitation, question = sent(runtime)
    assert first.startswith("Hi, this is Lincoln Elementary.") and "another language" not in first
    assert invitation == (
        "To get texts in another language, reply with its name, like Español or Tagalog."
    )
    assert "another language" not in question


def test_a_reply_clearly_in_another_language_is_offered_a_switch_in_it(runtime, client):
    family_of_two(runtime, language="en")
    text_in(client, "Hola, mi hija está enferma y no puede ir a la escuela esta semana")
    spanish = runtime.catalogs.get("es")
    offer = spanish.gettext(
        "Would you like our texts in {language_name}? Reply with a number:\n1 Yes, please\n"
        "2 No, thank you"
    ).format(language_name="español")
    assert sent(runtime)[-1] == offer
    with runtime.db.transaction() as session:
        assert set(session.scalars(select(Guardian.language))) == {"en"}  # not before they say so
    text_in(client, "1")
    with runtime.db.transaction() as session:
        assert set(session.scalars(select(Guardian.language))) == {"es"}
    confirmation = "OK! We will text you in English from now on. Reply STOP to end texts."
    assert sent(runtime)[-1] == spanish.gettext(confirmation)
    assert "español" in sent(runtime)[-1]


def test_an_answer_the_flow_understands_is_never_taken_for_a_language_switch(runtime, client):
    family_of_two(runtime, language="es")
    start(runtime, "missed_you")
    text_in(client, "the bus never comes to our street")
    with runtime.db.transaction() as session:
        assert "language_offer" not in session.scalars(select(Conversation.flow)).all()
        assert session.scalars(select(BarrierReport.barrier)).all() == ["transportation"]


def test_one_word_never_offers_a_switch(runtime, client):
    family_of_two(runtime, language="en")
    text_in(client, "gracias")
    with runtime.db.transaction() as session:
        assert "language_offer" not in session.scalars(select(Conversation.flow)).all()
