"""resources.csv written from the directory, in the columns the import reads back unchanged."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach_bot.attendance.csv_kinds import RESOURCES
from outreach_bot.models import Resource

COLUMNS: tuple[str, ...] = tuple(column.name for column in RESOURCES.columns)


def export_rows(session: Session) -> Iterator[list[str]]:
    """The header, then every place (retired ones too, marked Y) in id order."""
    yield list(COLUMNS)
    for resource in session.scalars(select(Resource).order_by(Resource.id)):
        yield [_cell(getattr(resource, column.field)) for column in RESOURCES.columns]


def write_csv(session: Session, handle: IO[str]) -> int:
    """Write resources.csv to an open text file; the number of places written."""
    writer = csv.writer(handle, lineterminator="\n")
    count = -1
    for row in export_rows(session):
        writer.writerow(row)
        count += 1
    return count


def _cell(value: object) -> str:
    """A stored value as the import reads it: Y/N for yes/no, blank for nothing."""
    if isinstance(value, bool):
        return "Y" if value else "N"
    return "" if value is None else str(value)
