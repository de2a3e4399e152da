"""What a text may say about a family's children: first names, school, days missed. Nothing more.

Texts carry the least student data that does the job: never grades, discipline, health or
reasons. Several children of one family are named together in one text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from outreach_bot.db import among
from outreach_bot.engine.definition import Text
from outreach_bot.engine.runner import Localizer, render
from outreach_bot.i18n.lists import format_list
from outreach_bot.models import AttendanceSummary, Guardian, School, Student


def days_missed(session: Session, student_id: str) -> int:
    """Absences so far this year, as of the latest scan."""
    summary = session.get(AttendanceSummary, student_id)
    return summary.absences if summary else 0


def days_missed_of(session: Session, student_ids: Iterable[str]) -> dict[str, int]:
    """`days_missed` of many students, in one SELECT (a student never scanned is absent)."""
    found = session.execute(
        select(AttendanceSummary.student_id, AttendanceSummary.absences).where(
            among(session, AttendanceSummary.student_id, student_ids)
        )
    )
    return {student_id: absences for student_id, absences in found}


def family_context(
    session: Session, students: Sequence[Student], district_name: str, language: str
) -> dict[str, object]:
    """Placeholders for a text about one or more children of a family."""
    days = {student.id: days_missed(session, student.id) for student in students}
    return children_context([Child.of(s) for s in students], days, district_name, language)


class Child(NamedTuple):
    """What a text may say of a child: the first name and the school (and the id, to
    count the days missed and to keep staff of one school from reading another's child)."""

    id: str
    first_name: str
    school_name: str
    school_phone: str | None

    @classmethod
    def of(cls, student: Student) -> Child:
        """The child a student record speaks of."""
        return cls(student.id, student.first_name, student.school.name, student.school.phone)


def children_context(
    children: Sequence[Child], days: Mapping[str, int], district_name: str, language: str
) -> dict[str, object]:
    """`family_context`, with each child's days missed given (by student id)."""
    counts = [(child.first_name, days.get(child.id, 0)) for child in children]
    return {
        "first_name": format_list([name for name, _ in counts], language),
        "school_name": format_list([child.school_name for child in children], language),
        "school_phone": children[0].school_phone or "",
        "days_missed": sum(count for _, count in counts),
        "children_days": format_list([f"{name} {count}" for name, count in counts], language),
        "children_count": len(children),
        "district_name": district_name,
    }


@dataclass(frozen=True)
class FamilyStart:
    """One conversation to start: a guardian's phone, the children it is about, the flow."""

    guardian: Guardian
    students: list[Student]
    flow: str
    firing_id: int | None


def families_to_reach(
    session: Session, firings: Sequence[tuple[int | None, str, str]]
) -> list[FamilyStart]:
    """Group fired flows by family phone, so siblings are named together in one text.

    `firings` are (firing id, student id, flow) in the order they fired.
    """
    student_ids = {student_id for _, student_id, _ in firings}
    by_student: dict[str, list[Guardian]] = {}
    rows = session.scalars(
        select(Guardian)
        .options(joinedload(Guardian.student).joinedload(Student.school))
        .where(Guardian.student_id.in_(sorted(student_ids)))
        .order_by(Guardian.id)
    )
    for guardian in rows:
        by_student.setdefault(guardian.student_id, []).append(guardian)
    families: dict[tuple[str, str], list[tuple[Guardian, int | None]]] = {}
    for firing_id, student_id, flow in firings:
        for guardian in by_student.get(student_id, []):
            families.setdefault((guardian.phone, flow), []).append((guardian, firing_id))
    starts = []
    for (_, flow), members in families.items():
        students = {guardian.student_id: guardian.student for guardian, _ in members}
        guardian, firing_id = members[0]
        starts.append(FamilyStart(guardian, list(students.values()), flow, firing_id))
    return starts


class FamilyRow(NamedTuple):
    """`FamilyStart` as plain values, for the scan's batch: the guardian whose phone is
    texted, the children it is about, the flow and the firing that started it."""

    guardian_id: int
    phone: str
    language: str
    sms_consent: bool
    children: list[Child]
    flow: str
    firing_id: int | None


def family_rows(
    session: Session, firings: Sequence[tuple[int | None, str, str]]
) -> list[FamilyRow]:
    """`families_to_reach` read as plain rows (no ORM objects), in one SELECT: the same
    families, grouped alike, in the same order."""
    student_ids = {student_id for _, student_id, _ in firings}
    by_student: dict[str, list[tuple[int, str, str, bool, Child]]] = {}
    rows = session.execute(
        select(
            Guardian.id, Guardian.phone, Guardian.language, Guardian.sms_consent,
            Student.id, Student.first_name, School.name, School.phone,
        )
        .join(Student, Student.id == Guardian.student_id)
        .join(School, School.id == Student.school_id)
        .where(among(session, Guardian.student_id, student_ids))
        .order_by(Guardian.id)
    )  # fmt: skip
    for guardian_id, phone, language, consent, student_id, name, school, school_phone in rows:
        by_student.setdefault(student_id, []).append(
            (guardian_id, phone, language, consent, Child(student_id, name, school, school_phone))
        )
    families: dict[tuple[str, str], list[tuple[tuple[int, str, str, bool, Child], int | None]]]
    families = {}
    for firing_id, student_id, flow in firings:
        for guardian in by_student.get(student_id, []):
            families.setdefault((guardian[1], flow), []).append((guardian, firing_id))
    starts = []
    for (_, flow), members in families.items():
        children = {guardian[4].id: guardian[4] for guardian, _ in members}
        (guardian_id, phone, language, consent, _), firing_id = members[0]
        starts.append(
            FamilyRow(
                guardian_id, phone, language, consent, list(children.values()), flow, firing_id
            )
        )
    return starts


def students_on_phone(session: Session, phone: str) -> list[Student]:
    """Every student this phone is on file for, as a guardian."""
    return list(
        session.scalars(
            select(Student)
            .join(Guardian, Guardian.student_id == Student.id)
            .where(Guardian.phone == phone)
            .order_by(Student.first_name, Student.id)
            .distinct()
        )
    )


def attendance_summary(
    session: Session,
    students: Sequence[Student],
    line: Text,
    bands: dict[str, Text],
    localizer: Localizer,
) -> str:
    """One line per child: days missed so far and, in plain words, how that is going."""
    children = []
    for student in students:
        summary = session.get(AttendanceSummary, student.id)
        band = summary.band if summary is not None else None
        children.append((student.first_name, days_missed(session, student.id), band))
    return summary_lines(children, line, bands, localizer)


def summary_lines(
    children: Sequence[tuple[str, int, str | None]],
    line: Text,
    bands: dict[str, Text],
    localizer: Localizer,
) -> str:
    """The attendance summary of (first name, days missed, band) for each child."""
    lines = []
    for first_name, count, band in children:
        context = {"first_name": first_name, "days_missed": count}
        text = render(line, context, localizer)
        if band in bands:
            text += " " + render(bands[band], context, localizer)
        lines.append(text)
    return "\n".join(lines)
