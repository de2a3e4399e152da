"""The stored OneRoster records: deltas and bulk files applied in dateLastModified order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from outreach_bot.models import OneRosterRecord
from outreach_bot.oneroster.manifest import BULK
from outreach_bot.oneroster.records import ACTIVE, DELETED, Record
from outreach_bot.oneroster.writes import copy_records, on_postgresql

Records = dict[str, dict[str, Record]]  # file -> sourcedId -> record

# Rows per executemany, to bound the memory of one statement's parameters.
_BATCH = 10_000
_TABLE = cast(Table, OneRosterRecord.__table__)


def load_records(session: Session) -> Records:
    """Every stored record, by file and sourcedId (plain rows: no ORM objects to track)."""
    records: Records = defaultdict(dict)
    columns = (_TABLE.c.file, _TABLE.c.sourced_id, _TABLE.c.status)
    query = select(*columns, _TABLE.c.date_last_modified, _TABLE.c.data)
    for file, sourced_id, status, modified, data in session.execute(query):
        records[file][sourced_id] = Record(file, sourced_id, status, modified, data)
    return records


@dataclass
class Merge:
    """A file applied to the stored records: the result, what changed, what was too old."""

    after: dict[str, Record]
    changed: set[str] = field(default_factory=set)
    older: list[Record] = field(default_factory=list)
    deleted: set[str] = field(default_factory=set)  # active before, deleted now
    seen: set[str] = field(default_factory=set)  # every sourcedId the file holds
    new: set[str] = field(default_factory=set)  # changed, and not stored before


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
    if old is None:
        result.new.add(new.sourced_id)
    if new.status == DELETED and (old is None or old.status == ACTIVE):
        result.deleted.add(new.sourced_id)


def save_records(session: Session, merges: dict[str, Merge]) -> None:
    """Store the records each merge changed; the merge knows which are new, so none is re-read."""
    inserts: list[tuple[str, str, str, datetime | None, dict[str, Any]]] = []
    updates: list[tuple[str, str, str, datetime | None, dict[str, Any]]] = []
    for file, result in merges.items():
        for sourced_id in result.changed:
            record = result.after[sourced_id]
            row = (file, sourced_id, record.status, record.modified, record.data)
            (inserts if sourced_id in result.new else updates).append(row)
    if on_postgresql(session):
        copy_records(session, inserts, updates)
        return
    names = ("status", "date_last_modified", "data")
    changed = update(_TABLE).where(
        _TABLE.c.file == bindparam("key_file"),
        _TABLE.c.sourced_id == bindparam("key_sourced_id"),
    )
    for statement, rows, key in (
        (insert(_TABLE), inserts, ("file", "sourced_id")),
        (changed, updates, ("key_file", "key_sourced_id")),
    ):
        for start in range(0, len(rows), _BATCH):
            batch = rows[start : start + _BATCH]
            session.execute(
                statement, [dict(zip((*key, *names), row, strict=True)) for row in batch]
            )
