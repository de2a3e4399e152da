"""A school year as the scan reads it, for a batch of schools, in a few bulk queries: who is
enrolled there, each school's calendar, each student's absences, and how far each school's
attendance has arrived.

On PostgreSQL a student's year is one row of `attendance_years` (first and last record,
whether the export carries present rows, a bit a date absent), so a batch reads one row a
student however long the year has run. SQLite, the embedded default, reads the records.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from outreach_bot.attendance.coverage import MissingData, missing_data
from outreach_bot.attendance.metrics import (
    AttendanceSeries,
    instructional_days,
    school_year_end,
    school_year_start,
)
from outreach_bot.db import among
from outreach_bot.models import AttendanceRecord, AttendanceYear, CalendarDay, Student
from outreach_bot.models.attendance import ABSENCE_STATUSES

_NO_ABSENCES: frozenset[date] = frozenset()
_BIT_BYTES = bytes.maketrans(b"01", b"\x00\x01")  # a BIT string's digits as bytes
_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


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


@dataclass(frozen=True)
class _StudentYear:
    """What the scan needs of one student's records this year."""

    first_record: date
    last_record: date
    full_feed: bool  # any present or tardy record
    absent: bytes  # a byte a date from July 1 to as_of: 1 absent


class SchoolYear:
    """What the scan needs about the school year of `as_of`, for some schools (None: all).

    `students` narrows the roster and the years read to some students of those schools
    (PostgreSQL only; `load_students` reads others later); what is known of each school
    (its calendar, how far its attendance has come, its feed) is known for all of it.
    """

    def __init__(
        self,
        session: Session,
        as_of: date,
        *,
        unlisted_weekdays: bool,
        schools: Collection[str] | None = None,
        students: Collection[str] | None = None,
    ) -> None:
        self.as_of = as_of
        self.start, self._end = school_year_start(as_of), school_year_end(as_of)
        self._unlisted_weekdays = unlisted_weekdays
        self._schools = None if schools is None else sorted(schools)
        # The whole year's calendar: a school whose calendar starts after as_of still has one.
        self._calendars: dict[str, dict[date, bool]] = defaultdict(dict)
        calendar = select(CalendarDay.school_id, CalendarDay.date, CalendarDay.instructional)
        calendar = calendar.where(CalendarDay.date.between(self.start, self._end))
        if self._schools is not None:
            calendar = calendar.where(CalendarDay.school_id.in_(self._schools))
        for school_id, day, instructional in session.execute(calendar):
            self._calendars[school_id][day] = instructional
        # A record after as_of shows that the school's export has passed as_of, even for a
        # day with no absence to report. A school whose export this year has no present or
        # tardy row sends absences only: there a student's first record is their first
        # absence, not their first day.
        self._last_attendance: dict[str, date] = {}
        self._full_feed: set[str] = set()
        self.enrolled: dict[str, int] = {}  # students a school, of every school with any
        self._on_postgresql = session.get_bind().dialect.name == "postgresql"
        if self._on_postgresql:
            self._schools_summed(session)
            self.load_students(session, students)
        else:
            if students is not None:
                raise ValueError("a school year of some students is read on PostgreSQL only")
            self.load_students(session, None)
            self._schools_from_years()
        self._school_days: dict[str, list[date]] = {}
        self._offsets: dict[str, list[int]] = {}  # each school day's place in `absent` bytes

    def load_students(self, session: Session, students: Collection[str] | None) -> None:
        """Read the roster and years of these students of the batch's schools (None: all)."""
        if students is not None and not students:
            self.roster, self._years = [], {}
            return
        query = select(Student.id, Student.school_id, Student.entry_date, Student.exit_date)
        if students is not None:
            query = query.where(among(session, Student.id, students))
        rows = session.execute(self._in_schools(query).order_by(Student.id))
        self.roster = [Enrolment(*row) for row in rows]
        if self._on_postgresql:
            years = self._years_summed(session, students)
        else:
            years = self._years_from_records(session)
        self._years = dict(years)

    def _schools_summed(self, session: Session) -> None:
        """Each school's students, last record and feed, summed by PostgreSQL."""
        year = (AttendanceYear.student_id == Student.id) & (AttendanceYear.year_start == self.start)
        rows = session.execute(
            self._in_schools(
                select(
                    Student.school_id,
                    func.count(),
                    func.max(AttendanceYear.last_record),
                    func.bool_or(AttendanceYear.full_feed),
                )
                .outerjoin(AttendanceYear, year)
                .group_by(Student.school_id)
            )
        )
        for school_id, students, last_record, full_feed in rows:
            self.enrolled[school_id] = students
            if last_record is not None:
                self._last_attendance[school_id] = last_record
            if full_feed:
                self._full_feed.add(school_id)

    def _schools_from_years(self) -> None:
        """Each school's students, last record and feed, from the years read (SQLite)."""
        school_of = {student.student_id: student.school_id for student in self.roster}
        self.enrolled = dict(Counter(school_of.values()))
        for student_id, year in self._years.items():
            school_id = school_of.get(student_id)
            if school_id is None:
                continue
            known = self._last_attendance.get(school_id)
            if known is None or year.last_record > known:
                self._last_attendance[school_id] = year.last_record
            if year.full_feed:
                self._full_feed.add(school_id)

    def full_feed(self, school_id: str) -> bool:
        """True when the school's export this year carries present or tardy rows."""
        return school_id in self._full_feed

    def _in_schools(self, query: _Query) -> _Query:
        """The query narrowed to the batch's schools."""
        if self._schools is None:
            return query
        return query.where(Student.school_id.in_(self._schools))

    def _years_summed(
        self, session: Session, students: Collection[str] | None
    ) -> Iterable[tuple[str, _StudentYear]]:
        """Each student's year from `attendance_years`: one row a student (PostgreSQL)."""
        query = (
            select(
                AttendanceYear.student_id,
                AttendanceYear.first_record,
                AttendanceYear.last_record,
                AttendanceYear.full_feed,
                AttendanceYear.absent_days,
            )
            .join(Student, Student.id == AttendanceYear.student_id)
            .where(AttendanceYear.year_start == self.start)
        )
        if students is not None:
            query = query.where(among(session, AttendanceYear.student_id, students))
        rows = session.execute(self._in_schools(query))
        dates = (self.as_of - self.start).days + 1  # bit `dates - 1` is as_of
        for student_id, first, last, full_feed, bits in rows:
            absent = bits[:dates].encode("ascii").translate(_BIT_BYTES)
            yield student_id, _StudentYear(first, last, full_feed, absent)

    def _years_from_records(self, session: Session) -> Iterable[tuple[str, _StudentYear]]:
        """Each student's year from their records (SQLite)."""
        in_year = AttendanceRecord.date.between(self.start, self._end)
        spans = session.execute(
            self._in_schools(
                select(
                    AttendanceRecord.student_id,
                    func.min(AttendanceRecord.date),
                    func.max(AttendanceRecord.date),
                    func.max(AttendanceRecord.status.not_in(sorted(ABSENCE_STATUSES))),
                )
                .join(Student, Student.id == AttendanceRecord.student_id)
                .where(in_year)
                .group_by(AttendanceRecord.student_id)
            )
        ).all()
        dates = (self.as_of - self.start).days + 1
        absences: dict[str, bytearray] = {}
        absent = session.execute(
            self._in_schools(
                select(AttendanceRecord.student_id, AttendanceRecord.date)
                .join(Student, Student.id == AttendanceRecord.student_id)
                .where(
                    AttendanceRecord.date.between(self.start, self.as_of),
                    AttendanceRecord.status.in_(sorted(ABSENCE_STATUSES)),
                )
            )
        )
        for student_id, day in absent:
            absences.setdefault(student_id, bytearray(dates))[(day - self.start).days] = 1
        for student_id, first, last, full_feed in spans:
            marks = bytes(absences.get(student_id, bytes(dates)))
            yield student_id, _StudentYear(first, last, bool(full_feed), marks)

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
        if school_id not in self._offsets:
            self._offsets[school_id] = [(day - self.start).days for day in days]
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
            year = self._years.get(student.student_id)
            return year.first_record if year is not None else None
        days = self.school_days(student.school_id)
        return days[0] if days else None

    def absences(self, student_id: str) -> frozenset[date]:
        """The student's absence dates this year, up to as_of."""
        year = self._years.get(student_id)
        if year is None:
            return _NO_ABSENCES
        marks = year.absent
        return frozenset(
            self.start + timedelta(days=offset) for offset in range(len(marks)) if marks[offset]
        )

    def series(self, student: Enrolment) -> AttendanceSeries:
        """The student's numbers on each school day they were enrolled, up to as_of (as
        `metrics.daily_series` counts them, read straight from the year's bytes)."""
        enrolled_from = self.enrolled_from(student)
        if enrolled_from is None:
            return AttendanceSeries((), b"")
        days = self.school_days(student.school_id)
        offsets = self._offsets[student.school_id]
        first = bisect_left(days, enrolled_from)
        end = len(days)
        if student.exit_date is not None and student.exit_date < self.as_of:
            end = bisect_right(days, student.exit_date)
        year = self._years.get(student.student_id)
        if year is None or first >= end:
            return AttendanceSeries(days[first:end], bytes(max(end - first, 0)))
        absent = bytes(map(year.absent.__getitem__, offsets[first:end]))
        return AttendanceSeries(days[first:end], absent)
