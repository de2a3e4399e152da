"""Opt-outs: keywords in many languages, the phone's state, and nothing sent after STOP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from outreach_bot.channels.console import ConsoleChannel
from outreach_bot.messaging.keywords import classify_keyword
from outreach_bot.messaging.opt_words import KEYWORDS
from outreach_bot.messaging.optout import (
    is_opted_out,
    is_undeliverable,
    mark_deliverable,
    mark_undeliverable,
    opt_in,
    opt_out,
)
from outreach_bot.messaging.outbox import OPT_OUT_CONFIRMATION, queue_text, relay
from outreach_bot.models import Message, PhoneNumber
from outreach_bot.queue import InlineQueue
from outreach_bot.runtime import Runtime
from tests.factories import deliver_now

PHONE = "+15035550142"
OTHER_PHONE = "+12065550117"


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("STOP", "stop"),
        (" stop. ", "stop"),
        ("Stop!!", "stop"),
        ("STOPALL", "stop"),
        ("Unsubscribe", "stop"),
        ("cancel", "stop"),
        ("END", "stop"),
        ("quit", "stop"),
        ("Revoke", "stop"),
        ("OPTOUT", "stop"),
        ("opt-out", "stop"),
        ("STOP 🛑", "stop"),
        ("ＳＴＯＰ", "stop"),
        ("stop texting me", "stop"),
        ("Don't text me.", "stop"),
        ("don’t text me", "stop"),
        ("Unsubscribe me", "stop"),
        ("please stop", "stop"),
        ("START", "start"),
        ("unstop", "start"),
        ("Subscribe", "start"),
        ("HELP", "help"),
        ("help?", "help"),
        ("info", "help"),
        # Spanish
        ("ALTO", "stop"),
        ("Parar", "stop"),
        ("pare", "stop"),
        ("¡Basta!", "stop"),
        ("cancelar", "stop"),
        ("No más mensajes", "stop"),
        ("NO MAS MENSAJES", "stop"),
        ("comenzar", "start"),
        ("Iniciar", "start"),
        ("AYUDA", "help"),
        ("información", "help"),
        # Portuguese, French
        ("parar", "stop"),
        ("Não quero mais", "stop"),
        ("começar", "start"),
        ("ajuda", "help"),
        ("ARRÊT", "stop"),
        ("aide", "help"),
        # Vietnamese, with its marks
        ("DỪNG", "stop"),
        ("dừng", "stop"),
        ("Dừng lại.", "stop"),
        ("Hủy", "stop"),
        ("bắt đầu", "start"),
        ("Giúp", "help"),
        # Chinese (simplified and traditional), Arabic, Russian
        ("停止", "stop"),
        ("退订", "stop"),
        ("退訂", "stop"),
        ("开始", "start"),
        ("帮助", "help"),
        ("توقف", "stop"),
        ("إيقاف", "stop"),
        ("مساعدة", "help"),
        ("СТОП", "stop"),
        ("помощь", "help"),
    ],
)
def test_keywords(text: str, keyword: str) -> None:
    assert classify_keyword(text) == keyword


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "?!",
        "1",
        "2",
        "yes",
        "sí",
        "no",
        "ok",
        "stop by the office tomorrow",
        "I can't stop worrying",
        "help me find a bus pass",
        "S.T.O.P",
        "stopp",
        # Without its marks "dung" can mean "correct" or "use": never read as STOP.
        "dung",
        "Đúng",
        "đúng rồi",
        "dùng",
    ],
)
def test_ordinary_messages_are_not_keywords(text: str) -> None:
    assert classify_keyword(text) is None


def test_every_phrase_in_the_table_is_recognised_shouted_and_punctuated() -> None:
    for entry in KEYWORDS:
        for phrase in entry.phrases:
            assert classify_keyword(f"  {phrase.upper()}! ", entry.language) == entry.keyword, (
                entry,
                phrase,
            )


def test_opt_out_and_back_in(runtime: Runtime) -> None:
    now = runtime.clock()
    with runtime.db.transaction() as session:
        assert not is_opted_out(session, PHONE)
        opt_out(session, PHONE, source="keyword", now=now)
    with runtime.db.transaction() as session:
        assert is_opted_out(session, PHONE)
        assert not is_opted_out(session, OTHER_PHONE)
        # A second opt-out keeps the first one's time and source.
        opt_out(session, PHONE, source="provider_21610", now=now + timedelta(days=1))
    with runtime.db.transaction() as session:
        row = session.get_one(PhoneNumber, PHONE)
        assert (row.opted_out_at, row.opt_out_source) == (now, "keyword")
        opt_in(session, PHONE, now=now + timedelta(days=2))
    with runtime.db.transaction() as session:
        assert not is_opted_out(session, PHONE)
        assert session.get_one(PhoneNumber, PHONE).opt_out_source is None


def test_undeliverable_marks(runtime: Runtime) -> None:
    now = runtime.clock()
    with runtime.db.transaction() as session:
        mark_undeliverable(session, PHONE, code="30005", now=now)
    with runtime.db.transaction() as session:
        assert is_undeliverable(session, PHONE)
        assert not is_opted_out(session, PHONE)
        assert session.get_one(PhoneNumber, PHONE).undeliverable_code == "30005"
        mark_deliverable(session, PHONE)
    with runtime.db.transaction() as session:
        assert not is_undeliverable(session, PHONE)


def _queue(runtime: Runtime, phone: str = PHONE, **options: object) -> int:
    fields: dict[str, object] = {
        "phone": phone,
        "body": "Hi, this is Maple Valley Schools.",
        "language": "en",
        "origin": "district",
        "purpose": "nudge",
        "now": runtime.clock(),
        "quiet": runtime.quiet_hours,
    }
    fields.update(options)
    with runtime.db.transaction() as session:
        return queue_text(session, **fields).id  # type: ignore[arg-type]


def test_after_stop_a_text_is_suppressed_and_never_sent(runtime: Runtime) -> None:
    channel = ConsoleChannel(echo=None)
    with runtime.db.transaction() as session:
        opt_out(session, PHONE, source="keyword", now=runtime.clock())
    message_id = _queue(runtime)
    with runtime.db.transaction() as session:
        message = session.get_one(Message, message_id)
        assert (message.status, message.error_code) == ("suppressed", "opted_out")
    assert relay(runtime.db, InlineQueue(), runtime.clock()) == 0
    assert deliver_now(runtime, channel, message_id) == "done"
    assert channel.sent == []


def test_stop_between_queueing_and_sending_wins(runtime: Runtime) -> None:
    channel = ConsoleChannel(echo=None)
    message_id = _queue(runtime)
    with runtime.db.transaction() as session:
        opt_out(session, PHONE, source="keyword", now=runtime.clock())
    assert deliver_now(runtime, channel, message_id) == "suppressed"
    assert channel.sent == []
    with runtime.db.transaction() as session:
        assert session.get_one(Message, message_id).status == "suppressed"


def test_only_the_stop_confirmation_reaches_an_opted_out_phone(runtime: Runtime) -> None:
    channel = ConsoleChannel(echo=None)
    with runtime.db.transaction() as session:
        opt_out(session, PHONE, source="keyword", now=runtime.clock())
    confirmation = _queue(
        runtime, origin="reply", purpose=OPT_OUT_CONFIRMATION, bypass_opt_out=True
    )
    assert deliver_now(runtime, channel, confirmation) == "sent"
    assert len(channel.sent) == 1
    with pytest.raises(ValueError, match="Only the STOP confirmation"):
        _queue(runtime, purpose="nudge", bypass_opt_out=True)


def test_an_undeliverable_phone_gets_nothing_not_even_a_confirmation(runtime: Runtime) -> None:
    with runtime.db.transaction() as session:
        mark_undeliverable(session, PHONE, code="30006", now=runtime.clock())
    for options in ({}, {"purpose": OPT_OUT_CONFIRMATION, "bypass_opt_out": True}):
        message_id = _queue(runtime, **options)
        with runtime.db.transaction() as session:
            message = session.get_one(Message, message_id)
            assert (message.status, message.error_code) == ("suppressed", "undeliverable")
