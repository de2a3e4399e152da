"""The queue and a case page: what staff see, what they do, in English and Spanish."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from sqlalchemy import select

from outreach_bot.escalations import open_escalation
from outreach_bot.models import (
    AuditEvent,
    BarrierReport,
    ContactAttempt,
    Escalation,
    Guardian,
    Message,
    PhoneNumber,
    User,
)
from outreach_bot.staff import takeover
from tests.factories import add_attendance, add_school_days
from tests.staff_helpers import post, sign_in, two_schools

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cases(runtime, clock) -> dict[str, int]:
    """A case at Lincoln and one at Oak, with a Spanish-speaking family at Lincoln."""
    with runtime.db.transaction() as session:
        return two_schools(session, clock())


def _case(runtime, case_id: int) -> Escalation:
    with runtime.db.transaction() as session:
        return session.get_one(Escalation, case_id)


def test_the_queue_is_by_priority_then_due_time_with_counts(runtime, client, clock, cases):
    with runtime.db.transaction() as session:
        urgent = open_escalation(
            session, reason="safety", priority="urgent", now=clock(), student_id="S1001"
        ).id
        session.get_one(Escalation, cases["LIN"]).due_at = clock() - timedelta(hours=1)
    sign_in(client, "admin@example.org")
    page = client.get("/staff/").get_data(as_text=True)
    positions = [
        page.index(f'/staff/cases/{case_id}"') for case_id in (urgent, cases["OAK"], cases["LIN"])
    ]
    assert positions == sorted(positions)
    assert "<strong>3</strong> open" in page and "<strong>1</strong> overdue" in page
    assert "<strong>3</strong> unclaimed" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("school=OAK", {"OAK"}),
        ("reason=no_reply", {"LIN"}),
        ("barrier=transportation", {"OAK"}),
        ("language=es", {"LIN"}),
        ("overdue=1", set()),
        ("mine=1", {"LIN"}),
    ],
)
def test_queue_filters(runtime, client, clock, cases, query, expected):
    with runtime.db.transaction() as session:
        session.add(
            BarrierReport(student_id="S2001", barrier="transportation", reported_at=clock())
        )
        admin = session.scalar(select(User.id).where(User.email == "admin@example.org"))
        session.get_one(Escalation, cases["LIN"]).assigned_to_id = admin
    sign_in(client, "admin@example.org")
    page = client.get(f"/staff/?{query}").get_data(as_text=True)
    shown = {school for school, case_id in cases.items() if f'/staff/cases/{case_id}"' in page}
    assert shown == expected


def test_a_case_shows_the_student_family_conversation_and_help_sent(runtime, client, clock, cases):
    days = [date(2026, 10, 1) + timedelta(days=n) for n in range(14)]
    with runtime.db.transaction() as session:
        add_school_days(session, days)
        add_attendance(session, "S1001", {days[-1]: "absent", days[-2]: "excused"})
        guardian = session.scalars(select(Guardian).where(Guardian.student_id == "S1001")).one()
        session.add(
            Guardian(
                student_id="S1001", name="Samira Testperson", phone="+15035550144", language="ar"
            )
        )
        session.add(PhoneNumber(phone="+15035550144", opted_out_at=clock()))
        session.add(
            BarrierReport(student_id="S1001", barrier="transportation", reported_at=clock())
        )
        for direction, body, language, purpose in [
            ("outbound", "Hola, le escribe Lincoln Elementary.", "es", "flow:missed_you"),
            ("inbound", "el autobus", "es", None),
            ("outbound", "Aqui hay ayuda cerca de usted:", "es", "resources:transportation"),
            ("inbound", "شكرا", "ar", None),
        ]:
            session.add(
                Message(
                    direction=direction,
                    phone=guardian.phone if language == "es" else "+15035550144",
                    body=body,
                    language=language,
                    purpose=purpose,
                    status="delivered",
                    created_at=clock(),
                )
            )
    sign_in(client, "clerk@example.org")
    page = client.get(f"/staff/cases/{cases['LIN']}").get_data(as_text=True)
    assert "Ana Testperson" in page and "Lincoln Elementary" in page and "At risk" in page
    assert "3 of 30 school days" in page
    assert page.count('class="day ') == 14 and "2026-10-14: Absent" in page
    assert "2026-10-13: Excused absence" in page
    assert "Spanish (es)" in page and "Opted out (STOP)" in page
    assert '<p class="body" lang="es" dir="ltr">el autobus</p>' in page
    assert '<p class="body" lang="ar" dir="rtl">شكرا</p>' in page
    assert "Getting to school" in page  # the barrier and the sheet sent for it


def test_every_view_of_a_student_record_is_audited(runtime, client, cases):
    sign_in(client, "clerk@example.org")
    client.get(f"/staff/cases/{cases['LIN']}")
    client.get("/staff/students/S1001")
    with runtime.db.transaction() as session:
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.target_type, AuditEvent.target_id)
            .where(AuditEvent.action.in_(["viewed_case", "viewed_student"]))
            .order_by(AuditEvent.id)
        ).all()
    assert [tuple(row) for row in rows] == [
        ("viewed_case", "case", str(cases["LIN"])),
        ("viewed_student", "student", "S1001"),
        ("viewed_student", "student", "S1001"),
    ]


def test_an_admin_reads_and_exports_the_audit_log(client, cases):
    sign_in(client, "clerk@example.org")
    client.get(f"/staff/cases/{cases['LIN']}")
    post(client, f"/staff/cases/{cases['LIN']}/claim")
    sign_in(client, "admin@example.org")
    assert "claimed_case" in client.get("/staff/admin/audit").get_data(as_text=True)
    export = client.get("/staff/admin/audit.csv")
    assert export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    claimed = next(row for row in rows if row["action"] == "claimed_case")
    assert claimed["user_email"] == "clerk@example.org" and claimed["target_id"] == str(
        cases["LIN"]
    )
    assert "+1503" not in export.get_data(as_text=True)


def test_logging_attempts_until_contact_is_made(runtime, client, clock, cases):
    sign_in(client, "clerk@example.org")
    case_id = cases["LIN"]
    post(client, f"/staff/cases/{case_id}/claim")
    response = post(
        client,
        f"/staff/cases/{case_id}/attempts",
        method="call",
        outcome="no_answer",
        note="no voicemail",
        follow_up_at="2026-10-15T09:00",
    )
    assert response.status_code == 302
    case = _case(runtime, case_id)
    assert case.status == "open" and case.next_follow_up_at.isoformat() == (
        "2026-10-15T16:00:00+00:00"
    )
    post(
        client,
        f"/staff/cases/{case_id}/attempts",
        method="call",
        outcome="reached",
        case_outcome="returning",
    )
    case = _case(runtime, case_id)
    assert (case.status, case.outcome) == ("closed", "returning")
    page = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "No answer" in page and "no voicemail" in page and "Student is coming back" in page


def test_a_bad_attempt_is_explained_not_saved(runtime, client, cases):
    sign_in(client, "clerk@example.org")
    response = post(
        client,
        f"/staff/cases/{cases['LIN']}/attempts",
        method="call",
        outcome="no_answer",
        follow_up_at="2020-01-01T09:00",
    )
    page = client.get(response.location).get_data(as_text=True)
    assert "must be in the future" in page
    with runtime.db.transaction() as session:
        assert session.scalars(select(ContactAttempt)).all() == []


def test_a_quick_reply_goes_out_in_the_familys_language_and_the_bot_steps_back(
    runtime, client, cases
):
    sign_in(client, "clerk@example.org")
    response = post(
        client, f"/staff/cases/{cases['LIN']}/texts", phone="+15035550142", quick_reply="will_call"
    )
    assert response.status_code == 302
    with runtime.db.transaction() as session:
        text = session.scalars(select(Message).where(Message.purpose == "staff_reply")).one()
        assert text.status == "sent" and "Lincoln Elementary" in text.body
        translated = runtime.catalogs.get("es").gettext(
            "Hi, this is {school_name}. Thank you for your message. Someone from the school "
            "will call you today."
        )
        assert text.language == ("en" if translated.startswith("Hi,") else "es")
        assert takeover.held_by(session, "+15035550142") is not None
    post(client, f"/staff/cases/{cases['LIN']}/release", phone="+15035550142")
    with runtime.db.transaction() as session:
        assert takeover.held_by(session, "+15035550142") is None


def test_free_text_is_sent_as_written_with_the_familys_language(runtime, client, cases):
    sign_in(client, "clerk@example.org")
    post(
        client,
        f"/staff/cases/{cases['LIN']}/texts",
        phone="+15035550142",
        body="Hola, ¿le podemos llamar hoy?",
        language="es",
    )
    with runtime.db.transaction() as session:
        text = session.scalars(select(Message).where(Message.purpose == "staff_reply")).one()
        assert (text.body, text.language) == ("Hola, ¿le podemos llamar hoy?", "es")


def test_an_opted_out_family_cannot_be_texted_from_the_case(runtime, client, clock, cases):
    with runtime.db.transaction() as session:
        session.add(PhoneNumber(phone="+15035550142", opted_out_at=clock()))
    sign_in(client, "clerk@example.org")
    post(client, f"/staff/cases/{cases['LIN']}/texts", phone="+15035550142", body="hola")
    with runtime.db.transaction() as session:
        assert session.scalars(select(Message)).all() == []


def test_the_dashboard_speaks_spanish_to_staff_who_prefer_it(runtime, client, cases):
    sign_in(client, "clerk@example.org")
    post(client, "/staff/preferences", language="es", notify_by="email", phone="")
    page = client.get("/staff/").get_data(as_text=True)
    assert '<html lang="es">' in page and "Lista de casos" in page and "Sin respuesta" in page
    case_page = client.get(f"/staff/cases/{cases['LIN']}").get_data(as_text=True)
    assert "Intentos de contacto" in case_page and "español (es)" in case_page


def test_the_sign_in_page_follows_the_browser_language(client, cases):
    page = client.get("/staff/login", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert "Iniciar sesión" in page.get_data(as_text=True)


def test_every_dashboard_string_is_translated():
    found = extract_from_dir(
        ROOT,
        method_map=[
            ("outreach_bot/web/**.py", "python"),
            ("outreach_bot/staff/**.py", "python"),
            ("outreach_bot/web/templates/**.html", "jinja2"),
        ],
        options_map={"outreach_bot/web/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "t": None, "N_": None},
    )
    msgids = {message for _, _, message, _, _ in found}
    for path in sorted((ROOT / "locales").glob("*/LC_MESSAGES/dashboard.po")):
        with path.open("rb") as handle:
            catalog = {m.id: m for m in read_po(handle) if m.id and m.string and not m.fuzzy}
        assert sorted(msgids - set(catalog)) == [], f"untranslated in {path}"
