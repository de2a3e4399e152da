"""Importing SIS exports: read, check every row, then upsert by natural key, all or nothing.

Rows are written through the caller's session and never committed here. Nothing is written
from a source with a bad row unless `skip_bad_rows` is given; nothing at all from a file that
cannot be read. Existing rows are loaded in one query per kind, so a row costs no query.
Attendance may come with the district's codes table and, for period files, its roll-up rule
(see sis_attendance). On PostgreSQL a large file (attendance, students, guardians) is merged
inside the database: COPY-ed as it is when it is plainly good (copied_file), else staged row
by row (staging).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.attendance.codes import AttendanceCodes
from outreach_bot.attendance.copied_file import Progress, can_copy, copy_file
from outreach_bot.attendance.csv_kinds import KINDS, REFERENCES, Kind
from outreach_bot.attendance.csv_reader import (
    CsvRow,
    CsvTable,
    UnreadableFile,
    column_name,
    decode_csv,
    open_csv,
)
from outreach_bot.attendance.import_report import ImportReport, RowError
from outreach_bot.attendance.periods import PeriodRule
from outreach_bot.attendance.row_reader import RowReader
from outreach_bot.attendance.sis_attendance import DayKey, PeriodDays, reading_of
from outreach_bot.attendance.staging import Staging, can_stage, room_to_work
from outreach_bot.attendance.upsert import upsert

__all__ = [
    "KIND_NAMES",
    "ImportReport",
    "Progress",
    "RowError",
    "import_bytes",
    "import_file",
    "import_rows",
]

KIND_NAMES: tuple[str, ...] = tuple(KINDS)
# Rows between two progress calls: often enough for a terminal, rare enough to cost nothing.
_PROGRESS_EVERY = 2_000
log = logging.getLogger(__name__)


def import_file(
    session: Session,
    kind: str,
    path: Path | str,
    *,
    skip_bad_rows: bool = False,
    codes: AttendanceCodes | None = None,
    periods: PeriodRule | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one CSV file of a kind (schools, students, ...); the caller commits.

    `codes` reads an attendance file's status column as the district's codes; `periods` is
    the roll-up rule for an attendance file with a period column (default: absent all periods).
    """
    path = Path(path)
    spec = _kind(kind)
    try:
        table = open_csv(path, path.name)
    except OSError as error:
        problem = RowError(path.name, None, None, f"the file cannot be read ({error.strerror})")
        return _rejected(spec, path.name, [problem])
    except UnreadableFile as unreadable:
        return _rejected(spec, path.name, [unreadable.error])
    return _import_table(session, spec, table, skip_bad_rows, codes, periods, progress)


def import_bytes(
    session: Session,
    kind: str,
    data: bytes,
    source_name: str,
    *,
    skip_bad_rows: bool = False,
    codes: AttendanceCodes | None = None,
    periods: PeriodRule | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a CSV file's bytes (an upload, say), naming it `source_name` in every error."""
    spec = _kind(kind)
    try:
        table = decode_csv(data, source_name)
    except UnreadableFile as unreadable:
        return _rejected(spec, source_name, [unreadable.error])
    return _import_table(session, spec, table, skip_bad_rows, codes, periods, progress)


def _import_table(
    session: Session,
    spec: Kind,
    table: CsvTable,
    skip_bad_rows: bool,
    codes: AttendanceCodes | None,
    periods: PeriodRule | None,
    progress: Progress | None,
) -> ImportReport:
    """Import a checked file's records."""
    source = table.source
    try:
        spec, days = reading_of(spec, table.positions, codes=codes, periods=periods)
        header_errors = _header_errors(spec, source, table.positions, table.duplicates)
        if header_errors:
            return _rejected(spec, source, header_errors)
        rows = table.rows()
        if progress is not None:
            rows = _told(rows, progress, table.newlines + 1)
        if days is None and can_stage(session, spec):
            if can_copy(table, spec):
                reader = RowReader(spec, source, table.positions, {})
                copied = copy_file(session, spec, table, reader, codes, progress)
                if copied is not None:
                    return _logged(copied, spec)
            return _import_staged(session, spec, source, rows, table.positions, skip_bad_rows)
        return _import(session, spec, source, rows, table.positions, skip_bad_rows, days)
    except UnreadableFile as unreadable:
        return _rejected(spec, source, [unreadable.error])


def import_rows(
    session: Session,
    kind: str,
    rows: Iterable[Mapping[str, object]],
    source_name: str,
    *,
    skip_bad_rows: bool = False,
    first_line: int = 1,
    codes: AttendanceCodes | None = None,
    periods: PeriodRule | None = None,
) -> ImportReport:
    """Import records given as mappings (a JSON body, say), numbered from `first_line` in errors.

    Attendance records with a `period` field are period rows, rolled up by `periods`.
    """
    numbered = (
        CsvRow(line, {column_name(name): _cell(value) for name, value in row.items()})
        for line, row in enumerate(rows, start=first_line)
    )
    first = next(numbered, None)
    header = first.values if first is not None else {}
    spec, days = reading_of(_kind(kind), header, codes=codes, periods=periods)
    every = itertools.chain([first] if first is not None else [], numbered)
    return _import(session, spec, source_name, every, {}, skip_bad_rows, days)


def _kind(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(
            f"{kind!r} is not a kind of import; expected one of {', '.join(KIND_NAMES)}"
        ) from None


def _told(rows: Iterator[CsvRow], progress: Progress, total: int) -> Iterator[CsvRow]:
    """The rows, telling `progress` how far into the file they have got."""
    for count, row in enumerate(rows, start=1):
        if count % _PROGRESS_EVERY == 0:
            progress(row.line, total)
        yield row
    progress(total, total)


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
    days: PeriodDays | None = None,
) -> ImportReport:
    reader = RowReader(spec, source, positions, _known(session, spec))
    report = ImportReport(spec.name, source)
    bad_lines: set[int] = set()
    good: dict[tuple[Any, ...], dict[str, Any]] = {}
    first_seen: dict[tuple[Any, ...], int] = {}
    spoiled: set[DayKey] = set()  # days with a bad period row
    for row in rows:
        values, errors = ({}, [row.error]) if row.error else reader.read(row)
        if not errors:
            key = tuple(values[attribute] for attribute in spec.key)
            if key in first_seen:
                errors = [reader.duplicate(row.line, first_seen[key])]
            else:
                first_seen[key] = row.line
                good[key] = values
        if errors:
            bad_lines.add(row.line)
            report.errors.extend(errors)
            if days is not None and {"student_id", "date"} <= values.keys():
                spoiled.add((values["student_id"], values["date"]))
    report.bad_rows = len(bad_lines)
    if report.errors and not skip_bad_rows:
        report.rejected = True
        return report
    if days is not None:
        good, spec = days.days(good, spoiled), days.day_kind
    upsert(session, spec, good, report)
    return _logged(report, spec)


def _import_staged(
    session: Session,
    spec: Kind,
    source: str,
    rows: Iterable[CsvRow],
    positions: Mapping[str, int],
    skip_bad_rows: bool,
) -> ImportReport:
    """`_import` on PostgreSQL for a large kind: the good rows go to a staging table as they
    are read, so memory stays flat however long the file; same checks, errors and counts."""
    reader = RowReader(spec, source, positions, _known(session, spec))
    report = ImportReport(spec.name, source)

    broken: list[UnreadableFile] = []

    def good_rows() -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            for row in rows:
                values, errors = ({}, [row.error]) if row.error else reader.read(row)
                if errors:
                    report.errors.extend(errors)
                else:
                    yield row.line, values
        except UnreadableFile as unreadable:
            # Raised after the COPY ends cleanly: a failed COPY would abort the transaction.
            broken.append(unreadable)

    staging = Staging(session, spec)
    staging.copy(good_rows())
    if broken:
        raise broken[0]
    with room_to_work(session):
        repeated = staging.repeated()
    report.errors.extend(reader.duplicate(line, first) for line, first in repeated)
    # Each line has either its own errors or a repeated key, never both: in line order, the
    # errors read as the one-pass reading lists them.
    report.errors.sort(key=lambda error: error.line or 0)
    report.bad_rows = len({error.line for error in report.errors})
    if report.errors and not skip_bad_rows:
        report.rejected = True
        return report
    with room_to_work(session):
        staging.merge([line for line, _first in repeated], report)
    return _logged(report, spec)


def _known(session: Session, spec: Kind) -> dict[str, set[Any]]:
    """The stored ids each referring column must name."""
    return {
        name: set(session.scalars(select(REFERENCES[name].attribute)))
        for name in {column.refers_to for column in spec.columns if column.refers_to}
    }


def _logged(report: ImportReport, spec: Kind) -> ImportReport:
    log.info(
        "imported %s: %d created, %d updated, %d unchanged, %d bad rows",
        spec.name,
        report.created,
        report.updated,
        report.unchanged,
        report.bad_rows,
    )
    return report
