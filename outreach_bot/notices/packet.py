"""The referral packet for a School Attendance Review Board (SARB): the notices a student's
family was sent and every attempt staff made to reach them, as one PDF.

Education Code 48262 asks for a conscientious effort to hold at least one conference with the
family before a student is a habitual truant; a review board asks to see it. The packet is for
staff and the board, so it is in English, like the other report files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session
from weasyprint import HTML

from outreach_bot.attendance.metrics import school_year_start as school_year_start_of
from outreach_bot.i18n.languages import language_name
from outreach_bot.models import (
    AttendanceRecord,
    AttendanceSummary,
    ContactAttempt,
    Escalation,
    Notice,
    Student,
    User,
)
from outreach_bot.notices.counters import (
    UNEXCUSED_DAYS,
    AttendanceRow,
    ChronicTruancy,
    count_truancy,
)

_TEMPLATES = Environment(
    loader=PackageLoader("outreach_bot.notices", "templates"),
    autoescape=select_autoescape(["html"]),
)
_TEMPLATES.filters["language"] = language_name
_TEMPLATES.filters["words"] = lambda value: str(value).replace("_", " ")


class NoticeSent(NamedTuple):
    """A notice in the packet: which stage, when it was issued and mailed, in which language."""

    stage: str
    issued_on: date
    mailed_at: datetime | None
    language: str


class ContactMade(NamedTuple):
    """One attempt by staff to reach the family."""

    when: datetime
    staff_name: str
    channel: str
    outcome: str
    note: str


@dataclass(frozen=True)
class Packet:
    """What a review board reads about one student's school year."""

    student_name: str
    student_id: str
    school_name: str
    school_year: str  # "2026-27"
    notices: list[NoticeSent]
    contacts: list[ContactMade]
    prepared_on: date
    district_name: str = ""
    timezone: str = "UTC"  # the district's, for the times of mailing and contact
    # Unexcused days over school days enrolled, as of the last scan (48263.6); None before any.
    chronic_truancy: ChronicTruancy | None = None

    def local(self, moment: datetime) -> str:
        """A moment as the district's clocks showed it ("2026-10-22 09:00 PDT")."""
        return moment.astimezone(ZoneInfo(self.timezone)).strftime("%Y-%m-%d %H:%M %Z")

    @property
    def reached(self) -> int:
        """How many attempts reached the family."""
        return sum(contact.outcome == "reached" for contact in self.contacts)


def school_year_label(start: date) -> str:
    """'2026-27' for the school year starting on 2026-07-01."""
    return f"{start.year}-{(start.year + 1) % 100:02d}"


def packet_for(
    session: Session,
    student_id: str,
    school_year_start: date,
    prepared_on: date,
    district_name: str = "",
    timezone: str = "UTC",
) -> Packet:
    """The packet for a student's school year, from the notices and contact attempts on file."""
    student = session.get_one(Student, student_id)
    notices = session.scalars(
        select(Notice)
        .where(Notice.student_id == student_id, Notice.school_year_start == school_year_start)
        .order_by(Notice.issued_on, Notice.id)
    )
    start = datetime(school_year_start.year, 7, 1, tzinfo=UTC)
    end = start.replace(year=start.year + 1)
    attempts = session.execute(
        select(ContactAttempt, User.email)
        .join(Escalation, Escalation.id == ContactAttempt.escalation_id)
        .outerjoin(User, User.id == ContactAttempt.user_id)
        .where(
            Escalation.student_id == student_id,
            ContactAttempt.attempted_at >= start,
            ContactAttempt.attempted_at < end,
        )
        .order_by(ContactAttempt.attempted_at, ContactAttempt.id)
    )
    contacts = [
        ContactMade(
            attempt.attempted_at,
            attempt.staff or email or "staff",
            attempt.method,
            attempt.outcome,
            attempt.note or "",
        )
        for attempt, email in attempts
    ]
    return Packet(
        chronic_truancy=_chronic_truancy(session, student_id, school_year_start),
        student_name=f"{student.first_name} {student.last_name}",
        student_id=student.id,
        school_name=student.school.name,
        school_year=school_year_label(school_year_start),
        notices=[NoticeSent(n.stage, n.issued_on, n.mailed_at, n.language) for n in notices],
        contacts=contacts,
        prepared_on=prepared_on,
        district_name=district_name,
        timezone=timezone,
    )


def _chronic_truancy(
    session: Session, student_id: str, school_year_start: date
) -> ChronicTruancy | None:
    """The student's unexcused full days over their school days enrolled, as of the last scan
    of that school year (its summary gives the school days); None when no scan counted them."""
    summary = session.get(AttendanceSummary, student_id)
    if summary is None or school_year_start_of(summary.as_of) != school_year_start:
        return None
    records = session.execute(
        select(AttendanceRecord.date, AttendanceRecord.status, AttendanceRecord.minutes_missed)
        .where(AttendanceRecord.student_id == student_id)
        .where(AttendanceRecord.date.between(school_year_start, summary.as_of))
    )
    truancy = count_truancy((AttendanceRow(*record) for record in records), summary.as_of)
    return ChronicTruancy(truancy.count(UNEXCUSED_DAYS), summary.instructional_days)


def packet_html(packet: Packet) -> str:
    """The packet as HTML, for WeasyPrint (and for reading in a browser)."""
    return _TEMPLATES.get_template("packet.html").render(packet=packet)


def packet_pdf(packet: Packet) -> bytes:
    """The packet as a PDF to print or send to the review board."""
    return bytes(HTML(string=packet_html(packet)).render().write_pdf())
