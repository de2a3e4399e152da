"""chronic_counts: the last school day's chronic report, written by the scan, and the
transactions that changed its inputs since (statement triggers, PostgreSQL)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import outreach_bot.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# Everything the chronic report reads (census_sql): a change to any of them since the counts
# were taken means counting afresh.
INPUTS = ("schools", "calendar_days", "students", "attendance_records", "attendance_years")


def upgrade() -> None:
    op.create_table(
        "chronic_counts_taken",
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("unlisted_weekdays", sa.Boolean(), nullable=False),
        sa.Column("rules", sa.String(length=64), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("xid", sa.BigInteger(), nullable=False),
        sa.Column("taken_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("as_of", name=op.f("pk_chronic_counts_taken")),
    )
    op.create_table(
        "chronic_counts",
        sa.Column("school_id", sa.String(length=64), nullable=False),
        sa.Column("grouping", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("band", sa.String(length=32), nullable=False),
        sa.Column("roster", sa.Integer(), nullable=False),
        sa.Column("standings", sa.Integer(), nullable=False),
        sa.Column("with_days", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("missing", sa.String(length=32), nullable=True),
        sa.Column("needed", sa.Date(), nullable=True),
        sa.Column("last_attendance", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint(
            "school_id", "grouping", "value", "band", name=op.f("pk_chronic_counts")
        ),
    )
    op.create_table(
        "chronic_count_changes",
        sa.Column("xid", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("xid", name=op.f("pk_chronic_count_changes")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    # One row a transaction, however many statements it runs: the first inserts, the rest
    # find their own row. Transactions never wait on each other here (each has its own xid).
    op.execute("""
        CREATE FUNCTION chronic_count_inputs_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO chronic_count_changes (xid)
            VALUES (CAST(CAST(pg_current_xact_id() AS text) AS bigint))
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$
    """)
    for table in INPUTS:
        op.execute(f"""
            CREATE TRIGGER chronic_count_inputs_changed
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION chronic_count_inputs_changed()
        """)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in INPUTS:
            op.execute(f"DROP TRIGGER chronic_count_inputs_changed ON {table}")
        op.execute("DROP FUNCTION chronic_count_inputs_changed()")
    op.drop_table("chronic_count_changes")
    op.drop_table("chronic_counts")
    op.drop_table("chronic_counts_taken")
