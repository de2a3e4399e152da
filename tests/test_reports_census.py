"""The chronic report counted in PostgreSQL (`census`) equals the definition (`population` +
`tally`, the scan's own arithmetic) on the hand-worked district and on random districts with
late entries, exits, holidays, tardies, mixed feeds, a school without a calendar and one whose
attendance has not arrived, on every date and grouping."""

from __future__ import annotations

import random
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from outreach_bot.attendance.importer import import_file
from outreach_bot.models import AttendanceRecord, AttendanceYear, CalendarDay, School, Student
from outreach_bot.reports import chronic, trend
from outreach_bot.reports.census import chronic_census, python_census
from outreach_bot.reports.standing import BY_CHOICES
from outreach_bot.runtime import Runtime
from tests.report_district import NOVEMBER_6, OCTOBER_30, build_district

STATUSES = ("absent", "excused", "unexcused", "tardy", "present")


def random_district(session: Session, seed: int) -> None:
    """Four schools, 60 students, a term's attendance, drawn from `seed`."""
    draw = random.Random(seed)
    first = date(2026, 9, 1)
    days = [first + timedelta(days=n) for n in range(70)]
    for number in range(4):
        school = f"s{number}"
        session.add(School(id=school, name=f"School {number}", zip=f"9000{number}"))
        session.flush()
        if number == 3:
            continue  # no calendar at all this year
        session.add_all(
            CalendarDay(school_id=school, date=day, instructional=day.weekday() < 5)
            for day in days
            if draw.random() < 0.9  # some dates unlisted
        )
    for number in range(60):
        school = f"s{number % 4}"
        entry = draw.choice([None, first, *draw.sample(days, 2)])
        leaves = draw.choice([None, None, *draw.sample(days, 2)])
        session.add(
            Student(
                id=f"r{number:02d}",
                first_name="Kid",
                last_name=f"Random{number}",
                school_id=school,
                grade=draw.choice(["K", "1", "2"]),
                zip=draw.choice([None, "", "90100"]),
                english_learner=draw.choice([None, True, False]),
                iep=draw.choice([None, True, False]),
                race_ethnicity=draw.choice([None, "", "Asian", "White"]),
                gender=draw.choice([None, "F", "M"]),
                entry_date=entry,
                exit_date=leaves,
            )
        )
        session.flush()
        # s1 sends absences only; the others tardies and present rows too. s2's export stops
        # early, so it is left out of later dates.
        statuses = STATUSES[:3] if school == "s1" else STATUSES
        last = days[40] if school == "s2" else days[-1]
        marks = draw.sample([day for day in days if day <= last], draw.randint(0, 25))
        session.add_all(
            AttendanceRecord(student_id=f"r{number:02d}", date=day, status=draw.choice(statuses))
            for day in marks
        )
    session.flush()


def assert_same(session: Session, as_of: date, weekdays: bool, school: str | None) -> None:
    for by in BY_CHOICES:
        fast = chronic_census(session, as_of, by=by, unlisted_weekdays=weekdays, school_id=school)
        slow = python_census(session, as_of, by, weekdays, school)
        assert [(r.key, r.values()) for r in fast.rows] == [
            (r.key, r.values()) for r in slow.rows
        ], (as_of, by, school)
        assert fast.left_out == slow.left_out
        assert fast.no_data() == slow.no_data()
        assert (fast.roster_size, fast.standings, fast.with_days, fast.counted) == (
            slow.roster_size,
            slow.standings,
            slow.with_days,
            slow.counted,
        )


def import_correction(runtime: Runtime, folder: Path) -> None:
    """Import a file saying m1 (no absences) was in fact absent three days in October."""
    sheet = folder / "attendance.csv"
    sheet.write_text(
        "student_id,date,status\nm1,2026-10-05,absent\nm1,2026-10-06,excused\n"
        "m1,2026-10-07,unexcused\n"
    )
    with runtime.db.transaction() as session:
        import_file(session, "attendance", sheet)


def test_census_equals_the_definition_on_the_hand_worked_district(runtime: Runtime):
    with runtime.db.transaction() as session:
        build_district(session)
        for as_of in (date(2026, 9, 27), OCTOBER_30, NOVEMBER_6, date(2026, 11, 9)):
            for school in (None, "oak"):
                assert_same(session, as_of, False, school)
        rows = chronic_census(session, OCTOBER_30, by="school", unlisted_weekdays=False).rows
        assert [(row.key, row.values()) for row in rows] == [
            (("maple",), (6, 2, 1, 2, 1, 3, chronic.percent(3, 6))),
            (("oak",), (3, 2, 0, 0, 1, 1, chronic.percent(1, 3))),
        ]


@pytest.mark.parametrize("seed", range(6))
def test_census_equals_the_definition_on_random_districts(runtime: Runtime, seed: int):
    with runtime.db.transaction() as session:
        random_district(session, seed)
        for as_of in (date(2026, 9, 8), date(2026, 10, 2), date(2026, 10, 9), date(2026, 11, 9)):
            for weekdays in (False, True):
                assert_same(session, as_of, weekdays, None)
        assert_same(session, date(2026, 10, 20), False, "s1")


def test_a_reimport_that_changes_a_past_day_changes_the_report(runtime: Runtime, tmp_path):
    """A corrected past day shows in the next report."""
    with runtime.db.transaction() as session:
        build_district(session)
        before = chronic_census(session, OCTOBER_30, by="school", unlisted_weekdays=False)
    # m1 (no absences) was in fact absent three days in October: 3/24 = 12.5%, moderate.
    import_correction(runtime, tmp_path)
    with runtime.db.transaction() as session:
        after = chronic_census(session, OCTOBER_30, by="school", unlisted_weekdays=False)
        assert_same(session, OCTOBER_30, False, None)
    assert before.rows[0].values()[:5] == (6, 2, 1, 2, 1)
    assert after.rows[0].values()[:5] == (6, 1, 1, 3, 1)
    # A record deleted (a correction the other way) and one moved to another day.
    with runtime.db.transaction() as session:
        session.execute(delete(AttendanceRecord).where(AttendanceRecord.student_id == "m1"))
        session.execute(
            update(AttendanceRecord)
            .where(AttendanceRecord.student_id == "m4", AttendanceRecord.date == date(2026, 10, 7))
            .values(date=date(2026, 11, 3))
        )
    with runtime.db.transaction() as session:
        final = chronic_census(session, OCTOBER_30, by="school", unlisted_weekdays=False)
        assert_same(session, OCTOBER_30, False, None)
        assert_same(session, NOVEMBER_6, False, None)
    # m1 back to none; m4 2/24 = 8.3%, at risk.
    assert final.rows[0].values()[:5] == (6, 2, 2, 1, 1)
    if runtime.db.engine.dialect.name == "postgresql":
        with runtime.db.transaction() as session:
            session.execute(text("TRUNCATE attendance_records"))
        with runtime.db.transaction() as session:
            assert session.scalar(select(func.count()).select_from(AttendanceYear)) == 0


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_imports_of_one_student_at_once_both_show(runtime: Runtime):
    """The second import waits on the first's row of attendance_years until it commits,
    then adds its own day to it, instead of overwriting it with what it saw (PostgreSQL
    only: there the year is kept by triggers, and SQLite runs one writer at a time)."""
    with runtime.db.transaction() as session:
        build_district(session)
    days = (date(2026, 10, 19), date(2026, 10, 20))
    first = runtime.db.engine.connect()
    first.begin()
    first.execute(
        insert(AttendanceRecord), {"student_id": "m1", "date": days[0], "status": "absent"}
    )

    def second() -> None:
        with runtime.db.engine.begin() as connection:
            connection.execute(
                insert(AttendanceRecord), {"student_id": "m1", "date": days[1], "status": "absent"}
            )

    waiting = threading.Thread(target=second)
    waiting.start()
    waiting.join(timeout=1)
    assert waiting.is_alive()  # held at the first writer's row
    first.commit()
    first.close()
    waiting.join(timeout=30)
    with runtime.db.transaction() as session:
        absences = session.scalar(
            select(func.bit_count(AttendanceYear.absent_days)).where(
                AttendanceYear.student_id == "m1"
            )
        )
        assert absences == 2
        assert_same(session, OCTOBER_30, False, None)


@pytest.mark.parametrize("seed", range(3))
def test_the_trend_counted_by_the_database_equals_the_one_from_standings(
    runtime: Runtime, seed: int
):
    """On PostgreSQL the trend counts each month with the census; `keep` (every student
    here) makes it count from every student's standing, the definition."""
    with runtime.db.transaction() as session:
        random_district(session, seed)
        for by in BY_CHOICES:
            for school in (None, "s1"):
                fast, fast_months = trend.trend(
                    session, date(2026, 11, 9), by=by, unlisted_weekdays=False, school_id=school
                )
                slow, slow_months = trend.trend(
                    session,
                    date(2026, 11, 9),
                    by=by,
                    unlisted_weekdays=False,
                    school_id=school,
                    keep=lambda standing: True,
                )
                assert [point.values() for point in fast] == [point.values() for point in slow]
                assert [(month.as_of, month.left_out) for month in fast_months] == [
                    (month.as_of, month.left_out) for month in slow_months
                ]
