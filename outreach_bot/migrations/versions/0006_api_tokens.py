"""API tokens for the JSON API

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 08:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import outreach_bot.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("name", name=op.f("uq_api_tokens_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("api_tokens")
