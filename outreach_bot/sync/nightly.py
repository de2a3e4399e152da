"""One run of the drop folder: each waiting file imported in its own transaction, then filed.

A file that fails changes nothing (its transaction is rolled back, and an import with a bad
row writes nothing anyway) and goes to failed/ with a report naming each problem; the files
after it are still imported. The caller tells the district admins and runs the scan.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from outreach_bot.attendance.codes import AttendanceCodes, CodesFileError, read_codes
from outreach_bot.attendance.importer import import_file
from outreach_bot.attendance.periods import PeriodRule
from outreach_bot.db import Database
from outreach_bot.oneroster.directory import import_export
from outreach_bot.sync.drop_folder import (
    CODES,
    DONE,
    FAILED,
    ONEROSTER,
    UNKNOWN,
    Drop,
    file_away,
    pending,
)

log = logging.getLogger(__name__)


class ImportFailed(Exception):
    """A dropped file could not be imported; the lines say why, for its report."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("; ".join(lines))
        self.lines = lines


@dataclass(frozen=True)
class RosterChoices:
    """What a dropped OneRoster export needs from the district's settings."""

    zone: ZoneInfo
    default_language: str = "en"
    language_column: str = "metadata.language"


def import_oneroster_drop(
    session: Session, path: Path, roster: RosterChoices, now: datetime
) -> list[str]:
    """Import a dropped OneRoster folder or zip; its summary lines, or ImportFailed."""
    report = import_export(
        session,
        path,
        zone=roster.zone,
        today=now.astimezone(roster.zone).date(),
        default_language=roster.default_language,
        language_column=roster.language_column,
    )
    lines = [*(str(problem) for problem in report.errors), *report.lines()]
    if report.rejected:
        raise ImportFailed(lines)
    return lines


@dataclass(frozen=True)
class FileOutcome:
    """What became of one dropped file: its kind, where it went, and its report's lines."""

    name: str
    kind: str
    imported: bool
    filed_as: Path
    lines: list[str]


@dataclass
class SyncResult:
    """One run of the drop folder."""

    night: date
    files: list[FileOutcome] = field(default_factory=list)
    arriving: list[str] = field(default_factory=list)  # changed too recently: left for later

    @property
    def failed(self) -> list[FileOutcome]:
        """The files that were not imported."""
        return [outcome for outcome in self.files if not outcome.imported]


def _codes_table(drops: list[Drop]) -> tuple[AttendanceCodes | None, list[str]]:
    """The district's codes file from the folder, or why attendance files cannot use one."""
    found = [drop for drop in drops if drop.kind == CODES]
    if len(found) > 1:
        names = " and ".join(drop.name for drop in found)
        return None, [f"the drop folder holds two codes files ({names}); keep one"]
    if not found:
        return None, []
    try:
        return read_codes(found[0].path.read_bytes(), found[0].name), []
    except CodesFileError as error:
        return None, [str(problem) for problem in error.errors]


def _import_csv(
    session: Session,
    drop: Drop,
    codes: AttendanceCodes | None,
    rule: PeriodRule,
) -> list[str]:
    if drop.kind == "attendance":
        report = import_file(session, drop.kind, drop.path, codes=codes, periods=rule)
    else:
        report = import_file(session, drop.kind, drop.path)
    if report.rejected:
        raise ImportFailed([*(str(error) for error in report.errors), report.summary()])
    return [report.summary()]


def _import_one(
    db: Database,
    drop: Drop,
    codes: AttendanceCodes | None,
    codes_problems: list[str],
    rule: PeriodRule,
    roster: RosterChoices,
    now: datetime,
) -> list[str]:
    """Import one drop in a transaction of its own; raises ImportFailed, having written nothing."""
    if drop.kind == UNKNOWN:
        raise ImportFailed([f"{drop.name}: {drop.problem}"])
    if drop.kind == "attendance" and codes_problems:
        raise ImportFailed(
            [*codes_problems, f"{drop.name} needs the codes file, which cannot be used"]
        )
    try:
        with db.transaction() as session:
            if drop.kind == ONEROSTER:
                return import_oneroster_drop(session, drop.path, roster, now)
            return _import_csv(session, drop, codes, rule)
    except IntegrityError:
        raise ImportFailed(
            [
                f"{drop.name}: the database changed while it was imported (another import"
                " running at once?); drop the file in the folder again"
            ]
        ) from None


def _report(night: date, now: datetime, drop: Drop, imported: bool, lines: list[str]) -> str:
    verdict = (
        "imported"
        if imported
        else "NOT imported: nothing from this file was loaded. Fix what the lines below say,"
        " then drop the file in the folder again."
    )
    head = [
        f"outreach-bot nightly sync, night of {night.isoformat()}, at {now.isoformat()}",
        f"{drop.name} ({drop.kind}): {verdict}",
        "",
    ]
    return "\n".join([*head, *lines]) + "\n"


def sync_drop_folder(
    db: Database,
    folder: Path,
    *,
    night: date,
    now: datetime,
    period_rule: PeriodRule,
    roster: RosterChoices,
) -> SyncResult:
    """Import every file waiting in `folder`, in order, and file each in done/ or failed/."""
    drops, arriving = pending(folder, now=now)
    result = SyncResult(night, arriving=arriving)
    codes, codes_problems = _codes_table(drops)
    for drop in drops:
        if drop.kind == CODES:
            continue
        try:
            lines = _import_one(db, drop, codes, codes_problems, period_rule, roster, now)
            imported = True
        except OperationalError:
            raise  # the database is away: leave the files where they are for the next run
        except ImportFailed as failure:
            lines, imported = failure.lines, False
        except Exception:
            log.exception("drop folder: %s could not be imported", drop.name)
            lines = [f"{drop.name}: an unexpected error stopped the import (see the worker's log)"]
            imported = False
        report = _report(night, now, drop, imported, lines)
        filed = file_away(drop, DONE if imported else FAILED, night=night, report=report)
        result.files.append(FileOutcome(drop.name, drop.kind, imported, filed, lines))
        log.info(
            "drop folder: %s (%s) %s", drop.name, drop.kind, "imported" if imported else "failed"
        )
    return result
