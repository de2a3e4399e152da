"""GET /api/v1/escalations and /students/{id}/outreach: filtered, in order, paged by cursor."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from outreach_bot.models import (
    BarrierReport,
    ContactAttempt,
    Conversation,
    Escalation,
    Message,
)
from outreach_bot.runtime import Runtime
from tests.api_support import bearer, issue_token
from tests.factories import add_family, add_school

T0 = datetime(2026, 10, 14, 22, 0, tzinfo=UTC)
PHONE = "+15035550142"


@pytest.fixture
def token(runtime: Runtime) -> str:
    """A read token."""
    return issue_token(runtime, "read")


def walk(client: FlaskClient, token: str, url: str, **params: Any) -> list[dict[str, Any]]:
    """Every page of a paged list, following next_cursor; each page's body."""
    pages: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = client.get(url, query_string=query, headers=bearer(token))
        assert response.status_code == 200, response.get_json()
        pages.append(response.get_json())
        cursor = pages[-1]["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 50, "the cursor does not move on"


def add_escalations(runtime: Runtime, statuses: list[str]) -> list[int]:
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session)
        cases = [
            Escalation(
                student_id="S1001",
                school_id="LIN",
                reason="no_reply",
                status=status,
                due_at=T0 + timedelta(days=1),
                created_at=T0 + timedelta(minutes=n),
                closed_at=T0 + timedelta(hours=1) if status == "closed" else None,
                outcome="reached" if status == "closed" else None,
            )
            for n, status in enumerate(statuses)
        ]
        session.add_all(cases)
        session.flush()
        return [case.id for case in cases]


def test_open_escalations_page_by_page(runtime, client, token):
    ids = add_escalations(runtime, ["open", "closed", "open", "open", "closed", "open", "open"])
    opened = [i for i, s in zip(ids, ["o", "c", "o", "o", "c", "o", "o"], strict=True) if s == "o"]
    pages = walk(client, token, "/api/v1/escalations", status="open", limit=2)
    assert [len(page["items"]) for page in pages] == [2, 2, 1]
    assert [item["id"] for page in pages for item in page["items"]] == opened
    first = pages[0]["items"][0]
    assert (first["status"], first["student_id"], first["reason"]) == ("open", "S1001", "no_reply")
    assert first["created_at"] == "2026-10-14T22:00:00Z"
    everything = walk(client, token, "/api/v1/escalations", limit=3)
    assert [item["id"] for page in everything for item in page["items"]] == ids
    closed = walk(client, token, "/api/v1/escalations", status="closed")
    assert [item["outcome"] for item in closed[0]["items"]] == ["reached", "reached"]


def test_a_case_opened_between_pages_is_neither_skipped_nor_repeated(runtime, client, token):
    add_escalations(runtime, ["open", "open"])
    first = client.get("/api/v1/escalations?limit=1", headers=bearer(token)).get_json()
    with runtime.db.transaction() as session:
        session.add(Escalation(reason="no_reply", due_at=T0, created_at=T0, status="open"))
    rest = walk(client, token, "/api/v1/escalations", limit=1, cursor=first["next_cursor"])
    seen = [item["id"] for page in [first, *rest] for item in page["items"]]
    assert len(seen) == 3 and len(set(seen)) == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=pending", "status"),
        ("stauts=open", "stauts"),
        ("limit=0", "limit"),
        ("limit=many", "limit"),
        ("cursor=%25%25%25", "cursor"),
        ("cursor=bm90LWFuLWlk", "cursor"),  # base64 of "not-an-id"
    ],
)
def test_a_bad_parameter_gets_422_naming_it(client, token, query, field):
    response = client.get(f"/api/v1/escalations?{query}", headers=bearer(token))
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert error["field"] == field and error["message"]


def add_outreach(runtime: Runtime) -> dict[str, int]:
    """Ana (S1001) texted, replying, naming a barrier and called; her brother's texts apart."""
    ids: dict[str, int] = {}
    with runtime.db.transaction() as session:
        add_school(session)
        ana = add_family(session, phone=PHONE)
        brother = add_family(session, student_id="S1002", first_name="Kid", phone=PHONE)
        talk, other = (
            Conversation(
                phone=PHONE,
                guardian_id=guardian.id,
                student_id=guardian.student_id,
                flow="missed_you",
                language="en",
                started_at=T0,
            )
            for guardian in (ana, brother)
        )
        session.add_all([talk, other])
        session.flush()
        minute = timedelta(minutes=1)

        def text(name: str, at: datetime, **fields: Any) -> None:
            row = Message(phone=PHONE, body=f"{name} body", status="delivered", created_at=at)
            for key, value in {"direction": "outbound", **fields}.items():
                setattr(row, key, value)
            session.add(row)
            session.flush()
            ids[name] = row.id

        text("hello", T0, conversation_id=talk.id, guardian_id=ana.id, purpose="missed_you")
        text("reply", T0 + minute, direction="inbound", conversation_id=talk.id, status="processed")
        text("brother", T0 + minute, conversation_id=other.id, guardian_id=brother.id)
        text("to staff", T0 + minute, guardian_id=ana.id, purpose="staff_notification")
        text("stray", T0 + 3 * minute, direction="inbound", guardian_id=ana.id, status="received")
        barrier = BarrierReport(
            student_id="S1001",
            guardian_id=ana.id,
            conversation_id=talk.id,
            barrier="transportation",
            reported_at=T0 + minute,
        )
        case = Escalation(
            student_id="S1001", reason="barrier", due_at=T0 + 2 * minute, created_at=T0 + minute
        )
        session.add_all([barrier, case])
        session.flush()
        call = ContactAttempt(
            escalation_id=case.id,
            method="call",
            outcome="reached",
            note="bus pass arranged",
            attempted_at=T0 + minute,
        )
        session.add(call)
        session.flush()
        ids["barrier"], ids["call"] = barrier.id, call.id
    return ids


def test_a_students_outreach_in_order_at_any_page_size(runtime, client, token):
    ids = add_outreach(runtime)
    expected = [
        ("text", ids["hello"]),
        ("reply", ids["reply"]),
        ("barrier", ids["barrier"]),  # at the same minute as the reply and the call
        ("contact", ids["call"]),
        ("reply", ids["stray"]),
    ]
    for limit in (1, 2, 5, 100):
        pages = walk(client, token, "/api/v1/students/S1001/outreach", limit=limit)
        events = [(item["type"], item["id"]) for page in pages for item in page["items"]]
        assert events == expected, f"limit={limit}"
    [page] = walk(client, token, "/api/v1/students/S1001/outreach")
    hello, reply, barrier, call, _ = page["items"]
    assert page["student_id"] == "S1001"
    assert (hello["body"], hello["status"], hello["at"]) == (
        "hello body",
        "delivered",
        "2026-10-14T22:00:00Z",
    )
    assert reply["body"] == "reply body" and barrier["barrier"] == "transportation"
    assert (call["method"], call["outcome"], call["note"]) == (
        "call",
        "reached",
        "bus pass arranged",
    )


def test_outreach_of_an_unknown_student_is_404(client, token):
    response = client.get("/api/v1/students/S404/outreach", headers=bearer(token))
    assert response.status_code == 404
    assert response.get_json()["errors"][0]["field"] == "student_id"


def test_an_outreach_cursor_is_opaque_and_checked(runtime, client, token):
    add_outreach(runtime)
    first = client.get("/api/v1/students/S1001/outreach?limit=2", headers=bearer(token))
    cursor = first.get_json()["next_cursor"]
    assert cursor and "|" not in cursor and "2026" not in cursor
    for made_up in ("123", "0001-01-01T00:00:00+05:00|0|1", "2026-10-14T22:00:00|0|1"):
        forged = base64.urlsafe_b64encode(made_up.encode()).decode()
        response = client.get(
            "/api/v1/students/S1001/outreach",
            query_string={"cursor": forged},
            headers=bearer(token),
        )
        assert response.status_code == 422, made_up
        assert response.get_json()["errors"][0]["field"] == "cursor"
