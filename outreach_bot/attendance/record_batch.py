"""A batch of records given as JSON objects (the API's PUTs), imported as a CSV file's rows are.

Each record is checked for its shape (an object of known fields, each a JSON scalar of the
field's type) and then handed, with the others, to the CSV importer, so that a record means
exactly what a CSV row with the same cells means: same readers, same checks, same upserts.
Errors are placed by the record's index in the batch and the field's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from outreach_bot.attendance import csv_fields as read
from outreach_bot.attendance.csv_kinds import KINDS, Column, Kind
from outreach_bot.attendance.importer import import_rows

MAX_RECORDS = 10_000
SOURCE = "request body"
# The importer names the first of two rows with one key by its line; here lines are indexes.
_FIRST_OF_TWO = re.compile(r"^line (\d+) has the same ")
_JSON_NAMES = {bool: "true or false", int: "a number", float: "a number", str: "a string"}
_TYPE_WORDS = {
    "string": "a string",
    "boolean": "true or false",
    "integer": "a whole number",
    "null": "null",
}


@dataclass(frozen=True)
class RecordError:
    """One problem in a batch: the record's index (None for the batch), the field, and why."""

    index: int | None
    field: str | None
    message: str


@dataclass
class BatchResult:
    """What importing a batch did; `rejected` when nothing from it was written."""

    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: bool = False
    errors: list[RecordError] = field(default_factory=list)

    @property
    def bad_records(self) -> int:
        """How many records had at least one error."""
        return len({error.index for error in self.errors if error.index is not None})


def json_types(column: Column) -> tuple[str, ...]:
    """The JSON Schema types a field takes: a CSV cell's text, or the natural JSON value."""
    natural = {read.boolean: "boolean", read.minutes: "integer", read.grade: "integer"}
    types = ["string"]
    if column.read in natural:
        types.append(natural[column.read])
    if not column.required:
        types.append("null")  # null is a blank cell: it clears the stored value
    return tuple(types)


def import_records(
    session: Session, kind: str, records: Sequence[object], *, partial: bool
) -> BatchResult:
    """Import a batch of records; the caller commits. All or nothing unless `partial`."""
    spec = KINDS[kind]
    if len(records) > MAX_RECORDS:
        message = f"the batch has {len(records)} records; send at most {MAX_RECORDS:,} at a time"
        return BatchResult(kind, rejected=True, errors=[RecordError(None, "records", message)])
    errors: list[RecordError] = []
    rows: list[Mapping[str, object]] = []
    for index, record in enumerate(records):
        problems = _shape_errors(spec, index, record)
        errors.extend(problems)
        # A misshapen record stands in as an empty one: it fails the importer's required
        # fields, so it is never written, and keeps every later record at its own index.
        rows.append({} if problems or not isinstance(record, dict) else record)
    misshapen = {error.index for error in errors}
    report = import_rows(session, kind, rows, SOURCE, skip_bad_rows=partial, first_line=0)
    for row_error in report.errors:
        if row_error.line in misshapen:
            continue  # the empty stand-in's complaints say nothing the shape error did not
        message = _FIRST_OF_TWO.sub(r"record \1 has the same ", row_error.message)
        errors.append(RecordError(row_error.line, row_error.column, message))
    errors.sort(key=lambda error: -1 if error.index is None else error.index)
    return BatchResult(
        kind,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=report.rejected,
        errors=errors,
    )


def _shape_errors(spec: Kind, index: int, record: object) -> list[RecordError]:
    if not isinstance(record, dict):
        found = _json_name(record)
        expected = ", ".join(column.name for column in spec.required)
        return [
            RecordError(index, None, f"the record is {found}; expected an object with {expected}")
        ]
    columns = {column.name: column for column in spec.columns}
    problems = []
    for name, value in record.items():
        column = columns.get(name)
        if column is None:
            problems.append(
                RecordError(
                    index,
                    str(name),
                    f"{read.shown(str(name))} is not a field of a {spec.name} record;"
                    f" expected one of {', '.join(columns)}",
                )
            )
        elif not _fits(value, json_types(column)):
            problems.append(
                RecordError(
                    index,
                    name,
                    f"the value is {_json_name(value)}; expected {column.expected}"
                    f" ({' or '.join(_TYPE_WORDS[t] for t in json_types(column))})",
                )
            )
    return problems


def _fits(value: Any, types: tuple[str, ...]) -> bool:
    if value is None:
        return "null" in types
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, int):
        return "integer" in types
    return isinstance(value, str)


def _json_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return _JSON_NAMES.get(type(value), type(value).__name__)
