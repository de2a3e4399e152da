"""A text in doubt (a timeout after Twilio took it, a worker gone mid-send) is looked up at
Twilio, through the real twilio library, before it is ever sent again."""

from __future__ import annotations

from dataclasses import replace

import pytest

from outreach_bot.channels.twilio import TwilioChannel
from outreach_bot.clock import FixedClock
from outreach_bot.messaging.outbox import relay
from outreach_bot.messaging.reconcile import RECONCILE_AFTER, reconcile_sending
from outreach_bot.runtime import Runtime
from tests.test_send import PHONE, app_config, queue, row, send
from tests.twilio_double import SERVER_ERROR, TwilioDouble

__all__ = ["app_config"]  # the fixture: the app sends through the real twilio library
SLOW = 1.0  # seconds the double takes to answer; the client waits 0.2


@pytest.fixture
def impatient(runtime: Runtime, twilio_double: TwilioDouble, clock: FixedClock) -> TwilioChannel:
    """A channel that gives up on Twilio's answer after 0.2 s; the double keeps our clock."""
    twilio_double.clock = clock
    return TwilioChannel.from_settings(replace(runtime.settings, twilio_timeout_seconds=0.2))


def reconcile(runtime: Runtime, clock: FixedClock, max_attempts: int = 5):
    return reconcile_sending(runtime.db, runtime.channel, clock(), max_attempts=max_attempts)


def test_a_text_twilio_took_before_the_timeout_is_found_not_sent_again(
    runtime: Runtime, twilio_double: TwilioDouble, clock: FixedClock, impatient: TwilioChannel
) -> None:
    twilio_double.take_slowly(SLOW)
    message_id, attempted = queue(runtime), clock()
    assert send(runtime, message_id, impatient) == "in_flight"
    (taken,) = twilio_double.messages  # Twilio has it; we do not know its SID
    message = row(runtime, message_id)
    assert (message.status, message.provider_sid, message.error_code) == (
        "sending",
        None,
        "timeout",
    )

    clock.advance(seconds=RECONCILE_AFTER.total_seconds() - 1)
    assert reconcile(runtime, clock).taken == []  # the job may still be waiting on Twilio
    clock.advance(seconds=2)
    assert reconcile(runtime, clock).taken == [message_id]
    message = row(runtime, message_id)
    assert (message.status, message.provider_sid, message.error_code) == (
        "queued",
        taken["sid"],
        None,
    )
    assert message.sent_at == attempted
    assert relay(runtime.db, runtime.queue, clock()) == 0
    assert send(runtime, message_id) == "done"
    assert len(twilio_double.created) == 1 and len(twilio_double.messages) == 1
    lookups = [r for r in twilio_double.requests if r.method == "GET"]
    assert [r.form for r in lookups] == [{"To": PHONE, "PageSize": "50"}]


def test_a_text_twilio_never_took_is_sent_again_once_after_its_backoff(
    runtime: Runtime, twilio_double: TwilioDouble, clock: FixedClock, impatient: TwilioChannel
) -> None:
    twilio_double.respond(500, {"message": "lost"}, delay=SLOW)  # late, and nothing taken
    message_id = queue(runtime)
    assert send(runtime, message_id, impatient) == "in_flight"
    assert twilio_double.messages == []

    clock.advance(minutes=6)
    assert reconcile(runtime, clock).resend == [message_id]
    message = row(runtime, message_id)
    assert (message.status, message.provider_sid, message.attempts) == ("pending", None, 1)
    assert message.not_before is not None and message.not_before > clock()
    clock.set(message.not_before)
    assert relay(runtime.db, runtime.queue, clock()) == 1  # sent by the inline queue
    (taken,) = twilio_double.messages
    assert row(runtime, message_id).provider_sid == taken["sid"]
    assert reconcile(runtime, clock).taken == []


def test_two_identical_texts_in_doubt_each_get_their_own(
    runtime: Runtime, twilio_double: TwilioDouble, clock: FixedClock, impatient: TwilioChannel
) -> None:
    first, second = queue(runtime), queue(runtime)
    for message_id in (first, second):
        twilio_double.take_slowly(SLOW)
        assert send(runtime, message_id, impatient) == "in_flight"
        clock.advance(seconds=10)
    clock.advance(minutes=6)
    assert reconcile(runtime, clock).taken == [first, second]
    assert [row(runtime, m).provider_sid for m in (first, second)] == [
        m["sid"] for m in twilio_double.messages
    ]


def test_a_text_found_sent_already_is_not_matched_to_a_row_in_doubt(
    runtime: Runtime, twilio_double: TwilioDouble, clock: FixedClock, impatient: TwilioChannel
) -> None:
    # The same words went to the same family a minute earlier, and were recorded: that
    # text is not the one in doubt, which Twilio never took.
    earlier = queue(runtime)
    assert send(runtime, earlier) == "sent"
    clock.advance(minutes=1)
    twilio_double.respond(500, {"message": "lost"}, delay=SLOW)
    in_doubt = queue(runtime)
    assert send(runtime, in_doubt, impatient) == "in_flight"
    clock.advance(minutes=6)
    assert reconcile(runtime, clock).resend == [in_doubt]


def test_while_twilio_cannot_be_asked_the_row_waits(
    runtime: Runtime, twilio_double: TwilioDouble, clock: FixedClock, impatient: TwilioChannel
) -> None:
    ids = [queue(runtime), queue(runtime, body="Hi again from Maple Valley Schools.")]
    for message_id in ids:
        twilio_double.take_slowly(SLOW)
        assert send(runtime, message_id, impatient) == "in_flight"
    clock.advance(minutes=6)
    twilio_double.fail_next(SERVER_ERROR)
    before = len(twilio_double.requests)
    assert reconcile(runtime, clock).unknown == ids
    assert len(twilio_double.requests) == before + 1  # one refusal stops the round
    assert [row(runtime, message_id).status for message_id in ids] == ["sending", "sending"]
    assert reconcile(runtime, clock).taken == ids
    assert len(twilio_double.created) == 2


def test_past_its_last_attempt_a_text_twilio_never_took_fails(
    runtime: Runtime, twilio_double: TwilioDouble, clock: FixedClock, impatient: TwilioChannel
) -> None:
    twilio_double.respond(500, {"message": "lost"}, delay=SLOW)
    message_id = queue(runtime)
    assert send(runtime, message_id, impatient) == "in_flight"
    clock.advance(minutes=6)
    assert reconcile(runtime, clock, max_attempts=1).failed == [message_id]
    message = row(runtime, message_id)
    assert (message.status, message.error_code) == ("failed", "timeout")


@pytest.mark.parametrize("status", [502, 504])
def test_a_proxy_that_gave_up_on_twilio_leaves_the_text_to_be_looked_up(
    runtime: Runtime, twilio_double: TwilioDouble, status: int
) -> None:
    twilio_double.respond(status, {"message": "Bad Gateway", "status": status})
    message_id = queue(runtime)
    assert send(runtime, message_id) == "in_flight"
    assert row(runtime, message_id).status == "sending"
