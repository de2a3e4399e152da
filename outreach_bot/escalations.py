"""Escalations: open a case for a person to reach the family, and climb it when it is late."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.models import Escalation, StaffNotice, Student
from outreach_bot.staff import district_settings

# How long a new case may wait before it re-notifies and climbs, by priority, until a district
# admin changes it on the District settings page (which then wins; see open_escalation).
RESPONSE_TIME = {
    priority: timedelta(hours=hours)
    for priority, hours in district_settings.DEFAULT_RESPONSE_HOURS.items()
}
# Who a case is with: the school's clerks, then its school lead, then the district.
LEVELS = ("school", "school_lead", "district")
CLIMB_AFTER = timedelta(hours=24)


def open_escalation(
    session: Session,
    *,
    reason: str,
    now: datetime,
    priority: str = "normal",
    student_id: str | None = None,
    guardian_id: int | None = None,
    conversation_id: int | None = None,
    phone: str | None = None,
) -> Escalation:
    """Open a case, or return the open one for the same student and reason (never two at once).

    Its first deadline is the district's response time for its priority (District settings,
    else RESPONSE_TIME).
    """
    if priority not in RESPONSE_TIME:
        raise ValueError(f"unknown priority {priority!r}; expected one of {sorted(RESPONSE_TIME)}")
    existing = session.scalars(
        select(Escalation).where(
            Escalation.status == "open",
            Escalation.reason == reason,
            Escalation.student_id == student_id if student_id else Escalation.phone == phone,
        )
    ).first()
    if existing is not None:
        return existing
    school_id = session.get(Student, student_id).school_id if student_id else None  # type: ignore[union-attr]
    escalation = Escalation(
        student_id=student_id,
        guardian_id=guardian_id,
        conversation_id=conversation_id,
        school_id=school_id,
        phone=phone,
        reason=reason,
        priority=priority,
        status="open",
        level="school",
        due_at=now + district_settings.response_time(session, priority),
        created_at=now,
    )
    session.add(escalation)
    session.flush()
    session.add(
        StaffNotice(escalation_id=escalation.id, kind="new", level="school", created_at=now)
    )
    return escalation


def climb_overdue(
    session: Session, now: datetime, climb_after: timedelta = CLIMB_AFTER
) -> list[Escalation]:
    """Move every open case past its deadline up a level and queue a notice: none goes quiet.

    School -> school lead -> district; at the district a late case re-notifies every
    `climb_after` (ESCALATION_CLIMB_HOURS) until someone records contact.
    """
    overdue = session.scalars(
        select(Escalation).where(Escalation.status == "open", Escalation.due_at <= now)
    ).all()
    for escalation in overdue:
        position = LEVELS.index(escalation.level) if escalation.level in LEVELS else 0
        escalation.level = LEVELS[min(position + 1, len(LEVELS) - 1)]
        escalation.due_at = now + climb_after
        session.add(
            StaffNotice(
                escalation_id=escalation.id, kind="overdue", level=escalation.level, created_at=now
            )
        )
    return list(overdue)


def list_open(session: Session) -> list[Escalation]:
    """Open cases, most urgent and most overdue first."""
    rank = {name: index for index, name in enumerate(reversed(tuple(RESPONSE_TIME)))}
    cases = session.scalars(select(Escalation).where(Escalation.status == "open")).all()
    return sorted(cases, key=lambda case: (-rank.get(case.priority, 0), case.due_at))
