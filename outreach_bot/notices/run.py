"""`notices run`: count each student's truancy this school year and send the notices due.

Each stage fires once per student per school year: the unique key (student, school year,
stage) in the database makes a second run, or two runs at once, add nothing. A notice is a
letter to mail (its row; staff mark it mailed), a short text telling the family it is coming
(through the outbox, so quiet hours and STOP apply, and none at all to a family that said
STOP or never agreed to texts) and an open case for the school to call and mail it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from outreach_bot.attendance.metrics import school_year_start
from outreach_bot.conversations.lifecycle import reachable
from outreach_bot.conversations.service import Conversations
from outreach_bot.escalations import open_escalation
from outreach_bot.messaging.outbox import queue_text
from outreach_bot.models import (
    AttendanceRecord,
    ContactAttempt,
    Escalation,
    Guardian,
    Notice,
    Student,
)
from outreach_bot.notices.counters import AttendanceRow, Truancy, count_truancy
from outreach_bot.notices.rules import NoticeRules, Sent, Stage, due_stage

log = logging.getLogger(__name__)

CASE_REASON = "truancy_notice"  # the case each notice opens: call the family, mail the letter
TEXT_PURPOSE = "notice"


@dataclass
class RunResult:
    """What one run sent, by stage, and what waits for staff."""

    as_of: date
    sent: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    texted: int = 0
    waiting_for_contact: int = 0  # a stage due but for a staff contact attempt (48262)
    unclassified: int = 0  # students with `absent` records that are neither excused nor not
    notice_ids: list[int] = field(default_factory=list)


def attendance_rows(
    session: Session, start: date, as_of: date, partial_minutes: int
) -> dict[str, list[AttendanceRow]]:
    """The records of the school year up to as_of that a counter may count, by student."""
    rows = session.execute(
        select(
            AttendanceRecord.student_id,
            AttendanceRecord.date,
            AttendanceRecord.status,
            AttendanceRecord.minutes_missed,
        ).where(
            AttendanceRecord.date.between(start, as_of),
            or_(
                AttendanceRecord.status.in_(("unexcused", "absent")),
                and_(
                    AttendanceRecord.status.in_(("tardy", "present")),
                    AttendanceRecord.minutes_missed > partial_minutes,
                ),
            ),
        )
    )
    found: dict[str, list[AttendanceRow]] = defaultdict(list)
    for student_id, day, status, minutes in rows:
        found[student_id].append(AttendanceRow(day, status, minutes))
    return found


def sent_this_year(session: Session, start: date) -> dict[str, list[Notice]]:
    """Every notice of the school year starting `start`, by student."""
    found: dict[str, list[Notice]] = defaultdict(list)
    for notice in session.scalars(
        select(Notice).where(Notice.school_year_start == start).order_by(Notice.id)
    ):
        found[notice.student_id].append(notice)
    return found


def contact_attempted_since(session: Session, student_id: str, since: datetime) -> bool:
    """True when staff recorded a try to reach the student's family since `since`."""
    found = session.scalar(
        select(ContactAttempt.id)
        .join(Escalation, Escalation.id == ContactAttempt.escalation_id)
        .where(Escalation.student_id == student_id, ContactAttempt.attempted_at >= since)
        .limit(1)
    )
    return found is not None


def addressee(guardians: list[Guardian]) -> Guardian | None:
    """The guardian a letter goes to: the first with a postal address, else the first."""
    with_address = [g for g in guardians if g.address_line1]
    chosen = with_address or guardians
    return chosen[0] if chosen else None


def run_notices(
    session: Session,
    *,
    rules: NoticeRules,
    as_of: date,
    now: datetime,
    conversations: Conversations,
) -> RunResult:
    """Send every notice due as of a school day; safe to run again (it adds nothing)."""
    start = school_year_start(as_of)
    result = RunResult(as_of)
    rows = attendance_rows(session, start, as_of, rules.partial_minutes)
    sent = sent_this_year(session, start)
    students = {
        s.id: s for s in session.scalars(select(Student).where(Student.id.in_(sorted(rows))))
    }
    for student_id in sorted(rows):
        student = students.get(student_id)
        if student is None or (student.exit_date is not None and student.exit_date < as_of):
            continue  # withdrawn: no notice for a student no longer enrolled
        truancy = count_truancy(rows[student_id], as_of, rules.partial_minutes)
        if truancy.unclassified:
            result.unclassified += 1
        notices = sent[student_id]
        earlier = [
            Sent(n.stage, tuple(date.fromisoformat(d) for d in n.absence_dates)) for n in notices
        ]
        attempted = bool(notices) and contact_attempted_since(
            session, student_id, min(n.created_at for n in notices)
        )
        due = due_stage(rules, truancy, earlier, contact_attempted=attempted)
        if due.waiting_for_contact is not None:
            result.waiting_for_contact += 1
        if due.stage is None:
            continue
        notice = _fire(session, rules, due.stage, student, truancy, as_of, now, conversations)
        if notice is None:
            continue  # another run sent it first
        result.sent[due.stage.name] += 1
        result.texted += notice.text_message_id is not None
        result.notice_ids.append(notice.id)
    return result


def _fire(
    session: Session,
    rules: NoticeRules,
    stage: Stage,
    student: Student,
    truancy: Truancy,
    as_of: date,
    now: datetime,
    conversations: Conversations,
) -> Notice | None:
    """Record one notice, its text and its case; None when the notice already exists."""
    guardian = addressee(list(student.guardians))
    language = conversations.catalogs.choose(guardian.language if guardian else None)
    notice = Notice(
        student_id=student.id,
        school_year_start=school_year_start(as_of),
        stage=stage.name,
        rules=rules.state,
        issued_on=as_of,
        language=language,
        guardian_id=guardian.id if guardian else None,
        absence_dates=[day.isoformat() for day in truancy.counted(stage.counter)],
        counts=truancy.counts(),
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(notice)
            session.flush()
    except IntegrityError:
        log.info("notice %s for a student was already sent this school year", stage.name)
        return None
    if "text" in stage.channels and guardian is not None and reachable(session, guardian):
        notice.text_message_id = _text(session, guardian, student, language, now, conversations)
    open_escalation(
        session,
        reason=CASE_REASON,
        now=now,
        student_id=student.id,
        guardian_id=guardian.id if guardian else None,
        phone=guardian.phone if guardian else None,
    )
    session.flush()
    return notice


def _text(
    session: Session,
    guardian: Guardian,
    student: Student,
    language: str,
    now: datetime,
    conversations: Conversations,
) -> int:
    """Queue the family's text: a letter is coming, and how to reach a person."""
    phone = student.school.phone
    context: dict[str, object] = {
        "first_name": student.first_name,
        "school_name": student.school.name,
        "school_phone": phone or "",
        "district_name": conversations.district_name,
    }
    name = "notice_letter_with_phone" if phone else "notice_letter"
    message = queue_text(
        session,
        phone=guardian.phone,
        body=conversations.text(name, language, context),
        language=language,
        origin="district",
        purpose=TEXT_PURPOSE,
        now=now,
        quiet=conversations.quiet,
        guardian_id=guardian.id,
    )
    return message.id
