"""Writing guardians and students costs less: no foreign keys to students and to schools

- guardians.student_id loses its foreign key to students, and students.school_id its foreign
  key to schools, as attendance_records.student_id lost its own in 0014. PostgreSQL checks
  one a row at a time, by a trigger: about half the cost of the INSERTs of a large
  guardians.csv or students.csv merge. Every writer of guardians and students already
  refuses an unknown student or school before writing (the importers, the API through them,
  and the OneRoster paths, which check the rows they derive), and nothing deletes students
  or schools. See docs/architecture.md.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 20:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# (table, constraint, column, referred table)
KEYS = (
    ("guardians", "fk_guardians_student_id_students", "student_id", "students"),
    ("students", "fk_students_school_id_schools", "school_id", "schools"),
)


def upgrade() -> None:
    for table, name, _column, _referred in KEYS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_="foreignkey")


def downgrade() -> None:
    for table, name, column, referred in KEYS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_foreign_key(name, referred, [column], ["id"])
