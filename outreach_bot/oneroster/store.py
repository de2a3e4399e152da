"""The stored OneRoster records: deltas and bulk files applied in dateLastModified order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.attendance.csv_fields import identifier
from outreach_bot.attendance.csv_kinds import Column, Kind
from outreach_bot.attendance.import_report import ImportReport
from outreach_bot.attendance.importer import upsert
from outreach_bot.models import OneRosterRecord
from outreach_bot.oneroster.manifest import BULK
from outreach_bot.oneroster.records import ACTIVE, DELETED, Record

Records = dict[str, dict[str, Record]]  # file -> sourcedId -> record

_STORED = Kind(
    "oneroster_records",
    OneRosterRecord,
    (
        Column("file", identifier, "a OneRoster file", True),
        Column("sourced_id", identifier, "a sourcedId", True),
        Column("status", identifier, "a status", True),
        Column("date_last_modified", identifier, "a date and time"),
        Column("data", identifier, "the record's fields"),
    ),
    key=("file", "sourced_id"),
    once="each record may appear once",  # the readers are unused: rows come checked
)


def load_records(session: Session) -> Records:
    """Every stored record, by file and sourcedId."""
    records: Records = defaultdict(dict)
    for row in session.scalars(select(OneRosterRecord)):
        records[row.file][row.sourced_id] = Record(
            row.file, row.sourced_id, row.status, row.date_last_modified, dict(row.data)
        )
    return records


@dataclass
class Merge:
    """A file applied to the stored records: the result, what changed, what was too old."""

    after: dict[str, Record]
    changed: set[str] = field(default_factory=set)
    older: list[Record] = field(default_factory=list)
    deleted: set[str] = field(default_factory=set)  # active before, deleted now
    seen: set[str] = field(default_factory=set)  # every sourcedId the file holds


def merge(
    stored: dict[str, Record],
    incoming: Iterable[Record],
    mode: str,
    deleted_on: DeletedOn,
    skipped: Iterable[str] = (),
) -> Merge:
    """Apply a file's records; in a bulk file, a stored record it leaves out is deleted.

    `skipped` are the sourcedIds of the file's bad rows: they stay as stored, never deleted.
    """
    result = Merge(dict(stored))
    seen = result.seen
    seen.update(skipped)
    for record in incoming:
        seen.add(record.sourced_id)
        old = stored.get(record.sourced_id)
        if old and old.modified and record.modified and record.modified < old.modified:
            result.older.append(record)
            continue
        new = _deleted(old, record, deleted_on) if record.status == DELETED else record
        _apply(result, old, new)
    if mode == BULK:
        for sourced_id, old in stored.items():
            if sourced_id not in seen and old.status == ACTIVE:
                _apply(result, old, _deleted(old, old, deleted_on))
    return result


class DeletedOn:
    """The day a deletion takes effect: the day before the export says, so nothing fires on it."""

    def __init__(self, zone: ZoneInfo, today: date) -> None:
        self.zone, self.today = zone, today

    def __call__(self, modified: datetime | None) -> str:
        when = modified.astimezone(self.zone).date() if modified else self.today
        return (when - timedelta(days=1)).isoformat()


def _deleted(old: Record | None, record: Record, deleted_on: DeletedOn) -> Record:
    data = dict(old.data) if old else {}
    if old is None or old.status != DELETED:
        # A bulk file that leaves a record out carries no date: the import day stands in.
        data["deleted_on"] = deleted_on(record.modified if record is not old else None)
    modified = record.modified or (old.modified if old else None)
    return Record(record.file, record.sourced_id, DELETED, modified, data, record.line)


def _apply(result: Merge, old: Record | None, new: Record) -> None:
    if old and (old.status, old.modified, old.data) == (new.status, new.modified, new.data):
        return
    result.after[new.sourced_id] = new
    result.changed.add(new.sourced_id)
    if new.status == DELETED and (old is None or old.status == ACTIVE):
        result.deleted.add(new.sourced_id)


def save_records(session: Session, merges: dict[str, Merge]) -> None:
    """Store the records each merge changed, through the importer's upsert."""
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for file, result in merges.items():
        for sourced_id in result.changed:
            record = result.after[sourced_id]
            rows[(file, sourced_id)] = {
                "file": file,
                "sourced_id": sourced_id,
                "status": record.status,
                "date_last_modified": record.modified,
                "data": record.data,
            }
    upsert(session, _STORED, rows, ImportReport(_STORED.name, "oneroster"))
