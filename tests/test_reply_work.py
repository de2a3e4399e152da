"""How much database work one reply costs, and the shortcuts that keep it small.

Statement and transaction counts, not timings: a count does not depend on the machine, and
a change that brings back a lookup per text, a full outbox scan per reply, or a re-read in
the send job shows up here. The shortcuts themselves keep every reliability rule, checked
below: the inbound row is stored once and processed once, a reply's job relays only what it
wrote, and the send job claims a row in one statement that still re-checks the opt-out.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select

from outreach_bot import jobs
from outreach_bot.channels.console import ConsoleChannel
from outreach_bot.inbox import answer
from outreach_bot.inbox.store import store_inbound
from outreach_bot.messaging.optout import is_opted_out, opt_out, phone_number
from outreach_bot.models import Conversation, Guardian, Message, User
from outreach_bot.runtime import Runtime
from outreach_bot.staff import takeover
from tests.factories import add_family, add_school, deliver_now, queue_nudge, start_missed_you

FAMILY_PHONE = "+15035550142"
OTHER_PHONE = "+15035550143"
NOW = datetime(2026, 10, 14, 22, 0, tzinfo=UTC)


@dataclass
class Work:
    """SQL statements (BEGIN excluded) and commits seen on a database's engines; a statement
    run in autocommit (PostgreSQL's hot-path statements) is a commit of its own."""

    statements: list[str]
    commits: int = 0


@contextmanager
def counted(runtime: Runtime) -> Iterator[Work]:
    work = Work([])

    def on_execute(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE
            work.statements.append(" ".join(statement.split()))
        if conn.engine is runtime.db.hot_engine:
            work.commits += 1

    def on_commit(_conn: Any) -> None:
        work.commits += 1

    for engine in runtime.db.engines:
        event.listen(engine, "before_cursor_execute", on_execute)
        event.listen(engine, "commit", on_commit)
    try:
        yield work
    finally:
        for engine in runtime.db.engines:
            event.remove(engine, "before_cursor_execute", on_execute)
            event.remove(engine, "commit", on_commit)


def text_in(client: Any, body: str, sid: str, phone: str = FAMILY_PHONE) -> None:
    form = {"MessageSid": sid, "From": phone, "To": "+15035550199", "Body": body}
    assert client.post("/twilio/inbound", data=form).status_code == 200


def outbound(runtime: Runtime) -> list[tuple[str, str | None, str]]:
    with runtime.db.transaction() as session:
        rows = session.execute(
            select(Message.phone, Message.purpose, Message.status)
            .where(Message.direction == "outbound")
            .order_by(Message.id)
        ).all()
    return [(row.phone, row.purpose, row.status) for row in rows]


def test_one_reply_costs_a_bounded_number_of_statements_and_transactions(runtime, client):
    """Webhook, engine, resource sheet and two sends: 20 statements.

    One of them reads a batch's held district texts (messaging/held_texts.py), so that an
    answer never overtakes an opening still held for quiet hours: once a batch, not a text.

    Before this was counted, a reply of bench/full_path.py's mix took 38 statements and 7.5
    transactions: the phone read again for every check, the inbound row and the guardian
    read twice, the whole outbox scanned by each reply, each send reading its row 3 times.
    """
    start_missed_you(runtime, FAMILY_PHONE)
    before = len(outbound(runtime))
    with counted(runtime) as work:
        text_in(client, "The bus is late again", "SM" + "1" * 32)
    texts = outbound(runtime)[before:]
    assert [(purpose, status) for _, purpose, status in texts] == [
        ("resources:transportation", "sent"),
        ("flow:missed_you", "sent"),
    ]
    # Stored (1), processed with its answers written queued (1), each of two texts claimed and
    # recorded (4), and the inbox found empty as the inbox job ends (1).
    assert work.commits <= 7, work.statements
    assert len(work.statements) <= 20, "\n".join(work.statements)
    held_reads = [s for s in work.statements if "messages.origin =" in s]
    assert len(held_reads) == 1
    phone_reads = [s for s in work.statements if "FROM phone_numbers" in s]
    assert len(phone_reads) == 1 + 2  # once while processing, then inside each send's claim
    locking = [s for s in work.statements if "FOR UPDATE" in s]
    assert all("SKIP LOCKED" in s for s in locking)  # only the inbox's claims lock rows


def test_the_send_job_claims_and_records_in_two_statements(runtime):
    with runtime.db.transaction() as session:
        opt_out(session, OTHER_PHONE, source="keyword", now=runtime.clock())
    message_id = queue_nudge(runtime, FAMILY_PHONE)
    channel = ConsoleChannel(echo=None)

    def send() -> str:
        return deliver_now(runtime, channel, message_id)

    with counted(runtime) as work:
        # Another phone's opt-out does not hold this one back: the check is on its own phone.
        assert send() == "sent"
    assert (len(work.statements), work.commits) == (2, 2), work.statements
    assert channel.sent == [(FAMILY_PHONE, "Hi from Lincoln Elementary.")]
    assert send() == "done"  # a second run of the job: the row went to the provider once
    assert len(channel.sent) == 1


def test_a_reply_relays_only_the_texts_it_wrote(runtime, client):
    start_missed_you(runtime, FAMILY_PHONE)
    # Written by someone else and not relayed yet: the tick's relay is its way out.
    queue_nudge(runtime, OTHER_PHONE)
    text_in(client, "1", "SM" + "2" * 32)
    others = [status for phone, _, status in outbound(runtime) if phone == OTHER_PHONE]
    assert others == ["pending"]
    assert all(status == "sent" for phone, _, status in outbound(runtime) if phone == FAMILY_PHONE)
    assert jobs.relay_outbox() == 1
    others = [status for phone, _, status in outbound(runtime) if phone == OTHER_PHONE]
    assert others == ["sent"]


def test_a_webhook_is_stored_once_with_the_first_guardian_on_file(runtime):
    with runtime.db.transaction() as session:
        add_school(session)
        first = add_family(session, phone=FAMILY_PHONE)
        add_family(session, student_id="S1002", first_name="Mateo", phone=FAMILY_PHONE)
        first_id = first.id
    form = {"MessageSid": "SM" + "3" * 32, "From": "(503) 555-0142", "Body": "hola"}
    with runtime.db.connection() as connection:
        stored_id = store_inbound(connection, form, now=runtime.clock())
        assert stored_id is not None
    with runtime.db.transaction() as session:
        stored = session.get_one(Message, stored_id)
        assert (stored.phone, stored.guardian_id, stored.status, stored.body) == (
            FAMILY_PHONE,
            first_id,
            "received",
            "hola",
        )
        assert (stored.direction, stored.created_at, stored.processed_at) == (
            "inbound",
            runtime.clock(),
            None,
        )
        assert stored.raw == form
    with runtime.db.connection() as connection:
        assert store_inbound(connection, form, now=runtime.clock()) is None
    with runtime.db.connection() as connection:
        unknown = {"MessageSid": "SM" + "4" * 32, "From": OTHER_PHONE, "Body": "hi"}
        unknown_id = store_inbound(connection, unknown, now=runtime.clock())
        assert unknown_id is not None
    with runtime.db.transaction() as session:
        assert session.get_one(Message, unknown_id).guardian_id is None


def test_a_stored_reply_is_processed_once(runtime):
    start_missed_you(runtime, FAMILY_PHONE)
    form = {"MessageSid": "SM" + "5" * 32, "From": FAMILY_PHONE, "Body": "1"}
    with runtime.db.connection() as connection:
        message_id = store_inbound(connection, form, now=runtime.clock())
        assert message_id is not None
    assert jobs.process_inbox() == 1
    assert jobs.process_inbox() == 0
    with runtime.db.transaction() as session:
        assert (
            answer.process_inbound(session, message_id, runtime.conversations, now=runtime.clock())
            == "skipped"
        )
    purposes = [purpose for _, purpose, _ in outbound(runtime)]
    assert purposes.count("resources:transportation") == 1


def test_a_phone_is_read_once_a_transaction_and_changes_are_seen(runtime):
    with counted(runtime) as work, runtime.db.transaction() as session:
        assert not is_opted_out(session, FAMILY_PHONE)
        assert takeover.held_by(session, FAMILY_PHONE) is None
        assert phone_number(session, FAMILY_PHONE) is None
    assert len([s for s in work.statements if "FROM phone_numbers" in s]) == 1
    with runtime.db.transaction() as session:
        assert not is_opted_out(session, FAMILY_PHONE)
        opt_out(session, FAMILY_PHONE, source="keyword", now=runtime.clock())
        assert is_opted_out(session, FAMILY_PHONE)  # this transaction's own change
        assert takeover.held_by(session, FAMILY_PHONE) is None
        takeover.hold(session, FAMILY_PHONE, user_id=_a_user(session), now=runtime.clock())
        assert takeover.held_by(session, FAMILY_PHONE) is not None
    with runtime.db.transaction() as session:
        assert is_opted_out(session, FAMILY_PHONE)  # and the next transaction reads it again
        takeover.release(session, FAMILY_PHONE, runtime.clock())
        assert takeover.held_by(session, FAMILY_PHONE) is None


def _a_user(session: Any) -> int:
    user = User(email="clerk@example.org", role="clerk", password_hash="x", created_at=NOW)
    session.add(user)
    session.flush()
    return user.id


def test_a_guardian_added_after_the_webhook_is_found_when_processing(runtime, client):
    with runtime.db.transaction() as session:
        add_school(session)
    form = {"MessageSid": "SM" + "6" * 32, "From": FAMILY_PHONE, "Body": "hello"}
    with runtime.db.connection() as connection:
        message_id = store_inbound(connection, form, now=runtime.clock())
        assert message_id is not None
    with runtime.db.transaction() as session:
        assert session.get_one(Message, message_id).guardian_id is None
        add_family(session, phone=FAMILY_PHONE)
    with runtime.db.transaction() as session:
        outcome = answer.process_inbound(
            session, message_id, runtime.conversations, now=runtime.clock()
        )
        assert outcome.startswith("catch_all")
    with runtime.db.transaction() as session:
        guardian = session.scalars(select(Guardian)).one()
        assert session.scalars(
            select(Message.guardian_id).where(Message.direction == "outbound")
        ).all() == [guardian.id]


def test_rows_added_together_are_numbered_first_and_inserted_in_one_executemany(runtime):
    def texts(count: int) -> list[Message]:
        return [
            Message(
                direction="outbound",
                phone=FAMILY_PHONE,
                body=f"Text {n}",
                status="pending",
                created_at=NOW,
            )
            for n in range(count)
        ]

    seen: list[tuple[str, bool]] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, _p: Any, _c: Any, many: bool) -> None:
        seen.append((" ".join(statement.split()), many))

    event.listen(runtime.db.engine, "before_cursor_execute", on_execute)
    try:
        with runtime.db.transaction() as session:
            together = texts(3)
            session.add_all(together)
        with runtime.db.transaction() as session:
            [alone] = texts(1)
            session.add(alone)
    finally:
        event.remove(runtime.db.engine, "before_cursor_execute", on_execute)
    ids = [text.id for text in together]
    assert ids == sorted(set(ids)) and alone.id > ids[-1]  # numbered in the order added
    inserts = [(s, many) for s, many in seen if s.startswith("INSERT INTO messages")]
    numbering = [s for s, _ in seen if "nextval" in s]
    if runtime.db.engine.dialect.name == "postgresql":
        assert len(numbering) == 1  # once for the three
        [(together_insert, many), (alone_insert, _)] = inserts
        assert many and "RETURNING" not in together_insert
        assert "RETURNING" in alone_insert  # a lone row gets its id back as it is inserted
    else:
        assert numbering == []


def test_a_batch_s_conversations_are_updated_in_one_statement_whatever_each_step_changed(
    runtime,
):
    phones = [FAMILY_PHONE, OTHER_PHONE, "+15035550144", "+15035550145"]
    start_missed_you(runtime, *phones)
    # Two answers end a conversation; two it does not understand only move its state on.
    for number, (phone, body) in enumerate(zip(phones, ["1", "what?", "2", "hmm"], strict=True)):
        form = {"MessageSid": f"SM{number:032}", "From": phone, "Body": body}
        with runtime.db.connection() as connection:
            store_inbound(connection, form, now=runtime.clock())
    with counted(runtime) as work:
        assert jobs.answer_inbox(runtime, until=float("inf"), helped=False) == 4
    with runtime.db.transaction() as session:
        statuses = session.scalars(
            select(Conversation.status).where(Conversation.flow == "missed_you")
        ).all()
    assert sorted(statuses) == ["active", "active", "ended", "ended"]
    updates = [s for s in work.statements if s.startswith("UPDATE conversations")]
    assert len(updates) == 1, updates
    if runtime.db.hot_engine is not None:  # PostgreSQL: the new rows of every table numbered
        assert sum("nextval" in s for s in work.statements) == 1  # in one statement
        numbered = {s.split()[2] for s in work.statements if s.startswith("INSERT INTO")}
        assert {"messages", "barrier_reports"} <= numbered
