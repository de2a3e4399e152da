"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 04:48:32.888704
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import outreach_bot.db

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "phone_numbers",
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("opted_out_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("opt_out_source", sa.String(length=32), nullable=True),
        sa.Column("undeliverable_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("undeliverable_code", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_phone_numbers")),
    )
    op.create_table(
        "resources",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("barrier", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("zip", sa.String(length=10), nullable=True),
        sa.Column("school_id", sa.String(length=64), nullable=True),
        sa.Column("languages", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resources")),
    )
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resources_barrier"), ["barrier"], unique=False)

    op.create_table(
        "schools",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("zip", sa.String(length=10), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schools")),
    )
    op.create_table(
        "status_callbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_sid", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_code", sa.String(length=16), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("processed_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_callbacks")),
        sa.UniqueConstraint(
            "message_sid", "status", name=op.f("uq_status_callbacks_message_sid_status")
        ),
    )
    with op.batch_alter_table("status_callbacks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_status_callbacks_message_sid"), ["message_sid"], unique=False
        )

    op.create_table(
        "calendar_days",
        sa.Column("school_id", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("instructional", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_calendar_days_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("school_id", "date", name=op.f("pk_calendar_days")),
    )
    op.create_table(
        "students",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("school_id", sa.String(length=64), nullable=False),
        sa.Column("grade", sa.String(length=8), nullable=False),
        sa.Column("zip", sa.String(length=10), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("english_learner", sa.Boolean(), nullable=True),
        sa.Column("iep", sa.Boolean(), nullable=True),
        sa.Column("low_income", sa.Boolean(), nullable=True),
        sa.Column("race_ethnicity", sa.String(length=64), nullable=True),
        sa.Column("gender", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_students_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_students")),
    )
    with op.batch_alter_table("students", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_students_school_id"), ["school_id"], unique=False)

    op.create_table(
        "attendance_records",
        sa.Column("student_id", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("minutes_missed", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_attendance_records_student_id_students")
        ),
        sa.PrimaryKeyConstraint("student_id", "date", name=op.f("pk_attendance_records")),
    )
    op.create_table(
        "attendance_summaries",
        sa.Column("student_id", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("instructional_days", sa.Integer(), nullable=False),
        sa.Column("absences", sa.Integer(), nullable=False),
        sa.Column("consecutive_absences", sa.Integer(), nullable=False),
        sa.Column("absent_today", sa.Boolean(), nullable=False),
        sa.Column("band", sa.String(length=32), nullable=False),
        sa.Column("scanned_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_attendance_summaries_student_id_students"),
        ),
        sa.PrimaryKeyConstraint("student_id", name=op.f("pk_attendance_summaries")),
    )
    with op.batch_alter_table("attendance_summaries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_summaries_band"), ["band"], unique=False)

    op.create_table(
        "guardians",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("relationship", sa.String(length=64), nullable=True),
        sa.Column("sms_consent", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_guardians_student_id_students")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guardians")),
        sa.UniqueConstraint("student_id", "phone", name=op.f("uq_guardians_student_id_phone")),
    )
    with op.batch_alter_table("guardians", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guardians_phone"), ["phone"], unique=False)
        batch_op.create_index(batch_op.f("ix_guardians_student_id"), ["student_id"], unique=False)

    op.create_table(
        "trigger_firings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.String(length=64), nullable=False),
        sa.Column("trigger", sa.String(length=64), nullable=False),
        sa.Column("episode", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("fired_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_trigger_firings_student_id_students")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trigger_firings")),
        sa.UniqueConstraint(
            "student_id",
            "trigger",
            "episode",
            name=op.f("uq_trigger_firings_student_id_trigger_episode"),
        ),
    )
    with op.batch_alter_table("trigger_firings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trigger_firings_student_id"), ["student_id"], unique=False
        )

    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("guardian_id", sa.Integer(), nullable=True),
        sa.Column("student_id", sa.String(length=64), nullable=True),
        sa.Column("trigger_firing_id", sa.Integer(), nullable=True),
        sa.Column("flow", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("due_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["guardian_id"], ["guardians.id"], name=op.f("fk_conversations_guardian_id_guardians")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_conversations_student_id_students")
        ),
        sa.ForeignKeyConstraint(
            ["trigger_firing_id"],
            ["trigger_firings.id"],
            name=op.f("fk_conversations_trigger_firing_id_trigger_firings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversations_due_at"), ["due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_conversations_guardian_id"), ["guardian_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_conversations_phone"), ["phone"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversations_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_conversations_student_id"), ["student_id"], unique=False
        )

    op.create_table(
        "barrier_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.String(length=64), nullable=True),
        sa.Column("guardian_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("barrier", sa.String(length=32), nullable=False),
        sa.Column("reported_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_barrier_reports_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["guardian_id"], ["guardians.id"], name=op.f("fk_barrier_reports_guardian_id_guardians")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_barrier_reports_student_id_students")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_barrier_reports")),
    )
    with op.batch_alter_table("barrier_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_barrier_reports_student_id"), ["student_id"], unique=False
        )

    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.String(length=64), nullable=True),
        sa.Column("guardian_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("school_id", sa.String(length=64), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("due_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notified_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_escalations_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["guardian_id"], ["guardians.id"], name=op.f("fk_escalations_guardian_id_guardians")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_escalations_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_escalations_student_id_students")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
    )
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalations_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_escalations_school_id"), ["school_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_escalations_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_escalations_student_id"), ["student_id"], unique=False)

    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("guardian_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("encoding", sa.String(length=8), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=True),
        sa.Column("purpose", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_code", sa.String(length=16), nullable=True),
        sa.Column("provider_sid", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", outreach_bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retry_of_id", sa.Integer(), nullable=True),
        sa.Column("created_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("queued_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("processed_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("raw", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_messages_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["guardian_id"], ["guardians.id"], name=op.f("fk_messages_guardian_id_guardians")
        ),
        sa.ForeignKeyConstraint(
            ["retry_of_id"], ["messages.id"], name=op.f("fk_messages_retry_of_id_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("provider_sid", name=op.f("uq_messages_provider_sid")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_messages_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_messages_guardian_id"), ["guardian_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_messages_phone"), ["phone"], unique=False)
        batch_op.create_index(
            "ix_messages_status_not_before", ["status", "not_before"], unique=False
        )

    op.create_table(
        "contact_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("staff", sa.String(length=200), nullable=True),
        sa.Column("attempted_at", outreach_bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            name=op.f("fk_contact_attempts_escalation_id_escalations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_attempts")),
    )
    with op.batch_alter_table("contact_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_attempts_escalation_id"), ["escalation_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("contact_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_attempts_escalation_id"))

    op.drop_table("contact_attempts")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_status_not_before")
        batch_op.drop_index(batch_op.f("ix_messages_phone"))
        batch_op.drop_index(batch_op.f("ix_messages_guardian_id"))
        batch_op.drop_index(batch_op.f("ix_messages_conversation_id"))

    op.drop_table("messages")
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalations_student_id"))
        batch_op.drop_index(batch_op.f("ix_escalations_status"))
        batch_op.drop_index(batch_op.f("ix_escalations_school_id"))
        batch_op.drop_index(batch_op.f("ix_escalations_due_at"))

    op.drop_table("escalations")
    with op.batch_alter_table("barrier_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_barrier_reports_student_id"))

    op.drop_table("barrier_reports")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversations_student_id"))
        batch_op.drop_index(batch_op.f("ix_conversations_status"))
        batch_op.drop_index(batch_op.f("ix_conversations_phone"))
        batch_op.drop_index(batch_op.f("ix_conversations_guardian_id"))
        batch_op.drop_index(batch_op.f("ix_conversations_due_at"))

    op.drop_table("conversations")
    with op.batch_alter_table("trigger_firings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trigger_firings_student_id"))

    op.drop_table("trigger_firings")
    with op.batch_alter_table("guardians", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guardians_student_id"))
        batch_op.drop_index(batch_op.f("ix_guardians_phone"))

    op.drop_table("guardians")
    with op.batch_alter_table("attendance_summaries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_summaries_band"))

    op.drop_table("attendance_summaries")
    op.drop_table("attendance_records")
    with op.batch_alter_table("students", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_students_school_id"))

    op.drop_table("students")
    op.drop_table("calendar_days")
    with op.batch_alter_table("status_callbacks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_callbacks_message_sid"))

    op.drop_table("status_callbacks")
    op.drop_table("schools")
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resources_barrier"))

    op.drop_table("resources")
    op.drop_table("phone_numbers")
