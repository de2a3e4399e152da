"""What the nightly sync tells the district: an audit event per file, and a notice to each
district admin when a file failed.

The notice names the files, never a row of them: the reports beside the files (in the
district's own drop folder) hold the details, which may quote a student's data.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.config import Settings
from outreach_bot.messaging.quiet_hours import QuietHours
from outreach_bot.models import User
from outreach_bot.staff import audit
from outreach_bot.staff.catalog import StaffCatalog
from outreach_bot.staff.notifications import notify_user
from outreach_bot.sync.nightly import FileOutcome

log = logging.getLogger(__name__)


def record_files(session: Session, files: Sequence[FileOutcome], *, now: datetime) -> None:
    """One audit event per dropped file: imported, or failed and where its report is."""
    for outcome in files:
        where = f"{outcome.filed_as.parent.parent.name}/{outcome.filed_as.parent.name}"
        first = outcome.lines[0] if outcome.lines else ""
        audit.record(
            session,
            user_id=None,
            action="sync_imported_file" if outcome.imported else "sync_failed_file",
            now=now,
            target_type=outcome.kind,
            target_id=outcome.filed_as.name,
            # A failure's first line is its first problem, which may quote a cell: the
            # audit log keeps only the count of lines and the place of the report.
            detail=(first if outcome.imported else f"{len(outcome.lines)} problem lines")
            + f"; filed in {where}",
        )


def alert_admins(
    session: Session,
    failed: Sequence[FileOutcome],
    *,
    settings: Settings,
    quiet: QuietHours,
    catalog: StaffCatalog,
    now: datetime,
) -> int:
    """Tell every active district admin which files failed; returns how many were told."""
    if not failed:
        return 0
    admins = session.scalars(
        select(User).where(User.active.is_(True), User.role == "district_admin").order_by(User.id)
    ).all()
    names = ", ".join(outcome.name for outcome in failed)
    link = f"{(settings.public_base_url or '').rstrip('/')}/staff/audit"
    told = 0
    for admin in admins:
        _ = catalog.get(admin.language).gettext
        subject = _("Attendance outreach: a nightly import failed")
        body = _(
            "The nightly import could not load %(files)s, so nothing from it was imported."
            " Each file is in the failed folder with a report beside it that says what to fix."
            " Audit log: %(link)s"
        ) % {"files": names, "link": link}
        if notify_user(session, admin, subject, body, settings=settings, quiet=quiet, now=now):
            told += 1
    if not admins:
        log.warning("a nightly import failed and there is no active district admin to tell")
    return told
