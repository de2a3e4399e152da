"""The record of nightly syncs: which night is due, claiming it once, and how it ended."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from outreach_bot.config import Settings
from outreach_bot.db import Database
from outreach_bot.models import NightlySync
from outreach_bot.staff import district_settings
from outreach_bot.sync.nightly import SyncResult
from outreach_bot.sync.schedule import night_due

NIGHTLY_SYNC = "outreach_bot.nightly_jobs.nightly_sync"  # the job the tick queues
# A night's files may be large (a million attendance rows): far more than RQ's three minutes.
SYNC_TIMEOUT_SECONDS = 4 * 3600


def due_night(session: Session, settings: Settings, now: datetime) -> date | None:
    """The night whose sync should run now (None: nothing runs nightly, or it has run)."""
    if not settings.scans_nightly:
        return None
    hour = district_settings.effective(session, settings).sync_hour
    night = night_due(now.astimezone(ZoneInfo(settings.district_timezone)), hour)
    return None if session.get(NightlySync, night) is not None else night


def claim(db: Database, night: date, now: datetime) -> bool:
    """Record that a night's sync has started; False when it already had (another run)."""
    try:
        with db.transaction() as session:
            session.add(NightlySync(night=night, started_at=now, files_imported=0, files_failed=0))
    except IntegrityError:
        return False
    return True


def finish(session: Session, result: SyncResult, now: datetime) -> None:
    """Record how a night's sync ended."""
    row = session.get_one(NightlySync, result.night)
    row.finished_at = now
    row.files_imported = len(result.files) - len(result.failed)
    row.files_failed = len(result.failed)
