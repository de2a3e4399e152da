"""The nightly sync's jobs: the tick queues `nightly_sync` once the night's hour has come.

Thin, like the other jobs: they open transactions and call the sync and staff modules,
then run the scan as of the night synced.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from outreach_bot.attendance.scan import ScanResult
from outreach_bot.jobs import _runtime, relay_outbox, run_scan
from outreach_bot.notices.rules import load_rules
from outreach_bot.notices.run import RunResult, run_notices
from outreach_bot.runtime import Runtime
from outreach_bot.staff import audit, district_settings
from outreach_bot.staff.catalog import StaffCatalog
from outreach_bot.staff.import_alerts import alert_admins, record_files
from outreach_bot.sync import nights
from outreach_bot.sync.nightly import RosterChoices, SyncResult, sync_drop_folder

log = logging.getLogger(__name__)


def nightly_sync(night: str) -> str:
    """Sync the drop folder for a night (YYYY-MM-DD), once however often it is queued."""
    rt = _runtime()
    day = date.fromisoformat(night)
    if not nights.claim(rt.db, day, rt.clock()):
        return "already ran"
    result, _scan = sync_now(rt, day)
    with rt.db.transaction() as session:
        nights.finish(session, result, rt.clock())
    return f"{len(result.files) - len(result.failed)} imported, {len(result.failed)} failed"


def sync_now(rt: Runtime, night: date) -> tuple[SyncResult, ScanResult]:
    """Import what waits in IMPORT_DIR, tell the district admins of failures, then scan and
    send the truancy notices due (when NOTICES_STATE turns them on).

    Without IMPORT_DIR (attendance comes through the API, say), it only scans and sends notices.
    """
    folder = rt.settings.import_dir
    result = SyncResult(night) if folder is None else _import_folder(rt, folder, night)
    # The scan runs whatever the files did: a school whose attendance did not come is
    # skipped and named in the audit log, and the others are scanned.
    scanned = run_scan(night)
    send_notices(rt, night)
    return result, scanned


def _import_folder(rt: Runtime, folder: Path, night: date) -> SyncResult:
    """Import the drop folder's files, and tell the district admins of any that failed."""
    if not folder.is_dir():
        log.error("the drop folder (IMPORT_DIR) is not a folder this worker can read")
        with rt.db.transaction() as session:
            audit.record(
                session,
                user_id=None,
                action="sync_folder_missing",
                now=rt.clock(),
                detail="IMPORT_DIR is not set to a folder this worker can read",
            )
        return SyncResult(night)
    with rt.db.transaction() as session:
        rule = district_settings.effective(session, rt.settings).period_rule
    settings = rt.settings
    roster = RosterChoices(
        ZoneInfo(settings.district_timezone),
        settings.district_language,
        settings.oneroster_language_column,
    )
    result = sync_drop_folder(
        rt.db, folder, night=night, now=rt.clock(), period_rule=rule, roster=roster
    )
    with rt.db.transaction() as session:
        now = rt.clock()
        record_files(session, result.files, now=now)
        alert_admins(
            session,
            result.failed,
            settings=rt.settings,
            quiet=rt.quiet_hours,
            catalog=StaffCatalog(rt.settings.locales_dir),
            now=now,
        )
    return result


def send_notices(rt: Runtime, night: date) -> RunResult | None:
    """The truancy notices due as of the night synced, once the district turned them on
    (NOTICES_STATE); their texts are queued like the scan's. None when notices are off."""
    state = rt.settings.notices_state
    if not state:
        return None
    rules = load_rules(rt.settings.flows_dir, state)
    with rt.db.transaction() as session:
        sent = run_notices(
            session, rules=rules, as_of=night, now=rt.clock(), conversations=rt.conversations
        )
    relay_outbox()
    log.info("notices as of %s: %s", night.isoformat(), dict(sent.sent) or "none due")
    return sent
