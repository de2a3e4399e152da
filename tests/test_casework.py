"""Case work, deadlines that climb, batched staff notices, and taking over from the bot."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_string
from email.policy import default
from pathlib import Path

import pytest
from sqlalchemy import select

from outreach_bot import jobs
from outreach_bot.engine.definition import FlowError
from outreach_bot.escalations import climb_overdue, open_escalation
from outreach_bot.models import Escalation, Message, StaffNotice, User
from outreach_bot.staff import casework, takeover
from outreach_bot.staff.casework import CaseworkError
from outreach_bot.staff.catalog import StaffCatalog
from outreach_bot.staff.notifications import plan, send_notices
from outreach_bot.staff.quick_replies import load_quick_replies, render_quick_replies
from outreach_bot.staff.scope import scope_of
from tests.factories import add_family, add_school
from tests.smtp_double import smtp_double
from tests.staff_helpers import add_user

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def case_id(runtime, clock) -> int:
    """One open case at Lincoln, and its staff: a clerk, a school lead and a district admin."""
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session)
        add_user(session, "clerk@example.org")
        add_user(session, "lead@example.org", role="school_lead")
        add_user(session, "admin@example.org", role="district_admin", schools=())
        case = open_escalation(
            session, reason="no_reply", now=clock(), student_id="S1001", phone="+15035550142"
        )
        return case.id


def _user(session, email: str) -> User:
    return session.scalars(select(User).where(User.email == email)).one()


def test_a_call_with_no_answer_schedules_the_next_follow_up(runtime, clock, case_id):
    with runtime.db.transaction() as session:
        case = session.get_one(Escalation, case_id)
        clerk = _user(session, "clerk@example.org")
        casework.log_attempt(
            session,
            case,
            clerk,
            method="call",
            outcome="no_answer",
            note="rang 8 times",
            now=clock(),
        )
        assert case.status == "open" and case.assigned_to_id == clerk.id
        assert case.next_follow_up_at == case.due_at == clock() + timedelta(hours=24)
        assert case.attempts[0].staff == "clerk@example.org"


def test_contact_made_closes_the_case_with_its_outcome(runtime, clock, case_id):
    with runtime.db.transaction() as session:
        case = session.get_one(Escalation, case_id)
        clerk = _user(session, "clerk@example.org")
        with pytest.raises(CaseworkError, match="choose what came of it"):
            casework.log_attempt(
                session, case, clerk, method="call", outcome="reached", now=clock()
            )
        casework.log_attempt(
            session,
            case,
            clerk,
            method="home_visit",
            outcome="reached",
            case_outcome="plan_made",
            now=clock(),
        )
        assert (case.status, case.outcome, case.closed_by_id) == ("closed", "plan_made", clerk.id)
        with pytest.raises(CaseworkError, match="already closed"):
            casework.claim(case, clerk, clock())


def test_claims_and_assignments_respect_roles_and_schools(runtime, clock, case_id):
    with runtime.db.transaction() as session:
        add_school(session, "OAK", "Oak Middle", phone=None)
        other = add_user(session, "oak@example.org", schools=("OAK",))
        case = session.get_one(Escalation, case_id)
        clerk, lead = _user(session, "clerk@example.org"), _user(session, "lead@example.org")
        casework.claim(case, clerk, clock())
        with pytest.raises(CaseworkError, match="already claimed"):
            casework.claim(case, lead, clock())
        with pytest.raises(CaseworkError, match="Only a school lead"):
            casework.assign(case, lead, scope_of(clerk), clock())
        with pytest.raises(CaseworkError, match="does not work for"):
            casework.assign(case, other, scope_of(lead), clock())
        casework.assign(case, lead, scope_of(lead), clock())
        assert case.assigned_to_id == lead.id


def test_an_unresolved_case_climbs_to_the_lead_then_the_district_and_never_expires(
    runtime, clock, case_id
):
    levels = []
    with runtime.db.transaction() as session:
        case = session.get_one(Escalation, case_id)
        for _ in range(4):
            clock.set(case.due_at)
            climb_overdue(session, clock(), timedelta(hours=6))
            levels.append(case.level)
        assert levels == ["school_lead", "district", "district", "district"]
        assert case.status == "open" and case.due_at == clock() + timedelta(hours=6)
        kinds = session.scalars(select(StaffNotice.kind).order_by(StaffNotice.id)).all()
        assert kinds == ["new", "overdue", "overdue", "overdue", "overdue"]


def test_notices_go_to_the_right_people_by_level(runtime, clock, case_id):
    with runtime.db.transaction() as session:
        batches = {b.user.email: b for b in plan(session)}
        assert set(batches) == {"clerk@example.org", "lead@example.org"}
        case = session.get_one(Escalation, case_id)
        clock.set(case.due_at)
        climb_overdue(session, clock())
        climb_overdue(session, clock() + timedelta(days=1))
        batches = {b.user.email: b for b in plan(session)}
        assert batches["admin@example.org"].overdue == {case_id}
        assert batches["lead@example.org"].overdue == {case_id}


def test_notices_are_batched_emails_with_a_link_and_no_student_data(runtime, clock, case_id):
    with runtime.db.transaction() as session:
        add_family(session, student_id="S1002", first_name="Mateo", phone="+15035550143")
        open_escalation(
            session, reason="safety", priority="urgent", now=clock(), student_id="S1002"
        )
    with smtp_double() as (port, mailbox):
        settings = runtime.settings.__class__(
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_starttls=False,
            smtp_from="outreach@example.org",
            public_base_url="https://outreach.example.org",
        )
        catalog = StaffCatalog(ROOT / "locales")
        with runtime.db.transaction() as session:
            assert send_notices(session, settings, runtime.quiet_hours, catalog, clock()) == 2
        with runtime.db.transaction() as session:
            open_escalation(session, reason="no_reply", now=clock(), student_id="S1002")
            # Inside the batch interval nothing more goes out; the new notice waits.
            assert send_notices(session, settings, runtime.quiet_hours, catalog, clock()) == 0
    assert sorted(to[0] for to, _ in mailbox.messages) == ["clerk@example.org", "lead@example.org"]
    email = message_from_string(mailbox.messages[0][1], policy=default)
    body = email.get_content()
    assert email["Subject"] == "Attendance outreach: 2 new, 0 overdue"
    assert "https://outreach.example.org/staff/" in body
    for private in ("Ana", "Mateo", "Testperson", "+1503", "S1001", "safety"):
        assert private not in body and private not in email["Subject"]


def test_a_failed_email_is_retried_in_the_next_batch(runtime, clock, case_id):
    with smtp_double() as (port, mailbox):
        mailbox.fail = True
        settings = runtime.settings.__class__(
            smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False
        )
        catalog = StaffCatalog(ROOT / "locales")
        with runtime.db.transaction() as session:
            assert send_notices(session, settings, runtime.quiet_hours, catalog, clock()) == 0
            assert session.scalars(select(StaffNotice.sent_at)).all() == [None]
        mailbox.fail = False
        with runtime.db.transaction() as session:
            assert send_notices(session, settings, runtime.quiet_hours, catalog, clock()) == 2
        assert len(mailbox.messages) == 2


def test_staff_can_be_told_by_text_in_their_language_through_the_tick(runtime, clock, case_id):
    with runtime.db.transaction() as session:
        lead = _user(session, "lead@example.org")
        lead.phone, lead.notify_by, lead.language = "+15035550190", "text", "es"
    assert jobs.tick()["staff_notified"] == 2
    with runtime.db.transaction() as session:
        text = session.scalars(select(Message).where(Message.purpose == "staff_notification")).one()
        assert text.phone == "+15035550190" and text.language == "es"
        assert text.body == "Casos pendientes: nuevos 1, atrasados 0. Abra la lista: /staff/"
        assert session.get_one(Escalation, case_id).notified_at == clock()


def test_takeover_holds_and_releases_a_phone(runtime, clock, case_id):
    with runtime.db.transaction() as session:
        clerk = _user(session, "clerk@example.org")
        assert takeover.held_by(session, "+15035550142") is None
        message = takeover.text_family(
            session,
            phone="+15035550142",
            body="Hola, soy la escuela.",
            language="es",
            user_id=clerk.id,
            now=clock(),
            quiet=runtime.quiet_hours,
        )
        assert (message.status, message.purpose, message.origin) == (
            "pending",
            "staff_reply",
            "district",
        )
        assert takeover.held_by(session, "+15035550142") == clerk.id
        takeover.release(session, "+15035550142", clock())
        assert takeover.held_by(session, "+15035550142") is None


def test_quick_replies_come_in_the_family_language_or_say_they_are_english(runtime):
    texts = load_quick_replies(ROOT / "flows")
    assert texts, "flows/quick_replies.yaml has quick replies"
    context = {"first_name": "Ana", "school_name": "Lincoln Elementary", "days_missed": 9}
    english = render_quick_replies(texts, "en", context, runtime.catalogs)
    assert all(reply.translated and reply.language == "en" for reply in english)
    assert not any("9" in reply.body for reply in english)
    for reply in render_quick_replies(texts, "es-MX", context, runtime.catalogs):
        assert reply.language == ("es" if reply.translated else "en")


def test_a_quick_reply_with_an_unknown_placeholder_is_refused(tmp_path):
    (tmp_path / "quick_replies.yaml").write_text(
        "spec_version: 1\nmessages:\n  bad: 'Ana has {days_missed} absences'\n"
    )
    with pytest.raises(FlowError, match="days_missed"):
        load_quick_replies(tmp_path)
