"""Staff notices: new and overdue cases, batched into one email or text per person.

A notice carries counts and a link, never a student's name or anything about the family.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach_bot.config import Settings
from outreach_bot.messaging.outbox import queue_text
from outreach_bot.messaging.quiet_hours import QuietHours
from outreach_bot.models import Escalation, StaffNotice, User
from outreach_bot.models.message import STAFF_NOTIFICATION
from outreach_bot.staff import district_settings
from outreach_bot.staff.catalog import StaffCatalog
from outreach_bot.staff.scope import scope_of

log = logging.getLogger(__name__)
# Who hears about a case at each level; a level with nobody passes the notice upwards.
AUDIENCE = {
    "school": ("clerk", "school_lead"),
    "school_lead": ("school_lead",),
    "district": ("district_admin",),
}
ORDER = ("school", "school_lead", "district")


@dataclass
class Batch:
    """What one staff member will be told in one message."""

    user: User
    new: set[int] = field(default_factory=set)
    overdue: set[int] = field(default_factory=set)
    notice_ids: set[int] = field(default_factory=set)


def recipients(session: Session, case: Escalation, level: str) -> list[User]:
    """Active staff who should hear about a case at a level, plus whoever holds it."""
    staff = session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)).all()
    start = ORDER.index(level) if level in ORDER else 0
    chosen: list[User] = []
    for step in ORDER[start:]:
        chosen = [
            u for u in staff if u.role in AUDIENCE[step] and scope_of(u).covers(case.school_id)
        ]
        if chosen:
            break
    holder = next((u for u in staff if u.id == case.assigned_to_id), None)
    if holder is not None and holder not in chosen:
        chosen.append(holder)
    return chosen


def plan(session: Session) -> list[Batch]:
    """Group every unsent notice by recipient; notices of closed cases are simply retired."""
    batches: dict[int, Batch] = {}
    rows = session.execute(
        select(StaffNotice, Escalation)
        .join(Escalation, Escalation.id == StaffNotice.escalation_id)
        .where(StaffNotice.sent_at.is_(None))
        .order_by(StaffNotice.id)
    ).all()
    for notice, case in rows:
        if case.status != "open":
            continue
        for user in recipients(session, case, notice.level):
            batch = batches.setdefault(user.id, Batch(user))
            (batch.new if notice.kind == "new" else batch.overdue).add(case.id)
            batch.notice_ids.add(notice.id)
    for batch in batches.values():
        batch.new -= batch.overdue  # a case both new and already late counts once, as late
    return list(batches.values())


def compose(batch: Batch, catalog: StaffCatalog, link: str) -> tuple[str, str]:
    """The subject and body of one notice, in the recipient's language; no student data."""
    _ = catalog.get(batch.user.language).gettext
    subject = _("Attendance outreach: %(new)d new, %(overdue)d overdue") % {
        "new": len(batch.new),
        "overdue": len(batch.overdue),
    }
    body = _(
        "Cases waiting for you: %(new)d new, %(overdue)d overdue. Open the queue: %(link)s"
    ) % {
        "new": len(batch.new),
        "overdue": len(batch.overdue),
        "link": link,
    }
    return subject, body


def send_email(settings: Settings, to: str, subject: str, body: str) -> None:
    """One email through the configured SMTP server; raises OSError/SMTPException on failure."""
    message = EmailMessage()
    message["From"] = settings.smtp_from or f"outreach-bot@{settings.smtp_host}"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(str(settings.smtp_host), settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(message)


def _deliver(
    session: Session,
    batch: Batch,
    settings: Settings,
    quiet: QuietHours,
    catalog: StaffCatalog,
    now: datetime,
) -> bool:
    base = (settings.public_base_url or "").rstrip("/")
    subject, body = compose(batch, catalog, f"{base}/staff/")
    if not notify_user(session, batch.user, subject, body, settings=settings, quiet=quiet, now=now):
        return False
    batch.user.last_notified_at = now
    return True


def notify_user(
    session: Session,
    user: User,
    subject: str,
    body: str,
    *,
    settings: Settings,
    quiet: QuietHours,
    now: datetime,
) -> bool:
    """Tell one staff member by their channel: email, else a text (held in quiet hours).

    False when the email could not be sent, for the caller to try again; a user with no
    working channel is logged and counts as told.
    """
    if user.notify_by == "email" and settings.smtp_host:
        try:
            send_email(settings, user.email, subject, body)
        except (OSError, smtplib.SMTPException) as error:
            log.warning("staff notice to user %s not sent (%s); will retry", user.id, error)
            return False
    elif user.notify_by in ("email", "text") and user.phone:
        queue_text(
            session,
            phone=user.phone,
            body=body,
            language=user.language,
            origin="district",
            purpose=STAFF_NOTIFICATION,
            now=now,
            quiet=quiet,
        )
    else:
        log.warning(
            "user %s has no working notice channel; they will see cases in the queue", user.id
        )
    return True


def send_notices(
    session: Session, settings: Settings, quiet: QuietHours, catalog: StaffCatalog, now: datetime
) -> int:
    """Send due batches (at most one per notice period); returns how many went out.

    The period is the district's (District settings), else STAFF_NOTIFY_MINUTES.
    """
    every = district_settings.effective(session, settings).notify_every
    last = session.scalar(select(func.max(StaffNotice.sent_at)))
    if last is not None and now - last < every:
        return 0
    batches = plan(session)
    failed: set[int] = set()
    sent = 0
    for batch in batches:
        if _deliver(session, batch, settings, quiet, catalog, now):
            sent += 1
        else:
            failed |= batch.notice_ids
    pending = session.scalars(select(StaffNotice).where(StaffNotice.sent_at.is_(None))).all()
    notified: defaultdict[int, bool] = defaultdict(bool)
    for notice in pending:
        if notice.id not in failed:
            notice.sent_at = now
            notified[notice.escalation_id] = True
    for case_id in notified:
        session.get_one(Escalation, case_id).notified_at = now
    return sent
