"""PostgreSQL restarted in the middle of a scan: what it committed stays, the part it was
writing is done again, and the result is that of a scan that was never interrupted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select

from outreach_bot import jobs
from outreach_bot.models import Conversation, Message, TriggerFiring
from outreach_bot.runtime import Runtime
from tests.factories import add_attendance, add_family, add_school, add_school_days
from tests.test_messaging_rules import SCHOOL_DAYS, TODAY
from tests.test_pool import admin, terminate

__all__ = ["admin"]  # a fixture, used by name
FAMILIES = 4


def district(runtime: Runtime) -> None:
    """Four students, each absent today, each with a guardian's phone."""
    with runtime.db.transaction() as session:
        add_school(session)
        add_school_days(session, SCHOOL_DAYS)
        for number in range(FAMILIES):
            student_id = f"S{1001 + number}"
            add_family(session, student_id=student_id, phone=f"+1503555015{number}", absences=0)
            statuses = {day: "present" for day in SCHOOL_DAYS}
            statuses[TODAY] = "unexcused"
            add_attendance(session, student_id, statuses)


def stored(runtime: Runtime) -> tuple[int, ...]:
    """Trigger firings, conversations and outbound texts in the database."""
    with runtime.db.transaction() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (TriggerFiring, Conversation, Message)
        )


@pytest.fixture
def restart_at_first_text(runtime: Runtime, admin: Engine) -> Iterator[list[bool]]:
    """The server process of the scan's connection ends as the scan begins writing its
    first conversations and texts, as a restart of PostgreSQL would end it: as a families
    part takes its conversations' ids, which it then `COPY`s with their texts (a `COPY`
    run by the driver, which SQLAlchemy's events do not see)."""
    done: list[bool] = []

    def restart(_conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        ids = "nextval" in statement and "conversations" in str(parameters)
        if not done and ids:
            done.append(True)
            terminate(admin, cursor.connection.info.backend_pid)

    event.listen(runtime.db.engine, "before_cursor_execute", restart)
    yield done
    event.remove(runtime.db.engine, "before_cursor_execute", restart)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_scan_cut_by_a_restart_stores_what_an_uncut_scan_stores(
    runtime: Runtime, restart_at_first_text: list[bool]
) -> None:
    district(runtime)
    # The cut ends the first try at the families' texts (a job, run inline here, that fails
    # and is logged); the scan then does that part itself, on a new connection.
    result = jobs.run_scan(TODAY)
    assert restart_at_first_text == [True]
    assert sorted(f.student_id for f in result.fired) == [f"S{1001 + n}" for n in range(FAMILIES)]
    assert {f.trigger for f in result.fired} == {"absent_today"}
    firings, conversations, texts = stored(runtime)
    assert (firings, conversations) == (FAMILIES, FAMILIES)
    assert texts >= FAMILIES
    with runtime.db.transaction() as session:
        started = session.scalars(select(Conversation.student_id).order_by(Conversation.id))
        assert list(started) == [f"S{1001 + n}" for n in range(FAMILIES)]
    assert jobs.run_scan(TODAY).fired == []  # once per student per episode
    assert stored(runtime) == (firings, conversations, texts)
