"""The notice on the case page: the letter to mail (and marking it mailed), every try to reach
the family across the student's cases, and NOTICES_STATE on the District settings page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from outreach_bot import jobs
from outreach_bot.escalations import open_escalation
from outreach_bot.models import AttendanceRecord, AuditEvent, Escalation, Notice, User
from outreach_bot.notices.rules import load_rules
from outreach_bot.notices.run import CASE_REASON, run_notices
from outreach_bot.staff import casework
from tests.staff_helpers import post, sign_in, two_schools


@pytest.fixture
def app_config(app_config):
    return {**app_config, "NOTICES_STATE": "CA"}


@pytest.fixture
def notice_case(runtime, clock) -> int:
    """Lincoln's Ana with three unexcused days, a first notice sent, and its case's id."""
    with runtime.db.transaction() as session:
        two_schools(session, clock())
        session.add_all(
            AttendanceRecord(student_id="S1001", date=date(2026, 10, day), status="unexcused")
            for day in (5, 6, 7)
        )
    with runtime.db.transaction() as session:
        run_notices(
            session,
            rules=load_rules(runtime.settings.flows_dir, "CA"),
            as_of=date(2026, 10, 14),
            now=clock(),
            conversations=runtime.conversations,
        )
        case = session.scalars(select(Escalation).where(Escalation.reason == CASE_REASON)).one()
    jobs.relay_outbox()
    return case.id


def test_the_case_page_shows_the_notice_and_its_letter_to_mail(runtime, client, notice_case):
    sign_in(client, "clerk@example.org")
    page = client.get(f"/staff/cases/{notice_case}").get_data(as_text=True)
    assert "Attendance notice: call the family, mail the letter" in page
    assert "First notice" in page and "3 days counted" in page
    assert "texted to the family" in page and "letter to mail" in page


def test_staff_mark_the_letter_mailed_once(runtime, client, clock, notice_case):
    with runtime.db.transaction() as session:
        notice_id = session.scalars(select(Notice.id)).one()
    sign_in(client, "clerk@example.org")
    url = f"/staff/cases/{notice_case}/notices/{notice_id}/mailed"
    assert post(client, url).status_code == 302
    with runtime.db.transaction() as session:
        notice = session.get_one(Notice, notice_id)
        clerk = session.scalars(select(User).where(User.email == "clerk@example.org")).one()
        assert (notice.mailed_at, notice.mailed_by) == (clock(), clerk.id)
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "mailed_notice")
        ).one()
        assert (event.target_id, event.user_id) == (str(notice_id), clerk.id)
    page = client.get(f"/staff/cases/{notice_case}").get_data(as_text=True)
    assert "letter mailed" in page and "Mark the letter mailed" not in page
    post(client, url)
    assert "already marked mailed" in client.get(f"/staff/cases/{notice_case}").get_data(
        as_text=True
    )


def test_a_notice_of_another_student_cannot_be_marked_from_this_case(
    runtime, client, clock, notice_case
):
    with runtime.db.transaction() as session:
        notice_id = session.scalars(select(Notice.id)).one()
        oak_case = session.scalars(
            select(Escalation.id).where(Escalation.student_id == "S2001")
        ).one()
    sign_in(client, "admin@example.org")
    assert post(client, f"/staff/cases/{oak_case}/notices/{notice_id}/mailed").status_code == 404
    with runtime.db.transaction() as session:
        assert session.get_one(Notice, notice_id).mailed_at is None


def test_every_try_to_reach_the_family_is_listed_with_each_case(
    runtime, client, clock, notice_case
):
    with runtime.db.transaction() as session:
        clerk = session.scalars(select(User).where(User.email == "clerk@example.org")).one()
        other = open_escalation(
            session, reason="consecutive_absences", now=clock(), student_id="S1001"
        )
        casework.log_attempt(
            session, other, clerk, method="home_visit", outcome="no_answer",
            now=clock() + timedelta(minutes=30),
            note="Nobody home",
        )  # fmt: skip
        casework.log_attempt(
            session,
            session.get_one(Escalation, notice_case),
            clerk,
            method="call",
            outcome="left_message",
            now=clock() + timedelta(hours=1),
        )
        other_id = other.id
    sign_in(client, "clerk@example.org")
    page = client.get(f"/staff/cases/{notice_case}").get_data(as_text=True)
    effort = page[page.index('id="effort"') :]
    assert effort.index("Notice sent: First notice") < effort.index("Home visit")
    assert effort.index("Home visit") < effort.index("Phone call")
    assert f'href="/staff/cases/{other_id}"' in effort and "Nobody home" in effort
    assert "Left a message" in effort


def test_the_settings_page_says_notices_are_on_and_by_which_rules(client, runtime, clock):
    with runtime.db.transaction() as session:
        two_schools(session, clock())
    sign_in(client, "admin@example.org")
    page = client.get("/staff/admin/settings").get_data(as_text=True)
    assert "On, by the rules of CA (flows/notices/CA.yaml)" in page
