"""Holdout arms: which arm of a trigger's holdout each firing put its student in

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trigger_firings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arm", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("trigger_firings", schema=None) as batch_op:
        batch_op.drop_column("arm")
