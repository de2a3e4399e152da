"""Districts for the Reports page and the public page: synthetic schools, students and staff."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from outreach_bot.models import (
    AttendanceRecord,
    CalendarDay,
    Guardian,
    Message,
    School,
    Student,
)
from tests.report_district import build_district, school_days
from tests.staff_helpers import add_user

# The Monday after the report district's last school day with attendance (2026-11-06).
AFTER_LAST_DAY = datetime(2026, 11, 9, 17, 0, tzinfo=UTC)


def reports_district(session: Session) -> None:
    """tests/report_district.py's Maple and Oak, a district admin, an Oak clerk, and one text
    delivered to a family at each school (m5's in English, o2's in Spanish) on 2026-10-20."""
    build_district(session)
    for number, (student_id, language) in enumerate((("m5", "en"), ("o2", "es")), start=1):
        phone = f"+1503555017{number}"
        session.add(
            Guardian(
                id=number,
                student_id=student_id,
                name="Pat Testperson",
                phone=phone,
                language=language,
            )
        )
        session.flush()
        session.add(
            Message(
                direction="outbound",
                phone=phone,
                guardian_id=number,
                body="Hi from school.",
                language=language,
                purpose="flow:missed_you",
                status="delivered",
                created_at=datetime(2026, 10, 20, 18, tzinfo=UTC),
                provider_sid=f"SM{number:032d}",
            )
        )
    add_user(session, "admin@example.org", role="district_admin", schools=())
    add_user(session, "oak@example.org", schools=("oak",))


def sized_school(session: Session, school_id: str, name: str, grades: dict[str, int]) -> None:
    """A school with `grades` {grade: students}; in each grade the first two students have
    missed 3 of its 29 school days (chronically absent), the others none."""
    session.add(School(id=school_id, name=name, zip="90003"))
    session.flush()
    session.add_all(
        CalendarDay(school_id=school_id, date=day, instructional=True) for day in school_days()
    )
    for grade, size in grades.items():
        for number in range(size):
            student_id = f"{school_id}-{grade}-{number}"
            session.add(
                Student(
                    id=student_id,
                    first_name=f"Kid{number}",
                    last_name="Testperson",
                    school_id=school_id,
                    grade=grade,
                    entry_date=school_days()[0],
                )
            )
            session.flush()
            absent = ("10-05", "10-06", "10-07") if number < 2 else ()
            session.add_all(
                AttendanceRecord(
                    student_id=student_id, date=date.fromisoformat(f"2026-{day}"), status="absent"
                )
                for day in absent
            )
            # A present mark on the last day shows the export reaches it.
            session.add(
                AttendanceRecord(student_id=student_id, date=date(2026, 11, 6), status="present")
            )
    session.flush()
