"""Storing a family's text from the webhook: first, exactly once, before anything else."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Insert, Table, bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from outreach_bot.db import UTCDateTime, driver_scalar
from outreach_bot.messaging.segments import measure
from outreach_bot.models import Guardian, Message
from outreach_bot.phones import sender_phone


def store_inbound(connection: Connection, form: Mapping[str, str], *, now: datetime) -> int | None:
    """Store a webhook's message raw; its id, or None when this MessageSid was stored before.

    One statement, built once: INSERT ... ON CONFLICT DO NOTHING, so the same message
    arriving twice, even at the same moment, is stored once; the guardian on file for the
    phone, if any, is looked up inside it. On PostgreSQL psycopg runs it, compiled once
    (see `driver_scalar`).
    """
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    if not sid:
        raise ValueError("the webhook has no MessageSid; expected Twilio's form fields")
    body = form.get("Body", "")
    phone = sender_phone(form.get("From", ""))
    size = measure(body)
    values = {
        "phone": phone,
        "body": body,
        "provider_sid": sid,
        "segments": size.count,
        "encoding": size.encoding,
        "created_at": now,
        "raw": dict(form),
    }
    if connection.dialect.name != "postgresql":
        found: int | None = connection.execute(_STORE, values).scalar()
        return found
    # As SQLAlchemy's types would send them: the time in UTC, the form as JSON text.
    values["created_at"] = _CREATED_AT.process_bind_param(now, connection.dialect)
    values["raw"] = json.dumps(values["raw"])
    stored: int | None = driver_scalar(connection, _POSTGRESQL_SQL, _POSTGRESQL_FIXED | values)
    return stored


def _store_statement(postgresql: bool) -> Insert:
    """The webhook's one statement, for each dialect; its values come as bound parameters."""
    messages = cast(Table, Message.__table__)
    guardian_id = (
        select(Guardian.id)
        .where(Guardian.phone == bindparam("phone"))
        .order_by(Guardian.id)
        .limit(1)
        .scalar_subquery()
    )
    insert = postgresql_insert if postgresql else sqlite_insert
    return (
        insert(messages)
        .values(
            direction="inbound",
            phone=bindparam("phone"),
            guardian_id=guardian_id,
            body=bindparam("body"),
            status="received",
            provider_sid=bindparam("provider_sid"),
            segments=bindparam("segments"),
            encoding=bindparam("encoding"),
            attempts=0,
            created_at=bindparam("created_at", type_=UTCDateTime()),
            raw=bindparam("raw", type_=messages.c.raw.type),
        )
        .on_conflict_do_nothing()
        .returning(messages.c.id)
    )


_STORE = _store_statement(postgresql=False)
_CREATED_AT = UTCDateTime()
# PostgreSQL's statement as psycopg takes it, and the values fixed in it (direction, status…).
_POSTGRESQL = _store_statement(postgresql=True).compile(dialect=psycopg_dialect())  # type: ignore[no-untyped-call]
_POSTGRESQL_SQL = str(_POSTGRESQL)
_POSTGRESQL_FIXED = {name: value for name, value in _POSTGRESQL.params.items() if value is not None}
