"""`report effect`: absence after a trigger, for the students it texted and those held out.

A student joins a trigger's experiment at their first firing of it in the school year that
drew an arm, and stays in that arm all year (the scan keeps it), so each student counts once.
Their outcome is their absence rate over the next `days` school days of their school after
that firing's day: absences (excused and unexcused, full days) over those days they were
enrolled, counted as the scan and every report count them. A student whose `days` school
days have not all passed, or whose school's attendance has not reached the last of them,
is not measured yet (`waiting`); one who left before the first of them is not measured.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.attendance.rules import HOLDOUT, TEXTED
from outreach_bot.attendance.school_year import Enrolment, SchoolYear
from outreach_bot.models import TriggerFiring
from outreach_bot.reports.effect_estimate import MIN_PER_ARM, Estimate, estimate

DEFAULT_DAYS = 20
COLUMNS: tuple[str, ...] = (
    "trigger",
    "days",
    "texted",
    "holdout",
    "waiting",
    "texted_absence_rate",
    "holdout_absence_rate",
    "difference",
    "ci_low",
    "ci_high",
    "verdict",
)


@dataclass(frozen=True)
class EffectRow:
    """One trigger's holdout: who is measured in each arm, and what it shows."""

    trigger: str
    days: int
    waiting: int
    estimate: Estimate

    def values(self) -> tuple[object, ...]:
        """The cells of an effect row, in `COLUMNS` order."""
        found = self.estimate
        return (
            self.trigger,
            self.days,
            found.texted,
            found.holdout,
            self.waiting,
            found.texted_rate,
            found.holdout_rate,
            found.difference,
            found.low,
            found.high,
            found.verdict,
        )


def arm_triggers(session: Session, year_start: date) -> list[str]:
    """The triggers that put students in arms this school year, by name."""
    return list(
        session.scalars(
            select(TriggerFiring.trigger)
            .where(TriggerFiring.as_of >= year_start, TriggerFiring.arm.is_not(None))
            .distinct()
            .order_by(TriggerFiring.trigger)
        )
    )


def effect_rows(
    session: Session,
    as_of: date,
    triggers: Sequence[str],
    *,
    days: int = DEFAULT_DAYS,
    unlisted_weekdays: bool,
    min_per_arm: int = MIN_PER_ARM,
) -> list[EffectRow]:
    """One row per trigger, measured with attendance up to as_of."""
    year = SchoolYear(session, as_of, unlisted_weekdays=unlisted_weekdays)
    roster = {student.student_id: student for student in year.roster}
    joined = _first_arms(session, year.start, as_of, triggers)
    rows = []
    for trigger in triggers:
        rates: dict[str, list[Fraction]] = {TEXTED: [], HOLDOUT: []}
        waiting = 0
        for student_id, (arm, fired_on) in sorted(joined[trigger].items()):
            student = roster.get(student_id)
            if student is None or student.withdrawn_before(fired_on + timedelta(days=1)):
                continue  # gone by the first day measured: nothing to measure, nor to wait for
            window = _window(year, student.school_id, fired_on, days)
            if window is None:
                waiting += 1
            elif (rate := _rate(year, student, window)) is not None:
                rates[arm].append(rate)
        found = estimate(rates[TEXTED], rates[HOLDOUT], min_per_arm)
        rows.append(EffectRow(trigger, days, waiting, found))
    return rows


def _first_arms(
    session: Session, year_start: date, as_of: date, triggers: Sequence[str]
) -> dict[str, dict[str, tuple[str, date]]]:
    """By trigger, each student's arm and the day they joined it (their first armed firing)."""
    joined: dict[str, dict[str, tuple[str, date]]] = defaultdict(dict)
    rows = session.execute(
        select(
            TriggerFiring.trigger, TriggerFiring.student_id, TriggerFiring.arm, TriggerFiring.as_of
        )
        .where(
            TriggerFiring.as_of.between(year_start, as_of),
            TriggerFiring.trigger.in_(list(triggers)),
            TriggerFiring.arm.in_([TEXTED, HOLDOUT]),
        )
        .order_by(TriggerFiring.as_of, TriggerFiring.id)
    )
    for trigger, student_id, arm, fired_on in rows:
        joined[trigger].setdefault(student_id, (cast(str, arm), fired_on))  # arm IN (…)
    return joined


def _window(year: SchoolYear, school_id: str, fired_on: date, days: int) -> list[date] | None:
    """The school's next `days` school days after fired_on (None: not all passed yet, or the
    school's attendance does not reach the last of them)."""
    window = [day for day in year.school_days(school_id) if day > fired_on][:days]
    if len(window) < days or year.missing_data(school_id, window[-1]) is not None:
        return None
    return window


def _rate(year: SchoolYear, student: Enrolment, window: list[date]) -> Fraction | None:
    """Absences over the days of the window the student was enrolled (None: none of them)."""
    first = year.enrolled_from(student)
    enrolled = [
        day
        for day in window
        if first is not None
        and day >= first
        and (student.exit_date is None or day <= student.exit_date)
    ]
    if not enrolled:
        return None
    absences = year.absences(student.student_id)
    return Fraction(sum(day in absences for day in enrolled), len(enrolled))
