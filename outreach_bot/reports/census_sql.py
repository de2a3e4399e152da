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

from sqlalchemy import TextClause, text

from outreach_bot.attendance.coverage import LATE_ATTENDANCE, NO_ATTENDANCE, NO_CALENDAR
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
    -- Every date from the day before July 1 to the report date, for each school; the day
    -- before makes "school days before a student's first day" a plain lookup.
    SELECT sc.id AS school_id, d.day,
           d.day >= :start AND coalesce(
               c.instructional, CAST(:weekdays AS boolean) AND extract(isodow FROM d.day) < 6
           ) AS instructional
    FROM schools sc
    CROSS JOIN LATERAL (
        SELECT CAST(g AS date) AS day
        FROM generate_series(CAST(:start AS date) - 1, CAST(:as_of AS date), interval '1 day') g
    ) d
    LEFT JOIN calendar_days c ON c.school_id = sc.id AND c.date = d.day
    WHERE CAST(:school AS text) IS NULL OR sc.id = :school
),
counted_dates AS (
    SELECT school_id, day, instructional,
           count(*) FILTER (WHERE instructional) OVER (PARTITION BY school_id ORDER BY day) AS n
    FROM dates
),
terms AS (
    -- Each school's year so far: how many school days up to each date, from the day before
    -- July 1 (array index 1), and a bit for each school day up to the report date (bit 0 is
    -- July 1). Looking a date up in them keeps the million-row joins to small hash tables.
    SELECT school_id,
           array_agg(n ORDER BY day) AS ordinals,
           CAST(rpad(string_agg(CASE WHEN instructional THEN '1' ELSE '0' END, '' ORDER BY day)
                         FILTER (WHERE day >= :start), 366, '0') AS bit(366)) AS school_days,
           min(day) FILTER (WHERE instructional) AS first_day,
           max(day) FILTER (WHERE instructional) AS last_day,
           CAST(:weekdays AS boolean) OR EXISTS (
               SELECT 1 FROM calendar_days c
               WHERE c.school_id = counted_dates.school_id AND c.date BETWEEN :start AND :year_end
           ) AS has_calendar
    FROM counted_dates
    GROUP BY school_id
),
records AS (
    -- Each student's year of records, summed up as the records change (attendance_years).
    SELECT * FROM attendance_years WHERE year_start = :start
),
feeds AS (
    -- How far each school's attendance has arrived, and whether it sends present rows.
    SELECT s.school_id, max(r.last_record) AS last_attendance, bool_or(r.full_feed) AS full_feed
    FROM records r
    JOIN students s ON s.id = r.student_id
    GROUP BY s.school_id
),
schools_state AS (
    SELECT t.*, f.last_attendance, coalesce(f.full_feed, false) AS full_feed,
           CASE
               WHEN t.last_day IS NULL AND t.has_calendar THEN NULL
               WHEN t.last_day IS NULL THEN '{NO_CALENDAR}'
               WHEN f.last_attendance IS NULL THEN '{NO_ATTENDANCE}'
               WHEN f.last_attendance < t.last_day THEN '{LATE_ATTENDANCE}'
           END AS missing
    FROM terms t
    LEFT JOIN feeds f ON f.school_id = t.school_id
),
enrolments AS (
    SELECT s.*, st.missing, st.last_day, st.last_attendance, st.ordinals, st.school_days,
           sc.zip AS school_zip, r.absent_days,
           CASE
               WHEN s.entry_date IS NOT NULL THEN s.entry_date
               WHEN st.full_feed THEN r.first_record
               ELSE st.first_day
           END AS enrolled_from,
           least(CAST(:as_of AS date), coalesce(s.exit_date, CAST(:as_of AS date)))
               AS enrolled_until
    FROM students s
    JOIN schools_state st ON st.school_id = s.school_id
    JOIN schools sc ON sc.id = s.school_id
    LEFT JOIN records r ON r.student_id = s.id
),
windows AS (
    -- The dates a student was enrolled this year up to the report date (none: from > until).
    SELECT e.*, greatest(CAST(:start AS date), e.enrolled_from) AS enrolled_first
    FROM enrolments e
),
standings AS (
    -- School days while enrolled: those up to the last day less those before the first; and
    -- the absences among them.
    SELECT w.*,
           CASE WHEN w.enrolled_from IS NULL OR w.enrolled_first > w.enrolled_until THEN 0
                ELSE w.ordinals[w.enrolled_until - CAST(:start AS date) + 2]
                     - w.ordinals[w.enrolled_first - CAST(:start AS date) + 1]
           END AS days,
           CASE WHEN w.enrolled_from IS NULL OR w.enrolled_first > w.enrolled_until
                     OR w.absent_days IS NULL THEN 0
                ELSE bit_count(substring(w.absent_days & w.school_days
                                         FROM w.enrolled_first - CAST(:start AS date) + 1
                                         FOR w.enrolled_until - w.enrolled_first + 1))
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


def census_query(keys: tuple[str, ...]) -> TextClause:
    """One row per school, and for each key in `keys` one row per value and band."""
    sets = ", ".join(f"(key_{index}, band)" for index in range(len(keys)))
    key_columns = "".join(
        f", {KEY_EXPRESSIONS[key]} AS key_{index}" for index, key in enumerate(keys)
    )
    select_keys = "".join(f", key_{index}" for index in range(len(keys)))
    # The grouping set (school_id) alone gives each school's roster, reason left out and
    # totals (band is NULL there); each (key, band) set gives one band's students counted.
    sql = f"""{_STANDINGS}
SELECT school_id, band{select_keys},
       count(*) AS roster,
       count(*) FILTER (WHERE missing IS NULL) AS standings,
       count(*) FILTER (WHERE missing IS NULL AND days > 0) AS with_days,
       count(*) FILTER (WHERE counted) AS counted,
       max(missing) AS missing, max(last_day) AS needed, max(last_attendance) AS last_attendance
FROM (SELECT s.*{key_columns} FROM banded s) keyed
GROUP BY GROUPING SETS ((school_id), {sets})
"""
    return text(sql)
