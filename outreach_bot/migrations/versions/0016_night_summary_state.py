"""attendance_summaries carry the night forward: present streak, peak band, the last school
day the rules ran for the student and a digest of their series up to it

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attendance_summaries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("consecutive_present", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("peak_band_rank", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("evaluated_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("series_digest", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attendance_summaries", schema=None) as batch_op:
        batch_op.drop_column("series_digest")
        batch_op.drop_column("evaluated_on")
        batch_op.drop_column("peak_band_rank")
        batch_op.drop_column("consecutive_present")
