"""The rules families rely on, through the whole path: scan -> flow -> outbox -> channel.

STOP means nothing more is ever sent; the district never starts a text at night (it waits);
a family's own text is answered at once, whatever the hour.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from outreach_bot import jobs
from outreach_bot.cli import main
from outreach_bot.models import Message, PhoneNumber
from tests.factories import add_attendance, add_family, add_school, add_school_days

TZ = ZoneInfo("America/Los_Angeles")
PHONE = "+15035550142"
TODAY = date(2026, 10, 14)
SCHOOL_DAYS = [TODAY - timedelta(days=n) for n in (9, 8, 7, 6, 5, 2, 1, 0)]  # weekdays only


def absent_today_district(runtime, language: str = "en") -> None:
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session, absences=0, language=language)
        add_school_days(session, SCHOOL_DAYS)
        statuses = {day: "present" for day in SCHOOL_DAYS}
        statuses[TODAY] = "unexcused"
        add_attendance(session, "S1001", statuses)


def text_in(client, body: str, sid: str) -> None:
    response = client.post("/twilio/inbound", data={"MessageSid": sid, "From": PHONE, "Body": body})
    assert response.status_code == 200


def test_stop_then_a_trigger_sends_nothing(runtime, client):
    absent_today_district(runtime)
    text_in(client, "STOP", "SM" + "1" * 32)
    assert [body for _, body in runtime.channel.sent] == [
        "Maple Valley Schools: you will not get more texts from us. Reply START to get them again."
    ]
    result = jobs.run_scan(TODAY)
    assert [f.trigger for f in result.fired] == ["absent_today"]
    jobs.tick()
    assert len(runtime.channel.sent) == 1  # only the confirmation, nothing after it
    with runtime.db.transaction() as session:
        assert session.get(PhoneNumber, PHONE).opted_out_at is not None


def test_spanish_stop_word_opts_out_and_confirms_in_spanish(runtime, client):
    absent_today_district(runtime, language="es")
    text_in(client, "Alto.", "SM" + "2" * 32)
    jobs.run_scan(TODAY)
    jobs.tick()
    assert [body for _, body in runtime.channel.sent] == [
        "Maple Valley Schools: no le vamos a enviar mas mensajes. Responda START para recibirlos "
        "de nuevo."
    ]


def test_a_trigger_in_quiet_hours_is_held_then_sent_when_they_end(runtime, clock):
    absent_today_district(runtime)
    clock.set(datetime(2026, 10, 14, 21, 15, tzinfo=TZ))
    jobs.run_scan(TODAY)
    assert runtime.channel.sent == []
    with runtime.db.transaction() as session:
        held = session.scalars(select(Message).where(Message.direction == "outbound")).all()
        assert [m.status for m in held] == ["pending", "pending"]
        assert {m.not_before for m in held} == {datetime(2026, 10, 15, 8, 0, tzinfo=TZ)}
    clock.set(datetime(2026, 10, 15, 7, 59, tzinfo=TZ))
    jobs.tick()
    assert runtime.channel.sent == []
    clock.set(datetime(2026, 10, 15, 8, 0, 30, tzinfo=TZ))
    jobs.tick()
    assert len(runtime.channel.sent) == 2
    # The scan's "today" was yesterday by morning: the text names the day instead.
    assert runtime.channel.sent[0][1].startswith(
        "Hi, this is Lincoln Elementary. We missed Ana on Wednesday, October 14."
    )
    assert "today" not in runtime.channel.sent[0][1]


def test_a_familys_own_text_at_night_is_answered_at_once(runtime, client, clock):
    absent_today_district(runtime)
    jobs.run_scan(TODAY)
    assert len(runtime.channel.sent) == 2
    clock.set(datetime(2026, 10, 14, 23, 40, tzinfo=TZ))
    text_in(client, "2", "SM" + "3" * 32)
    assert len(runtime.channel.sent) == 4  # the resource sheet and the thanks, now
    text_in(client, "HELP", "SM" + "4" * 32)
    assert runtime.channel.sent[-1][1].startswith("Maple Valley Schools: texts about school")


def test_the_scan_fires_once_however_often_it_runs(runtime):
    absent_today_district(runtime)
    jobs.run_scan(TODAY)
    jobs.run_scan(TODAY)
    assert len(runtime.channel.sent) == 2


def test_a_baseline_scan_records_episodes_and_texts_no_one(runtime, cli):
    absent_today_district(runtime)
    outcome = cli.invoke(main, ["scan", "--date", TODAY.isoformat(), "--baseline"])
    assert outcome.exit_code == 0, outcome.output
    assert "baseline (nothing sent)" in outcome.output
    assert jobs.run_scan(TODAY).fired == []  # the episode is already recorded
    assert runtime.channel.sent == []
