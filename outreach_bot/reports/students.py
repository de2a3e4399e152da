"""The students list a school team works from: who has missed at least a share of school days,
with the latest contact made with their family and any case still open."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach_bot.models import ContactAttempt, Escalation
from outreach_bot.reports.definitions import CONTACT_MADE, grade_order, percent, rate_at_least
from outreach_bot.reports.population import in_batches
from outreach_bot.reports.standing import StudentStanding

DEFAULT_MIN_RATE = Fraction(10)
COLUMNS: tuple[str, ...] = (
    "student_id",
    "name",
    "grade",
    "school_id",
    "absences",
    "instructional_days",
    "rate",
    "band",
    "last_contact_made",
    "open_escalation",
    "exit_date",
)


@dataclass(frozen=True)
class StudentRow:
    """One student on the list."""

    standing: StudentStanding
    last_contact_made: date | None  # in the district's timezone
    open_escalation: int | None  # the oldest open case's id

    @property
    def rate(self) -> Decimal | None:
        """Absences over instructional days, a percentage with one decimal."""
        return percent(self.standing.absences, self.standing.instructional_days)

    def values(self) -> tuple[object, ...]:
        """The row's cells in COLUMNS order."""
        s = self.standing
        return (
            s.student_id,
            s.name,
            s.grade,
            s.school_id,
            s.absences,
            s.instructional_days,
            self.rate,
            s.band,
            self.last_contact_made,
            self.open_escalation,
            s.exit_date,
        )


def student_rows(
    session: Session,
    standings: Iterable[StudentStanding],
    *,
    timezone: str,
    min_rate: Fraction = DEFAULT_MIN_RATE,
    grade: str | None = None,
) -> list[StudentRow]:
    """Counted students at or above `min_rate` percent (in `grade`, if given), worst first
    within each school."""
    chosen = [
        s
        for s in standings
        if s.counted
        and (grade is None or s.grade == grade)
        and rate_at_least(s.absences, s.instructional_days, min_rate)
    ]
    ids = [s.student_id for s in chosen]
    contacts = _last_contacts(session, ids, ZoneInfo(timezone))
    cases = _open_cases(session, ids)
    chosen.sort(
        key=lambda s: (
            s.school_id,
            -Fraction(s.absences, s.instructional_days),
            grade_order(s.grade),
            s.last_name,
            s.first_name,
            s.student_id,
        )
    )
    return [StudentRow(s, contacts.get(s.student_id), cases.get(s.student_id)) for s in chosen]


def _last_contacts(session: Session, ids: list[str], zone: ZoneInfo) -> dict[str, date]:
    """The local date of the latest contact made with each student's family."""
    found: dict[str, date] = {}
    for chunk in in_batches(ids):
        rows = session.execute(
            select(Escalation.student_id, func.max(ContactAttempt.attempted_at))
            .join(ContactAttempt, ContactAttempt.escalation_id == Escalation.id)
            .where(Escalation.student_id.in_(chunk), ContactAttempt.outcome == CONTACT_MADE)
            .group_by(Escalation.student_id)
        )
        for student_id, attempted_at in rows:
            if student_id is not None:
                found[student_id] = _local_date(attempted_at, zone)
    return found


def _open_cases(session: Session, ids: list[str]) -> dict[str, int]:
    """The oldest open escalation of each student."""
    found: dict[str, int] = {}
    for chunk in in_batches(ids):
        rows = session.execute(
            select(Escalation.student_id, func.min(Escalation.id))
            .where(Escalation.student_id.in_(chunk), Escalation.status == "open")
            .group_by(Escalation.student_id)
        )
        found.update({student_id: case_id for student_id, case_id in rows if student_id})
    return found


def _local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()
