"""Resource directory: hours, eligibility, and retired places

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hours", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("eligibility", sa.String(length=500), nullable=True))
        batch_op.add_column(
            sa.Column("retired", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_column("retired")
        batch_op.drop_column("eligibility")
        batch_op.drop_column("hours")
