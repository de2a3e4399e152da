"""Every student's standing on report dates, computed from attendance and calendars.

Reads the school year the way the scan does and counts each student with the scan's own
`SchoolYear.series`, so a report equals the scan on any date, even one it never ran. A school
whose data does not reach a date is left out of that date and named, never guessed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach_bot.attendance.coverage import MissingData
from outreach_bot.attendance.metrics import (
    instructional_days,
    school_year_start,
)
from outreach_bot.attendance.school_year import SchoolYear
from outreach_bot.models import AttendanceRecord, AttendanceYear, CalendarDay, School, Student
from outreach_bot.reports.definitions import MIN_INSTRUCTIONAL_DAYS
from outreach_bot.reports.standing import GROUPS, StudentStanding


@dataclass(frozen=True)
class SchoolGap:
    """A school left out of a report date because its data does not reach it."""

    school_id: str
    name: str
    students: int
    missing: MissingData


@dataclass
class Population:
    """Who is on the roster as of a date, their standings, and the schools left out."""

    as_of: date
    standings: list[StudentStanding] = field(default_factory=list)
    left_out: list[SchoolGap] = field(default_factory=list)
    roster_size: int = 0  # students on the roster (in the school asked for), left out or not

    @property
    def counted(self) -> list[StudentStanding]:
        """The students who count in a report on this date."""
        return [standing for standing in self.standings if standing.counted]

    def no_data(self) -> str | None:
        """Why nobody counts on this date, as a sentence (None: somebody does)."""
        return no_data_sentence(
            self.as_of,
            counted=len(self.counted),
            roster_size=self.roster_size,
            left_out=self.left_out,
            standings=len(self.standings),
            with_days=sum(1 for standing in self.standings if standing.instructional_days),
        )


def no_data_sentence(
    as_of: date,
    *,
    counted: int,
    roster_size: int,
    left_out: Sequence[SchoolGap],
    standings: int,
    with_days: int,
) -> str | None:
    """Why nobody counts on a date, from how many students count, are on the roster, have a
    standing (their school is not left out) and have any school day (None: somebody counts)."""
    day = as_of.isoformat()
    if counted:
        return None
    if roster_size == 0:
        return "No students on the roster; import students.csv first."
    if left_out and not standings:
        reasons = "; ".join(f"{gap.school_id}: {gap.missing.explained()}" for gap in left_out)
        return f"No attendance data for {day}: {reasons}."
    if not with_days:
        start = school_year_start(as_of).isoformat()
        return f"No school days with attendance from {start} to {day}."
    return (
        f"No data to report for {day}: no student had been enrolled"
        f" {MIN_INSTRUCTIONAL_DAYS} school days yet."
    )


def populations(
    session: Session,
    dates: Sequence[date],
    *,
    unlisted_weekdays: bool,
    school_id: str | None = None,
) -> list[Population]:
    """Each date's population, all in one school year (read once, as of the latest date)."""
    if not dates:
        return []
    latest = max(dates)
    if any(school_year_start(day) != school_year_start(latest) for day in dates):
        raise ValueError("report dates must fall in one school year")
    year = SchoolYear(session, latest, unlisted_weekdays=unlisted_weekdays)
    roster = [s for s in year.roster if school_id is None or s.school_id == school_id]
    details = _details(session, school_id)
    names: dict[str, str] = {
        row[0]: row[1] for row in session.execute(select(School.id, School.name))
    }
    sizes = Counter(student.school_id for student in roster)
    results = [Population(as_of=day, roster_size=len(roster)) for day in dates]
    for result in results:
        gaps = {school: gap for school in sizes if (gap := year.missing_data(school, result.as_of))}
        result.left_out = [
            SchoolGap(school, names.get(school, school), sizes[school], gap)
            for school, gap in sorted(gaps.items())
        ]
    left_out = [{gap.school_id for gap in result.left_out} for result in results]
    for student in roster:
        series = year.series(student)
        first_name, last_name, grade, zip_code, groups = details[student.student_id]
        for result, skipped in zip(results, left_out, strict=True):
            if student.school_id in skipped:
                continue
            metrics = series.as_of(result.as_of)
            result.standings.append(
                StudentStanding(
                    student_id=student.student_id,
                    first_name=first_name,
                    last_name=last_name,
                    school_id=student.school_id,
                    grade=grade,
                    zip=zip_code,
                    groups=groups,
                    instructional_days=metrics.instructional_days,
                    absences=metrics.absences,
                    exit_date=student.exit_date,
                )
            )
    return results


def population(
    session: Session, as_of: date, *, unlisted_weekdays: bool, school_id: str | None = None
) -> Population:
    """The population on one date."""
    [result] = populations(
        session, [as_of], unlisted_weekdays=unlisted_weekdays, school_id=school_id
    )
    return result


def last_school_day(session: Session, today: date, *, unlisted_weekdays: bool) -> date | None:
    """The latest school day, up to today, that the attendance imported so far has reached.

    That is the default report date: any school's instructional day on or before both today
    and the latest attendance record (None: no attendance up to today at all).
    """
    reached = _latest_record(session, today)
    if reached is None:
        return None
    start = school_year_start(reached)
    calendars: dict[str, dict[date, bool]] = {}
    rows = session.execute(
        select(CalendarDay.school_id, CalendarDay.date, CalendarDay.instructional).where(
            CalendarDay.date.between(start, reached)
        )
    )
    for school, day, instructional in rows:
        calendars.setdefault(school, {})[day] = instructional
    with_students = select(Student.id).where(Student.school_id == School.id).exists()
    schools = set(session.scalars(select(School.id).where(with_students)))
    last_days = [
        days[-1]
        for school in schools
        if (school in calendars or unlisted_weekdays)
        and (
            days := instructional_days(
                calendars.get(school, {}), start, reached, unlisted_weekdays=unlisted_weekdays
            )
        )
    ]
    return max(last_days, default=None)


def _latest_record(session: Session, today: date) -> date | None:
    """The date of the latest attendance record on or before today (None: none).

    On PostgreSQL, attendance_years holds each student's last record: a million rows to read
    rather than every record, and the answer whenever no record is dated after today."""
    if session.get_bind().dialect.name == "postgresql":
        latest = session.scalar(select(func.max(AttendanceYear.last_record)))
        if latest is None or latest <= today:
            return latest
    return session.scalar(
        select(func.max(AttendanceRecord.date)).where(AttendanceRecord.date <= today)
    )


def in_batches(ids: list[str], size: int = 1000) -> Iterator[list[str]]:
    """Ids in slices, keeping each IN list well under SQLite's and PostgreSQL's limits."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _details(
    session: Session, school_id: str | None
) -> dict[str, tuple[str, str, str, str | None, tuple[bool | str | None, ...]]]:
    """Names, grade, zip (the student's, else the school's) and group values, by student."""
    columns = [getattr(Student, group) for group in GROUPS]
    query = select(
        Student.id,
        Student.first_name,
        Student.last_name,
        Student.grade,
        func.coalesce(Student.zip, School.zip),
        *columns,
    ).join(School, School.id == Student.school_id)
    if school_id is not None:
        query = query.where(Student.school_id == school_id)
    return {
        row[0]: (row[1], row[2], row[3], row[4], tuple(row[5:])) for row in session.execute(query)
    }
