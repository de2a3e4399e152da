"""The same webhook five times at once, to a real threaded server: stored once, answered once,
and every delivery answered 200."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select
from werkzeug.serving import make_server

from outreach_bot.models import Message, StatusCallback
from outreach_bot.runtime import Runtime
from tests.factories import add_family, add_school

PHONE = "+15035550142"
AT_ONCE = 5


@pytest.fixture
def server(app: Flask) -> Iterator[str]:
    """The app on a real threaded HTTP server, on an ephemeral port; its base URL."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=10)


def post_at_once(url: str, form: dict[str, str]) -> list[int]:
    """POST the same form AT_ONCE times, all released together; their status codes."""
    start = threading.Barrier(AT_ONCE)

    def post(_: int) -> int:
        with requests.Session() as http:
            start.wait(timeout=10)
            return http.post(url, data=form, timeout=30).status_code

    with ThreadPoolExecutor(AT_ONCE) as pool:
        return list(pool.map(post, range(AT_ONCE)))


def count(runtime: Runtime, *where) -> int:
    with runtime.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Message).where(*where))


def test_one_text_delivered_five_times_at_once_is_stored_and_answered_once(
    runtime: Runtime, server: str
) -> None:
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session, phone=PHONE)
    form = {"MessageSid": "SM" + "5" * 32, "From": PHONE, "Body": "HELP"}
    assert post_at_once(f"{server}/twilio/inbound", form) == [200] * AT_ONCE
    assert count(runtime, Message.direction == "inbound") == 1
    assert count(runtime, Message.direction == "outbound", Message.purpose == "help") == 1
    assert count(runtime, Message.processed_at.is_not(None)) == 1


def test_one_status_report_delivered_five_times_at_once_is_stored_once(
    runtime: Runtime, server: str
) -> None:
    form = {"MessageSid": "SM" + "6" * 32, "MessageStatus": "delivered"}
    assert post_at_once(f"{server}/twilio/status", form) == [200] * AT_ONCE
    with runtime.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(StatusCallback)) == 1
