"""A scan part's flows started in one batch store exactly what starting them one at a time
stores: the same conversations, texts and escalations, on SQLite and PostgreSQL.

The families cover what decides a start: siblings in two schools on one phone, two
guardians of one child, STOP, no consent, an undeliverable phone, a phone a person holds,
a conversation already running, a `once_a_day` flow already sent today, a flow that ends at
once followed by another on the same phone, a family language with no catalog, a child
never scanned; by day and inside quiet hours.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from outreach_bot.models import (
    AttendanceSummary,
    Conversation,
    Escalation,
    Guardian,
    Message,
    PhoneNumber,
)
from outreach_bot.runtime import Runtime
from tests.conftest import SCHOOL_AFTERNOON
from tests.factories import add_family, add_school
from tests.staff_helpers import add_user

FLOWS = Path(__file__).resolve().parent.parent / "flows"
NIGHT = SCHOOL_AFTERNOON.replace(hour=22)  # inside quiet hours: the texts wait for morning
Firings = list[tuple[int | None, str, str]]


def phone(copy: int, n: int) -> str:
    """A family's fictional number in a copy of the district (another area code a copy)."""
    return f"+1{503 + copy}55501{n:02d}"


def district(runtime: Runtime, copies: int = 1) -> list[Firings]:
    """The families, `copies` times over on other phones; the part's firings of each copy."""
    with runtime.db.transaction() as session:
        add_school(session)
        add_school(session, school_id="WAS", name="Washington Middle", phone="+15035550111")
        staff = add_user(session, "clerk@example.org")
        session.flush()
        return [families(session, copy, staff.id) for copy in range(copies)]


def families(session: Session, copy: int, staff_id: int) -> Firings:
    """One copy of the families, and their firings in the order the scan fires them."""
    firings: Firings = []

    def family(n: int, student: str, **values: Any) -> str:
        add_family(session, student_id=f"S{copy}{student}", phone=phone(copy, n), **values)
        return phone(copy, n)

    def fire(student: str, flow: str) -> None:
        firings.append((None, f"S{copy}{student}", flow))

    earlier = SCHOOL_AFTERNOON - timedelta(days=3)
    # Siblings in two schools on one phone: one text names both.
    family(1, "01", first_name="Ana", absences=4)
    family(1, "02", first_name="Luis", school_id="WAS", absences=7)
    fire("01", "missed_you")
    fire("02", "missed_you")
    # Spanish; and a second guardian of the same child, on another phone.
    family(2, "03", first_name="Sofia", language="es", absences=2)
    session.add(Guardian(student_id=f"S{copy}03", name="Sam", phone=phone(copy, 3), language="en"))
    fire("03", "missed_you")
    # STOP; no consent; undeliverable; held by a person.
    session.add(PhoneNumber(phone=family(4, "04"), opted_out_at=earlier))
    family(5, "05", consent=False)
    session.add(PhoneNumber(phone=family(6, "06"), undeliverable_at=earlier))
    session.add(PhoneNumber(phone=family(7, "07"), held_by_user_id=staff_id, held_at=earlier))
    for student in ("04", "05", "06", "07"):
        fire(student, "missed_you")
    # A conversation already running; a missed_you already sent today.
    for n, student, status in ((8, "08", "active"), (9, "09", "ended")):
        session.add(
            Conversation(
                phone=family(n, student, absences=5), flow="missed_you", language="en",
                status=status, state={}, context={},
                started_at=SCHOOL_AFTERNOON - timedelta(hours=5),
            )
        )  # fmt: skip
        fire(student, "missed_you")
        fire(student, "chronic_outreach")
    # A flow that ends at once, then another for a sibling on the same phone.
    family(10, "10", first_name="Mia", absences=1)
    family(10, "11", first_name="Noor", absences=12)
    fire("10", "recognition")
    fire("11", "chronic_outreach")
    fire("10", "missed_you")
    # A language with no catalog (English, and the invitation); a child never scanned.
    family(11, "12", language="yo")
    family(12, "13", first_name="Kai")
    session.flush()
    session.delete(session.get_one(AttendanceSummary, f"S{copy}13"))
    fire("12", "missed_you")
    fire("13", "chronic_outreach")
    return firings


def in_batch(runtime: Runtime, firings: Firings, now: datetime) -> Callable[[Session], None]:
    """The scan's path: the part's firings started together."""
    return lambda session: runtime.conversations.start_for_families(
        session, firings, now, SCHOOL_AFTERNOON.date()
    )


def one_at_a_time(runtime: Runtime, firings: Firings, now: datetime) -> Callable[[Session], None]:
    """A family after another, each on its own reads, as the scan started them before."""
    return lambda session: runtime.conversations.start_for_families(
        session, firings, now, SCHOOL_AFTERNOON.date(), each_alone=True
    )


def stored(runtime: Runtime, start: Callable[[Session], None]) -> dict[str, list[dict[str, Any]]]:
    """What `start` writes, read back in its own transaction, which is then rolled back;
    a conversation's id is given as its rank (PostgreSQL's sequences do not roll back)."""
    session = runtime.db.sessions()
    try:
        before = session.scalar(select(func.max(Conversation.id))) or 0
        start(session)
        session.flush()
        session.expire_all()
        conversations = session.scalars(
            select(Conversation).where(Conversation.id > before).order_by(Conversation.id)
        ).all()
        rank = {conversation.id: n for n, conversation in enumerate(conversations)}
        found: dict[str, list[dict[str, Any]]] = {"conversations": [], "messages": []}
        for name, rows in (
            ("conversations", conversations),
            ("messages", session.scalars(select(Message).order_by(Message.id))),
            ("escalations", session.scalars(select(Escalation).order_by(Escalation.id))),
        ):
            found[name] = [
                {
                    key: rank.get(value, "elsewhere") if key == "conversation_id" else value
                    for key, value in ((c.key, getattr(row, c.key)) for c in row.__table__.columns)
                    if key != "id"
                }
                for row in rows
            ]
        return found
    finally:
        session.rollback()
        session.close()


@pytest.mark.parametrize("now", [SCHOOL_AFTERNOON, NIGHT], ids=["day", "quiet hours"])
def test_a_batch_stores_what_one_at_a_time_stores(runtime: Runtime, now: datetime) -> None:
    firings = district(runtime)[0]
    batch = stored(runtime, in_batch(runtime, firings, now))
    assert batch == stored(runtime, one_at_a_time(runtime, firings, now))
    # What the families get (so that the two cannot agree on nothing).
    started = [(row["phone"], row["flow"], row["status"]) for row in batch["conversations"]]
    assert started == [
        (phone(0, 1), "missed_you", "active"),  # the siblings, named together
        (phone(0, 2), "missed_you", "active"),
        (phone(0, 3), "missed_you", "active"),  # Sofia's second guardian
        (phone(0, 9), "chronic_outreach", "active"),  # missed_you was sent today
        (phone(0, 10), "recognition", "ended"),  # over at once ...
        (phone(0, 10), "chronic_outreach", "active"),  # ... then the next (missed_you waits)
        (phone(0, 11), "missed_you", "active"),
        (phone(0, 12), "chronic_outreach", "active"),
    ]
    bodies = [row["body"] for row in batch["messages"]]
    assert any("Ana" in body and "Luis" in body for body in bodies)
    assert any("Sofia" in body and "2" in body for body in bodies)
    assert sum(row["language"] == "es" for row in batch["messages"]) >= 1
    texts_to = [row["phone"] for row in batch["messages"]]
    assert texts_to.count(phone(0, 11)) == texts_to.count(phone(0, 1)) + 1  # the invitation
    assert all((row["not_before"] is not None) == (now == NIGHT) for row in batch["messages"])
    assert {row["conversation_id"] for row in batch["messages"]} == set(range(len(started)))


# A flow whose opening does more than text: it asks for a call and schedules a follow-up.
CALL_FIRST = """
spec_version: 1
name: call_first
description: A call asked for at once, a follow-up scheduled, and the end.
expires_after: 1d
start: hello
steps:
  hello:
    send:
      text: "Hi, this is {school_name}. We will call about {first_name}. Reply STOP to end texts."
    next: call
  call:
    escalate:
      reason: asked_for_a_call
      priority: normal
    next: later
  later:
    schedule: {flow: followup, after: 4d}
    next: done
  done:
    end: completed
"""


@pytest.mark.parametrize("now", [SCHOOL_AFTERNOON, NIGHT], ids=["day", "quiet hours"])
def test_openings_that_do_more_than_text_keep_their_place(
    app_config: dict[str, object], tmp_path: Path, request: pytest.FixtureRequest, now: datetime
) -> None:
    """A flow whose opening escalates or schedules is begun the ORM's way in the midst of
    the plain rows, and every row keeps the place one at a time gives it."""
    for source in FLOWS.glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "call_first.yaml").write_text(CALL_FIRST, encoding="utf-8")
    app_config["FLOWS_DIR"] = tmp_path
    runtime: Runtime = request.getfixturevalue("runtime")
    firings: Firings = []
    with runtime.db.transaction() as session:
        add_school(session)
        for n, flow in enumerate(["missed_you", "call_first", "missed_you", "call_first"]):
            add_family(session, student_id=f"S{n}", phone=phone(0, n), language=("en", "es")[n % 2])
            firings.append((None, f"S{n}", flow))
        # On one phone: the call first (over at once), then a sibling's flow.
        add_family(session, student_id="S8", first_name="Mia", phone=phone(0, 8))
        add_family(session, student_id="S9", first_name="Noor", phone=phone(0, 8))
        firings += [(None, "S8", "call_first"), (None, "S9", "chronic_outreach")]
    batch = stored(runtime, in_batch(runtime, firings, now))
    # On PostgreSQL the batch's conversations take the part's ids, taken up front, and the
    # follow-ups theirs at the flush after: the same rows, numbered in another order.
    assert unnumbered(batch) == unnumbered(stored(runtime, one_at_a_time(runtime, firings, now)))
    started = [(row["phone"], row["flow"], row["status"]) for row in batch["conversations"]]
    call, followup = ("call_first", "ended"), ("followup", "scheduled")
    assert sorted(started) == [
        (phone(0, 0), "missed_you", "active"),
        (phone(0, 1), *call), (phone(0, 1), *followup),
        (phone(0, 2), "missed_you", "active"),
        (phone(0, 3), *call), (phone(0, 3), *followup),
        (phone(0, 8), *call), (phone(0, 8), "chronic_outreach", "active"),  # after the call
        (phone(0, 8), *followup),
    ]  # fmt: skip
    assert [row["reason"] for row in batch["escalations"]] == ["asked_for_a_call"] * 3
    texts_to = [row["phone"] for row in batch["messages"]]
    assert texts_to == sorted(texts_to)  # a family's texts after another's, as they fired


def unnumbered(found: dict[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
    """`stored`'s rows with each conversation named by its phone and flow, not its rank,
    each table's rows in a sorted order."""
    names = {n: (row["phone"], row["flow"]) for n, row in enumerate(found["conversations"])}
    return {
        table: sorted(
            repr(sorted((key, names.get(value, value) if key == "conversation_id" else value)
                        for key, value in row.items()))
            for row in rows
        )
        for table, rows in found.items()
    }  # fmt: skip


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_batch_costs_the_same_statements_for_more_families(runtime: Runtime) -> None:
    """Its reads and writes are a few for the batch, however many families it starts (on
    PostgreSQL; on SQLite, where a statement costs no round trip, each conversation is
    inserted as it starts, for its id)."""
    parts = district(runtime, copies=3)
    counts = []
    for firings in (parts[0], parts[0] + parts[1] + parts[2]):
        with counted(runtime) as statements:
            rows = stored(runtime, in_batch(runtime, firings, SCHOOL_AFTERNOON))
        counts.append(len(statements))
        assert len(rows["conversations"]) == 8 * len(firings) // len(parts[0])
    assert counts[0] == counts[1], statements


class counted:  # noqa: N801 - used as `with counted(...)`
    """The statements the runtime's engine runs inside the block (an executemany is one)."""

    def __init__(self, runtime: Runtime) -> None:
        self.engine = runtime.db.engine
        self.statements: list[str] = []

    def _record(self, _connection: object, _cursor: object, statement: str, *_: object) -> None:
        self.statements.append(statement)

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self.statements

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)
