"""Importing SIS exports: read, check every row, then upsert by natural key, all or nothing.

Rows are written through the caller's session and never committed here. Nothing is written
from a source with a bad row unless `skip_bad_rows` is given; nothing at all from a file that
cannot be read. Existing rows are loaded in one query per kind, so a row costs no query.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, inspect, select, update
from sqlalchemy.orm import Session

from outreach_bot.attendance.csv_fields import shown
from outreach_bot.attendance.csv_kinds import KINDS, REFERENCES, Kind
from outreach_bot.attendance.csv_reader import CsvRow, UnreadableFile, column_name, decode_csv
from outreach_bot.attendance.import_report import ImportReport, RowError

__all__ = ["KIND_NAMES", "ImportReport", "RowError", "import_bytes", "import_file", "import_rows"]

KIND_NAMES: tuple[str, ...] = tuple(KINDS)
# Rows per executemany, to bound the memory of one statement's parameters.
_BATCH = 10_000
log = logging.getLogger(__name__)


def import_file(
    session: Session, kind: str, path: Path | str, *, skip_bad_rows: bool = False
) -> ImportReport:
    """Import one CSV file of a kind (schools, students, ...); the caller commits."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        problem = RowError(path.name, None, None, f"the file cannot be read ({error.strerror})")
        return _rejected(_kind(kind), path.name, [problem])
    return import_bytes(session, kind, data, path.name, skip_bad_rows=skip_bad_rows)


def import_bytes(
    session: Session, kind: str, data: bytes, source_name: str, *, skip_bad_rows: bool = False
) -> ImportReport:
    """Import a CSV file's bytes (an upload, say), naming it `source_name` in every error."""
    spec = _kind(kind)
    try:
        table = decode_csv(data, source_name)
        header_errors = _header_errors(spec, source_name, table.positions, table.duplicates)
        if header_errors:
            return _rejected(spec, source_name, header_errors)
        return _import(session, spec, source_name, table.rows(), table.positions, skip_bad_rows)
    except UnreadableFile as unreadable:
        return _rejected(spec, source_name, [unreadable.error])


def import_rows(
    session: Session,
    kind: str,
    rows: Iterable[Mapping[str, object]],
    source_name: str,
    *,
    skip_bad_rows: bool = False,
    first_line: int = 1,
) -> ImportReport:
    """Import records given as mappings (a JSON body, say), numbered from `first_line` in errors."""
    spec = _kind(kind)
    numbered = (
        CsvRow(line, {column_name(name): _cell(value) for name, value in row.items()})
        for line, row in enumerate(rows, start=first_line)
    )
    return _import(session, spec, source_name, numbered, {}, skip_bad_rows)


def _kind(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(
            f"{kind!r} is not a kind of import; expected one of {', '.join(KIND_NAMES)}"
        ) from None


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _rejected(spec: Kind, source: str, errors: list[RowError]) -> ImportReport:
    return ImportReport(spec.name, source, errors=errors, rejected=True)


def _header_errors(
    spec: Kind, source: str, positions: Mapping[str, int], duplicates: Mapping[str, list[int]]
) -> list[RowError]:
    errors = []
    expected = ", ".join(column.name for column in spec.required)
    for column in spec.required:
        if column.name not in positions:
            errors.append(
                RowError(
                    source,
                    1,
                    column.name,
                    f"the header has no {column.name} column; expected a {spec.name} file,"
                    f" whose header has {expected}",
                )
            )
    for column in spec.columns:
        if column.name in duplicates:
            places = " and ".join(str(position) for position in duplicates[column.name])
            errors.append(
                RowError(
                    source,
                    1,
                    column.name,
                    f"the header names {column.name} more than once (columns {places}); keep one",
                )
            )
    return errors


def _import(
    session: Session,
    spec: Kind,
    source: str,
    rows: Iterable[CsvRow],
    positions: Mapping[str, int],
    skip_bad_rows: bool,
) -> ImportReport:
    known = {
        name: set(session.scalars(select(REFERENCES[name].attribute)))
        for name in {column.refers_to for column in spec.columns if column.refers_to}
    }
    report = ImportReport(spec.name, source)
    bad_lines: set[int] = set()
    good: dict[tuple[Any, ...], dict[str, Any]] = {}
    first_seen: dict[tuple[Any, ...], int] = {}
    for row in rows:
        values, errors = (
            ({}, [row.error]) if row.error else _read_row(spec, source, row, positions, known)
        )
        if not errors:
            key = tuple(values[attribute] for attribute in spec.key)
            if key in first_seen:
                errors = [_duplicate(spec, source, row.line, first_seen[key], positions)]
            else:
                first_seen[key] = row.line
                good[key] = values
        if errors:
            bad_lines.add(row.line)
            report.errors.extend(errors)
    report.bad_rows = len(bad_lines)
    if report.errors and not skip_bad_rows:
        report.rejected = True
        return report
    _upsert(session, spec, good, report)
    log.info(
        "imported %s: %d created, %d updated, %d unchanged, %d bad rows",
        spec.name,
        report.created,
        report.updated,
        report.unchanged,
        report.bad_rows,
    )
    return report


def _read_row(
    spec: Kind,
    source: str,
    row: CsvRow,
    positions: Mapping[str, int],
    known: Mapping[str, set[Any]],
) -> tuple[dict[str, Any], list[RowError]]:
    """A row's values by model attribute, and every problem in it.

    Columns the source does not have, and blanks that keep the stored value, are left out
    of the values, so an import never clears what it was not given.
    """
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for column in spec.columns:
        cell = row.values.get(column.name)
        problem = None
        if cell is None or not cell.strip():
            if column.required:
                found = "the value is missing" if cell is None else "'' is empty"
                problem = f"{found}; expected {column.expected}"
            elif cell is not None and not column.blank_keeps:
                values[column.field] = None
        else:
            try:
                value = column.read(cell.strip())
            except ValueError as error:
                problem = str(error)
            else:
                if column.refers_to and value not in known[column.refers_to]:
                    problem = f"{shown(str(value))} {REFERENCES[column.refers_to].unknown}"
                values[column.field] = value
        if problem:
            place = positions.get(column.name)
            errors.append(RowError(source, row.line, column.name, problem, place))
    together = spec.check(values) if spec.check and not errors else None
    if together:
        name, problem = together
        errors.append(RowError(source, row.line, name, problem, positions.get(name)))
    return values, errors


def _duplicate(
    spec: Kind, source: str, line: int, first: int, positions: Mapping[str, int]
) -> RowError:
    names = [column.name for column in spec.columns if column.field in spec.key]
    return RowError(
        source,
        line,
        names[-1],
        f"line {first} has the same {' and '.join(names)}; {spec.once}",
        positions.get(names[-1]),
    )


def _upsert(
    session: Session,
    spec: Kind,
    good: Mapping[tuple[Any, ...], dict[str, Any]],
    report: ImportReport,
) -> None:
    mapper = inspect(spec.model)
    column_of = {attribute.key: attribute.columns[0] for attribute in mapper.column_attrs}
    primary_key = [column.key for column in mapper.primary_key]
    attributes = list(dict.fromkeys([*primary_key, *spec.key, *(c.field for c in spec.columns)]))
    query = select(*(column_of[attribute] for attribute in attributes))
    if spec.narrow_by and good:
        # A daily file would otherwise load every stored day of the year to compare one.
        days = [values[spec.narrow_by] for values in good.values()]
        query = query.where(column_of[spec.narrow_by].between(min(days), max(days)))
    key_places = [attributes.index(attribute) for attribute in spec.key]
    stored = {tuple(row[i] for i in key_places): row for row in session.execute(query)}

    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for key, values in good.items():
        row = stored.get(key)
        if row is None:
            new = {**spec.defaults, **values}
            inserts.append({column_of[name].name: value for name, value in new.items()})
            continue
        old = dict(zip(attributes, row, strict=True))
        changed = {name: value for name, value in values.items() if old[name] != value}
        if not changed:
            report.unchanged += 1
            continue
        # Every given value is set, not only the changed ones, so that batches share a shape.
        given = {column_of[name].name: value for name, value in values.items()}
        updates.append({**given, **{f"old_{name}": old[name] for name in primary_key}})
    report.created, report.updated = len(inserts), len(updates)

    # Core executemany by column name: the ORM's bulk path costs more than the database does.
    table = mapper.local_table
    for batch in _batches(inserts):
        session.execute(insert(table), batch)
    where = [column_of[name] == bindparam(f"old_{name}") for name in primary_key]
    for batch in _batches(updates):
        session.execute(update(table).where(*where), batch)


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Rows grouped by the columns they set, in batches of at most _BATCH."""
    groups: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[frozenset(row)].append(row)
    for group in groups.values():
        for start in range(0, len(group), _BATCH):
            yield group[start : start + _BATCH]


def upsert(
    session: Session,
    spec: Kind,
    rows: Mapping[tuple[Any, ...], dict[str, Any]],
    report: ImportReport,
) -> None:
    """Insert or update checked rows (model attribute -> value) by the kind's natural key."""
    _upsert(session, spec, rows, report)
