"""Everything a case page shows: the student, the guardians, the conversation, what was done."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from outreach_bot.attendance.metrics import school_year_start
from outreach_bot.attendance.rules import HOLDOUT
from outreach_bot.i18n.languages import text_direction as language_direction
from outreach_bot.models import (
    AttendanceRecord,
    AttendanceSummary,
    BarrierReport,
    CalendarDay,
    ContactAttempt,
    Conversation,
    Escalation,
    Guardian,
    Message,
    Notice,
    PhoneNumber,
    School,
    Student,
    TriggerFiring,
    User,
)
from outreach_bot.notices.effort import Effort, effort_record
from outreach_bot.notices.mailing import student_notices
from outreach_bot.staff.scope import Scope

STRIP_DAYS = 30


def text_direction(language: str | None) -> str:
    """'rtl' for languages written right to left (by CLDR, so pa-Arab too), else 'ltr'."""
    return language_direction(language) if language else "ltr"


@dataclass(frozen=True)
class SchoolDay:
    """One instructional day on the attendance strip."""

    day: date
    status: str  # present, tardy, absent, excused, unexcused


@dataclass(frozen=True)
class PhoneStatus:
    """A guardian's phone: ok, opted out or undeliverable, and who holds its conversation."""

    guardian: Guardian | None
    phone: str
    status: str
    held_by_user_id: int | None
    held_by_email: str | None


@dataclass(frozen=True)
class CaseFile:
    """A case and everything needed to work it."""

    case: Escalation
    student: Student | None
    school: School | None
    summary: AttendanceSummary | None
    strip: list[SchoolDay]
    phones: list[PhoneStatus]
    messages: list[Message]
    withheld: frozenset[int]  # ids of texts whose words name a child beyond the viewer's reach
    barriers: list[BarrierReport]
    sheets: list[Message]
    attempts: list[tuple[ContactAttempt, str | None]]
    assignee: User | None
    holdouts: list[tuple[str, date]]  # (trigger, first day held out) in the latest scan's year
    notices: list[Notice] = field(default_factory=list)  # the student's, newest first
    effort: list[Effort] = field(default_factory=list)  # every try to reach them, all cases


def holdouts(session: Session, student_id: str, as_of: date) -> list[tuple[str, date]]:
    """The triggers whose holdout the student is in, in the school year of as_of, with the day
    they joined it, by trigger name: those triggers send the family no automated text."""
    rows = session.execute(
        select(TriggerFiring.trigger, func.min(TriggerFiring.as_of))
        .where(
            TriggerFiring.student_id == student_id,
            TriggerFiring.arm == HOLDOUT,
            TriggerFiring.as_of >= school_year_start(as_of),
        )
        .group_by(TriggerFiring.trigger)
        .order_by(TriggerFiring.trigger)
    )
    return [(trigger, first) for trigger, first in rows]


def attendance_strip(session: Session, student: Student, last: date | None) -> list[SchoolDay]:
    """The student's last 30 instructional days while enrolled, oldest first, up to `last`
    (the latest scan, which counted no day past the school's data); no record means present."""
    query = select(CalendarDay.date).where(
        CalendarDay.school_id == student.school_id, CalendarDay.instructional.is_(True)
    )
    if student.exit_date is not None:
        last = student.exit_date if last is None else min(last, student.exit_date)
    if last is not None:
        query = query.where(CalendarDay.date <= last)
    if student.entry_date is not None:
        query = query.where(CalendarDay.date >= student.entry_date)
    days = sorted(session.scalars(query.order_by(CalendarDay.date.desc()).limit(STRIP_DAYS)))
    if not days:
        return []
    rows = session.execute(
        select(AttendanceRecord.date, AttendanceRecord.status).where(
            AttendanceRecord.student_id == student.id,
            AttendanceRecord.date.between(days[0], days[-1]),
        )
    )
    statuses = {day: status for day, status in rows}
    return [SchoolDay(day, statuses.get(day, "present")) for day in days]


def phone_status(session: Session, phone: str, guardian: Guardian | None) -> PhoneStatus:
    """What we know about one phone."""
    number = session.get(PhoneNumber, phone)
    status = "ok"
    if number is not None and number.undeliverable_at is not None:
        status = "undeliverable"
    elif number is not None and number.opted_out_at is not None:
        status = "opted_out"
    holder = number.held_by_user_id if number is not None else None
    email = session.scalar(select(User.email).where(User.id == holder)) if holder else None
    return PhoneStatus(guardian, phone, status, holder, email)


@dataclass(frozen=True)
class FamilyTexts:
    """The texts a viewer may see, and those whose words are withheld from them."""

    messages: list[Message]
    withheld: frozenset[int]


def family_messages(session: Session, numbers: list[str], scope: Scope) -> FamilyTexts:
    """The texts with these phones, as far as they concern children of the viewer's schools.

    One phone can belong to children at two schools, and the bot names every child of a family
    in one text (name and days missed). A text only about a child beyond reach is left out; one
    that also names a child within reach is listed with its words withheld.
    """
    if not numbers:
        return FamilyTexts([], frozenset())
    child = aliased(Student)
    rows = session.execute(
        select(Message, Conversation.student_id, Conversation.context, child.school_id)
        .outerjoin(Conversation, Conversation.id == Message.conversation_id)
        .outerjoin(Guardian, Guardian.id == Message.guardian_id)
        .outerjoin(child, child.id == Guardian.student_id)
        .where(
            Message.phone.in_(numbers),
            Message.purpose.is_distinct_from("staff_notification"),
        )
        .order_by(Message.created_at, Message.id)
    ).all()
    about = {
        row[0].id: {str(i) for i in (row[2] or {}).get("student_ids", [])} | {row[1]} - {None}
        for row in rows
    }
    wanted = set().union(*about.values())
    schools = dict(
        session.execute(select(Student.id, Student.school_id).where(Student.id.in_(wanted))).all()
        if wanted
        else []
    )
    shown: list[Message] = []
    withheld: set[int] = set()
    for message, _, _, guardian_school in rows:
        children = about[message.id]
        reach = [scope.covers(schools.get(i)) for i in children]
        if children and not any(reach):
            continue  # a conversation only about another school's children
        if not children and guardian_school is not None and not scope.covers(guardian_school):
            continue  # staff texting a guardian of another school's child
        if not all(reach):
            withheld.add(message.id)
        shown.append(message)
    return FamilyTexts(shown, frozenset(withheld))


def load_case_file(session: Session, case: Escalation, scope: Scope) -> CaseFile:
    """Gather a case's file in a handful of queries, limited to the viewer's schools."""
    student = session.get(Student, case.student_id) if case.student_id else None
    guardians: list[Guardian] = list(student.guardians) if student else []
    if not guardians and case.guardian_id:
        guardians = [session.get_one(Guardian, case.guardian_id)]
    phones = [phone_status(session, g.phone, g) for g in guardians]
    if case.phone and case.phone not in {p.phone for p in phones}:
        phones.append(phone_status(session, case.phone, None))
    texts = family_messages(session, [p.phone for p in phones], scope)
    messages = texts.messages
    summary = session.get(AttendanceSummary, student.id) if student else None
    return CaseFile(
        case=case,
        student=student,
        school=session.get(School, case.school_id) if case.school_id else None,
        summary=summary,
        strip=attendance_strip(session, student, summary.as_of if summary else None)
        if student
        else [],
        phones=phones,
        messages=messages,
        barriers=list(
            session.scalars(
                select(BarrierReport)
                .where(BarrierReport.student_id == case.student_id)
                .order_by(BarrierReport.reported_at)
            )
        )
        if case.student_id
        else [],
        withheld=texts.withheld,
        sheets=[m for m in messages if (m.purpose or "").startswith("resources:")],
        attempts=[
            (attempt, email)
            for attempt, email in session.execute(
                select(ContactAttempt, User.email)
                .outerjoin(User, User.id == ContactAttempt.user_id)
                .where(ContactAttempt.escalation_id == case.id)
                .order_by(ContactAttempt.attempted_at, ContactAttempt.id)
            )
        ],
        assignee=session.get(User, case.assigned_to_id) if case.assigned_to_id else None,
        holdouts=holdouts(session, student.id, summary.as_of) if student and summary else [],
        notices=student_notices(session, student.id) if student else [],
        effort=effort_record(session, student.id) if student else [],
    )


def student_cases(session: Session, student_id: str) -> list[Escalation]:
    """Every case, open or closed, for one student, newest first."""
    return list(
        session.scalars(
            select(Escalation)
            .where(Escalation.student_id == student_id)
            .order_by(Escalation.created_at.desc())
        )
    )


def colleagues(session: Session, school_id: str | None) -> list[User]:
    """Active staff a case at this school can be assigned to."""
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.email)).all()
    return [
        u
        for u in users
        if u.role == "district_admin" or (school_id is not None and school_id in u.school_ids)
    ]
