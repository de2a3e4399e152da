"""The chronic report's counts computed inside PostgreSQL, by the scan's rules, in one statement.

The same rules as `SchoolYear.series` and `coverage.missing_data`, written set-based so that a
district of a million students is one pass over its attendance instead of a Python loop:

- School days: the school's calendar from July 1 to the report date (an unlisted weekday is
  one only when the district says so).
- A school whose attendance has not reached its latest school day, or that has no calendar
  this year, is left out, never guessed.
- A student is enrolled from their entry date, else their first record of the year (a
  school whose export carries present or tardy rows), else the school's first school day;
  through their exit date. Their absences are excused and unexcused full days on school days
  while enrolled; a record outside that window, or a tardy, is not one.

Each student's records are read from `attendance_years` (one row a student, kept by a
trigger as records change), not from the records: a million rows, not ten million.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import RowMapping, text
from sqlalchemy.orm import Session

from outreach_bot.attendance.coverage import LATE_ATTENDANCE, NO_ATTENDANCE, NO_CALENDAR
from outreach_bot.attendance.metrics import school_year_end, school_year_start
from outreach_bot.reports.definitions import MIN_INSTRUCTIONAL_DAYS
from outreach_bot.reports.standing import NOT_RECORDED

# Each student's key value as a report prints it (see standing.group_value and keys_for).
_YES_NO = "CASE WHEN s.{0} IS NULL THEN '{1}' WHEN s.{0} THEN 'yes' ELSE 'no' END"
_TEXT = "coalesce(nullif(s.{0}, ''), '{1}')"
KEY_EXPRESSIONS: dict[str, str] = {
    "district": "''",
    "school_id": "s.school_id",
    "grade": "s.grade",
    "zip": f"coalesce(nullif(coalesce(s.zip, s.school_zip), ''), '{NOT_RECORDED}')",
    "english_learner": _YES_NO.format("english_learner", NOT_RECORDED),
    "iep": _YES_NO.format("iep", NOT_RECORDED),
    "low_income": _YES_NO.format("low_income", NOT_RECORDED),
    "race_ethnicity": _TEXT.format("race_ethnicity", NOT_RECORDED),
    "gender": _TEXT.format("gender", NOT_RECORDED),
}

_STANDINGS = f"""
WITH dates AS (
    -- Every date from July 1 to the report date, for each school, and whether it is a
    -- school day.
    SELECT sc.id AS school_id, d.day,
           coalesce(
               c.instructional, CAST(:weekdays AS boolean) AND extract(isodow FROM d.day) < 6
           ) AS instructional
    FROM schools sc
    CROSS JOIN LATERAL (
        SELECT CAST(g AS date) AS day
        FROM generate_series(CAST(:start AS date), CAST(:as_of AS date), interval '1 day') g
    ) d
    LEFT JOIN calendar_days c ON c.school_id = sc.id AND c.date = d.day
    WHERE CAST(:school AS text) IS NULL OR sc.id = :school
),
terms AS (
    -- Each school's year so far as a bit a date (the first is July 1), set on school days, so
    -- that a student's days and absences are bit counts, not joins to the calendar.
    SELECT school_id,
           CAST(rpad(string_agg(CASE WHEN instructional THEN '1' ELSE '0' END, '' ORDER BY day),
                     366, '0') AS bit(366)) AS school_days,
           min(day) FILTER (WHERE instructional) AS first_day,
           max(day) FILTER (WHERE instructional) AS last_day,
           CAST(:weekdays AS boolean) OR EXISTS (
               SELECT 1 FROM calendar_days c
               WHERE c.school_id = dates.school_id AND c.date BETWEEN :start AND :year_end
           ) AS has_calendar
    FROM dates
    GROUP BY school_id
),
joined AS NOT MATERIALIZED (
    -- Each student with their year of records, summed up as the records change
    -- (attendance_years): one pass over a million rows, read twice below.
    SELECT s.id, s.school_id, s.entry_date, s.exit_date, s.grade, s.zip, s.english_learner,
           s.iep, s.low_income, s.race_ethnicity, s.gender, sc.zip AS school_zip,
           y.first_record, y.last_record, y.full_feed, y.absent_days
    FROM students s
    JOIN schools sc ON sc.id = s.school_id
    LEFT JOIN attendance_years y ON y.student_id = s.id AND y.year_start = :start
    WHERE CAST(:school AS text) IS NULL OR s.school_id = :school
),
feeds AS (
    -- How far each school's attendance has arrived, and whether it sends present rows.
    SELECT school_id, max(last_record) AS last_attendance,
           coalesce(bool_or(full_feed), false) AS full_feed
    FROM joined
    GROUP BY school_id
),
schools_state AS (
    SELECT t.*, f.last_attendance, f.full_feed,
           CASE
               WHEN t.last_day IS NULL AND t.has_calendar THEN NULL
               WHEN t.last_day IS NULL THEN '{NO_CALENDAR}'
               WHEN f.last_attendance IS NULL THEN '{NO_ATTENDANCE}'
               WHEN f.last_attendance < t.last_day THEN '{LATE_ATTENDANCE}'
           END AS missing
    FROM terms t
    JOIN feeds f ON f.school_id = t.school_id
),
windows AS (
    -- The dates a student was enrolled this year up to the report date (none: lo > hi).
    SELECT j.*, st.missing, st.last_day, st.last_attendance, st.school_days,
           CASE
               WHEN j.entry_date IS NOT NULL THEN j.entry_date
               WHEN st.full_feed THEN j.first_record
               ELSE st.first_day
           END AS enrolled_from,
           greatest(CAST(:start AS date), CASE
               WHEN j.entry_date IS NOT NULL THEN j.entry_date
               WHEN st.full_feed THEN j.first_record
               ELSE st.first_day
           END) AS lo,
           least(CAST(:as_of AS date), coalesce(j.exit_date, CAST(:as_of AS date))) AS hi
    FROM joined j
    JOIN schools_state st ON st.school_id = j.school_id
),
standings AS MATERIALIZED (
    -- School days while enrolled, and the absences among them: bit counts over the window.
    -- Only what the grouping needs is kept: a million narrow rows, not wide ones.
    SELECT w.school_id, w.grade, w.zip, w.school_zip, w.english_learner, w.iep, w.low_income,
           w.race_ethnicity, w.gender, w.missing, w.last_day, w.last_attendance,
           CASE WHEN w.enrolled_from IS NULL OR w.lo > w.hi THEN 0
                ELSE bit_count(substring(w.school_days
                                         FROM w.lo - CAST(:start AS date) + 1
                                         FOR w.hi - w.lo + 1))
           END AS days,
           CASE WHEN w.enrolled_from IS NULL OR w.lo > w.hi OR w.absent_days IS NULL THEN 0
                ELSE bit_count(substring(w.absent_days & w.school_days
                                         FROM w.lo - CAST(:start AS date) + 1
                                         FOR w.hi - w.lo + 1))
           END AS absences
    FROM windows w
),
banded AS (
    SELECT s.*,
           s.missing IS NULL AND s.days >= :minimum AS counted,
           CASE
               WHEN s.days <= 0 THEN 'satisfactory'
               WHEN s.absences * 100 >= 20 * s.days THEN 'severe_chronic'
               WHEN s.absences * 100 >= 10 * s.days THEN 'moderate_chronic'
               WHEN s.absences * 100 >= 5 * s.days THEN 'at_risk'
               ELSE 'satisfactory'
           END AS band
    FROM standings s
)
"""


def census_statement(keys: tuple[str, ...], *, each_school: bool = False) -> str:
    """One row per school, and for each key in `keys` one row per value and band (per school
    as well with `each_school`). Columns: school_id, grouping (the key; NULL on a school's
    own row), value, band, then the counts. Parameters: `census_params`."""
    school = "school_id, " if each_school else ""
    sets = ", ".join(f"({school}key_{index}, band)" for index in range(len(keys)))
    key_columns = "".join(
        f", {KEY_EXPRESSIONS[key]} AS key_{index}" for index, key in enumerate(keys)
    )
    grouping = " ".join(
        f"WHEN GROUPING(key_{index}) = 0 THEN '{key}'" for index, key in enumerate(keys)
    )
    value = " ".join(
        f"WHEN GROUPING(key_{index}) = 0 THEN key_{index}" for index in range(len(keys))
    )
    # The grouping set (school_id) alone gives each school's roster, reason left out and
    # totals (band is NULL there); each (key, band) set gives one band's students counted.
    # OFFSET 0 keeps `keyed` a subquery: pulled up, a key that is school_id itself would be
    # one expression with it, and PostgreSQL 15 then reads that key as NULL in its own sets.
    return f"""{_STANDINGS}
SELECT school_id, CASE {grouping} END AS grouping, CASE {value} END AS value, band,
       count(*) AS roster,
       count(*) FILTER (WHERE missing IS NULL) AS standings,
       count(*) FILTER (WHERE missing IS NULL AND days > 0) AS with_days,
       count(*) FILTER (WHERE counted) AS counted,
       max(missing) AS missing, max(last_day) AS needed, max(last_attendance) AS last_attendance
FROM (SELECT s.*{key_columns} FROM banded s OFFSET 0) keyed
GROUP BY GROUPING SETS ((school_id), {sets})
"""


def census_params(as_of: date, unlisted_weekdays: bool, school_id: str | None) -> dict[str, object]:
    """The census statement's parameters: the date, the district's rule for unlisted
    weekdays, and one school (None: all)."""
    return {
        "as_of": as_of,
        "start": school_year_start(as_of),
        "year_end": school_year_end(as_of),
        "weekdays": unlisted_weekdays,
        "school": school_id,
        "minimum": MIN_INSTRUCTIONAL_DAYS,
    }


def tune(session: Session) -> None:
    """Settings for the census statement, for the rest of this transaction."""
    # One big statement: its joins hash in memory rather than sort on disk, and its row
    # estimates (CTEs) are too rough for JIT compiling to pay for itself (about 1 s here).
    session.execute(
        text("SELECT set_config('work_mem', '256MB', true), set_config('jit', 'off', true)")
    )


def census_rows(
    session: Session,
    as_of: date,
    keys: tuple[str, ...],
    unlisted_weekdays: bool,
    school_id: str | None,
) -> Sequence[RowMapping]:
    """The census statement's rows for `keys`, counted now."""
    tune(session)
    statement = text(census_statement(keys))
    return (
        session.execute(statement, census_params(as_of, unlisted_weekdays, school_id))
        .mappings()
        .all()
    )
