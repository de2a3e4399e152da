"""The escalation queue: open cases within a user's reach, filtered, most urgent first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session, aliased

from outreach_bot.models import BarrierReport, Escalation, Guardian, School, Student, User
from outreach_bot.staff.scope import Scope

QUEUE_LIMIT = 500
_RANK = case({"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=Escalation.priority, else_=4)


@dataclass(frozen=True)
class QueueFilters:
    """What a user narrowed the queue to; empty strings mean no filter."""

    school: str = ""
    reason: str = ""
    barrier: str = ""
    language: str = ""
    overdue: bool = False
    mine: bool = False


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue."""

    case: Escalation
    student: Student | None
    school: School | None
    guardian: Guardian | None
    assignee_email: str | None

    def overdue(self, now: datetime) -> bool:
        """True once the case is past its deadline."""
        return self.case.due_at <= now


@dataclass(frozen=True)
class QueueCounts:
    """The numbers at the top of the queue."""

    open: int
    overdue: int
    unclaimed: int
    mine: int


def list_queue(
    session: Session, scope: Scope, filters: QueueFilters, now: datetime
) -> list[QueueRow]:
    """Open cases within reach, narrowed by the filters, by priority and then due time."""
    query = (
        select(Escalation, Student, School, Guardian, User.email)
        .outerjoin(Student, Student.id == Escalation.student_id)
        .outerjoin(School, School.id == Escalation.school_id)
        .outerjoin(Guardian, Guardian.id == Escalation.guardian_id)
        .outerjoin(User, User.id == Escalation.assigned_to_id)
        .where(Escalation.status == "open", scope.where(Escalation.school_id))
        .order_by(_RANK, Escalation.due_at, Escalation.id)
        .limit(QUEUE_LIMIT)
    )
    if filters.school:
        query = query.where(Escalation.school_id == filters.school)
    if filters.reason:
        query = query.where(Escalation.reason == filters.reason)
    if filters.barrier:
        query = query.where(
            exists().where(
                BarrierReport.student_id == Escalation.student_id,
                BarrierReport.barrier == filters.barrier,
            )
        )
    if filters.language:
        speaker = aliased(Guardian)
        speaks = (speaker.language == filters.language) | speaker.language.startswith(
            filters.language + "-"
        )
        query = query.where(
            exists()
            .where(speaks)
            .where(
                (speaker.student_id == Escalation.student_id) | (speaker.phone == Escalation.phone)
            )
        )
    if filters.overdue:
        query = query.where(Escalation.due_at <= now)
    if filters.mine:
        query = query.where(Escalation.assigned_to_id == scope.user_id)
    return [QueueRow(*row) for row in session.execute(query)]


def count_queue(session: Session, scope: Scope, now: datetime) -> QueueCounts:
    """Open, overdue, unclaimed and mine, within reach."""
    row = session.execute(
        select(
            func.count(),
            func.count().filter(Escalation.due_at <= now),
            func.count().filter(Escalation.assigned_to_id.is_(None)),
            func.count().filter(Escalation.assigned_to_id == scope.user_id),
        ).where(Escalation.status == "open", scope.where(Escalation.school_id))
    ).one()
    return QueueCounts(*row)


def filter_choices(session: Session, scope: Scope) -> dict[str, list[str]]:
    """The values each filter offers: schools, reasons and languages within reach."""
    schools = session.scalars(
        select(School.id).where(scope.where(School.id)).order_by(School.name)
    ).all()
    reasons = session.scalars(
        select(Escalation.reason)
        .where(scope.where(Escalation.school_id))
        .distinct()
        .order_by(Escalation.reason)
    ).all()
    languages = session.scalars(
        select(Guardian.language)
        .join(Student, Student.id == Guardian.student_id)
        .where(scope.where(Student.school_id))
        .distinct()
        .order_by(Guardian.language)
    ).all()
    return {"schools": list(schools), "reasons": list(reasons), "languages": list(languages)}
