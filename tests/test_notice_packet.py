"""The referral packet for a review board: the notices sent and every contact attempt, as a PDF."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

from pypdf import PdfReader
from sqlalchemy import delete

from outreach_bot.models import AttendanceRecord, AttendanceSummary, ContactAttempt
from outreach_bot.notices.packet import ContactMade, NoticeSent, Packet, packet_for, packet_pdf
from tests.notice_rows import YEAR, add_notice
from tests.staff_helpers import two_schools

NOW = datetime(2026, 11, 2, 16, 0, tzinfo=UTC)


def _text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def test_the_packet_lists_each_notice_and_each_contact_attempt():
    packet = Packet(
        student_name="Ana Testperson",
        student_id="S1001",
        school_name="Lincoln Elementary",
        school_year="2026-27",
        notices=[
            NoticeSent(
                "first", date(2026, 10, 20), datetime(2026, 10, 21, 17, 5, tzinfo=UTC), "es"
            ),
            NoticeSent("second", date(2026, 11, 18), None, "es"),
        ],
        contacts=[
            ContactMade(
                datetime(2026, 10, 22, 16, 0, tzinfo=UTC), "Ms. Rivera", "call", "no_answer", ""
            ),
            ContactMade(
                datetime(2026, 10, 23, 17, 30, tzinfo=UTC),
                "Ms. Rivera",
                "home_visit",
                "reached",
                "Bus pass arranged; mother asked for a meeting.",
            ),
        ],
        prepared_on=date(2026, 12, 1),
        district_name="Riverside Unified School District",
        timezone="America/Los_Angeles",
    )
    text = _text(packet_pdf(packet))
    assert "Referral packet for the School Attendance Review Board" in text
    assert "Ana Testperson (ID S1001)" in text and "2026-27" in text and "2026-12-01" in text
    assert "Notices sent (2)" in text
    assert "First notice 2026-10-20 2026-10-21 10:05 PDT Spanish" in text
    assert "Second notice 2026-11-18 Not mailed yet Spanish" in text
    assert "Contact attempts (2; the family was reached 1 time)" in text
    assert "2026-10-22 09:00 PDT Ms. Rivera call no answer" in text
    assert "home visit reached Bus pass arranged; mother asked for a meeting." in text


def test_an_empty_record_says_so_rather_than_showing_an_empty_table():
    packet = Packet(
        "Ana Testperson", "S1001", "Lincoln Elementary", "2026-27", [], [], date(2026, 12, 1)
    )
    text = _text(packet_pdf(packet))
    assert "No notice was sent this school year." in text
    assert "No contact attempt is recorded this school year." in text
    assert "reached 0 times" in text


def test_packet_for_reads_the_school_years_notices_and_attempts(runtime):
    with runtime.db.transaction() as session:
        cases = two_schools(session, NOW)
        add_notice(session, "S1001", "second", date(2026, 11, 18))
        add_notice(
            session,
            "S1001",
            "first",
            date(2026, 10, 20),
            mailed_at=datetime(2026, 10, 21, 17, 5, tzinfo=UTC),
        )
        add_notice(session, "S2001", "first", date(2026, 10, 20))  # another student
        for when, outcome in (
            (datetime(2026, 6, 30, 16, 0, tzinfo=UTC), "reached"),  # last school year
            (datetime(2026, 10, 23, 17, 30, tzinfo=UTC), "reached"),
            (datetime(2026, 10, 22, 16, 0, tzinfo=UTC), "no_answer"),
        ):
            session.add(
                ContactAttempt(
                    escalation_id=cases["LIN"],
                    method="call",
                    outcome=outcome,
                    note="Called the mother.",
                    staff="Ms. Rivera",
                    attempted_at=when,
                )
            )
        session.add(
            ContactAttempt(
                escalation_id=cases["OAK"],
                method="text",
                outcome="reached",
                staff=None,
                attempted_at=datetime(2026, 10, 22, tzinfo=UTC),
            )
        )
    with runtime.db.transaction() as session:
        packet = packet_for(session, "S1001", YEAR, date(2026, 12, 1), "Riverside Unified")
    assert (packet.student_name, packet.school_name, packet.school_year) == (
        "Ana Testperson",
        "Lincoln Elementary",
        "2026-27",
    )
    assert [(n.stage, n.issued_on) for n in packet.notices] == [
        ("first", date(2026, 10, 20)),
        ("second", date(2026, 11, 18)),
    ]
    assert packet.notices[0].mailed_at == datetime(2026, 10, 21, 17, 5, tzinfo=UTC)
    assert [(c.when.date(), c.outcome, c.staff_name) for c in packet.contacts] == [
        (date(2026, 10, 22), "no_answer", "Ms. Rivera"),
        (date(2026, 10, 23), "reached", "Ms. Rivera"),
    ]
    assert packet.reached == 1


def test_the_packet_says_whether_the_student_is_a_chronic_truant(runtime):
    with runtime.db.transaction() as session:
        two_schools(session, NOW)
        for day, status in (
            (date(2026, 9, 8), "unexcused"),
            (date(2026, 9, 9), "unexcused"),
            (date(2026, 9, 10), "excused"),
            (date(2025, 9, 9), "unexcused"),
        ):
            session.add(AttendanceRecord(student_id="S1001", date=day, status=status))
        summary = session.get_one(AttendanceSummary, "S1001")  # the last scan's
        summary.as_of, summary.instructional_days = date(2026, 10, 30), 20
        session.execute(delete(AttendanceSummary).where(AttendanceSummary.student_id == "S2001"))
    with runtime.db.transaction() as session:
        packet = packet_for(session, "S1001", YEAR, date(2026, 12, 1))
        none_yet = packet_for(session, "S2001", YEAR, date(2026, 12, 1))
    assert packet.chronic_truancy is not None
    # Two unexcused days this school year (not the excused one, not last year's) of 20: 10%.
    assert (packet.chronic_truancy.unexcused_days, packet.chronic_truancy.school_days) == (2, 20)
    text = _text(packet_pdf(packet))
    assert "2 full days absent without a valid excuse, of 20 school days" in text
    assert "(10.0%)" in text and "A chronic truant under Education Code 48263.6" in text
    assert none_yet.chronic_truancy is None
    assert "No scan has counted" in _text(packet_pdf(none_yet))
