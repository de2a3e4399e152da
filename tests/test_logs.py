"""Logs: one JSON object a line with a request id, and never a phone number or a text's words."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import insert, select

from outreach_bot.logs import HANDLER_NAME, configure_logging, without_phones
from outreach_bot.models import Escalation, Message
from tests.factories import start_missed_you
from tests.staff_helpers import add_user, post, sign_in

FAMILY_PHONE = "+15035550142"
REPLY = "my car broke down again"  # the family's words
STAFF_WORDS = "Ms Rivera will call you at noon"


@pytest.fixture
def handler():
    """The service's log handler, as production sets it up, removed afterwards."""
    found = configure_logging("DEBUG")
    yield found
    logging.getLogger().removeHandler(found)
    logging.getLogger().setLevel(logging.WARNING)


def _written(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    """The records our handler writes (through its filters)."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME)
    return [record for record in records if handler.filter(record)]


def _lines(records: list[logging.LogRecord]) -> list[str]:
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME)
    return [handler.format(record) for record in records]


def test_a_full_run_at_debug_logs_no_phone_and_no_words(runtime, client, caplog, handler):
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy.engine", "sqlalchemy.pool", "werkzeug", "rq"):
        caplog.set_level(logging.DEBUG, logger=name)
    start_missed_you(runtime, FAMILY_PHONE)
    with runtime.db.transaction() as session:
        add_user(session, "clerk@example.org")
    form = {"MessageSid": "SM" + "e" * 32, "From": FAMILY_PHONE, "To": "+15035550199"}
    assert client.post("/twilio/inbound", data={**form, "Body": REPLY}).status_code == 200
    second = {**form, "MessageSid": "SM" + "f" * 32}
    assert client.post("/twilio/inbound", data={**second, "Body": "1"}).status_code == 200
    with runtime.db.transaction() as session:
        case = session.scalars(select(Escalation)).first()
        bodies = [m.body for m in session.scalars(select(Message))]
    assert case is not None, "the flow should have opened a case"
    sign_in(client, "clerk@example.org")
    assert client.get(f"/staff/cases/{case.id}").status_code == 200
    response = post(client, f"/staff/cases/{case.id}/texts", phone=FAMILY_PHONE, body=STAFF_WORDS)
    assert response.status_code == 302 and "%2B1503" not in response.location
    assert client.get(response.location).status_code == 200
    # A database error that nothing handles, with a phone and words among its parameters.
    try:
        with runtime.db.transaction() as session:
            session.execute(insert(Message).values(phone=FAMILY_PHONE, body=REPLY))
    except Exception:
        logging.getLogger("outreach_bot.test").exception("an unhandled database error")
    else:
        pytest.fail("the insert should have failed: it leaves required columns empty")

    records = _written(caplog.records)
    assert any(r.name.startswith("sqlalchemy.engine") for r in records)
    secrets = [FAMILY_PHONE, FAMILY_PHONE[2:], REPLY, STAFF_WORDS] + [
        b for b in bodies if len(b) > 12
    ]
    raw = [r.getMessage() for r in records]
    lines = _lines(records)
    for secret in secrets:
        assert not [m for m in raw if secret in m], secret
        assert not [line for line in lines if secret in line], secret
    access = [json.loads(line) for line in lines if '"outreach_bot.access"' in line]
    assert access and all(len(line["request_id"]) == 32 for line in access)
    assert all("?" not in line["message"] for line in access)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("texted +15035550142 today", "texted [phone] today"),
        ("call (503) 555-0142", "call [phone]"),
        ("message SM00000000000000000000000000000042 sent", "unchanged"),
        ("scan as of 2026-10-14 skipped", "unchanged"),
        ("message 1234 handed to twilio (attempt 2)", "unchanged"),
    ],
)
def test_phone_numbers_are_taken_out_of_any_line(text, expected):
    assert without_phones(text) == (text if expected == "unchanged" else expected)
