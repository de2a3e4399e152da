"""Delivery reports applied by two workers at once: the message row is locked, so neither
overwrites the other, and a final status is never left."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import event, func, select

from outreach_bot.messaging.optout import is_undeliverable
from outreach_bot.messaging.status import apply_status_callbacks
from outreach_bot.models import Escalation, Message
from outreach_bot.runtime import Runtime
from tests.test_status import PHONE, callback, guardian_id, sent_message, status_of

__all__ = ["guardian_id"]  # a fixture, used by name
WAIT = 10.0  # seconds a worker waits for the other at most; a hang fails, never blocks


def applying(runtime: Runtime) -> None:
    """One worker's tick: apply what it can claim, in one transaction."""
    with runtime.db.transaction() as session:
        apply_status_callbacks(session, now=runtime.clock())


@pytest.fixture
def after_claim(runtime: Runtime) -> Iterator[dict[str, Callable[[], None]]]:
    """Pauses by thread name, run just after that thread's worker claimed its callbacks."""
    pauses: dict[str, Callable[[], None]] = {}

    def paused(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        claiming = "FROM status_callbacks" in statement and "FOR UPDATE" in statement
        pause = pauses.get(threading.current_thread().name)
        if claiming and pause is not None:
            pause()

    event.listen(runtime.db.engine, "after_cursor_execute", paused)
    yield pauses
    event.remove(runtime.db.engine, "after_cursor_execute", paused)


def waited(flag: threading.Event) -> None:
    assert flag.wait(WAIT), "the other worker never got there"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize(
    ("first", "second"),
    [(("delivered", ""), ("sent", "")), (("delivered", ""), ("failed", "30005"))],
    ids=["delivered-then-sent", "delivered-then-30005"],
)
def test_two_workers_at_once_never_move_a_delivered_text(
    runtime: Runtime,
    guardian_id: int,
    after_claim: dict[str, Callable[[], None]],
    first: tuple[str, str],
    second: tuple[str, str],
) -> None:
    # Worker A claims `delivered`; then `sent` (or a late failure) arrives and worker B
    # claims it; A commits while B is between its claim and its write.
    message_id = sent_message(runtime, "SMrace", guardian_id=guardian_id)
    a_claimed, b_claimed, a_done = threading.Event(), threading.Event(), threading.Event()
    after_claim["A"] = lambda: (a_claimed.set(), waited(b_claimed))
    after_claim["B"] = lambda: (b_claimed.set(), waited(a_done))
    errors: list[BaseException] = []

    def worker(done: threading.Event | None) -> None:
        try:
            applying(runtime)
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
        finally:
            if done is not None:
                done.set()

    callback(runtime, "SMrace", *first)
    a = threading.Thread(target=worker, args=(a_done,), name="A")
    a.start()
    waited(a_claimed)
    callback(runtime, "SMrace", *second)
    b = threading.Thread(target=worker, args=(None,), name="B")
    b.start()
    a.join(WAIT * 2)
    b.join(WAIT * 2)
    assert not errors
    assert status_of(runtime, message_id) == ("delivered", None)
    with runtime.db.transaction() as session:
        assert not is_undeliverable(session, PHONE)
        assert session.scalar(select(func.count()).select_from(Escalation)) == 0


def test_many_workers_applying_reports_in_any_order_end_delivered(runtime: Runtime) -> None:
    # Every report of a text's life, stored and applied by four workers at once, on both
    # databases: it ends delivered whatever the interleaving.
    ids = [sent_message(runtime, f"SMmany{number}") for number in range(20)]
    for number in range(20):
        for status in ("delivered", "sent", "sending", "queued"):
            callback(runtime, f"SMmany{number}", status)
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait(WAIT)
        applying(runtime)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
    with runtime.db.transaction() as session:
        statuses = session.scalars(select(Message.status).where(Message.id.in_(ids))).all()
    assert set(statuses) == {"delivered"}
