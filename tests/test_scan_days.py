"""A term of nightly scans on seeded random districts fires exactly what a full evaluation
fires: every student's every school day made afresh from the records and each running
episode walked back a day at a time (`rules.walked_back`), as the rules define it.

The scan counts where an episode began (`attendance.episodes`) and reads each student's
year as bytes; this holds it to the definition on SQLite and PostgreSQL, over feeds with and
without present rows, holidays, late entries, withdrawals and a correction of past days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from random import Random

import pytest
from sqlalchemy import select

from outreach_bot.attendance.metrics import daily_series, instructional_days
from outreach_bot.attendance.rules import Trigger, parse_triggers, walked_back
from outreach_bot.attendance.scan import load_triggers, scan
from outreach_bot.models import AttendanceRecord, CalendarDay, School, Student, TriggerFiring
from outreach_bot.runtime import Runtime

FIRST_DAY = date(2026, 8, 24)  # a Monday
TERM = [FIRST_DAY + timedelta(days=n) for n in range(84)]  # twelve weeks, weekends included
EXTRA = parse_triggers(
    {
        "spec_version": 1,
        "triggers": [
            {"name": "back_today", "when": {"absent_today": False}, "flow": "recognition"},
            {"name": "fifth_absence", "when": {"absences_at_least": 5}, "flow": "missed_you"},
            {"name": "severe", "when": {"band_at_least": "severe_chronic"}, "flow": "missed_you"},
            {
                "name": "at_risk_absent",
                "when": {"band_at_least": "at_risk", "absent_today": True},
                "flow": "missed_you",
            },
            {
                "name": "still_chronic",
                "when": {"band_improved": False, "was_band_at_least": "at_risk"},
                "flow": "missed_you",
            },
            {
                "name": "two_weeks_back",
                "when": {"present_streak_at_least": 10, "min_instructional_days": 30},
                "flow": "recognition",
            },
        ],
    },
    "test triggers",
)
ABSENT = ("absent", "excused", "unexcused")


class District:
    """Three schools (present rows; absences only; absences only with holidays) and their
    students, each with a chance of missing a day, all drawn from a seed."""

    def __init__(self, seed: int) -> None:
        random = Random(seed)
        weekdays = [day for day in TERM if day.weekday() < 5]
        holidays = set(random.sample(weekdays[5:], 6))
        self.calendars = {
            "full": dict.fromkeys(weekdays, True),
            "sparse": dict.fromkeys(weekdays, True),
            "holiday": {day: day not in holidays for day in weekdays},
        }
        self.students: dict[str, tuple[str, date | None, date | None, float]] = {}
        for school in self.calendars:
            for number in range(14):
                entry = random.choice([None, None, None, random.choice(weekdays[:40])])
                leaves = random.random() < 0.15
                exit_date = random.choice(weekdays[20:]) if leaves else None
                chance = random.choice([0.02, 0.06, 0.12, 0.3, 0.6])
                self.students[f"{school}-{number:02d}"] = (school, entry, exit_date, chance)
        # What the SIS says each student did each school day (absence-only schools: absences).
        self.marks: dict[tuple[str, date], str] = {}
        for student_id, (school, entry, exit_date, chance) in self.students.items():
            absent_run = False
            for day, instructional in self.calendars[school].items():
                if not instructional or (entry and day < entry) or (exit_date and day > exit_date):
                    continue
                absent_run = random.random() < (0.7 if absent_run else chance)
                if absent_run:
                    self.marks[student_id, day] = random.choice(ABSENT)
                elif school == "full":
                    self.marks[student_id, day] = random.choice(["present"] * 5 + ["tardy"])
        # A correction: on one night the SIS re-sends a past week with new absences.
        self.corrected_on = weekdays[random.randrange(30, 50)]
        self.corrections = {
            (student_id, day): "absent"
            for student_id in random.sample(sorted(self.students), 8)
            for day in weekdays[:60]
            if self.corrected_on - timedelta(days=14) <= day < self.corrected_on
            and (student_id, day) not in self.marks
            and self.calendars[self.students[student_id][0]].get(day)
        }
        # Every school day of an absence-only school has some record, so the scan knows its
        # attendance has arrived (see `coverage`).
        for school, calendar in self.calendars.items():
            for day, instructional in calendar.items():
                mine = [s for s, (home, *_) in self.students.items() if home == school]
                if instructional and not any((s, day) in self.marks for s in mine):
                    self.marks[random.choice(mine), day] = "excused"

    def records_through(self, day: date) -> dict[tuple[str, date], str]:
        """The records the district has sent by the night of `day`."""
        sent = {key: status for key, status in self.marks.items() if key[1] <= day}
        if day >= self.corrected_on:
            sent.update(self.corrections)
        return sent

    def full_evaluation(
        self, triggers: list[Trigger], day: date, fired: set[tuple[str, str, str]]
    ) -> set[tuple[str, str, str]]:
        """What fires newly on `day`, every student and day counted afresh and walked back."""
        records: dict[str, dict[date, str]] = {}
        for (student_id, record_day), status in self.records_through(day).items():
            records.setdefault(student_id, {})[record_day] = status
        new = set()
        for student_id, (school, entry, exit_date, _) in self.students.items():
            if exit_date is not None and exit_date < day:
                continue
            mine = records.get(student_id, {})
            absences = {d for d, status in mine.items() if status in ABSENT}
            school_days = instructional_days(
                self.calendars[school], date(2026, 7, 1), day, unlisted_weekdays=False
            )
            if entry is not None:
                enrolled_from: date | None = entry
            elif school == "full":
                enrolled_from = min(mine) if mine else None
            else:
                enrolled_from = school_days[0] if school_days else None
            series = list(
                daily_series(
                    school_days,
                    enrolled_from=enrolled_from,
                    enrolled_until=exit_date,
                    absent_days=absences,
                    as_of=day,
                )
            )
            if not series or series[-1].as_of != day:
                continue
            for trigger in triggers:
                if trigger.condition.holds(series[-1]):
                    episode = series[walked_back(trigger.condition, series)].as_of.isoformat()
                    key = (student_id, trigger.name, episode)
                    if key not in fired:
                        new.add(key)
        return new


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_term_of_scans_fires_what_a_full_evaluation_fires(runtime: Runtime, seed: int) -> None:
    district = District(seed)
    triggers = [
        trigger
        for trigger in load_triggers(runtime.settings.flows_dir / "triggers.yaml") + EXTRA
        if not trigger.holdout
    ]
    with runtime.db.transaction() as session:
        for school, calendar in district.calendars.items():
            session.add(School(id=school, name=f"{school.title()} School", zip="90000"))
            session.flush()
            session.add_all(
                CalendarDay(school_id=school, date=day, instructional=instructional)
                for day, instructional in calendar.items()
            )
        for number, (student_id, (school, entry, exit_date, _)) in enumerate(
            district.students.items()
        ):
            session.add(
                Student(
                    id=student_id,
                    first_name=f"Test{number}",
                    last_name="Student",
                    school_id=school,
                    grade="4",
                    entry_date=entry,
                    exit_date=exit_date,
                )
            )
    fired: set[tuple[str, str, str]] = set()
    sent: dict[tuple[str, date], str] = {}
    firings = scanned = ruled = 0
    for day in TERM:
        with runtime.db.transaction() as session:
            for (student_id, record_day), status in district.records_through(day).items():
                if sent.get((student_id, record_day)) != status:
                    session.merge(
                        AttendanceRecord(student_id=student_id, date=record_day, status=status)
                    )
                    sent[student_id, record_day] = status
        now = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=23)
        with runtime.db.transaction() as session:
            result = scan(session, as_of=day, now=now, triggers=triggers)
            rows = session.execute(
                select(
                    TriggerFiring.student_id, TriggerFiring.trigger, TriggerFiring.episode
                ).where(TriggerFiring.as_of == day)
            )
            stored = {(student_id, name, episode) for student_id, name, episode in rows}
        assert not result.skipped, day
        expected = district.full_evaluation(triggers, day, fired)
        assert stored == expected, day
        assert len(result.fired) == len(expected)
        fired |= expected
        firings += len(expected)
        scanned += result.students_scanned
        ruled += result.rules_run_for
    # The districts exercise every trigger, so that agreeing is not agreeing on nothing.
    assert {name for _, name, _ in fired} == {trigger.name for trigger in triggers}
    assert firings > 300
    # On PostgreSQL most summaries step on from the eve's in SQL, the rules run for the rest;
    # SQLite runs them for every student.
    print(f"the rules ran for {ruled} of {scanned} students scanned")
    if runtime.db.engine.dialect.name == "postgresql":
        assert ruled < scanned / 2
    else:
        assert ruled == scanned
