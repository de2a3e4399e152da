"""notices: the legally required truancy notices, and guardians' postal addresses

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 11:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import outreach_bot.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ADDRESS = (
    ("address_line1", 200),
    ("address_line2", 200),
    ("city", 100),
    ("state", 50),
    ("zip", 10),
)


def upgrade() -> None:
    with op.batch_alter_table("guardians", schema=None) as batch_op:
        for name, length in ADDRESS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.String(length=64), nullable=False),
        sa.Column("school_year_start", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("rules", sa.String(length=10), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("guardian_id", sa.Integer(), nullable=True),
        sa.Column("absence_dates", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("text_message_id", sa.Integer(), nullable=True),
        sa.Column("mailed_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("mailed_by", sa.Integer(), nullable=True),
        sa.Column("created_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["guardian_id"], ["guardians.id"], name=op.f("fk_notices_guardian_id_guardians")
        ),
        sa.ForeignKeyConstraint(
            ["mailed_by"], ["users.id"], name=op.f("fk_notices_mailed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_notices_student_id_students")
        ),
        sa.ForeignKeyConstraint(
            ["text_message_id"], ["messages.id"], name=op.f("fk_notices_text_message_id_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint(
            "student_id",
            "school_year_start",
            "stage",
            name=op.f("uq_notices_student_id_school_year_start_stage"),
        ),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notices_student_id"), ["student_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_student_id"))
    op.drop_table("notices")
    with op.batch_alter_table("guardians", schema=None) as batch_op:
        for name, _length in reversed(ADDRESS):
            batch_op.drop_column(name)
