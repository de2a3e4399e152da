"""`notices run` on a real database: each stage once per student per school year, the family's
text once, through the outbox (quiet hours, STOP), and a case for staff to call and mail."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from outreach_bot import jobs
from outreach_bot.cli import main
from outreach_bot.messaging.optout import opt_out
from outreach_bot.models import (
    AttendanceRecord,
    ContactAttempt,
    Escalation,
    Message,
    Notice,
    Student,
)
from outreach_bot.notices.rules import load_rules
from outreach_bot.notices.run import CASE_REASON, run_notices
from tests.factories import add_family, add_school

OCTOBER = [date(2026, 10, day) for day in (5, 6, 7, 8, 9, 12, 13)]
PHONE = "+15035550142"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "NOTICES_STATE": "CA"}


@pytest.fixture
def family(runtime):
    """Lincoln and Ana, whose guardian reads `language` (English unless a test changes it)."""
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session, phone=PHONE)
    return "S1001"


def attendance(runtime, student_id: str, rows: dict[date, tuple[str, int | None]]) -> None:
    with runtime.db.transaction() as session:
        session.add_all(
            AttendanceRecord(student_id=student_id, date=day, status=status, minutes_missed=minutes)
            for day, (status, minutes) in rows.items()
        )


def unexcused(*days: date) -> dict[date, tuple[str, int | None]]:
    return {day: ("unexcused", None) for day in days}


def run(runtime, day: date = date(2026, 10, 14)):
    with runtime.db.transaction() as session:
        result = run_notices(
            session,
            rules=load_rules(runtime.settings.flows_dir, "CA"),
            as_of=day,
            now=runtime.clock(),
            conversations=runtime.conversations,
        )
    jobs.relay_outbox()
    return result


def notices(runtime) -> list[Notice]:
    with runtime.db.transaction() as session:
        found = list(session.scalars(select(Notice).order_by(Notice.id)))
        session.expunge_all()
        return found


def family_texts(runtime) -> list[Message]:
    with runtime.db.transaction() as session:
        found = list(session.scalars(select(Message).where(Message.purpose == "notice")))
        session.expunge_all()
        return found


def test_two_unexcused_days_send_nothing_and_the_third_sends_the_first_notice(runtime, family):
    attendance(runtime, family, unexcused(*OCTOBER[:2]))
    assert dict(run(runtime).sent) == {}
    attendance(runtime, family, unexcused(OCTOBER[2]))
    result = run(runtime)
    assert dict(result.sent) == {"first": 1}
    [notice] = notices(runtime)
    assert (notice.stage, notice.rules, notice.language) == ("first", "CA", "en")
    assert notice.school_year_start == date(2026, 7, 1)
    assert notice.issued_on == date(2026, 10, 14)
    assert notice.absence_dates == ["2026-10-05", "2026-10-06", "2026-10-07"]
    assert notice.counts == {"unexcused_days": 3, "tardies_over_30": 0, "truancies": 3}
    assert notice.mailed_at is None and notice.guardian_id is not None


def test_the_first_notice_fires_once_however_often_it_runs(runtime, family):
    attendance(runtime, family, unexcused(*OCTOBER[:3]))
    for _ in range(3):
        run(runtime)
    assert [n.stage for n in notices(runtime)] == ["first"]
    assert len(runtime.channel.sent) == 1
    assert len(family_texts(runtime)) == 1


def test_a_notice_already_recorded_is_never_recorded_twice(runtime, family):
    attendance(runtime, family, unexcused(*OCTOBER[:3]))
    run(runtime)
    with pytest.raises(IntegrityError), runtime.db.transaction() as session:
        session.add(
            Notice(
                student_id=family,
                school_year_start=date(2026, 7, 1),
                stage="first",
                rules="CA",
                issued_on=date(2026, 10, 15),
                language="en",
                absence_dates=[],
                counts={},
                created_at=runtime.clock(),
            )
        )
        session.flush()


@pytest.mark.parametrize(("minutes", "sent"), [(30, {}), (31, {"first": 1})])
def test_a_tardy_of_thirty_minutes_does_not_count_and_of_thirty_one_does(
    runtime, family, minutes, sent
):
    rows = unexcused(*OCTOBER[:2]) | {OCTOBER[2]: ("tardy", minutes)}
    attendance(runtime, family, rows)
    assert dict(run(runtime).sent) == sent


def test_excused_days_never_count(runtime, family):
    attendance(runtime, family, {day: ("excused", None) for day in OCTOBER})
    assert dict(run(runtime).sent) == {}
    assert notices(runtime) == []


def test_a_new_school_year_starts_again(runtime, family):
    last_year = [date(2026, 5, day) for day in (4, 5, 6)]
    attendance(runtime, family, unexcused(*last_year, *OCTOBER[:2]))
    assert dict(run(runtime, date(2026, 5, 7)).sent) == {"first": 1}
    assert dict(run(runtime).sent) == {}  # two days this year
    attendance(runtime, family, unexcused(OCTOBER[2]))
    assert dict(run(runtime).sent) == {"first": 1}
    years = [n.school_year_start for n in notices(runtime)]
    assert years == [date(2025, 7, 1), date(2026, 7, 1)]


def test_the_second_notice_needs_a_further_day_and_the_conference_a_contact_attempt(
    runtime, family
):
    attendance(runtime, family, unexcused(*OCTOBER[:3]))
    assert dict(run(runtime).sent) == {"first": 1}
    attendance(runtime, family, unexcused(OCTOBER[3]))
    assert dict(run(runtime).sent) == {"second": 1}
    attendance(runtime, family, unexcused(OCTOBER[4]))
    waiting = run(runtime)
    assert dict(waiting.sent) == {} and waiting.waiting_for_contact == 1
    with runtime.db.transaction() as session:
        case = session.scalars(select(Escalation).where(Escalation.reason == CASE_REASON)).one()
        session.add(
            ContactAttempt(
                escalation_id=case.id,
                method="call",
                outcome="no_answer",
                staff="clerk@example.org",
                attempted_at=runtime.clock(),
            )
        )
    assert dict(run(runtime).sent) == {"conference": 1}
    assert [n.stage for n in notices(runtime)] == ["first", "second", "conference"]
    second = notices(runtime)[1]
    assert second.absence_dates[-1] == "2026-10-08"
    assert dict(run(runtime).sent) == {}


def test_each_notice_opens_one_case_to_call_and_mail(runtime, family):
    attendance(runtime, family, unexcused(*OCTOBER[:4]))
    run(runtime)
    run(runtime, date(2026, 10, 15))
    with runtime.db.transaction() as session:
        cases = session.scalars(select(Escalation).where(Escalation.reason == CASE_REASON)).all()
        assert [(c.student_id, c.status, c.school_id) for c in cases] == [(family, "open", "LIN")]


def test_the_text_says_a_letter_is_coming_and_how_to_reach_a_person(runtime, family):
    attendance(runtime, family, unexcused(*OCTOBER[:3]))
    run(runtime)
    [(to, body)] = runtime.channel.sent
    assert to == PHONE
    assert "Lincoln Elementary" in body and "Ana" in body and "letter" in body
    assert "+15035550100" in body and "reply here" in body
    assert "truan" not in body.lower()
    [notice] = notices(runtime)
    assert notice.text_message_id == family_texts(runtime)[0].id


def test_the_text_is_in_the_familys_language(runtime):
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session, phone=PHONE, language="es-MX")
    attendance(runtime, "S1001", unexcused(*OCTOBER[:3]))
    run(runtime)
    [(_, body)] = runtime.channel.sent
    assert "carta" in body and "ALTO" in body
    assert notices(runtime)[0].language == "es"


def test_inside_quiet_hours_the_text_waits_for_morning_and_goes_once(runtime, family, clock):
    attendance(runtime, family, unexcused(*OCTOBER[:3]))
    clock.set(datetime(2026, 10, 15, 4, 30, tzinfo=UTC))  # 21:30 in the district
    run(runtime)
    assert runtime.channel.sent == []
    [text] = family_texts(runtime)
    assert text.status == "pending" and text.not_before is not None
    clock.set(text.not_before + timedelta(minutes=1))
    run(runtime, date(2026, 10, 15))
    jobs.relay_outbox()
    assert len(runtime.channel.sent) == 1
    assert len(notices(runtime)) == 1


def test_after_stop_no_text_but_the_letter_is_still_produced(runtime, family, clock):
    attendance(runtime, family, unexcused(*OCTOBER[:3]))
    with runtime.db.transaction() as session:
        opt_out(session, PHONE, source="keyword", now=clock())
    result = run(runtime)
    assert dict(result.sent) == {"first": 1} and result.texted == 0
    assert runtime.channel.sent == []
    assert family_texts(runtime) == []
    [notice] = notices(runtime)
    assert notice.text_message_id is None and notice.mailed_at is None


def test_a_family_that_never_agreed_to_texts_gets_the_letter_only(runtime):
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session, phone=PHONE, consent=False)
    attendance(runtime, "S1001", unexcused(*OCTOBER[:3]))
    run(runtime)
    assert runtime.channel.sent == []
    assert len(notices(runtime)) == 1


def test_a_withdrawn_student_gets_no_notice(runtime, family):
    attendance(runtime, family, unexcused(*OCTOBER[:3]))
    with runtime.db.transaction() as session:
        session.get_one(Student, family).exit_date = date(2026, 10, 9)
    assert dict(run(runtime).sent) == {}


def test_absences_neither_excused_nor_unexcused_are_reported_not_counted(runtime, family):
    attendance(runtime, family, {day: ("absent", None) for day in OCTOBER})
    result = run(runtime)
    assert dict(result.sent) == {} and result.unclassified == 1


def test_the_command_runs_lists_and_says_when_notices_are_off(runtime, family, cli):
    attendance(runtime, family, unexcused(*OCTOBER[:3]))
    first = cli.invoke(main, ["notices", "run", "--date", "2026-10-14"])
    assert first.exit_code == 0, first.output
    assert "first" in first.output and "1" in first.output
    again = cli.invoke(main, ["notices", "run", "--date", "2026-10-14"])
    assert again.exit_code == 0
    assert [line.split() for line in again.output.splitlines()[1:4]] == [
        ["first", "0"],
        ["second", "0"],
        ["conference", "0"],
    ]
    listed = cli.invoke(main, ["notices", "list", "--format", "csv"])
    lines = listed.output.splitlines()
    assert lines[0].startswith("notice_id,student_id,school_id,stage")
    assert lines[1].split(",")[1:6] == ["S1001", "LIN", "first", "CA", "2026-10-14"]
    assert cli.invoke(main, ["notices", "list", "--stage", "second"]).output == "no notices\n"
    missing = cli.invoke(main, ["notices", "pdf", "999", "--out", "x.pdf"])
    assert missing.exit_code == 1 and "no notice 999" in missing.output


def test_notices_are_off_until_the_district_turns_them_on(cli, runtime):
    runtime.settings = replace(runtime.settings, notices_state=None)
    outcome = cli.invoke(main, ["notices", "run"])
    assert outcome.exit_code == 1
    assert "notices are off: set NOTICES_STATE" in outcome.output


def test_a_purge_keeps_the_notice_and_its_text_and_the_family_export_has_it(runtime, family, clock):
    from outreach_bot.privacy.family_export import export_family
    from outreach_bot.privacy.retention import purge_before

    attendance(runtime, family, unexcused(*OCTOBER[:3]))
    run(runtime)
    with runtime.db.transaction() as session:
        purge_before(session, clock() + timedelta(days=400))
    [notice] = notices(runtime)
    assert [text.id for text in family_texts(runtime)] == [notice.text_message_id]
    with runtime.db.transaction() as session:
        exported = export_family(session, PHONE)
    assert [n["stage"] for n in exported["notices"]] == ["first"]
    assert "mailed_by" not in exported["notices"][0]
