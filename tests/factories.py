"""Synthetic districts for tests: fictional people, fictional 555-01xx phone numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from outreach_bot import jobs
from outreach_bot.channels.console import ConsoleChannel
from outreach_bot.messaging.outbox import Origin, deliver, queue_text
from outreach_bot.models import (
    AttendanceRecord,
    AttendanceSummary,
    CalendarDay,
    Guardian,
    Resource,
    School,
    Student,
)
from outreach_bot.runtime import Runtime

LINCOLN = "LIN"


def add_school(
    session: Session,
    school_id: str = LINCOLN,
    name: str = "Lincoln Elementary",
    zip_code: str = "97201",
    phone: str | None = "+15035550100",
) -> School:
    """A school."""
    school = School(id=school_id, name=name, zip=zip_code, phone=phone)
    session.add(school)
    session.flush()
    return school


def add_family(
    session: Session,
    *,
    student_id: str = "S1001",
    first_name: str = "Ana",
    school_id: str = LINCOLN,
    phone: str = "+15035550142",
    language: str = "en",
    absences: int = 3,
    consent: bool = True,
) -> Guardian:
    """A student, their scan summary, and one guardian."""
    session.add(
        Student(
            id=student_id,
            first_name=first_name,
            last_name="Testperson",
            school_id=school_id,
            grade="3",
            zip="97201",
        )
    )
    session.flush()
    session.add(
        AttendanceSummary(
            student_id=student_id,
            as_of=date(2026, 10, 14),
            instructional_days=30,
            absences=absences,
            consecutive_absences=1,
            absent_today=True,
            band="at_risk",
            scanned_at=datetime(2026, 10, 14, 22, 0, tzinfo=UTC),
        )
    )
    guardian = Guardian(
        student_id=student_id,
        name="Pat Testperson",
        phone=phone,
        language=language,
        sms_consent=consent,
    )
    session.add(guardian)
    session.flush()
    return guardian


def add_resources(session: Session, school_id: str = LINCOLN) -> None:
    """A resource sheet: a school bus pass office, a district clinic, a food bank by zip."""
    session.add_all(
        [
            Resource(
                id="R1",
                barrier="transportation",
                name="Lincoln bus pass desk",
                phone="+15035550111",
                school_id=school_id,
                languages="en,es",
            ),
            Resource(
                id="R2",
                barrier="health",
                name="Valley Family Clinic",
                phone="+15035550112",
                url="https://clinic.example.org",
                languages="en,es,vi",
            ),
            Resource(
                id="R3",
                barrier="food",
                name="Eastside Food Pantry",
                phone="+15035550113",
                zip="97201",
                languages="en",
            ),
            Resource(
                id="R4",
                barrier="transportation",
                name="Other school's van",
                phone="+15035550114",
                school_id="OTHER",
            ),
        ]
    )
    session.flush()


def add_school_days(session: Session, days: list[date], school_id: str = LINCOLN) -> None:
    """Mark these dates instructional on the school's calendar."""
    session.add_all(CalendarDay(school_id=school_id, date=day, instructional=True) for day in days)
    session.flush()


def add_attendance(session: Session, student_id: str, statuses: dict[date, str]) -> None:
    """Attendance rows for one student."""
    session.add_all(
        AttendanceRecord(student_id=student_id, date=day, status=status)
        for day, status in statuses.items()
    )
    session.flush()


def start_missed_you(runtime: Runtime, *phones: str, language: str = "en") -> None:
    """Lincoln, its resource sheets, and a family on each phone with missed_you started and its
    first texts relayed. The first family is add_family's Ana (S1001); the others S1002 on."""
    with runtime.db.transaction() as session:
        add_school(session)
        add_resources(session)
        for number, phone in enumerate(phones):
            student = (
                {} if number == 0 else {"student_id": f"S{1001 + number}", "first_name": "Kid"}
            )
            guardian = add_family(session, phone=phone, language=language, **student)
            started = runtime.conversations.start(
                session, flow_name="missed_you", guardian=guardian, now=runtime.clock()
            )
            assert started is not None
    jobs.relay_outbox()


def queue_nudge(
    runtime: Runtime,
    phone: str,
    body: str = "Hi from Lincoln Elementary.",
    origin: Origin = "district",
) -> int:
    """A text in the outbox (the district's, unless `origin` says reply), not relayed; its id."""
    with runtime.db.transaction() as session:
        return queue_text(
            session,
            phone=phone,
            body=body,
            language="en",
            origin=origin,
            purpose="nudge",
            now=runtime.clock(),
            quiet=runtime.quiet_hours,
        ).id


def deliver_now(runtime: Runtime, channel: ConsoleChannel, message_id: int) -> str:
    """Run the send job's work for one row through `channel`, at the runtime's clock."""
    return deliver(
        runtime.db,
        channel,
        message_id,
        now=runtime.clock(),
        quiet=runtime.quiet_hours,
        status_callback_url=None,
        max_attempts=3,
    )
