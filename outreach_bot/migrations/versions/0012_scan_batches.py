"""Scan batches (a scan fanned out: schools, then groups of families) and when each firing's action was carried out

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 11:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scan_batches",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("part", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("school_id", sa.String(length=64), nullable=True),
        sa.Column("firing_ids", sa.JSON(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("act", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", "part", name=op.f("pk_scan_batches")),
    )
    with op.batch_alter_table("trigger_firings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acted_at", sa.DateTime(timezone=True), nullable=True))
    # Every firing before this revision was acted on in the scan that recorded it.
    op.execute("UPDATE trigger_firings SET acted_at = fired_at")
    # The scan's last step looks up the day's firings still waiting for their flow.
    op.create_index(
        "ix_trigger_firings_waiting",
        "trigger_firings",
        ["as_of"],
        postgresql_where=sa.text("acted_at IS NULL"),
        sqlite_where=sa.text("acted_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_trigger_firings_waiting", table_name="trigger_firings")
    with op.batch_alter_table("trigger_firings", schema=None) as batch_op:
        batch_op.drop_column("acted_at")
    op.drop_table("scan_batches")
