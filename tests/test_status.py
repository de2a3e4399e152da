"""Delivery reports: stored once, applied in order, never backwards, with their effects."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from outreach_bot.clock import FixedClock
from outreach_bot.messaging.optout import is_opted_out, is_undeliverable
from outreach_bot.messaging.outbox import queue_text, relay
from outreach_bot.messaging.status import (
    UNREACHABLE_RETRY_AFTER,
    StatusEffect,
    apply_status_callbacks,
    store_status_callback,
)
from outreach_bot.models import Escalation, Guardian, Message, School, StatusCallback, Student
from outreach_bot.runtime import Runtime

PHONE = "+15035550142"
BODY = "Hi, this is Maple Valley Schools. We missed Ana today."


@pytest.fixture
def guardian_id(runtime: Runtime) -> int:
    """A family on the roster: school, student, guardian."""
    with runtime.db.transaction() as session:
        session.add(School(id="MVE", name="Maple Valley Elementary"))
        session.add(
            Student(id="S100", first_name="Ana", last_name="Rivera", school_id="MVE", grade="3")
        )
        guardian = Guardian(student_id="S100", name="Lucia Rivera", phone=PHONE, language="es")
        session.add(guardian)
        session.flush()
        return guardian.id


def sent_message(
    runtime: Runtime, sid: str, guardian_id: int | None = None, status: str = "queued"
) -> int:
    """An outbound message the provider has taken, with its SID."""
    now = runtime.clock()
    with runtime.db.transaction() as session:
        message = queue_text(
            session,
            phone=PHONE,
            body=BODY,
            language="en",
            origin="district",
            purpose="nudge",
            now=now,
            quiet=runtime.quiet_hours,
            guardian_id=guardian_id,
        )
        message.status, message.provider_sid, message.sent_at = status, sid, now
        return message.id


def callback(runtime: Runtime, sid: str, status: str, error_code: str = "") -> int | None:
    form = {
        "MessageSid": sid,
        "MessageStatus": status,
        "AccountSid": "AC" + "0" * 32,
        "To": PHONE,
        "From": "+15035550100",
    }
    if error_code:
        form["ErrorCode"] = error_code
    with runtime.db.transaction() as session:
        stored = store_status_callback(session, form, now=runtime.clock())
        return stored.id if stored else None


def apply(runtime: Runtime) -> list[StatusEffect]:
    with runtime.db.transaction() as session:
        return apply_status_callbacks(session, now=runtime.clock())


def status_of(runtime: Runtime, message_id: int) -> tuple[str, str | None]:
    with runtime.db.transaction() as session:
        message = session.get_one(Message, message_id)
        return message.status, message.error_code


def test_statuses_move_forward(runtime: Runtime) -> None:
    message_id = sent_message(runtime, "SM1")
    for status in ("sending", "sent", "delivered"):
        callback(runtime, "SM1", status)
        assert apply(runtime) == []
        assert status_of(runtime, message_id) == (status, None)


@pytest.mark.parametrize(
    ("arrivals", "final"),
    [
        (["sent", "queued"], "sent"),
        (["sent", "sending"], "sent"),
        (["delivered", "sent"], "delivered"),
        (["delivered", "failed"], "delivered"),
        (["undelivered", "delivered"], "undelivered"),
        (["failed", "sent", "delivered"], "failed"),
    ],
)
def test_never_backwards_and_final_stays_final(
    runtime: Runtime, arrivals: list[str], final: str
) -> None:
    message_id = sent_message(runtime, "SM2")
    for status in arrivals:  # each applied on its own tick
        callback(runtime, "SM2", status)
        apply(runtime)
    assert status_of(runtime, message_id)[0] == final


def test_out_of_order_reports_in_one_tick(runtime: Runtime) -> None:
    message_id = sent_message(runtime, "SM3")
    callback(runtime, "SM3", "delivered")
    callback(runtime, "SM3", "sent")
    apply(runtime)
    assert status_of(runtime, message_id)[0] == "delivered"


def test_a_duplicate_callback_is_ignored(runtime: Runtime) -> None:
    sent_message(runtime, "SM4")
    first = callback(runtime, "SM4", "undelivered", "30007")
    assert first is not None
    assert callback(runtime, "SM4", "undelivered", "30007") is None
    assert [effect.kind for effect in apply(runtime)] == ["alert", "failed"]
    with runtime.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(StatusCallback)) == 1
        stored = session.get_one(StatusCallback, first)
        assert stored.payload["MessageSid"] == "SM4"  # stored raw
        assert (stored.status, stored.error_code) == ("undelivered", "30007")


def test_a_callback_before_its_sid_is_stored_waits_for_the_next_tick(runtime: Runtime) -> None:
    callback(runtime, "SM5", "delivered")
    assert apply(runtime) == []
    with runtime.db.transaction() as session:
        assert session.scalars(select(StatusCallback.processed_at)).one() is None
    message_id = sent_message(runtime, "SM5")
    apply(runtime)
    assert status_of(runtime, message_id)[0] == "delivered"


def test_a_callback_that_never_matches_is_set_aside_after_two_days(
    runtime: Runtime, clock: FixedClock
) -> None:
    callback(runtime, "SM6", "delivered")
    clock.advance(days=2, seconds=1)
    apply(runtime)
    with runtime.db.transaction() as session:
        assert session.scalars(select(StatusCallback.processed_at)).one() is not None


def test_a_callback_without_sid_or_status_is_refused(runtime: Runtime) -> None:
    with runtime.db.transaction() as session, pytest.raises(ValueError, match="MessageSid"):
        store_status_callback(session, {"MessageStatus": "sent"}, now=runtime.clock())


def test_21610_in_a_callback_opts_the_phone_out(runtime: Runtime) -> None:
    message_id = sent_message(runtime, "SM7")
    callback(runtime, "SM7", "failed", "21610")
    assert apply(runtime) == [StatusEffect("opted_out", message_id, "21610")]
    with runtime.db.transaction() as session:
        assert is_opted_out(session, PHONE)
    assert status_of(runtime, message_id) == ("failed", "21610")


def test_30003_is_retried_once_later(runtime: Runtime, clock: FixedClock) -> None:
    message_id = sent_message(runtime, "SM8")
    callback(runtime, "SM8", "undelivered", "30003")
    callback(runtime, "SM8", "failed", "30003")  # a second failure report adds nothing
    (effect,) = apply(runtime)
    assert (effect.kind, effect.message_id) == ("retry", message_id)
    with runtime.db.transaction() as session:
        retry = session.get_one(Message, effect.retry_message_id)
        assert (retry.status, retry.body, retry.retry_of_id) == ("pending", BODY, message_id)
        assert retry.not_before == runtime.clock() + UNREACHABLE_RETRY_AFTER

    clock.advance(minutes=59)
    assert relay(runtime.db, runtime.queue, clock()) == 0
    clock.advance(minutes=1)
    assert relay(runtime.db, runtime.queue, clock()) == 1  # sent by the app's console channel
    with runtime.db.transaction() as session:
        retry_sid = session.get_one(Message, effect.retry_message_id).provider_sid
    assert retry_sid is not None

    # The retry fails the same way: no third try.
    callback(runtime, retry_sid, "undelivered", "30003")
    assert apply(runtime) == []
    with runtime.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 2


@pytest.mark.parametrize("code", ["30005", "30006"])
def test_an_unknown_or_landline_number_is_marked_and_the_family_escalated(
    runtime: Runtime, guardian_id: int, code: str
) -> None:
    message_id = sent_message(runtime, "SM9", guardian_id=guardian_id)
    callback(runtime, "SM9", "undelivered", code)
    (effect,) = apply(runtime)
    assert (effect.kind, effect.message_id, effect.code) == ("undeliverable", message_id, code)
    with runtime.db.transaction() as session:
        assert is_undeliverable(session, PHONE)
        escalation = session.get_one(Escalation, effect.escalation_id)
        assert (escalation.reason, escalation.priority, escalation.student_id) == (
            "undeliverable",
            "high",
            "S100",
        )
        assert escalation.guardian_id == guardian_id
        # Nothing more is sent to that number.
        later = queue_text(
            session,
            phone=PHONE,
            body=BODY,
            language="en",
            origin="district",
            purpose="nudge",
            now=runtime.clock() + timedelta(days=1),
            quiet=runtime.quiet_hours,
        )
        assert (later.status, later.error_code) == ("suppressed", "undeliverable")


def test_30007_raises_an_alert_without_private_data(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    message_id = sent_message(runtime, "SM10")
    callback(runtime, "SM10", "undelivered", "30007")
    with caplog.at_level(logging.INFO):
        assert apply(runtime) == [
            StatusEffect("alert", message_id, "30007"),
            StatusEffect("failed", message_id, "30007"),
        ]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any(str(message_id) in r.getMessage() and "30007" in r.getMessage() for r in warnings)
    for record in caplog.records:
        assert PHONE not in record.getMessage() and BODY not in record.getMessage()


def test_an_inbound_message_is_never_touched_by_a_status_report(runtime: Runtime) -> None:
    with runtime.db.transaction() as session:
        inbound = Message(
            direction="inbound",
            phone=PHONE,
            body="2",
            status="received",
            provider_sid="SM11",
            created_at=runtime.clock(),
        )
        session.add(inbound)
        session.flush()
        inbound_id = inbound.id
    callback(runtime, "SM11", "delivered")
    assert apply(runtime) == []
    assert status_of(runtime, inbound_id) == ("received", None)


def test_an_unfamiliar_long_status_is_stored_and_ignored(runtime: Runtime) -> None:
    message_id = sent_message(runtime, "SM12", status="sent")
    assert callback(runtime, "SM12", "partially_delivered") is not None
    apply(runtime)
    assert status_of(runtime, message_id) == ("sent", None)
