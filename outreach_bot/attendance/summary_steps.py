"""A night's summaries as a step from the eve's, in one statement a school (PostgreSQL).

Each night every enrolled student's summary moves (their day count does), but only a few
students can start an episode. When the scan of the student's previous school day ran the
rules for them (`evaluated_on`), on the same series (`series_digest`: a digest of the
school's calendar, the student's absence bits and enrolment up to that day, and of the
triggers' conditions), today's numbers are the eve's plus one day, and a trigger whose
condition held on the eve as well as today is in the episode that scan already recorded.
So the statement steps those students' summaries on in SQL, and hands back to the caller
only the students it cannot vouch for: those a trigger's condition newly holds for today
(its *candidates*), and those whose eve is unknown or whose series changed (a night not
scanned, a late correction, a new calendar, changed triggers, a new student). The caller
runs the exact rules for them (`rules.evaluate`), as for every student before.

The candidate test is a superset by construction: the run that holds today began today, or
it already held on the eve, when the same rules on the same days recorded it. A test
checks the step and the test against `rules.walked_back` for every kind of condition.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from outreach_bot.attendance.metrics import BANDS, PEAK_AFTER_DAYS, RANK_FLOORS, band_rank
from outreach_bot.attendance.rules import Condition, Trigger

# A day's numbers as SQL names them: days, absences, absent streak, present streak, peak
# band rank, absent that day, band rank.
State = Mapping[str, str]
EVE: State = {
    "d": "e.d0",
    "a": "e.a0",
    "ca": "e.ca0",
    "cp": "e.cp0",
    "pk": "e.pk0",
    "ab": "(e.ca0 > 0)",
    "rk": "e.rk0",
}
TODAY: State = {
    "d": "e.d1",
    "a": "e.a1",
    "ca": "e.ca1",
    "cp": "e.cp1",
    "pk": "e.pk1",
    "ab": "e.mark",
    "rk": "e.rk1",
}


def band_rank_sql(absences: str, days: str) -> str:
    """The band's rank for absences out of days, in whole numbers as `metrics.band_for`."""
    cases = " ".join(
        f"WHEN {absences} * 100 >= {RANK_FLOORS[rank]} * {days} THEN {rank}"
        for rank in range(len(RANK_FLOORS) - 1, 0, -1)
    )
    return f"(CASE WHEN {days} <= 0 THEN 0 {cases} ELSE 0 END)"


def holds_sql(condition: Condition, day: State) -> str:
    """SQL true when the condition holds on a day, as `Condition.holds` decides."""
    parts = []
    if condition.absent_today is not None:
        parts.append(f"{day['ab']} = {'true' if condition.absent_today else 'false'}")
    counts = (
        ("ca", condition.consecutive_absences_at_least),
        ("a", condition.absences_at_least),
        ("d", condition.min_instructional_days),
        ("cp", condition.present_streak_at_least),
    )
    parts += [f"{day[name]} >= {int(floor)}" for name, floor in counts if floor is not None]
    if condition.was_band_at_least is not None:
        parts.append(f"{day['pk']} >= {band_rank(condition.was_band_at_least)}")
    if condition.band_improved is not None:
        parts.append(f"({day['rk']} < {day['pk']}) = {str(condition.band_improved).lower()}")
    if condition.band_at_least is not None:
        parts.append(f"{day['rk']} >= {band_rank(condition.band_at_least)}")
    return "(" + " AND ".join(parts or ["true"]) + ")"


def candidate_sql(triggers: Sequence[Trigger]) -> str:
    """SQL true when some trigger's condition holds today and did not on the eve."""
    newly = [
        f"({holds_sql(t.condition, TODAY)} AND NOT {holds_sql(t.condition, EVE)})" for t in triggers
    ]
    return "(" + " OR ".join(newly or ["false"]) + ")"


def step_sql(school_day: bool, eve: str = "e") -> str:
    """Columns of today's numbers from the eve's (d0 … pk0, rk0) and today's mark, in the
    relation named `eve`."""
    e = f"{eve}."
    if not school_day:  # nothing counts; only "absent today" ends
        return ", ".join(f"{e}{name}0 AS {name}1" for name in ("d", "a", "ca", "cp", "pk", "rk"))
    d1, a1 = f"({e}d0 + 1)", f"({e}a0 + {e}mark::int)"
    rk1 = band_rank_sql(a1, d1)
    # A band falls as present days pass, so the peak rises only on a day absent, or on the
    # first day it counts (as `AttendanceSeries` keeps it).
    peak = f"(CASE WHEN {d1} >= {PEAK_AFTER_DAYS} AND ({e}mark OR {d1} = {PEAK_AFTER_DAYS})"
    peak += f" THEN greatest({e}pk0, {rk1}) ELSE {e}pk0 END)"
    return (
        f"{d1} AS d1, {a1} AS a1,"
        f" CASE WHEN {e}mark THEN {e}ca0 + 1 ELSE 0 END AS ca1,"
        f" CASE WHEN {e}mark THEN 0 ELSE {e}cp0 + 1 END AS cp1,"
        f" {peak} AS pk1, {rk1} AS rk1"
    )


def rules_fingerprint(triggers: Sequence[Trigger]) -> str:
    """What the triggers fire on (names and conditions), as a short digest."""
    conditions = sorted((t.name, repr(t.condition)) for t in triggers)
    return hashlib.sha256(repr(conditions).encode()).hexdigest()[:32]


# What a student's series up to a day is made of: the school's part (`SchoolNight.made_of`:
# the triggers, the calendar up to that day, the feed) and the student's absence bits up to
# that day (`:k` dates from July 1), entry date and first record.
# The bits are taken in their binary form (length first): their text form costs several
# times the rest of the statement.
_DIGEST = """md5({school}
    || coalesce(encode(varbit_send(substring(y.absent_days FROM 1 FOR {k})), 'hex'), '-')
    || '|' || coalesce(st.entry_date::text, '-') || '|' || coalesce(y.first_record::text, '-'))"""


@dataclass(frozen=True)
class SchoolNight:
    """What the step needs of one school on the day scanned."""

    school_id: str
    as_of: date
    year_start: date
    eve: date | None  # the school's last instructional day before as_of
    school_day: bool  # as_of is an instructional day of the school
    calendar: str  # a character a date from July 1 to as_of: 1 instructional
    full_feed: bool

    @staticmethod
    def of(
        school_id: str,
        as_of: date,
        year_start: date,
        school_days: Sequence[date],
        full_feed: bool,
    ) -> SchoolNight:
        """The school's night from its instructional days up to as_of."""
        marks = bytearray(b"0" * ((as_of - year_start).days + 1))
        for day in school_days:
            marks[(day - year_start).days] = ord("1")
        school_day = bool(school_days) and school_days[-1] == as_of
        earlier = school_days[:-1] if school_day else school_days
        return SchoolNight(
            school_id,
            as_of,
            year_start,
            earlier[-1] if earlier else None,
            school_day,
            marks.decode("ascii"),
            full_feed,
        )

    def offset(self, day: date) -> int:
        """Dates from July 1 through `day`."""
        return (day - self.year_start).days + 1

    def made_of(self, day: date, triggers: Sequence[Trigger]) -> str:
        """What every student's series up to `day` shares: the triggers' conditions, the
        calendar up to that day, and whether the first record is the first day enrolled."""
        made_of = f"{rules_fingerprint(triggers)}|{self.calendar[: self.offset(day)]}"
        return hashlib.sha256(f"{made_of}|{self.full_feed}".encode()).hexdigest()[:32] + "|"


@dataclass
class Stepped:
    """What the step did for a school: the students left to the rules, and the bands of the
    students it stepped on (none left)."""

    left: list[str] = field(default_factory=list)
    bands: Counter[str] = field(default_factory=Counter)


def step_school(
    session: Session, night: SchoolNight, triggers: Sequence[Trigger], now: datetime
) -> Stepped:
    """Step on the summaries of the school's students whose eve is known; the rest, and the
    candidates, are returned for the rules."""
    if night.eve is None:
        return Stepped(left=_everyone(session, night.school_id))
    band_names = " ".join(f"WHEN {rank} THEN '{name}'" for rank, name in enumerate(BANDS))
    if night.school_day:
        evaluated = "evaluated_on = :as_of, series_digest = e.digest1,"
        candidate = candidate_sql(triggers)
        mark = "coalesce(get_bit(y.absent_days, :k_today - 1) = 1, false)"
    else:
        evaluated, candidate, mark = "", "false", "false"
    statement = f"""
WITH eve AS (
    SELECT s.student_id, s.instructional_days AS d0, s.absences AS a0,
           s.consecutive_absences AS ca0, s.consecutive_present AS cp0,
           s.peak_band_rank AS pk0, {band_rank_sql("s.absences", "s.instructional_days")} AS rk0,
           {mark} AS mark, {_DIGEST.format(school=":today_made_of", k=":k_today")} AS digest1
    FROM students st
    JOIN attendance_summaries s ON s.student_id = st.id
    LEFT JOIN attendance_years y ON y.student_id = st.id AND y.year_start = :year_start
    WHERE st.school_id = :school_id
      AND (st.exit_date IS NULL OR st.exit_date >= :as_of)
      -- The school's summaries by their key, however many the district has.
      AND s.student_id = ANY(ARRAY(SELECT id FROM students WHERE school_id = :school_id))
      AND s.evaluated_on = :eve
      AND s.series_digest = {_DIGEST.format(school=":eve_made_of", k=":k_eve")}
), e AS (
    SELECT eve.*, {step_sql(night.school_day, "eve")} FROM eve
), stepped AS (
    UPDATE attendance_summaries s
    SET as_of = :as_of, scanned_at = :now, instructional_days = e.d1, absences = e.a1,
        consecutive_absences = e.ca1, absent_today = e.mark,
        band = CASE e.rk1 {band_names} END, consecutive_present = e.cp1,
        {evaluated} peak_band_rank = e.pk1
    FROM e
    WHERE s.student_id = e.student_id
    RETURNING s.student_id, s.band, {candidate} AS candidate
)
SELECT st.id, NULL AS band, 0 AS students
FROM students st LEFT JOIN stepped ON stepped.student_id = st.id
WHERE st.school_id = :school_id AND (stepped.student_id IS NULL OR stepped.candidate)
UNION ALL
SELECT NULL, band, count(*) FROM stepped WHERE NOT candidate GROUP BY band
"""
    rows = session.execute(
        text(statement),
        {
            "school_id": night.school_id,
            "as_of": night.as_of,
            "eve": night.eve,
            "year_start": night.year_start,
            "k_today": night.offset(night.as_of),
            "k_eve": night.offset(night.eve),
            "today_made_of": night.made_of(night.as_of, triggers),
            "eve_made_of": night.made_of(night.eve, triggers),
            "now": now,
        },
    )
    stepped = Stepped()
    for student_id, band, students in rows:
        if student_id is not None:
            stepped.left.append(student_id)
        else:
            stepped.bands[band] += students
    return stepped


def mark_evaluated(
    session: Session,
    night: SchoolNight,
    triggers: Sequence[Trigger],
    student_ids: Sequence[str],
) -> None:
    """Record that the rules ran today for these students of the school, with the digest of
    the series they ran on, for tomorrow's step."""
    if not student_ids:
        return
    session.execute(
        text(
            f"""
UPDATE attendance_summaries s
SET evaluated_on = :as_of, series_digest = {_DIGEST.format(school=":made_of", k=":k_today")}
FROM students st
LEFT JOIN attendance_years y ON y.student_id = st.id AND y.year_start = :year_start
WHERE st.id = s.student_id AND st.school_id = :school_id AND s.student_id = ANY(:ids)
"""
        ),
        {
            "as_of": night.as_of,
            "year_start": night.year_start,
            "k_today": night.offset(night.as_of),
            "made_of": night.made_of(night.as_of, triggers),
            "school_id": night.school_id,
            "ids": list(student_ids),
        },
    )


def _everyone(session: Session, school_id: str) -> list[str]:
    """Every student of the school."""
    rows = session.execute(text("SELECT id FROM students WHERE school_id = :s"), {"s": school_id})
    return [student_id for (student_id,) in rows]
