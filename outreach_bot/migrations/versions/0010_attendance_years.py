"""attendance_years: each student's year of records summed up, kept by a trigger (PostgreSQL)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ABSENCES = "('absent', 'excused', 'unexcused')"
# Every year of the given students, from their records: first and last record, whether any
# is present or tardy, and one bit a date absent (bit 0 is July 1).
SUMMED = f"""
    SELECT a.student_id, y.year_start, min(a.date), max(a.date),
           bool_or(a.status NOT IN {ABSENCES}),
           bit_or(CASE WHEN a.status IN {ABSENCES}
                       THEN set_bit(CAST(repeat('0', 366) AS bit(366)), a.date - y.year_start, 1)
                       ELSE CAST(repeat('0', 366) AS bit(366)) END)
    FROM {{source}} a
    CROSS JOIN LATERAL (
        SELECT make_date(CAST(extract(year FROM a.date) AS int)
                         - CAST(extract(month FROM a.date) < 7 AS int), 7, 1) AS year_start
    ) y
    {{where}}
    GROUP BY a.student_id, y.year_start
"""
COLUMNS = "student_id, year_start, first_record, last_record, full_feed, absent_days"
# The students an update or a delete touched, by the transition tables its trigger sees. An
# array, so that the rebuild looks each one up by the primary key, not by scanning records.
TOUCHED = {
    "update": "SELECT student_id FROM new_rows UNION SELECT student_id FROM old_rows",
    "delete": "SELECT student_id FROM old_rows",
}
# New records only add to a year: their bits are OR-ed in and the first and last widened.
# Each step commutes, so two imports at once need no lock beyond the row ON CONFLICT takes.
ADDED = f"""
    INSERT INTO attendance_years ({COLUMNS}) {SUMMED.format(source="new_rows", where="")}
    ON CONFLICT (student_id, year_start) DO UPDATE SET
        first_record = least(attendance_years.first_record, excluded.first_record),
        last_record = greatest(attendance_years.last_record, excluded.last_record),
        full_feed = attendance_years.full_feed OR excluded.full_feed,
        absent_days = attendance_years.absent_days | excluded.absent_days
"""
TRANSITIONS = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
}


def upgrade() -> None:
    op.create_table(
        "attendance_years",
        sa.Column("student_id", sa.String(length=64), nullable=False),
        sa.Column("year_start", sa.Date(), nullable=False),
        sa.Column("first_record", sa.Date(), nullable=False),
        sa.Column("last_record", sa.Date(), nullable=False),
        sa.Column("full_feed", sa.Boolean(), nullable=False),
        sa.Column(
            "absent_days",
            sa.String(length=366).with_variant(postgresql.BIT(366), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_attendance_years_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("student_id", "year_start", name=op.f("pk_attendance_years")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"""
        CREATE FUNCTION attendance_years_on_insert() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            {ADDED};
            RETURN NULL;
        END $$
    """)
    for event, touched in TOUCHED.items():
        where = "WHERE a.student_id = ANY(touched)"
        summed = SUMMED.format(source="attendance_records", where=where)
        op.execute(f"""
            CREATE FUNCTION attendance_years_on_{event}() RETURNS trigger
            LANGUAGE plpgsql AS $$
            DECLARE
                touched text[] := ARRAY(SELECT DISTINCT student_id FROM ({touched}) t);
            BEGIN
                -- One rebuild a student at a time: a second correction touching the same
                -- student waits here, then reads the first one's committed records (a new
                -- snapshot each statement), so neither overwrites the other with an older
                -- picture. NO KEY UPDATE leaves the foreign keys' KEY SHARE locks free.
                PERFORM 1 FROM students WHERE id = ANY(touched) ORDER BY id FOR NO KEY UPDATE;
                DELETE FROM attendance_years WHERE student_id = ANY(touched);
                INSERT INTO attendance_years ({COLUMNS}) {summed};
                RETURN NULL;
            END $$
        """)
    # Emptying the records (by hand: no code path truncates them) empties their summary.
    op.execute("""
        CREATE FUNCTION attendance_years_on_truncate() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM attendance_years;
            RETURN NULL;
        END $$
    """)
    for event, transitions in [*TRANSITIONS.items(), ("truncate", "")]:
        op.execute(f"""
            CREATE TRIGGER attendance_years_on_{event}
            AFTER {event.upper()} ON attendance_records {transitions}
            FOR EACH STATEMENT EXECUTE FUNCTION attendance_years_on_{event}()
        """)
    backfill = SUMMED.format(source="attendance_records", where="")
    op.execute(f"INSERT INTO attendance_years ({COLUMNS}) {backfill}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for event in [*TRANSITIONS, "truncate"]:
            op.execute(f"DROP TRIGGER attendance_years_on_{event} ON attendance_records")
            op.execute(f"DROP FUNCTION attendance_years_on_{event}()")
    op.drop_table("attendance_years")
