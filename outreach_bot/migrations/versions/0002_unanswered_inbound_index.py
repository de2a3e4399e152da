"""an index of the texts from families not yet answered

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 06:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UNANSWERED = "direction = 'inbound' AND processed_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_unanswered",
            ["phone", "id"],
            unique=False,
            postgresql_where=sa.text(UNANSWERED),
            sqlite_where=sa.text(UNANSWERED),
        )


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_messages_unanswered",
            postgresql_where=sa.text(UNANSWERED),
            sqlite_where=sa.text(UNANSWERED),
        )
