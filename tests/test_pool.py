"""PostgreSQL's pool: idle connections are pinged, busy ones are not, and a webhook whose
connection died unseen is stored all the same."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from twilio.request_validator import RequestValidator

from outreach_bot.db import make_engine
from outreach_bot.inbox.store import store_inbound
from outreach_bot.models import Message
from tests.conftest import POSTGRES_URL

TOKEN = "test-auth-token-not-secret"
BASE = "https://outreach.example.org"


@pytest.fixture
def admin() -> Iterator[Engine]:
    engine = make_engine(POSTGRES_URL)
    yield engine
    engine.dispose()


def backend_of(engine: Engine) -> int:
    """The server process behind the pool's connection (the pool holds one here)."""
    with engine.connect() as connection:
        pid: int = connection.scalar(text("SELECT pg_backend_pid()"))
        return pid


def terminate(admin: Engine, pid: int) -> None:
    """End a server process, as a restart of the server would, unseen by its client."""
    with admin.connect() as connection:
        assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        # pg_terminate_backend only signals: wait until the process is gone.
        for _ in range(200):
            # A transaction reads pg_stat_activity once and keeps its copy: drop it each time.
            connection.execute(text("SELECT pg_stat_clear_snapshot()"))
            gone = not connection.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            )
            if gone:
                return
            connection.execute(text("SELECT pg_sleep(0.01)"))
    raise AssertionError(f"server process {pid} did not end")


def test_a_connection_that_died_while_idle_is_replaced_before_use(admin):
    engine = make_engine(POSTGRES_URL, ping_idle_seconds=0, pool_size=1)
    try:
        first = backend_of(engine)
        terminate(admin, first)
        assert backend_of(engine) != first  # pinged, found dead, replaced: no error
    finally:
        engine.dispose()


def test_a_connection_used_moments_ago_is_not_pinged(admin):
    engine = make_engine(POSTGRES_URL, ping_idle_seconds=3600, pool_size=1)
    try:
        first = backend_of(engine)
        terminate(admin, first)
        with pytest.raises(DBAPIError) as failure:
            backend_of(engine)  # handed out unpinged, so its statement meets the closed socket
        assert failure.value.connection_invalidated
        assert backend_of(engine) != first  # and the pool has replaced it
    finally:
        engine.dispose()


@pytest.fixture
def app_config(app_config, monkeypatch):
    # No ping at all: a webhook's store meets a dead connection and must try again.
    monkeypatch.setattr("outreach_bot.db.PING_IDLE_SECONDS", 3600.0)
    return {**app_config, "TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_BASE_URL": BASE}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_webhook_whose_connection_died_unseen_is_stored(admin, runtime, client):
    form = {
        "MessageSid": "SM" + "b" * 32,
        "From": "+15035550143",
        "To": "+15035550199",
        "Body": "hello",
    }
    signature = RequestValidator(TOKEN).compute_signature(BASE + "/twilio/inbound", form)
    assert runtime.db.hot_engine is not None  # where webhooks are stored on PostgreSQL
    terminate(admin, backend_of(runtime.db.hot_engine))
    response = client.post("/twilio/inbound", data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    with runtime.db.transaction() as session:
        stored = session.scalars(select(Message).where(Message.direction == "inbound")).all()
    assert [message.provider_sid for message in stored] == [form["MessageSid"]]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_hot_path_pool_stays_in_autocommit_from_one_use_to_the_next(runtime):
    backends = []
    for number in range(2):
        with runtime.db.connection() as connection:
            assert connection.connection.driver_connection.autocommit
            backends.append(connection.scalar(text("SELECT pg_backend_pid()")))
            form = {"MessageSid": f"SM{number:032}", "From": "+15035550143", "Body": "hi"}
            assert store_inbound(connection, form, now=runtime.clock()) is not None
            # Committed as it ran: another connection sees it before this one is returned.
            with runtime.db.transaction() as session:
                seen = session.scalars(select(Message.provider_sid)).all()
            assert form["MessageSid"] in seen
    assert backends[0] == backends[1]  # the same connection, handed back and out again
