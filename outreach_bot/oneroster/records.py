"""Reading one OneRoster CSV file into records: each cell checked, each problem placed.

A record keeps the fields outreach-bot uses, JSON-ready (dates as YYYY-MM-DD), so that the
latest version of each can be stored and later deltas applied on top of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from outreach_bot.attendance import csv_fields as read
from outreach_bot.attendance.csv_reader import CsvRow, CsvTable, UnreadableFile, column_name
from outreach_bot.attendance.import_report import RowError

ACTIVE, DELETED = "active", "tobedeleted"


@dataclass(frozen=True)
class Field:
    """One column of a OneRoster file: how its cells are read, and the data key they go to."""

    name: str  # as the OneRoster specification spells it, for messages
    key: str
    read: read.Reader
    expected: str
    required: bool = False  # the header must have it, and an active record must fill it
    also: tuple[str, ...] = ()  # other spellings, newest specification first

    def column(self, positions: Mapping[str, int]) -> tuple[str, str] | None:
        """The (normalized, as spelled) header name this file uses for the field, if any."""
        for spelling in (self.name, *self.also):
            if column_name(spelling) in positions:
                return column_name(spelling), spelling
        return None


@dataclass(slots=True)
class Record:
    """One row of a OneRoster file, or its stored version (which has no line)."""

    file: str
    sourced_id: str
    status: str
    modified: datetime | None
    data: dict[str, Any] = field(default_factory=dict)
    line: int | None = None


@dataclass
class FileRead:
    """A file's records, the lines it skipped as not ours (teachers, say), and its problems."""

    name: str
    records: list[Record] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    unreadable: bool = False  # the file as a whole (its encoding or header) is wrong
    bad: dict[str, int] = field(default_factory=dict)  # sourcedId -> line, of rows with errors
    unplaced: int = 0  # bad rows whose sourcedId cannot be read

    def dropped(self, record: Record) -> None:
        """Note that a record was dropped for a bad link, so records pointing at it say so."""
        self.bad.setdefault(record.sourced_id, record.line or 0)

    def place(self, record: Record, name: str, problem: str) -> None:
        """Report a problem with a record, in a column named as the file spells it."""
        normalized = column_name(name)
        self.errors.append(
            RowError(self.name, record.line, name, problem, self.positions.get(normalized))
        )


# Decides from a row's cells whether it is a record outreach-bot keeps (a student, say).
Wanted = Callable[[Mapping[str, str]], bool]


def read_file(
    opened: Callable[[], CsvTable],
    file_name: str,
    fields: tuple[Field, ...],
    wanted: Wanted | None = None,
    *,
    stored: Mapping[str, Record] | None = None,
    finish: Callable[[Record], None] | None = None,
) -> FileRead:
    """Read a OneRoster file, `opened` as a table: the common columns, then `fields` for each
    wanted row, then `finish` on its record.

    A record the same as its `stored` version is that version, so that a re-import holds
    each unchanged record once, not twice.
    """
    result = FileRead(file_name)
    try:
        table = opened()
    except UnreadableFile as unreadable:
        result.errors.append(unreadable.error)
        result.unreadable = True
        return result
    result.positions = table.positions
    missing = [] if "sourcedid" in table.positions else ["sourcedId"]
    missing += [f.name for f in fields if f.required and f.column(table.positions) is None]
    for spelling in missing:
        result.errors.append(
            RowError(
                file_name,
                1,
                spelling,
                f"the header has no {spelling} column; expected a OneRoster {file_name}",
            )
        )
    if result.errors:
        result.unreadable = True
        return result
    try:
        _read_rows(result, table.rows(), fields, wanted, stored or {}, finish)
    except UnreadableFile as unreadable:
        result.errors.append(unreadable.error)
        result.unreadable = True
    return result


def _read_rows(
    result: FileRead,
    rows: Iterator[CsvRow],
    fields: tuple[Field, ...],
    wanted: Wanted | None,
    stored: Mapping[str, Record],
    finish: Callable[[Record], None] | None,
) -> None:
    # Row by row, never the whole file's rows at once: an export may hold a million users.
    first: dict[str, int] = {}
    # Each field's column is found once a file, not once a row.
    columns = [(spec, spec.column(result.positions)) for spec in fields]
    for row in rows:
        if row.error:
            result.errors.append(row.error)
            result.unplaced += 1
            continue
        if wanted is not None and not wanted(row.values):
            result.skipped += 1
            continue
        record = _record(result, row.line, row.values, columns)
        if record is None:
            continue
        if record.sourced_id in first:
            result.place(
                record,
                "sourcedId",
                f"line {first[record.sourced_id]} has the same sourcedId; each record may"
                " appear once in a file",
            )
            continue
        first[record.sourced_id] = record.line or 0
        if finish is not None:
            finish(record)
        old = stored.get(record.sourced_id)
        if old is not None and _same(old, record):
            old.line, record = record.line, old
        result.records.append(record)


def _same(old: Record, new: Record) -> bool:
    return (old.status, old.modified, old.data) == (new.status, new.modified, new.data)


def _record(
    result: FileRead,
    line: int,
    cells: Mapping[str, str],
    columns: list[tuple[Field, tuple[str, str] | None]],
) -> Record | None:
    errors_before = len(result.errors)
    sourced_id = cells.get("sourcedid", "").strip()
    record = Record(result.name, sourced_id, ACTIVE, None, line=line)
    if not sourced_id:
        result.place(record, "sourcedId", "'' is empty; expected the record's sourcedId")
    status = cells.get("status", "").strip()
    if status and status.casefold() not in (ACTIVE, DELETED):
        result.place(
            record,
            "status",
            f"{read.shown(status)} is not a status; expected active or tobedeleted (or blank)",
        )
    elif status:
        record.status = status.casefold()
    modified = cells.get("datelastmodified", "").strip()
    if modified:
        try:
            record.modified = modified_at(modified)
        except ValueError as error:
            result.place(record, "dateLastModified", str(error))
    for spec, found in columns:
        cell = cells.get(found[0], "").strip() if found else ""
        spelled = found[1] if found else spec.name
        if not cell:
            if spec.required and record.status == ACTIVE:
                result.place(record, spelled, f"'' is empty; expected {spec.expected}")
            continue
        try:
            record.data[spec.key] = spec.read(cell)
        except ValueError as error:
            # A record being deleted is not held to its other cells.
            if record.status == ACTIVE:
                result.place(record, spelled, str(error))
    if len(result.errors) == errors_before:
        return record
    if sourced_id:
        result.bad.setdefault(sourced_id, line)
    else:
        result.unplaced += 1
    return None


def modified_at(value: str) -> datetime:
    """An ISO 8601 date and time, such as 2026-09-01T12:00:00.000Z; UTC unless it says."""
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{read.shown(value)} is not a date and time; expected ISO 8601 such as"
            " 2026-09-01T12:00:00.000Z"
        ) from None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def sourced_ids(value: str) -> list[str]:
    """A comma-separated list of sourcedIds, as agentSourcedIds and orgSourcedIds hold."""
    return [part.strip() for part in value.split(",") if part.strip()]


def day(value: str) -> str:
    """A date, stored as YYYY-MM-DD; some exports write a date as midnight, with a time."""
    date_part, _, time_part = value.partition("T")
    if time_part and re.fullmatch(r"[0-9:.]+(Z|[+-][0-9:]+)?", time_part):
        value = date_part
    return read.school_date(value).isoformat()


def first_grade(value: str) -> str:
    """The first of a list of grades ("03" or "09,10"), as outreach-bot names grades."""
    first = sourced_ids(value)[0] if sourced_ids(value) else value
    # CEDS codes a OneRoster export uses that the students.csv reader does not know.
    ceds = {"PR": "PK", "IT": "PK"}
    return read.grade(ceds.get(first.upper(), first))


def folded(value: str) -> str:
    """An enumerated value (a role, an org type), compared without case."""
    return value.casefold()
