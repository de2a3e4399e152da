"""The audit log: who viewed or did what, and when. Never message text or phone numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.models import AuditEvent, User

EXPORT_COLUMNS = (
    "id",
    "at_utc",
    "user_id",
    "user_email",
    "action",
    "target_type",
    "target_id",
    "detail",
)


def record(
    session: Session,
    *,
    user_id: int | None,
    action: str,
    now: datetime,
    target_type: str | None = None,
    target_id: object = None,
    detail: str | None = None,
) -> AuditEvent:
    """Add one row to the audit log."""
    event = AuditEvent(
        at=now,
        user_id=user_id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        detail=detail[:200] if detail else None,
    )
    session.add(event)
    return event


def recent(
    session: Session, *, limit: int = 200, user_id: int | None = None, action: str | None = None
) -> list[tuple[AuditEvent, str | None]]:
    """The newest events, with each actor's email."""
    query = (
        select(AuditEvent, User.email)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    if user_id is not None:
        query = query.where(AuditEvent.user_id == user_id)
    if action:
        query = query.where(AuditEvent.action == action)
    return [(event, email) for event, email in session.execute(query)]


def export_csv(session: Session) -> Iterator[str]:
    """The whole log as CSV lines, oldest first, read in pages."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    last_id = 0
    while True:
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        page = session.execute(
            select(AuditEvent, User.email)
            .outerjoin(User, User.id == AuditEvent.user_id)
            .where(AuditEvent.id > last_id)
            .order_by(AuditEvent.id)
            .limit(500)
        ).all()
        if not page:
            return
        for event, email in page:
            writer.writerow(
                [
                    event.id,
                    event.at.isoformat(),
                    event.user_id or "",
                    email or "",
                    event.action,
                    event.target_type or "",
                    event.target_id or "",
                    event.detail or "",
                ]
            )
            last_id = event.id
