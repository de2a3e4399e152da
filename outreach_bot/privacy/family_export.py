"""Everything kept about one family phone, for a family that asks for its data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import Session

from outreach_bot.models import (
    AttendanceSummary,
    BarrierReport,
    ContactAttempt,
    Conversation,
    Escalation,
    Guardian,
    Message,
    Notice,
    PhoneNumber,
    Student,
)

# Staff's own bookkeeping on a row, not data about the family.
LEFT_OUT = frozenset(
    {"raw", "held_by_user_id", "assigned_to_id", "closed_by_id", "user_id", "mailed_by"}
)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def _row(row: Any) -> dict[str, Any]:
    """A row's columns as JSON-ready values."""
    return {
        column.key: _plain(getattr(row, column.key))
        for column in inspect(row).mapper.column_attrs
        if column.key not in LEFT_OUT
    }


def export_family(session: Session, phone: str) -> dict[str, Any]:
    """The phone's guardians, their students and summaries, texts, conversations, barriers,
    cases and contact attempts, the students' truancy notices, and its opt-out state."""
    guardians = list(session.scalars(select(Guardian).where(Guardian.phone == phone)))
    student_ids = sorted({g.student_id for g in guardians})
    guardian_ids = [g.id for g in guardians]
    cases = list(
        session.scalars(
            select(Escalation)
            .where(or_(Escalation.phone == phone, Escalation.guardian_id.in_(guardian_ids)))
            .order_by(Escalation.id)
        )
    )
    number = session.get(PhoneNumber, phone)
    return {
        "phone": phone,
        "phone_status": _row(number) if number is not None else None,
        "guardians": [_row(g) for g in guardians],
        "students": [
            _row(s) for s in session.scalars(select(Student).where(Student.id.in_(student_ids)))
        ],
        "attendance_summaries": [
            _row(s)
            for s in session.scalars(
                select(AttendanceSummary).where(AttendanceSummary.student_id.in_(student_ids))
            )
        ],
        "texts": [
            _row(m)
            for m in session.scalars(
                select(Message).where(Message.phone == phone).order_by(Message.id)
            )
        ],
        "conversations": [
            _row(c)
            for c in session.scalars(
                select(Conversation).where(Conversation.phone == phone).order_by(Conversation.id)
            )
        ],
        "barriers": [
            _row(b)
            for b in session.scalars(
                select(BarrierReport)
                .where(BarrierReport.guardian_id.in_(guardian_ids))
                .order_by(BarrierReport.id)
            )
        ],
        "cases": [_row(c) for c in cases],
        "contact_attempts": [
            _row(a)
            for a in session.scalars(
                select(ContactAttempt)
                .where(ContactAttempt.escalation_id.in_([c.id for c in cases]))
                .order_by(ContactAttempt.id)
            )
        ],
        "notices": [
            _row(n)
            for n in session.scalars(
                select(Notice).where(Notice.student_id.in_(student_ids)).order_by(Notice.id)
            )
        ],
    }
