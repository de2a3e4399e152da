"""Writing an import's roster rows and records: set-based on PostgreSQL, by batches elsewhere.

On PostgreSQL the rows go by `COPY` into a temporary table and are merged from there in one
statement (the attendance import's `Staging`), instead of one parameter set a row: the
statements are the same few whatever the export's size. SQLite keeps `upsert`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import Table, text
from sqlalchemy.orm import Session

from outreach_bot.attendance.csv_kinds import Kind
from outreach_bot.attendance.import_report import ImportReport
from outreach_bot.attendance.staging import Staging
from outreach_bot.attendance.upsert import upsert
from outreach_bot.models import OneRosterRecord

_RECORDS = cast(Table, OneRosterRecord.__table__)
_RECORD_COLUMNS = "file, sourced_id, status, date_last_modified, data"


def on_postgresql(session: Session) -> bool:
    """Whether the session's database takes the COPY path."""
    return session.get_bind().dialect.name == "postgresql"


def write_rows(
    session: Session, spec: Kind, rows: Mapping[Any, dict[str, Any]], report: ImportReport
) -> None:
    """Insert the new roster rows and update the changed ones, counting each in the report."""
    if not rows:
        return  # nothing to compare: no stored row need be read
    if not on_postgresql(session):
        upsert(session, spec, rows, report)
        return
    staging = Staging(session, spec)
    # A row's line is only for repeats in a file; these rows are keyed already, so none repeat.
    staging.copy(enumerate(rows.values(), start=1))
    staging.merge([], report)


def copy_records(
    session: Session,
    inserts: Iterable[tuple[str, str, str, Any, dict[str, Any]]],
    updates: Iterable[tuple[str, str, str, Any, dict[str, Any]]],
) -> None:
    """Store OneRoster records on PostgreSQL: new ones by COPY, changed ones by one UPDATE.

    Each record is (file, sourced_id, status, date_last_modified, data).
    """
    raw: Any = session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {_RECORDS.name} ({_RECORD_COLUMNS}) FROM STDIN") as copy:
            for file, sourced_id, status, modified, data in inserts:
                copy.write_row((file, sourced_id, status, modified, json.dumps(data)))
        cursor.execute(
            f"CREATE TEMPORARY TABLE oneroster_changed (LIKE {_RECORDS.name}) ON COMMIT DROP"
        )
        with cursor.copy(f"COPY oneroster_changed ({_RECORD_COLUMNS}) FROM STDIN") as copy:
            for file, sourced_id, status, modified, data in updates:
                copy.write_row((file, sourced_id, status, modified, json.dumps(data)))
    session.execute(
        text(
            f"UPDATE {_RECORDS.name} AS r SET status = c.status,"
            " date_last_modified = c.date_last_modified, data = c.data"
            " FROM oneroster_changed AS c"
            " WHERE r.file = c.file AND r.sourced_id = c.sourced_id"
        )
    )
    session.execute(text("DROP TABLE oneroster_changed"))
