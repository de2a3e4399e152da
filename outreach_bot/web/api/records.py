"""PUT /api/v1/students, /guardians, /attendance: a batch of records, upserted like a CSV file."""

from __future__ import annotations

import logging
from typing import Any

from flask import request
from sqlalchemy.exc import IntegrityError

from outreach_bot.attendance.record_batch import BatchResult, RecordError, import_records
from outreach_bot.staff import audit
from outreach_bot.web import runtime
from outreach_bot.web.api import blueprint
from outreach_bot.web.api.auth import current_caller
from outreach_bot.web.api.operations import operation
from outreach_bot.web.api.problems import ApiProblem
from outreach_bot.web.api.schemas import ApiError, ImportQuery, ImportResult

# Ten thousand records of a few hundred bytes each, with room to spare.
MAX_BODY_BYTES = 32 * 1024 * 1024
log = logging.getLogger(__name__)


@blueprint.put("/students")
@operation(scope="write", ok=ImportResult, query=ImportQuery, records="students")
def put_students(query: ImportQuery) -> tuple[dict[str, Any], int]:
    """Create or update students, each record a row of students.csv."""
    return _put("students", query)


@blueprint.put("/guardians")
@operation(scope="write", ok=ImportResult, query=ImportQuery, records="guardians")
def put_guardians(query: ImportQuery) -> tuple[dict[str, Any], int]:
    """Create or update guardians, each record a row of guardians.csv."""
    return _put("guardians", query)


@blueprint.put("/attendance")
@operation(scope="write", ok=ImportResult, query=ImportQuery, records="attendance")
def put_attendance(query: ImportQuery) -> tuple[dict[str, Any], int]:
    """Create or update daily attendance, each record a row of attendance.csv."""
    return _put("attendance", query)


def _put(kind: str, query: ImportQuery) -> tuple[dict[str, Any], int]:
    request.max_content_length = MAX_BODY_BYTES
    body = request.get_json()  # Flask answers 400 for broken JSON, 415 for another type
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list):
        message = 'the body is not an object with a "records" list; send {"records": [...]}'
        result = BatchResult(kind, rejected=True, errors=[RecordError(None, "records", message)])
        return _render(result), 422
    caller = current_caller()
    rt = runtime()
    try:
        with rt.db.transaction() as session:
            result = import_records(session, kind, records, partial=query.partial)
            if not result.rejected:
                audit.record(
                    session,
                    user_id=None,
                    action="api_import",
                    now=rt.clock(),
                    target_type="api_token",
                    target_id=caller.token_id,
                    detail=f"{kind} by token {caller.name}: {result.created} created,"
                    f" {result.updated} updated, {result.unchanged} unchanged,"
                    f" {result.bad_records} bad records",
                )
    except IntegrityError:
        # Only a concurrent writer can break a key the import has checked.
        raise ApiProblem(
            409,
            "the database changed while this batch was being imported (another import at"
            " once?); nothing was written; send the batch again",
        ) from None
    log.info(
        "API %s batch from token %s: %d created, %d updated, %d unchanged, %d errors%s",
        kind,
        caller.name,
        result.created,
        result.updated,
        result.unchanged,
        len(result.errors),
        "; nothing written" if result.rejected else "",
    )
    return _render(result), 422 if result.errors else 200


def _render(result: BatchResult) -> dict[str, Any]:
    errors = [ApiError(index=e.index, field=e.field, message=e.message) for e in result.errors]
    return ImportResult(
        kind=result.kind,  # type: ignore[arg-type]
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        rejected=result.rejected,
        errors=errors,
    ).model_dump(mode="json")
