"""notice prints: a batch of letters rendered by a worker, kept a day for the one who asked

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import outreach_bot.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice_prints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notice_ids", sa.JSON(), nullable=False),
        sa.Column("filename", sa.String(length=80), nullable=False),
        sa.Column("finished_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_notice_prints_requested_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_prints")),
    )
    with op.batch_alter_table("notice_prints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notice_prints_requested_by"), ["requested_by"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("notice_prints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_prints_requested_by"))
    op.drop_table("notice_prints")
