"""nightly syncs of the drop folder

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import outreach_bot.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nightly_syncs",
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("started_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("files_imported", sa.Integer(), nullable=False),
        sa.Column("files_failed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("night", name=op.f("pk_nightly_syncs")),
    )


def downgrade() -> None:
    op.drop_table("nightly_syncs")
