"""guardians: no index of its own on student_id, which the (student_id, phone) unique one leads

Every query of guardians by student alone (a student's guardians, the scan's families, the
reports) can use uq_guardians_student_id_phone, whose first column is student_id; the second
index only cost each guardians.csv import a btree insert a row (issue 15).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 17:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("guardians", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guardians_student_id"))


def downgrade() -> None:
    with op.batch_alter_table("guardians", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guardians_student_id"), ["student_id"], unique=False)
