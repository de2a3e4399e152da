"""What Twilio (or anyone holding a signature) could post: stored, or refused with 400,
413 or 415, and never a 500."""

from __future__ import annotations

from itertools import count as counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from outreach_bot.models import Message
from tests.test_webhook import FORM, count, signed

_sids = counter(1)


@pytest.fixture
def app_config(app_config):
    from tests.test_webhook import BASE, TOKEN

    return {**app_config, "TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_BASE_URL": BASE}


def post(client, form: dict[str, str], path: str = "/twilio/inbound"):
    return client.post(path, data=form, headers=signed(path, form))


def new_sid() -> str:
    return f"SM{next(_sids):032x}"


@pytest.mark.parametrize(
    "fields",
    [
        {"MessageSid": None, "SmsSid": "SM" + "a" * 32},  # re-split: the SID under another name
        {"SmsSid": "SM" + "b" * 32},  # a second SID beside the first
        {"MessageSid": "SM1"},
        {"MessageSid": "SM" + "a" * 63},
        {"MessageSid": "SM" + "a" * 31 + "\x00"},
        {"MessageSid": "XX" + "a" * 32},
        {"MessageSid": "SM" + "a" * 31 + "-"},
        {"MessageSid": ""},
    ],
)
def test_a_message_sid_not_of_twilios_shape_is_refused_and_nothing_stored(runtime, client, fields):
    form = {**FORM, **fields}
    form = {key: value for key, value in form.items() if value is not None}
    response = post(client, form)
    assert response.status_code == 400
    assert "MessageSid" in response.get_data(as_text=True) or "SmsSid" in response.get_data(
        as_text=True
    )
    assert count(runtime, Message) == 0


@pytest.mark.parametrize("field", ["Body", "From"])
def test_a_nul_byte_in_a_text_is_stored_not_lost(runtime, client, field):
    form = {**FORM, "MessageSid": new_sid(), field: FORM[field] + "\x00x"}
    assert post(client, form).status_code == 200
    with runtime.db.transaction() as session:
        stored = session.scalars(select(Message).where(Message.direction == "inbound")).one()
        assert stored.provider_sid == form["MessageSid"]
        assert "\x00" not in (stored.body + stored.phone)
        assert "\ufffd" in (stored.body if field == "Body" else stored.raw["From"])


def test_a_status_callback_with_a_long_sid_is_refused(runtime, client):
    form = {"MessageSid": "SM" + "c" * 70, "MessageStatus": "delivered"}
    assert post(client, form, "/twilio/status").status_code == 400


def test_a_webhook_over_64_kb_answers_413_and_another_type_415(runtime, client):
    big = {**FORM, "MessageSid": new_sid(), "Body": "x" * 70_000}
    assert post(client, big).status_code == 413
    response = client.post("/twilio/inbound", json=FORM, headers=signed("/twilio/inbound", {}))
    assert response.status_code == 415
    assert count(runtime, Message) == 0


TWILIO_FIELDS = ["From", "To", "Body", "NumMedia", "FromCountry", "AccountSid", "SmsStatus"]
anything = st.text(max_size=300)  # every code point, NUL and lone surrogates excluded by UTF-8


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sid=st.one_of(st.builds(new_sid), st.text(max_size=80)),
    fields=st.dictionaries(st.one_of(st.sampled_from(TWILIO_FIELDS), st.text()), anything),
    path=st.sampled_from(["/twilio/inbound", "/twilio/status"]),
)
def test_no_webhook_twilio_could_send_answers_500(runtime, client, sid, fields, path):
    form = {**fields, "MessageSid": sid}
    if path == "/twilio/status":
        form.setdefault("MessageStatus", "delivered")
    response = post(client, form, path)
    assert response.status_code in (200, 400), response.get_data(as_text=True)
