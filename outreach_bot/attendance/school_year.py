"""A school year as the scan reads it, in a few bulk queries: who is enrolled where, each
school's calendar, each student's absences, and how far each school's attendance has arrived."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach_bot.attendance.coverage import MissingData, missing_data
from outreach_bot.attendance.metrics import (
    AttendanceSeries,
    daily_series,
    instructional_days,
    school_year_end,
    school_year_start,
)
from outreach_bot.models import AttendanceRecord, CalendarDay, Student
from outreach_bot.models.attendance import ABSENCE_STATUSES

_NO_ABSENCES: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Enrolment:
    """A student on the roster, and the days the district says they were enrolled."""

    student_id: str
    school_id: str
    entry_date: date | None
    exit_date: date | None  # the last day enrolled

    def withdrawn_before(self, day: date) -> bool:
        """True when the student's last day enrolled came before `day`."""
        return self.exit_date is not None and self.exit_date < day


class SchoolYear:
    """What the scan needs about the school year of `as_of`, read once for every student."""

    def __init__(self, session: Session, as_of: date, *, unlisted_weekdays: bool) -> None:
        self.as_of = as_of
        self.start, end = school_year_start(as_of), school_year_end(as_of)
        self._unlisted_weekdays = unlisted_weekdays
        rows = session.execute(
            select(Student.id, Student.school_id, Student.entry_date, Student.exit_date).order_by(
                Student.id
            )
        )
        self.roster = [Enrolment(*row) for row in rows]
        # The whole year's calendar: a school whose calendar starts after as_of still has one.
        self._calendars: dict[str, dict[date, bool]] = defaultdict(dict)
        calendar = session.execute(
            select(CalendarDay.school_id, CalendarDay.date, CalendarDay.instructional).where(
                CalendarDay.date.between(self.start, end)
            )
        )
        for school_id, day, instructional in calendar:
            self._calendars[school_id][day] = instructional
        # First and last record of the whole year: a record after as_of shows that the
        # school's export has passed as_of, even for a day with no absence to report.
        spans = session.execute(
            select(
                AttendanceRecord.student_id,
                func.min(AttendanceRecord.date),
                func.max(AttendanceRecord.date),
            )
            .where(AttendanceRecord.date.between(self.start, end))
            .group_by(AttendanceRecord.student_id)
        )
        self._first_record: dict[str, date] = {}
        last_by_student: dict[str, date] = {}
        for student_id, first, last in spans:
            self._first_record[student_id] = first
            last_by_student[student_id] = last
        self._last_attendance: dict[str, date] = {}
        for student in self.roster:
            last = last_by_student.get(student.student_id)
            known = self._last_attendance.get(student.school_id)
            if last is not None and (known is None or last > known):
                self._last_attendance[student.school_id] = last
        # A school whose export this year has no present or tardy row sends absences only:
        # there a student's first record is their first absence, not their first day.
        self._full_feed = set(
            session.scalars(
                select(Student.school_id)
                .join(AttendanceRecord, AttendanceRecord.student_id == Student.id)
                .where(
                    AttendanceRecord.date.between(self.start, end),
                    AttendanceRecord.status.not_in(sorted(ABSENCE_STATUSES)),
                )
                .distinct()
            )
        )
        self._absences: dict[str, set[date]] = defaultdict(set)
        absences = session.execute(
            select(AttendanceRecord.student_id, AttendanceRecord.date).where(
                AttendanceRecord.date.between(self.start, as_of),
                AttendanceRecord.status.in_(sorted(ABSENCE_STATUSES)),
            )
        )
        for student_id, day in absences:
            self._absences[student_id].add(day)
        self._school_days: dict[str, list[date]] = {}

    def school_days(self, school_id: str, through: date | None = None) -> list[date]:
        """The school's sorted instructional days from July 1 up to as_of (or an earlier day)."""
        if school_id not in self._school_days:
            self._school_days[school_id] = instructional_days(
                self._calendars.get(school_id, {}),
                self.start,
                self.as_of,
                unlisted_weekdays=self._unlisted_weekdays,
            )
        days = self._school_days[school_id]
        if through is None or through >= self.as_of:
            return days
        return days[: bisect_right(days, through)]

    def missing_data(self, school_id: str, through: date | None = None) -> MissingData | None:
        """What keeps the school from being counted as of as_of or an earlier day (None: none)."""
        return missing_data(
            self.school_days(school_id, through),
            has_calendar=school_id in self._calendars or self._unlisted_weekdays,
            last_attendance=self._last_attendance.get(school_id),
        )

    def enrolled_from(self, student: Enrolment) -> date | None:
        """The student's entry date, else their first attendance record this year; in a school
        whose export carries absences only, else the first day of the school's calendar."""
        if student.entry_date is not None:
            return student.entry_date
        if student.school_id in self._full_feed:
            return self._first_record.get(student.student_id)
        days = self.school_days(student.school_id)
        return days[0] if days else None

    def absences(self, student_id: str) -> frozenset[date] | set[date]:
        """The student's absence dates this year, up to as_of."""
        return self._absences.get(student_id, _NO_ABSENCES)

    def series(self, student: Enrolment) -> AttendanceSeries:
        """The student's numbers on each school day they were enrolled, up to as_of."""
        return daily_series(
            self.school_days(student.school_id),
            enrolled_from=self.enrolled_from(student),
            enrolled_until=student.exit_date,
            absent_days=self.absences(student.student_id),
            as_of=self.as_of,
        )
