"""Twilio's webhooks: signatures checked with the twilio library, stored once, answered fast."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from outreach_bot import create_app
from outreach_bot.config import ConfigError
from outreach_bot.models import Message, StatusCallback
from tests.factories import add_family, add_school

TOKEN = "test-auth-token-not-secret"
BASE = "https://outreach.example.org"
FORM = {
    "MessageSid": "SM" + "a" * 32,
    "From": "+15035550142",
    "To": "+15035550199",
    "Body": "HELP",
    "AccountSid": "AC" + "0" * 32,
}
PRODUCTION = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": "a-long-random-value-for-tests-only",
    "ALLOW_CONSOLE_SMS": "on",  # a staging copy: texts are printed, never sent
}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_BASE_URL": BASE}


def signed(path: str, form: dict[str, str]) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(BASE + path, form)}


def count(runtime, model) -> int:
    with runtime.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_signed_request_is_accepted_stored_and_answered(runtime, client):
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session)
    response = client.post("/twilio/inbound", data=FORM, headers=signed("/twilio/inbound", FORM))
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert response.data.endswith(b"<Response/>")
    with runtime.db.transaction() as session:
        inbound = session.scalars(select(Message).where(Message.direction == "inbound")).one()
        assert (inbound.provider_sid, inbound.body, inbound.phone) == (
            FORM["MessageSid"],
            "HELP",
            "+15035550142",
        )
        assert inbound.processed_at is not None
        help_text = session.scalars(select(Message).where(Message.direction == "outbound")).one()
        assert help_text.purpose == "help"
        assert "Call the school at +15035550100" in help_text.body


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Twilio-Signature": "forged"}, signed("/twilio/inbound", {**FORM, "Body": "other"})],
    ids=["unsigned", "forged", "signed-for-other-body"],
)
def test_unsigned_or_forged_request_gets_403_and_stores_nothing(runtime, client, headers):
    response = client.post("/twilio/inbound", data=FORM, headers=headers)
    assert response.status_code == 403
    assert count(runtime, Message) == 0


def test_a_signature_of_the_url_with_its_port_is_taken_too(runtime, client):
    # Twilio has signed the https URL both with and without :443; both are Twilio's.
    validator = RequestValidator(TOKEN)
    with_port = validator.compute_signature(BASE + ":443/twilio/inbound", FORM)
    response = client.post("/twilio/inbound", data=FORM, headers={"X-Twilio-Signature": with_port})
    assert response.status_code == 200
    assert count(runtime, Message) >= 1


def test_the_same_message_sid_twice_is_processed_once(runtime, client):
    with runtime.db.transaction() as session:
        add_school(session)
        add_family(session)
    for _ in range(2):
        response = client.post(
            "/twilio/inbound", data=FORM, headers=signed("/twilio/inbound", FORM)
        )
        assert response.status_code == 200
    with runtime.db.transaction() as session:
        directions = session.scalars(select(Message.direction).order_by(Message.id)).all()
    assert directions == ["inbound", "outbound"]


def test_status_callback_is_signed_and_stored_once(runtime, client):
    form = {"MessageSid": "SM" + "b" * 32, "MessageStatus": "delivered", "AccountSid": "AC1"}
    assert client.post("/twilio/status", data=form).status_code == 403
    assert count(runtime, StatusCallback) == 0
    for _ in range(2):
        response = client.post("/twilio/status", data=form, headers=signed("/twilio/status", form))
        assert response.status_code == 200
    assert count(runtime, StatusCallback) == 1


def test_health_and_readiness(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"]["database"] == "ok"


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/twilio/inbound", FORM),
        ("/twilio/status", {"MessageSid": "SM" + "c" * 32, "MessageStatus": "delivered"}),
    ],
)
def test_production_without_a_token_refuses_every_webhook(app_config, path, form):
    # Unsigned, anyone could text as a family: a STOP for them, or a reply the bot acts on.
    # The console backend (a staging copy, say) needs no Twilio credentials to start.
    app = create_app({**app_config, **PRODUCTION, "TWILIO_AUTH_TOKEN": None})
    runtime = app.extensions["outreach"]
    with app.app_context():
        response = app.test_client().post(path, data=form)
        assert response.status_code == 503
        assert "TWILIO_AUTH_TOKEN is not set" in response.get_data(as_text=True)
        assert count(runtime, Message) == 0 and count(runtime, StatusCallback) == 0
        ready = app.test_client().get("/readyz")
        assert ready.status_code == 503
        assert ready.json["checks"]["twilio_webhooks"].startswith("refused: TWILIO_AUTH_TOKEN")
    runtime.db.dispose()


def test_the_twilio_backend_will_not_start_without_a_token(app_config):
    twilio = {"SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": "AC" + "0" * 32}
    settings = {**app_config, **PRODUCTION, **twilio, "TWILIO_FROM_NUMBER": "+15035550199"}
    with pytest.raises(ConfigError, match="TWILIO_AUTH_TOKEN"):
        create_app({**settings, "TWILIO_AUTH_TOKEN": None})


def test_production_with_a_token_takes_signed_webhooks(app_config):
    app = create_app({**app_config, **PRODUCTION})
    runtime = app.extensions["outreach"]
    with app.app_context():
        client = app.test_client()
        assert client.post("/twilio/inbound", data=FORM).status_code == 403
        signature = signed("/twilio/inbound", FORM)
        assert client.post("/twilio/inbound", data=FORM, headers=signature).status_code == 200
        assert client.get("/readyz").json["checks"]["twilio_webhooks"] == "ok"
    runtime.db.dispose()


def test_development_without_a_token_says_webhooks_are_unsigned(app_config):
    app = create_app({**app_config, "TWILIO_AUTH_TOKEN": None})
    with app.app_context():
        checks = app.test_client().get("/readyz").json["checks"]
    assert checks["twilio_webhooks"].startswith("not configured (development")
    app.extensions["outreach"].db.dispose()
