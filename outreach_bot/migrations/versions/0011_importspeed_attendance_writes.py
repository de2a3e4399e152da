"""Writing attendance records costs less: no foreign key to students, a cheaper year summary

- attendance_records.student_id loses its foreign key. PostgreSQL checks one a row at a time,
  by a trigger: about a quarter of the time of merging a large attendance file. Every writer
  of attendance records already refuses an unknown student before writing (the importers,
  and the API through them), and nothing deletes students. See docs/architecture.md.
- attendance_years_on_insert builds absent-day bits from the absent rows only (FILTER): a
  present or tardy row no longer makes and ORs an empty bit string. Same rows out.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 11:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NAME = "fk_attendance_records_student_id_students"
ABSENCES = "('absent', 'excused', 'unexcused')"
NO_DAYS = "CAST(repeat('0', 366) AS bit(366))"
# The new records of a statement summed up per student and year, as 0010's SUMMED does.
ADDED = """
    INSERT INTO attendance_years
        (student_id, year_start, first_record, last_record, full_feed, absent_days)
    SELECT a.student_id, y.year_start, min(a.date), max(a.date),
           bool_or(a.status NOT IN {absences}),
           {bits}
    FROM new_rows a
    CROSS JOIN LATERAL (
        SELECT make_date(CAST(extract(year FROM a.date) AS int)
                         - CAST(extract(month FROM a.date) < 7 AS int), 7, 1) AS year_start
    ) y
    GROUP BY a.student_id, y.year_start
    ON CONFLICT (student_id, year_start) DO UPDATE SET
        first_record = least(attendance_years.first_record, excluded.first_record),
        last_record = greatest(attendance_years.last_record, excluded.last_record),
        full_feed = attendance_years.full_feed OR excluded.full_feed,
        absent_days = attendance_years.absent_days | excluded.absent_days
"""
BITS = {
    "0010": f"""bit_or(CASE WHEN a.status IN {ABSENCES}
                       THEN set_bit({NO_DAYS}, a.date - y.year_start, 1)
                       ELSE {NO_DAYS} END)""",
    "0011": f"""coalesce(bit_or(set_bit({NO_DAYS}, a.date - y.year_start, 1))
                    FILTER (WHERE a.status IN {ABSENCES}), {NO_DAYS})""",
}


def _on_insert(revision: str) -> None:
    added = ADDED.format(absences=ABSENCES, bits=BITS[revision])
    op.execute(f"""
        CREATE OR REPLACE FUNCTION attendance_years_on_insert() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            {added};
            RETURN NULL;
        END $$
    """)


def upgrade() -> None:
    with op.batch_alter_table("attendance_records", schema=None) as batch_op:
        batch_op.drop_constraint(NAME, type_="foreignkey")
    if op.get_bind().dialect.name == "postgresql":
        _on_insert("0011")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _on_insert("0010")
    with op.batch_alter_table("attendance_records", schema=None) as batch_op:
        batch_op.create_foreign_key(NAME, "students", ["student_id"], ["id"])
