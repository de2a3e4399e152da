"""The chronic counts the scan keeps (PostgreSQL) are read back only while they equal the
definition: after an import, a correction, a transfer, a calendar change or a new day the
report counts afresh, and it always equals `python_census` (the scan's own arithmetic)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, insert, update

from outreach_bot.cli import main
from outreach_bot.models import (
    AttendanceRecord,
    CalendarDay,
    ChronicCount,
    ChronicCountsTaken,
    Student,
)
from outreach_bot.reports import chronic_counts
from outreach_bot.reports.census import _KEYS
from outreach_bot.runtime import Runtime
from tests.report_district import NOVEMBER_6, OCTOBER_30, build_district
from tests.test_reports_census import assert_same, import_correction, random_district

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
NOVEMBER_9 = date(2026, 11, 9)


def kept(runtime: Runtime, as_of: date = NOVEMBER_6, weekdays: bool = False) -> bool:
    """True when a report as of this date would read the kept counts, for every grouping."""
    with runtime.db.transaction() as session:
        found = [
            chronic_counts.read(session, as_of, keys, weekdays, school)
            for keys in _KEYS.values()
            for school in (None, "oak")
        ]
    assert all(rows is None for rows in found) or all(rows is not None for rows in found)
    return found[0] is not None


def refresh(runtime: Runtime, today: date = NOVEMBER_6, weekdays: bool = False) -> date | None:
    with runtime.db.transaction() as session:
        return chronic_counts.refresh(session, today, unlisted_weekdays=weekdays)


def same(runtime: Runtime, as_of: date = NOVEMBER_6, weekdays: bool = False) -> None:
    """Every grouping, for the district and for one school, equals the definition."""
    with runtime.db.transaction() as session:
        for school in (None, "oak", "maple"):
            assert_same(session, as_of, weekdays, school)


def test_the_kept_counts_are_the_definitions_on_the_hand_worked_district(runtime: Runtime):
    with runtime.db.transaction() as session:
        build_district(session)
    assert not kept(runtime)  # nothing kept yet: counted afresh
    # The report's default date: the last school day the attendance reaches by then.
    assert refresh(runtime, date(2026, 11, 8)) == NOVEMBER_6
    assert kept(runtime)
    same(runtime)
    # Only for that date and the district's rule for unlisted weekdays.
    assert not kept(runtime, OCTOBER_30)
    assert not kept(runtime, weekdays=True)
    same(runtime, OCTOBER_30)
    # Nor once a release has changed how they are counted.
    with runtime.db.transaction() as session:
        session.execute(update(ChronicCountsTaken).values(rules="an older release"))
    assert not kept(runtime)


@pytest.mark.parametrize("seed", range(3))
def test_the_kept_counts_are_the_definitions_on_random_districts(runtime: Runtime, seed: int):
    with runtime.db.transaction() as session:
        random_district(session, seed)
    for weekdays in (False, True):
        as_of = refresh(runtime, date(2026, 11, 9), weekdays)
        assert as_of is not None
        assert kept(runtime, as_of, weekdays)
        with runtime.db.transaction() as session:
            for school in (None, "s0", "s1", "s2", "s3"):
                assert_same(session, as_of, weekdays, school)


def test_an_import_that_corrects_a_past_day_is_counted_afresh(runtime: Runtime, tmp_path):
    with runtime.db.transaction() as session:
        build_district(session)
    refresh(runtime)
    import_correction(runtime, tmp_path)
    assert not kept(runtime)
    same(runtime)
    refresh(runtime)
    assert kept(runtime)
    # A record deleted, and one moved to another day, by hand.
    with runtime.db.transaction() as session:
        session.execute(delete(AttendanceRecord).where(AttendanceRecord.student_id == "m1"))
    assert not kept(runtime)
    same(runtime)
    refresh(runtime)
    with runtime.db.transaction() as session:
        session.execute(
            update(AttendanceRecord)
            .where(AttendanceRecord.student_id == "m4", AttendanceRecord.date == date(2026, 10, 7))
            .values(date=date(2026, 11, 3))
        )
    assert not kept(runtime)
    same(runtime)


def test_a_transfer_a_new_student_and_a_calendar_change_are_counted_afresh(runtime: Runtime):
    with runtime.db.transaction() as session:
        build_district(session)
    changes = [
        update(Student).where(Student.id == "m4").values(school_id="oak"),  # a transfer
        update(Student).where(Student.id == "o2").values(english_learner=False, zip="90100"),
        insert(Student).values(
            id="o4", first_name="Kid", last_name="Newperson", school_id="oak", grade="5"
        ),
        update(CalendarDay)
        .where(CalendarDay.date == date(2026, 10, 1))
        .values(instructional=False),  # a snow day, declared after the fact
    ]
    for change in changes:
        refresh(runtime)
        assert kept(runtime)
        with runtime.db.transaction() as session:
            session.execute(change)
        assert not kept(runtime), change
        same(runtime)


def test_a_new_day_is_counted_for_that_day(runtime: Runtime, tmp_path):
    with runtime.db.transaction() as session:
        build_district(session)
    refresh(runtime, NOVEMBER_9)  # Monday's attendance has not arrived: Friday's counts
    assert kept(runtime, NOVEMBER_6)
    with runtime.db.transaction() as session:
        session.add_all(
            CalendarDay(school_id=school, date=NOVEMBER_9, instructional=True)
            for school in ("maple", "oak")
        )
        session.add_all(
            AttendanceRecord(student_id=student, date=NOVEMBER_9, status=status)
            for student, status in (("m1", "absent"), ("o1", "present"))
        )
    assert not kept(runtime, NOVEMBER_6)
    assert refresh(runtime, NOVEMBER_9) == NOVEMBER_9
    assert kept(runtime, NOVEMBER_9)
    assert not kept(runtime, NOVEMBER_6)
    same(runtime, NOVEMBER_9)
    same(runtime, NOVEMBER_6)


def test_a_change_not_yet_committed_when_counted_is_counted_afresh_once_it_is(runtime: Runtime):
    """The counts see what their snapshot saw: a transaction still open then, committed
    later, makes every later report count afresh; before it commits, nobody sees it."""
    with runtime.db.transaction() as session:
        build_district(session)
    writer = runtime.db.engine.connect()
    writer.begin()
    writer.execute(
        insert(AttendanceRecord), {"student_id": "m1", "date": OCTOBER_30, "status": "absent"}
    )
    refresh(runtime)
    assert kept(runtime)
    same(runtime)
    writer.commit()
    writer.close()
    assert not kept(runtime)
    same(runtime)
    # And a reader's own change, not committed, is its own: it counts afresh too.
    with runtime.db.transaction() as session:
        refresh(runtime)
        session.execute(delete(AttendanceRecord).where(AttendanceRecord.student_id == "o2"))
        assert chronic_counts.read(session, NOVEMBER_6, ("school_id",), False, None) is None
        assert_same(session, NOVEMBER_6, False, None)


def test_the_scan_keeps_the_counts_the_report_then_prints(runtime: Runtime, clock, cli):
    with runtime.db.transaction() as session:
        build_district(session)
    # The scan's run counts them once every school is scanned (`scan_jobs.finish_scan`).
    scanned = cli.invoke(main, ["scan", "--baseline", "--date", "2026-11-07"])
    assert scanned.exit_code == 0, scanned.output
    assert kept(runtime)
    argv = ["report", "chronic", "--as-of", "2026-11-06", "--by", "school", "--format", "csv"]
    outcome = cli.invoke(main, argv)
    assert outcome.exit_code == 0, outcome.output
    # By 11-06: maple m1 satisfactory; m2, m3 at risk (2/29); m4, m5 moderate (3/29, 5/29),
    # and m6, m7 (1/10 each). Oak: o1, o3 satisfactory; o2 severe (6/29).
    assert outcome.output.splitlines()[1:] == [
        "maple,7,1,2,4,0,4,57.1",
        "oak,3,2,0,0,1,1,33.3",
    ]
    # The report did read the kept counts: altered by hand (no input changed), so it shows.
    with runtime.db.transaction() as session:
        session.execute(
            update(ChronicCount)
            .where(ChronicCount.school_id == "oak", ChronicCount.band == "severe_chronic")
            .values(counted=ChronicCount.counted + 100)
        )
    assert cli.invoke(main, argv).output.splitlines()[2] == "oak,103,2,0,0,101,101,98.1"
