"""GET /api/v1/escalations and /students/{id}/outreach: what happened, a page at a time."""

from __future__ import annotations

from typing import Any

from outreach_bot.attendance.csv_fields import shown
from outreach_bot.staff.feeds import (
    OutreachEvent,
    escalations_page,
    outreach_page,
    student_exists,
)
from outreach_bot.web import runtime
from outreach_bot.web.api import blueprint
from outreach_bot.web.api.cursor import (
    id_cursor,
    read_id_cursor,
    read_timeline_cursor,
    timeline_cursor,
)
from outreach_bot.web.api.operations import operation
from outreach_bot.web.api.problems import ApiProblem
from outreach_bot.web.api.schemas import (
    BarrierEvent,
    ContactEvent,
    EscalationItem,
    EscalationPage,
    EscalationQuery,
    MessageEvent,
    OutreachPage,
    PageQuery,
)


@blueprint.get("/escalations")
@operation(scope="read", ok=EscalationPage, query=EscalationQuery)
def list_escalations(query: EscalationQuery) -> dict[str, Any]:
    """List escalations by id, all of them or only the open (or closed) ones."""
    after = read_id_cursor(query.cursor)
    with runtime().db.transaction() as session:
        page = escalations_page(session, status=query.status, after_id=after, limit=query.limit)
        items = [EscalationItem.model_validate(case) for case in page.items]
    next_cursor = id_cursor(items[-1].id) if page.more else None
    return EscalationPage(items=items, next_cursor=next_cursor).model_dump(mode="json")


@blueprint.get("/students/<student_id>/outreach")
@operation(
    scope="read",
    ok=OutreachPage,
    query=PageQuery,
    path={"student_id": "The student's id in the student information system."},
)
def student_outreach(student_id: str, query: PageQuery) -> dict[str, Any]:
    """List a student's outreach, oldest first: texts, replies, barriers and contact attempts."""
    after = read_timeline_cursor(query.cursor)
    with runtime().db.transaction() as session:
        if not student_exists(session, student_id):
            raise ApiProblem(
                404,
                f"no student has the id {shown(student_id)}; send the student_id used in"
                " students.csv",
                field="student_id",
            )
        page = outreach_page(session, student_id, after=after, limit=query.limit)
        items = [_item(event) for event in page.items]
    next_cursor = timeline_cursor(page.items[-1].key) if page.more else None
    return OutreachPage(student_id=student_id, items=items, next_cursor=next_cursor).model_dump(
        mode="json"
    )


_SHAPES: dict[str, type[MessageEvent | BarrierEvent | ContactEvent]] = {
    "text": MessageEvent,
    "reply": MessageEvent,
    "barrier": BarrierEvent,
    "contact": ContactEvent,
}


def _item(event: OutreachEvent) -> MessageEvent | BarrierEvent | ContactEvent:
    shape = _SHAPES[event.kind]
    given = {"type": event.kind, "at": event.at}
    fields = {name: getattr(event.record, name) for name in shape.model_fields if name not in given}
    return shape.model_validate({**fields, **given})
